"""Removing the caches of other versions: each cache file and folder is named by the fingerprint of
the importguard version, schema and Python minor version that wrote it (``facts.fingerprint``), so an
upgrade leaves the old ones behind (90 MB of results store on a 6,000-file tree). A run that
analyses removes, in its cache folder, the entries of other fingerprints that nothing has written
for ``MAX_AGE`` (30 days): another Python or importguard still in use (a tox environment, a pinned
pre-commit hook) rewrites its own on every run that analyses and keeps them. A cache removed while
another run reads it costs that run time only: every reader takes a missing or torn file as empty.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from typing import TYPE_CHECKING, Collection, List, Optional

if TYPE_CHECKING:
    from pathlib import Path

MAX_AGE = 30 * 86400
_NAME = re.compile(r"(facts|results|parts|index|gitignore|walks|roots|toml|sim|runs)-[0-9a-f]{16}(\.marshal)?\Z")


def sweep(directory: Path, keep: Collection[str], max_age: float = MAX_AGE, now: Optional[float] = None) -> List[str]:
    """Remove the entries of ``directory`` named as a cache of some version, not in ``keep``, with
    nothing in them (two levels deep) written for ``max_age`` seconds; their names."""
    now = time.time() if now is None else now
    removed: List[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for e in entries:
        if e.name in keep or not _NAME.match(e.name):
            continue
        try:
            if _written_since(e.path, 2, now - max_age):
                continue
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path)
            else:
                os.unlink(e.path)
            removed.append(e.name)
        except OSError:
            continue  # another run removed it, or it cannot be removed: left alone
    return removed


def _written_since(path: str, depth: int, since: float) -> bool:
    """Whether ``path``, or what it holds ``depth`` levels down, was modified after ``since``."""
    if os.stat(path, follow_symlinks=False).st_mtime > since:
        return True
    if depth > 0 and os.path.isdir(path) and not os.path.islink(path):
        for e in os.scandir(path):
            try:
                if _written_since(e.path, depth - 1, since):
                    return True
            except OSError:
                continue
    return False
