"""Facts by content hash, in one pack file per extraction fingerprint.

The pack is ``marshal`` data (fast to load, no imports), written to a temporary file and renamed
into place, so two runs sharing the folder (pre-commit runs hooks in parallel) never see a torn
file; a corrupt or foreign pack is ignored and rewritten.
"""
from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from importguard.model import Cycle, CycleEdge

if TYPE_CHECKING:
    from importguard.model import ModuleFacts

try:  # hashlib's blake2b, without importing OpenSSL's bindings (4 ms of every run's start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

# 14: files are read with ``ast`` where it can (``extract.fromast``), so a file LibCST rejects
# but Python accepts has facts now;
# 13: each file's facts a marshal blob of its own in the shard (decoded when first read);
# 12: an evaluated annotation a runtime fallback answers is a typing use of the TYPE_CHECKING
# import, names in pytest's skipif/xfail condition strings are uses; 10: statements without
# loads, typed events; 9: starred parameters' type comments; 8: file-level noqa recorded at line 0
SCHEMA = 14
_MAX_ENTRIES = 200_000
# path -> a store file's content read ahead (``preload``), taken by the first ``Store`` of that path
_preloaded: Dict[str, Dict[str, Any]] = {}


def forget_preloaded() -> None:
    """Drop what was read ahead and not taken (at the end of a run: a process may run again)."""
    _preloaded.clear()


def preload(path: Path) -> None:
    """Read a store file now, for the ``Store`` a later step of the run opens (a run reads ahead
    what it will need while a forked process parses the changed files): the same as reading it
    then, as far as concurrent writers go (they replace files whole)."""
    key = str(path)
    if key in _preloaded:
        return
    try:
        with open(path, "rb") as fh:
            loaded = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return
    if isinstance(loaded, dict):
        _preloaded[key] = loaded


def content_hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def fingerprint(*parts: str) -> str:
    from importguard import __version__

    raw = "|".join((str(SCHEMA), __version__, "%d.%d" % sys.version_info[:2], *parts))
    return blake2b(raw.encode(), digest_size=8).hexdigest()


def to_plain(f: ModuleFacts) -> tuple:
    imports = tuple(tuple(i[:-1]) + (tuple(tuple(u) for u in i.uses),) for i in f.imports)
    return (imports, tuple(map(tuple, f.classes)), tuple(map(tuple, f.functions)),
            tuple(map(tuple, f.type_checking)), tuple(map(tuple, f.statements)), f.all_names,
            f.future_annotations, f.noqa, f.error, _events_plain(f.events), f.dynamic, f.effects,
            f.expect_fail, f.string_refs, f.attributes)


def _events_plain(events) -> tuple:
    from importguard.factmodel import LazyEvents, events_to_plain

    if type(events) is LazyEvents:
        return events.plain()
    return tuple(map(events_to_plain, events))


def from_plain(t: tuple) -> ModuleFacts:
    """The facts ``to_plain`` made ``t`` of (``factmodel`` is imported only by a run that reads facts)."""
    from importguard.factmodel import facts_from_plain

    return facts_from_plain(t)


def _decode(raw: Any) -> ModuleFacts:
    return from_plain(marshal.loads(raw) if isinstance(raw, bytes) else raw)


class FactsRef:
    """A file's facts as the cache keeps them (a marshal blob), decoded when first read
    (``graph.ModuleInfo`` of a cached file holds one)."""

    __slots__ = ("_raw", "_facts")
    decoded = 0  # how many were read in this process (a run's statistics report it)

    def __init__(self, raw: bytes):
        self._raw: Optional[bytes] = raw
        self._facts: Optional[ModuleFacts] = None

    def value(self) -> ModuleFacts:
        got = self._facts
        if got is None:
            FactsRef.decoded += 1
            try:
                got = _decode(self._raw)
            except Exception:  # the shard decoded whole, so its blobs are what this version wrote
                from importguard.factmodel import failed_facts

                got = failed_facts("its cached facts cannot be read: run again with --no-cache")
            self._facts, self._raw = got, None
        return got

    def __eq__(self, other: object) -> bool:
        return self.value() == (other.value() if isinstance(other, FactsRef) else other)

    def __hash__(self) -> int:
        return hash(self.value())


def facts_digest(f: ModuleFacts) -> str:
    """The digest of a file's facts: two contents with equal facts (a comment appended, a blank
    line at the end) give equal digests, and every result computed from facts can be reused."""
    return blake2b(repr(to_plain(f)).encode(), digest_size=16).hexdigest()


