"""A light feedback arc set of a weighted directed graph: the imports IG300 advises to cut."""
from __future__ import annotations

from collections import defaultdict
from typing import AbstractSet, Dict, Iterable, List, Mapping, Set, Tuple


def feedback_arc_set(weights: Mapping[Tuple[str, str], float]) -> List[Tuple[str, str]]:
    """A light set of edges whose removal leaves the graph acyclic.

    The weighted Eades-Lin-Smyth heuristic orders the nodes (sinks last, sources first, else the
    node whose outgoing weight most exceeds its incoming weight); the edges pointing backwards in
    that order form the set. Then any edge of the set whose return closes no cycle is dropped,
    heaviest first, so the set is minimal.
    """
    succ: Dict[str, Dict[str, float]] = defaultdict(dict)
    pred: Dict[str, Dict[str, float]] = defaultdict(dict)
    nodes: Set[str] = set()
    for (s, t), w in weights.items():
        if s != t:
            succ[s][t] = w
            pred[t][s] = w
            nodes.update((s, t))
    live = set(nodes)
    left: List[str] = []
    right: List[str] = []
    while live:
        changed = True
        while changed:
            changed = False
            for n in sorted(live):
                if not any(m in live for m in succ[n]):
                    right.append(n)
                    live.discard(n)
                    changed = True
                elif not any(m in live for m in pred[n]):
                    left.append(n)
                    live.discard(n)
                    changed = True
        if live:
            def delta(n: str) -> float:
                return (sum(w for m, w in succ[n].items() if m in live)
                        - sum(w for m, w in pred[n].items() if m in live))
            best = max(sorted(live), key=delta)
            left.append(best)
            live.discard(best)
    pos = {n: i for i, n in enumerate(left + right[::-1])}
    fas = [(s, t) for (s, t) in weights if s != t and pos[s] > pos[t]]
    cut = set(fas)
    for e in sorted(fas, key=lambda e: (-weights[e], e)):
        cut.discard(e)
        if reaches(e[1], e[0], succ, cut):
            cut.add(e)
    return sorted(cut, key=lambda e: (weights[e], e))


def reaches(start: str, goal: str, succ: Mapping[str, Iterable[str]], cut: AbstractSet[Tuple[str, str]] = frozenset()
            ) -> bool:
    """Does a path of ``succ`` (each node's successors) lead from ``start`` to ``goal``, using no
    edge of ``cut``?"""
    seen = {start}
    todo = [start]
    while todo:
        n = todo.pop()
        if n == goal:
            return True
        for m in succ.get(n, ()):
            if m not in seen and (n, m) not in cut:
                seen.add(m)
                todo.append(m)
    return False
