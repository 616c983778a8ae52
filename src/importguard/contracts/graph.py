"""The graph contracts are checked on: modules of the root packages, one edge per imported
module, with every import statement that makes it.

It follows import-linter's graph builder (grimp) so that both tools agree on the same code:

- every import statement counts, wherever it sits (module level, functions, ``try``, ``if
  TYPE_CHECKING:``) unless a contract leaves typing or deferred imports out;
- ``import a.b.c`` is an edge to ``a.b.c`` (or to ``a.b`` when ``a.b.c`` is not a module), not
  to ``a`` and ``a.b``; ``from p import n`` is an edge to ``p.n`` when it is a module, else ``p``;
- a link's line is the line where the import statement starts;
- an import of something outside the root packages is an edge to its top-level package (an
  external package), which ``forbidden`` contracts can name.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, FrozenSet, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from importguard.analysis.graph import ModuleInfo, absolute_module
from importguard.model import IMPORT_TIME, ImportFact

Pair = Tuple[str, str]


class Site(NamedTuple):
    """One import statement behind an edge."""

    stmt_line: int  # where the statement starts (the line import-linter reports)
    line: int  # the imported name (1-based) and its column (0-based), where diagnostics sit
    col: int
    kind: str  # import-time, deferred or typing
    type_checking: bool  # under ``if TYPE_CHECKING:``


def imported_object(imp: ImportFact, module: str, is_package: bool) -> Optional[str]:
    """The dotted name an import statement refers to, as grimp reads it: ``a.b`` for
    ``import a.b``, ``p.n`` for ``from p import n`` (``p.*`` for a star import)."""
    if imp.name is None:
        return imp.module or None
    base = absolute_module(imp, module, is_package)
    if base is None:
        return None
    return f"{base}.{imp.name}" if base else imp.name


def _in_roots(name: str, roots: Sequence[str]) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


def internal_modules(modules: Mapping[str, ModuleInfo], roots: Sequence[str]) -> Dict[str, ModuleInfo]:
    """The modules of the root packages that import-linter sees: ``.py`` files in folders that are
    regular packages (with ``__init__.py``) all the way up to the root package. Without root
    packages, every first-party ``.py`` module."""
    # ``.py`` files only: a stub (``.pyi``) never runs, and import-linter does not read stubs
    named = {k: v for k, v in modules.items() if not k.startswith("<") and v.path.endswith(".py")}
    named.update(_unimportable(modules, named))
    if not roots:
        return named
    out = {}
    for name, info in named.items():
        if not _in_roots(name, roots) or not info.path.endswith(".py"):
            continue
        parts = name.split(".")
        chain = [".".join(parts[:i]) for i in range(1, len(parts))]
        if all(p in named and named[p].is_package for p in chain if _in_roots(p, roots)):
            out[name] = info
    return out


def _unimportable(modules: Mapping[str, ModuleInfo], named: Mapping[str, ModuleInfo]) -> Dict[str, ModuleInfo]:
    """Files of a package whose names are not identifiers (``migrations/0001_initial.py``): no
    import statement can name them, but their own imports count, as import-linter counts them."""
    packages = {info.path[: -len("__init__.py")]: name for name, info in named.items()
                if info.is_package and info.path.endswith("/__init__.py")}
    out = {}
    for key, info in modules.items():
        if not key.startswith("<") or not info.path.endswith(".py") or info.path.endswith("/__init__.py"):
            continue
        folder, _, file = info.path.rpartition("/")
        stem = file[:-3]
        parent = packages.get(folder + "/")
        if parent is not None and stem and "." not in stem and not file.startswith("."):
            out[f"{parent}.{stem}"] = info._replace(name=f"{parent}.{stem}")
    return out


class ContractGraph:
    """Modules, edges and the sites behind them; the queries the contract checks need."""

    def __init__(self, internal: Mapping[str, str], sites: Mapping[Pair, Sequence[Site]]):
        self.paths = dict(internal)  # internal module -> display path
        self.sites: Dict[Pair, Tuple[Site, ...]] = {p: tuple(sorted(s)) for p, s in sites.items() if s}
        self.imports: Dict[str, Set[str]] = defaultdict(set)
        self.importers: Dict[str, Set[str]] = defaultdict(set)
        for a, b in self.sites:
            self.imports[a].add(b)
            self.importers[b].add(a)
        self.modules: Set[str] = set(self.paths) | set(self.importers)
        self.children: Dict[str, Set[str]] = defaultdict(set)
        for m in self.paths:
            if "." in m:
                self.children[m.rsplit(".", 1)[0]].add(m)
        self._sorted: Dict[str, List[str]] = {}
        self._descendants: Dict[str, Set[str]] = {}

    # ------------------------------------------------------------------ structure
    def is_internal(self, module: str) -> bool:
        return module in self.paths

    def descendants(self, module: str) -> Set[str]:
        known = self._descendants.get(module)
        if known is not None:
            return known
        out: Set[str] = set()
        todo = [module]
        while todo:
            for c in self.children.get(todo.pop(), ()):
                if c not in out:
                    out.add(c)
                    todo.append(c)
        self._descendants[module] = out
        return out

    def with_descendants(self, module: str) -> Set[str]:
        return {module} | self.descendants(module)

    def lines(self, a: str, b: str) -> Tuple[int, ...]:
        return tuple(sorted({s.stmt_line for s in self.sites.get((a, b), ())}))

    def without(self, pairs: Iterable[Pair]) -> "ContractGraph":
        """A copy without the edges ``pairs`` (a contract's ``ignore-imports``)."""
        drop = set(pairs)
        if not drop:
            return self
        return ContractGraph(self.paths, {p: s for p, s in self.sites.items() if p not in drop})

    # ------------------------------------------------------------------ paths
    def _succ(self, module: str) -> List[str]:
        out = self._sorted.get(module)
        if out is None:
            out = self._sorted[module] = sorted(self.imports.get(module, ()))
        return out

    def reach(self, sources: Set[str]) -> Set[str]:
        """Every module some module of ``sources`` imports, directly or not (``sources`` left out)."""
        seen = set(sources)
        todo = list(sources)
        while todo:
            for n in self.imports.get(todo.pop(), ()):
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen - sources

    def shortest_chain(self, sources: Set[str], targets: Set[str], excluded: FrozenSet[str] = frozenset(),
                       cut: Optional[Set[Pair]] = None) -> Optional[List[str]]:
        """A shortest chain of imports from a module of ``sources`` to one of ``targets``, through
        no module of ``excluded`` and no import of ``cut``; breadth first, names in order."""
        prev: Dict[str, Optional[str]] = {s: None for s in sorted(sources)}
        frontier = list(prev)
        while frontier:
            nxt = []
            for m in frontier:
                for n in self._succ(m):
                    if n in excluded or (cut and (m, n) in cut) or n in prev:
                        continue
                    prev[n] = m
                    if n in targets:
                        path = [n]
                        step = prev[n]
                        while step is not None:
                            path.append(step)
                            step = prev[step]
                        return path[::-1]
                    nxt.append(n)
            frontier = nxt
        return None

    def shortest_chains(self, sources: Set[str], targets: Set[str],
                        excluded: FrozenSet[str] = frozenset()) -> List[List[str]]:
        """import-linter's chains: a shortest chain, then a shortest chain that uses none of the
        imports found so far, and so on until there is none."""
        cut: Set[Pair] = set()
        out: List[List[str]] = []
        while True:
            chain = self.shortest_chain(sources, targets, excluded, cut)
            if chain is None:
                return out
            cut.update(zip(chain, chain[1:]))
            out.append(chain)


def _resolve(name: str, internal: Mapping[str, ModuleInfo], external: bool, namespaces: Set[str]) -> Optional[str]:
    if name in internal:
        return name
    parent = name.rsplit(".", 1)[0] if "." in name else None
    if parent is not None and parent in internal:
        return parent
    if not external or name in namespaces:  # a namespace above a root package: nothing to import
        return None
    return name.split(".", 1)[0]


def build(modules: Mapping[str, ModuleInfo], roots: Sequence[str] = (), external: bool = True,
          exclude_type_checking: bool = False, import_time_only: bool = False) -> ContractGraph:
    """The contract graph of ``modules`` (first-party modules with their facts)."""
    internal = internal_modules(modules, roots)
    namespaces = {".".join(r.split(".")[:i]) for r in roots for i in range(1, r.count(".") + 1)}
    sites: Dict[Pair, List[Site]] = defaultdict(list)
    for name, info in internal.items():
        for imp in info.facts.imports:
            if exclude_type_checking and imp.in_type_checking:
                continue
            if import_time_only and imp.kind != IMPORT_TIME:
                continue
            obj = imported_object(imp, name, info.is_package)
            target = _resolve(obj, internal, external, namespaces) if obj else None
            if target is None:
                continue
            sites[(name, target)].append(Site(imp.stmt_line, imp.line, imp.col, imp.kind, imp.in_type_checking))
    return ContractGraph({n: i.path for n, i in internal.items()}, sites)
