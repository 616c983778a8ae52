"""Where a cold (or warm) ``importguard check`` spends its time, in one process.

    python benchmarks/profile_check.py [--repo PATH] [--warm] [--cprofile N] PATH

Runs ``engine.check(PATH, jobs=1)`` in this process with the phases timed by wrapping the
functions that make them (low overhead: one ``process_time`` pair per call, no tracing; CPU time,
since the machine is shared and wall time would count the other sessions' work):

- import: importing importguard, libcst, networkx (measured before anything else),
- discovery, read + hash (``reading.read_source`` + ``cache.content_hash``),
- LibCST parse (``libcst.parse_module``), position pass (``extract.positions.positions``),
  our walk (``Extractor`` construction and ``run`` minus the position pass),
- cache (``Store`` load/save, ``from_plain``/``to_plain``), graph (``build_edges``, ``cycles``),
  rules (``analyse`` minus the graph).

``--cprofile N`` then runs the same check again under cProfile and prints the N functions with
the largest own time (cProfile slows pure-Python code several times more than the native parser,
so use the phase table for proportions and cProfile only to find hot spots).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
T: Dict[str, float] = defaultdict(float)
# CPU time of this process: the machine is shared, and wall time would count the other sessions
_clock = time.process_time
N: Dict[str, int] = defaultdict(int)


def wrap(owner: object, attr: str, phase: str) -> None:
    fn = getattr(owner, attr)

    def timed(*a, **kw):
        t = _clock()
        try:
            return fn(*a, **kw)
        finally:
            T[phase] += _clock() - t
            N[phase] += 1

    setattr(owner, attr, timed)


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path")
    ap.add_argument("--repo", default=str(HERE.parent))
    ap.add_argument("--warm", action="store_true", help="use the cache (populate it first) instead of --no-cache")
    ap.add_argument("--touch", metavar="FILE", help="with --warm: append a comment to FILE before the timed run "
                    "(restored after)")
    ap.add_argument("--cprofile", type=int, default=0, metavar="N")
    ap.add_argument("--gc", choices=("default", "freeze", "off"), default="default")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(args.repo).resolve() / "src"))
    t0 = _clock()
    import importguard.engine.pipeline as engine  # noqa: E402

    T["import importguard (engine)"] = _clock() - t0
    if args.warm:  # populate in another process, so this one imports only what a warm run imports
        import os
        import subprocess

        env = dict(os.environ, PYTHONPATH=str(Path(args.repo).resolve() / "src"))
        subprocess.run([sys.executable, "-m", "importguard", "check", "-q", args.path], env=env,
                       stdout=subprocess.DEVNULL, check=False)
        import libcst  # noqa: F401  (only to wrap parse_module; a warm run must not call it)

        T.clear()
    else:
        t = _clock()
        import libcst  # noqa: F401

        T["import libcst"] = _clock() - t
        t = _clock()
        import networkx  # noqa: F401

        T["import networkx"] = _clock() - t
    import gc

    if args.gc == "freeze":
        gc.freeze()
    elif args.gc == "off":
        gc.disable()

    import importguard.analysis.graph as graph
    import importguard.cache.facts as cache
    import importguard.discovery.files as discovery
    import importguard.extract as extract
    import importguard.extract.extractor as extractor
    import importguard.extract.positions as positions
    from importguard.commands.cli import build_parser, make_config

    wrap(engine, "discover", "discovery")
    import importguard.engine.reading as reading

    wrap(reading, "read_source", "read files")
    wrap(reading, "content_hash", "content hash")
    wrap(libcst, "parse_module", "LibCST parse_module")
    wrap(extractor, "positions", "position pass (positions.py)")
    wrap(extractor.Extractor, "__init__", "extractor __init__ (incl. position pass)")
    wrap(extractor.Extractor, "run", "extractor walk (Extractor.run)")
    wrap(cache.Store, "__init__", "cache load (Store.__init__)")
    wrap(cache.Store, "save", "cache save (Store.save)")
    wrap(cache, "from_plain", "from_plain")
    wrap(cache, "to_plain", "to_plain")
    wrap(graph, "build_edges", "graph: build_edges")
    wrap(graph, "cycles", "graph: cycles")
    wrap(engine, "analyse", "analyse (graph + rules)")
    wrap(engine, "modules_from", "modules_from")
    _ = (discovery, extract, positions, graph)

    config = make_config(build_parser().parse_args(["check", args.path]))
    original = Path(args.touch).read_bytes() if args.touch else None
    if args.touch:
        Path(args.touch).write_bytes(original + b"\n# touched by profile_check %d\n" % time.time_ns())
    before = set(sys.modules)
    t = _clock()
    try:
        result = engine.check([args.path], config, jobs=1, use_cache=args.warm)
    finally:
        if args.touch:
            Path(args.touch).write_bytes(original)
    total = _clock() - t
    derived = {
        "our walk (Extractor.run + __init__ - position pass)": T["extractor walk (Extractor.run)"]
        + T["extractor __init__ (incl. position pass)"] - T["position pass (positions.py)"],
        "rules (analyse - graph)": T["analyse (graph + rules)"] - T["graph: build_edges"] - T["graph: cycles"],
    }
    accounted = sum(T[k] for k in ("discovery", "read files", "content hash", "LibCST parse_module",
                                   "extractor __init__ (incl. position pass)", "extractor walk (Extractor.run)",
                                   "cache load (Store.__init__)", "cache save (Store.save)", "from_plain",
                                   "to_plain", "analyse (graph + rules)", "modules_from"))
    print(f"files {result.files}, diagnostics {len(result.diagnostics)}, check() {total:.3f} s CPU "
          f"({'touched' if args.touch else 'warm' if args.warm else 'cold'}, jobs=1, gc={args.gc})")
    new = sorted(m for m in set(sys.modules) - before if "." not in m)
    print("top-level modules imported during check():", ", ".join(new))
    print("| phase | seconds | % of check() | calls |\n| --- | --- | --- | --- |")
    for k, v in sorted(list(T.items()) + list(derived.items()), key=lambda kv: -kv[1]):
        print(f"| {k} | {v:.3f} | {100 * v / total:.1f} | {N.get(k, '')} |")
    print(f"| other (engine glue, marshal of nothing, ...) | {total - accounted:.3f} | "
          f"{100 * (total - accounted) / total:.1f} | |")
    if args.cprofile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        engine.check([args.path], config, jobs=1, use_cache=args.warm)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
