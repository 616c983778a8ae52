"""Per-module parts of repository-wide indexes, kept in the results store between runs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo

_last: Optional[Tuple[object, str]] = None  # (the modules, their digest): several indexes of a run ask
# the module set digest -> a module's path -> (its facts digest, its name, the key of its parts):
# a run's indexes over the graph's modules and those over every module (scripts outside every
# root too) have two module sets, whose keys took turns in one memo (6,000 hashes a turn)
_by_path: Dict[str, Dict[str, Tuple[str, str, str]]] = {}


def names_digest(modules: Mapping[str, ModuleInfo]) -> str:
    """A digest of the set of modules: names, paths and kinds."""
    global _last
    if _last is not None and _last[0] is modules:
        return _last[1]
    import hashlib

    items = dict.items(modules) if isinstance(modules, dict) else modules.items()  # no read noted
    every = sorted((n, m.path, m.is_package) for n, m in items)
    digest = hashlib.blake2b(repr(every).encode(), digest_size=16).hexdigest()
    _last = (modules, digest)
    return digest


class Contributions:
    """What one module contributes to a repository-wide index, kept in the results store under
    its facts digest, its name and path and the set of module names (the index reads nothing
    else of the repository), so that after a change only the changed modules are read again."""

    def __init__(self, store, file_digests: Optional[Dict[str, str]], modules: Mapping[str, ModuleInfo],
                 prefix: str) -> None:
        self.store = store
        self.digests: Dict[str, str] = file_digests or {}
        self.prefix = prefix
        self.modules = modules
        self.used: List[str] = []
        self.names = names_digest(modules) if store is not None and self.digests else ""
        memo = _by_path.get(self.names)
        if memo is None:
            if len(_by_path) >= 4:  # (a process that checks several trees: the oldest set goes)
                del _by_path[next(iter(_by_path))]
            memo = _by_path[self.names] = {}
        self._memo: Dict[str, Tuple[str, str, str]] = memo
        self.parts = getattr(store, "parts", None)  # a ``cache.parts.Parts``: the parts kept apart

    @classmethod
    def of(cls, repo: Any, prefix: str) -> "Contributions":
        """For ``repo``, a ``RepoContext`` (or anything with its ``store``, ``file_digests`` and
        ``modules``: the context reads its indexes through here, so this module names no type of it)."""
        return cls(getattr(repo, "store", None), getattr(repo, "file_digests", None), repo.modules, prefix)

    def _key(self, name: str) -> Optional[str]:
        if not self.names:
            return None
        path = self.modules[name].path
        digest = self.digests.get(path)
        if digest is None:
            return None
        # the same for every index: each of a run's indexes asks it of every module
        memo = self._memo
        mine = memo.get(path)
        if mine is not None and mine[0] == digest and mine[1] == name:
            return self.prefix + mine[2]
        import hashlib

        got = hashlib.blake2b(repr((self.names, name, digest)).encode(), digest_size=16).hexdigest()
        memo[path] = (digest, name, got)
        return self.prefix + got

    def key_of(self, name: str, digest: Optional[str]) -> Optional[str]:
        """The key of ``name``'s part when its facts digest is ``digest`` (None: its digest now)."""
        if digest is None:
            return self._key(name)
        if not self.names:
            return None
        import hashlib

        return self.prefix + hashlib.blake2b(repr((self.names, name, digest)).encode(), digest_size=16).hexdigest()

    def get(self, name: str) -> Optional[list]:
        key = self._key(name)
        if key is None:
            return None
        got = self.get_kept(name, key)
        if got is not None:
            self.used.append(key)
        return got

    def put(self, name: str, found: list) -> list:
        key = self._key(name)
        if key is not None and self.store is not None:
            where = self.parts.shard(self.prefix, name) if self.parts is not None else self.store
            where.data[key] = tuple(found)
            where.dirty = True
            self.used.append(key)
        return found

    def done(self) -> None:
        """Keep the parts this run and the run before used; drop the others."""
        if not self.used or self.store is None:
            return
        if self.parts is None:
            self.store.forget_old(self.prefix, self.used)
            return
        data, previous = self.store.data, self.prefix + "previous"  # the list stays in the results store
        before = data.get(previous)
        self.parts.forget_old(self.prefix, set(self.used) | set(before if isinstance(before, list) else ()))
        used = sorted(self.used)
        if data.get(previous) != used:
            data[previous] = used
            self.store.dirty = True

    def keep(self, name: str) -> None:
        """Keep ``name``'s part as if this run had read it (it needed nothing from it)."""
        key = self._key(name)
        if key is not None:
            self.used.append(key)

    def get_kept(self, name: str, key: Optional[str]) -> Optional[list]:
        """The part kept under ``key`` (a key of ``name``'s part in an earlier run), if still kept;
        not counted as used."""
        if self.store is None or key is None:
            return None
        data = self.parts.shard(self.prefix, name).data if self.parts is not None else self.store.data
        got = data.get(key)
        return list(got) if isinstance(got, tuple) else None


