"""The statement walk: dispatch, simple statements (imports, assignments, ``__all__``, ``del``,
``global``), type comments, and the import-time events each statement records.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, List, Optional, Tuple

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

from importguard.extract.scopes import Scope, _Imp
from importguard.extract.state import WalkState
from importguard.extract.syntax import _extends_all, dotted, is_type_checking_import, type_checking_alias
from importguard.extract.type_syntax import _ast_loads, _type_comment
from importguard.model import ANNOTATION, DEFERRED, IMPORT_TIME, TYPING, TYPING_EDGE, BindEvent, ImportEvent

if TYPE_CHECKING:
    from importguard.extract.syntax import Dispatched


class Statements(WalkState):
    # ------------------------------------------------------------------ statements
    def stmt(self, node: Dispatched) -> None:
        handler = self.STMT_HANDLERS.get(type(node))
        t = type(node)
        if self.type_comments and t is not cst.SimpleStatementLine:
            self._header_type_comments(node)
        if handler is not None:
            handler(self, node)
        else:
            self.expr(node)
        if self.type_comments and t is cst.SimpleStatementLine:
            self._type_comment(node.trailing_whitespace.comment)

    def _header_type_comments(self, node: cst.CSTNode) -> None:
        """Type comments of a compound statement, read in the scope around it: ``for x in y:  #
        type: T``, ``with a as b:  # type: T``, a function's signature comment (after the colon or
        alone on the next line) and per-argument comments, a one-line body's comment."""
        suite = getattr(node, "body", None)
        if type(suite) is cst.SimpleStatementSuite:
            self._type_comment(suite.trailing_whitespace.comment)
        elif type(suite) is cst.IndentedBlock and type(node) in (cst.For, cst.With, cst.FunctionDef):
            self._type_comment(suite.header.comment)
            if type(node) is cst.FunctionDef:
                if suite.body:
                    for line in getattr(suite.body[0], "leading_lines", ()):
                        self._type_comment(line.comment)
                stack: List[cst.CSTNode] = [node.params]  # ``def f(a,  # type: int``
                while stack:
                    n = stack.pop()
                    if type(n) is cst.Comment:
                        self._type_comment(n)
                        continue
                    for f in type(n).FIELDS:  # type: ignore[attr-defined]
                        v = getattr(n, f)
                        if isinstance(v, cst.CSTNode):
                            stack.append(v)
                        elif isinstance(v, (list, tuple)):
                            stack.extend(x for x in v if isinstance(x, cst.CSTNode))

    def _type_comment(self, comment: Optional[cst.Comment]) -> None:
        """A PEP 484 type comment: typing uses of its names, as type checkers read them."""
        if comment is None:
            return
        text = _type_comment(comment.value)
        if text is None:
            return
        if "->" not in text:
            text = text.lstrip("*").lstrip()  # ``*args,  # type: *Any`` (a starred parameter's comment)
        try:
            tree = ast.parse(text, mode="func_type" if "->" in text else "eval")
        except (SyntaxError, ValueError):
            return
        self._load_names(_ast_loads(tree, True), self.start.get(id(comment), (0, 0)), TYPING)

    def _load_names(self, names: List[str], pos: Tuple[int, int], kind: str) -> None:
        """Loads of dotted names found outside the code's own names (a string, a comment)."""
        with self.scoped(kind=kind, str_pos=pos):
            for d in names:
                self.load(d.split(".", 1)[0], None, d)

    def body(self, block) -> None:
        """A suite (IndentedBlock / SimpleStatementSuite) or a list of statements."""
        stmts = block.body if hasattr(block, "body") and not isinstance(block, list) else block
        with self.scoped(top=False):
            for s in stmts:
                self.stmt(s)

    def cond_body(self, block) -> None:
        with self.scoped(cond=self.cond + 1):
            self.body(block)

    def s_simple_line(self, node: cst.SimpleStatementLine) -> None:
        top = self.top
        for small in node.body:
            self.stmt(small)
            self.top = top

    def s_import(self, node) -> None:
        self._import(node, False)

    def s_lazy(self, node) -> None:
        self._import(node, True)

    def _import(self, node, lazy: bool) -> None:
        is_from = type(node) in (cst.ImportFrom, cst.LazyImportFrom)
        start = self.start.get(id(node), (0, 0))
        stmt_line, stmt_end = start[0], self.end.get(id(node), start[0])
        if is_from:
            level = len(node.relative)
            module = dotted(node.module) if node.module is not None else ""
            if module == "__future__" and level == 0 and type(node.names) is not cst.ImportStar:
                for a in node.names:
                    if a.name.value == "annotations":
                        self.future_annotations = True
        else:
            level, module = 0, ""
        kind = TYPING_EDGE if self.in_tc else (DEFERRED if self.func else IMPORT_TIME)
        common = dict(
            stmt_line=stmt_line, stmt_end_line=stmt_end, stmt_index=self.stmt_index, kind=kind,
            scope=self.scope.qualname, scope_kind=self.scope.kind, top_level=self.top,
            in_type_checking=self.in_tc, guarded=self.guarded, lazy=lazy,
        )
        first = len(self.imports)
        if is_from and type(node.names) is cst.ImportStar:
            self._add_import(dict(module=module, level=level, name="*", asname=None, bound="",
                                  line=stmt_line, col=start[1], end_line=stmt_line, end_col=start[1],
                                  text="*", binds_global=False, **common), None, bind=False)
            self._import_event(first, lazy)
            return
        for alias in node.names:
            full = dotted(alias.name) or ""
            asname = alias.asname.name.value if alias.asname is not None else None
            if is_from:
                name, mod, bound = full, module, asname or full
            else:
                name, mod, bound = None, full, asname or full.split(".", 1)[0]
            pos = self.start.get(id(alias), start)
            text = full + (f" as {asname}" if asname else "")
            if asname and is_from and is_type_checking_import(module, level, full):
                self.tc_aliases.add(asname)
            sub = full if (not is_from and asname is None and "." in full) else None
            self._add_import(dict(module=mod, level=level, name=name, asname=asname, bound=bound,
                                  line=pos[0], col=pos[1], end_line=pos[0], end_col=pos[1] + len(text),
                                  text=text, binds_global=self.scope.kind == "function" and bound in self.scope.globals,
                                  **common), sub, bind=True)
        self._import_event(first, lazy)

    def _import_event(self, first: int, lazy: bool) -> None:
        if not self.rec:
            return
        if lazy:  # PEP 810: nothing is imported until the name is used
            self.ev.extend(BindEvent(self.imports[i].fields["bound"]) for i in range(first, len(self.imports)))
        else:
            self.ev.append(ImportEvent(first, len(self.imports) - first))

    def _add_import(self, fields: dict, sub: Optional[str], bind: bool) -> None:
        bid = len(self.imports)
        self.imports.append(_Imp(fields, sub, self.in_tc))
        if not bind:
            return
        name = fields["bound"]
        target = self._target_scope(name, self.scope)
        if target is not self.scope:
            self.imports[bid].target = target
        elif self.scope.kind == "class":  # a class attribute too: ``self.name``, ``Cls.name``
            self.class_attrs.setdefault(name, []).append((bid, self.scope.qualname.rsplit(".", 1)[-1]))
        plain = fields["name"] is None and fields["asname"] is None
        # ``import a``, ``import a.b`` and ``import a.c`` all bind the same module object ``a``:
        # none of them replaces the others
        keep: Tuple[int, ...] = ()
        if plain and not self.cond:
            imps = self.imports
            keep = tuple(b for b in self._live_in_target(name)
                         if b >= 0 and imps[b].fields["name"] is None and imps[b].fields["asname"] is None
                         and imps[b].fields["module"] != fields["module"])
        self.bind(name, bid)
        if keep:
            s = self._binding_scope(name)
            s.live[name] = keep + tuple(b for b in s.live[name] if b not in keep)

    def _binding_scope(self, name: str) -> Scope:
        return self._target_scope(name, self.scope)

    def _live_in_target(self, name: str) -> Tuple[int, ...]:
        return self._binding_scope(name).live.get(name, ())

    def s_assign(self, node: cst.Assign) -> None:
        self.expr(node.value)
        for t in node.targets:
            self.target(t.target)
        alias = type_checking_alias(node, self.tc_aliases)
        if alias:  # ``TC = typing.TYPE_CHECKING``
            self.tc_aliases.add(alias)
        if self.top and self.scope is self.module_scope:
            for t in node.targets:
                if type(t.target) is cst.Name and t.target.value == "__all__":
                    self._dunder_all(node.value, reset=not _extends_all(node.value))

    def s_ann_assign(self, node: cst.AnnAssign) -> None:
        if self.scope.kind == "function":
            self.annotation(node.annotation.annotation, TYPING, "")
        else:
            owner = self.scope.qualname if self.scope.kind == "class" else ""
            self.annotation(node.annotation.annotation, ANNOTATION, owner)
        if node.value is not None:
            if (dotted(node.annotation.annotation) or "").rsplit(".", 1)[-1] == "TypeAlias":
                self.type_expression(node.value)  # ``X: TypeAlias = "Foo"``
            else:
                self.expr(node.value)
            self.target(node.target)
            if self.top and type(node.target) is cst.Name and node.target.value == "__all__":
                self._dunder_all(node.value, reset=not _extends_all(node.value))
        elif type(node.target) is not cst.Name:
            self.expr(node.target)

    def s_aug_assign(self, node: cst.AugAssign) -> None:
        self.expr(node.target)
        self.expr(node.value)
        self.target(node.target)
        if self.top and type(node.target) is cst.Name and node.target.value == "__all__":
            self._dunder_all(node.value, reset=False)

    def _effect(self, kind: str, name: Optional[str], node: cst.CSTNode) -> None:
        """An import-time action on an import-bound name (ModuleFacts.effects)."""
        if not name or not self.main_pass or self.func or self.in_main:
            return
        if any(b >= 0 for b in self.resolve(name.split(".", 1)[0])):
            self.effects.append((kind, name, self._first_line(node)))

    def s_expr(self, node: cst.Expr) -> None:
        v = node.value
        if type(v) is cst.Call:
            self._effect("call", dotted(v.func), v)
        if self.top and type(v) is cst.Call and type(v.func) is cst.Attribute:
            if dotted(v.func.value) == "__all__" and v.func.attr.value in ("append", "extend"):
                for arg in v.args:
                    self._dunder_all(arg.value, reset=False)
        self.expr(v)

    def _dunder_all(self, value: Dispatched, reset: bool) -> None:
        names = [] if reset or self.all_names is None else self.all_names
        stack = [value]
        while stack:
            v = stack.pop()
            t = type(v)
            if t in (cst.List, cst.Tuple, cst.Set):
                for e in v.elements:
                    stack.append(e.value)
            elif t is cst.BinaryOperation:
                stack.extend((v.right, v.left))
            elif t is cst.SimpleString:
                s = v.evaluated_value
                if isinstance(s, bytes):
                    s = s.decode("latin-1")
                names.append(s)
        self.all_names = names

    def s_del(self, node: cst.Del) -> None:
        self.expr(node.target)
        for t in self._flat_targets(node.target):
            if type(t) is cst.Name:
                self.unbind(t.value)

    def _flat_targets(self, t):
        if type(t) in (cst.Tuple, cst.List):
            out = []
            for e in t.elements:
                out.extend(self._flat_targets(e.value))
            return out
        return [t]

    def s_global(self, node) -> None:
        target = self.scope.globals if type(node) is cst.Global else self.scope.nonlocals
        for item in node.names:
            target.add(item.name.value)
