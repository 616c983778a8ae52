"""The per-module parts of the repository-wide indexes (``analysis.contributions``), apart from
the results store: a folder per index, each in shards by module name, a shard read when a module
of it is first looked up and written back only when the run changed it.

Kept in the results store, these parts made most of its bytes (17 of 21 MB on a 6,000-file tree),
which every run that analyses read and wrote back whole. A new import in one module changes one
part of each index, so such a run now rewrites one shard of each index it built, and an index it
did not build is not read at all."""
from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Dict, Iterable

from importguard.cache.shards import Shards

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.cache.facts import Store

SHARDS = 16


class Parts:
    """Index name (a prefix such as ``"edges2:"``) -> its ``Shards``, each module's part in the
    shard its name falls in (a hash that does not depend on the process, the folder or the run)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.indexes: Dict[str, Shards] = {}
        self._slot: Dict[str, int] = {}  # module -> shard (every index asks of every module)
        self.tallies: Dict[str, Store] = {}

    def shard(self, prefix: str, name: str) -> Store:
        shards = self.indexes.get(prefix)
        if shards is None:
            shards = self.indexes[prefix] = Shards(self.directory / prefix.rstrip(":"), SHARDS)
        i = self._slot.get(name)
        if i is None:
            i = self._slot[name] = zlib.crc32(name.encode("utf-8", "surrogatepass")) % SHARDS
        return shards.shard(i)

    def preload(self, prefixes: Iterable[str]) -> None:
        """Read every shard of these indexes now (while a forked process parses the changed files:
        every run that analyses builds them)."""
        for prefix in prefixes:
            shards = self.indexes.get(prefix)
            if shards is None:
                shards = self.indexes[prefix] = Shards(self.directory / prefix.rstrip(":"), SHARDS)
            for i in range(SHARDS):
                shards.shard(i)

    def tally(self, prefix: str) -> Store:
        """Where the ``analysis.contributions.Tally`` of an index is kept (read once a run)."""
        got = self.tallies.get(prefix)
        if got is None:
            from importguard.cache.facts import Store

            got = self.tallies[prefix] = Store(self.tally_path(prefix))
        return got

    def tally_path(self, prefix: str) -> Path:
        return self.directory / ("tally-" + prefix.rstrip(":") + ".marshal")

    def forget_old(self, prefix: str, keep: Iterable[str]) -> None:
        """Drop from the shards of ``prefix`` this run read the parts not in ``keep``; the shards
        it did not read keep theirs (parts are added only to shards a run reads, which drops
        the stale ones there)."""
        shards = self.indexes.get(prefix)
        if shards is None:
            return
        keep = set(keep)
        for store in shards.loaded.values():
            stale = [k for k in store.data if k not in keep]
            for k in stale:
                del store.data[k]
            if stale:
                store.dirty = True

    def save(self) -> None:
        for shards in self.indexes.values():
            shards.save()
        for store in self.tallies.values():
            store.save()
            store.dirty = False
