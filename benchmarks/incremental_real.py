"""Incremental runs against cold runs on real code, after random edits. Not a test (minutes).

    python benchmarks/incremental_real.py TREE [--edits N] [--seed S] [--package NAME] [--jobs J]

``TREE`` is copied to a temporary folder (never edited in place). One cached run fills the cache;
then, ``--edits`` times, one random edit of a random module of ``--package`` (default: every
module), a cached run (``check --format json``) and a run without the cache
(``--no-cache --format json``) on the same tree: their findings must be identical. The edits are
the kinds that move what the incremental machinery keeps (the facts of a file, its component,
the answers of repository-wide questions, the simulation's outcomes):

- a new import of another first-party module or of a name it defines (used, or unused);
- an import line removed;
- a comment appended, a blank line inserted (facts unchanged);
- ``mock.patch("<module>.<name>")`` naming another module's import (a string read);
- a module-level call (an import-time side effect);
- an edit undone (the previous content restored).

Prints one line per edit and exits 1 at the first difference (with the edit and the differing
findings). ``--keep`` leaves the copy for a look.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def run(tree: Path, cached: bool, jobs: int) -> Tuple[list, float]:
    argv = [sys.executable, "-m", "importguard", "check", "--format", "json", "--jobs", str(jobs), "."]
    if not cached:
        argv.insert(4, "--no-cache")
    env = dict(os.environ, PYTHONPATH=str(SRC))
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"importguard failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    data = json.loads(proc.stdout)
    return data["diagnostics"], took


def modules_of(tree: Path, package: Optional[str]) -> Dict[str, Path]:
    out: Dict[str, Path] = {}
    for path in sorted(tree.rglob("*.py")):
        rel = path.relative_to(tree)
        if package and rel.parts[0] != package:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and all(p.isidentifier() for p in parts):
            out[".".join(parts)] = path
    return out


def edit(rng: random.Random, modules: Dict[str, Path], history: List[Tuple[Path, str]]) -> str:
    names = sorted(modules)
    name = rng.choice(names)
    path = modules[name]
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    lines = text.splitlines(keepends=True)
    other = rng.choice(names)
    kind = rng.choice(["import", "import-name", "unused", "remove", "comment", "blank", "patch", "call", "undo"])
    if kind == "undo" and history:
        path, before = history.pop()
        path.write_text(before, encoding="utf-8", errors="surrogateescape")
        return f"undo {path}"
    history.append((path, text))
    tag = f"{rng.randrange(10**6)}"
    if kind in ("import", "unused", "undo"):
        alias = f"_m{tag}"
        use = f"\nprint({alias})\n" if kind == "import" else "\n"
        text = text + f"\nimport {other} as {alias}{use}"
    elif kind == "import-name":
        names_there = [ln.split("=")[0].strip() for ln in modules[other].read_text(errors="ignore").splitlines()
                       if "=" in ln and ln[:1].isalpha() and ln.split("=")[0].strip().isidentifier()]
        if not names_there:
            text = text + f"\nimport {other}\n"
        else:
            n = rng.choice(names_there)
            text = text + f"\nfrom {other} import {n} as _n{tag}\nprint(_n{tag})\n"
    elif kind == "remove":
        found = [i for i, ln in enumerate(lines)
                 if ln.startswith(("import ", "from ")) and not ln.rstrip().endswith(("(", "\\"))]
        if found:
            del lines[rng.choice(found)]
            text = "".join(lines)
        else:
            text = text + "# nothing to remove\n"
    elif kind == "comment":
        text = text + f"# a comment {tag}\n"
    elif kind == "blank":
        at = rng.randrange(len(lines) + 1)
        text = "".join(lines[:at] + ["\n"] + lines[at:])
    elif kind == "patch":
        target = modules[other].read_text(errors="ignore")
        bound = [ln.split()[-1] for ln in target.splitlines()
                 if ln.startswith(("import ", "from ")) and ln.split()[-1].isidentifier()]
        n = rng.choice(bound) if bound else "x"
        text = text + f'\nfrom unittest import mock as _mock{tag}\n_mock{tag}.patch("{other}.{n}")\n'
    elif kind == "call":
        text = text + f"\nprint('import-time call {tag}')\n"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    return f"{kind} {path.name} ({name}, other: {other})"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", type=Path)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--package", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="ig-incremental-"))
    tree = work / "tree"
    shutil.copytree(args.tree, tree, ignore=shutil.ignore_patterns(".importguard_cache", "__pycache__", ".git"))
    try:
        modules = modules_of(tree, args.package)
        if not modules:
            print(f"no module of {args.package or 'any package'} directly under {args.tree}: give the folder "
                  "that holds the package (for a src layout, the src folder)", file=sys.stderr)
            return 2
        run(tree, True, args.jobs)
        history: List[Tuple[Path, str]] = []
        for step in range(args.edits):
            what = edit(rng, modules, history)
            warm, t_warm = run(tree, True, args.jobs)
            cold, t_cold = run(tree, False, args.jobs)
            same = warm == cold
            print(f"{step + 1:3d} {'ok  ' if same else 'DIFF'} cached {t_warm:6.2f} s  cold {t_cold:6.2f} s  {what}",
                  flush=True)
            if not same:
                only_warm = [d for d in warm if d not in cold]
                only_cold = [d for d in cold if d not in warm]
                print(json.dumps({"only_cached": only_warm[:10], "only_cold": only_cold[:10]}, indent=1))
                return 1
        return 0
    finally:
        if args.keep:
            print(f"kept {tree}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
