"""The import cycles of a run whose graph differs from the run before's only by new imports
that close no cycle: the cycles of the run before, without searching the graph again.

After an import is added to a module many others import (``from django.utils import termcolors``
appended to ``django/db/models/query.py``), the edges of that module change, and with them the
key the cycles are kept under; their search reads every edge (0.08 s on 58,000 edges). But the
cycles of a graph that only gained edges ``s -> t`` where ``t`` does not reach ``s`` (by edges
of any kind) are the cycles of the graph before: no new path closes, no component grows, no
component gains a pair of members (the strongest edge of each pair inside a component, which
the cycles name, is the same).

The results store keeps the cycles of the last few graphs the runs analysed (``graphdelta``). A
run takes the graph before (the changed modules' edges as they were), the cycles kept for it,
checks that each changed module kept every edge it had (as the cycles read it: ends, path,
place, kind) and that no new edge closes a cycle. Anything it cannot show sends the run to the
search.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from importguard.analysis.arcset import reaches
from importguard.analysis.graphdelta import Kept

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo
    from importguard.analysis.graphdelta import Before
    from importguard.model import Cycle, Edge

BASE = "cyclesbase1:"  # the cycles of the last few graphs (``graphdelta.Kept``)


def cycles_of(graph_modules: Dict[str, ModuleInfo], edges: List[Edge], store, sums: Optional[Dict[str, str]],
              state: Optional[str] = None, before: Optional[Before] = None) -> List[Cycle]:
    """The import cycles, kept in ``store`` under a digest of the edges of the modules some edge
    enters: a module no module imports is on no cycle, so a new import in such a module (a
    script, a management command, a test) finds the cycles of the run before. So does a graph
    that only gained imports that close no cycle (``kept``: ``before`` is the graph before the
    edit). The cycles of the graph ``state`` are kept for the runs after."""
    from importguard.analysis.graph import cycles as find_cycles
    from importguard.cache.facts import cycles_from_plain, cycles_to_plain
    from importguard.engine.incremental import LAST_RUN

    if not edges:
        return []
    key = None
    if store is not None and sums is not None:
        import hashlib

        entered = {e.target for e in edges}
        core = sorted((name, digest) for name, digest in sums.items() if name in entered)
        key = "cycles:" + hashlib.blake2b(repr(core).encode(), digest_size=16).hexdigest()
        got = store.data.get(key)
        if got is None and before is not None:
            got = store.data[key] = kept(store, before, edges)
            LAST_RUN["cycles_kept_after_edit"] = int(got is not None)
        if got is not None:
            LAST_RUN["cycles_cache"] = 1
            if state is not None:
                remember(store, state, got)
            return cycles_from_plain(got)
    found = find_cycles(graph_modules, edges, store)
    if key is not None:
        plain = cycles_to_plain(found)
        if state is not None:
            remember(store, state, plain)
        store.data.pop(key, None)  # (a None put there above)
        store.data[key] = plain
        for old in [k for k in store.data if k.startswith("cycles:")][:-4]:  # the last few kept
            del store.data[old]
        store.dirty = True
    return found


def remember(store, state: str, cycles_plain: Any) -> None:
    """Keep ``cycles_plain`` as the cycles of the graph ``state``, the newest."""
    Kept(store, BASE).put(state, cycles_plain)


def kept(store, before: Before, edges: Sequence[Edge]) -> Optional[Any]:
    """The cycles (plain) kept for the graph ``before``, when they are this graph's."""
    kept = Kept(store, BASE)
    found = kept.get(before.state)
    if found is None:
        return None
    # the graph before stays among the kept, whatever this edit's: the runs of that state find
    # the run cache and never analyse (so never keep it again), and each edit of it needs it
    kept.put(before.state, found)
    added: List[tuple] = []
    for name, old in before.edges.items():
        # what the cycles read of an edge: its ends, path, place and kind (not the index of its
        # import: an import appended at module level comes before the functions' imports)
        gained = Counter(e[:6] for e in edges if e.source == name)
        gained.subtract(Counter(e[:6] for e in old))
        if any(n < 0 for n in gained.values()):
            return None  # an edge it had is gone or changed (a line moved, a kind changed)
        added.extend(e for e, n in gained.items() for _ in range(n))
    now = found
    if added:
        # an edge between two modules of one kept cycle's component (most new imports of a hub's
        # neighbours lead back to it through some function's import) joins no components:
        # ``_within``; any other must close no cycle
        together: Dict[str, set] = defaultdict(set)
        for i, cycle in enumerate(found):
            for m in cycle[0]:
                together[m].add(i)
        inside = [e for e in added if together[e[0]] & together[e[1]]]
        if inside:
            now = _within(found, inside, edges)
            if now is None:
                return None
        outside = [e for e in added if not together[e[0]] & together[e[1]]]
        if outside:
            succ: Dict[str, List[str]] = defaultdict(list)
            for e in edges:
                succ[e.source].append(e.target)
            if any(reaches(e[1], e[0], succ) for e in outside):
                return None
    return now


