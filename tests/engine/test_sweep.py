"""A run that analyses removes the caches other versions left behind once nothing has written them
for a month (``cache/sweep.py``); this version's caches, recent ones and other files stay."""
from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from helpers import write_tree
from importguard.cache.sweep import MAX_AGE, sweep
from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

OLD = time.time() - MAX_AGE - 86400


def _age(path: Path, when: float) -> None:
    for dirpath, dirs, files in os.walk(path):
        for n in dirs + files:
            os.utime(os.path.join(dirpath, n), (when, when))
    os.utime(path, (when, when))


def test_old_caches_of_other_versions_go_and_the_rest_stay(tmp_path: Path) -> None:
    d = tmp_path / "cache"
    (d / "facts-00112233aabbccdd" / "ab").mkdir(parents=True)
    (d / "facts-00112233aabbccdd" / "ab" / "00.marshal").write_bytes(b"x")
    (d / "sim-0011223344556677" / "outcomes").mkdir(parents=True)
    (d / "results-0123456789abcdef.marshal").write_bytes(b"x")
    (d / "results-fedcba9876543210.marshal").write_bytes(b"x")  # this version's: kept however old
    (d / "index-aaaaaaaaaaaaaaaa.marshal").write_bytes(b"x")  # another version's, but recent
    (d / "notes-0123456789abcdef.marshal").write_bytes(b"x")  # no cache of ours
    for kind in ("walks", "roots", "toml"):  # the small stores of the walk, the roots, pyproject.toml
        (d / f"{kind}-0123456789abcdef.marshal").write_bytes(b"x")
    (d / ".gitignore").write_text("*\n")
    for name in ("facts-00112233aabbccdd", "sim-0011223344556677", "results-0123456789abcdef.marshal",
                 "results-fedcba9876543210.marshal", "notes-0123456789abcdef.marshal", ".gitignore",
                 "walks-0123456789abcdef.marshal", "roots-0123456789abcdef.marshal", "toml-0123456789abcdef.marshal"):
        _age(d / name, OLD)
    # a shard written yesterday keeps an old version's folder of shards
    (d / "sim-0011223344556677" / "outcomes" / "00.marshal").write_bytes(b"x")
    removed = sweep(d, {"results-fedcba9876543210.marshal"})
    assert sorted(removed) == ["facts-00112233aabbccdd", "results-0123456789abcdef.marshal",
                               "roots-0123456789abcdef.marshal", "toml-0123456789abcdef.marshal",
                               "walks-0123456789abcdef.marshal"]
    assert sorted(p.name for p in d.iterdir()) == [
        ".gitignore", "index-aaaaaaaaaaaaaaaa.marshal", "notes-0123456789abcdef.marshal",
        "results-fedcba9876543210.marshal", "sim-0011223344556677"]
    assert sweep(tmp_path / "missing", set()) == []


def test_a_run_keeps_its_own_caches_and_removes_a_stale_one(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"pyproject.toml": '[project]\nname = "p"\n', "p/__init__.py": "",
                                          "p/a.py": "import os\n", "p/b.py": "from p import a\n"})
    config = load_config(root)
    engine.check([str(root)], config, jobs=1, use_cache=True, cwd=root)
    cache = root / ".importguard_cache"
    mine = sorted(p.name for p in cache.iterdir())
    for p in cache.iterdir():
        _age(p, OLD)  # this version's: old, yet kept
    stale = cache / "results-0123456789abcdef.marshal"
    stale.write_bytes(b"stale")
    _age(stale, OLD)
    (root / "p" / "b.py").write_text("from p import a\nimport p.a\n")  # a run that analyses
    engine.check([str(root)], config, jobs=1, use_cache=True, cwd=root)
    assert not stale.exists()
    assert sorted(p.name for p in cache.iterdir()) == mine
