"""``importguard fix --unsafe-fixes --annotation-strategy future`` on large real projects.

For each corpus (Django 5.2.8, sympy 1.14.0, rich 15.0.0, httpx 0.28.1 from ../shared/corpora.sh):

1. copy the pristine sdist to ``~/.cache/importguard-bench/<name>-unsafe/``;
2. compile every ``.py`` file (which compiled before);
3. for rich and httpx, in a virtual environment with their runtime dependencies (cached in
   ``~/.cache/importguard-bench/venv-imports-<name>``), import every module of the package, each in a fresh
   interpreter, and record which import;
4. run the fix on the whole copy;
5. compile and import again: report files that no longer compile and modules that no longer
   import (with the error), plus whether a second run would change anything.

usage: python benchmarks/unsafe_fix_real_code.py [--json OUT] [--jobs N] [NAME ...]
Exit status 1 when a file stops compiling or a module stops importing.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fix_real_code import WORK, compiling, corpus, diff_stat, importguard  # noqa: E402

OPTIONS = ["--unsafe-fixes", "--annotation-strategy", "future"]
# name: (package folder inside the sdist, runtime dependencies for the import check)
PROJECTS = {
    "django": ("django", None),
    "sympy": ("sympy", None),
    "rich": ("rich", ["markdown-it-py>=2.2.0", "pygments>=2.13.0"]),
    "httpx": ("httpx", ["anyio", "certifi", "httpcore==1.*", "idna", "h11", "sniffio", "click", "pygments", "rich"]),
}


def venv_for(name: str, deps: List[str]) -> Path:
    venv = WORK / f"venv-imports-{name}"
    py = venv / "bin" / "python"
    if (venv / ".ready").exists():
        return py
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *deps],
                   check=True, timeout=900)
    (venv / ".ready").write_text("ok\n")
    return py


def modules_of(tree: Path, package: str) -> List[str]:
    out = []
    for p in sorted((tree / package).rglob("*.py")):
        parts = list(p.relative_to(tree).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if all(x.isidentifier() for x in parts):
            out.append(".".join(parts))
    return out


def import_one(python: Path, tree: Path, module: str) -> Optional[str]:
    """None when ``module`` imports in a fresh interpreter, else the last line of the error."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([str(python), "-c", f"import {module}"], cwd=str(tree), env=env,
                          capture_output=True, text=True, timeout=300)
    if proc.returncode == 0:
        return None
    return (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]


def imports(python: Path, tree: Path, package: str, jobs: int) -> Dict[str, Optional[str]]:
    mods = modules_of(tree, package)
    with cf.ThreadPoolExecutor(jobs) as pool:
        return dict(zip(mods, pool.map(lambda m: import_one(python, tree, m), mods)))


def run_one(name: str, jobs: int) -> dict:
    package, deps = PROJECTS[name]
    source = corpus(name)
    if source is None:
        return {"project": name, "error": "corpus not available"}
    tree = WORK / f"{name}-unsafe"
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(source, tree)
    report: dict = {"project": name, "options": OPTIONS}
    python = Path(sys.executable) if deps is None else venv_for(name, deps)
    before_compile = compiling(tree, python)
    before_imports = imports(python, tree, package, jobs) if deps is not None else None
    started = time.perf_counter()
    proc = importguard(["fix", "--no-cache", *OPTIONS, "."], tree)
    report["fix_seconds"] = round(time.perf_counter() - started, 1)
    report["fix_exit"] = proc.returncode
    report["fix_summary"] = (proc.stdout.strip().splitlines() or [""])[-1]
    report["fix_stderr_tail"] = proc.stderr.strip().splitlines()[-10:]
    report["traceback"] = "Traceback" in proc.stderr
    files, plus, minus = diff_stat(source, tree)
    report.update(files=len(before_compile), files_changed=files, lines_added=plus, lines_removed=minus)
    after_compile = compiling(tree, python)
    report["compiled_before"] = sum(before_compile.values())
    report["newly_not_compiling"] = sorted(k for k, ok in before_compile.items() if ok and not after_compile.get(k))
    if before_imports is not None:
        after_imports = imports(python, tree, package, jobs)
        report["modules"] = len(before_imports)
        report["imported_before"] = sum(v is None for v in before_imports.values())
        report["imported_after"] = sum(v is None for v in after_imports.values())
        report["newly_failing_imports"] = {m: after_imports.get(m) for m, err in before_imports.items()
                                           if err is None and after_imports.get(m) is not None}
        report["failing_before"] = {m: e for m, e in before_imports.items() if e is not None}
    again = importguard(["fix", "--no-cache", "--diff", *OPTIONS, "."], tree)
    report["second_diff_empty"] = again.stdout == ""
    report["second_diff_head"] = again.stdout.splitlines()[:30]
    report["ok"] = (not report["newly_not_compiling"] and not report.get("newly_failing_imports")
                    and not report["traceback"])
    return report


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", default=list(PROJECTS))
    ap.add_argument("--jobs", type=int, default=2, help="parallel imports (default 2)")
    ap.add_argument("--json", help="write the reports here")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    reports = []
    for name in args.names:
        report = run_one(name, args.jobs)
        reports.append(report)
        print(json.dumps(report, indent=1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2) + "\n")
    for r in reports:
        if "error" in r:
            print(f"{r['project']:7} {r['error']}", file=sys.stderr)
            continue
        imp = (f"imports {r['imported_before']}->{r['imported_after']} of {r['modules']}"
               if "modules" in r else "imports not checked")
        print(f"{r['project']:7} {r['fix_summary']!r} in {r['fix_seconds']} s; {r['files_changed']} files "
              f"+{r['lines_added']}/-{r['lines_removed']}; newly not compiling: {len(r['newly_not_compiling'])}; "
              f"{imp}; second diff empty: {r['second_diff_empty']}; ok={r['ok']}", file=sys.stderr)
    return 0 if all(r.get("ok") for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
