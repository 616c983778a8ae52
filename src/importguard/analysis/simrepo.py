"""What the simulation across edits asks of the whole repository, computed once per run: the
modules an import statement needs finished, the modules whose import-time code only binds names,
and who reads which name of which module (``Repository._scan``: each module's part kept between
runs, ``contributions``)."""
from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Container,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from importguard.analysis.alike import Shared, first_party_import
from importguard.analysis.graph import absolute_module
from importguard.analysis.plan import module_binds
from importguard.model import (
    CallEvent,
    ClassBodyEvent,
    DeleteEvent,
    FunctionEvent,
    IfEvent,
    ImportEvent,
    LoadEvent,
    StoreEvent,
    TryEvent,
    bodies,
)

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo
    from importguard.model import ImportFact


_UNSET: Any = object()


class Repository:
    """What the check of an outcome reads about the repository, computed once per run."""

    def __init__(self, modules: Mapping[str, ModuleInfo], first_party: Set[str], namespace_pkgs: Set[str],
                 parts=None):
        self.modules = modules
        self.parts = parts  # ``Contributions``: each module's part of the scan, kept between runs
        self.first_party = first_party
        self.namespace_pkgs = namespace_pkgs
        # ("w", name): a name some module may read as an attribute; ("s", module): a module some
        # module star-imports; ("p", module, name): a name an import takes from a module; ("c",
        # name): a name some module calls, at import time or in a function -> how many modules
        self._counts: Optional[Dict[tuple, int]] = None
        self._called: Container[str] = ()
        self._own: Dict[str, Set[str]] = {}
        self.judged: Dict[tuple, Any] = {}  # ``unchanged_by``'s answers that depend on the change alone
        self._inert: Dict[str, Any] = {}
        self._starred: Dict[str, Set[str]] = {}  # module -> the modules it star-imports
        self._through: Optional[Dict[str, List[tuple]]] = None  # ("a", name, function, origin) items by name
        self._plain: Optional[Callable[[str, str], bool]] = None

    def targets(self, module: str, imports: Iterable[ImportFact]) -> Optional[Set[str]]:
        """The first-party modules that must have finished importing for ``imports`` (statements of
        ``module``) to do nothing but bind their names; None when they may do more (an import of
        a first-party name that is no module: the simulation records it in ``sys.modules``)."""
        info = self.modules[module]
        need: Set[str] = set()
        for imp in imports:
            base = imp.module if imp.name is None else absolute_module(imp, module, info.is_package)
            if not base:
                return None  # a relative import beyond the top-level package raises
            parts = base.split(".")
            if parts[0] not in self.first_party:
                continue  # opaque to the simulation
            for k in range(1, len(parts) + 1):
                prefix = ".".join(parts[:k])
                if prefix not in self.modules and prefix not in self.namespace_pkgs:
                    return None
                need.add(prefix)
            if imp.name is None:
                continue
            sub = f"{base}.{imp.name}"
            if sub in self.modules or sub in self.namespace_pkgs:
                need.add(sub)
            elif base in self.namespace_pkgs or (self.modules[base].is_package
                                                 and imp.name not in module_binds(self.modules[base])):
                return None  # the simulation would try ``import base.name``
        return need

    def inert(self, module: str) -> Optional[Set[str]]:
        """When ``module``'s import-time code can do nothing but bind its own names once the
        returned first-party modules have finished (no call, no version or platform test, no
        attribute stored, no attribute read from a first-party module it imports, no star import):
        those modules; else None."""
        got = self._inert.get(module, _UNSET)
        if got is _UNSET:
            got = self._inert[module] = self._find_inert(module)
        return got

    def _find_inert(self, module: str) -> Optional[Set[str]]:
        info = self.modules[module]
        f = info.facts
        if f.error is not None:
            return None
        imps: List[ImportFact] = []
        dotted: List[str] = []
        for events in f.events:
            for ev in _walk(events, ()):  # no function body: nothing calls one
                kind = type(ev)
                if kind is CallEvent or kind is StoreEvent and "." in ev.dotted:
                    return None
                if kind is IfEvent and type(ev.test) is not int:
                    return None  # decided by the world: the entry's tests would change
                if kind is ImportEvent:
                    imps.extend(f.imports[ev.first:ev.first + ev.count])
                elif kind is LoadEvent and "." in ev.dotted:
                    dotted.append(ev.dotted)
        if any(imp.name == "*" for imp in imps):
            return None
        need = self.targets(module, imps)
        if need is None:
            return None
        first_party = {imp.bound for imp in imps  # (a plain import's absolute module is its own)
                       if (absolute_module(imp, module, info.is_package) or "").split(".", 1)[0] in self.first_party}
        if any(d.split(".", 1)[0] in first_party for d in dotted):
            return None
        return need

    def star_imported_elsewhere(self, module: str, by: str) -> bool:
        """Does a module other than ``by`` take every name of ``module`` with a star import?"""
        counts = self._counts
        if counts is None:
            counts = self._scan()
        own = self._starred.get(by)
        if own is None:
            own = self._starred[by] = set(_scan_one(by, self.modules[by], self.first_party)[1])
        return counts.get(("s", module), 0) > (module in own)

    def read(self, module: str, name: str) -> bool:
        """May the simulation read ``name`` from ``module``'s namespace (other than through the
        import that binds it)? Conservatively: an attribute of that name read anywhere, an import
        of it from the module, a star import of the module, or a read in its own code."""
        counts = self._counts
        if counts is None:
            counts = self._scan()
        if ("w", name) in counts or ("s", module) in counts or ("p", module, name) in counts:
            return True
        own = self._own.get(module)
        if own is None:
            own = self._own[module] = self._own_reads(module)
        return name in own

    def read_elsewhere(self, module: str, name: str) -> bool:
        """May a module's code read ``name`` from ``module``'s namespace (its own code aside)?
        An attribute of that name read through a name that may hold a first-party module (as the
        simulation reads attributes: a load or store of the import-time events, or of a function
        some module calls; not through ``from m import name`` where ``name`` in ``m`` is never a
        module or function, ``alike.Shared.plain``), an import of it from the module, or a star
        import of the module."""
        counts = self._counts
        if counts is None:
            counts = self._scan()
        if ("s", module) in counts or ("p", module, name) in counts:
            return True
        through = self._through
        if through is None:
            through = self._through = {}
            for item in counts:
                if item[0] == "a":
                    through.setdefault(item[1], []).append(item[2:])
        plain = self._plain
        if plain is None:
            plain = self._plain = Shared(self.modules, self.namespace_pkgs).plain
        for func, origin in through.get(name, ()):
            if func and func not in self._called:
                continue  # in a function nothing calls
            if origin.startswith("="):
                if origin[1:] != module:
                    continue  # read from another module
            elif origin:
                module_of, _, taken = origin.partition("\0")
                if plain(module_of, taken):
                    continue  # read from a value that is no module (a class, a constant)
            return True
        return False

    def _scan(self) -> Dict[tuple, int]:
        """Every module's ``_scan_one`` items, counted (``contributions.Tally``, kept between runs
        when ``parts`` are)."""
        from importguard.analysis.contributions import Tally

        modules = self.modules
        if self.parts is not None:
            first_party = self.first_party

            def part(name: str) -> list:
                return _scan_one(name, modules[name], first_party)

            counts = Tally(self.parts, modules, part, _items).counts()
        else:
            counts = {}
            for name, info in modules.items():
                for item in _items(_scan_one(name, info, self.first_party)):
                    counts[item] = counts.get(item, 0) + 1
        self._counts = counts
        self._called = _Called(counts)
        return counts

    def _own_reads(self, module: str) -> Set[str]:
        """Names the module's own import-time code reads (heads of its loads, stores and calls,
        deletions too), inside the functions something calls by name as well; its ``__all__``."""
        f = self.modules[module].facts
        out: Set[str] = set(f.all_names or ())
        for events in f.events:
            for ev in _walk(events, self._called):
                kind = type(ev)
                if kind is LoadEvent or kind is StoreEvent:
                    out.add(ev.dotted.split(".", 1)[0])
                elif kind is CallEvent or kind is DeleteEvent:
                    out.add(ev.name)
        return out


