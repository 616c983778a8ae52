"""Does the work after a change grow with the change or with the repository? Not a test.

    python benchmarks/scale.py [--trees django big] [--runs N] [--cold-runs N] [--repo PATH]
                               [--jobs N] [--label NAME] [--profile]

Two trees, both under ``~/.cache/importguard-scale/`` (outside any git repository, so no
``.gitignore`` above them hides a file):

- ``django``: the ``django`` package of Django 5.2.8 alone;
- ``big``: one monolith made of every real package this machine has cached: the seven corpora of
  ``../shared/corpora.sh`` (django sympy rich httpx click jinja2 attrs) and the projects under
  ``~/.cache/importguard-unseen/src`` when present. Each project's packages (top-level folders with
  an ``__init__.py``, beside ``pyproject.toml`` or under ``src/``) become top-level packages of the
  monolith, and its test folder becomes the package ``<project>_tests``.

On each tree, round robin, ``--runs`` times (``--cold-runs`` for the cold rows), in the same run:

| row | what runs |
| --- | --- |
| importguard cold | ``importguard check --no-cache --jobs J -q .`` (the console script as pip writes it) |
| bare libcst parse | ``benchmarks/bare_parse.py --jobs J .``: discovery + ``libcst.parse_module`` |
| ruff cold / cached | ``ruff check --isolated [--no-cache] --select F401,TC001,...,TC005 --exit-zero -q .`` |
| importguard warm | ``check --jobs J -q .``, nothing changed since the previous run of it (*) |
| importguard warm (after touched) | the same right after the touched row's edit was undone (*) |
| importguard touched | a comment appended to ``django/db/models/query.py`` (restored after; once before the rounds) |
| importguard changed import | ``from django.utils import M as M_<time>`` appended to that file (new each round) |
| importguard changed import (leaf module) | the same in ``core/management/commands/check.py`` (imported by none) |

(*) The warm row waits until the tree's last edit is two seconds old and runs once unmeasured, so
that the fast lane's record is written (``commands.fastlane``: never for a file changed within two
seconds); the row after touched runs while the file restored is that fresh: the whole warm path.

After an edit row's edit is undone, importguard runs once more, unmeasured ("settling"), so that
each measured run sees its own edit only; ``--no-settle`` measures as before session 22, when the
leaf row's run also saw the hub row's edit undone (two changed files).

Wall time is from spawn to exit; cpu time is user + system of the whole process tree (``wait4``);
peak memory is the largest sum of the resident set sizes of the process tree (the command and
every worker it starts), sampled every 20 ms from ``/proc`` (``bench.measure``). Each row keeps
the median. ``--profile`` also writes a cProfile of the touched and changed-import runs.

Writes ``benchmarks/results/scale-<label>-<trees>.json`` and ``.md`` and prints a markdown summary
(a run of each tree under one label keeps both).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import CORPORA_SCRIPTS, Sample, machine, measure, sh  # noqa: E402

WORK = Path(os.environ.get("IMPORTGUARD_SCALE_WORK") or Path.home() / ".cache" / "importguard-scale")
UNSEEN = Path.home() / ".cache" / "importguard-unseen" / "src"
CORPORA = ["django", "sympy", "rich", "httpx", "click", "jinja2", "attrs"]
TOUCH = "django/db/models/query.py"
# a module no other module imports (management commands are found by name at run time): a change
# to its imports reaches itself alone
LEAF = "django/core/management/commands/check.py"
# first-party modules query.py does not import: each round adds a new edge to the import graph
# (some of them no import of query.py ran before: timesince, termcolors, archive, ...)
NEW_IMPORTS = ["text", "html", "crypto", "timesince", "dateformat", "termcolors", "numberformat", "archive",
               "autoreload", "feedgenerator", "ipv6", "dateparse", "lorem_ipsum", "xmlutils"]
RUFF_SELECT = "F401,TC001,TC002,TC003,TC004,TC005"
SKIP = shutil.ignore_patterns(".ruff_cache", ".importguard_cache", "__pycache__", "*.pyc", ".git")


def corpus_roots() -> List[Path]:
    script = next((p for p in CORPORA_SCRIPTS if p.is_file()), None)
    if script is None:
        raise SystemExit("scale: ../shared/corpora.sh not found")
    out = sh(["bash", str(script), *CORPORA], stderr=subprocess.DEVNULL)
    roots = [Path(line.split()[1]) for line in out.splitlines() if len(line.split()) == 2]
    if UNSEEN.is_dir():
        roots += sorted(p for p in UNSEEN.iterdir() if p.is_dir())
    return roots


def _packages(project: Path) -> List[Path]:
    out = []
    for base in (project, project / "src"):
        if not base.is_dir():
            continue
        for d in sorted(base.iterdir()):
            if d.is_dir() and (d / "__init__.py").is_file() and not d.name.startswith(".") \
                    and d.name not in ("tests", "test", "testing", "docs", "doc"):
                out.append(d)
    return out


def _tests(project: Path) -> Optional[Path]:
    for name in ("tests", "testing", "test"):
        if (project / name).is_dir():
            return project / name
    return None


def assemble_big(dest: Path) -> Dict[str, object]:
    """The monolith: every project's packages side by side, tests as ``<project>_tests``."""
    if (dest / ".assembled").is_file():
        return json.loads((dest / ".assembled").read_text())
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    packages: List[str] = []
    for project in corpus_roots():
        short = project.name.rsplit("-", 1)[0].replace("-", "_").lower()
        for pkg in _packages(project):
            if (dest / pkg.name).exists():
                continue  # two projects with one package name: the first wins
            shutil.copytree(pkg, dest / pkg.name, ignore=SKIP)
            packages.append(pkg.name)
        tests = _tests(project)
        if tests is not None and not (dest / f"{short}_tests").exists():
            shutil.copytree(tests, dest / f"{short}_tests", ignore=SKIP)
            packages.append(f"{short}_tests")
    (dest / "pyproject.toml").write_text('[project]\nname = "monolith"\nversion = "0"\n')
    info = {"packages": packages, **count(dest)}
    (dest / ".assembled").write_text(json.dumps(info))
    return info


