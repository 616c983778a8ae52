"""Do two versions of importguard report the same findings on real code?

    python benchmarks/compare_findings.py --baseline REV [--corpora django,sympy,...] [--keep DIR]

Checks out REV (any git revision: a commit, a branch, ``HEAD~3``) into a temporary worktree, runs
``importguard check --no-cache --format json`` with that code and with the working tree's code on
each corpus (``../shared/corpora.sh`` or ``IMPORTGUARD_CORPORA``: folders named ``NAME-VERSION``),
and prints every finding that only one side reports: code, path, line, message and the fix's
applicability. Exit status 0 when both sides agree on every corpus, 1 otherwise.

A restructuring of the code must leave this at 0; a change of behaviour shows here line by line.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Counter, Dict, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = ("django", "sympy", "rich", "httpx", "click", "jinja2", "attrs")

Finding = Tuple[str, str, int, str, str]


def corpus_dirs(names) -> Dict[str, Path]:
    """Where each corpus is: ``corpora.sh`` prints ``NAME PATH`` lines (it downloads on first use)."""
    script = os.environ.get("IMPORTGUARD_CORPORA_SCRIPT", str(REPO.parent / "shared" / "corpora.sh"))
    out = subprocess.run(["bash", script, *names], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in names:
            found[parts[0]] = Path(parts[1])
    missing = set(names) - set(found)
    if missing:
        raise SystemExit(f"corpora not found: {sorted(missing)}")
    return found


def findings(src: Path, corpus: Path, out: Path) -> Optional[Counter[Finding]]:
    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.run([sys.executable, "-m", "importguard", "check", ".", "--no-cache", "--jobs", "2",
                           "--format", "json", "--output-file", str(out)], cwd=corpus, env=env,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(f"  {corpus.name}: exit {proc.returncode}\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    doc = json.loads(out.read_text(encoding="utf-8"))
    return collections.Counter(
        (d["code"], d["path"], d["line"], d["message"], (d.get("fix") or {}).get("applicability", ""))
        for d in doc["diagnostics"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", required=True, help="git revision to compare the working tree against")
    ap.add_argument("--corpora", default=",".join(CORPORA))
    ap.add_argument("--keep", help="folder to keep the JSON reports in")
    args = ap.parse_args(argv)
    names = [n for n in args.corpora.split(",") if n]
    dirs = corpus_dirs(names)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="importguard-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="importguard-baseline-")) / "tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(base), args.baseline], check=True)
    same = True
    try:
        for name in names:
            before = findings(base / "src", dirs[name], work / f"{name}-before.json")
            after = findings(REPO / "src", dirs[name], work / f"{name}-after.json")
            if before is None or after is None:
                same = False
                continue
            gone, new = before - after, after - before
            print(f"{name}: {sum(before.values())} findings before, {sum(after.values())} after, "
                  f"{sum(gone.values())} gone, {sum(new.values())} new")
            for sign, diff in (("-", gone), ("+", new)):
                for f in sorted(diff):
                    print(f"  {sign} {f[1]}:{f[2]}: {f[0]} {f[3]} [{f[4] or 'no fix'}]")
            same = same and not gone and not new
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], check=False)
    print("identical" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
