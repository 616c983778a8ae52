"""Parsed TOML files kept by their signature, so that a warm run does not import a TOML parser.

``tomllib`` and the ``datetime`` module it needs cost about 3 ms of a run that finds nothing
changed (a fifth of its own work on Django). The CLI turns this on for runs that use the cache;
a parsed file is kept in ``.importguard_cache/`` beside it, only when that folder exists (a
project that moved its cache elsewhere gets no new folder), and only when it holds nothing
``marshal`` cannot write (TOML dates). Like the stat index it is a hint: a file is taken from it
only when its size, modification and change times and inode are those recorded and it was last
changed more than two seconds before it was read, so an edit within the same tick of the file
system's clock is never missed.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

if TYPE_CHECKING:
    from importguard.cache.facts import Store

ON = False  # the CLI sets it for runs that read and write the cache
_stores: Dict[str, Optional[Store]] = {}


def _store(folder: str) -> Optional[Store]:
    if folder not in _stores:
        from importguard.cache.facts import Store, fingerprint

        cache = os.path.join(folder, ".importguard_cache")
        _stores[folder] = Store(Path(cache) / f"toml-{fingerprint('toml')}.marshal") if os.path.isdir(cache) else None
    return _stores[folder]


def load(path: Path, parse: Callable[[Path], dict]) -> dict:
    """``parse(path)``, or what it gave when the file was last parsed and has not changed since."""
    if not ON:
        return parse(path)
    from importguard.cache.index import RACY_NS, signature

    store = _store(os.path.dirname(os.path.abspath(path)))
    if store is None:
        return parse(path)
    key = os.path.abspath(path)
    try:
        sig = signature(os.stat(path))
    except OSError:
        return parse(path)
    kept = store.data.get(key)
    if isinstance(kept, tuple) and len(kept) == 3 and kept[0] == sig and max(sig[1], sig[2]) < kept[1] - RACY_NS:
        return kept[2]
    now = time.time_ns()
    data = parse(path)
    if _plain(data):
        store.data[key] = (sig, now, data)
        store.dirty = True
        store.save()
    return data


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, (str, int, float, bool))
