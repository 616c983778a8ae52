"""The findings of whole runs, each under the digest of every input of the run (``run_digest``), in a
file of its own beside the stat index: a run whose inputs match an earlier run's reads that run's
file only. Kept in the index itself, the last 16 runs' findings were most of its bytes (5.6 of
6.7 MB on a 6,000-file tree), which every run read, the runs that find nothing changed included,
and every run that analyses wrote back.

The index keeps the list of the runs kept, oldest first (``runs``); a run's file is
``<digest>.marshal`` in the folder, written atomically. A file missing (removed by a concurrent
run, a cleaned cache) or unreadable is a miss."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, List, Optional

from importguard.cache.facts import Store

if TYPE_CHECKING:
    from pathlib import Path

LIMIT = 16  # runs kept
LIST = "runs"  # the index's key of the list of runs kept, oldest first


class Runs:
    def __init__(self, directory: Path, index: Store):
        self.directory, self.index = directory, index

    def _kept(self) -> List[str]:
        got = self.index.data.get(LIST)
        return [k for k in got if isinstance(k, str)] if isinstance(got, list) else []

    def _path(self, key: str) -> Path:
        return self.directory / (key.split(":", 1)[-1] + ".marshal")

    def get(self, key: str) -> Optional[Any]:
        """The findings kept for run ``key``, or None."""
        if key not in self._kept():
            return None
        got = Store(self._path(key)).data.get("run")
        return got if isinstance(got, tuple) else None

    def put(self, key: str, value: tuple) -> None:
        """Keep ``value`` for run ``key`` (the index is saved by its owner); the oldest beyond
        ``LIMIT`` are removed."""
        store = Store(self._path(key), read=False)
        store.data = {"run": value}
        store.dirty = True
        store.save()
        kept = [k for k in self._kept() if k != key] + [key]
        for old in kept[:-LIMIT]:
            try:
                os.unlink(self._path(old))
            except OSError:
                pass
        data = self.index.data
        for old in [k for k in data if k.startswith("run:")]:  # kept in the index by earlier versions
            del data[old]
        data[LIST] = kept[-LIMIT:]
        self.index.dirty = True
