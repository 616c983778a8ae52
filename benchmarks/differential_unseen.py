#!/usr/bin/env python3
"""Differential check of importguard on popular projects outside its test corpora.

usage:
  python benchmarks/differential_unseen.py [--src PATH] [--out DIR] [NAME ...]
  python benchmarks/differential_unseen.py --fix-tests [--src PATH] [--out DIR] [NAME ...]
  (add --set second for the second list of eight projects, --set third for the third of six)

Check mode (default), for each pinned project below:

1. ``pip download --no-deps --no-binary NAME NAME==VERSION`` (the project's sdist; its build backend
   may come as a wheel) into a cache outside the repository
   (``$IMPORTGUARD_UNSEEN_CACHE``, default ``~/.cache/importguard-unseen``) and unpack it once;
2. ``python -m importguard check . --no-cache --format json`` (``PYTHONPATH`` = the importguard
   ``src`` under test, ``--src``, default this checkout's) on the whole unpacked tree, and the
   same in text format to see which findings carry a safe fix (``[*]``);
3. ``ruff check --select F401,TC001,TC002,TC003,TC004,TC005 --output-format json --no-cache`` on
   the same tree, with the project's own ruff configuration (ruff 0.17.6 when this was written);
4. ``importguard fix --diff .`` (safe fixes only): the patch a user would get;
5. writes ``OUT/NAME.json``: counts, the disagreements (IG100 vs F401, IG200 vs TC001-TC003,
   IG201 vs TC004, IG202 vs TC005, matched by path, line and code), every finding importguard
   marks fixable (safe or unsafe) and the files the safe fix would change. The patch itself goes
   to the cache (``CACHE/results/LABEL/NAME.diff``): the projects' code is never committed.

Fix-tests mode (``--fix-tests``), for the projects with an offline test suite below: copy the
tree, make a venv per project with its test dependencies (cached), run the suite, run
``importguard fix .`` (safe fixes only), check every file still compiles, run the suite again (no
test newly failing) and that a second ``importguard fix --diff .`` prints nothing. Writes
``OUT/fix-NAME.json``. Pieces shared with ``fix_real_code.py`` are imported from it.

Projects run one after another, importguard with ``--jobs 1`` unless ``--jobs`` says otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = Path(os.environ.get("IMPORTGUARD_UNSEEN_CACHE", Path.home() / ".cache" / "importguard-unseen"))

# name: (version, pytest paths or None when the suite is not run offline, extra test deps,
#        extra pytest args, why not run)
PROJECTS: Dict[str, tuple] = {
    "flask": ("3.1.3", ["tests"], ["pytest<9", "asgiref", "python-dotenv"], [], ""),
    "werkzeug": ("3.1.9", ["tests"], ["pytest", "pytest-timeout", "ephemeral-port-reserve", "watchdog",
                                      "cryptography", "greenlet"], ["-p", "no:randomly"], ""),
    "starlette": ("1.10.0", ["tests"], ["pytest", "starlette[full]==1.10.0", "httpx2[zstd]", "trio", "blockbuster",
                                        "opentelemetry-sdk", "importlib-metadata"], [], ""),
    "anyio": ("4.16.0", None, [], [], "large suite on real sockets, threads and event-loop timing"),
    "trio": ("0.35.0", None, [], [], "its tests need a long list of linters and the network-adjacent SSL stack"),
    "marshmallow": ("4.4.0", ["tests"], ["pytest", "simplejson"], [], ""),
    "pluggy": ("1.7.0", ["testing"], ["pytest"], [], ""),
    # black: the suite that reads tests/data
    "black": ("26.10.1", ["tests/test_format.py"], ["pytest", "aiohttp"], ["-W", "ignore"], ""),
    "tornado": ("6.6.1", None, [], [], "unittest suite tied to the installed C extension and real sockets"),
    "requests": ("2.34.2", None, [], [], "part of its suite reaches the network"),
    "pytest": ("9.2.0", None, [], [], "several thousand tests, too long for the shared machine"),
    "typer": ("0.29.2", ["tests"], ["pytest", "coverage", "rich", "shellingham"],
              ["--ignore=tests/test_tutorial", "--ignore=tests/test_cli"], ""),  # those two run CLIs in subprocesses
}
# A second set, none of them in the list above nor among the test corpora (django, sympy, rich, httpx,
# click, jinja2, attrs): ``--set second``, cached under ``~/.cache/importguard-unseen2``.
PROJECTS_SECOND: Dict[str, tuple] = {
    "fastapi": ("0.165.0", None, [], [], "its suite needs databases, many optional packages and minutes"),
    "urllib3": ("2.8.0", None, [], [], "its suite starts real servers (tornado, trustme) and is long"),
    "packaging": ("26.4", ["tests"], ["pytest", "pretend"], [], ""),
    "more-itertools": ("11.2.1", ["tests"], ["pytest"], [], ""),
    "boltons": ("26.2.0", ["tests"], ["pytest"], [], ""),
    "pygments": ("2.21.0", None, [], [], "several thousand snapshot tests, too long for the shared machine"),
    "sphinx": ("9.0.4", None, [], [], "several thousand tests, too long for the shared machine"),
    "httpie": ("3.2.4", None, [], [], "part of its suite reaches the network"),
}
# A third set, in none of the lists above nor among the test corpora: ``--set third``, cached under
# ``~/.cache/importguard-unseen3``.
PROJECTS_THIRD: Dict[str, tuple] = {
    "networkx": ("3.6.1", ["networkx"], ["pytest"], [], ""),  # numpy, scipy, ... absent: those tests skip
    # test_md_in_html.py: its unittest `TestSuite` class with an `__init__` is a collection error under pytest
    "markdown": ("3.11.3", ["tests"], ["pytest", "pyyaml"],
                 ["--ignore=tests/test_syntax/extensions/test_md_in_html.py"], ""),
    "sqlparse": ("0.6.1", ["tests"], ["pytest"], [], ""),
    "tomlkit": ("0.15.3", ["tests"], ["pytest", "pyyaml"], [], ""),
    "cachetools": ("8.0.2", ["tests"], ["pytest"], [], ""),
    "isort": ("9.0.2", ["tests/unit"], ["pytest", "hypothesis", "colorama", "black", "toml"], [], ""),
}
SETS = {"first": (PROJECTS, CACHE),
        "second": (PROJECTS_SECOND, Path(os.environ.get("IMPORTGUARD_UNSEEN2_CACHE",
                                                        Path.home() / ".cache" / "importguard-unseen2"))),
        "third": (PROJECTS_THIRD, Path(os.environ.get("IMPORTGUARD_UNSEEN3_CACHE",
                                                      Path.home() / ".cache" / "importguard-unseen3")))}
RUFF_TO_IG = {"F401": "IG100", "TC001": "IG200", "TC002": "IG200", "TC003": "IG200",
              "TC004": "IG201", "TC005": "IG202"}
COMPARED = ("IG100", "IG200", "IG201", "IG202")
TEXT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>IG\d{3})(?P<safe> \[\*\])? ")


def fetch(name: str) -> Path:
    """Unpacked pristine source tree of the pinned sdist (downloaded once)."""
    version = PROJECTS[name][0]
    sdists = CACHE / "sdists"
    unpacked = CACHE / "src"
    sdists.mkdir(parents=True, exist_ok=True)
    unpacked.mkdir(parents=True, exist_ok=True)

    def find() -> Optional[Path]:
        for p in sdists.iterdir():
            low = p.name.lower().replace("_", "-")
            name_low = name.lower().replace("_", "-")
            if low.startswith(f"{name_low}-{version}.") and p.name.endswith((".tar.gz", ".zip")):
                return p
        return None

    archive = find()
    if archive is None:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", name,
                        f"{name}=={version}", "-d", str(sdists)], check=True, timeout=900)
        archive = find()
        if archive is None:
            raise SystemExit(f"{name}: no sdist for {version}")
    tree = unpacked / f"{name}-{version}"
    if not tree.exists():
        tmp = unpacked / f".{name}-{version}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        if archive.name.endswith(".zip"):
            shutil.unpack_archive(str(archive), str(tmp))
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(tmp)  # noqa: S202 - pinned release from the registry
        (top,) = list(tmp.iterdir())
        top.rename(tree)
        tmp.rmdir()
    return tree


def ig_env(src: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    env.pop("IMPORTGUARD_CACHE_DIR", None)
    return env


def run_importguard(src: Path, tree: Path, jobs: int) -> tuple:
    env = ig_env(src)
    base = [sys.executable, "-m", "importguard", "check", ".", "--no-cache", "--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.run([*base, "--format", "json"], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=1800)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"importguard failed on {tree}: {proc.stderr[-2000:]}")
    data = json.loads(proc.stdout)
    if all(isinstance(d.get("fix"), dict) or (not d.get("fixable") and "fix" in d) for d in data["diagnostics"]):
        text = subprocess.CompletedProcess([], 0, "", "")  # the JSON says how safe each fix is
    else:
        text = subprocess.run([*base, "--format", "text", "--color", "never"], cwd=tree, env=dict(env, NO_COLOR="1"),
                              capture_output=True, text=True, timeout=1800)
    safe = set()
    for ln in text.stdout.splitlines():
        m = TEXT_LINE.match(ln)
        if m and m.group("safe"):
            safe.add((m.group("path"), int(m.group("line")), int(m.group("col")), m.group("code")))
    diags = []
    for d in data["diagnostics"]:
        key = (d["path"], d["line"], d["column"], d["code"])
        obj = d.get("fix")
        if isinstance(obj, dict):  # newer JSON: the fix object says how safe it is
            fix = {"safe": "safe", "unsafe": "unsafe"}.get(obj.get("applicability"), "none")
        else:  # older JSON: `[*]` in the text output marks the safe fixes
            fix = "safe" if key in safe else "unsafe" if d.get("fixable") else "none"
        diags.append({"code": d["code"], "path": d["path"], "line": d["line"], "column": d["column"],
                      "message": d["message"], "fix": fix,
                      "reason": obj.get("reason", "") if isinstance(obj, dict) else ""})
    return diags, round(seconds, 2)


def run_ruff(tree: Path) -> List[dict]:
    proc = subprocess.run(["ruff", "check", "--select", ",".join(RUFF_TO_IG), "--output-format", "json",
                           "--no-cache", "--no-fix", "--exit-zero", "."],
                          cwd=tree, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise SystemExit(f"ruff failed on {tree}: {proc.stderr[-2000:]}")
    out = []
    for d in json.loads(proc.stdout):
        if d.get("code") not in RUFF_TO_IG:
            continue
        fix = (d.get("fix") or {}).get("applicability") or "none"
        line = d["location"]["row"]
        if d["code"] == "TC005":  # ruff points at the `pass`, importguard at the `if`
            lines = Path(d["filename"]).read_text(encoding="utf-8", errors="replace").splitlines()
            while line > 1 and not re.match(r"\s*if\b.*TYPE_CHECKING", lines[line - 1]):
                line -= 1
        out.append({"code": d["code"], "ig": RUFF_TO_IG[d["code"]],
                    "path": os.path.relpath(d["filename"], tree).replace(os.sep, "/"),
                    "line": line, "message": d["message"], "fix": fix})
    return out


def run_fix_diff(src: Path, tree: Path, jobs: int) -> tuple:
    proc = subprocess.run([sys.executable, "-m", "importguard", "fix", "--diff", "--no-cache", "--jobs", str(jobs),
                           "."], cwd=tree, env=ig_env(src), capture_output=True, text=True, timeout=1800)
    files = sorted({ln[4:].split("\t")[0].strip() for ln in proc.stdout.splitlines() if ln.startswith("+++ ")})
    refused = [ln for ln in proc.stderr.splitlines() if " not fixed: " in ln]
    return proc.stdout, files, refused


def compare(ruff: List[dict], ours: List[dict]) -> dict:
    ours = [d for d in ours if d["code"] in COMPARED]
    rk = Counter((d["path"], d["line"], d["ig"]) for d in ruff)
    ok = Counter((d["path"], d["line"], d["code"]) for d in ours)
    only_ruff, only_ours = rk - ok, ok - rk
    per_code = {}
    for code in COMPARED:
        per_code[code] = {
            "ruff": sum(v for k, v in rk.items() if k[2] == code),
            "importguard": sum(v for k, v in ok.items() if k[2] == code),
            "both": sum(v for k, v in (rk & ok).items() if k[2] == code),
            "only_ruff": sum(v for k, v in only_ruff.items() if k[2] == code),
            "only_importguard": sum(v for k, v in only_ours.items() if k[2] == code),
        }
    return {
        "per_code": per_code,
        "only_ruff": [d for d in ruff if only_ruff[(d["path"], d["line"], d["ig"])] > 0],
        "only_importguard": [d for d in ours if only_ours[(d["path"], d["line"], d["code"])] > 0],
    }


def check_one(name: str, src: Path, out: Path, label: str, jobs: int) -> dict:
    tree = fetch(name)
    files = sum(1 for p in tree.rglob("*.py"))
    ours, seconds = run_importguard(src, tree, jobs)
    ruff = run_ruff(tree)
    diff, changed, refused = run_fix_diff(src, tree, jobs)
    diffs = CACHE / "results" / label
    diffs.mkdir(parents=True, exist_ok=True)
    (diffs / f"{name}.diff").write_text(diff)
    res = compare(ruff, ours)
    commit = subprocess.run(["git", "-C", str(src), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    report = {
        "project": name, "version": PROJECTS[name][0], "importguard_commit": commit, "py_files": files,
        "importguard_seconds": seconds,
        "importguard_counts": dict(sorted(Counter(d["code"] for d in ours).items())),
        "fix_counts": dict(Counter(d["fix"] for d in ours)),
        "ruff_counts": dict(sorted(Counter(d["code"] for d in ruff).items())),
        "ruff_safe_f401": sum(1 for d in ruff if d["code"] == "F401" and d["fix"] == "safe"),
        "per_code": res["per_code"],
        "only_importguard": res["only_importguard"],
        "only_ruff": res["only_ruff"],
        "fixable": [d for d in ours if d["fix"] != "none"],
        "safe_fix_files": changed,
        "safe_fix_refused": refused,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n")
    return report


def print_table(reports: List[dict]) -> None:
    print(f"{'project':12} {'files':>5} {'code':6} {'ruff':>5} {'ours':>5} {'both':>5} {'only ruff':>9} "
          f"{'only ours':>9}  safe/unsafe/advice  fix files")
    for r in reports:
        first = True
        for code, c in r["per_code"].items():
            if not (c["ruff"] or c["importguard"] or code == "IG100"):
                continue
            tail = (f"  {r['fix_counts'].get('safe', 0)}/{r['fix_counts'].get('unsafe', 0)}/"
                    f"{r['fix_counts'].get('none', 0)}  {len(r['safe_fix_files'])}") if first else ""
            first = False
            print(f"{r['project'] + ' ' + r['version']:12} {r['py_files']:5} {code:6} {c['ruff']:5} "
                  f"{c['importguard']:5} {c['both']:5} {c['only_ruff']:9} {c['only_importguard']:9}{tail}")


# ---- fix-tests mode ---------------------------------------------------------------------------

def venv_for(name: str, tree: Path) -> Path:
    """A venv with the project's dependencies and test dependencies, without the project itself:
    the tests import the copy under test (``src/`` or the tree's top)."""
    venv = CACHE / "venvs" / name
    py = venv / "bin" / "python"
    marker = venv / ".ready"
    if marker.exists():
        return py
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, f"{name}=={PROJECTS[name][0]}", *PROJECTS[name][2]], check=True, timeout=1800)
    subprocess.run([str(py), "-m", "pip", "uninstall", "-q", "-y", name], check=True, timeout=300)
    marker.write_text("ok\n")
    return py


