"""Measured import costs on disk, and the cheap read path the rules use.

``importguard cost`` writes ``costs.json`` in the cache folder: every record under a key made of
the interpreter's path and version, the module, and the versions of the distributions that
provide its top-level package (so upgrading a library measures it again), plus ``latest``, the
key of the last measurement of each module. ``importguard check`` reads only ``latest`` and
never runs anything: when the file does not exist it costs one ``stat``.

Standard library only, and only ``os`` at import time (this module is on the check path);
``json`` is imported only when the file exists.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional, Sequence

from importguard.model import CostRecord

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA = 1
FILE = "costs.json"
# How the rules write a cost into a message; ``check --sort cost`` reads it back.


def record_key(python: str, python_version: str, module: str, providers: Sequence[str]) -> str:
    import hashlib

    raw = "|".join((str(SCHEMA), python, python_version, module, *sorted(providers)))
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def cache_file(config) -> Path:
    from importguard.cache.facts import default_dir

    return default_dir(config.project_root, config.cache_dir) / FILE


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return {}
    import json

    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        return {}
    if not isinstance(data, dict) or data.get("version") != SCHEMA:
        return {}
    if not isinstance(data.get("records"), dict) or not isinstance(data.get("latest"), dict):
        return {}
    return data


def _record(value) -> Optional[CostRecord]:
    try:
        r = CostRecord(**value)
        r = r._replace(providers=tuple(r.providers), cumulative_ms=float(r.cumulative_ms),
                       self_ms=float(r.self_ms), memory_kb=int(r.memory_kb))
    except (TypeError, ValueError):
        return None
    return r


class CostStore:
    """The records of one cache file; ``save`` replaces the file atomically."""

    def __init__(self, path: Path):
        self.path = path
        data = _read(path)
        self.records: Dict[str, dict] = data.get("records", {})
        self.latest: Dict[str, str] = data.get("latest", {})

    def get(self, key: str) -> Optional[CostRecord]:
        value = self.records.get(key)
        return _record(value) if isinstance(value, dict) else None

    def put(self, key: str, record: CostRecord) -> None:
        self.records[key] = record._asdict()
        self.latest[record.module] = key

    def mark_latest(self, key: str, module: str) -> None:
        self.latest[module] = key

    def save(self) -> None:
        import json

        live = set(self.latest.values())
        if len(self.records) > 5000:  # forget measurements of old versions no module points at
            self.records = {k: v for k, v in self.records.items() if k in live}
        text = json.dumps({"version": SCHEMA, "records": self.records, "latest": self.latest},
                          indent=1, sort_keys=True)
        from importguard.cache.facts import write_cache_file

        write_cache_file(self.path, text.encode("utf-8"))


def costs_digest(config) -> str:
    """What the rules will read from the costs file, as a cache key part (the file's content hash)."""
    from importguard.cache.facts import content_hash

    try:
        with open(cache_file(config), "rb") as fh:
            return content_hash(fh.read())
    except OSError:
        return ""


def load_costs(config) -> Dict[str, CostRecord]:
    """The latest measurement of each module, from the cache file only (never measures)."""
    injected = config.extra.get("costs") if isinstance(getattr(config, "extra", None), dict) else None
    if injected is not None:
        return dict(injected)
    path = cache_file(config)
    if not path.is_file():
        return {}
    store = CostStore(path)
    out: Dict[str, CostRecord] = {}
    for module, key in store.latest.items():
        r = store.get(key)
        if r is not None and r.error is None:
            out[module] = r
    return out
