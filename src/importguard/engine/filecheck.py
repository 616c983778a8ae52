"""The per-file rules over every reported module, with each file's findings kept in the results
store: under a key of its component (valid while no file joined to it by imports changes), and
under a key of its own facts with what its check read (``analysis.context.Reads``: valid while
the modules it read and the answers of the queries it asked are unchanged)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Set, Tuple

from importguard.engine.incremental import LAST_RUN, file_keys, forget_old
from importguard.model import Diagnostic, diagnostic_from_plain, diagnostic_to_plain

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.analysis.context import RepoContext
    from importguard.analysis.graph import ModuleInfo


def check_files(repo: RepoContext, modules: Dict[str, ModuleInfo], file_rules, report_paths: Set[str], store,
                cwd: Optional[Path], file_digests: Optional[Dict[str, str]]) -> List[Diagnostic]:
    """The findings of ``file_rules`` in the modules whose path is in ``report_paths``; with a
    ``store`` and ``file_digests`` (display path -> facts digest), a file whose findings are kept
    is not checked again."""
    from importguard.analysis.context import FileContext, Reads, ignored_by_path, suppressed

    config = repo.config
    edges = repo.edges
    cwd_text = str(cwd) if cwd is not None else None
    out: List[Diagnostic] = []
    keys = file_keys(modules, edges, config, cwd, file_digests, _string_links(repo, modules)) \
        if store is not None and file_digests else {}
    used: List[str] = []
    kept = _Kept(modules, repo, file_digests or {})
    delta = None
    if keys:
        from importguard.engine.answerdelta import Delta

        delta = Delta(repo, store, modules, file_digests or {})
    for info in modules.values():
        if info.path not in report_paths:
            continue
        own, component = keys.get(info.name) or (None, None)
        if own is not None and component is not None:
            got = store.data.get(component)
            if got is not None:
                if own in store.data:
                    used.append(own)  # kept for a run where the component changes
                    if delta is not None and delta.carried(own, component):
                        delta.valid_now.add(own)
            else:
                since = delta if delta is not None and delta.usable and delta.was_valid(own) else None
                got = kept.findings(store.data.get(own), since)
                if got is not None:
                    used.append(own)
                    if delta is not None:
                        delta.valid_now.add(own)
            if got is not None:
                out.extend(diagnostic_from_plain(d) for d in got)
                used.append(component)
                continue
        ctx = FileContext(repo, info)
        ignored = ignored_by_path(config, info.path, cwd_text)
        mine: List[Diagnostic] = []
        reads = Reads() if own is not None else None
        repo.record(reads)
        try:
            for rule in file_rules:
                if rule.stubs or not info.is_stub:
                    mine.extend(keep(info, rule.check(ctx), suppressed, ignored))
        finally:
            repo.record(None)
        out.extend(mine)
        if own is not None and component is not None:
            plain = [diagnostic_to_plain(d) for d in mine]
            store.data[component] = plain
            used.append(component)
            if reads is not None and not reads.everything:
                recorded = kept.plain(reads, info.name)
                if recorded is not None:
                    store.data[own] = [recorded, plain]
                    used.append(own)
                    if delta is not None:
                        delta.valid_now.add(own)
            store.dirty = True
        LAST_RUN["files_checked"] = LAST_RUN.get("files_checked", 0) + 1
    if keys:
        if delta is not None:
            delta.save()
        forget_old(store, "file:", used)
    return out


def _string_links(repo: RepoContext, modules: Dict[str, ModuleInfo]) -> List[Tuple[str, str]]:
    """(module, a module it names in a string): ``mock.patch("pkg.mod.name")`` reads ``pkg.mod``
    without importing it, and whether removing an import of ``pkg.mod`` is safe depends on it. Each
    module's part is kept with the index of such names (``SafetyIndex.string_names``)."""
    from importguard.analysis.contributions import Contributions
    from importguard.rules.safety_index import _string_names_of

    parts = Contributions.of(repo, "strings:")
    links: List[Tuple[str, str]] = []
    for name, info in dict.items(modules):
        got = parts.get(name)
        if got is None:
            got = parts.put(name, _string_names_of(name, info, modules))
        links.extend((name, named[0]) for named in got if named[0] != name)
    parts.done()
    return links


class _Kept:
    """A file's findings kept with what its check read (``Reads``): valid while each module it read
    has the same facts and each query it asked the same answer."""

    def __init__(self, modules: Dict[str, ModuleInfo], repo, file_digests: Dict[str, str]):
        self.modules, self.repo, self.file_digests = modules, repo, file_digests

    def digest(self, name: str) -> Optional[str]:
        info = self.modules.get(name)
        return None if info is None else self.file_digests.get(info.path)

    def plain(self, reads, name: str) -> Optional[tuple]:
        read = []
        for m in sorted(reads.modules):
            if m == name or m not in self.modules:
                continue  # its own facts and the set of names are in the key
            digest = self.digest(m)
            if digest is None:
                return None  # facts not cached (a transient failure): nothing to compare with
            read.append((m, digest))
        return tuple(read), tuple(reads.answers.items())

    def findings(self, got, since=None) -> Optional[list]:
        """The findings of a kept record, or None when what its check read changed. ``since``: an
        ``answerdelta.Delta`` when the record was valid in the last run's state, so that only the
        answers the change since can reach are asked again."""
        if not (isinstance(got, list) and len(got) == 2 and isinstance(got[0], tuple) and len(got[0]) == 2):
            return None
        (read, answers), plain = got
        for m, digest in read:
            if self.digest(m) != digest:
                return None
        if not (since.holds(answers) if since is not None else self.repo.answers_hold(answers)):
            return None
        if since is not None:
            LAST_RUN["files_kept_since_last_run"] = LAST_RUN.get("files_kept_since_last_run", 0) + 1
        LAST_RUN["files_kept_by_reads"] = LAST_RUN.get("files_kept_by_reads", 0) + 1
        return plain


def keep(info: ModuleInfo, diags: Iterable[Diagnostic], suppressed, ignored: Tuple[str, ...] = ()
          ) -> List[Diagnostic]:
    """The diagnostics no noqa comment and no ``per-file-ignores`` entry (``ignored``) silences."""
    facts = info.facts
    stmt_ranges = {(i.line, i.col + 1): (i.stmt_line, i.stmt_end_line) for i in facts.imports}
    kept = []
    for d in diags:
        if ignored and any(d.code.startswith(c) for c in ignored):
            continue
        lo, hi = stmt_ranges.get((d.line, d.column), (d.line, d.end_line or d.line))
        if not suppressed(facts, d, lo, hi):
            kept.append(d)
    return kept
