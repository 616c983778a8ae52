"""Version and platform tests whose two branches do alike, as far as the import simulation can see.

Such a test runs as what both branches do and is not a test the entry's import decided: the
entry's outcome is the same in every world that test tells apart, so it is not simulated again
there. On a tree of 41 real packages the entry imports simulated again in each further world fell
from 1,100 to 3,300 to 150 to 670: tests such as ``if sys.version_info >= (3, 11): from typing
import Self`` / ``else: from typing_extensions import Self`` sit in modules most entries import.

What both branches do must come down to binding and deleting names: the simulation cannot tell
the values apart (a module of the standard library or a third-party package is as opaque as any
other value). A branch comes down to that when it is made of

- imports of modules outside the repository (they never raise; they bind an opaque value; their
  ``sys.modules`` entries are read by nothing but another import of the same module, which finds
  it importable either way);
- loads, stores and calls through names that can never hold a first-party module or function in
  this module (``Alike.inert``): such a load finds an opaque value or nothing and stops there;
- class bodies made of those (their namespace is thrown away), ``try`` whose body is made of those
  (nothing in it raises: the handlers never run, the ``else`` and ``finally`` do), and nested
  tests made alike.

Two branches are alike when they bind and delete the same names in the same order (bindings
between two deletions in any order), or do once the names nothing can read are left out
(``Alike.same``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Container, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from importguard.model import (
    BindEvent,
    CallEvent,
    ClassBodyEvent,
    DeleteEvent,
    FunctionEvent,
    IfEvent,
    ImportEvent,
    LoadEvent,
    StoreEvent,
    TryEvent,
    walk_events,
)

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo


def first_party_import(imp: Any, tops: Container[str]) -> bool:
    """Is this import (relative, or of a first-party top-level name ``tops`` holds) one of the
    repository's?"""
    return imp.level != 0 or imp.module.split(".", 1)[0] in tops


class Shared:
    """What every module's ``Alike`` asks of the repository, answered once per simulator."""

    def __init__(self, modules: Mapping[str, ModuleInfo], namespace_pkgs: Set[str],
                 read_elsewhere: Optional[Callable[[str, str], bool]] = None):
        self.modules = modules
        self.namespace_pkgs = namespace_pkgs
        self.tops = {m.split(".", 1)[0] for m in modules}  # first-party top-level names
        # may a module's code other than its own read this name from that module? (None: assume so)
        self.read_elsewhere = read_elsewhere
        self._own: Dict[str, Tuple[Dict[str, Set[str]], Set[str], bool]] = {}
        self._plain: Dict[Tuple[str, str], bool] = {}

    def is_module(self, name: str) -> bool:
        return name in self.modules or name in self.namespace_pkgs

    def first_party(self, imp: Any) -> bool:
        return first_party_import(imp, self.tops)

    def own(self, module: str) -> Tuple[Dict[str, Set[str]], Set[str], bool]:
        """(each name the module's first-party imports bind -> where from: "m\0name" for ``from m
        import name``, "" for anything else; its functions whose bodies the simulation runs;
        whether it star-imports a first-party module)."""
        got = self._own.get(module)
        if got is None:
            from importguard.analysis.graph import absolute_module

            info = self.modules[module]
            bound: Dict[str, Set[str]] = {}
            star = False
            for imp in info.facts.imports:
                if self.first_party(imp):
                    base = absolute_module(imp, module, info.is_package) if imp.name is not None else None
                    if imp.name == "*":
                        star = True
                    bound.setdefault(imp.bound, set()).add(f"{base}\0{imp.name}" if base and imp.name != "*" else "")
            funcs = {ev.name for evs in info.facts.events for ev in walk_events(evs) if type(ev) is FunctionEvent}
            got = self._own[module] = (bound, funcs, star)
        return got

    def plain(self, module: str, name: str) -> bool:
        """Does ``name`` in ``module``'s namespace never hold a first-party module or function? No
        submodule of that name, no function of that name, no first-party star import, and each
        first-party import that binds it takes a name that is plain in its own module (a store
        from elsewhere writes an opaque value)."""
        key = (module, name)
        got = self._plain.get(key)
        if got is None:
            self._plain[key] = False  # while asked: an import cycle of names is not plain
            got = self._plain[key] = self._find_plain(module, name)
        return got

    def _find_plain(self, module: str, name: str) -> bool:
        if self.is_module(f"{module}.{name}"):
            return False
        if module not in self.modules:
            return module not in self.namespace_pkgs  # a missing first-party module is opaque
        bound, funcs, star = self.own(module)
        if star or name in funcs:
            return False
        for origin in bound.get(name, ()):
            source, _, taken = origin.partition("\0")
            if not origin or not self.plain(source, taken):
                return False
        return True


