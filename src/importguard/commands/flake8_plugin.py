"""The flake8 plugin: ``IG`` codes inside ``flake8`` (entry point ``IG`` in ``flake8.extension``).

Loading this module imports nothing but the standard library: flake8 loads every plugin on every
run, and an import linter should not add ~0.5 s of libcst and networkx to that.

Each flake8 process (one per ``-j`` worker) analyses the whole project of the files it is handed
once, through the same engine and cache as ``importguard check``, so IG300 sees every cycle
however flake8 splits the work. A file is then reported from that analysis when flake8's text is
the text on disk; otherwise (stdin, an editor buffer) the per-file rules run on flake8's text.

A cycle is reported once, at the import the tool suggests to cut, like the CLI does. When that
import is in a file flake8 was not asked to check (``flake8 pkg/a.py``, as pre-commit runs it),
the cycle is reported in each checked member of the cycle, at its own import that closes it.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from importguard import __version__

_STATES: Dict[Tuple[str, str, Tuple[str, ...], str], "_Project"] = {}  # root, config, select, scope
_CONFIGS: Dict[str, Any] = {}  # folder -> Config, read once per process


class _Project:
    """One project's whole analysis, made once per process."""

    def __init__(self, config: Any, scope: Path):
        from importguard.engine.pipeline import check

        self.config = config
        self.root = Path(config.project_root).resolve()
        jobs = 1 if _in_daemon() else 0  # a multiprocessing worker may not start processes
        with _analysis_lock(config):
            self.result = check([str(scope)], config, jobs=jobs, cwd=self.root)
        self.by_path: Dict[str, list] = {}
        for d in self.result.diagnostics:
            self.by_path.setdefault(d.path, []).append(d)
        self.infos = {info.path: info for info in self.result.modules.values()}
        self._repo: Any = None

    def rel(self, filename: str) -> Optional[str]:
        try:
            return Path(os.path.abspath(filename)).relative_to(self.root).as_posix()
        except ValueError:
            return None

    def repo(self) -> Any:
        if self._repo is None:
            from importguard.analysis.context import RepoContext

            self._repo = RepoContext(self.config, self.result.modules, self.result.edges)
            self._repo.cycles = self.result.cycles
        return self._repo


