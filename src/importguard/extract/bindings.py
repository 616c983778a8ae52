"""Binding and resolution: names bound in scopes, loads resolved to the import bindings they may
see (Python's scoping rules), attribute reads credited to submodule and class-attribute imports.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from importguard.extract.state import WalkState
from importguard.extract.syntax import OTHER
from importguard.model import ANNOTATION, RUNTIME, TYPING, BindEvent, DeleteEvent, LoadEvent, StoreEvent, Use

if TYPE_CHECKING:
    import libcst as cst

    from importguard.extract.scopes import Scope


class Bindings(WalkState):
    # ------------------------------------------------------------------ bindings
    def _target_scope(self, name: str, s: Scope) -> Scope:
        """The scope a binding of ``name`` made in ``s`` lands in (``global`` / ``nonlocal``)."""
        if name in s.globals:
            return self.module_scope
        if name in s.nonlocals:
            p = s.parent
            while p is not None and (p.kind != "function" or (name not in p.bound and name not in p.live)):
                p = p.parent
            return p or self.module_scope
        return s

    def bind(self, name: str, bid: int = OTHER, *, scope: Optional[Scope] = None) -> None:
        s = scope or self.scope
        additive = self.cond > 0
        t = self._target_scope(name, s)
        if t is not s:
            s = t
            additive = True
        s.bound.add(name)
        if additive:
            s.live[name] = s.live.get(name, ()) + (bid,)
        else:
            s.live[name] = (bid,)
        if self.main_pass and s is self.module_scope:
            self.stmt_binds.append(name)
        if self.rec and bid == OTHER and s.kind != "comprehension":
            self.ev.append(BindEvent(name))

    def unbind(self, name: str) -> None:
        s = self._target_scope(name, self.scope)
        s.bound.add(name)  # ``del x`` makes ``x`` local too
        if self.cond == 0:
            s.live.pop(name, None)
        if self.rec:
            self.ev.append(DeleteEvent(name))



    def resolve(self, name: str) -> Tuple[int, ...]:
        s: Optional[Scope] = self.scope
        see_class = True  # a class body is visible to itself and to its type parameters' scope only
        self.passed = None
        while s is not None:
            kind = s.kind
            if kind == "class" and not see_class:
                s = s.parent
                continue
            if name in s.globals:
                s = self.module_scope
            if s is self.module_scope:
                self.resolved_in = s
                found = s.live.get(name, ())
                if self.snapshot is not None:
                    extra = self.snapshot.get(name, ())
                    if extra and extra != found:
                        found = found + tuple(b for b in extra if b not in found)
                return found
            if name in s.live:
                self.resolved_in = s
                return s.live[name]
            if kind == "function":
                if s.done:
                    if name in s.bound:  # local to that function, but unbound here
                        self.resolved_in = s
                        return ()
                elif self.passed is None:
                    self.passed = [s]
                else:
                    self.passed.append(s)
            if kind != "typeparams":
                see_class = False
            s = s.parent
        return ()

    def load(self, name: str, node: Optional[cst.CSTNode], path: str) -> None:
        found = self.resolve(name)
        # resolve() always stops in some scope: at the latest the module's
        late = self.kind != RUNTIME and self.main_pass and self.resolved_in.kind != "typeparams"  # type: ignore[union-attr]
        declared = name in self.declared
        attrs = self.class_attrs and "." in path
        if not found and not late and not declared and not attrs:
            return
        pos = self.str_pos or self.start.get(id(node), (0, 0))
        kind = TYPING if self.in_tc else self.kind
        use = Use(path, pos[0], pos[1], kind, self.func, self.owner if kind == ANNOTATION else "")
        if attrs:
            self._class_attribute(path, use)
        if declared:
            self.declared_loads.append((name, self.resolved_in, use))
        if not found and not late:
            return
        done = self._attribute(found, path, use)
        if done and self.passed and kind == RUNTIME:  # (annotations may be resolved elsewhere later)
            for s in self.passed:
                s.passed.append((name, done, use))
        if late:
            # annotations may be evaluated lazily (PEP 563/649, get_type_hints): the names bound
            # by the end of the module can be the ones they see
            self.late.append((name, path, use, done))
        if done and self.rec:
            if kind != TYPING:  # ordered import-time events, for the cycle simulation
                if self.storing:
                    self.ev.append(StoreEvent(path, pos[0], pos[1]))
                else:
                    self.ev.append(LoadEvent(path, pos[0], pos[1], kind == ANNOTATION))

    def _attribute(self, found: Tuple[int, ...], path: str, use: Use) -> Tuple[int, ...]:
        ids = [b for b in found if b >= 0]
        if not ids:
            return ()
        imps = self.imports
        if len(found) > 1:
            pref = [
                b for b in ids
                if (sub := imps[b].submodule) and (path == sub or path.startswith(sub + "."))
            ]
            if pref:
                ids = pref + [b for b in ids if not imps[b].submodule]
            if use.kind == RUNTIME:
                # a runtime binding (import or not) covers this use: TYPE_CHECKING ones do not,
                # but type checkers see them (the runtime one is their fallback): still used
                rt = [b for b in ids if not imps[b].tc]
                if rt or OTHER in found:
                    for b in ids:
                        if imps[b].tc:
                            imps[b].fallback = True
                    ids = rt
            elif use.kind == ANNOTATION and (OTHER in found or any(not imps[b].tc for b in ids)):
                # an evaluated annotation a runtime binding answers (``else: X = ...``): for the
                # TYPE_CHECKING import it is a use type checkers see, never evaluated through it
                for b in ids:
                    imps[b].uses.append(use._replace(kind=TYPING) if imps[b].tc else use)
                return tuple(ids)
        for b in ids:
            imps[b].uses.append(use)
        return tuple(ids)

    def _class_attribute(self, path: str, use: Use) -> None:
        """``self.x``, ``cls.x``, ``C.x``: a load of the class attribute a class-body import binds."""
        parts = path.split(".")
        for i in range(1, len(parts)):
            entries = self.class_attrs.get(parts[i])
            if not entries:
                continue
            head = parts[i - 1]
            for b, cname in entries:
                if head == cname or (i == 1 and head in ("self", "cls")):
                    self.imports[b].uses.append(use._replace(dotted=".".join(parts[i:])))

    def _credit_remote_bindings(self) -> None:
        """An import under ``global x`` (or ``nonlocal x``) binds the name of another scope, where
        every load of ``x`` may run after it: credit them all, whatever order they were walked in."""
        if not self.declared_loads:
            return
        for imp in self.imports:
            target = imp.target
            if target is None:
                continue
            name = imp.fields["bound"]
            have = {(u.line, u.col) for u in imp.uses}
            for n, scope, use in self.declared_loads:
                if n == name and scope is target and (use.line, use.col) not in have:
                    have.add((use.line, use.col))
                    imp.uses.append(use)

    def _credit_submodules(self) -> None:
        """``import a.b.c`` makes ``c`` an attribute of ``a.b`` for every binding of ``a`` or
        ``a.b``: a load that reaches ``a.b.c`` through another import's binding (``from a import
        b`` then ``b.c.x``; a function's own ``import a.d`` then ``a.b.c.x``) uses it too."""
        subs: Dict[str, List[int]] = {}
        for i, imp in enumerate(self.imports):
            f = imp.fields
            if f["name"] is None and "." in f["module"]:
                subs.setdefault(f["module"], []).append(i)
        if not subs:
            return
        imps = self.imports
        for i, imp in enumerate(imps):
            f = imp.fields
            if f["level"] or not f["bound"] or not imp.uses:
                continue
            if f["name"] is None:
                base = f["module"] if f["asname"] else f["bound"]
            else:
                base = f"{f['module']}.{f['name']}"
            depth = base.count(".") + 1
            bound = f["bound"]
            for use in list(imp.uses):
                rest = use.dotted[len(bound):]
                if not rest:
                    continue
                parts = (base + rest).split(".")
                for n in range(depth + 1, len(parts) + 1):
                    sub = ".".join(parts[:n])
                    for b in subs.get(sub, ()):
                        if b == i:
                            continue
                        other = imps[b]
                        ob = other.fields["bound"]
                        dotted_name = (ob + "." + ".".join(parts[n:])).rstrip(".") if other.fields["asname"] \
                            else ".".join(parts)
                        if other.tc and use.kind == RUNTIME:
                            other.fallback = True  # type checkers see it; at runtime it may be absent
                        elif not any((u.line, u.col) == (use.line, use.col) for u in other.uses):
                            other.uses.append(use._replace(dotted=dotted_name))

    def _resolve_late(self) -> None:
        live = self.module_scope.live
        for name, path, use, done in self.late:
            found = tuple(b for b in live.get(name, ()) if b not in done)
            if found:
                self._attribute(found, path, use)
        self.late = []
