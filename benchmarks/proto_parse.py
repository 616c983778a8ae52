"""Prototype (not product code): how much of ``libcst.parse_module`` can be saved without LibCST.

    python benchmarks/proto_parse.py [--rounds N] [--limit N] PATH

Parses every ``.py`` file under PATH in this process (one core, CPU time) several ways,
alternating, and prints the median of each:

- ``default``: ``libcst.parse_module`` as importguard calls it today (the lower bound of a cold run);
- ``gc-tuned``: the same after ``gc.freeze()`` and ``gc.set_threshold(50_000, 20, 100)``
  (LibCST trees hold no reference cycles: reference counting frees them, and the cyclic
  collector only rescans the growing heap);
- ``no-validate``: the same with ``CSTNode.__post_init__`` (which calls ``_validate`` on every
  node the parser builds; LibCST's own comment there says validation could move out of parsing)
  replaced by a no-op for the duration of the parse;
- ``both``; and ``ast`` (stdlib ``ast.parse``) for scale, ``ast+positions`` the same plus an
  ``ast.walk`` collecting the positions of statements, names, aliases, calls and constants;
- ``codegen`` / ``positions``: ``module.code`` and importguard's position pass on the tree;
- ``extract``: importguard's whole ``extract()`` (parse + positions + walk), and ``extract, both``
  the same with both tunings.

It checks that the no-validate trees equal the validated ones (``deep_equals``) and round-trip
to the same source, so the saving is not a different tree.
"""
from __future__ import annotations

import argparse
import ast
import gc
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
    ap.add_argument("--limit", type=int, default=0, help="only the N largest files")
    ap.add_argument("--repo", default=str(HERE.parent))
    ap.add_argument("--modes", nargs="+", metavar="MODE", help="only these modes (default: all)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(args.repo).resolve() / "src"))
    import libcst as cst
    from libcst._nodes.base import CSTNode

    from importguard.extract import extract
    from importguard.extract.positions import positions

    files = sorted(Path(args.path).rglob("*.py"), key=lambda p: -p.stat().st_size)
    if args.limit:
        files = files[: args.limit]
    data = [p.read_bytes() for p in files]
    validating = CSTNode.__post_init__

    def parse_all(keep: bool = True) -> list:
        """Parse every file; timed runs drop each tree at once, as the engine does."""
        out = []
        for d in data:
            try:
                m = cst.parse_module(d)
            except Exception:
                m = None
            if keep:
                out.append(m)
        return out

    # the trees must be the same with and without validation
    valid = parse_all()
    CSTNode.__post_init__ = lambda self: None
    try:
        fast = parse_all()
    finally:
        CSTNode.__post_init__ = validating
    same = sum(1 for a, b in zip(valid, fast) if (a is None and b is None) or (a is not None and b is not None
                                                                               and a.deep_equals(b)))
    roundtrip = sum(1 for d, b in zip(data, fast) if b is not None and b.bytes == d)
    print(f"{len(data)} files, {sum(map(len, data))} bytes; no-validate trees equal: {same}/{len(data)}, "
          f"round-trip exact: {roundtrip}/{len(data)}")
    del valid, fast

    gc_default = gc.get_threshold()

    def run(mode: str) -> float:
        gc.collect()
        if mode in ("gc-tuned", "both", "extract, both"):
            gc.freeze()
            gc.set_threshold(50_000, 20, 100)
        if mode in ("no-validate", "both", "extract, both"):
            CSTNode.__post_init__ = lambda self: None
        t = time.process_time()
        try:
            if mode in ("ast", "ast+positions"):
                for d in data:
                    try:
                        tree = ast.parse(d)
                    except SyntaxError:
                        continue
                    if mode == "ast+positions":  # what a position pass from ast would collect
                        pos = [(n.lineno, n.col_offset, getattr(n, "end_lineno", None))
                               for n in ast.walk(tree)
                               if isinstance(n, (ast.stmt, ast.Name, ast.alias, ast.Call, ast.Constant))]
                        del pos
            elif mode.startswith("extract"):
                for d in data:
                    extract(d)
            elif mode in ("codegen", "positions"):
                spent = 0.0
                for d in data:  # one tree alive at a time; time only the pass over it
                    try:
                        m = cst.parse_module(d)
                    except Exception:
                        continue
                    t = time.process_time()
                    if mode == "codegen":
                        m.code
                    else:
                        positions(m)
                    spent += time.process_time() - t
                return spent
            else:
                parse_all(keep=False)
            return time.process_time() - t
        finally:
            CSTNode.__post_init__ = validating
            gc.set_threshold(*gc_default)
            gc.unfreeze()

    modes = ("default", "gc-tuned", "no-validate", "both", "ast", "ast+positions", "codegen", "positions", "extract",
             "extract, both")
    if args.modes:
        modes = tuple(m for m in modes if m in args.modes or m.replace(", ", "+") in args.modes)
    times: Dict[str, List[float]] = {m: [] for m in modes}
    for _ in range(args.rounds):
        for m in modes:
            times[m].append(run(m))
    base = statistics.median(times["default"] or times[modes[0]])
    print(f"| mode | median CPU s | x {'default parse' if times.get('default') else modes[0]} |\n| --- | --- | --- |")
    for m in modes:
        med = statistics.median(times[m])
        print(f"| {m} | {med:.2f} | {med / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