@contextmanager
def _analysis_lock(config: Any) -> Iterator[None]:
    """``flake8 -j N`` starts N processes that each need the whole analysis: the first to get here
    makes it and fills the cache, the others wait for it and then read the cache, so each file is
    extracted once, not once per process. No lock where ``fcntl`` is missing (Windows) or the cache
    folder cannot be written: each process then analyses on its own, as before."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    from importguard.cache.facts import ensure_dir
    from importguard.engine.pipeline import cache_dir

    try:
        folder = cache_dir(config)
        ensure_dir(folder)
        fh = open(folder / "flake8.lock", "ab")
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except OSError:
            pass
        yield
    finally:
        fh.close()  # closing the file releases the lock


def _scope(path: Path, config: Any) -> Path:
    """The folder whose graph a file needs: its top-level package below its root (``django/`` for
    ``django/db/models/base.py``), so that each flake8 worker analyses that package rather than the
    whole project with its tests and docs; the root itself for a module at the top."""
    from importguard.discovery.roots import resolve_roots

    best: Optional[Path] = None
    for root in resolve_roots(config):
        try:
            rel = path.relative_to(root)
        except ValueError:
            continue
        if best is None or len(root.parts) > len(best.parts):
            best = root
            top = rel.parts[0] if len(rel.parts) > 1 else None
    if best is None:
        return Path(config.project_root).resolve()
    if config.contracts:  # contracts may name modules of every package below the root
        return best
    return best / top if top else best


class ImportGuardConfigError(Exception):
    """``[tool.importguard]`` cannot be read; flake8 shows this and exits non-zero."""


def _in_daemon() -> bool:
    import multiprocessing

    return bool(multiprocessing.current_process().daemon)


class ImportGuardPlugin:
    """flake8 calls ``run()`` once per file; it yields ``(line, col0, "IG100 message", type)``."""

    name = "importguard"
    version = __version__

    config_file: Optional[str] = None
    extra_select: Tuple[str, ...] = ()
    checked_paths: Tuple[str, ...] = ()

    def __init__(self, tree: Any, filename: str, lines: Sequence[str]):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    # ------------------------------------------------------------------ options
    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--importguard-config", parse_from_config=True, default=None, metavar="FILE",
            help="pyproject.toml whose [tool.importguard] configures the IG codes (default: the "
                 "project root's, found as `importguard check` finds it)")

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.config_file = getattr(options, "importguard_config", None) or None
        # IG codes the user asked flake8 for are computed too (IG400 is off unless selected);
        # flake8 itself then applies --select/--ignore/--extend-select to what comes back. A bare
        # `IG` only turns the plugin on (as `extend-select = IG` is written to enable a plugin):
        # it keeps importguard's own selection, so IG400 needs `IG4` or `IG400`
        asked: List[str] = []
        for attr in ("select", "extend_select"):
            for code in getattr(options, attr, None) or ():
                if code.upper().startswith("IG") and code.upper() != "IG":
                    asked.append(code.upper())
        cls.extra_select = tuple(asked)
        cls.checked_paths = tuple(os.path.abspath(p) for p in (getattr(options, "filenames", None) or ["."]))

    # ------------------------------------------------------------------ checking
    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        if not self.filename or self.filename in ("-", "stdin"):
            return
        project = self._project()
        if project is None:
            return
        rel = project.rel(self.filename)
        if rel is None:
            return
        if self._matches_disk():
            diagnostics = list(project.by_path.get(rel, ()))
        else:
            diagnostics = self._check_text(project, rel)
        diagnostics += self._cycles_elsewhere(project, rel)
        ignored = project.config.ignored_codes(os.path.abspath(self.filename))  # per-file-ignores
        for d in sorted(diagnostics, key=lambda d: d.sort_key()):
            if ignored and any(d.code.startswith(c) for c in ignored):
                continue
            yield d.line, max(d.column - 1, 0), f"{d.code} {d.message}", type(self)

    def _project(self) -> Optional[_Project]:
        from importguard.config.settings import ConfigError, load_config, parse_codes

        start = Path(os.path.abspath(self.filename)).parent
        try:
            config = _CONFIGS.get(str(start))
            if config is None:
                config = _CONFIGS[str(start)] = load_config(start, Path(self.config_file) if self.config_file else None)
            if self.extra_select:
                known = [c for c in self.extra_select if _known_code(c)]
                config = config.with_options(select=tuple(config.select) + parse_codes("--select", known))
        except ConfigError as exc:
            # an ordinary exception: flake8 reports it and stops (SystemExit would hang a -j worker pool)
            raise ImportGuardConfigError(f"importguard: configuration error: {exc}") from None
        scope = _scope(Path(os.path.abspath(self.filename)), config)
        key = (str(config.project_root), str(config.config_file), tuple(config.select), str(scope))
        if key not in _STATES:
            try:
                _STATES[key] = _Project(config, scope)
            except ConfigError as exc:  # a contract names a module that does not exist
                raise ImportGuardConfigError(f"importguard: configuration error: {exc}") from None
        return _STATES[key]

    def _matches_disk(self) -> bool:
        """Whether flake8's lines are the file on disk (not stdin or an unsaved buffer)."""
        import io
        import tokenize

        try:
            with open(self.filename, "rb") as fh:
                data = fh.read()
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            text = data.decode(encoding)
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
            return False
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        given = "".join(self.lines).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        return text == given

    def _check_text(self, project: _Project, rel: str) -> list:
        """Per-file rules on flake8's text, with the rest of the repository as analysed."""
        from importguard.analysis.context import FileContext, suppressed
        from importguard.analysis.graph import ModuleInfo
        from importguard.engine.filecheck import keep
        from importguard.extract import extract
        from importguard.rules import RULES

        facts = extract("".join(self.lines).encode("utf-8"))
        old = project.infos.get(rel)
        if old is not None:
            info = old._replace(facts=facts)
        else:
            from importguard.discovery.roots import module_name, resolve_roots

            abspath = Path(os.path.abspath(self.filename))
            info = ModuleInfo(module_name(abspath, resolve_roots(project.config)) or f"<{rel}>", rel,
                              abspath.name in ("__init__.py", "__init__.pyi"), facts)
        ctx = FileContext(project.repo(), info)
        out: list = []
        for rule in RULES:
            if rule.scope == "file" and project.config.enabled(rule.code) and (rule.stubs or not info.is_stub):
                out.extend(keep(info, rule().check(ctx), suppressed))
        # cycles and broken contracts found on disk still hold (same module, same imports) when their line is unchanged
        out.extend(d for d in project.by_path.get(rel, ()) if d.key.startswith(("cycle:", "contract:"))
                   and _has_import_at(facts, d.line, d.column))
        return out

    def _cycles_elsewhere(self, project: _Project, rel: str) -> list:
        """Cycles through this file whose reported import sits in a file flake8 does not check."""
        from importguard.model import Diagnostic

        info = project.infos.get(rel)
        if info is None:
            return []
        out = []
        for d in project.result.diagnostics:
            if not d.key.startswith("cycle:") or d.path == rel:
                continue
            members = d.key[len("cycle:"):].split(",")
            if info.name not in members or self._is_checked(project.root / d.path):
                continue
            for cyc in project.result.cycles:
                if list(cyc.modules) != members:
                    continue
                for e in cyc.edges:
                    if e.source == info.name and e.path == rel:
                        col = _edge_col(project.result.edges, e) or _import_col(info.facts, e.line)
                        msg = f"{d.message} (reported at {d.path}:{d.line})"
                        out.append(Diagnostic(rel, e.line, col, d.code, msg, key=d.key))
        return out

    def _is_checked(self, path: Path) -> bool:
        p = os.path.abspath(path)
        return any(p == c or p.startswith(c.rstrip(os.sep) + os.sep) for c in self.checked_paths)


def _known_code(code: str) -> bool:
    from importguard.config.settings import ALL_CODES

    return any(c.startswith(code) for c in ALL_CODES)


def _has_import_at(facts: Any, line: int, column: int) -> bool:
    return any(i.line == line and i.col + 1 == column for i in facts.imports)


def _edge_col(edges: Any, cycle_edge: Any) -> int:
    for e in edges:
        if (e.source, e.target, e.line) == (cycle_edge.source, cycle_edge.target, cycle_edge.line):
            return e.col + 1
    return 0


def _import_col(facts: Any, line: int) -> int:
    cols = [i.col for i in facts.imports if i.line == line or i.stmt_line == line]
    return (min(cols) + 1) if cols else 1
