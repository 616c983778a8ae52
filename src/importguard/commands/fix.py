"""``importguard fix``: check, apply fixes in memory, re-check, repeat; then write or diff.

Every round re-runs the rules on the repository as it would be after the previous rounds, so a
fix never acts on stale findings, and the loop ends when nothing fixable is left (idempotence: a
second run finds nothing to do). Files are written only at the end, atomically, with their mode,
encoding, BOM and line endings kept; a file that changed on disk meanwhile is left alone.
"""
from __future__ import annotations

import difflib
import functools
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from importguard.analysis.context import RepoContext
from importguard.analysis.graph import absolute_module
from importguard.discovery.files import SourceFile, discover
from importguard.engine.pipeline import analyse, default_jobs, load_facts, modules_from
from importguard.engine.reading import read_source
from importguard.extract import extract, on_big_stack
from importguard.fixers.apply import KINDS, CycleGuard, fix_module
from importguard.report.output import emit

if TYPE_CHECKING:
    from importguard.config.settings import Config
    from importguard.model import Diagnostic

MAX_ROUNDS = 8
FIX_FAILED = "the fix failed"
EXIT_CLEAN, EXIT_FINDINGS = 0, 1


# Breaking a cycle moves imports between modules: an architectural change, applied only when the
# user names the rule (``--select IG300``), not as part of ``--unsafe-fixes`` hygiene
OPT_IN = ("IG300",)
CYCLE_ROUNDS = 40  # one import is cut per cycle and round; large components need many rounds


def explicitly_selected(code: str, args) -> bool:
    from importguard.config.settings import parse_codes

    asked: List[str] = []
    for opt in ("select", "extend_select"):
        value = getattr(args, opt, None)
        if value:
            asked.extend(parse_codes(f"--{opt}", value))
    return any(code.startswith(c) and len(c) >= 3 for c in asked)


def wanted(d: Diagnostic, unsafe: bool, opt_in: Sequence[str] = ()) -> bool:
    if d.code in OPT_IN and d.code not in opt_in:
        return False
    fx = d.fix
    return fx is not None and fx.kind in KINDS and not fx.advice and (fx.safe or unsafe)


def refusal_key(d: Diagnostic) -> Tuple[str, str, str, str]:
    return (d.path, d.code, d.fix.kind if d.fix else "", d.fix.name if d.fix else "")


class FixRun:
    """The state of one ``importguard fix`` run over a set of files."""

    def __init__(self, files: Sequence[SourceFile], reported: Sequence[SourceFile], config: Config,
                 unsafe: bool, jobs: int = 0, use_cache: bool = True, opt_in: Sequence[str] = ()) -> None:
        self.config = config
        self.unsafe = unsafe
        self.opt_in = tuple(opt_in)
        self.files = list(files)
        self.reported = tuple(f.display for f in reported)
        self.by_display = {f.display: f for f in self.files}
        self.facts = load_facts(self.files, config, jobs=jobs, use_cache=use_cache)
        self.jobs = jobs or default_jobs()  # for the import simulation too
        self.original: Dict[str, bytes] = {}
        self.current: Dict[str, cst.Module] = {}
        self.fixed = 0
        self.refused: Dict[Tuple[str, str, str, str], Tuple[Diagnostic, str]] = {}
        self.unparsable: Dict[str, str] = {}
        self.diagnostics: List[Diagnostic] = []
        self.cycles: list = []

    def check(self) -> Tuple[List[Diagnostic], list]:
        modules = modules_from(self.files, self.facts)
        self.names = {m.path: name for name, m in modules.items()}
        diags, cycles, edges = analyse(modules, self.config, self.reported, jobs=self.jobs)
        self.edges = edges
        self.repo = RepoContext(self.config, modules, edges)
        self.module_names = list(modules)
        return diags, cycles

    def importer_of(self, module: str, name: str) -> Optional[str]:
        """A module of the run that imports ``name`` from ``module`` (a re-export), else None."""
        if not module or not self.repo.imported_from_package(module, name):
            return None
        for other, info in self.repo.modules.items():
            if other == module:
                continue
            for imp in info.facts.imports:
                if absolute_module(imp, other, info.is_package) == module and imp.name in (name, "*"):
                    return info.path
        return "another module"

    def _parse(self, display: str) -> Optional[cst.Module]:
        if display in self.current:
            return self.current[display]
        f = self.by_display[display]
        data, why = read_source(f.path)
        if data is None:
            self.unparsable[display] = why or "cannot read"
            return None
        try:
            module = cst.parse_module(data)
        except Exception:  # noqa: BLE001 - never touch a file LibCST cannot parse
            self.unparsable[display] = "cannot parse the file"
            return None
        if module.default_indent.strip(" \t"):  # LibCST refuses to build code with such an indent
            self.unparsable[display] = f"indented with {module.default_indent!r}; left alone"
            return None
        if module.bytes != data:  # the round trip must be exact, or we do not touch the file
            # LibCST drops the last newline of a file with old Mac (CR-only) line endings
            self.unparsable[display] = "LibCST cannot reproduce this file byte for byte; left alone"
            return None
        self.original[display] = data
        self.current[display] = module
        return module

    def round(self, diags: Sequence[Diagnostic]) -> bool:
        todo: Dict[str, List[Diagnostic]] = defaultdict(list)
        for d in diags:
            if wanted(d, self.unsafe, self.opt_in) and d.path in self.by_display:
                todo[d.path].append(d)
        guard = CycleGuard(self.edges)
        changed = False
        self.refused = {}  # the repository changed: what was refused may be possible now
        for display in sorted(todo):
            module = self._parse(display)
            if module is None:
                for d in todo[display]:
                    self.refused[refusal_key(d)] = (d, self.unparsable.get(display, "cannot parse the file"))
                continue
            f = self.by_display[display]
            facts = self.facts[f.name]
            name = self.names.get(display, "")
            try:
                out = fix_module(module, todo[display], facts, module_name=name if not name.startswith("<") else "",
                                 guard=guard, strategy=self.config.annotation_strategy,
                                 target_version=self.config.target_version,
                                 imported_elsewhere=functools.partial(self.importer_of, name))
            except Exception as exc:  # noqa: BLE001 - one file's failure never ends the run
                for d in todo[display]:
                    self.refused[refusal_key(d)] = (d, f"{FIX_FAILED} ({type(exc).__name__}: {exc}); file left alone")
                continue
            for d, reason in out.refused:
                self.refused[refusal_key(d)] = (d, reason)
            if out.module is not None:
                self.current[display] = out.module
                self.facts[f.name] = extract(out.module.bytes)
                self.fixed += len(out.applied)
                changed = True
        return changed

    def run(self) -> None:
        diags, cycles = self.check()
        for _ in range(CYCLE_ROUNDS if self.opt_in else MAX_ROUNDS):
            if not self.round(diags):
                break
            diags, cycles = self.check()
        self.diagnostics, self.cycles = diags, cycles

    def changes(self) -> List[Tuple[SourceFile, bytes, bytes]]:
        out = []
        for display in sorted(self.current):
            new = self.current[display].bytes
            if new != self.original[display]:
                out.append((self.by_display[display], self.original[display], new))
        return out


