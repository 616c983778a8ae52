"""The simulation's shards written by a forked copy of the run (``background.done_beside``) are
the files the run writes itself, and a copy that fails leaves the writing to the run."""
from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Dict, List

import pytest

from helpers import HUB_AND_CYCLE
from importguard.analysis.simfork import can_fork
from importguard.analysis.simstore import SimStore
from importguard.config.settings import load_config
from importguard.engine import background, pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(not can_fork(), reason="forks only where forking is safe (Linux, one thread)")

FILES = HUB_AND_CYCLE
EDITS = ["import json\n", "from app import m2\n", "import sys\n"]  # appended to the hub, one after another


def _sims(root: Path) -> Dict[str, bytes]:
    found = {}
    for dirpath, _, names in os.walk(root / ".importguard_cache"):
        for name in names:
            path = os.path.join(dirpath, name)
            if "/sim-" in path:
                with open(path, "rb") as fh:
                    found[os.path.relpath(path, root)] = fh.read()
    return found


def _run(root: Path) -> list:
    result = engine.check([str(root)], load_config(root), jobs=2, use_cache=True, cwd=root, need_facts=False)
    return [tuple(d) for d in result.diagnostics]


def _steps(root: Path) -> List[Dict[str, bytes]]:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    found, written = [], []
    _run(root)
    for line in EDITS:
        hub = root / "app" / "hub.py"
        hub.write_text(hub.read_text() + line)
        found.append(_run(root))
        written.append(_sims(root))
    return [found, written]  # type: ignore[list-item]


def test_the_forked_copy_writes_what_the_run_writes(tmp_path: Path, monkeypatch) -> None:
    forked: List[bool] = []
    start = background.done_beside

    def counting(work):
        got = start(work)
        forked.append(got is not None)
        return got

    monkeypatch.setattr(background, "done_beside", counting)
    there = _steps(tmp_path / "there")
    assert forked and all(forked)  # every edit changed the graph and the simulation's records
    monkeypatch.setattr(background, "done_beside", lambda work: None)
    here = _steps(tmp_path / "here")
    assert there[0] == here[0]
    assert there[1] == here[1] and all(there[1])


def test_a_failing_copy_leaves_the_writing_to_the_run(tmp_path: Path, monkeypatch) -> None:
    parent, save = os.getpid(), SimStore.save

    def fails_there(self):
        if os.getpid() != parent:
            raise RuntimeError("the copy fails")
        save(self)

    here = _steps(tmp_path / "here")
    shutil.rmtree(tmp_path / "here")
    monkeypatch.setattr(SimStore, "save", fails_there)
    assert _steps(tmp_path / "here") == here