def _within(found: List[Any], inside: List[tuple], edges: Sequence[Edge]) -> Optional[List[Any]]:
    """The cycles (plain) after ``inside`` edges were added, each between two modules of one
    component of ``found`` (the cycles before), when in the graph of every kind an edge belongs
    to (its own and the weaker ones) it joins two modules strongly connected already or closes no
    cycle: then no component of any kind grows or splits, and only the components an edge falls
    inside may get another shortest cycle or a stronger edge for a pair (searched again as
    ``graph.cycles`` searches them); else None."""
    from importguard.analysis.graph import _RANK, _shortest

    if any(c[1] not in _RANK for c in found) or any(e[5] not in _RANK for e in inside):
        return None
    rank_of = [_RANK[c[1]] for c in found]
    by_rank: Dict[int, Dict[str, List[str]]] = {}  # the edges of each kind or stronger, as built

    def succ_of(rank: int) -> Dict[str, List[str]]:
        got = by_rank.get(rank)
        if got is None:
            got = by_rank[rank] = defaultdict(list)
            for e in edges:
                if _RANK[e.kind] <= rank:
                    got[e.source].append(e.target)
        return got

    for e in inside:
        # in the graph of each kind the edge belongs to, its ends were strongly connected already
        # (a component of that kind or a stronger one holds both), or its target does not reach
        # its source (the import closes no cycle of that kind: a new import-time import of a
        # module that leads back only through a function's import)
        for rank in range(_RANK[e[5]], len(_RANK)):
            if any(r <= rank and e[0] in c[0] and e[1] in c[0] for c, r in zip(found, rank_of)):
                continue
            if reaches(e[1], e[0], succ_of(rank)):
                return None
    out = list(found)
    for i, (cycle, r) in enumerate(zip(found, rank_of)):
        members = set(cycle[0])
        if not any(e[0] in members and e[1] in members and _RANK[e[5]] <= r for e in inside):
            continue
        # each pair's first edge, strongest kind first: ``graph._strongest``'s order, over the
        # component's pairs only (its answer for every edge costs 35 ms on 58,000 edges, this 5)
        strongest: Dict[Tuple[str, str], Edge] = {}
        for e in edges:
            if e.source in members and e.target in members:
                got = strongest.get((e.source, e.target))
                if got is None or (_RANK[e.kind], e.line, e.col) < (_RANK[got.kind], got.line, got.col):
                    strongest[(e.source, e.target)] = e
        succ: Dict[str, List[str]] = defaultdict(list)
        for (a, b), e in strongest.items():
            if _RANK[e.kind] <= r:
                succ[a].append(b)
        inner = {m: sorted(succ.get(m, ())) for m in cycle[0]}
        path = _shortest(list(cycle[0]), inner)
        pairs = [strongest[(a, b)] for a, b in zip(path, path[1:])]
        out[i] = (cycle[0], cycle[1], tuple(path),
                  tuple((a, b, e.path, e.line, e.kind) for (a, b), e in zip(zip(path, path[1:]), pairs)))
    return out

