"""Writing the fast lane's record (``fastlane``) after a ``check`` run of the command line."""
from __future__ import annotations

import marshal
import os
import stat
import sys
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from importguard.cache import watch
from importguard.cache.index import RACY_NS
from importguard.commands import fastlane

if TYPE_CHECKING:
    import argparse

    from importguard.config.settings import Config

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
        watch.stop()


def _record(args: argparse.Namespace, config: Config, text: str, code: int) -> bool:
    if not eligible(args, config):
        return False
    cwd = os.getcwd()
    root = str(config.project_root.resolve())
    cache = os.path.join(root, ".importguard_cache")
    if not os.path.isdir(cache) or not (cwd == root or cwd.startswith(root.rstrip(os.sep) + os.sep)):
        return False  # the replay looks for it from the working folder up
    paths = _inputs(root, cache)
    if paths is None:
        return False
    names: List[str] = []
    sigs: List[int] = []
    limit = fastlane.T0 - RACY_NS
    mine = os.path.join(root, "")  # the folders above it are the ancestors of this
    for path in sorted(paths):
        want = paths[path]
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            if want:
                return False  # read, and gone since: what it held is in the output
            sigs.extend(fastlane.MISSING)
        else:
            if want is False:
                return False  # created since it was looked for
            above = mine.startswith(os.path.join(path, "")) and path != root
            vcs = os.path.basename(path) in (".git", ".hg")
            if (above or vcs) and path not in watch.LISTED and stat.S_ISDIR(st.st_mode):
                # a folder above the project (resolved, or looked in for markers), or the
                # repository's own (every git command writes there): whatever else is written
                # there decides nothing while it is the same folder; what is read in it is watched
                sigs.extend((fastlane.SAME_FOLDER, 0, 0, st.st_ino))
            elif max(st.st_mtime_ns, st.st_ctime_ns) >= limit:
                return False  # too fresh to be trusted
            else:
                sigs.extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
        names.append(path[len(root) + 1:] if path.startswith(root + os.sep) else path)
    entry = marshal.dumps((root, "\0".join(names), sigs, text, code))
    _write(os.path.join(root, fastlane.NAME), fastlane.key(fastlane.ARGV or [], cwd), entry)
    return True


def _inputs(root: str, cache: str) -> Optional[Dict[str, Optional[bool]]]:
    """``watch.SEEN`` without what no run's output depends on (the caches, the Python installation,
    importguard itself), and with the nearest existing folder of a path opened but missing."""
    import importguard

    skip = tuple(os.path.join(os.path.abspath(p), "") for p in {
        sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(importguard.__file__), *sys.path} if p)
    skip += ("/dev/", "/proc/", "/sys/")
    mine = os.path.join(root, "")
    out: Dict[str, Optional[bool]] = {}
    for path, exists in list(watch.SEEN.items()):
        if path.startswith(os.path.join(cache, "")) or path == cache:
            continue
        if not path.startswith(mine) and path != root and path.startswith(skip):
            continue
        if exists == watch.BOTH:
            return None  # it came or went during the run
        if exists is None:
            if not os.path.exists(path):
                parent = os.path.dirname(path)
                while parent != os.path.dirname(parent) and not os.path.isdir(parent):
                    parent = os.path.dirname(parent)
                out[parent] = True  # its creation changes this folder
                out[path] = False
                continue
            exists = True
        out[path] = out.get(path) or exists
    return out


def _write(path: str, key: tuple, entry: bytes) -> None:
    entries: List[Tuple[tuple, bytes]] = [(key, entry)]
    try:
        entries += [(k, e) for k, e in _read(path) if k != key][:fastlane.KEEP - 1]
    except (OSError, ValueError, EOFError, TypeError):
        pass
    header = [(k, len(e)) for k, e in entries]
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(header))
            for _, e in entries:
                fh.write(e)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _read(path: str) -> List[Tuple[tuple, bytes]]:
    with open(path, "rb") as fh:
        header = marshal.load(fh)
        return [(k, fh.read(n)) for k, n in header]