def run_tests(name: str, tree: Path, python: Path, timeout: int) -> Dict[str, str]:
    _, paths, _, extra, _ = PROJECTS[name]
    xml = tree / ".junit.xml"
    top = tree / "src" if (tree / "src").is_dir() else tree
    env = dict(os.environ, PYTHONPATH=str(top), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.Popen([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={xml}",
                             *extra, *paths], cwd=str(tree), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:  # the suite and every process it started
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    import fix_real_code as frc

    return frc.junit_outcomes(xml)


def fix_one(name: str, src: Path, out: Path, jobs: int, timeout: int, tests: bool) -> dict:
    sys.path.insert(0, str(HERE))
    import fix_real_code as frc  # compiling, count, diff_stat

    pristine = fetch(name)
    work = CACHE / "work"
    work.mkdir(parents=True, exist_ok=True)
    tree = work / f"{name}-safe"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(pristine, tree)
    runs_tests = tests and PROJECTS[name][1] is not None
    python = venv_for(name, pristine) if runs_tests else Path(sys.executable)
    report: dict = {"project": name, "version": PROJECTS[name][0]}
    if not runs_tests:
        report["tests_skipped"] = PROJECTS[name][4] or "not asked"
    before_compile = frc.compiling(tree, python)
    env = ig_env(src)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "importguard", "fix", "--no-cache", "--jobs", str(jobs), "."],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=1800)
    report["fix_seconds"] = round(time.perf_counter() - started, 2)
    report["fix_summary"] = (proc.stdout.strip().splitlines() or [""])[-1]
    report["fix_crashed"] = proc.returncode not in (0, 1)
    report["fix_stderr_tail"] = proc.stderr.strip().splitlines()[-5:] if report["fix_crashed"] else []
    files, plus, minus = frc.diff_stat(pristine, tree)
    report.update(files_changed=files, lines_added=plus, lines_removed=minus)
    after_compile = frc.compiling(tree, python)
    report["newly_not_compiling"] = sorted(k for k, ok in before_compile.items() if ok and not after_compile.get(k))
    cc = subprocess.run([str(python), "-m", "compileall", "-q", str(tree)], capture_output=True, text=True, timeout=600)
    report["compileall_exit"] = cc.returncode
    again = subprocess.run([sys.executable, "-m", "importguard", "fix", "--no-cache", "--diff", "--jobs", str(jobs),
                            "."], cwd=tree, env=env, capture_output=True, text=True, timeout=1800)
    report["second_diff_empty"] = again.stdout == ""
    report["second_diff_head"] = again.stdout.splitlines()[:40]
    cached = CACHE / "baselines" / f"{name}-{PROJECTS[name][0]}.json"
    if runs_tests and files == 0 and not cached.exists():
        runs_tests = False  # the safe fix changed nothing: the suite would run the pristine code
        report["tests_skipped"] = "no file changed"
    if runs_tests:
        # the suite's outcome on the pristine tree does not depend on importguard: kept in the cache
        if cached.exists():
            baseline = json.loads(cached.read_text())
        else:
            base_tree = work / f"{name}-base"
            shutil.rmtree(base_tree, ignore_errors=True)
            shutil.copytree(pristine, base_tree)
            baseline = run_tests(name, base_tree, python, timeout)
            shutil.rmtree(base_tree, ignore_errors=True)
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(baseline) + "\n")
        report["tests_before"] = frc.count(baseline)
        report["suite_ran"] = report["tests_before"]["passed"] > 0
        if files == 0:  # the safe fix changed nothing: the suite would run the same code
            after = baseline
            report["tests_after_note"] = "no file changed, suite not run again"
        else:
            for cache in tree.rglob("__pycache__"):
                shutil.rmtree(cache, ignore_errors=True)
            after = run_tests(name, tree, python, timeout)
        report["tests_after"] = frc.count(after)
        report["new_failures"] = sorted(k for k, v in after.items() if v in ("failed", "error")
                                        and baseline.get(k) not in ("failed", "error"))
        report["lost_tests"] = sorted(k for k in baseline if k not in after)[:50]
    report["ok"] = (not report["fix_crashed"] and not report["newly_not_compiling"] and report["second_diff_empty"]
                    and (not runs_tests or (report["suite_ran"] and not report["new_failures"]
                                            and report["tests_after"]["passed"] >= report["tests_before"]["passed"])))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"fix-{name}.json").write_text(json.dumps(report, indent=1) + "\n")
    return report


