"""Where a file's extraction goes: LibCST's parse, the positions pass, the whole extractor walk.

    python benchmarks/extract_cost.py [--rounds N] [--repo PATH] PATH

Discovers files exactly as ``importguard check PATH`` does (importguard's discovery and config,
imported from ``--repo``/src), reads them all, then, in this one process, per round and per file:
parses with ``parse_unvalidated`` (as ``extract`` does), runs ``positions`` alone, then the
``Extractor`` (which runs ``positions`` again itself). Prints the CPU seconds of each step summed
over the files, the median of the rounds, and each as a multiple of the parse.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repo", default=str(HERE.parent), help="importguard checkout to measure")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from bare_parse import discover_files

    files = discover_files([args.path], Path(args.repo))
    from importguard.extract import parse_unvalidated
    from importguard.extract.extractor import Extractor
    from importguard.extract.positions import positions

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    datas = []
    for f in files:
        with open(f, "rb") as fh:
            datas.append(fh.read())
    steps = ("parse", "positions", "extractor")
    rounds: Dict[str, List[float]] = {s: [] for s in steps}
    clock = time.process_time
    for _ in range(args.rounds):
        total = dict.fromkeys(steps, 0.0)
        for data in datas:
            t0 = clock()
            try:
                module = parse_unvalidated(data)
            except Exception:  # a file that does not parse has no positions: only its parse counts
                total["parse"] += clock() - t0
                continue
            t1 = clock()
            positions(module, set())
            t2 = clock()
            try:
                Extractor(module).run()
            except RecursionError:  # extract() retries these on a larger stack; not measured here
                pass
            t3 = clock()
            total["parse"] += t1 - t0
            total["positions"] += t2 - t1
            total["extractor"] += t3 - t2
        for s in steps:
            rounds[s].append(total[s])
    parse = statistics.median(rounds["parse"])
    print(f"files={len(files)} bytes={sum(map(len, datas))} rounds={args.rounds} cwd={os.getcwd()}")
    for s in steps:
        m = statistics.median(rounds[s])
        print(f"{s:10s} {m:8.2f} s CPU  {m / parse:5.2f} x parse   rounds: {' '.join(f'{x:.2f}' for x in rounds[s])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
