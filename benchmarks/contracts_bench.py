"""What contracts cost: ``importguard check`` with a dozen contracts against the same check without
them, and against ``lint-imports --no-cache`` on the same configuration file.

    python benchmarks/contracts_bench.py [--corpus django|sympy] [--runs 5]

The corpus (from ``../shared/corpora.sh``) is copied to ``~/.cache/importguard-bench/contracts-<corpus>/``
with ``tests/fixtures/contracts/<corpus>.importlinter`` as its ``.importlinter``, which both tools
read. Rows, each the median of ``--runs`` runs taken round robin:

- ``warm``: ``importguard check -q PKG`` after an untimed run filled the cache (``--ignore IG5``
  for the row without contracts: the same files, cache and configuration file);
- ``import edited``: the same after a new import was appended to one module (a different one each
  run), so the graph and everything computed on it (cycles, the simulation, contracts) is new;
- ``lint-imports --no-cache``: import-linter builds its graph (grimp, in Rust) and checks;
- ``contracts alone``: in this process, the contracts evaluated on the facts of the warm cache
  (build the contract graph, check each contract, make the diagnostics): what a check pays for
  contracts whenever the graph changed.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = Path.home() / ".cache" / "importguard-bench"
EDITED = {"django": "django/utils/text.py", "sympy": "sympy/core/basic.py"}


def corpus(name: str) -> Path:
    for script in (REPO.parent / "shared" / "corpora.sh", REPO.parent.parent / "shared" / "corpora.sh"):
        if script.exists():
            out = subprocess.run(["bash", str(script), name], capture_output=True, text=True, check=True).stdout
            return Path(out.split()[-1])
    raise SystemExit("contracts_bench: ../shared/corpora.sh not found")


def prepare(name: str) -> Path:
    work = WORK / f"contracts-{name}"
    if not (work / name).exists():
        work.mkdir(parents=True, exist_ok=True)
        shutil.copytree(corpus(name) / name, work / name)
    (work / "pyproject.toml").write_text(f"[project]\nname = '{name}'\n")
    shutil.copy(REPO / "tests" / "fixtures" / "contracts" / f"{name}.importlinter", work / ".importlinter")
    return work


CPU: dict = {}  # row -> CPU seconds (user + system) of each run, the command and its children


def timed(cmd, cwd: Path, row: str = "") -> float:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=str(cwd), capture_output=True, text=True)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    if row:
        CPU.setdefault(row, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="django", choices=sorted(EDITED))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-edit", action="store_true", help="leave out the import-edited rows (slow)")
    ap.add_argument("--src", type=Path, default=REPO / "src",
                    help="the importguard source to time (default: this checkout's)")
    args = ap.parse_args()
    work = prepare(args.corpus)
    ig = [sys.executable, "-m", "importguard", "check", "-q", args.corpus]
    env_note = f"PYTHONPATH={args.src}"
    import os

    os.environ["PYTHONPATH"] = str(args.src)
    lint = shutil.which("lint-imports") or "lint-imports"
    edited = work / EDITED[args.corpus]
    original = edited.read_text(encoding="utf-8")
    rows = {
        "warm, with contracts": lambda i: timed(ig, work, "warm, with contracts"),
        "warm, without (--ignore IG5)": lambda i: timed(ig + ["--ignore", "IG5"], work, "warm, without (--ignore IG5)"),
        "import edited, with contracts": lambda i: edit_and_time(edited, original, i, ig, work, "a",
                                                                 "import edited, with contracts"),
        "import edited, without": lambda i: edit_and_time(edited, original, i, ig + ["--ignore", "IG5"], work, "b",
                                                          "import edited, without"),
        "lint-imports --no-cache": lambda i: timed([lint, "--no-cache"], work, "lint-imports --no-cache"),
    }
    if args.skip_edit:
        rows = {k: v for k, v in rows.items() if not k.startswith("import edited")}
    timed(ig, work)  # fill the cache
    timed(ig + ["--ignore", "IG5"], work)
    times = {k: [] for k in rows}
    for i in range(args.runs):
        for name, run in rows.items():
            times[name].append(run(i))
    edited.write_text(original, encoding="utf-8")
    times["contracts alone (in process)"] = contracts_alone(work, args.corpus, args.runs, args.src)
    med = {k: statistics.median(v) for k, v in times.items()}
    n_contracts = len((work / ".importlinter").read_text().split("[importlinter:contract")) - 1
    print(f"{args.corpus}, {args.runs} runs each, medians ({env_note}; {n_contracts} contracts)")
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    for k, v in med.items():
        c = f"cpu {cpu[k]:6.3f} s" if k in cpu else " " * 12
        print(f"  {k:<32} {v:7.3f} s  {c}  (runs: {', '.join(f'{t:.2f}' for t in times[k])})")
    for label, unit in (("wall", med), ("cpu", cpu)):
        warm = unit["warm, with contracts"] / unit["warm, without (--ignore IG5)"]
        print(f"  contracts on a warm check ({label}):      {warm:.3f}x")
        if "import edited, without" in unit:
            after_edit = unit["import edited, with contracts"] / unit["import edited, without"]
            print(f"  contracts after an import edit ({label}): {after_edit:.3f}x")
    print(f"  lint-imports / warm importguard:  {med['lint-imports --no-cache'] / med['warm, with contracts']:.2f}x")
    if "import edited, without" in med:
        print(f"  contracts alone / import-edited check without: "
              f"{100 * med['contracts alone (in process)'] / med['import edited, without']:.1f} %")


def contracts_alone(work: Path, name: str, runs: int, src: Path) -> list:
    sys.path.insert(0, str(src))
    from importguard.config.settings import load_config
    from importguard.contracts import check as check_contracts
    from importguard.engine.pipeline import check

    config = load_config(work)
    modules = check([str(work / name)], config, cwd=work).modules
    graph_modules = {k: v for k, v in modules.items() if not k.startswith("<")}
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        check_contracts(config, graph_modules)
        out.append(time.perf_counter() - started)
    return out


def edit_and_time(path: Path, original: str, i: int, cmd, cwd: Path, tag: str, row: str) -> float:
    stamp = f"{tag}{i}_{time.time_ns()}"  # never seen before: the graph is new
    path.write_text(original + f"\nimport {path.parent.name} as _bench_{stamp}  # noqa\n", encoding="utf-8")
    try:
        return timed(cmd, cwd, row)
    finally:
        path.write_text(original, encoding="utf-8")


if __name__ == "__main__":
    main()