class Alike:
    """One module's tests whose branches do alike, replaced by what both do."""

    def __init__(self, name: str, info: ModuleInfo, shared: Shared):
        self.name = name
        self.info = info
        self.shared = shared
        self._held: Optional[Set[str]] = None  # names that may hold a first-party module or function
        self._any = False  # a first-party star import: any name may

    def external(self, imps: Sequence[Any]) -> bool:
        """Are these imports (one statement's) of a module outside the repository?"""
        return not self.shared.first_party(imps[0])

    def inert(self, head: str) -> bool:
        """Can ``head`` never hold a first-party module or function in this module? Then a load,
        store or call through it does nothing in the simulation (the value is opaque or absent).
        A name a first-party ``from m import name`` binds is inert when that name is ``plain`` in
        ``m`` (a class, a constant: the simulation holds no value for it)."""
        if self._held is None:
            from importguard.analysis.graph import absolute_module

            shared = self.shared
            held: Set[str] = set()
            for imp in self.info.facts.imports:
                if not shared.first_party(imp):
                    continue
                if imp.name == "*":
                    self._any = True
                elif imp.name is not None:
                    base = absolute_module(imp, self.name, self.info.is_package)
                    if base and shared.plain(base, imp.name):
                        continue
                held.add(imp.bound)
            if self.name in shared.modules:
                held.update(shared.own(self.name)[1])
            self._held = held
        return not (self._any or head in self._held
                    or (self.info.is_package and self.shared.is_module(f"{self.name}.{head}")))

    def collapse(self, events: Tuple[Any, ...]) -> Tuple[Any, ...]:
        """``events`` with each test whose branches do alike replaced by what they do (the same
        object when there is none)."""
        out: List[Any] = []
        changed = False
        ev: Any
        for ev in events:
            kind = type(ev)
            new = ev
            if kind is IfEvent:
                if type(ev.test) is not int:
                    a, b = self.does(ev.body), self.does(ev.orelse)
                    if a is not None and b is not None and self.same(a, b):
                        out.extend(_as_events(a))
                        changed = True
                        continue
                body, orelse = self.collapse(ev.body), self.collapse(ev.orelse)
                if body is not ev.body or orelse is not ev.orelse:
                    new = ev._replace(body=body, orelse=orelse)
            elif kind is ClassBodyEvent:
                body = self.collapse(ev.body)
                if body is not ev.body:
                    new = ClassBodyEvent(body)
            elif kind is FunctionEvent:  # a call runs its body: its locals shadow inert names only
                body = self.collapse(ev.body)
                if body is not ev.body:
                    new = FunctionEvent(ev.name, body)
            elif kind is TryEvent:
                body, orelse, final = self.collapse(ev.body), self.collapse(ev.orelse), self.collapse(ev.final)
                handlers = tuple((n, self.collapse(h)) for n, h in ev.handlers)
                if (body is not ev.body or orelse is not ev.orelse or final is not ev.final
                        or any(h is not old for (_, h), (_, old) in zip(handlers, ev.handlers))):
                    new = TryEvent(body, handlers, orelse, final)
            changed = changed or new is not ev
            out.append(new)
        return tuple(out) if changed else events

    def same(self, a: List[tuple], b: List[tuple]) -> bool:
        """Do two branches' doings (``does``) leave states the simulation cannot tell apart? Equal,
        or equal once the names nothing can read are left out: a name that never holds a
        first-party module or function here (``inert``: this module's own loads, stores and calls
        of it do nothing, bound or not) and that no other module's code reads from this module (no
        ``from m import name``, no attribute of that name read through a name that may hold a
        first-party module, no star import of the module). Bound in one branch and not the other,
        such a name changes nothing: the module binds it in some branch either way, so it is
        "missing for now" to the same reads, and there are none. Dunder names never drop out
        (``__getattr__`` and ``__all__`` change how every other name is read)."""
        if a == b:
            return True
        read = self.shared.read_elsewhere
        if read is None:
            return False
        names = {n for op in a + b if op[0] == "b" for n in op[1]}
        quiet = frozenset(n for n in names if not (n.startswith("__") and n.endswith("__"))
                          and self.inert(n) and not read(self.name, n))
        return bool(quiet) and _without(a, quiet) == _without(b, quiet)

    def does(self, events: Sequence[Any]) -> Optional[List[tuple]]:
        """What ``events`` do, when that is binding and deleting names alone: ("b", names bound
        together) and ("d", name deleted), in order; else None."""
        out: List[tuple] = []
        run: Set[str] = set()

        def flush() -> None:
            if run:
                out.append(("b", frozenset(run)))
                run.clear()

        ev: Any
        for ev in events:
            kind = type(ev)
            if kind is BindEvent:
                run.add(ev.name)
            elif kind is ImportEvent:
                imps = self.info.facts.imports[ev.first:ev.first + ev.count]
                if not imps:
                    continue
                if not self.external(imps):
                    return None
                run.update(i.bound for i in imps if i.name != "*" and i.bound)
            elif kind is LoadEvent or kind is StoreEvent:
                if not self.inert(ev.dotted.split(".", 1)[0]):
                    return None
            elif kind is CallEvent:
                if not self.inert(ev.name):
                    return None
            elif kind is DeleteEvent:
                flush()
                out.append(("d", ev.name))
            elif kind is ClassBodyEvent:
                if self.does(ev.body) is None:  # its bindings die with the class namespace
                    return None
            elif kind is IfEvent:
                test = ev.test
                if type(test) is int:
                    got = self.does(ev.orelse if test in (1, 2) else ev.body)
                else:
                    got = self.does(ev.body)
                    other = self.does(ev.orelse) if got is not None else None
                    if got is None or other is None or not self.same(got, other):
                        return None
                if got is None:
                    return None
                flush()
                out.extend(got)
            elif kind is TryEvent:
                body = self.does(ev.body)
                orelse = self.does(ev.orelse) if body is not None else None
                final = self.does(ev.final) if orelse is not None else None
                if body is None or orelse is None or final is None:
                    return None
                flush()  # nothing in the body raises: the handlers never run
                out.extend(body + orelse + final)
            else:
                return None
        flush()
        return _merged(out)


def _merged(ops: List[tuple]) -> List[tuple]:
    """Adjacent runs of bindings as one (their order cannot be seen)."""
    out: List[tuple] = []
    for op in ops:
        if op[0] == "b" and out and out[-1][0] == "b":
            out[-1] = ("b", out[-1][1] | op[1])
        else:
            out.append(op)
    return out


def _without(ops: List[tuple], names: frozenset) -> List[tuple]:
    return _merged([op if op[0] != "b" else ("b", op[1] - names) for op in ops if op[0] != "b" or op[1] - names])


def _as_events(ops: List[tuple]) -> List[Any]:
    out: List[Any] = []
    for op in ops:
        if op[0] == "b":
            out.extend(BindEvent(n) for n in sorted(op[1]))
        else:
            out.append(DeleteEvent(op[1]))
    return out

