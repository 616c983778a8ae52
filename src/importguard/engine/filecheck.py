"""The per-file rules over every reported module, with each file's findings kept in the results
store: under a key of its component (valid while no file joined to it by imports changes), and
under a key of its own facts with what its check read (``analysis.context.Reads``: valid while
the modules it read and the answers of the queries it asked are unchanged)."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

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
    keys: Dict[str, Tuple[str, Optional[str]]] = {}
    delta = None
    if store is not None and file_digests:
        from importguard.engine.answerdelta import Delta

        delta = Delta(repo, store, modules, file_digests)
        # knowing what changed since the last run, each record valid then is checked against the
        # change (``Delta.holds``): the keys of the components are not needed (on a tree joined
        # by its imports, one component holds nearly every file and changes with any import, and
        # its search with the string links took 0.15 s of a 6,000-file tree's run)
        whole = not delta.usable
        keys = file_keys(modules, edges, config, cwd, file_digests, _string_links(repo, modules) if whole else (),
                         components=whole)
    used: List[str] = []
    kept = _Kept(modules, repo, file_digests or {})
    for info in modules.values():
        if info.path not in report_paths:
            continue
        own, component = keys.get(info.name) or (None, None)
        if own is not None:
            got = store.data.get(component) if component is not None else None
            if got is not None:
                if own in store.data:
                    used.append(own)  # kept for a run where the component changes
                    if delta is not None and component is not None and delta.carried(own, component):
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
                if component is not None:
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
        if own is not None:
            plain = [diagnostic_to_plain(d) for d in mine]
            if component is not None:
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


BESIDE = 1000  # from this many reported files a run forks the file checks (``check_beside``)
ENCODED = 1000  # a list or mapping of more items the child sends marshalled (``_check_here``)
_GONE: Any = object()


class Beside:
    """``check_files`` in a forked copy of this process, while this one runs the repository rules.

    After an import changed in a module that joins the whole tree, every file's kept findings are
    validated again (0.2 s on 6,000 files), and the repository rules run (the cycles, the import
    simulation's outcomes: 0.5 s); neither needs the other, so on a second core they overlap. The
    repository rules marked ``beside`` (the cycles' cuts: 0.07 s) run in the child too, after the
    files, so that both processes finish at about the same time; or here, when this process is
    done with its own rules while the child still checks files (``claimed``). The child sends back its findings
    and what it changed in the results store (the keys of the files' findings and of what their
    checks read, and the keys of its repository rules, which the rules run here never write); a
    child that fails changes nothing, and its work is done here. The parts and tallies of the
    indexes the checks built it writes itself (``cache.parts``: each part is kept under a digest of
    its inputs, so a shard this process writes again after it holds parts as valid). What else the
    child computed in memory (the answers of queries) this process computes again when it needs it."""

    def __init__(self, pid: int, fd: int, claim: Optional[int] = None):
        self.pid, self.fd = pid, fd
        self.claim = claim  # the read end of a pipe holding one byte: who reads it runs the rules beside

    def claimed(self) -> bool:
        """Take the repository rules marked ``beside`` from the child, when it has not started
        them yet (it is still checking files): this process is done with its own work first when
        the edit's simulation had little to judge. Then the child skips them."""
        if self.claim is None:
            return False
        try:
            return _took(self.claim)
        finally:
            os.close(self.claim)
            self.claim = None

    def cancel(self) -> None:
        """Stop the child (the run failed before it took the child's findings)."""
        import signal

        if self.claim is not None:
            os.close(self.claim)
            self.claim = None
        for step in (lambda: os.kill(self.pid, signal.SIGKILL), lambda: os.close(self.fd),
                     lambda: os.waitpid(self.pid, 0)):
            try:
                step()
            except OSError:  # gone already
                pass

    def take(self, store) -> Optional[Tuple[List[Diagnostic], Dict[str, List[Diagnostic]]]]:
        """The child's findings (the files', and each of its repository rules' by code), its
        changes applied to ``store``; None when it failed."""
        from importguard.engine.background import received

        got = received(self.fd, self.pid)
        try:
            plain, by_rule, changed, encoded, removed, counts, dirty = got
        except (TypeError, ValueError):
            return None
        data = store.data
        for k in removed:
            data.pop(k, None)
        data.update(changed)
        if encoded:
            from importguard.cache.facts import Encoded

            data.update((k, Encoded(blob)) for k, blob in encoded.items())
        if changed or encoded or removed or dirty:
            store.dirty = True
        LAST_RUN.update(counts)
        return ([diagnostic_from_plain(d) for d in plain],
                {code: [diagnostic_from_plain(d) for d in found] for code, found in by_rule.items()})


def rules_with_files(repo, rules, file_rules, modules: Dict[str, ModuleInfo], report_paths: Set[str], store,
                     cwd: Optional[Path], file_digests: Optional[Dict[str, str]], jobs: int,
                     ruled: Optional[Callable[[], None]] = None) -> Tuple[Optional[List[Diagnostic]], List[Diagnostic]]:
    """The repository rules' findings, in the rules' order, and the file checks' when a forked
    process made them beside (``filecheck.check_beside``: they need the cycles, not the repository
    rules' findings; the rules marked ``beside`` go with them), else None (check the files here).
    The contracts' findings come last; ``ruled`` is called once the rules run here are done."""
    repo_rules = [r for r in rules if r.scope == "repo"]
    there = [r for r in repo_rules if getattr(r, "beside", False)] if _long_rules(repo) else []
    beside = check_beside(repo, modules, file_rules, report_paths, store, cwd, file_digests, jobs, there)
    by_rule: Dict[str, List[Diagnostic]] = {}
    try:
        for rule in repo_rules:
            if beside is None or rule not in there:
                by_rule[rule.code] = list(rule.check_repo(repo))
        contracts: List[Diagnostic] = []
        if repo.config.contracts:  # (the contracts' modules cost 15 ms to import: not without any)
            from importguard.contracts import check as check_contracts

            contracts = check_contracts(repo.config, modules)
        if ruled is not None:
            ruled()
        if beside is not None and there and beside.claimed():
            for rule in there:
                by_rule[rule.code] = list(rule.check_repo(repo))
    except BaseException:
        if beside is not None:
            beside.cancel()
        raise
    got = beside.take(store) if beside is not None else None
    if got is not None:
        by_rule.update(got[1])
    for rule in repo_rules:  # the child failed: its rules run here
        if rule.code not in by_rule:
            by_rule[rule.code] = list(rule.check_repo(repo))
    return (got[0] if got is not None else None), [d for rule in repo_rules for d in by_rule[rule.code]] + contracts


def _long_rules(repo: RepoContext) -> bool:
    """Will the repository rules run here take longer than the file checks? After an edit of a
    module others import, the simulation judges the records of every entry that runs it (0.35 s
    on 6,000 files): the rules marked ``beside`` go with the file checks. After an edit of modules
    no module imports (a script, a command: the graph before the edit is known, ``graphdelta``),
    it has little to do, and they run here, while the child checks the files."""
    before = getattr(repo, "graph_before", None)
    if before is None:
        return True
    changed = set(before.edges)
    return any(e.target in changed for e in repo.edges)


def check_beside(repo: RepoContext, modules: Dict[str, ModuleInfo], file_rules, report_paths: Set[str], store,
                 cwd: Optional[Path], file_digests: Optional[Dict[str, str]], jobs: int,
                 repo_rules: Sequence[Any] = ()) -> Optional[Beside]:
    """``check_files`` and the ``repo_rules``' ``check_repo`` started in a forked process
    (``Beside``), when the run may use a second process, checks many files and keeps their
    findings; else None (all is done here)."""
    from importguard.analysis.simfork import can_fork
    from importguard.engine.background import fork_sending

    if jobs < 2 or store is None or not file_digests or len(report_paths) < BESIDE or not can_fork():
        return None
    claim = None
    if repo_rules:  # one byte in a pipe, its write end closed: the first of the two to read it runs them
        try:
            claim, token = os.pipe()
            os.write(token, b"x")
            os.close(token)
        except OSError:
            claim = None
    got = fork_sending(lambda: _check_here(repo, modules, file_rules, report_paths, store, cwd, file_digests,
                                           repo_rules, claim))
    if got is None:
        if claim is not None:
            os.close(claim)
        return None
    return Beside(got[0], got[1], claim)


def _took(claim: int) -> bool:
    """Did this process read the byte of ``claim`` (``check_beside``)? One of the two does; the
    other reads the end of the pipe."""
    try:
        return os.read(claim, 1) == b"x"
    except OSError:
        return False


def _check_here(repo: RepoContext, modules: Dict[str, ModuleInfo], file_rules, report_paths: Set[str], store,
                cwd: Optional[Path], file_digests: Optional[Dict[str, str]], repo_rules: Sequence[Any] = (),
                claim: Optional[int] = None) -> tuple:
    """(in the child) ``check_files`` and ``repo_rules``, and what they changed: the findings
    (plain: the files', and each repository rule's by code), the store's keys set (the large
    values marshalled) and removed,
    the counters changed, whether the store is to be written. With ``claim`` (``Beside.claimed``)
    the rules run only if this process reads its byte first."""
    before, stats, dirty = dict(store.data), dict(LAST_RUN), store.dirty
    out = check_files(repo, modules, file_rules, report_paths, store, cwd, file_digests)
    if claim is not None and not _took(claim):
        repo_rules = ()
    by_rule = {rule.code: [diagnostic_to_plain(d) for d in rule.check_repo(repo)] for rule in repo_rules}
    # the indexes' parts and tallies the checks built (who imports which name, ...) are written
    # here: lost, every later run that forks would build them again (2 s on 6,000 files). A shard
    # the run writes too is written after, with the parts of this same state
    parts = getattr(store, "parts", None)
    if parts is not None:
        parts.save()
    data = store.data
    changed = {k: v for k, v in data.items() if before.get(k, _GONE) is not v}
    # the large ones (the last state and the keys used, 250 KB each on 6,000 files) go as bytes:
    # the parent only writes them, and decodes them when it does, after its answer
    import marshal

    encoded = {}
    for k, v in list(changed.items()):
        if isinstance(v, (list, dict)) and len(v) > ENCODED:
            encoded[k] = marshal.dumps(changed.pop(k))
    removed = [k for k in before if k not in data]
    counts = {k: v for k, v in LAST_RUN.items() if stats.get(k, _GONE) != v}
    return ([diagnostic_to_plain(d) for d in out], by_rule, changed, encoded, removed, counts,
            store.dirty and not dirty)


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