def graph_part_digest(f: ModuleFacts) -> str:
    """The part of a file's facts the repository rules read (module-level statements, imports,
    module-level uses): an edit inside a function body leaves it alone."""
    raw = repr((f.statements, f.events, f.all_names, f.future_annotations, [i[:-1] for i in f.imports],
                [(u.dotted, u.line, u.kind, u.scope) for i in f.imports for u in i.uses if not u.scope]))
    return blake2b(raw.encode(), digest_size=16).hexdigest()


def config_key(config, cwd: Optional[Path] = None) -> str:
    """The configuration as a cache key part, without absolute paths: a checkout moved to another
    folder (a CI runner restoring a cache made elsewhere) gets the same key."""
    root = Path(config.project_root)
    cfg_file = config.config_file
    rel_file = None
    if cfg_file is not None:
        try:
            rel_file = os.path.relpath(str(cfg_file), str(root))
        except ValueError:
            rel_file = str(cfg_file)
    where = ""
    if cwd is not None:
        try:
            where = os.path.relpath(str(cwd), str(root))
        except ValueError:
            where = str(cwd)
    plain = config._replace(project_root=Path("."), config_file=None)
    return repr((plain, rel_file, where))


def run_digest(*parts) -> str:
    return "run:" + blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def cycles_to_plain(cycles) -> list:
    return [(c.modules, c.kind, c.path, tuple(tuple(e) for e in c.edges)) for c in cycles]


def cycles_from_plain(raw) -> list:
    return [Cycle(tuple(m), k, tuple(p), tuple(CycleEdge(*e) for e in es)) for m, k, p, es in raw]


def default_dir(project_root: Path, configured: Optional[str]) -> Path:
    if configured:
        p = Path(configured)
        return p if p.is_absolute() else project_root / p
    return project_root / ".importguard_cache"


class Store:
    """A small key -> marshal-able value store in one file, replaced atomically."""

    def __init__(self, path: Path, read: bool = True):
        """``read=False``: a store about to be replaced whole, its file not read."""
        self.path = path
        self.data: Dict[str, Any] = {}  # marshal's plain values, read back by their owners
        self.dirty = False
        self._groups: Optional[Dict[str, List[str]]] = None  # ``_grouped``
        if not read:
            return
        early = _preloaded.pop(str(path), None)
        if early is not None:
            self.data = early
            return
        try:
            # ``marshal.load`` of a file object reads it piece by piece through Python-level calls
            # (10x slower than decoding the bytes: 0.42 against 0.04 s for Django's facts)
            with open(path, "rb") as fh:
                loaded = marshal.loads(fh.read())
            if isinstance(loaded, dict):
                self.data = loaded
        except (OSError, EOFError, ValueError, TypeError):
            self.data = {}

    def remember(self, key: str, value: object, limit: int = 16) -> None:
        """Keep ``value`` under ``key``, dropping the oldest run results beyond ``limit``."""
        self.data.pop(key, None)
        self.data[key] = value
        runs = [k for k in self.data if k.startswith("run:")]
        for k in runs[:-limit]:
            del self.data[k]
        graphs = [k for k in self.data if k.startswith("graph:")]
        for k in graphs[:-limit]:
            del self.data[k]
        self.dirty = True

    def forget_old(self, prefix: str, used) -> None:
        """Keep the entries under ``prefix`` that this run and the run before used; drop the others."""
        prev_key = prefix + "previous"
        before = self.data.get(prev_key)
        keep = set(used) | set(before if isinstance(before, list) else ())
        if prefix.find(":") == len(prefix) - 1:  # "name:": the keys as they were grouped when first asked
            group = self._grouped().get(prefix, ())
            stale = [k for k in group if k != prev_key and k not in keep and k in self.data]
        else:
            stale = [k for k in self.data if k.startswith(prefix) and k != prev_key and k not in keep]
        for k in stale:
            del self.data[k]
        if stale or self.data.get(prev_key) != sorted(used):
            self.data[prev_key] = sorted(used)
            self.dirty = True

    def _grouped(self) -> Dict[str, List[str]]:
        """The keys by their part up to the first ":", as they were when first asked: a run's
        several ``forget_old`` calls scan the keys once (53,000 on a 6,000-file tree). A key added
        since is one the run used, which ``forget_old`` keeps anyway."""
        got = self._groups
        if got is None:
            got = self._groups = {}
            for k in self.data:
                at = k.find(":")
                got.setdefault(k[:at + 1] if at >= 0 else "", []).append(k)
        return got

    def save(self, keep: Optional[set] = None) -> None:
        if not self.dirty:
            return
        _preloaded.pop(str(self.path), None)  # read ahead before this write: older than it
        data = self.data
        if len(data) > _MAX_ENTRIES and keep is not None:
            data = {k: v for k, v in data.items() if k in keep}
        if any(type(v) is Encoded for v in data.values()):
            data = {k: marshal.loads(v.blob) if type(v) is Encoded else v for k, v in data.items()}
        write_cache_file(self.path, marshal.dumps(data))


