"""Where the import simulation keeps each entry's outcomes between runs (``simcache``): in shards of
their own, apart from the results store, so that a run after an edit reads the outcomes it checks
and rewrites only the shards of the entries it simulated again.

An entry's outcomes in every world share a shard (the shard is chosen by the entry's name), and
within a shard equal byte strings (an import often runs the same modules in every world) are
written once. The traces of the outcomes (the order the modules started and finished in), which
only ``simcache._after_edit`` reads, sit in trace shards of their own, paired with the outcome
shards: checking an outcome's key never reads them.

Two things a run learns without writing them:

* which outcomes it looked up. An entry's outcomes are dropped once their shard was rewritten
  ``KEEP_RUNS`` times by runs that did not look them up (a module deleted, a world gone, an entry
  that no longer reaches a cycle). Only shards written anyway are pruned: a run never rewrites a
  shard just to prune it, and a shard no run changes keeps its stale outcomes (it does not grow
  either). An entry that a run skips (one that fails as written is not simulated sorted) keeps its
  outcomes through a few edits, and finds them again once the edit is undone.
* how often each outcome was used (``simcache._keep_records`` keeps the most used). Counts go up in
  memory and reach the disk only with a shard rewritten for a new outcome (see ``_keep_records``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from importguard.cache.shards import Shards

if TYPE_CHECKING:
    from pathlib import Path

KEEP_RUNS = 8  # rewrites of its shard by runs that did not look an entry's outcomes up, before they go
SHARDS = 64
_MISSES = "~misses"  # key -> how many rewrites of the shard in a row did not look it up
_RECORD = 6  # [base, packed ran modules, digest, raw outcome, tests, uses]


def _ident(record: list) -> str:
    """What a trace is kept under: the record's base and digest."""
    return record[0] + record[2]


def valid(record: Any) -> bool:
    return (isinstance(record, list) and len(record) == _RECORD and isinstance(record[0], str)
            and isinstance(record[1], bytes) and isinstance(record[2], str) and isinstance(record[4], tuple)
            and isinstance(record[5], int))  # else written by another version


def _group(key: str) -> str:
    return key[key.rfind(":") + 1:]  # the entry: every world of an entry in one shard


class SimStore:
    """Key -> the list of an entry's records in one world (``simcache``), and each record's trace."""

    def __init__(self, directory: Path, shards: int = SHARDS):
        self.directory = directory  # ``simlast`` keeps the last run's outcomes here too
        self.outcomes = Shards(directory / "outcomes", shards)
        self.traces = Shards(directory / "traces", shards)
        self.looked_up: Set[str] = set()  # the keys this run looked up
        self.looked_up_entries: Set[str] = set()  # entries whose outcomes this run took whole (``simlast``)
        self._new_traces: Dict[int, Dict[Tuple[str, str], bytes]] = {}  # shard -> (key, ident) -> trace
        self._put: Set[str] = set()  # the keys this run gave new records
        self._valid: Set[str] = set()  # the keys whose records were checked (``records``)

    def records(self, key: str) -> List[list]:
        """The valid records under ``key`` (this run looked them up; those another version wrote
        are dropped, once)."""
        self.looked_up.add(key)
        data = self.outcomes.of(_group(key)).data
        got = data.get(key)
        if not isinstance(got, list):
            return []
        if key not in self._valid:
            self._valid.add(key)
            if not all(map(valid, got)):
                got = data[key] = [r for r in got if valid(r)]
        return got

    def trace(self, key: str, record: list) -> Optional[bytes]:
        """The trace of ``record`` (None when a concurrent run's write lost it)."""
        i = self.outcomes.index(_group(key))
        ident = _ident(record)
        got = self._new_traces.get(i, {}).get((key, ident))
        if got is None:
            traces = self.traces.shard(i).data.get(key)
            got = traces.get(ident) if isinstance(traces, dict) else None
        return got if isinstance(got, bytes) else None

    def put(self, key: str, records: List[list], new: list, trace: bytes) -> None:
        """Keep ``records`` under ``key``; ``new``, one of them, has the trace ``trace``."""
        self.looked_up.add(key)
        i = self.outcomes.index(_group(key))
        shard = self.outcomes.shard(i)
        shard.data[key] = records
        self._valid.add(key)  # (records the run made or checked)
        shard.dirty = True
        self._put.add(key)
        self._new_traces.setdefault(i, {})[(key, _ident(new))] = trace

    def save(self) -> None:
        """Rewrite the shards this run changed, pruned (above), with their trace shards."""
        for i in self.outcomes.dirty():
            shard = self.outcomes.shard(i)
            data = shard.data
            old = data.pop(_MISSES, None)
            misses: Dict[str, int] = old if isinstance(old, dict) else {}
            kept: Dict[str, int] = {}
            same: Dict[Any, Any] = {}  # equal values written once (marshal writes an object seen before as a reference)
            for key in list(data):
                records = data[key]
                if not isinstance(records, list):
                    del data[key]
                    continue
                if key not in self.looked_up and _group(key) not in self.looked_up_entries:
                    n = misses.get(key, 0)
                    n = n + 1 if isinstance(n, int) else KEEP_RUNS
                    if n >= KEEP_RUNS:
                        del data[key]
                        continue
                    kept[key] = n
                if key not in self._put:
                    continue  # as read: its equal values are shared already (marshal wrote them once)
                for r in records:
                    if valid(r):
                        r[0] = same.setdefault(r[0], r[0])
                        r[1] = same.setdefault(r[1], r[1])
                        r[4] = same.setdefault(r[4], r[4])
            data[_MISSES] = kept
            self._save_traces(i, data)
        self.outcomes.save()
        self.traces.save()

    def _save_traces(self, i: int, outcomes: Dict[str, Any]) -> None:
        """The traces of the records left in outcome shard ``i``, the others dropped."""
        shard = self.traces.shard(i)
        new = self._new_traces.get(i, {})
        out: Dict[str, Dict[str, bytes]] = {}
        same: Dict[bytes, bytes] = {}
        for key, records in outcomes.items():
            if key == _MISSES:
                continue
            old = shard.data.get(key)
            old = old if isinstance(old, dict) else {}
            if key not in self._put:  # the same records as when this shard was written: the same traces
                if old:
                    out[key] = old
                continue
            mine: Dict[str, bytes] = {}
            for r in records:
                if not valid(r):
                    continue
                ident = _ident(r)
                t = new.get((key, ident)) or old.get(ident)
                if isinstance(t, bytes):
                    mine[ident] = same.setdefault(t, t)
            if mine:
                out[key] = mine
        shard.data = out
        shard.dirty = True
