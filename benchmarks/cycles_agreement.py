"""Long run of the IG301 agreement check: random cyclic packages, real interpreter vs simulation.

    python benchmarks/cycles_agreement.py [EXAMPLES] [--python PATH] [--seed N]

Prints the number of entry modules checked, how many fail for real, and every mismatch.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent / "tests"))

from hypothesis import HealthCheck, given, seed as hyp_seed, settings  # noqa: E402

import cyclegen  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("examples", type=int, nargs="?", default=500)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-mods", type=int, default=4)
    ap.add_argument("--max-stmts", type=int, default=5)
    args = ap.parse_args()
    import subprocess

    version = tuple(int(x) for x in subprocess.run(
        [args.python, "-c", "import sys; print('%d %d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True).stdout.split())
    stats = {"examples": 0, "entries": 0, "failing": 0, "mismatches": 0}
    bad = []
    started = time.time()

    @hyp_seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(cyclegen.packages(args.max_mods, args.max_stmts))
    def run(files):
        with tempfile.TemporaryDirectory() as tmp:
            cyclegen.write(Path(tmp), files)
            entries = cyclegen.entries_of(files)
            real = cyclegen.real_outcomes(Path(tmp), entries, args.python)
        sim = cyclegen.predicted(files, version)
        problems = cyclegen.compare(files, real, sim)
        stats["examples"] += 1
        stats["entries"] += len(entries)
        stats["failing"] += sum(1 for v in real.values() if v is not None)
        if problems:
            stats["mismatches"] += len(problems)
            bad.append((files, problems))

    run()
    for files, problems in bad[:5]:
        print("=" * 60)
        for rel, text in sorted(files.items()):
            print(f"--- {rel}\n{text}")
        print("\n".join(problems))
    agree = stats["entries"] - stats["mismatches"]
    print(f"python {version[0]}.{version[1]}: {stats['examples']} packages, {stats['entries']} entry modules, "
          f"{stats['failing']} fail for real, {stats['mismatches']} mismatches "
          f"({100.0 * agree / max(stats['entries'], 1):.2f}% agreement), {time.time() - started:.0f}s")
    return 1 if stats["mismatches"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
