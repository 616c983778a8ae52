"""importguard against the tools users run today, on real code. Not a test.

    python benchmarks/bench.py [--corpus django|sympy] [--runs N] [--only NAME ...]
                               [--repo PATH] [--jobs N] [--skip-slow-peers] [--timeout S]

What it does, in order:

1. Prepares the pinned corpus with ``../shared/corpora.sh`` and copies it under
   ``~/.cache/importguard-bench/`` (gitignored), so no cache or touched file ever lands in the corpus
   itself. Two copies: one for the CLI's cache, one for the flake8 plugin's.
2. Makes three virtualenvs under ``~/.cache/importguard-bench/`` with pinned peers. flake8 runs every
   installed plugin whatever ``--select`` says, so each flake8 row gets its own venv:
   ``peers`` (ruff, flake8+pyflakes, pycln, pylint, import-linter), ``tc`` (flake8 +
   flake8-type-checking) and ``ig`` (flake8 + importguard installed ``-e`` from ``--repo``).
3. Runs every command ``--runs`` times, alternating between commands (round robin), and keeps
   the median wall time and the peak memory: ``max_rss`` is the largest single process of the
   run (``wait4``), ``tree_rss`` the largest sum over the process tree, sampled every 20 ms.
4. Writes the raw numbers to ``benchmarks/results/<corpus>.json`` and renders
   ``benchmarks/RESULTS.md`` from every corpus recorded there, with the speed and memory goals (``GOALS_DOC``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

HERE = Path(__file__).resolve().parent
# Outside the repository: a copy under it would fall under its .gitignore (`benchmarks/.work/`),
# which importguard honours, and nothing would be checked.
WORK = Path(os.environ.get("IMPORTGUARD_BENCH_WORK") or Path.home() / ".cache" / "importguard-bench")
RESULTS_DIR = HERE / "results"
# ../shared/corpora.sh beside the checkout (main, CI's clone), or beside the worktrees' parent
CORPORA_SCRIPTS = [HERE.parent.parent / "shared" / "corpora.sh", HERE.parent.parent.parent / "shared" / "corpora.sh"]

CORPORA = {
    # name: (package dir inside the sdist, file the "touched" row edits, import-linter contract)
    "django": ("django", "django/db/models/query.py", ("django.utils.version", "django.contrib.admin")),
    "sympy": ("sympy", "sympy/core/expr.py", ("sympy.release", "sympy.physics")),
}

PINS = {
    "peers": ["ruff==0.17.6", "flake8==7.5.0", "pyflakes==4.1.0", "pycodestyle==2.15.0",
              "pycln==2.6.0", "pylint==4.1.4", "import-linter==2.17", "grimp==3.20"],
    "tc": ["flake8==7.5.0", "pyflakes==4.1.0", "pycodestyle==2.15.0", "flake8-type-checking==3.2.0"],
    "ig": ["flake8==7.5.0", "pyflakes==4.1.0", "pycodestyle==2.15.0", "pyinstrument==5.1.3"],
}

GOALS_DOC = [
    # (label, numerator row, denominator row, kind, limit)
    ("cold check <= 1.3 x bare LibCST parse (same processes)", "importguard cold", "bare libcst parse", "ratio", 1.3),
    ("warm check <= 3 x ruff cached", "importguard warm", "ruff F401+TC cached", "ratio", 3.0),
    ("one touched file <= warm + 0.5 s", "importguard touched", "importguard warm", "plus", 0.5),
    ("flake8 + plugin (warm) <= 1.3 x flake8 without the plugin", "flake8 + importguard plugin warm",
     "flake8 F401 (same run, no plugin)", "ratio", 1.3),
]
MEMORY_GOAL_MB = 1024


class Case(NamedTuple):
    name: str
    argv: List[str]
    cwd: Path
    slow: bool = False
    setup: Optional[Callable[[int], None]] = None  # called with the round number before each run
    teardown: Optional[Callable[[], None]] = None
    note: str = ""


class Sample(NamedTuple):
    seconds: float
    max_rss_kb: int
    tree_rss_kb: int
    status: int  # exit status; -9 = killed at the timeout
    cpu: float = 0.0  # user + system seconds of the whole tree (waited-for processes)


# ---------------------------------------------------------------------------- measuring one run
def _children(pid: int) -> List[int]:
    out: List[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


def tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += _rss_kb(p)
        stack.extend(_children(p))
    return total


def measure(argv: Sequence[str], cwd: Path, timeout: float, env: Optional[Dict[str, str]] = None) -> Sample:
    """Wall time, peak RSS of the largest process, and sampled peak RSS of the whole tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            done.wait(0.02)

    def kill() -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timer = threading.Timer(timeout, kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    timer.cancel()
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status
    return Sample(seconds, int(usage.ru_maxrss), max(peak[0], int(usage.ru_maxrss)), int(proc.returncode),
                  usage.ru_utime + usage.ru_stime)


# ---------------------------------------------------------------------------- environment
def sh(argv: Sequence[str], **kw) -> str:
    return subprocess.run(list(argv), check=True, stdout=subprocess.PIPE, text=True, **kw).stdout


def venv(name: str, repo: Optional[Path] = None) -> Path:
    """A venv under WORK with the pinned packages of ``name`` (and importguard -e from repo)."""
    d = WORK / f"venv-{name}"
    py = d / "bin" / "python"
    stamp = d / ".pins"
    want = " ".join(PINS[name]) + (f" -e {repo}" if repo else "")
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(d)], check=True)
    if not stamp.exists() or stamp.read_text() != want:
        args = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS[name]]
        if repo:
            args += ["-e", str(repo)]
        subprocess.run(args, check=True, stderr=subprocess.DEVNULL)
        stamp.write_text(want)
    return d / "bin"


