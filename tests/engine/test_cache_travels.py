"""The cache travels: a checkout moved to another folder (a CI runner restoring a cache made on
another machine) reuses it whole. Nothing in it depends on absolute paths or modification times."""
from __future__ import annotations

import os
import shutil
import time
from typing import TYPE_CHECKING

from helpers import run_json, write_tree
from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

FILES = {
    "pyproject.toml": '[project]\nname = "app"\n\n[tool.importguard]\nper-file-ignores = {"app/skip.py" = ["IG100"]}\n',
    "app/__init__.py": "from app.a import A\n",
    "app/a.py": "import os\nfrom app.b import B\nA = 1\n",
    "app/b.py": "import sys\nfrom app.a import A\nB = 2\n",
    "app/skip.py": "import json\n",
}


def _check(root: Path, need_facts: bool):
    config = load_config(root)
    result = engine.check(["."], config, jobs=1, cwd=root, need_facts=need_facts)
    return [tuple(d) for d in result.diagnostics], dict(engine.LAST_RUN)


def test_moved_checkout_reuses_the_cache_whole(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "runner1" / "checkout", FILES)
    before, stats = _check(first, need_facts=True)
    assert stats["extracted"] == 4  # a cold cache: every file extracted
    assert {d[3] for d in before} >= {"IG100", "IG301"}
    moved = tmp_path / "elsewhere" / "deeper" / "checkout"
    moved.parent.mkdir(parents=True)
    shutil.move(str(first), str(moved))
    later = time.time() + 3600
    for p in moved.rglob("*.py"):  # a fresh clone: every file has a new modification time
        os.utime(p, (later, later))
    # the same findings, at the same (relative) paths, and nothing extracted again
    after, stats = _check(moved, need_facts=True)
    assert after == before
    assert stats["extracted"] == 0 and stats["from_cache"] == 4
    assert stats.get("graph_cache") == 1  # cycles and the import-time simulation reused
    # the CLI's check finds the whole run's results under the same key: no facts loaded at all
    after, stats = _check(moved, need_facts=False)
    assert after == before
    assert stats.get("run_cache") == 1 and "extracted" not in stats


def test_moved_checkout_then_edited_extracts_only_the_edit(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "one" / "checkout", FILES)
    _check(first, need_facts=False)
    moved = tmp_path / "two" / "checkout"
    moved.parent.mkdir(parents=True)
    shutil.move(str(first), str(moved))
    (moved / "app" / "b.py").write_text("import sys\nB = 2\nfrom app.a import A\n")
    after, stats = _check(moved, need_facts=False)
    assert stats["extracted"] == 1
    cold = run_json(["check", ".", "--no-cache"], moved)
    assert sorted((d["path"], d["line"], d["code"]) for d in cold["diagnostics"]) == \
        sorted((d[0], d[1], d[3]) for d in after)


def test_no_key_of_the_results_store_names_where_the_checkout_is(tmp_path: Path, monkeypatch) -> None:
    from importguard.cache.facts import Store

    root = write_tree(tmp_path / "checkout", FILES)
    monkeypatch.chdir(root)  # as the command line runs, from the project
    _check(root, need_facts=True)
    (root / "tests").mkdir()
    (root / "tests" / "helpers.py").write_text("from app import a\n")  # a module of a test folder
    _check(root, need_facts=True)
    [results] = (root / ".importguard_cache").glob("results-*.marshal")
    keys = list(Store(results).data)
    assert any(k.startswith("in-test-folders:") for k in keys)
    assert not [k for k in keys if str(tmp_path) in k or os.path.basename(str(tmp_path)) in k]