def _scan_one(name: str, info: ModuleInfo, first_party: Container[str]) -> list:
    """One module's part of ``Repository._scan``, in plain values: [the attribute names it may
    read, the modules it star-imports, the (module, name) pairs its imports take, the names it
    calls, the attribute names its import-time code (functions too) reads through a name that may
    hold a first-party module: one a first-party import binds, any after a first-party star import]."""
    f = info.facts
    words: Set[str] = set(f.attributes)
    starred: Set[str] = set()
    pairs: Set[Tuple[str, str]] = set()
    called: Set[str] = set()
    through: Set[Tuple[str, str, str]] = set()
    # a name a first-party import binds -> where its value comes from: "module\0name" for ``from
    # module import name`` (``Repository.read_elsewhere`` asks whether that can be a module), "=a"
    # for ``import a.b`` (module ``a`` itself), "" for anything else (any module)
    held: Dict[str, Set[str]] = {}
    taken: Dict[str, Set[str]] = {}  # a name a ``from`` import binds -> the names it takes
    every = False  # a first-party star import binds any name
    for imp in f.imports:
        base = absolute_module(imp, name, info.is_package) if imp.name is not None else imp.module
        if first_party_import(imp, first_party):
            if imp.name == "*":
                every = True
            if imp.name is None:
                origin = "=" + imp.module.split(".", 1)[0] if imp.asname is None else ""
            else:
                origin = f"{base}\0{imp.name}" if base and imp.name != "*" else ""
            held.setdefault(imp.bound, set()).add(origin)
        if imp.name is not None and imp.name != "*" and imp.bound != imp.name:
            taken.setdefault(imp.bound, set()).add(imp.name)
        if not base:
            continue
        if imp.name == "*":
            starred.add(base)
        elif imp.name is not None:
            pairs.add((base, imp.name))
        parts = base.split(".")
        for k in range(1, len(parts)):  # ``import a.b.c`` reads ``b`` from ``a``, ``c`` from ``a.b``
            pairs.add((".".join(parts[:k]), parts[k]))
    for events in f.events:
        for ev, func in _walk_in(events):
            kind = type(ev)
            if kind is LoadEvent or kind is StoreEvent:
                parts = ev.dotted.split(".")
                words.update(parts[1:])
                origins = {""} if every else held.get(parts[0], ())
                if origins:  # the first attribute is read from the head's value; the others from anything
                    through.update((parts[1], func, origin) for origin in origins if len(parts) > 1)
                    through.update((w, func, "") for w in parts[2:])
            elif kind is CallEvent:
                called.add(ev.name)
                called.update(taken.get(ev.name, ()))  # ``from m import f as g; g()`` runs ``f``
    return [tuple(sorted(words)), tuple(sorted(starred)), tuple(sorted(pairs)), tuple(sorted(called)),
            tuple(sorted(through))]


