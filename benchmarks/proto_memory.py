"""Prototype (not product code): peak memory of parallel extraction, by how huge files are dealt.

    python benchmarks/proto_memory.py [--repo PATH] [--largest N] [--jobs J] PATH

Extracts the N largest ``.py`` files under PATH with the engine's own ``_extract_parallel`` on J
processes, twice, each in a fresh interpreter whose process tree is measured as bench.py does:

- ``engine``: the engine's chunks (largest first, dealt round the chunks), so with 2 workers the
  two largest files are parsed at the same time;
- ``huge-together``: files over ``--huge`` bytes share one chunk (one worker parses them one
  after the other), the rest are dealt as before.

A LibCST tree costs about 1.5-1.8 KB of RSS per byte of source (sympy's 346 KB test_spin.py:
610 MB), so which files overlap decides the peak.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import List

HERE = Path(__file__).resolve().parent

CHILD = r"""
import sys, json
sys.path.insert(0, {src!r})
import importguard.engine as engine
paths, jobs, mode, huge = json.loads(sys.argv[1])
sources = [open(p, "rb").read() for p in paths]
if mode == "huge-together":
    original = engine._chunks
    def chunks(sources, jobs):
        big = [i for i, s in enumerate(sources) if len(s) > huge]
        rest = [i for i, s in enumerate(sources) if len(s) <= huge]
        out = [c for c in original([sources[i] for i in rest], jobs)]
        out = [[rest[i] for i in c] for c in out]
        return ([big] if big else []) + out
    engine._chunks = chunks
facts = engine._extract_parallel(sources, jobs)
print(len(facts))
"""


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path")
    ap.add_argument("--repo", default=str(HERE.parent))
    ap.add_argument("--largest", type=int, default=4)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--huge", type=int, default=300_000, help="bytes above which a file is huge")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from bench import measure

    files = sorted(Path(args.path).rglob("*.py"), key=lambda p: -p.stat().st_size)[: args.largest]
    print("files:", ", ".join(f"{p} ({p.stat().st_size // 1000} KB)" for p in files))
    code = CHILD.format(src=str(Path(args.repo).resolve() / "src"))
    for mode in ("engine", "huge-together"):
        payload = json.dumps([[str(p) for p in files], args.jobs, mode, args.huge])
        s = measure([sys.executable, "-c", code, payload], Path.cwd(), 3600)
        print(f"{mode:14s} wall {s.seconds:7.1f} s  cpu {s.cpu:7.1f} s  peak tree RSS {s.tree_rss_kb / 1024:7.1f} MB  "
              f"largest process {s.max_rss_kb / 1024:7.1f} MB  exit {s.status}")
    _ = subprocess
    return 0


if __name__ == "__main__":
    sys.exit(main())