def assemble_django(dest: Path) -> Dict[str, object]:
    if (dest / ".assembled").is_file():
        return json.loads((dest / ".assembled").read_text())
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    django = next(p for p in corpus_roots() if p.name.startswith("django-"))
    shutil.copytree(django / "django", dest / "django", ignore=SKIP)
    (dest / "pyproject.toml").write_text('[project]\nname = "djangotree"\nversion = "0"\n')
    info = {"packages": ["django"], **count(dest)}
    (dest / ".assembled").write_text(json.dumps(info))
    return info


def count(root: Path) -> Dict[str, int]:
    files = lines = size = 0
    for dirpath, _, names in os.walk(root):
        for n in names:
            if n.endswith(".py"):
                data = (Path(dirpath) / n).read_bytes()
                files += 1
                size += len(data)
                lines += data.count(b"\n")
    return {"files": files, "lines": lines, "bytes": size}


class Row:
    def __init__(self, name: str, argv: List[str], cold: bool = False, setup: Optional[Callable[[int], None]] = None,
                 teardown: Optional[Callable[[], None]] = None):
        self.name, self.argv, self.cold, self.setup, self.teardown = name, argv, cold, setup, teardown
        self.samples: List[Sample] = []


def settle_argv(argv: List[str]) -> List[str]:
    """The run after an edit row's teardown: the same importguard command."""
    return list(argv)


LAUNCHER = """#!{python}
import re
import sys
from importguard.commands.cli import run
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(run())
"""


def launcher(py: str, folder: Path) -> str:
    """The ``importguard`` console script as pip writes it (what pre-commit and users run; ``python
    -m importguard`` adds ``runpy`` and ``importlib.util``: 3 ms of a 50 ms run), for ``py``."""
    path = folder / f"importguard-{hashlib.sha1(py.encode()).hexdigest()[:8]}"
    text = LAUNCHER.format(python=py)
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
        path.chmod(0o755)
    return str(path)


