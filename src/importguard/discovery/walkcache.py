"""The walk index: the Python files a folder walk found, reused while no folder it listed changed.

A warm run on a large tree spends most of its time listing folders (Django's source holds 2,456
of them, most of them translation folders without a Python file) and matching every entry against
the ignore rules. A folder's modification time changes whenever an entry is added to it, removed
from it or renamed in it, so the walk's result still holds while every folder it listed has the
modification time, change time and inode it had, and every ignore file it read (``.gitignore`` of
each listed folder and of the folders above, ``.git/info/exclude``) has the same signature, or is
still missing. Checking that is one ``stat`` a folder, no listing and no pattern matching.

Like the stat index it is a hint, never a cache key: a checkout restored elsewhere or cloned anew
has other inodes and times, and is just walked once. A walk is kept only when every folder and
ignore file it read was last changed more than ``RACY_NS`` before the walk started: a folder
changed again within the same tick of the file system's clock keeps its modification time, so a
walk of a folder that fresh is not trusted, and the next run walks again.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from importguard.cache.index import RACY_NS, signature

if TYPE_CHECKING:
    from pathlib import Path

DirSig = Tuple[str, int, int, int]  # folder relative to the walk's top, mtime_ns, ctime_ns, inode
KEEP = 8  # walks kept: a project's root, and the folders checked alone lately
FileSig = Optional[Tuple[int, int, int, int]]  # the stat index's ``signature``; None: missing
T = TypeVar("T")
R = TypeVar("R")


def file_sig(path: str) -> FileSig:
    try:
        return signature(os.stat(path))
    except OSError:
        return None


def _unchanged(top: str, dirs: List[DirSig]) -> bool:
    """Whether every folder in ``dirs`` (below ``top``) has its signature. Half of them are looked
    at by a second thread (``stat`` lets go of the interpreter's lock: Django's 2,456 folders take
    3 ms instead of 6), each relative to ``top`` where the platform can."""
    from importguard.cache import watch

    stat = watch.real_stat()  # the folders are named to the watch below, all at once
    fd = None
    if stat in os.supports_dir_fd:
        try:
            fd = os.open(top, os.O_RDONLY)
        except OSError:
            return False
    try:
        same = all(halves(dirs, lambda part: _same(top, part, fd, stat)))
    finally:
        if fd is not None:
            os.close(fd)
    if same and watch.ON:
        watch.seen_all([top + rel for rel, _, _, _ in dirs])
    return same


def halves(items: Sequence[T], work: Callable[[Sequence[T]], R], least: int = 400) -> List[R]:
    """``[work(items)]``, or, from ``least`` items on, ``[work(first half), work(second half)]``
    with the second half done by another thread meanwhile: for loops of ``stat`` calls, which let
    go of the interpreter's lock while they wait. An error of either half is raised."""
    if len(items) < least:
        return [work(items)]
    import _thread

    half = len(items) // 2
    done = _thread.allocate_lock()
    done.acquire()
    other: List[R] = []
    failed: List[BaseException] = []

    def second() -> None:
        try:
            other.append(work(items[half:]))
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)
        finally:
            done.release()

    _thread.start_new_thread(second, ())
    try:
        mine = work(items[:half])
    finally:
        done.acquire()
    if failed:
        raise failed[0]
    return [mine, other[0]]


def _same(top: str, dirs: Sequence[DirSig], fd: Optional[int], stat: Callable[..., os.stat_result]) -> bool:
    try:
        for rel, mtime, ctime, ino in dirs:
            st = stat(top + rel) if fd is None else stat(rel[1:] or ".", dir_fd=fd)
            if st.st_mtime_ns != mtime or st.st_ino != ino or st.st_ctime_ns != ctime:
                return False
    except (OSError, ValueError):
        return False
    return True


class WalkIndex:
    """Walk top (absolute) -> ``(key, folders, ignore files, files, skipped)``, in one small store."""

    def __init__(self, path: Path, key: str, now_ns: int):
        from importguard.cache.facts import Store

        self.store = Store(path)
        self.key = key  # what else decides the walk: the ignore settings, the git top, the tool
        self.now = now_ns  # taken before any folder of this run is listed
        self.hits = 0

    def files(self, top: str) -> Optional[Tuple[List[str], int]]:
        """The files and the skipped count of the last walk of ``top``, when nothing it read changed."""
        e = self.store.data.get(top)
        if not isinstance(e, tuple) or len(e) != 5 or e[0] != self.key:
            return None
        _, dirs, ignores, files, skipped = e
        if not _unchanged(top, dirs):
            return None
        for path, sig in ignores:
            if file_sig(path) != sig:
                return None
        self.hits += 1
        return [top + rel for rel in files], skipped

    def put(self, top: str, dirs: List[DirSig], ignores: Dict[str, FileSig], files: List[str],
            skipped: int) -> None:
        limit = self.now - RACY_NS
        self.store.data.pop(top, None)
        self.store.dirty = True
        if any(max(m, c) >= limit for _, m, c, _ in dirs) or any(
                sig is not None and max(sig[1], sig[2]) >= limit for sig in ignores.values()):
            return  # too fresh to be trusted: the next run walks again
        n = len(top)
        self.store.data[top] = (self.key, dirs, sorted(ignores.items()), [f[n:] for f in files], skipped)
        for old in list(self.store.data)[:-KEEP]:  # the walks of the folders checked last
            del self.store.data[old]

    def save(self) -> None:
        if self.store.dirty:
            self.store.save()
