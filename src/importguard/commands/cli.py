"""The ``importguard`` command line. Thin: parse options, call the engine, print."""
from __future__ import annotations

import os
import sys

# what a run that replays the last one's output (``fastlane``) imports is this module alone: the
# rest is imported where it is used (``typing`` and ``pathlib`` cost 20 ms of a 30 ms run)
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from pathlib import Path
    from typing import Any, Dict, List, Optional, Sequence

    from importguard.config.settings import Config

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _common(p: argparse.ArgumentParser, formats: Sequence[str], default_format: str, jobs: bool = True) -> None:
    """Options every command that reads the project takes (check, fix, graph, cost)."""
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    p.add_argument("--format", choices=formats, default=default_format,
                   help=f"output format (default: {default_format})")
    p.add_argument("--output-file", "--output", "-o", help="write the report to this file instead of stdout")
    p.add_argument("--config", help="pyproject.toml to read [tool.importguard] from")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    if jobs:
        p.add_argument("--jobs", "-j", type=int, default=0,
                       help="processes for parsing and for the import simulation (default: available cores)")
    p.add_argument("--quiet", "-q", action="store_true", help="print diagnostics only, no summary or progress")
    p.add_argument("--force-exclude", action="store_true",
                   help="apply the configured exclusions to files named on the command line too (pre-commit)")


def _rules(p: argparse.ArgumentParser) -> None:
    """Options that choose and tune the rules (check, fix)."""
    p.add_argument("--select", help="comma list of codes or prefixes to enable (e.g. IG1,IG300)")
    p.add_argument("--ignore", help="comma list of codes or prefixes to disable")
    p.add_argument("--extend-select", help="codes or prefixes to enable on top of the configured ones")
    p.add_argument("--target-version", help="Python version the code targets (py39 ... py315)")
    p.add_argument("--annotation-strategy", choices=("quote", "future"),
                   help="treat evaluated annotations as typing-only, made safe by quoting or by "
                        "`from __future__ import annotations`")


def _formatter() -> Any:
    """argparse's formatter, told the terminal's width without ``shutil`` (which imports zlib, bz2
    and lzma: 3 ms of every run, for a formatter each ``add_argument`` makes and drops)."""
    import argparse

    class _Formatter(argparse.HelpFormatter):
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                     width: Optional[int] = None) -> None:
            super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)

    return _Formatter