def ruff_binary() -> str:
    """ruff's own binary: a pyenv shim is a shell script that runs ``pyenv exec`` first (50 ms a
    run, which the cached rows would count as ruff's)."""
    found = shutil.which("ruff") or "ruff"
    if os.sep + "shims" + os.sep in found and shutil.which("pyenv"):
        try:
            real = subprocess.run(["pyenv", "which", "ruff"], capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return found
        if real and os.path.isfile(real):
            return real
    return found


def rows_for(tree: Path, repo: Path, jobs: int, ruff: str, py: str, env: Optional[Dict[str, str]] = None
             ) -> List[Row]:
    j = str(jobs)
    touched = tree / TOUCH
    original = touched.read_bytes()
    edited = [0.0]  # when a row last wrote a file of the tree

    def written(path: Path, data: bytes) -> None:
        path.write_bytes(data)
        edited[0] = time.time()

    def touch(r: int) -> None:  # a new comment each round: always a new content hash
        written(touched, original + f"\n# scale bench touch {r} {time.time()}\n".encode())

    # an import under a name no earlier run saw: the same tokens as an earlier round (of this run or
    # of an earlier one on the same cache) would find that round's results
    def add_import(r: int) -> None:
        mod = NEW_IMPORTS[r % len(NEW_IMPORTS)]
        line = f"\nfrom django.utils import {mod} as {mod}_{time.time_ns()}  # scale bench {r}\n"
        written(touched, original + line.encode())

    def restore() -> None:
        written(touched, original)

    leaf = tree / LEAF
    leaf_original = leaf.read_bytes()

    def add_leaf_import(r: int) -> None:
        mod = NEW_IMPORTS[r % len(NEW_IMPORTS)]
        line = f"\nfrom django.utils import {mod} as {mod}_{time.time_ns()}  # scale bench {r}\n"
        written(leaf, leaf_original + line.encode())

    def restore_leaf() -> None:
        written(leaf, leaf_original)

    ig = [launcher(py, tree.parent), "check"]

    # nothing changed since the last run of the same command: a user's second run. The tree's last
    # edit (an earlier row's teardown) is made two seconds old first, then the command runs once
    # unmeasured: the run that may write the fast lane's record (none is written for a file
    # changed within two seconds: ``commands.fastlane``). "warm (after touched)" is the other case,
    # a run right after a file was restored.
    def settled(r: int) -> None:
        time.sleep(max(0.0, edited[0] + 2.2 - time.time()))
        subprocess.run(ig + ["--jobs", j, "-q", "."], cwd=tree, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)

    return [
        Row("importguard cold", ig + ["--no-cache", "--jobs", j, "-q", "."], cold=True),
        Row("bare libcst parse", [py, str(HERE / "bare_parse.py"), "--repo", str(repo), "--jobs", j, "."], cold=True),
        Row("ruff cold", [ruff, "check", "--isolated", "--no-cache", "--select", RUFF_SELECT, "--exit-zero", "-q",
                          "."]),
        Row("ruff cached", [ruff, "check", "--isolated", "--cache-dir", str(tree.parent / f".ruff-{tree.name}"),
                            "--select", RUFF_SELECT, "--exit-zero", "-q", "."]),
        Row("importguard warm", ig + ["--jobs", j, "-q", "."], setup=settled),
        Row("importguard touched", ig + ["--jobs", j, "-q", "."], setup=touch, teardown=restore),
        Row("importguard warm (after touched)", ig + ["--jobs", j, "-q", "."]),
        Row("importguard changed import", ig + ["--jobs", j, "-q", "."], setup=add_import, teardown=restore),
        Row("importguard changed import (leaf module)", ig + ["--jobs", j, "-q", "."], setup=add_leaf_import,
            teardown=restore_leaf),
    ]


def run(tree: Path, rows: List[Row], runs: int, cold_runs: int, env: Dict[str, str], timeout: float,
        settle: bool = True) -> None:
    # populate the caches the warm rows read (and compile bytecode); the touched row's file is edited
    # once, so that every measured round is an edit of a file edited before (its tokens' digest known)
    for r in rows:
        if r.name in ("importguard warm", "ruff cached", "importguard touched"):
            if r.setup:
                r.setup(-1)
            try:
                measure(r.argv, tree, timeout, env)
            finally:
                if r.teardown:
                    r.teardown()
    for k in range(runs):
        for r in rows:
            if r.cold and k >= cold_runs:
                continue
            if r.setup:
                r.setup(k)
            try:
                s = measure(r.argv, tree, timeout, env)
            finally:
                if r.teardown:
                    r.teardown()
                    if settle:  # unmeasured: the next row's run sees its own edit only
                        measure(settle_argv(r.argv), tree, timeout, env)
            r.samples.append(s)
            print(f"  {tree.name} round {k + 1}/{runs} {r.name:34s} {s.seconds:8.3f} s  cpu {s.cpu:8.3f} s"
                  f"  {s.tree_rss_kb / 1024:7.0f} MB  exit {s.status}", flush=True)


def profile(tree: Path, repo: Path, out: Path, env: Dict[str, str]) -> Dict[str, str]:
    """cProfile of one touched run and one changed-import run (cache warm first)."""
    touched = tree / TOUCH
    original = touched.read_bytes()
    code = ("import cProfile, sys; from importguard.commands.cli import main\n"
            "cProfile.run('try:\\n    main(sys.argv[2:])\\nexcept SystemExit:\\n    pass', sys.argv[1])\n")
    if not (repo / "src" / "importguard" / "commands" / "cli.py").is_file():
        code = code.replace("importguard.commands.cli", "importguard.cli")
    files = {}
    edits = (("touched", "\n# scale profile touch %s\n"), ("import", "\nfrom django.utils import jslex  # %s\n"))
    for kind, extra in edits:
        subprocess.run([sys.executable, "-m", "importguard", "check", "-q", "."], cwd=tree, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        touched.write_bytes(original + (extra % time.time()).encode())
        try:
            prof = out / f"{tree.name}-{kind}.prof"
            subprocess.run([sys.executable, "-c", code, str(prof), "check", "-q", "."], cwd=tree, env=env,
                           stdout=subprocess.DEVNULL, check=False)
            files[kind] = str(prof)
        finally:
            touched.write_bytes(original)
    return files


def med(samples: List[Sample], attr: str) -> Optional[float]:
    vals = [getattr(s, attr) for s in samples]
    return statistics.median(vals) if vals else None


def summary(result: Dict[str, object]) -> str:
    lines = []
    for tree, data in result["trees"].items():
        info = data["tree"]
        rows = data["rows"]
        lines.append(f"### {tree}: {info['files']:,} files, {info['lines']:,} lines, "
                     f"{len(info.get('packages', []))} top-level packages\n")
        lines.append("| row | median s | cpu s | peak MB (all procs) | runs |")
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        for name, r in rows.items():
            lines.append(f"| {name} | {r['median_s']:.3f} | {r['median_cpu']:.3f} | {r['peak_mb']:.0f} | {r['runs']} |")
        def g(n: str, rows: Dict[str, Dict[str, float]] = rows) -> Optional[float]:
            return rows.get(n, {}).get("median_s")

        warm = g("importguard warm")
        checks = [
            ("cold / bare LibCST parse", g("importguard cold"), g("bare libcst parse"), "ratio", 1.3),
            ("warm / ruff cached", warm, g("ruff cached"), "ratio", 2.0),
            ("touched - warm", g("importguard touched"), warm, "plus", 0.2),
            ("changed import - warm", g("importguard changed import"), warm, "plus", 1.0),
            ("changed import in a leaf module - warm", g("importguard changed import (leaf module)"), warm, "plus",
             1.0),
        ]
        lines.append("\n| goal | value | limit | met |")
        lines.append("| --- | ---: | ---: | --- |")
        for label, a, b, kind, limit in checks:
            if a is None or b is None:
                continue
            v = a / b if kind == "ratio" else a - b
            unit = "x" if kind == "ratio" else " s"
            lines.append(f"| {label} | {v:.2f}{unit} | {limit}{unit} | {'yes' if v <= limit else 'no'} |")
        peak = rows.get("importguard cold", {}).get("peak_mb")
        if peak is not None:
            met = "yes" if peak <= 1536 else "no"
            lines.append(f"| peak memory of the cold run | {peak:.0f} MB | 1536 MB | {met} |")
        lines.append("")
    return "\n".join(lines)


def make_venv(repo: Path) -> str:
    """A virtual environment with importguard's dependencies (importguard itself comes from
    ``PYTHONPATH``, the checkout measured); made once a Python version."""
    venv = WORK / ("venv-%d.%d" % sys.version_info[:2])
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", str(repo)], check=True)
        subprocess.run([str(py), "-m", "pip", "uninstall", "-q", "-y", "importguard"], check=True)
    return str(py)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trees", nargs="+", default=["django", "big"], choices=("django", "big"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repo", default=str(HERE.parent), help="the importguard checkout to measure")
    ap.add_argument("--label", default="main")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--profile", action="store_true", help="also write cProfiles of the touched and import runs")
    ap.add_argument("--ruff", default=ruff_binary())
    ap.add_argument("--no-settle", action="store_true", help="do not run importguard (unmeasured) after an edit "
                    "is undone: the next edit row's run then also sees the undoing (the protocol before "
                    "session 22: the leaf row included undoing the hub row's edit)")
    ap.add_argument("--fresh-cache", action="store_true", help="remove the trees' importguard cache first (the "
                    "warm rows then start with a cold run; the cold rows never use the cache)")
    ap.add_argument("--python", default=sys.executable, help="the interpreter that runs importguard and the bare "
                    "parse (with libcst and networkx installed)")
    ap.add_argument("--venv", action="store_true", help="run them in a virtual environment made in the work folder, "
                    "with importguard's dependencies from the package index: the start-up work of the interpreter "
                    "the benchmark runs under (a .pth file of its site-packages) is then not counted")
    args = ap.parse_args(argv)
    repo = Path(args.repo).resolve()
    python = make_venv(repo) if args.venv else args.python
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    env.pop("PYTHONFAULTHANDLER", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users run from bytecode: compiling every run is not theirs
    ruff_version = sh([args.ruff, "--version"]).strip()
    commit = sh(["git", "-C", str(repo), "rev-parse", "HEAD"]).strip()
    result: Dict[str, object] = {"label": args.label, "commit": commit, "machine": machine(), "ruff": ruff_version,
                                 "jobs": args.jobs, "python": python, "settle": not args.no_settle,
                                 "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                                 "load_start": os.getloadavg(), "trees": {}}
    out_dir = HERE / "results"
    stem = f"scale-{args.label}-{'-'.join(args.trees)}"
    for name in args.trees:
        tree = WORK / name
        info = assemble_django(tree) if name == "django" else assemble_big(tree)
        print(f"{name}: {info['files']} files, {info['lines']} lines", flush=True)
        if args.fresh_cache:
            shutil.rmtree(tree / ".importguard_cache", ignore_errors=True)
        rows = rows_for(tree, repo, args.jobs, args.ruff, python, env)
        run(tree, rows, args.runs, args.cold_runs, env, args.timeout, settle=not args.no_settle)
        data = {"tree": info, "rows": {
            r.name: {"median_s": med(r.samples, "seconds"), "median_cpu": med(r.samples, "cpu"),
                     "peak_mb": max(s.tree_rss_kb for s in r.samples) / 1024, "runs": len(r.samples),
                     "samples": [list(s) for s in r.samples]} for r in rows if r.samples}}
        if args.profile:
            data["profiles"] = profile(tree, repo, WORK, env)
        result["trees"][name] = data
        result["load_end"] = os.getloadavg()
        (out_dir / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n")
    text = summary(result)
    (out_dir / f"{stem}.md").write_text(
        f"# scale benchmark `{args.label}` (importguard {commit[:10]}, {ruff_version}, jobs {args.jobs})\n\n"
        f"load average {result['load_start']} -> {result.get('load_end')}\n\n" + text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
