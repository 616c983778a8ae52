"""What the deep-nesting precheck costs on ordinary code, and what it saves on hostile code.

For each corpus: time of ``suspicious()`` over every file, the files it flags and the time
CPython's ``compile()`` takes on them, against the time of the whole extraction (LibCST parse
+ walk). Then the hostile shapes: LibCST's parse time against the precheck's verdict time.

usage: python benchmarks/precheck_cost.py [--hostile-only] [NAME ...]   (default: django sympy)
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from importguard.extract import _compile_verdict, _precheck, extract, suspicious  # noqa: E402


def corpus_files(name: str):
    from fix_real_code import corpus

    root = corpus(name)
    if root is None:
        sys.exit(f"{name}: corpus not available")
    return [p.read_bytes() for p in sorted((root / name).rglob("*.py"))]


def measure_corpus(name: str) -> None:
    files = corpus_files(name)
    t = time.perf_counter()
    flagged = [s for s in files if suspicious(s)]
    t_signs = time.perf_counter() - t
    t = time.perf_counter()
    for s in flagged:
        _compile_verdict(s)
    t_compile = time.perf_counter() - t
    t = time.perf_counter()
    for s in files:
        extract(s)
    t_extract = time.perf_counter() - t
    print(f"{name}: {len(files)} files, {sum(map(len, files)) // 1024} KB; signs {t_signs * 1000:.0f} ms, "
          f"{len(flagged)} flagged ({sum(map(len, flagged)) // 1024} KB), their compile {t_compile * 1000:.0f} ms; "
          f"whole extraction {t_extract:.1f} s -> precheck overhead "
          f"{100 * (t_signs + t_compile) / t_extract:.2f}%", flush=True)


HOSTILE = {
    "5000 nested brackets, one per line": lambda: b"x = " + b"(\n" * 5000 + b"1" + b"\n)" * 5000 + b"\n",
    "1000 nested calls": lambda: b"x = " + b"f(" * 1000 + b"1" + b")" * 1000 + b"\n",
    "3000-term sum, one term per line": lambda: ("x = (" + " +\n".join(["s1*s2**2"] * 3000) + ")\n").encode(),
}


def measure_hostile() -> None:
    code = ("import sys, time, libcst\nsrc = sys.stdin.buffer.read()\nt = time.perf_counter()\n"
            "try:\n    libcst.parse_module(src); r = 'parsed'\nexcept Exception as e:\n    r = type(e).__name__\n"
            "print(f'{time.perf_counter() - t:.1f} s ({r})')\n")
    for label, make in HOSTILE.items():
        src = make()
        t = time.perf_counter()
        verdict = _precheck(src)
        t_pre = time.perf_counter() - t
        try:
            proc = subprocess.run([sys.executable, "-c", code], input=src, capture_output=True, timeout=300)
            libcst = proc.stdout.decode().strip() or f"crashed (exit {proc.returncode})"
        except subprocess.TimeoutExpired:
            libcst = "> 300 s"
        print(f"{label}: precheck {t_pre * 1000:.0f} ms -> {verdict!r}; LibCST alone: {libcst}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", default=["django", "sympy"])
    ap.add_argument("--hostile-only", action="store_true")
    args = ap.parse_args()
    if not args.hostile_only:
        for name in args.names:
            measure_corpus(name)
    measure_hostile()
    return 0


if __name__ == "__main__":
    sys.exit(main())