TALLY_LIMIT = 256  # beyond this many changed parts a tally is counted again from every part


class Tally:
    """How many of the modules' parts hold each item, over the whole repository, kept between
    runs with the key of each module's part (``Contributions``): a run that finds the tally of
    an earlier run over the same module set takes away the items of each part whose key changed
    and adds those of its part now, instead of reading every part (the parts before are kept
    for a run, for this). Counts, not sets: a part taken away leaves an item another part holds.

    ``make(name)`` computes a module's part; ``items(part)`` lists its items (hashable, plain
    values marshal keeps: tuples, strings, booleans)."""

    def __init__(self, parts: Contributions, names: Iterable[str], make: Callable[[str], list],
                 items: Callable[[list], Iterable[Any]]) -> None:
        self.parts, self.names, self.make, self.items = parts, list(names), make, items
        self.rebuilt = False  # counted from every part this run (tests read it)

    def counts(self) -> Dict[Any, int]:
        c = self.parts
        keys = {name: c._key(name) for name in self.names}
        store = c.parts.tally(c.prefix) if c.parts is not None and c.store is not None else None
        if store is None or None in keys.values():
            return self._count(None, keys)
        kept = store.data
        old_keys, counts = kept.get("keys"), kept.get("counts")
        if (kept.get("names") != c.names or not isinstance(old_keys, dict) or not isinstance(counts, dict)
                or old_keys.keys() != keys.keys()):
            return self._count(store, keys)
        changed = [n for n, k in keys.items() if old_keys[n] != k]
        if len(changed) > TALLY_LIMIT:
            return self._count(store, keys)
        for name in changed:
            before = c.get_kept(name, old_keys[name])
            if before is None:  # dropped: counted again
                return self._count(store, keys)
            for item in self.items(before):
                left = counts.get(item, 0) - 1
                if left > 0:
                    counts[item] = left
                elif left == 0:
                    del counts[item]
                else:  # not the tally of those parts (another version wrote it): counted again
                    return self._count(store, keys)
            now = c.get(name)
            if now is None:
                now = c.put(name, self.make(name))
            for item in self.items(now):
                counts[item] = counts.get(item, 0) + 1
        c.used.extend(k for k in keys.values() if k is not None)  # every part stays: the next run may need it
        c.done()
        if changed:
            store.data = {"names": c.names, "keys": keys, "counts": counts}
            store.dirty = True
        return counts

    def _count(self, store, keys: Dict[str, Optional[str]]) -> Dict[Any, int]:
        c = self.parts
        self.rebuilt = True
        counts: Dict[Any, int] = {}
        for name in self.names:
            got = c.get(name)
            if got is None:
                got = c.put(name, self.make(name))
            for item in self.items(got):
                counts[item] = counts.get(item, 0) + 1
        c.done()
        if store is not None:
            store.data = {"names": c.names, "keys": keys, "counts": counts}
            store.dirty = True
        return counts


class Whole:
    """An index built from every module's part (in the modules' order), kept whole between runs
    with the key of each part and a digest of that order: a run whose changed parts equal the
    parts they replace takes the index as it was, without reading every part. An import added to
    a module that names nothing in strings leaves the index of names in strings as it was; on a
    6,000-file tree that saves reading 6,000 parts (30 ms) for each such index a run builds.

    ``make(name)`` computes a module's part; ``build()`` the index from every part (it reads them
    through the same ``Contributions``). The index must be a value marshal keeps."""

    def __init__(self, parts: Contributions, names: List[str], make: Callable[[str], list],
                 build: Callable[[], Any]) -> None:
        self.parts, self.names, self.make, self.build = parts, names, make, build

    def value(self) -> Any:
        import hashlib

        c = self.parts
        if c.parts is None or c.store is None:
            return self.build()
        keys = {name: c._key(name) for name in self.names}
        if None in keys.values():
            return self.build()
        order = hashlib.blake2b("\0".join(self.names).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        store = c.parts.tally("whole-" + c.prefix)
        kept = store.data
        old_keys = kept.get("keys")
        if (kept.get("names") == c.names and kept.get("order") == order and "value" in kept
                and isinstance(old_keys, dict) and old_keys.keys() == keys.keys()):
            changed = [n for n, k in keys.items() if old_keys[n] != k]
            if len(changed) <= TALLY_LIMIT and all(self._same(n, old_keys[n]) for n in changed):
                c.used.extend(k for k in keys.values() if k is not None)  # every part stays: a later run compares
                c.done()
                if changed:
                    kept["keys"] = keys
                    store.dirty = True
                return kept["value"]
        value = self.build()
        store.data = {"names": c.names, "order": order, "keys": keys, "value": value}
        store.dirty = True
        return value

    def _same(self, name: str, old_key: str) -> bool:
        """Is the part of ``name`` now (made and kept if need be) the part under ``old_key``?"""
        c = self.parts
        before = c.get_kept(name, old_key)
        if before is None:
            return False
        now = c.get(name)
        if now is None:
            now = c.put(name, self.make(name))
        return list(now) == before
