"""The module graph: first-party import edges with their kinds, and its cycles.

Edges, components and cycles are computed in plain Python from facts (no graph library to import:
a run that changes an import pays for the computation only).
"""
from __future__ import annotations

from collections import defaultdict
from functools import partial
from itertools import chain, islice
from typing import (
    AbstractSet,
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from importguard.analysis.arcset import feedback_arc_set
from importguard.cache.facts import FactsRef
from importguard.model import (
    EDGE_KINDS,
    IMPORT_TIME,
    RUNTIME,
    TYPING_EDGE,
    Cycle,
    CycleEdge,
    ImportFact,
    ModuleFacts,
)

_RANK = {k: i for i, k in enumerate(EDGE_KINDS)}


def components(modules: Iterable[str], edges: Iterable["Edge"],
               links: Iterable[Tuple[str, str]] = ()) -> List[List[str]]:
    """The modules (outside-root ``<...>`` ones left out) grouped by their component of the
    undirected graph of imports (any kind), packages (a module and its nearest package) and
    ``links`` (more pairs of modules joined): what a per-file rule may read about other modules
    stays within the file's component."""
    graph = [n for n in modules if not n.startswith("<")]
    # a search over neighbour lists: twice as fast as a union-find of names on 58,000 edges
    near: Dict[str, List[str]] = {n: [] for n in graph}
    known = set(near)
    for a, b in chain([(e.source, e.target) for e in edges], links):  # (a name outside ``graph`` joins too)
        if a != b:
            (near[a] if a in near else near.setdefault(a, [])).append(b)
            (near[b] if b in near else near.setdefault(b, [])).append(a)
    for name in graph:
        head = name.rpartition(".")[0]
        while head:
            if head in known:
                near[name].append(head)
                near[head].append(name)
                break
            head = head.rpartition(".")[0]
    where: Dict[str, int] = {}
    count = 0
    for start in (n for n in graph if n not in where):
        where[start], todo = count, [start]
        while todo:
            for m in near[todo.pop()]:
                if m not in where:
                    where[m] = count
                    todo.append(m)
        count += 1
    members: List[List[str]] = [[] for _ in range(count)]
    for name in graph:  # each component's members in the order of ``modules``
        members[where[name]].append(name)
    return members


class Edge(NamedTuple):
    source: str
    target: str
    path: str
    line: int
    col: int
    kind: str
    import_index: int  # index of the ImportFact in the source module's facts
    names: Tuple[str, ...]
    uses: int  # loads of the binding(s) this import made
    use_scopes: Tuple[str, ...]  # functions that use it ("" = import time)
    typing_only: bool  # every use is typing-only
    conditional: bool = False  # under ``if``/``try`` at module level (platform or availability checks)


def absolute_module(imp: ImportFact, module: str, is_package: bool) -> Optional[str]:
    """The absolute module of an import (``from ..x import y`` in ``p.q.r`` -> ``p.x``)."""
    if imp.level == 0:
        return imp.module
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    up = imp.level - 1
    if up > len(parts):
        return None
    base = parts[: len(parts) - up] if up else parts
    if imp.module:
        base = base + imp.module.split(".")
    return ".".join(base)


def absolute_target(imp: ImportFact, module: str, is_package: bool) -> Optional[str]:
    mod = absolute_module(imp, module, is_package)
    if mod is None:
        return None
    if imp.name is None or imp.name == "*":
        return mod
    return f"{mod}.{imp.name}" if mod else imp.name


def import_targets(imp: ImportFact, module: str, is_package: bool, known: Set[str]) -> List[str]:
    """First-party modules an import reaches: ``import a.b.c`` reaches ``a``, ``a.b`` and ``a.b.c``;
    ``from p import n`` reaches ``p.n`` when that is a module, else ``p``."""
    mod = absolute_module(imp, module, is_package)
    if not mod:
        return []
    own_ancestors = set()
    parts = module.split(".")
    for i in range(1, len(parts) + (1 if is_package else 0)):
        own_ancestors.add(".".join(parts[:i]))
    out: List[str] = []
    if imp.name is None:
        comps = mod.split(".")
        for i in range(1, len(comps) + 1):
            m = ".".join(comps[:i])
            if m in known and (i == len(comps) or m not in own_ancestors):
                out.append(m)
    elif imp.name == "*":
        if mod in known:
            out.append(mod)
    else:
        sub = f"{mod}.{imp.name}"
        if sub in known:
            out.append(sub)
        elif mod in known:
            out.append(mod)
    return [m for m in out if m != module]


class ModuleInfo(NamedTuple):
    name: str
    path: str  # display path
    is_package: bool
    facts: ModuleFacts

    @property
    def is_stub(self) -> bool:
        """A ``.pyi`` stub: read by type checkers only, never run."""
        return self.path.endswith(".pyi")


class LazyInfo(ModuleInfo):
    """A ``ModuleInfo`` of a file whose facts came from the cache: they are decoded when first
    read (its fourth field holds a ``cache.facts.FactsRef`` until then)."""

    __slots__ = ()

    @property
    def facts(self) -> ModuleFacts:
        got: Any = tuple.__getitem__(self, 3)
        return got.value() if type(got) is FactsRef else got


def build_edges(modules: Mapping[str, ModuleInfo], parts=None, sums: Optional[Dict[str, str]] = None) -> List[Edge]:
    """Every import edge between ``modules``, in the order of their names; with ``parts`` (a
    ``contributions.Contributions``), each module's edges are taken from there when kept, with a
    digest of them, and ``sums`` (when given) gets each module's digest: together, in the order of
    the names, they stand for the edges in a digest of the graph."""
    known = set(modules)
    edges: List[Edge] = []
    for name in sorted(modules):
        info = modules[name]
        if parts is not None:
            got = parts.get(name)
            if not got or not isinstance(got[0], str):  # not kept, or kept without its digest
                own = [tuple(e) for e in module_edges(name, info, known)]
                got = parts.put(name, [edge_digest(own)] + own)
            if sums is not None:
                sums[name] = got[0]
            edges.extend(map(_edge, islice(got, 1, None)))  # (58,000 on the million-line tree)
        else:
            edges.extend(module_edges(name, info, known))
    if parts is not None:
        parts.done()
    return edges


def edge_digest(plain: list) -> str:
    """The digest ``build_edges`` gives a module's edges (as plain tuples)."""
    import hashlib

    return hashlib.blake2b(repr(plain).encode(), digest_size=16).hexdigest()


_new = tuple.__new__
_edge = partial(_new, Edge)


def module_edges(name: str, info: ModuleInfo, known: Set[str]) -> List[Edge]:
    """The import edges of module ``name`` to the modules ``known``."""
    edges: List[Edge] = []
    for idx, imp in enumerate(info.facts.imports):
        if imp.is_future:
            continue
        targets = import_targets(imp, name, info.is_package, known)
        if not targets:
            continue
        uses = imp.uses
        typing_only = info.is_stub or (bool(uses) and all(u.kind != RUNTIME for u in uses))
        kind = TYPING_EDGE if info.is_stub else imp.kind  # a stub's imports never run
        scopes = tuple(sorted({u.scope for u in uses}))
        for t in targets:
            conditional = imp.scope_kind == "module" and not imp.top_level
            edges.append(Edge(name, t, info.path, imp.line, imp.col, kind, idx,
                              (imp.name or imp.module,), len(uses), scopes, typing_only, conditional))
    return edges


def strongly_connected(nodes: Iterable[str], succ: Mapping[str, Iterable[str]]) -> List[List[str]]:
    """Strongly connected components of the graph ``succ`` over ``nodes``, every node in exactly
    one: each component sorted, the components sorted by their first member.

    Tarjan's algorithm without recursion (a chain of thousands of modules would overflow the
    stack). Plain Python: importing networkx for this alone costs more than the whole computation
    on a repository of a few thousand modules."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    on_stack: Set[str] = set()
    stack: List[str] = []
    out: List[List[str]] = []
    counter = 0
    for root in chain(nodes, succ):  # a node named only by an edge is a node too
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ.get(root, ())))]
        while work:
            node, targets = work[-1]
            for t in targets:
                if t not in index:
                    index[t] = low[t] = counter
                    counter += 1
                    stack.append(t)
                    on_stack.add(t)
                    work.append((t, iter(succ.get(t, ()))))
                    break
                if t in on_stack and index[t] < low[node]:
                    low[node] = index[t]
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                if low[node] == index[node]:
                    comp = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        comp.append(m)
                        if m == node:
                            break
                    out.append(sorted(comp))
    return sorted(out)


_last_strongest: Optional[Tuple[Sequence[Edge], int, Dict[Tuple[str, str], List[Edge]]]] = None


def _strongest(edges: Sequence[Edge]) -> Dict[Tuple[str, str], List[Edge]]:
    """The edges of each ``(source, target)`` pair, strongest kind first (then by position). The
    cycles and IG300 of one run ask for the same edges: the last answer is kept."""
    global _last_strongest
    if _last_strongest is not None and _last_strongest[0] is edges and _last_strongest[1] == len(edges):
        return _last_strongest[2]
    by_pair: Dict[Tuple[str, str], List[Edge]] = defaultdict(list)
    for e in edges:
        by_pair[(e.source, e.target)].append(e)
    for lst in by_pair.values():
        if len(lst) > 1:  # (most pairs are one import)
            lst.sort(key=lambda e: (_RANK[e.kind], e.line, e.col))
    _last_strongest = (edges, len(edges), by_pair)
    return by_pair


def shortest_cycle(component: Sequence[str], by_pair: Mapping[Tuple[str, str], List[Edge]], max_rank: int) -> List[str]:
    """Shortest cycle through the component (breadth-first from each node, smallest name first)."""
    members = set(component)
    succ: Dict[str, List[str]] = defaultdict(list)
    for (s, t), lst in by_pair.items():
        if s in members and t in members and _RANK[lst[0].kind] <= max_rank:
            succ[s].append(t)
    return _shortest(sorted(members), {s: sorted(v) for s, v in succ.items()})


def _inside(component: Sequence[str], succ: Mapping[str, Iterable[str]]) -> Dict[str, List[str]]:
    """The successors of each member of ``component`` that are members too, sorted."""
    members = set(component)
    return {s: sorted(t for t in succ.get(s, ()) if t in members) for s in component}


def _shortest(nodes: List[str], succ: Mapping[str, List[str]]) -> List[str]:
    """The shortest cycle of ``succ`` (sorted successors) over sorted ``nodes``: breadth-first from
    each node in order, the first shortest wins. A search stops at the depth where it could no
    longer beat the best cycle found so far."""
    best: Optional[List[str]] = None
    for start in nodes:
        prev: Dict[str, Optional[str]] = {start: None}
        queue = [start]
        found: Optional[str] = None
        depth = 0  # a cycle closed from this level has depth + 2 entries (the start twice)
        while queue and found is None and (best is None or depth + 2 < len(best)):
            nxt = []
            for u in queue:
                for w in succ.get(u, ()):
                    if w == start:
                        found = u
                        break
                    if w not in prev:
                        prev[w] = u
                        nxt.append(w)
                if found is not None:
                    break
            queue = nxt
            depth += 1
        if found is None:
            continue
        path = [found]
        step = prev[found]
        while step is not None:
            path.append(step)
            step = prev[step]
        path.reverse()
        path.append(start)
        if best is None or len(path) < len(best):
            best = path
    return best or list(nodes)


def cycles(modules: Mapping[str, ModuleInfo], edges: Sequence[Edge], store=None) -> List[Cycle]:
    """Every SCC of size >= 2, labelled with the weakest edge kind needed to close it.

    With ``store`` (the results store), each component's shortest cycle is kept under a digest of
    the component's members and the pairs of them that edges of the kind or stronger join: all
    that the search reads."""
    from importguard.analysis.graphmemo import Memo

    memo = Memo(store, CYCLE_PATHS)
    by_pair = _strongest(edges)
    seen: Set[Tuple[str, ...]] = set()
    out: List[Cycle] = []
    ranked = [(source, target, _RANK[lst[0].kind]) for (source, target), lst in by_pair.items()]
    # a cycle of strong edges is a cycle of all edges: the stronger kinds are searched for only
    # among the modules of the components of every edge
    last = len(EDGE_KINDS) - 1
    every: Dict[str, List[str]] = defaultdict(list)
    for source, target, _ in ranked:
        every[source].append(target)
    widest = [c for c in strongly_connected(modules, every) if len(c) > 1]
    cyclic = {m for c in widest for m in c}
    for rank, kind in enumerate(EDGE_KINDS):
        succ: Dict[str, List[str]] = defaultdict(list)
        if rank == last:
            succ, comps = every, widest
        else:
            for source, target, r in ranked:
                if r <= rank and source in cyclic and target in cyclic:
                    succ[source].append(target)
            comps = [c for c in strongly_connected(sorted(cyclic), succ) if len(c) > 1]
        for comp in comps:
            key = tuple(comp)
            if key in seen:
                continue
            seen.add(key)
            inner = _inside(comp, succ)
            path = memo.get((comp, inner), _shortest, comp, inner)
            cyc_edges = []
            for a, b in zip(path, path[1:]):
                e = by_pair[(a, b)][0]
                cyc_edges.append(CycleEdge(a, b, e.path, e.line, e.kind))
            out.append(Cycle(key, kind, tuple(path), tuple(cyc_edges)))
    memo.done()
    return out


# the store's prefixes of the kept results; a change to what is computed under one needs a new one
CYCLE_PATHS = "cyclepath1:"
CYCLE_CUTS = "cyclecut1:"


UNMOVABLE = 1000.0  # the cost of cutting an import whose names are used at import time


def cut_cost(edge: Edge, is_package: bool) -> float:
    """What cutting one import-time import costs: edits to make, and whether it can be done at all.

    Typing-only uses move under TYPE_CHECKING (cheap); uses only inside functions move into those
    functions (one edit per function and name); a use at import time cannot be deferred; an import
    nothing uses can be removed, except in ``__init__.py`` where it is the package's public surface.
    An import under ``if``/``try`` (``if sys.platform == "win32":``) is never the advice: the
    other branch may bind the same name.
    """
    if edge.conditional:  # under a platform or availability test: moving it changes which code runs
        return UNMOVABLE + edge.uses
    if edge.typing_only:
        return 1.0 + 0.1 * edge.uses
    if not edge.uses:
        return UNMOVABLE if is_package else 0.5
    if "" in edge.use_scopes:
        return UNMOVABLE + edge.uses
    return 2.0 + len(edge.names) + 0.5 * edge.uses + len(edge.use_scopes)


def pair_costs(members: Set[str], by_pair: Mapping[Tuple[str, str], List[Edge]],
               packages: AbstractSet[str] = frozenset(), pairs: Optional[Iterable[Tuple[str, str]]] = None
               ) -> Dict[Tuple[str, str], float]:
    """Cost of removing every import-time import from ``s`` to ``t``, for pairs inside ``members``
    (``pairs``: those pairs, in the order of ``by_pair``, when known)."""
    out: Dict[Tuple[str, str], float] = {}
    if pairs is None:
        pairs = [p for p in by_pair if p[0] in members and p[1] in members]
    for s, t in pairs:
        rt = [e for e in by_pair[(s, t)] if e.kind == IMPORT_TIME]
        if rt:
            out[(s, t)] = sum(cut_cost(e, s in packages) for e in rt)
    return out


def pairs_inside(by_pair: Mapping[Tuple[str, str], List[Edge]]) -> Callable[[Iterable[str]], List[Tuple[str, str]]]:
    """A function: modules -> the pairs of ``by_pair`` between them, in the order of ``by_pair``
    (found from each member's own pairs, not by going through all of them)."""
    by_source: Dict[str, List[Tuple[int, str]]] = defaultdict(list)
    for i, (s, t) in enumerate(by_pair):
        by_source[s].append((i, t))

    def inside(modules: Iterable[str]) -> List[Tuple[str, str]]:
        members = set(modules)
        found = sorted((i, s, t) for s in members for i, t in by_source.get(s, ()) if t in members)
        return [(s, t) for _, s, t in found]

    return inside


def break_candidates(cycle: Cycle, by_pair: Mapping[Tuple[str, str], List[Edge]],
                     packages: AbstractSet[str] = frozenset(), pairs: Optional[List[Tuple[str, str]]] = None,
                     memo=None) -> List[Edge]:
    """The imports to cut to break the cycle's component, cheapest first (one per module pair).

    A minimum feedback arc set heuristic over the component's import-time edges, weighted by
    ``cut_cost``: how many names each import brings, how often and where they are used.
    ``pairs``: the pairs of ``by_pair`` inside the component, in its order (``pairs_inside``).
    ``memo`` (a ``graphmemo.Memo``) keeps the set under the weights, in order: all it reads.
    """
    weights = pair_costs(set(cycle.modules), by_pair, packages, pairs)
    if memo is None:
        cut: Sequence[Tuple[str, str]] = feedback_arc_set(weights)
    else:
        cut = memo.get(list(weights.items()), feedback_arc_set, weights)
    out = []
    for s, t in cut:
        rt = [e for e in by_pair[(s, t)] if e.kind == IMPORT_TIME]
        rt.sort(key=lambda e: (cut_cost(e, s in packages) < UNMOVABLE, e.line, e.col))  # a blocker first
        out.append(rt[0])
    return out


_spaces: Optional[Tuple[Mapping[str, ModuleInfo], int, FrozenSet[str]]] = None  # the last call's


def namespace_packages(modules: Mapping[str, ModuleInfo]) -> Set[str]:
    """The packages above ``modules`` that are no module of them (namespace packages). Once per
    set of modules: the simulation asks it for every world and mode (8 times a run, 15 ms each on
    a 6,000-module tree)."""
    global _spaces
    if _spaces is not None and _spaces[0] is modules and _spaces[1] == len(modules):
        return set(_spaces[2])
    out: Set[str] = set()
    for name in modules:
        at = name.rfind(".")
        while at > 0:
            p = name[:at]
            if p not in modules:
                out.add(p)
            at = name.rfind(".", 0, at)
    _spaces = (modules, len(modules), frozenset(out))
    return out
