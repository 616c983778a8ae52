"""Where a file's extraction goes, by LibCST's parser and by Python's own (``extract.fromast``).

    python benchmarks/extract_cost.py [--rounds N] [--repo PATH] PATH

Discovers files exactly as ``importguard check PATH`` does (importguard's discovery and config,
imported from ``--repo``/src), reads them all, then, in this one process, per round and per file:

- ``libcst parse``: ``libcst.parse_module`` as it is (validating each node): the bound the scale
  benchmark compares cold runs with (``bare_parse.py``);
- ``parse``: ``parse_unvalidated`` (LibCST's path of ``extract``), ``positions`` alone, then the
  ``Extractor.from_libcst`` (which runs ``positions`` again, then copies the tree into ``nodes``);
- ``ast.parse`` alone, ``fromast.build`` (which parses with ``ast`` too) and the ``Extractor``'s
  walk of the tree it builds (files the builder leaves to LibCST are counted in ``left``);
- ``extract`` whole (the default path, LibCST's where the builder declines), and ``extract`` with
  ``IMPORTGUARD_PARSER=libcst``.

Prints the CPU seconds of each step summed over the files, the median of the rounds, and each as
a multiple of ``libcst parse``.
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
    import ast
    import warnings

    import libcst

    import importguard.extract as extract_module
    from importguard.extract import extract, fromast, parse_unvalidated
    from importguard.extract.extractor import Extractor
    from importguard.extract.positions import positions

    warnings.simplefilter("ignore")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    datas = []
    for f in files:
        with open(f, "rb") as fh:
            datas.append(fh.read())
    steps = ("libcst parse", "parse", "positions", "extractor", "ast.parse", "build", "walk of built",
             "extract", "extract libcst")
    rounds: Dict[str, List[float]] = {s: [] for s in steps}
    clock = time.process_time
    left = 0
    for _ in range(args.rounds):
        total = dict.fromkeys(steps, 0.0)
        left = 0
        for data in datas:
            t0 = clock()
            try:
                libcst.parse_module(data)
            except Exception:
                pass
            t1 = clock()
            total["libcst parse"] += t1 - t0
            try:
                module = parse_unvalidated(data)
            except Exception:  # a file that does not parse has no positions: only its parse counts
                total["parse"] += clock() - t1
                continue
            t2 = clock()
            positions(module, set())
            t3 = clock()
            try:
                Extractor.from_libcst(module).run()
            except RecursionError:  # extract() retries these on a larger stack; not measured here
                pass
            t4 = clock()
            total["parse"] += t2 - t1
            total["positions"] += t3 - t2
            total["extractor"] += t4 - t3
            try:
                ast.parse(data)
            except (SyntaxError, ValueError, RecursionError):
                pass
            t5 = clock()
            total["ast.parse"] += t5 - t4
            try:
                built = fromast.build(data)
            except fromast.Unsupported:
                left += 1
                continue
            t6 = clock()
            try:
                Extractor(built[0], built[1:]).run()
            except RecursionError:
                pass
            total["build"] += t6 - t5
            total["walk of built"] += clock() - t6
        for data in datas:
            t0 = clock()
            extract(data)
            total["extract"] += clock() - t0
        extract_module.LIBCST_ONLY = True
        for data in datas:
            t0 = clock()
            extract(data)
            total["extract libcst"] += clock() - t0
        extract_module.LIBCST_ONLY = False
        for s in steps:
            rounds[s].append(total[s])
    bound = statistics.median(rounds["libcst parse"])
    print(f"files={len(files)} bytes={sum(map(len, datas))} rounds={args.rounds} cwd={os.getcwd()} "
          f"left to LibCST by the builder: {left}")
    for s in steps:
        m = statistics.median(rounds[s])
        each = " ".join(f"{x:.2f}" for x in rounds[s])
        print(f"{s:15s} {m:8.2f} s CPU  {m / bound:5.2f} x libcst parse   rounds: {each}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
