"""A key -> value store split into shard files by a stable hash of each key's *group*: a shard is
read when one of its keys is first looked up, and only the shards a run changed are written back
(each to a temporary file renamed into place, as ``Store`` does). A run that changes the values of
a few groups reads what it looks up and writes a few small files, not the whole store.

A shard that cannot be read or is not a mapping (corrupt, truncated, written by another version)
is taken as empty, and rewritten when something is put into it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

from importguard.cache.facts import Store, blake2b

if TYPE_CHECKING:
    from pathlib import Path


class Shards:
    """``count`` ``Store`` files ``NN.marshal`` in ``directory``; a group's shard is fixed by a hash
    of its name that does not depend on the process (unlike ``hash``), the folder or the run."""

    def __init__(self, directory: Path, count: int = 64):
        self.directory = directory
        self.count = count
        self.loaded: Dict[int, Store] = {}
        self.written: List[int] = []  # the shards the last ``save`` rewrote (tests read it)
        self._index: Dict[str, int] = {}  # a group is asked for again and again (its records, its trace, a put)

    def index(self, group: str) -> int:
        got = self._index.get(group)
        if got is None:
            got = self._index[group] = int.from_bytes(blake2b(group.encode(), digest_size=4).digest(),
                                                      "little") % self.count
        return got

    def shard(self, i: int) -> Store:
        got = self.loaded.get(i)
        if got is None:
            got = self.loaded[i] = Store(self.directory / ("%02x.marshal" % i))
        return got

    def of(self, group: str) -> Store:
        return self.shard(self.index(group))

    def dirty(self) -> List[int]:
        return sorted(i for i, s in self.loaded.items() if s.dirty)

    def save(self) -> None:
        self.written = self.dirty()
        for i in self.written:
            self.loaded[i].save()
            self.loaded[i].dirty = False
