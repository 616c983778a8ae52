"""Writing the fast lane's record (``fastlane``) after a ``check`` run of the command line."""
from __future__ import annotations

import marshal
import os
import sys
from stat import S_ISDIR
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from importguard.cache import watch
from importguard.cache.costs import FILE as COSTS
from importguard.cache.index import RACY_NS
from importguard.commands import fastlane

if TYPE_CHECKING:
    import argparse

    from importguard.config.settings import Config

VCS = (".git", ".hg")  # folders every command of their tool writes to
FORMATS = ("text", "github")  # the reports that hold nothing of the run but its findings (no timings)


def eligible(args: argparse.Namespace, config: Config) -> bool:
    return (fastlane.ARGV is not None and watch.ON and watch.WHOLE and not watch.BLIND and not args.no_cache
            and args.format in FORMATS and not args.output_file and not getattr(args, "extra_report", None)
            and not getattr(args, "write_baseline", None) and config.cache_dir is None)


def record(args: argparse.Namespace, config: Config, text: str, code: int) -> bool:
    """Record this run for the fast lane; whether it was (never an error: a hint not kept)."""
    try:
        return _record(args, config, text, code)
    except (OSError, ValueError):
        return False
    finally:
        watch.stop()  # also when not eligible


def _record(args: argparse.Namespace, config: Config, text: str, code: int) -> bool:
    if not eligible(args, config):
        return False
    seen, listed, fresh = dict(watch.SEEN), set(watch.LISTED), list(watch.FRESH)
    watch.stop()  # what follows is not the run's
    stat = watch.real_stat()
    cwd = os.getcwd()
    where = _Where(str(config.project_root.resolve()))
    if not os.path.isdir(where.cache) or not (cwd == where.root or cwd.startswith(where.mine)):
        return False  # the replay looks for it from the working folder up
    if any(where.timed(p) for p in fresh):
        return False  # an input changed within two seconds of the run (an edit just saved)
    paths = _inputs(seen, where)
    if paths is None:
        return False
    limit = fastlane.T0 - RACY_NS
    kept: List[Tuple[int, int, str, Tuple[int, int, int, int]]] = []  # order, -time, path, signature
    for path, want in paths.items():
        try:
            st = stat(path)
        except (FileNotFoundError, NotADirectoryError):
            if want:
                return False  # read, and gone since: what it held is in the output
            kept.append((3, 0, path, fastlane.MISSING))
            continue
        if want is False:
            return False  # created since it was looked for
        folder = S_ISDIR(st.st_mode)
        if folder and not where.timed(path) and path not in listed:
            kept.append((2, 0, path, (fastlane.SAME_FOLDER, 0, 0, st.st_ino)))
        elif st.st_mtime_ns >= limit or st.st_ctime_ns >= limit:
            return False  # too fresh to be trusted
        else:
            kept.append((int(folder), -max(st.st_mtime_ns, st.st_ctime_ns), path,
                         (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)))
    # the replay stops at the first difference: the files first, the last changed first (the file
    # edited a minute ago is the one edited next), then the folders (a new file), then the rest
    kept.sort()
    cut = len(where.mine)
    names = [path[cut:] if path.startswith(where.mine) else path for _, _, path, _ in kept]
    sigs = [n for _, _, _, sig in kept for n in sig]
    entry = marshal.dumps((where.root, "\0".join(names), sigs, text, code))
    return _write(os.path.join(where.root, fastlane.NAME), fastlane.key(fastlane.ARGV or [], cwd), entry)


class _Where:
    """The project root, its cache folder, and which paths are inputs of a run and how compared."""

    def __init__(self, root: str):
        import importguard

        self.root = root
        self.mine = os.path.join(root, "")
        self.cache = os.path.join(root, ".importguard_cache")
        self.in_cache = os.path.join(self.cache, "")
        self.costs = os.path.join(self.cache, COSTS)  # the one input kept there (``importguard cost``)
        # what no run's output depends on: the Python installation, importguard itself
        self.skip = tuple(os.path.join(os.path.abspath(p), "") for p in {
            sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(importguard.__file__), *sys.path} if p)
        self.skip += ("/dev/", "/proc/", "/sys/")

    def input(self, path: str) -> bool:
        if (path.startswith(self.in_cache) or path == self.cache) and path != self.costs:
            return False  # the caches: their own keys and signatures decide
        return path.startswith(self.mine) or path == self.root or not path.startswith(self.skip)

    def timed(self, path: str) -> bool:
        """An input compared by its times, not by its inode alone (``SAME_FOLDER``): all but a
        folder above the project (resolved, or looked in for markers) and the repository's own
        (every git command writes there), where whatever else is written decides nothing while it
        is the same folder, as what is read in it is watched itself."""
        if not self.input(path):
            return False
        above = path != self.root and (self.mine.startswith(path + os.sep) or path == os.sep)
        return not above and os.path.basename(path) not in VCS


def _inputs(seen: Dict[str, Any], where: _Where) -> Optional[Dict[str, Optional[bool]]]:
    """``watch.SEEN``'s inputs (``_Where.input``), with the nearest existing folder of a path
    opened but missing; None when one came or went during the run."""
    out: Dict[str, Optional[bool]] = {}
    for path, exists in seen.items():
        if not where.input(path):
            continue
        if exists == watch.BOTH:
            return None
        if exists is None:
            exists = os.path.exists(path)
            if not exists and path != where.costs:  # (the cache folder of costs changes every run)
                parent = os.path.dirname(path)
                while parent != os.path.dirname(parent) and not os.path.isdir(parent):
                    parent = os.path.dirname(parent)
                out[parent] = True  # its creation changes this folder
        out[path] = out.get(path) or exists
    return out


def _write(path: str, key: tuple, entry: bytes) -> bool:
    entries: List[Tuple[tuple, bytes]] = [(key, entry)]
    try:
        entries += [(k, e) for k, e in _read(path) if k != key][:fastlane.KEEP - 1]
    except (OSError, ValueError, EOFError, TypeError):
        pass
    header = [(k, len(e)) for k, e in entries]
    from pathlib import Path

    from importguard.cache.facts import write_cache_file

    return write_cache_file(Path(path), marshal.dumps(header) + b"".join(e for _, e in entries))


def _read(path: str) -> List[Tuple[tuple, bytes]]:
    with open(path, "rb") as fh:
        header = marshal.load(fh)
        return [(k, fh.read(n)) for k, n in header]