class Encoded:
    """A value of a ``Store`` as marshal bytes, decoded only when the store is written: what a
    forked process computed for the store and this one only writes (``filecheck.Beside``), once
    the answer is printed (by the detached copy, ``engine.saving``). Read as anything else, it is
    a value of another kind: every reader of the store takes such a value as missing."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes):
        self.blob = blob


def write_cache_file(path: Path, data: bytes) -> bool:
    """``data`` into ``path`` of a cache folder (made, with its ``.gitignore``, if need be) through
    a temporary file renamed into place, so that a reader sees the old file or the new one whole.
    Whether it was written: a cache that cannot be written only costs time."""
    tmp = None
    try:
        ensure_dir(path.parent)
        # a name of its own, created exclusively, as ``tempfile.mkstemp`` does (whose import, with
        # ``random`` and ``shutil``, cost 5 ms of the run that writes the facts of a changed file)
        tmp = os.path.join(str(path.parent), ".tmp-" + os.urandom(8).hex())
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def ensure_dir(d: Path) -> None:
    if not d.is_dir():
        d.mkdir(parents=True, exist_ok=True)
    gi = d / ".gitignore"
    if not gi.exists():
        try:
            gi.write_text("# created by importguard\n*\n")
        except OSError:
            pass


class FactsCache:
    """Facts by content hash, in 256 shards (by the hash's first byte) loaded when first read: a run
    that needs the facts of one changed file reads and rewrites one small shard, not the whole
    cache."""

    SHARDS = 256

    def __init__(self, directory: Path, key: str):
        self.directory = directory / f"facts-{key}"
        self.shards: Dict[str, Store] = {}
        self.used: set = set()
        self.loaded = 0  # facts taken from the cache this run (tests and benchmarks read it)
        self.stored = 0  # facts put in this run

    def _shard(self, digest: str) -> Store:
        name = digest[:2]
        got = self.shards.get(name)
        if got is None:
            got = self.shards[name] = Store(self.directory / f"{name}.marshal")
        return got

    def _raw(self, digest: str) -> Tuple[str, Any]:
        raw = self._shard(digest).data.get(digest)
        if isinstance(raw, str):  # an alias: a content with the same facts (see ``alias``)
            self.used.add(digest)
            digest = raw
            raw = self._shard(digest).data.get(digest)
        return digest, raw

    def get(self, digest: str) -> Optional[ModuleFacts]:
        digest, raw = self._raw(digest)
        if not isinstance(raw, (bytes, tuple)):
            return None
        try:
            facts = _decode(raw)
        except Exception:
            return None
        self.used.add(digest)
        self.loaded += 1
        return facts

    def lazy(self, digest: str) -> Optional[FactsRef]:
        """The facts of ``digest``, decoded when first read (``FactsRef``); None when not cached.
        A run after an import change reads the facts of a few modules of the tree: the others
        cost the copy of their blob, not the making of their records."""
        digest, raw = self._raw(digest)
        if not isinstance(raw, bytes):
            return None
        self.used.add(digest)
        self.loaded += 1
        return FactsRef(raw)

    def put(self, digest: str, facts: ModuleFacts) -> None:
        shard = self._shard(digest)
        shard.data[digest] = marshal.dumps(to_plain(facts))
        shard.dirty = True
        self.used.add(digest)
        self.stored += 1

    def alias(self, digest: str, same: str) -> None:
        """Let ``digest`` find the facts stored under ``same`` (its tokens said they are equal)."""
        shard = self._shard(digest)
        if shard.data.get(digest) != same:
            shard.data[digest] = same
            shard.dirty = True
        self.used.update((digest, same))

    def save(self) -> None:
        for shard in self.shards.values():
            if len(shard.data) > _MAX_ENTRIES // self.SHARDS:
                shard.data = {k: v for k, v in shard.data.items() if k in self.used}
                shard.dirty = True
            shard.save()
