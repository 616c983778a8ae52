"""The stat index: which content hash a file had when its size, modification time and inode were
what they are now, so that a run where nothing changed reads and hashes no file.

It is a hint, as git's index is: never part of a cache key (a cache restored at another path, or
by a fresh clone that gave every file a new modification time, is reused whole: its files are just
read and hashed once). An entry is trusted only when the file's size, ``mtime_ns``, ``ctime_ns``
and inode are those recorded *and* the file was last modified more than ``RACY_NS`` before the
index's reference time (the moment, before any file was read, of the run that wrote it). A file
changed again within the same tick of the file system's clock, right after it was hashed, keeps
its modification time; such a file is too fresh to be trusted and is read again on every run
until it is old enough.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional, Tuple

if TYPE_CHECKING:
    import os

RACY_NS = 2_000_000_000  # two seconds: coarser than the clock of any file system in use

Entry = Tuple[int, int, int, int, str]  # size, mtime_ns, ctime_ns, inode, content hash


def signature(st: os.stat_result) -> Tuple[int, int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


class StatIndex:
    """Relative path -> ``Entry``, kept in a ``Store``'s ``data`` under ``stat`` and ``ref``."""

    def __init__(self, data: dict, now_ns: int):
        got = data.get("stat")
        ref = data.get("ref")
        self.old: Dict[str, Entry] = got if isinstance(got, dict) and isinstance(ref, int) else {}
        self.ref: int = ref if isinstance(ref, int) else 0
        self.now = now_ns  # taken before any file of this run is read
        self.new: Dict[str, Entry] = {}
        self.fresh = 0  # entries hashed in this run

    def trusted(self, key: str, sig: Tuple[int, int, int, int]) -> Optional[str]:
        """The content hash recorded for ``key`` when its signature is unchanged and old enough."""
        e = self.old.get(key)
        if e is None or e[:4] != sig or max(sig[1], sig[2]) >= self.ref - RACY_NS:
            return None
        self.new[key] = e
        return e[4]

    def previous_entry(self, key: str) -> Optional[Entry]:
        """The entry ``key`` had in the run that wrote the index, trusted or not."""
        return self.old.get(key)

    def record(self, key: str, sig: Tuple[int, int, int, int], digest: str) -> None:
        self.new[key] = sig + (digest,)
        self.fresh += 1

    def save_into(self, data: dict) -> bool:
        """Put the index into ``data``; True when it changed (the store must be written).

        Entries of files this run did not see (another run checked other folders) are kept when
        they were old enough to be trusted under the old reference time, so still under the new
        one; the others could have changed unseen within their clock tick, and are dropped."""
        if not self.fresh:
            return False  # every entry seen was trusted under the old reference time: keep it
        limit = 2 * len(self.new) + 1000
        out = dict(self.new)
        for key, e in self.old.items():
            if len(out) >= limit:
                break
            if key not in out and max(e[1], e[2]) < self.ref - RACY_NS:
                out[key] = e
        data["stat"] = out
        data["ref"] = self.now
        return True
