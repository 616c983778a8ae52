"""The import graph of the run before, seen from this run: after an edit that only added
imports, results of the graph before that no added edge can change are this graph's too.

A run knows which modules changed content since the run before (the stat index's entries) and
their earlier facts (the facts cache keeps earlier contents). From them: each changed module's
edges as they were, and a digest of the graph before (every module's edge digest, the changed
ones' as they were), under which an earlier run kept its results (``Kept``). Each user then
shows that what it read of the graph only gained what cannot change its result: the cycles
(``engine.cyclekeep``), the modules whose import can meet a cycle (``simulation.entry_modules``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, NamedTuple, Optional

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo
    from importguard.model import ModuleFacts

MOST = 8  # changed modules beyond this many: no graph before (the results are computed again)
KEEP = 4  # graphs whose results are kept, per kind of result


def graph_state(sums: Dict[str, str]) -> str:
    """A digest of the graph: every module's name and edge digest (``graph.build_edges``)."""
    import hashlib

    return hashlib.blake2b(sums_text(sums).encode(), digest_size=16).hexdigest()


def sums_text(sums: Dict[str, str]) -> str:
    """Every module's name and edge digest, sorted, as text."""
    return repr(sorted(sums.items()))


class Before(NamedTuple):
    state: str  # the digest of the graph before (``graph_state``)
    edges: Dict[str, List[tuple]]  # each changed module's edges as they were (plain)
    facts: Dict[str, ModuleFacts]  # and its facts


def before(modules: Dict[str, ModuleInfo], sums: Dict[str, str], previous: Dict[str, str],
           facts_of: Callable[[str], Optional[ModuleFacts]]) -> Optional[Before]:
    """The graph before: ``previous`` is module -> its content hash in the run before, for the
    modules changed since; None when a module is new, gone, or its facts are no longer kept."""
    from importguard.analysis.graph import ModuleInfo as Info, edge_digest, module_edges

    if not previous or len(previous) > MOST:
        return None
    known = set(modules)
    sums_before = dict(sums)
    edges: Dict[str, List[tuple]] = {}
    facts: Dict[str, ModuleFacts] = {}
    for name, content in previous.items():
        info = modules.get(name)
        old = facts_of(content) if info is not None and name in sums else None
        if info is None or old is None:
            return None
        facts[name] = old
        edges[name] = [tuple(e) for e in module_edges(name, Info(name, info.path, info.is_package, old), known)]
        sums_before[name] = edge_digest(edges[name])
    return Before(graph_state(sums_before), edges, facts)


class Kept:
    """Results of the last few graphs, in the results store under ``key``: a list of (graph
    digest, result), the newest last; one found again becomes the newest."""

    def __init__(self, store, key: str):
        self.store, self.key = store, key

    def _all(self) -> list:
        got = self.store.data.get(self.key) if self.store is not None else None
        return [b for b in got if isinstance(b, tuple) and len(b) == 2] if isinstance(got, list) else []

    def get(self, state: str) -> Optional[Any]:
        for s, value in self._all():
            if s == state:
                return value
        return None

    def put(self, state: str, value: Any) -> None:
        if self.store is None:
            return
        kept = self._all()
        if kept and kept[-1][0] == state:
            return
        self.store.data[self.key] = [b for b in kept if b[0] != state][-(KEEP - 1):] + [(state, value)]
        self.store.dirty = True
