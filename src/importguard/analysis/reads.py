"""What a file's check reads of the repository (``Reads``, noted through ``Watched``), and the
answers of a query kept with the facts they were computed from (``runtime_footprint``): a kept
result is valid while what it read is unchanged. ``repo`` is an ``analysis.context.RepoContext``,
which imports this module (so it names no type of it)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, Optional, Set, Tuple

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo


class Reads:
    """What one file's check read of the repository beyond its own facts and the configuration:
    the modules whose facts it read, the answers of the repository's queries it asked (each
    answer stands for everything read to compute it), or ``everything`` (it walked every module,
    the edges or a repository-wide index). Its result stays valid while these are unchanged."""

    __slots__ = ("modules", "answers", "everything")

    def __init__(self) -> None:
        self.modules: Set[str] = set()
        self.answers: Dict[tuple, object] = {}
        self.everything = False


class Watched(dict):
    """The modules, noting in the current ``Reads`` which ones a file's check looks up; walking
    them all counts as reading everything. Membership tests read only the set of names, which
    every result's key holds."""

    reads: Optional[Reads] = None

    def __getitem__(self, name: str) -> ModuleInfo:
        if self.reads is not None:
            self.reads.modules.add(name)
        return dict.__getitem__(self, name)

    def get(self, name, default=None):
        if self.reads is not None:
            self.reads.modules.add(name)
        return dict.get(self, name, default)

    def _all(self) -> None:
        if self.reads is not None:
            self.reads.everything = True

    def __iter__(self):
        self._all()
        return dict.__iter__(self)

    def keys(self):
        self._all()
        return dict.keys(self)

    def values(self):
        self._all()
        return dict.values(self)

    def items(self):
        self._all()
        return dict.items(self)


def runtime_footprint(repo: Any, module: str, qualname: str) -> Tuple[bool, Optional[FrozenSet[str]]]:
    """(``class_is_runtime_evaluated``, the modules its computation read), computed once per run
    with a memo of its own, so that no part of the answer comes from a computation another file's
    check made (whose reads would go unnoted). A file's check notes the answer with these modules'
    facts digests: a kept result is then checked by comparing digests, without asking again. None
    for the modules when the computation read everything."""
    key = (module, qualname)
    got = repo._runtime_footprints.get(key)
    if got is not None:
        return got
    outer, memo = repo.reads, repo._runtime_classes
    mine = Reads()
    repo.record(mine)
    repo._runtime_classes = {}
    try:
        result = repo._class_is_runtime_evaluated(module, qualname)
    finally:
        repo._runtime_classes = memo
        repo.record(outer)
    got = (result, None if mine.everything else frozenset(mine.modules))
    repo._runtime_footprints[key] = got
    return got


def digests_of(repo: Any, names: Iterable[str]) -> Optional[tuple]:
    """((module, facts digest), ...) of ``names`` in order, or None when one is not known."""
    known, modules = repo.file_digests, repo.modules
    if known is None:
        return None
    out = []
    for name in sorted(names):
        info = dict.get(modules, name) if isinstance(modules, dict) else modules.get(name)
        digest = known.get(info.path) if info is not None else None
        if digest is None:
            return None
        out.append((name, digest))
    return tuple(out)


def footprint_holds(repo: Any, digests) -> bool:
    """Do the modules of ``digests`` ((module, facts digest), ...) still have these facts?"""
    if not isinstance(digests, tuple):
        return False
    try:
        return digests_of(repo, (m for m, _ in digests)) == digests
    except (TypeError, ValueError):
        return False
