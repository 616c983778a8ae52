"""The bound of importguard's design: a bare ``libcst.parse_module`` of the files it discovers.

    python benchmarks/bare_parse.py [--jobs N] [--repo PATH] [--gc MODE] PATH [PATH ...]

Discovers files exactly as ``importguard check PATH`` does (importguard's own discovery and
config, imported from ``--repo``/src), then parses each with LibCST in ``N`` processes and does
nothing else: no facts, no rules, no cache. Workers read the files themselves, so the parent ships
only paths. Chunks are dealt largest file first, round the chunks, as the engine does.

``--gc`` is for prototyping: ``default`` (what importguard's users get), ``freeze`` (gc.freeze()
after importing libcst, as the engine's workers do) or ``off`` (gc.disable() in the workers).
Prints one line: files, bytes, seconds, jobs.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path
from typing import List

HERE = Path(__file__).resolve().parent

_GC = "default"


def _init(mode: str) -> None:
    global _GC
    _GC = mode
    import libcst  # noqa: F401

    if mode == "freeze":
        gc.freeze()
    elif mode == "off":
        gc.disable()


def _parse_many(paths: List[str]) -> int:
    import libcst as cst

    n = 0
    for p in paths:
        with open(p, "rb") as fh:
            data = fh.read()
        try:
            cst.parse_module(data)
        except Exception:  # a syntax error costs what it costs; the bound does not care
            pass
        n += 1
    return n


def _chunks(paths: List[str], sizes: List[int], jobs: int) -> List[List[str]]:
    order = sorted(range(len(paths)), key=lambda i: -sizes[i])
    chunks: List[List[str]] = [[] for _ in range(min(max(jobs * 4, 1), len(order)) or 1)]
    for k, i in enumerate(order):
        chunks[k % len(chunks)].append(paths[i])
    return chunks


def discover_files(paths: List[str], repo: Path) -> List[str]:
    sys.path.insert(0, str(repo / "src"))
    from importguard.config.settings import load_config
    from importguard.discovery.files import discover

    cwd = Path.cwd()
    start = Path(paths[0])
    start = start if start.is_absolute() else cwd / start
    config = load_config(start if start.exists() else cwd)
    analysed, _ = discover(paths, config, cwd)
    return [str(f.path) for f in analysed]


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--jobs", "-j", type=int, default=1)
    ap.add_argument("--repo", default=str(HERE.parent), help="importguard checkout whose discovery to use")
    ap.add_argument("--gc", choices=("default", "freeze", "off"), default="default")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    files = discover_files(args.paths, Path(args.repo))
    sizes = [os.path.getsize(p) for p in files]
    if args.jobs <= 1:
        _init(args.gc)
        _parse_many(files)
    else:
        import concurrent.futures as cf

        with cf.ProcessPoolExecutor(max_workers=args.jobs, initializer=_init, initargs=(args.gc,)) as pool:
            sum(pool.map(_parse_many, _chunks(files, sizes, args.jobs)))
    print(f"files={len(files)} bytes={sum(sizes)} seconds={time.perf_counter() - t0:.3f} jobs={args.jobs} gc={args.gc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