def _walk_in(events: Sequence[Any], func: str = "") -> Iterable[Tuple[Any, str]]:
    """(event, the module-level function whose body holds it, "" outside functions), nested events
    too."""
    for ev in events:
        yield ev, func
        inner = ev.name if type(ev) is FunctionEvent else func
        for body in bodies(ev):
            yield from _walk_in(body, inner)


def _items(part: list) -> Iterable[tuple]:
    """A module's ``_scan_one`` part as the items ``Repository`` counts."""
    words, starred, pairs, called, through = part
    out: List[tuple] = [("w", w) for w in words]
    out.extend(("a", w, func, origin) for w, func, origin in through)
    out.extend(("s", m) for m in starred)
    out.extend(("p",) + tuple(p) for p in pairs)
    out.extend(("c", n) for n in called)
    return out


class _Called:
    """The names some module calls, read from the counted items."""

    __slots__ = ("counts",)

    def __init__(self, counts: Dict[tuple, int]) -> None:
        self.counts = counts

    def __contains__(self, name: object) -> bool:
        return ("c", name) in self.counts


def _walk(events: Sequence[Any], called: Optional[Container[str]]):
    """Events, nested ones too; the bodies of functions only when ``called`` names them (None:
    every function)."""
    stack = list(reversed(tuple(events)))
    while stack:
        ev = stack.pop()
        yield ev
        kind = type(ev)
        if kind is ClassBodyEvent:
            stack.extend(reversed(ev.body))
        elif kind is IfEvent:
            stack.extend(reversed(ev.orelse))
            stack.extend(reversed(ev.body))
        elif kind is TryEvent:
            stack.extend(reversed(ev.final))
            stack.extend(reversed(ev.orelse))
            for _, h in reversed(ev.handlers):
                stack.extend(reversed(h))
            stack.extend(reversed(ev.body))
        elif kind is FunctionEvent and (called is None or ev.name in called):
            stack.extend(reversed(ev.body))
