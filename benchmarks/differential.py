#!/usr/bin/env python3
"""Differential check: importguard IG100/IG200/IG201/IG202 against ruff F401/TC001-TC005.

usage: python benchmarks/differential.py [--corpus django sympy rich httpx] [--json OUT] [--ruff PATH]

Runs both tools on the same package folder of each corpus (downloaded by ../shared/corpora.sh),
matches findings by (path, line, mapped code) and prints every disagreement, plus a table of
counts. Triage lives in docs/differential.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = {"django": "django", "sympy": "sympy", "rich": "rich", "httpx": "httpx",
           "click": "src/click", "jinja2": "src/jinja2", "attrs": "src"}
RUFF_TO_IG = {"F401": "IG100", "TC001": "IG200", "TC002": "IG200", "TC003": "IG200",
              "TC004": "IG201", "TC005": "IG202"}


def corpus_dir(name: str) -> Path:
    script = REPO.parent / "shared" / "corpora.sh"
    if not script.exists():
        script = Path("/work/shared/corpora.sh")
    out = subprocess.run(["bash", str(script), name], capture_output=True, text=True, check=True).stdout
    return Path(out.split()[1])


def run_ruff(ruff: str, root: Path, target: str) -> list:
    proc = subprocess.run(
        [ruff, "check", "--isolated", "--no-cache", "--select", ",".join(RUFF_TO_IG), "--output-format", "json",
         "--target-version", target, "--exit-zero", CORPORA_PATH[0]],
        cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"ruff failed: {proc.stderr}")
    out = []
    for d in json.loads(proc.stdout):
        path = os.path.relpath(d["filename"], root).replace(os.sep, "/")
        out.append({"tool": "ruff", "code": d["code"], "ig": RUFF_TO_IG.get(d["code"], d["code"]), "path": path,
                    "line": d["location"]["row"], "message": d["message"]})
    return out


def run_importguard(root: Path, target: str) -> list:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    proc = subprocess.run(
        [sys.executable, "-m", "importguard", "check", "--no-cache", "--format", "json", "--select",
         "IG100,IG200,IG201,IG202", "--target-version", target, CORPORA_PATH[0]],
        cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"importguard failed: {proc.stderr}")
    return [{"tool": "importguard", "code": d["code"], "ig": d["code"], "path": d["path"], "line": d["line"],
             "message": d["message"]} for d in json.loads(proc.stdout)["diagnostics"]]


CORPORA_PATH = [""]


def compare(ruff: list, ours: list) -> dict:
    rk = Counter((d["path"], d["line"], d["ig"]) for d in ruff)
    ok = Counter((d["path"], d["line"], d["ig"]) for d in ours)
    only_ruff = rk - ok
    only_ours = ok - rk
    both = rk & ok
    return {
        "both": sum(both.values()),
        "only_ruff": [d for d in ruff if only_ruff[(d["path"], d["line"], d["ig"])] > 0],
        "only_importguard": [d for d in ours if only_ours[(d["path"], d["line"], d["ig"])] > 0],
        "counts_ruff": Counter(d["ig"] for d in ruff),
        "counts_ours": Counter(d["ig"] for d in ours),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--corpus", nargs="*", default=["django", "sympy", "rich", "httpx"])
    ap.add_argument("--ruff", default=shutil.which("ruff") or "ruff")
    ap.add_argument("--target-version", default="py39")
    ap.add_argument("--json", help="write every disagreement to this file")
    args = ap.parse_args()
    report = {}
    print(f"{'corpus':8} {'code':6} {'ruff':>6} {'ours':>6} {'both':>6} {'only ruff':>10} {'only ours':>10}")
    for name in args.corpus:
        root = corpus_dir(name)
        CORPORA_PATH[0] = CORPORA[name]
        ruff = run_ruff(args.ruff, root, args.target_version)
        ours = run_importguard(root, args.target_version)
        res = compare(ruff, ours)
        codes = sorted(set(res["counts_ruff"]) | set(res["counts_ours"]) | {"IG100", "IG200", "IG201", "IG202"})
        for code in codes:
            orr = sum(1 for d in res["only_ruff"] if d["ig"] == code)
            oo = sum(1 for d in res["only_importguard"] if d["ig"] == code)
            print(f"{name:8} {code:6} {res['counts_ruff'][code]:6} {res['counts_ours'][code]:6} "
                  f"{res['counts_ours'][code] - oo:6} {orr:10} {oo:10}")
        report[name] = {"only_ruff": res["only_ruff"], "only_importguard": res["only_importguard"]}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    else:
        for name, res in report.items():
            for side in ("only_ruff", "only_importguard"):
                for d in res[side]:
                    print(f"{name} {side}: {d['path']}:{d['line']} {d['code']} {d['message']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
