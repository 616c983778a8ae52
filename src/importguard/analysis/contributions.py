"""Per-module parts of repository-wide indexes, kept in the results store between runs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

if TYPE_CHECKING:
    from importguard.analysis.context import RepoContext


class Contributions:
    """What one module contributes to a repository-wide index, kept in the results store under
    its facts digest, its name and path and the set of module names (the index reads nothing
    else of the repository), so that after a change only the changed modules are read again."""

    def __init__(self, repo: RepoContext, prefix: str) -> None:
        self.store = getattr(repo, "store", None)
        self.digests: Dict[str, str] = getattr(repo, "file_digests", None) or {}
        self.prefix = prefix
        self.modules = repo.modules
        self.used: List[str] = []
        self.names = ""
        if self.store is not None and self.digests:
            import hashlib

            every = sorted((n, m.path, m.is_package) for n, m in self.modules.items())
            self.names = hashlib.blake2b(repr(every).encode(), digest_size=16).hexdigest()

    def _key(self, name: str) -> Optional[str]:
        if not self.names:
            return None
        digest = self.digests.get(self.modules[name].path)
        if digest is None:
            return None
        import hashlib

        raw = repr((self.names, name, digest)).encode()
        return self.prefix + hashlib.blake2b(raw, digest_size=16).hexdigest()

    def get(self, name: str) -> Optional[list]:
        key = self._key(name)
        if key is None or self.store is None:
            return None
        got = self.store.data.get(key)
        if isinstance(got, tuple):
            self.used.append(key)
            return list(got)
        return None

    def put(self, name: str, found: list) -> list:
        key = self._key(name)
        if key is not None and self.store is not None:
            self.store.data[key] = tuple(found)
            self.store.dirty = True
            self.used.append(key)
        return found

    def done(self) -> None:
        if self.used and self.store is not None:
            self.store.forget_old(self.prefix, self.used)
