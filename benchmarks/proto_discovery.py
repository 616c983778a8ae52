"""Prototype (not product code): file discovery on strings, compared with ``discovery.discover``.

    python benchmarks/proto_discovery.py [--repo PATH] [--repeat N] PATH

Django's sdist holds 2,494 folders for 883 Python files (``conf/locale/*/LC_MESSAGES`` and the
like), and a warm check walks them all. ``discovery._walk`` builds a ``Path`` per entry, calls
``Path.resolve()`` (one ``lstat`` per path component) on every folder and ``fnmatch`` against
every default exclusion for every entry. This prototype walks the same tree with ``os.scandir``
on strings, resolves only symbolic links, matches exclusions with one compiled regex per list, and
makes ``Path``/``SourceFile`` only for the Python files it keeps. It checks that both return the
same files and module names, then prints the CPU time of each (median of ``--repeat``).
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import List

HERE = Path(__file__).resolve().parent


def _regex(patterns) -> "re.Pattern[str] | None":
    patterns = list(patterns)
    if not patterns:
        return None
    return re.compile("|".join("(?:%s)" % fnmatch.translate(p) for p in patterns))


def fast_walk(top: str, config, out: List[str]) -> None:
    from importguard.config import DEFAULT_EXCLUDE
    from importguard.discovery import _Ignore

    ign = _Ignore(config)  # reuse its parsed .gitignore and globs
    base = str(ign.base)
    names_lit = {p for p in DEFAULT_EXCLUDE if not any(ch in p for ch in "*?[")}
    names_re = _regex(p for p in DEFAULT_EXCLUDE if any(ch in p for ch in "*?["))
    py_excluded = {p for p in DEFAULT_EXCLUDE if p.endswith(".py")}  # none today: kept for parity
    slow = bool(ign.globs or ign.git)  # config globs / .gitignore: fall back to the exact matcher

    def excluded(path: str, name: str, is_dir: bool) -> bool:
        if name in names_lit or (names_re is not None and names_re.match(name)):
            return is_dir or name in py_excluded
        if slow and ign.excluded(Path(path), is_dir):
            return True
        if is_dir and os.path.exists(path + "/pyvenv.cfg"):
            return True
        return False

    seen = set()
    stack = [top]
    while stack:
        d = stack.pop()
        try:
            st = os.stat(d)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            try:
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if not excluded(e.path, e.name, True):
                    stack.append(e.path)
            elif e.name.endswith(".py") and not excluded(e.path, e.name, False):
                out.append(e.path)
    _ = base


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path")
    ap.add_argument("--repo", default=str(HERE.parent))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(args.repo).resolve() / "src"))
    from importguard.config import load_config
    from importguard.discovery import SourceFile, discover, display_path, module_name, resolve_roots

    cwd = Path.cwd()
    config = load_config(cwd / args.path)

    def fast():
        roots = resolve_roots(config)
        found: List[str] = []
        fast_walk(str((cwd / args.path).resolve()), config, found)
        out = []
        for s in sorted(found):
            p = Path(s)
            out.append(SourceFile(p, display_path(p, cwd), module_name(p, roots), p.name == "__init__.py",
                                  p.name == "__init__.py"))
        return out

    def slow():
        return discover([args.path], config, cwd)[0]

    a, b = slow(), fast()
    assert a == b, (len(a), len(b), set(a) ^ set(b))
    times = {"discovery.discover": [], "prototype": []}
    for _ in range(args.repeat):
        for name, fn in (("discovery.discover", slow), ("prototype", fast)):
            t = time.process_time()
            fn()
            times[name].append(time.process_time() - t)
    dirs = sum(1 for _ in os.walk(args.path))
    print(f"{len(a)} files, {dirs} folders; identical results")
    for name, ts in times.items():
        print(f"{name:20s} median CPU {statistics.median(ts) * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
