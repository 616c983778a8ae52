"""Run ``importguard fix`` on real projects nobody here wrote, and check that nothing broke.

For each project (pinned sdists from ``../shared/corpora.sh``: click, jinja2, attrs):

1. copy the pristine source tree to ``~/.cache/importguard-bench/<name>-<mode>/``;
2. make a virtual environment (cached in ``~/.cache/importguard-bench/venv-<name>``) with the project's test
   dependencies from PyPI and the project itself installed (for its metadata; the tests import the
   copy's ``src/`` through ``PYTHONPATH``);
3. run the project's test suite on the pristine copy (the baseline);
4. ``importguard fix .`` on the whole copy, with the mode's options;
5. check: every file that compiled still compiles, ``importguard fix --diff .`` prints nothing,
   and the test suite passes as many tests as before with no new failure.

usage: python benchmarks/fix_real_code.py [--mode safe|unsafe-future|unsafe-quote|all] [--json OUT] [NAME ...]
Exit status 1 when a check fails in safe mode (unsafe mode is reported, not enforced).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = ROOT / "src"
# Outside the repository: a copy under it would fall under its .gitignore (`benchmarks/.work/`),
# which importguard honours, and nothing would be checked.
WORK = Path(os.environ.get("IMPORTGUARD_BENCH_WORK") or Path.home() / ".cache" / "importguard-bench")
CORPORA = ROOT.parent / "shared" / "corpora.sh"
if not CORPORA.exists():
    CORPORA = Path("/work/shared/corpora.sh")

PROJECTS = {
    # name: (test dependencies, test paths, pytest extra args)
    "click": (["pytest"], ["tests"], []),
    "jinja2": (["pytest", "trio", "MarkupSafe>=2.0"], ["tests"], []),
    "attrs": (["pytest", "hypothesis", "pympler", "cloudpickle"], ["tests"], ["-p", "no:randomly"]),
}
MODES = {
    "safe": [],
    "unsafe-future": ["--unsafe-fixes", "--annotation-strategy", "future"],
    "unsafe-quote": ["--unsafe-fixes", "--annotation-strategy", "quote"],  # only when asked for
}
DEFAULT_MODES = ["safe", "unsafe-future"]


def corpus(name: str) -> Optional[Path]:
    if not CORPORA.exists():
        return None
    proc = subprocess.run(["bash", str(CORPORA), name], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    return Path(proc.stdout.split()[1])


def venv_for(name: str, source: Path) -> Path:
    venv = WORK / f"venv-{name}"
    py = venv / "bin" / "python"
    marker = venv / ".ready"
    if marker.exists():
        return py
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    deps = PROJECTS[name][0]
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *deps],
                   check=True, timeout=900)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", str(source)],
                   check=True, timeout=900)
    marker.write_text("ok\n")
    return py


def importguard(args: List[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-m", "importguard", *args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=1200)


def compiling(tree: Path, python: Path) -> Dict[str, bool]:
    """Which .py files of ``tree`` compile under the venv's Python."""
    script = (
        "import sys, os, json, warnings\nwarnings.simplefilter('ignore')\nout = {}\n"
        "for d, dirs, files in os.walk(sys.argv[1]):\n"
        "    for f in files:\n"
        "        if f.endswith('.py'):\n"
        "            p = os.path.join(d, f)\n"
        "            try:\n"
        "                compile(open(p, 'rb').read(), p, 'exec', dont_inherit=True); out[p] = True\n"
        "            except (SyntaxError, ValueError):\n"
        "                out[p] = False\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run([str(python), "-c", script, str(tree)], capture_output=True, text=True, timeout=600)
    return {os.path.relpath(k, tree): v for k, v in json.loads(proc.stdout).items()}


def run_tests(name: str, tree: Path, python: Path) -> Dict[str, str]:
    """Outcome of every test: passed / failed / error / skipped."""
    _, paths, extra = PROJECTS[name]
    xml = tree / ".junit.xml"
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={xml}", *extra, *paths],
                   cwd=str(tree), env=env, capture_output=True, text=True, timeout=1800)
    return junit_outcomes(xml)


def junit_outcomes(xml: Path) -> Dict[str, str]:
    """``class::test`` -> passed / failed / error / skipped, from a JUnit XML file (removed)."""
    outcomes: Dict[str, str] = {}
    if not xml.exists():
        return outcomes
    for case in ET.parse(xml).iter("testcase"):
        key = f"{case.get('classname')}::{case.get('name')}"
        tags = {child.tag for child in case}
        outcomes[key] = ("failed" if "failure" in tags else "error" if "error" in tags
                         else "skipped" if "skipped" in tags else "passed")
    xml.unlink()
    return outcomes


