"""A longer fuzzing run than the test suite's: generated programs through ``check`` and ``fix``.

Campaigns (the properties of tests/robustness/test_fuzz.py, run for longer and counted):

- ``packages``: generated packages (tests/fuzzgen.py) fixed with a random option set; every fixed
  file compiles, the package prints what it printed before, a second fix changes nothing.
- ``damaged``: a generated module with random byte edits; IG900 exactly when extraction fails,
  a file that cannot be parsed is never written, every written file compiles.
- ``hypothesmith``: programs from Python's grammar (hypothesmith.from_node), plus a few imports;
  analysed without IG900, fixed to compiling code, stable under a second fix.

usage: python benchmarks/fuzz.py [--examples N] [--seconds S] [--seed K] [--json OUT] [CAMPAIGN ...]
Exit status 1 when any property failed (the shrunk counterexample is printed).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE.parent / "tests"), str(HERE.parent / "tests" / "robustness")]

import test_fuzz as tf  # noqa: E402
from hypothesis import HealthCheck, given, seed as hseed, settings, strategies as st  # noqa: E402

from fuzzgen import mutate, program  # noqa: E402
from importguard.config.settings import Config  # noqa: E402
from importguard.engine.pipeline import check  # noqa: E402
from importguard.extract import extract  # noqa: E402


class Stats:
    def __init__(self) -> None:
        self.examples = 0
        self.files = 0
        self.changed = 0
        self.ig900 = 0
        self.bytes = 0


def campaign_packages(stats: Stats, deadline: float):
    @given(program(), st.sampled_from(tf.OPTIONS))
    def run(files, options):
        if time.monotonic() > deadline:
            return
        stats.examples += 1
        stats.files += len(files)
        stats.bytes += sum(map(len, files.values()))
        stats.changed += tf.fix_and_verify(files, options)

    return run


def campaign_damaged(stats: Stats, deadline: float):
    @given(program(), st.data())
    def run(files, data):
        if time.monotonic() > deadline:
            return
        stats.examples += 1
        stats.files += len(files)
        target = data.draw(st.sampled_from(sorted(k for k in files if "/m" in k)))
        damaged = data.draw(mutate(files[target]))
        stats.bytes += len(damaged)
        facts = extract(damaged)
        stats.ig900 += facts.error is not None
        files = dict(files, **{target: damaged})
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            tf.write(root, files)
            result = check([str(root)], Config(project_root=root), jobs=1, use_cache=False, cwd=root)
            ig900 = {d.path for d in result.diagnostics if d.code == "IG900"}
            assert (target in ig900) == (facts.error is not None)
            tf.fix(root, "--unsafe-fixes")
            fixed = tf.read(root, files)
            if facts.error is not None:
                assert fixed[target] == damaged
            for rel, out in fixed.items():
                if out != files[rel]:
                    stats.changed += 1
                    if tf.compiles(files[rel]):  # LibCST parses some files CPython rejects
                        compile(out, rel, "exec", dont_inherit=True)

    return run


def campaign_hypothesmith(stats: Stats, deadline: float):
    import hypothesmith

    @given(hypothesmith.from_node(), st.sampled_from(tf.TAILS), st.sampled_from(tf.OPTIONS))
    def run(src, tail, options):
        if time.monotonic() > deadline:
            return
        data = tf._with_imports(src, tail)
        stats.examples += 1
        stats.files += 1
        stats.bytes += len(data)
        facts = extract(data)
        assert facts.error is None or facts.error.startswith(tf.LIBCST_REFUSES), (facts.error, data)
        stats.ig900 += facts.error is not None  # valid code LibCST refuses
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "mod.py").write_bytes(data)
            tf.fix(root, *options)
            fixed = (root / "mod.py").read_bytes()
            assert facts.error is None or fixed == data
            stats.changed += fixed != data
            compile(fixed, "mod.py", "exec", dont_inherit=True)
            tf.fix(root, *options)
            assert (root / "mod.py").read_bytes() == fixed

    return run


CAMPAIGNS = {"packages": campaign_packages, "damaged": campaign_damaged, "hypothesmith": campaign_hypothesmith}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("campaigns", nargs="*", metavar="CAMPAIGN", help=f"some of {', '.join(CAMPAIGNS)} (default: all)")
    ap.add_argument("--examples", type=int, default=500, help="examples per campaign (default 500)")
    ap.add_argument("--seconds", type=float, default=600, help="time budget per campaign (default 600)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    unknown = set(args.campaigns) - set(CAMPAIGNS)
    if unknown:
        ap.error(f"unknown campaign(s): {', '.join(sorted(unknown))}")
    report = {"python": sys.version.split()[0], "seed": args.seed, "campaigns": {}}
    failed = False
    for name in args.campaigns or list(CAMPAIGNS):
        stats = Stats()
        started = time.monotonic()
        test = CAMPAIGNS[name](stats, started + args.seconds)
        test = settings(max_examples=args.examples, deadline=None, database=None,
                        suppress_health_check=list(HealthCheck))(test)
        test = hseed(args.seed)(test)
        outcome = "passed"
        try:
            test()
        except Exception:  # hypothesis re-raises the shrunk failure
            outcome = "FAILED"
            failed = True
            traceback.print_exc()
        row = {"outcome": outcome, "examples": stats.examples, "files": stats.files, "bytes": stats.bytes,
               "files_changed_by_fix": stats.changed, "ig900": stats.ig900,
               "seconds": round(time.monotonic() - started, 1)}
        report["campaigns"][name] = row
        print(f"{name:13} {outcome:7} {stats.examples:5} examples, {stats.files:5} files, "
              f"{stats.changed:5} changed by fix, {stats.ig900:4} IG900, {row['seconds']:7.1f} s", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
