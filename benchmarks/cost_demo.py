"""The IG400 workflow on a real example, as a new user would try it.

A small argparse CLI imports rich, httpx and sympy at module level but uses each in one
subcommand only. In a virtual environment with those libraries installed, this script:

1. times ``python -m democli --help`` (median of ``--runs`` fresh runs),
2. runs ``importguard cost --entry democli.cli`` and ``importguard cost`` (the project's .venv is
   found by itself),
3. runs ``importguard check --select IG400 --sort cost``,
4. applies ``importguard fix --select IG400 --unsafe-fixes``,
5. times ``--help`` again, and checks that every subcommand still works.

    python benchmarks/cost_demo.py [--runs 9] [--venv EXISTING_VENV] [--keep]

Needs PyPI (``pip install rich httpx sympy``) unless ``--venv`` points at an environment that has
them. Prints the figures; writes nothing outside a temporary folder.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

CLI = '''\
"""democli: greet, solve, fetch and show, from the command line."""
import argparse
import sys

import httpx
import sympy
from rich.console import Console
from rich.table import Table


def cmd_greet(args):
    print(f"hello {args.name}")


def cmd_solve(args):
    x = sympy.Symbol("x")
    print(sympy.solve(sympy.sympify(args.expr), x))


def cmd_fetch(args):
    try:
        r = httpx.get(args.url, timeout=2)
        print(r.status_code)
    except httpx.HTTPError as exc:
        print(f"fetch failed: {type(exc).__name__}")


def cmd_show(args):
    table = Table(title="numbers")
    table.add_column("n")
    table.add_column("n squared")
    for n in range(1, args.count + 1):
        table.add_row(str(n), str(n * n))
    Console(width=40).print(table)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="democli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("greet")
    p.add_argument("name")
    p.set_defaults(func=cmd_greet)
    p = sub.add_parser("solve")
    p.add_argument("expr")
    p.set_defaults(func=cmd_solve)
    p = sub.add_parser("fetch")
    p.add_argument("url")
    p.set_defaults(func=cmd_fetch)
    p = sub.add_parser("show")
    p.add_argument("--count", type=int, default=3)
    p.set_defaults(func=cmd_show)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
'''


def sh(cmd, cwd, env=None, check=True):
    proc = subprocess.run(cmd, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=900)
    if check and proc.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}")
    return proc


def startup(python: Path, proj: Path, runs: int) -> list:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sh([str(python), "-m", "democli.cli", "--help"], proj)
        times.append((time.perf_counter() - t) * 1000)
    return times


def behaviour(python: Path, proj: Path) -> list:
    cases = [["greet", "ann"], ["solve", "x**2 - 4"], ["fetch", "http://127.0.0.1:9/"], ["show", "--count", "2"]]
    return [sh([str(python), "-m", "democli.cli", *c], proj).stdout for c in cases]


def importguard(args, proj):
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("VIRTUAL_ENV", None)
    proc = sh([sys.executable, "-m", "importguard", *args], proj, env=env)
    return proc.stdout + proc.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--venv", help="an existing virtual environment with rich, httpx and sympy")
    ap.add_argument("--keep", action="store_true", help="keep the temporary project")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="importguard-cost-demo-"))
    try:
        proj = tmp / "democli"
        (proj / "democli").mkdir(parents=True)
        (proj / "pyproject.toml").write_text("[project]\nname = 'democli'\nrequires-python = '>=3.9'\n")
        (proj / "democli" / "__init__.py").write_text("")
        (proj / "democli" / "cli.py").write_text(CLI)
        venv = proj / ".venv"
        if opts.venv:
            os.symlink(Path(opts.venv).resolve(), venv)
        else:
            print("creating a virtual environment with rich, httpx and sympy ...", flush=True)
            sh([sys.executable, "-m", "venv", str(venv)], tmp)
            sh([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "rich", "httpx", "sympy"], tmp)
        python = venv / "bin" / "python"
        print(sh([str(python), "-m", "pip", "list", "--format", "freeze"], tmp).stdout.replace("\n", " "))
        sh([str(python), "-m", "democli.cli", "--help"], proj)  # warm the bytecode caches

        before_out = behaviour(python, proj)
        before = startup(python, proj, opts.runs)
        print(textwrap.indent(importguard(["cost", "--entry", "democli.cli", "--runs", "5"], proj), "  "))
        print(textwrap.indent(importguard(["cost", "--runs", "5"], proj), "  "))
        print(textwrap.indent(importguard(["check", "--select", "IG400", "--sort", "cost", "--no-cache"], proj), "  "))
        diff = importguard(["fix", "--select", "IG400", "--unsafe-fixes", "--diff", "--no-cache"], proj)
        print(textwrap.indent(diff, "  "))
        print(textwrap.indent(importguard(["fix", "--select", "IG400", "--unsafe-fixes", "--no-cache"], proj), "  "))
        sh([str(python), "-m", "democli.cli", "--help"], proj)
        after = startup(python, proj, opts.runs)
        after_out = behaviour(python, proj)
        assert before_out == after_out, (before_out, after_out)
        print(f"subcommands behave the same after the fix: {[o.strip()[:30] for o in after_out]}")
        mb, ma = statistics.median(before), statistics.median(after)
        print(f"`democli --help` start-up, median of {opts.runs} runs: before {mb:.0f} ms "
              f"(min {min(before):.0f}, max {max(before):.0f}), after {ma:.0f} ms "
              f"(min {min(after):.0f}, max {max(after):.0f}): {mb / ma:.1f}x faster")
        return 0
    finally:
        if opts.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