# ---------------------------------------------------------------------------- output
def unified_diff(display: str, before: bytes, after: bytes, encoding: str) -> str:
    a = before.decode(encoding, errors="replace").splitlines(keepends=True)
    b = after.decode(encoding, errors="replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, f"a/{display}", f"b/{display}"))
    return "".join(x if x.endswith(("\n", "\r")) else x + "\n\\ No newline at end of file\n" for x in lines)


def write_atomic(path: Path, expected: bytes, data: bytes) -> str:
    """Replace ``path``'s content by ``data`` (temp file + rename, mode kept); "" or the reason."""
    real = Path(os.path.realpath(path))
    try:
        with open(real, "rb") as fh:
            if fh.read() != expected:
                return "file changed on disk during the run; left alone"
        mode = os.stat(real).st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".importguard", dir=str(real.parent))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, real)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    return ""


def _run_and_collect(fr: FixRun) -> List[Tuple[SourceFile, bytes, bytes]]:
    fr.run()
    return fr.changes()


def remaining_on_disk(fr: FixRun, remaining: List[Diagnostic], unwritten: Sequence[SourceFile]) -> List[Diagnostic]:
    """The findings after a run in which some files could not be written: those files' own."""
    paths = {f.display for f in unwritten}
    for f in unwritten:
        fr.facts[f.name] = extract(fr.original[f.display])
    diags, _ = fr.check()
    return sorted([d for d in remaining if d.path not in paths] + [d for d in diags if d.path in paths],
                  key=lambda d: d.sort_key())


def run_fix(args, config: Config) -> int:
    from importguard.report import formatter

    unsafe = bool(getattr(args, "unsafe_fixes", False))
    remaining: List[Diagnostic] = []
    files, reported = discover(args.paths or ["."], config, None)
    opt_in = [c for c in OPT_IN if explicitly_selected(c, args)]
    fr = FixRun(files, reported, config, unsafe, jobs=args.jobs, use_cache=not args.no_cache, opt_in=opt_in)
    # LibCST's transformers and code generation recurse once per nesting level: deep but valid
    # files (sympy's resolvent_lookup.py) need more stack than the main thread has
    changes = on_big_stack(_run_and_collect, fr)
    remaining = fr.diagnostics
    err = sys.stderr
    out_parts: List[str] = []
    if args.diff:
        for f, before, after in changes:
            out_parts.append(unified_diff(f.display, before, after, fr.current[f.display].encoding))
    else:
        unwritten = []
        for f, before, after in changes:
            reason = write_atomic(f.path, before, after)
            if reason:
                unwritten.append(f)
                print(f"importguard: {f.display}: {reason}", file=err)
        if unwritten:  # their findings are still on disk: the run must not look clean
            changes = [c for c in changes if c[0] not in unwritten]
            remaining = remaining_on_disk(fr, remaining, unwritten)
    if not args.quiet:
        for d, reason in sorted(fr.refused.values(), key=lambda x: x[0].sort_key()):
            name = d.fix.name if d.fix is not None else None
            if any(r.path == d.path and r.code == d.code and (r.fix and r.fix.name) == name for r in remaining):
                print(f"{d.path}:{d.line}:{d.column}: {d.code} not fixed: {reason}", file=err)
    verb = "would be fixed" if args.diff else "fixed"
    summary_line = (f"{fr.fixed} {verb}, {len(remaining)} remaining "
                    f"({len(changes)} file{'s' if len(changes) != 1 else ''} "
                    f"{'would change' if args.diff else 'changed'})")
    if args.diff:
        if out_parts:
            emit("".join(out_parts), args.output_file)
        if not args.quiet:
            print(summary_line, file=err)
    else:
        summary = {"files": len(fr.reported), "modules": len(fr.files), "diagnostics": len(remaining),
                   "fixed": fr.fixed, "changed_files": len(changes)}
        if args.format == "json":
            emit(formatter("json")(remaining, fr.cycles, summary), args.output_file)
        elif not args.quiet:
            text = "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in remaining)
            emit(text + summary_line + "\n", args.output_file)
        else:
            emit("".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in remaining), args.output_file)
    return EXIT_FINDINGS if remaining or (args.diff and changes) else EXIT_CLEAN
