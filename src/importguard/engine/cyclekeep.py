"""The import cycles of a run whose graph differs from the run before's only by new imports
that close no cycle: the cycles of the run before, without searching the graph again.

After an import is added to a module many others import (``from django.utils import termcolors``
appended to ``django/db/models/query.py``), the edges of that module change, and with them the
key the cycles are kept under; their search reads every edge (0.08 s on 58,000 edges). But the
cycles of a graph that only gained edges ``s -> t`` where ``t`` does not reach ``s`` are the
cycles of the graph before: no new path closes, no component grows, no component gains a pair of
members (the strongest edge of each pair inside a component, which the cycles name, is the same).

The results store keeps the cycles of the last few graphs the runs analysed, each with a digest
of its graph (every module's edge digest); one that a run keeps is kept again as the newest (the
state before an edit, which every edit starts from, stays). A run finds the modules whose content
changed since the run before (the stat index's entries), their edges as they were (from their
earlier facts, which the facts cache keeps), checks that the graph before is one whose cycles are
kept, that each changed module kept every edge it had, and that no new edge closes a cycle.
Anything it cannot show sends the run to the search.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo
    from importguard.engine.reading import Read
    from importguard.model import Edge

BASE = "cyclesbase1:"  # -> [(the digest of a graph, its cycles), ...], the newest last
KEEP = 4
MOST = 8  # changed modules beyond this many: searched again


def graph_state(sums: Dict[str, str]) -> str:
    """A digest of the graph: every module's name and edge digest (``graph.build_edges``)."""
    import hashlib

    return hashlib.blake2b(repr(sorted(sums.items())).encode(), digest_size=16).hexdigest()


def changed_since(read: Sequence[Read], index, root: str) -> Dict[str, str]:
    """Module -> its content hash in the run before (the stat index's entries), for the files
    read again whose content changed since."""
    from importguard.engine.reading import index_key

    out = {}
    for r in read:
        if r.data is not None and r.file.module:  # not read again: unchanged
            entry = index.previous_entry(index_key(r.file.name, root))
            if entry is not None and entry[-1] != r.digest:
                out[r.file.module] = entry[-1]
    return out


def remember(store, sums: Dict[str, str], cycles_plain: Any, state: Optional[str] = None) -> None:
    """Keep ``cycles_plain`` as the cycles of this run's graph, the newest."""
    state = state or graph_state(sums)
    got = store.data.get(BASE)
    kept = [b for b in got if isinstance(b, tuple) and len(b) == 2] if isinstance(got, list) else []
    if kept and kept[-1][0] == state:
        return
    store.data[BASE] = [b for b in kept if b[0] != state][-(KEEP - 1):] + [(state, cycles_plain)]
    store.dirty = True


def kept(store, modules: Dict[str, ModuleInfo], sums: Dict[str, str], edges: Sequence[Edge],
         previous: Dict[str, str], facts_of: Callable[[str], Any]) -> Optional[Any]:
    """The cycles (plain) kept for the graph of the run before, when they are this graph's;
    ``previous``: module -> its content hash in the run before, for the modules changed since;
    ``facts_of``: a content hash -> its facts (None when the cache lost them)."""
    from importguard.analysis.graph import ModuleInfo as Info, edge_digest, module_edges

    got = store.data.get(BASE)
    if not isinstance(got, list) or not previous or len(previous) > MOST:
        return None
    known = set(modules)
    before = dict(sums)
    added: List[tuple] = []
    for name, content in previous.items():
        info = modules.get(name)
        old_facts = facts_of(content) if info is not None else None
        if info is None or old_facts is None:
            return None
        old = [tuple(e) for e in module_edges(name, Info(name, info.path, info.is_package, old_facts), known)]
        before[name] = edge_digest(old)
        # what the cycles read of an edge: its ends, path, place and kind (not the index of its
        # import: an import appended at module level comes before the functions' imports)
        gained = Counter(e[:6] for e in edges if e.source == name)
        gained.subtract(Counter(e[:6] for e in old))
        if any(n < 0 for n in gained.values()):
            return None  # an edge it had is gone or changed (a line moved, a kind changed)
        added.extend(e for e, n in gained.items() for _ in range(n))
    state = graph_state(before)
    found = [b for b in got if isinstance(b, tuple) and len(b) == 2 and b[0] == state]
    if not found:
        return None  # no kept cycles of the graph before
    if added:
        succ: Dict[str, List[str]] = defaultdict(list)
        for e in edges:
            succ[e.source].append(e.target)
        if any(_reaches(e[1], e[0], succ) for e in added):
            return None
    remember(store, before, found[-1][1], state)  # the graph before stays among the kept
    return found[-1][1]


def _reaches(start: str, goal: str, succ: Dict[str, List[str]]) -> bool:
    seen: Set[str] = {start}
    todo = [start]
    while todo:
        n = todo.pop()
        if n == goal:
            return True
        for t in succ.get(n, ()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return False
