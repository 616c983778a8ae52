"""Reading the files of a run: their content hashes, from the stat index where it can be trusted,
and the facts of a changed file reused when its tokens say that nothing the extractor reads changed.
"""
from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

from importguard.cache.facts import content_hash
from importguard.cache.index import signature

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.cache.facts import FactsCache
    from importguard.cache.index import Entry, StatIndex
    from importguard.discovery.files import SourceFile


class Read(NamedTuple):
    file: SourceFile
    data: Optional[bytes]  # None when unreadable (``error``) or not read (the hash came from the index)
    error: Optional[str]
    digest: str  # the content hash ("" when unreadable)

    @property
    def ok(self) -> bool:
        return self.error is None


def read_source(path: Union[str, Path]) -> Tuple[Optional[bytes], Optional[str]]:
    try:
        # a FIFO named x.py would block open() for ever, a link to /dev/zero would fill memory
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None, "not a regular file"
        with open(path, "rb") as fh:
            return fh.read(), None
    except FileNotFoundError:
        return None, "file vanished or is a dangling link"
    except IsADirectoryError:
        return None, "is a directory"
    except PermissionError:
        return None, "permission denied"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"


def index_key(name: str, root: str) -> str:
    return name[len(root) + 1:] if name.startswith(root + os.sep) else name


def read_all(files: Sequence[SourceFile], index: Optional[StatIndex] = None, root: str = "") -> List[Read]:
    """Every file's content hash; with ``index``, a file whose entry is trusted is not even read."""
    from importguard.cache import watch

    out = []
    real_stat = watch.real_stat()  # the files trusted are named to the watch below, all at once
    trusted = []
    for f in files:
        sig = None
        if index is not None:
            try:
                st: Optional[os.stat_result] = real_stat(f.name)
            except OSError:
                st = None
            if st is not None and stat.S_ISREG(st.st_mode):
                sig = signature(st)
                known = index.trusted(index_key(f.name, root), sig)
                if known is not None:
                    out.append(Read(f, None, None, known))
                    trusted.append(f.name)
                    continue
        data, err = read_source(f.name)  # stat-ed again through the watch: seen as it is now
        digest = content_hash(data) if data is not None else ""
        if index is not None and sig is not None and data is not None:
            index.record(index_key(f.name, root), sig, digest)
        out.append(Read(f, data, err, digest))
    watch.seen_all(trusted)
    return out


def with_data(r: Read) -> Read:
    """``r`` with its bytes (read now when the index spared reading them)."""
    if r.data is not None or r.error is not None:
        return r
    data, err = read_source(r.file.name)
    return Read(r.file, data, err, content_hash(data) if data is not None else "")


def reuse_by_tokens(new: List[Read], digests: Dict[str, Tuple[str, str]], sems: Dict[str, str],
                    before: Sequence[Optional[Entry]], cache: FactsCache, tokens: bool = True
                    ) -> Tuple[List[Read], Dict[str, str]]:
    """The files of ``new`` (contents the cache has no facts digest for) whose facts must be
    extracted, and the semantic digest of each changed one (content hash -> digest).

    A file that changed (``before``: its stat index entry from an earlier run, with another content)
    and only gained blank lines and plain comments at its end (``extract.digest.appended_comments``)
    keeps the facts of its earlier content. Another changed file gets a semantic digest
    (``extract.digest``); when a content with the same digest had its facts extracted before, this
    content gets those facts (an alias in the facts cache) and its digests, without LibCST. A new
    file, or every file of a first run, is not tokenized: it has no earlier content to match.
    Without ``tokens`` no file is: another process is extracting them meanwhile (with Python's
    parser, in about the time the pure-Python tokenizer takes), and a content whose facts did not
    change keeps its results by its facts digest all the same."""
    from importguard.extract.digest import appended_comments, semantic_digest

    todo: List[Read] = []
    computed: Dict[str, str] = {}
    for r, prev in zip(new, before):
        was = prev is not None and prev[4] != r.digest
        if prev is not None and was and r.data is not None and prev[4] in digests \
                and appended_comments(r.data, prev[0], prev[4]):
            old = cache.get(prev[4])
            if old is not None and old.error is None:
                digests[r.digest] = digests[prev[4]]
                cache.alias(r.digest, prev[4])
                continue
        sem = semantic_digest(r.data) if tokens and was and r.data is not None else None
        if sem is None:
            todo.append(r)
            continue
        same = sems.get(sem)
        if same is not None and same != r.digest and same in digests:
            digests[r.digest] = digests[same]
            cache.alias(r.digest, same)
            continue
        computed[r.digest] = sem
        todo.append(r)
    return todo, computed


def remember_sems(sems: Dict[str, str], computed: Dict[str, str], extracted_ok: Sequence[str],
                  digests: Dict[str, Tuple[str, str]]) -> bool:
    """Record the semantic digests of the contents extracted without error; forget those whose
    content is no longer among the known digests. True when ``sems`` changed."""
    changed = False
    for digest in extracted_ok:
        sem = computed.get(digest)
        if sem is not None and sems.get(sem) != digest:
            sems[sem] = digest
            changed = True
    for k in [k for k, v in sems.items() if v not in digests]:
        del sems[k]
        changed = True
    return changed