def corpus_copy(name: str, label: str) -> Path:
    script = next((p for p in CORPORA_SCRIPTS if p.is_file()), None)
    if script is None:
        raise SystemExit("bench: ../shared/corpora.sh not found (looked in %s)" % ", ".join(map(str, CORPORA_SCRIPTS)))
    src = Path(sh(["bash", str(script), name]).split()[1])
    dest = WORK / label / src.name
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ruff_cache", ".importguard_cache", "__pycache__"))
    return dest


def machine() -> Dict[str, object]:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    try:
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        mem_gb = round(int(mem.split()[1]) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        mem_gb = None
    return {"cpu": model, "cores": cores, "memory_gb": mem_gb, "os": platform.platform(),
            "python": platform.python_version()}


def versions(bins: Dict[str, Path], repo: Path) -> Dict[str, str]:
    out: Dict[str, str] = {}

    def pkg(b: Path, name: str) -> str:
        code = f"import importlib.metadata as m; print(m.version({name!r}))"
        try:
            return sh([str(b / "python"), "-c", code], stderr=subprocess.DEVNULL).strip()
        except subprocess.CalledProcessError:
            return "?"

    for name in ("ruff", "flake8", "pyflakes", "pycodestyle", "pycln", "pylint", "import-linter", "grimp"):
        out[name] = pkg(bins["peers"], name)
    out["flake8-type-checking"] = pkg(bins["tc"], "flake8-type-checking")
    for name in ("importguard", "libcst", "networkx"):
        out[name] = pkg(bins["ig"], name)
    try:
        head = sh(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"]).strip()
        src = sh(["git", "-C", str(repo), "log", "-1", "--format=%h", "--", "src"]).strip()
        dirty = sh(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no", "--", "src"]).strip()
        out["importguard"] += f" ({repo.name}@{head}, src/ last changed in {src}{', src/ modified' if dirty else ''})"
    except (subprocess.CalledProcessError, OSError):
        pass
    return out


def has_plugin(ig_python: Path) -> bool:
    r = subprocess.run([str(ig_python), "-c", "import importguard.commands.flake8_plugin"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


# ---------------------------------------------------------------------------- the cases
def build_cases(corpus: str, jobs: int, bins: Dict[str, Path], plugin: bool) -> List[Case]:
    pkg, touch_rel, (il_source, il_forbidden) = CORPORA[corpus]
    cli = corpus_copy(corpus, "cli")
    plug = corpus_copy(corpus, "plugin")
    peers, tc, ig = bins["peers"], bins["tc"], bins["ig"]
    touched = cli / touch_rel
    original = touched.read_bytes()

    def touch(r: int) -> None:  # a different comment each round: a new content hash each time
        touched.write_bytes(original + f"\n# importguard bench touch {r} {time.time()}\n".encode())

    def untouch() -> None:
        touched.write_bytes(original)

    def clear_plugin_cache(_r: int) -> None:
        shutil.rmtree(plug / ".importguard_cache", ignore_errors=True)

    il_cfg = WORK / f"importlinter-{corpus}.ini"
    il_cfg.write_text(
        "[importlinter]\n"
        f"root_package = {pkg}\n\n"
        "[importlinter:contract:bench]\n"
        "name = bench (cheap contract: the cost is the graph build)\n"
        "type = forbidden\n"
        f"source_modules =\n    {il_source}\n"
        f"forbidden_modules =\n    {il_forbidden}\n"
        "allow_indirect_imports = True\n")
    ruff_cache = WORK / f"ruff-cache-{corpus}"
    j = str(jobs)
    cases = [
        Case("importguard cold", [str(ig / "importguard"), "check", "--no-cache", "--jobs", j, "-q", pkg], cli,
             note="`importguard check --no-cache`"),
        Case("importguard warm", [str(ig / "importguard"), "check", "--jobs", j, "-q", pkg], cli,
             note="cache populated first, nothing changed"),
        Case("importguard touched", [str(ig / "importguard"), "check", "--jobs", j, "-q", pkg], cli,
             setup=touch, teardown=untouch, note=f"a new comment appended to `{touch_rel}`"),
        Case("bare libcst parse", [str(ig / "python"), str(HERE / "bare_parse.py"), "--jobs", j, pkg], cli,
             note="`benchmarks/bare_parse.py`: discovery + `parse_module`, nothing else"),
        Case("ruff F401+TC cold", [str(peers / "ruff"), "check", "--isolated", "--no-cache", "--select", "F401,TC",
                                   "--exit-zero", "-q", pkg], cli),
        Case("ruff F401+TC cached", [str(peers / "ruff"), "check", "--isolated", "--cache-dir", str(ruff_cache),
                                     "--select", "F401,TC", "--exit-zero", "-q", pkg], cli),
        Case("flake8 F401 (same run, no plugin)", [str(peers / "flake8"), "-j", j, "--select", "F401,IG", pkg], cli,
             note="flake8 + pyflakes + pycodestyle + mccabe, output filtered to F401"),
        Case("flake8-type-checking", [str(tc / "flake8"), "-j", j, "--select", "TC", pkg], cli,
             note="flake8 + flake8-type-checking (TC001-TC006)"),
    ]
    if plugin:
        flake8_ig = [str(ig / "flake8"), "-j", j, "--select", "F401,IG", pkg]
        cases += [
            Case("flake8 + importguard plugin cold", flake8_ig, plug, setup=clear_plugin_cache,
                 note="plugin cache folder removed before each run"),
            Case("flake8 + importguard plugin warm", flake8_ig, plug, note="plugin cache populated first"),
        ]
    cases += [
        Case("pycln --check", [str(peers / "pycln"), "--check", "-q", pkg], cli),
        Case("import-linter graph build", [str(peers / "lint-imports"), str(il_cfg), "--no-cache"], cli,
             note="`lint-imports --no-cache` with one trivial contract: grimp's graph build"),
        Case("pylint cyclic-import", [str(peers / "pylint"), "--disable=all", "--enable=cyclic-import", pkg], cli,
             slow=True),
        Case("python -c pass", [str(ig / "python"), "-c", "pass"], cli, note="interpreter start-up"),
        Case("importguard --version", [str(ig / "importguard"), "--version"], cli),
        Case("import libcst", [str(ig / "python"), "-c", "import libcst"], cli),
        Case("import networkx", [str(ig / "python"), "-c", "import networkx"], cli),
    ]
    if plugin:
        plugin = "import importguard.commands.flake8_plugin"
        cases.append(Case(plugin, [str(ig / "python"), "-c", plugin], cli))
    return cases


def warm_up(cases: Sequence[Case], timeout: float) -> None:
    """Populate the caches the warm rows need (and compile every tool's bytecode once)."""
    for c in cases:
        if c.name in ("importguard warm", "ruff F401+TC cached", "flake8 + importguard plugin warm"):
            measure(c.argv, c.cwd, timeout)


def run_cases(cases: Sequence[Case], runs: int, slow_runs: int, timeout: float, log=print,
              on_round: Optional[Callable[[Dict[str, List[Sample]]], None]] = None) -> Dict[str, List[Sample]]:
    samples: Dict[str, List[Sample]] = {c.name: [] for c in cases}
    for r in range(runs):
        if r and on_round is not None:
            on_round(samples)  # a run stopped part-way still leaves the rounds it finished
        for c in cases:
            if c.slow and r >= slow_runs:
                continue
            if c.slow and samples[c.name] and samples[c.name][-1].status == -9:
                continue  # it hit the timeout once: do not spend it again
            if c.setup:
                c.setup(r)
            try:
                s = measure(c.argv, c.cwd, timeout)
            finally:
                if c.teardown:
                    c.teardown()
            samples[c.name].append(s)
            log(f"  round {r + 1}/{runs} {c.name:40s} {s.seconds:8.3f} s cpu {s.cpu:8.3f} s "
                f"{s.tree_rss_kb / 1024:7.1f} MB  exit {s.status}")
    return samples


def importtime(python: Path, code: Sequence[str], cwd: Path, top: int = 12) -> List[List[object]]:
    """The ``-X importtime`` modules of one start-up with the largest cumulative time (ms)."""
    r = subprocess.run([str(python), "-X", "importtime", *code], cwd=str(cwd), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    rows = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line[len("import time:"):].split("|")
        try:
            rows.append((parts[2].strip(), int(parts[0]) / 1000, int(parts[1]) / 1000))
        except (ValueError, IndexError):
            continue
    total = len(rows)
    rows.sort(key=lambda x: -x[2])
    return [[name, round(self_ms, 1), round(cum_ms, 1), total] for name, self_ms, cum_ms in rows[:top]]


# ---------------------------------------------------------------------------- rendering
def summarise(samples: Dict[str, List[Sample]]) -> Dict[str, Dict[str, object]]:
    out: Dict[str, Dict[str, object]] = {}
    for name, ss in samples.items():
        if not ss:
            continue
        ok = [s for s in ss if s.status != -9]
        out[name] = {
            "median_s": round(statistics.median(s.seconds for s in ok), 3) if ok else None,
            "cpu_s": round(statistics.median(s.cpu for s in ok), 3) if ok else None,
            "min_s": round(min(s.seconds for s in ok), 3) if ok else None,
            "max_s": round(max(s.seconds for s in ok), 3) if ok else None,
            "runs": len(ss),
            "timeouts": len(ss) - len(ok),
            "max_rss_mb": round(max(s.max_rss_kb for s in ss) / 1024, 1),
            "tree_rss_mb": round(max(s.tree_rss_kb for s in ss) / 1024, 1),
            "exit": sorted({s.status for s in ss}),
        }
    return out


GOALS_HEADER = ("goal", "limit", "wall time (medians)", "verdict", "cpu time (medians)", "verdict (cpu)")


def _judge(kind: str, limit: float, a: Optional[float], b: Optional[float]) -> List[str]:
    if a is None or b is None:
        return ["", "n/a"]
    if kind == "ratio":
        value = a / b if b else float("inf")
        return [f"{a:.2f} s / {b:.2f} s = {value:.3f} x", "met" if value <= limit else "missed"]
    return [f"{a:.2f} s - {b:.2f} s = {a - b:+.2f} s", "met" if a - b <= limit else "missed"]


def goals(rows: Dict[str, Dict[str, object]]) -> List[List[str]]:
    """One row per speed or memory goal (see GOALS_HEADER), judged on wall time and on CPU time.

    The goals are stated in wall time. CPU time (user + system of the whole process tree) is shown
    beside it because the machine is shared: under load, wall time counts other sessions' work.
    """
    out: List[List[str]] = []
    for label, num, den, kind, limit in GOALS_DOC:
        lim = f"{limit} x" if kind == "ratio" else f"+{limit} s"
        rn, rd = rows.get(num) or {}, rows.get(den) or {}
        if rn.get("median_s") is None or rd.get("median_s") is None:
            missing = num if rn.get("median_s") is None else den
            reason = "n/a (plugin not built)" if "plugin" in missing else f"n/a ({missing} not measured)"
            out.append([label, lim, reason, "n/a", "", "n/a"])
            continue
        wall = _judge(kind, limit, rn["median_s"], rd["median_s"])  # type: ignore[arg-type]
        cpu = _judge(kind, limit, rn.get("cpu_s"), rd.get("cpu_s"))  # type: ignore[arg-type]
        out.append([label, lim, *wall, *cpu])
    cold = rows.get("importguard cold")
    if cold:
        mb = cold["tree_rss_mb"]
        ok = "met" if mb <= MEMORY_GOAL_MB else "missed"  # type: ignore[operator]
        out.append([f"peak memory of a cold run <= {MEMORY_GOAL_MB} MB (all processes)", f"{MEMORY_GOAL_MB} MB",
                    f"{mb} MB", ok, "", ""])
    return out


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    for r in rows:
        lines.append("| " + " | ".join("" if c is None else str(c) for c in r) + " |")
    return "\n".join(lines)


MEDIAN_HEADER = ("command", "median s", "min-max s", "cpu s", "x ruff cached", "peak MB (all procs)",
                 "peak MB (largest)", "runs", "note")


def median_rows(result: Dict[str, object]) -> List[List[object]]:
    rows = result["rows"]  # type: ignore[index]
    notes = result.get("notes", {})  # type: ignore[union-attr]
    base = (rows.get("ruff F401+TC cached") or {}).get("median_s")
    out = []
    for name, r in rows.items():
        med = r["median_s"]
        ratio = f"{med / base:.1f}" if med is not None and base else ""
        spread = f"{r['min_s']}-{r['max_s']}" if med is not None else "timeout"
        runs = f"{r['runs']}" + (f" ({r['timeouts']} timed out)" if r["timeouts"] else "")
        odd = [c for c in r.get("exit", []) if c not in (0, 1, -9)]
        note = notes.get(name, "") + (f" (exit status {', '.join(map(str, odd))})"
                                      if odd else "")
        out.append([name, med if med is not None else "timeout", spread, r.get("cpu_s", ""), ratio, r["tree_rss_mb"],
                    r["max_rss_mb"], runs, note.strip()])
    for name, why in result.get("skipped", {}).items():  # type: ignore[union-attr]
        out.append([name, why, "", "", "", "", "", 0, notes.get(name, "")])
    return out


def render(results: Dict[str, Dict[str, object]]) -> str:
    parts = ["# Benchmark results\n",
             "Written by `python benchmarks/bench.py` (see benchmarks/README.md). Medians of alternating runs; "
             "peak memory is the largest sum of RSS over the process tree (sampled every 20 ms) and the "
             "largest single process (`wait4`). The machine is shared with other sessions: the load "
             "average at the start and the end of each run is recorded.\n"]
    for corpus, res in results.items():
        m = res["machine"]
        parts.append(f"## {corpus}: {res['files']} files, {res['lines']} lines\n")
        parts.append(f"Run {res['started']} UTC, {res['runs']} runs per command (slow peers {res['slow_runs']}), "
                     f"`--jobs {res['jobs']}`. Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, "
                     f"{m['os']}, Python {m['python']}. Load average at start {res['load_start']}, at end "
                     f"{res['load_end']}. Wall time of the benchmark: {res['wall_s']} s."
                     + (f" **Partial: {res['partial']}.**" if res.get("partial") else "") + "\n")
        for u in res.get("updates", []):
            parts.append(f"Updated {u}.\n")
        parts.append(table(MEDIAN_HEADER, median_rows(res)) + "\n")
        parts.append("### Goals\n")
        parts.append(table(GOALS_HEADER, goals(res["rows"])) + "\n")
        parts.append("### Versions\n")
        parts.append(", ".join(f"{k} {v}" for k, v in res["versions"].items()) + "\n")
        for label, rows in res.get("importtime", {}).items():
            parts.append(f"### `-X importtime`: {label}\n")
            parts.append(table(("module", "self ms", "cumulative ms"), [r[:3] for r in rows]) +
                         f"\n\n({rows[0][3] if rows else 0} modules imported in all)\n")
    return "\n".join(parts)


def render_all() -> None:
    all_results = {}
    paths = sorted(RESULTS_DIR.glob("*.json"), key=lambda p: (p.stem.partition("-")[0], "-" in p.stem, p.stem))
    for p in paths:  # django.json, then django-<label>.json, then sympy.json ...
        corpus, _, label = p.stem.partition("-")
        all_results[f"{corpus} ({label})" if label else corpus] = json.loads(p.read_text())
    (HERE / "RESULTS.md").write_text(render(all_results))


def count_lines(root: Path, pkg: str) -> List[int]:
    files = lines = 0
    for p in (root / pkg).rglob("*.py"):
        files += 1
        with open(p, "rb") as fh:
            lines += fh.read().count(b"\n")
    return [files, lines]


# ---------------------------------------------------------------------------- main
def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark importguard against its peers on a real corpus.")
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="django")
    ap.add_argument("--runs", type=int, default=5, help="runs per command, alternating (default 5)")
    ap.add_argument("--slow-runs", type=int, default=1, help="runs of the slow peers (pylint; default 1)")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="only the rows whose name contains one of these words (e.g. importguard ruff)")
    ap.add_argument("--repo", default=str(HERE.parent), help="importguard checkout to benchmark (default: this one)")
    ap.add_argument("--jobs", type=int, default=0, help="processes for importguard and flake8 (default: cores)")
    ap.add_argument("--skip-slow-peers", action="store_true", help="skip pylint cyclic-import")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is killed (default 900)")
    ap.add_argument("--no-render", action="store_true", help="write the JSON only")
    ap.add_argument("--label", help="write results/<corpus>-<label>.json, a section of its own (no merging)")
    ap.add_argument("--render-only", action="store_true", help="rewrite RESULTS.md from benchmarks/results/*.json")
    return ap.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.render_only:
        render_all()
        return 0
    repo = Path(args.repo).resolve()
    jobs = args.jobs or machine()["cores"]  # type: ignore[assignment]
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    t0 = time.perf_counter()
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load_start}; preparing venvs and corpus copies under {WORK}", flush=True)
    bins = {"peers": venv("peers"), "tc": venv("tc"), "ig": venv("ig", repo)}
    plugin = has_plugin(bins["ig"] / "python")
    cases = build_cases(args.corpus, int(jobs), bins, plugin)
    skipped: Dict[str, str] = {}
    if not plugin:
        skipped.update({"flake8 + importguard plugin cold": "n/a (plugin not built)",
                        "flake8 + importguard plugin warm": "n/a (plugin not built)"})
    if args.skip_slow_peers:
        skipped.update({c.name: "skipped (--skip-slow-peers)" for c in cases if c.slow})
        cases = [c for c in cases if not c.slow]
    if args.only:
        cases = [c for c in cases if any(w.lower() in c.name.lower() for w in args.only)]
    warm_up(cases, args.timeout)
    corpus_root = next((WORK / "cli").glob(f"{args.corpus}-*"))
    files, lines = count_lines(corpus_root, CORPORA[args.corpus][0])
    ig_py = bins["ig"] / "python"
    out = RESULTS_DIR / (f"{args.corpus}-{args.label}.json" if args.label else f"{args.corpus}.json")
    old = json.loads(out.read_text()) if args.only and not args.label and out.exists() else None

    def result_of(samples: Dict[str, List[Sample]], imports: Dict[str, object], partial: bool) -> Dict[str, object]:
        result: Dict[str, object] = {
            "corpus": args.corpus, "files": files, "lines": lines, "started": started, "runs": args.runs,
            "slow_runs": args.slow_runs, "jobs": jobs, "machine": machine(), "versions": versions(bins, repo),
            "load_start": load_start, "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "wall_s": round(time.perf_counter() - t0), "rows": summarise(samples),
            "notes": {c.name: c.note for c in cases if c.note}, "skipped": skipped, "importtime": imports,
        }
        if partial:
            result["partial"] = f"stopped after {min(len(v) for v in samples.values() if v)} round(s)"
        if old is not None:  # a partial run (--only) updates the rows it measured, and says so
            update = (f"{started} UTC: rows {', '.join(sorted(result['rows']))} re-measured "  # type: ignore[arg-type]
                      f"({args.runs} runs, load {load_start} -> {result['load_end']})")
            merged = dict(old)
            merged["rows"] = {**old.get("rows", {}), **result["rows"]}  # type: ignore[dict-item]
            merged["notes"] = {**old.get("notes", {}), **result["notes"]}  # type: ignore[dict-item]
            merged["importtime"] = result["importtime"] or old.get("importtime", {})
            merged["updates"] = old.get("updates", []) + [update]
            merged.pop("partial", None)
            if partial:
                merged["partial"] = result["partial"]
            return merged
        return result

    def save(result: Dict[str, object]) -> None:
        RESULTS_DIR.mkdir(exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")

    samples = run_cases(cases, args.runs, args.slow_runs, args.timeout,
                        on_round=lambda s: save(result_of(s, {}, partial=True)))
    imports: Dict[str, object] = {}
    if not args.only or any("version" in c.name for c in cases):
        imports["python -X importtime -m importguard --version"] = importtime(
            ig_py, ["-m", "importguard", "--version"], corpus_root)
        if plugin:
            imports["python -X importtime -c 'import importguard.commands.flake8_plugin'"] = importtime(
                ig_py, ["-c", "import importguard.commands.flake8_plugin"], corpus_root)
    result = result_of(samples, imports, partial=False)
    save(result)
    if not args.no_render:
        render_all()
    print(table(MEDIAN_HEADER, median_rows(result)))
    print()
    print(table(GOALS_HEADER, goals(result["rows"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