def _columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Unused:
    """Takes the options of a command this run does not parse."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        pass


def build_parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    """The parser of every command, or, given one, of that command alone (building all six costs
    a few milliseconds of each run; ``--help`` without a command lists them all). The usual
    ``check`` is read without it (``quickargs``)."""
    import argparse

    from importguard import __version__
    from importguard.commands.quickargs import FORMATS as CHECK_FORMATS

    formatter = _formatter()
    parser = argparse.ArgumentParser(
        prog="importguard",
        description="A whole-repository linter and fixer for Python imports.",
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"importguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help: str) -> Any:
        if command is not None and name != command:
            return _Unused()
        return sub.add_parser(name, help=help, formatter_class=formatter)

    p = add("check", "report unused, typing-only, cyclic and costly imports")
    _common(p, CHECK_FORMATS, "text")
    _rules(p)
    p.add_argument("--baseline", help="report only findings this baseline file does not hold")
    p.add_argument("--write-baseline", metavar="FILE", help="record today's findings in FILE and exit 0")
    p.add_argument("--extra-report", action="append", default=[], metavar="FORMAT=FILE",
                   help="also write the report in FORMAT (text, json, sarif, github, markdown) to FILE; repeatable")
    p.add_argument("--sort", choices=("path", "cost"), default="path", help="order of diagnostics")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p = add("fix", "apply fixes (LibCST codemods)")
    _common(p, ("text", "json"), "text")
    _rules(p)
    p.add_argument("--diff", action="store_true", help="print a unified diff and write nothing")
    p.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
    p = add("graph", "draw the module graph")
    _common(p, ("dot", "mermaid", "json", "html"), "dot")
    p.add_argument("--cycles-only", action="store_true", help="only modules and edges that take part in cycles")
    p.add_argument("--group", action="store_true", help="group modules by package")
    p = add("explain", "print a rule's documentation")
    p.add_argument("code", help="rule code, e.g. IG200")
    p = add("cost", "measure the import cost of the modules the code imports")
    _common(p, ("text", "json"), "text")
    p.add_argument("--entry", metavar="MODULE", help="measure the startup of one entry module")
    p.add_argument("--runs", type=int, default=5, help="fresh interpreters per measurement (median)")
    p.add_argument("--python", help="interpreter to measure with (default: this one)")
    return parser


def make_config(args: argparse.Namespace, cwd: Optional[Path] = None) -> Config:
    from pathlib import Path

    from importguard.config.settings import load_config, parse_codes, parse_version

    paths = getattr(args, "paths", None) or ["."]
    cwd = cwd or Path.cwd()
    from importguard.config import tomlcache

    tomlcache.ON = not getattr(args, "no_cache", True)
    start = Path(paths[0])
    start = start if start.is_absolute() else cwd / start
    config = load_config(start if start.exists() else cwd, Path(args.config) if args.config else None, cwd)
    changes: Dict[str, Any] = {}

    def opt(name: str) -> Optional[str]:  # each command takes only the options that mean something there
        return getattr(args, name, None)

    if opt("select"):
        changes["select"] = parse_codes("--select", args.select)
    if opt("extend_select"):
        extra = parse_codes("--extend-select", args.extend_select)
        changes["select"] = tuple(changes.get("select", config.select)) + extra
    if opt("ignore"):
        changes["ignore"] = parse_codes("--ignore", args.ignore)
    if opt("target_version"):
        changes["target_version"] = parse_version("--target-version", args.target_version)
    if opt("annotation_strategy"):
        changes["annotation_strategy"] = args.annotation_strategy
    if opt("baseline"):
        changes["baseline"] = args.baseline
    if opt("force_exclude"):
        changes["force_exclude"] = True
    return config.with_options(**changes)


def _use_color(args: argparse.Namespace) -> bool:
    if args.color == "always":
        return True
    if args.color == "never" or args.output_file or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def cmd_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from importguard.commands import fastlane
    from importguard.engine import leaving
    from importguard.engine.pipeline import check
    from importguard.report import formatter
    from importguard.report.output import emit

    # the process leaves right after the run: nothing of it need be freed (``fix`` analyses the
    # tree again after each round: what each round held would add up)
    leaving.ON = _LEAVES
    if _LEAVES:  # nor collected while it analyses from the cache (``collection``)
        from importguard import collection

        collection.pause()

    config = make_config(args)
    extras = extra_reports(args)
    result = check(args.paths or ["."], config, jobs=args.jobs, use_cache=not args.no_cache, need_facts=False)
    leaving.hold(result)  # its modules and edges
    diagnostics = result.diagnostics
    if args.write_baseline:
        from importguard.report.baseline import write_baseline

        write_baseline(Path(args.write_baseline), diagnostics, result.cycles)
        print(f"Wrote {len(diagnostics)} finding(s) to {args.write_baseline}", file=sys.stderr)
        return EXIT_CLEAN
    cycles = result.cycles
    baseline = baseline_path(args, config)
    if baseline is not None:
        from importguard.report.baseline import filter_baseline, filter_cycles

        diagnostics = filter_baseline(baseline, diagnostics)
        cycles = filter_cycles(baseline, cycles)
    if getattr(args, "sort", "path") == "cost":
        from importguard.report import sort_by_cost

        diagnostics = sort_by_cost(diagnostics)
    summary = {"files": result.files, "modules": result.module_count, "edges": result.edge_count,
               "diagnostics": len(diagnostics), "seconds": round(result.seconds, 3), "skipped": result.skipped}
    if args.quiet and args.format == "text":
        text = "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in diagnostics)
    else:
        text = formatter(args.format)(diagnostics, cycles, summary, color=_use_color(args), config=config)
    emit(text, args.output_file)
    for fmt, path in extras:
        extra = formatter(fmt)(diagnostics, cycles, summary, color=False, config=config)
        Path(path).write_text(extra, encoding="utf-8")
    code = EXIT_FINDINGS if diagnostics else EXIT_CLEAN
    if fastlane.ARGV is not None:
        from importguard.commands.fastrecord import record

        record(args, config, text, code)
    return code


def baseline_path(args: argparse.Namespace, config: Config) -> Optional[Path]:
    """``--baseline`` is relative to the current folder; ``baseline`` in config to the project root."""
    from pathlib import Path

    if args.baseline:
        return Path(args.baseline)
    if config.baseline:
        return config.project_root / config.baseline
    return None


def extra_reports(args: argparse.Namespace) -> List[tuple]:
    from importguard.config.settings import ConfigError
    from importguard.report import FORMATS

    out = []
    for raw in getattr(args, "extra_report", None) or []:
        fmt, sep, path = raw.partition("=")
        if not sep or not path or fmt not in FORMATS:
            raise ConfigError(f"--extra-report expects FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}, "
                              f"got {raw!r}")
        out.append((fmt, path))
    return out


def cmd_explain(args: argparse.Namespace) -> int:
    from importguard.rules import by_code

    rules = by_code()
    code = args.code.upper()
    rule = rules.get(code)
    if rule is None:
        print(f"importguard: unknown rule {args.code!r}; known: {', '.join(sorted(rules))}", file=sys.stderr)
        return EXIT_ERROR
    print(f"# {rule.code} {rule.name}\n")
    print(rule.doc())
    return EXIT_CLEAN


def cmd_fix(args: argparse.Namespace) -> int:
    from importguard.commands.fix import run_fix

    return run_fix(args, make_config(args))


def cmd_graph(args: argparse.Namespace) -> int:
    from importguard.report.graph import run_graph

    return run_graph(args, make_config(args))


def cmd_cost(args: argparse.Namespace) -> int:
    from importguard.cost.command import run_cost

    return run_cost(args, make_config(args))


COMMANDS = {"check": cmd_check, "fix": cmd_fix, "graph": cmd_graph, "explain": cmd_explain, "cost": cmd_cost}


def main(argv: Optional[List[str]] = None) -> int:
    from importguard.commands.quickargs import check_args
    from importguard.config.settings import ConfigError

    argv = sys.argv[1:] if argv is None else list(argv)
    args: Any = check_args(argv)
    if args is None:
        parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return EXIT_ERROR
    import gc

    # a run allocates hundreds of thousands of facts tuples that live until it ends, and none of
    # them is in a reference cycle: with the default thresholds the collector scans them again and
    # again (0.2 s of a 1.8 s run after an import change on Django); collect rarely instead
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), max(thresholds[1], 20), max(thresholds[2], 100))
    try:
        if args.command in ("check", "fix", "graph"):
            from importguard.engine import progress

            with progress.reporting(progress.wanted(args.quiet)):
                return COMMANDS[args.command](args)
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"importguard: configuration error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        return 130
    finally:
        from importguard.engine import leaving

        if leaving.ON:  # the process leaves now: no collection over the objects the run holds
            gc.disable()
        else:
            gc.set_threshold(*thresholds)


_LEAVES = False  # ``run`` sets it: the process ends with ``os._exit`` after ``main``


def run() -> None:
    """The console script (and ``python -m importguard``): ``main``, then leave without freeing the
    run's objects one by one. After a run that loaded the facts of a large tree, the interpreter's
    teardown takes 0.1 s and more (Django's 883 files: 0.12 s), and nothing of importguard needs
    it: the output is flushed here, the caches are written (atomically; a large tree's by a
    detached copy, ``engine.saving``, which the next run waits for), the worker processes joined.

    A ``check`` whose inputs are all as the same command's last run found them prints what that
    run printed, before anything else is imported (``fastlane``); any other is watched, so that
    the next one can (``cache.watch``)."""
    from importguard.commands import fastlane

    argv = sys.argv[1:]
    if os.name == "posix" and fastlane.wanted(argv):
        replayed = fastlane.replay(argv)
        if replayed is not None:
            os._exit(replayed)
        import time

        from importguard.cache import watch
        from importguard.cache.index import RACY_NS

        fastlane.ARGV, fastlane.T0 = argv, time.time_ns()  # before anything of the run is read
        watch.start(fastlane.T0 - RACY_NS)
    from importguard.engine import saving

    # not in CI (``CI`` is set by every major service) nor as a container's first process: there
    # the environment may end every process as soon as this one leaves, and the cache must be
    # whole for the next job
    saving.ON = not os.environ.get("CI") and os.getpid() != 1
    global _LEAVES
    _LEAVES = True  # it leaves with ``os._exit`` right after ``main``
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left (``| head``): what it wanted is written
        code = code or EXIT_FINDINGS
    except OSError:
        code = code or EXIT_ERROR
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