def count(outcomes: Dict[str, str]) -> Dict[str, int]:
    out = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for v in outcomes.values():
        out[v] += 1
    return out


def diff_stat(before: Path, after: Path) -> Tuple[int, int, int]:
    proc = subprocess.run(["diff", "-r", "-u", "-x", ".junit.xml", "-x", "__pycache__", str(before), str(after)],
                          capture_output=True, text=True)
    files = sum(1 for ln in proc.stdout.splitlines() if ln.startswith("+++ "))
    plus = sum(1 for ln in proc.stdout.splitlines() if ln.startswith("+") and not ln.startswith("+++"))
    minus = sum(1 for ln in proc.stdout.splitlines() if ln.startswith("-") and not ln.startswith("---"))
    (after.parent / f"{after.name}.diff").write_text(proc.stdout)
    return files, plus, minus


def run_one(name: str, mode: str, source: Path, python: Path, tests: bool = True,
            baseline: Optional[Dict[str, str]] = None) -> dict:
    tree = WORK / f"{name}-{mode}"
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(source, tree)
    report: dict = {"project": name, "mode": mode}
    before_compile = compiling(tree, python)
    if tests and baseline is None:
        baseline = run_tests(name, tree, python)
    started = time.perf_counter()
    proc = importguard(["fix", "--no-cache", *MODES[mode], "."], tree)
    report["fix_seconds"] = round(time.perf_counter() - started, 2)
    report["fix_exit"] = proc.returncode
    report["fix_summary"] = (proc.stdout.strip().splitlines() or [""])[-1]
    report["fix_stderr"] = proc.stderr.strip().splitlines()[-20:]
    files, plus, minus = diff_stat(source, tree)
    report.update(files_changed=files, lines_added=plus, lines_removed=minus)
    after_compile = compiling(tree, python)
    report["newly_not_compiling"] = sorted(k for k, ok in before_compile.items() if ok and not after_compile.get(k))
    again = importguard(["fix", "--no-cache", "--diff", *MODES[mode], "."], tree)
    report["second_diff_empty"] = again.stdout == ""
    report["second_diff_head"] = again.stdout.splitlines()[:40]
    if tests:
        after = run_tests(name, tree, python)
        report["tests_before"] = count(baseline or {})
        report["tests_after"] = count(after)
        report["new_failures"] = sorted(k for k, v in after.items() if v in ("failed", "error")
                                        and (baseline or {}).get(k) not in ("failed", "error"))
        report["lost_tests"] = sorted(k for k in (baseline or {}) if k not in after)[:50]
    report["ok"] = (not report["newly_not_compiling"] and report["second_diff_empty"]
                    and (not tests or (not report["new_failures"]
                                       and report["tests_after"]["passed"] >= report["tests_before"]["passed"])))
    return report, baseline


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", default=list(PROJECTS))
    ap.add_argument("--mode", choices=[*MODES, "all"], default="all")
    ap.add_argument("--no-tests", action="store_true", help="skip the projects' test suites")
    ap.add_argument("--json", help="write the reports here")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    modes = DEFAULT_MODES if args.mode == "all" else [args.mode]
    reports = []
    failed = False
    for name in args.names:
        source = corpus(name)
        if source is None:
            print(f"{name}: corpus not available", file=sys.stderr)
            return 2
        python = venv_for(name, source) if not args.no_tests else Path(sys.executable)
        baseline = None
        for mode in modes:
            report, baseline = run_one(name, mode, source, python, tests=not args.no_tests, baseline=baseline)
            reports.append(report)
            print(json.dumps(report, indent=1))
            if mode == "safe" and not report["ok"]:
                failed = True
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2) + "\n")
    for r in reports:
        t = (f"tests {r['tests_before']['passed']}->{r['tests_after']['passed']} passed, "
             f"{len(r['new_failures'])} new failures") if "tests_before" in r else "tests not run"
        print(f"{r['project']:7} {r['mode']:14} {r['fix_summary']!r}; {r['files_changed']} files "
              f"+{r['lines_added']}/-{r['lines_removed']}; not compiling: {len(r['newly_not_compiling'])}; "
              f"second diff empty: {r['second_diff_empty']}; {t}; ok={r['ok']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