def markdown(out: Path) -> str:
    """Markdown tables of the reports in ``out`` (for docs/differential.md and docs/fixes.md)."""
    rows = ["| project | .py files | IG100 / F401 | both | only importguard | only ruff | IG200 / TC001-3 | both "
            "| IG201 / TC004 | IG202 / TC005 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    fixes = ["| project | findings safe / unsafe / advice only | ruff safe F401 fixes | files the safe fix changes "
             "| tests passed before -> after | compiles | 2nd `fix --diff` empty |",
             "| --- | --- | ---: | ---: | --- | --- | --- |"]
    for name in PROJECTS:
        f = out / f"{name}.json"
        if not f.exists():
            continue
        r = json.loads(f.read_text())
        c = r["per_code"]
        rows.append(f"| {name} {r['version']} | {r['py_files']} | {c['IG100']['importguard']} / {c['IG100']['ruff']} "
                    f"| {c['IG100']['both']} | {c['IG100']['only_importguard']} | {c['IG100']['only_ruff']} "
                    f"| {c['IG200']['importguard']} / {c['IG200']['ruff']} | {c['IG200']['both']} "
                    f"| {c['IG201']['importguard']} / {c['IG201']['ruff']} "
                    f"| {c['IG202']['importguard']} / {c['IG202']['ruff']} |")
        fx = out / f"fix-{name}.json"
        tests, compiles, second = "not run", "", ""
        if fx.exists():
            x = json.loads(fx.read_text())
            compiles = "all" if not x["newly_not_compiling"] else f"{len(x['newly_not_compiling'])} broken"
            second = "yes" if x["second_diff_empty"] else "no"
            if "tests_before" in x:
                tests = (f"{x['tests_before']['passed']} -> {x['tests_after']['passed']}, "
                         f"{len(x['new_failures'])} newly failing")
            else:
                tests = f"not run: {x.get('tests_skipped')}"
        fc = r["fix_counts"]
        fixes.append(f"| {name} {r['version']} | {fc.get('safe', 0)} / {fc.get('unsafe', 0)} / {fc.get('none', 0)} "
                     f"| {r['ruff_safe_f401']} | {len(r['safe_fix_files'])} | {tests} | {compiles} | {second} |")
    return "\n".join(rows) + "\n\n" + "\n".join(fixes) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--set", choices=sorted(SETS), default="first",
                    help="which list of projects: the first twelve, the second eight or the third six")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="importguard source folder to test")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "unseen", help="where the JSON reports go")
    ap.add_argument("--label", default="", help="name of this run (for the patches kept in the cache)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--fix-tests", action="store_true", help="safe fix, compile and test-suite check")
    ap.add_argument("--no-tests", action="store_true", help="with --fix-tests: skip the test suites")
    ap.add_argument("--test-timeout", type=int, default=600)
    ap.add_argument("--markdown", action="store_true", help="print the tables of the reports in --out and stop")
    args = ap.parse_args(argv)
    global PROJECTS, CACHE
    PROJECTS, CACHE = SETS[args.set]
    if not args.names:
        args.names = list(PROJECTS)
    if args.markdown:
        print(markdown(args.out), end="")
        return 0
    src = args.src.resolve()
    label = args.label or args.out.name
    unknown = [n for n in args.names if n not in PROJECTS]
    if unknown:
        ap.error(f"unknown project(s): {', '.join(unknown)}")
    if args.fix_tests:
        bad = False
        for name in args.names:
            r = fix_one(name, src, args.out, args.jobs, args.test_timeout, not args.no_tests)
            bad |= not r["ok"]
            t = (f"tests passed {r['tests_before']['passed']} -> {r['tests_after']['passed']}, "
                 f"{len(r['new_failures'])} newly failing") if "tests_before" in r else \
                f"tests not run ({r.get('tests_skipped')})"
            print(f"{name:12} {r['fix_summary']!r}; {r['files_changed']} files; not compiling: "
                  f"{len(r['newly_not_compiling'])}; second diff empty: {r['second_diff_empty']}; {t}; ok={r['ok']}",
                  flush=True)
        return 1 if bad else 0
    reports = []
    for name in args.names:
        reports.append(check_one(name, src, args.out, label, args.jobs))
        print(f"done {name}", file=sys.stderr, flush=True)
    print_table(reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
