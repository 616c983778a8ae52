"""The extraction process started before the walk of a large tree (``background.prepare``): the
changed files' facts it sends are those extracted in the run's own process; a run that extracts
nothing stops it; sources too large for its pipe, or a process that fails, leave the work to the
run as before."""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, List

import pytest

from importguard.config.settings import load_config
from importguard.engine import background, pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="started only on Linux")

FILES = {
    "pyproject.toml": '[project]\nname = "gen"\nrequires-python = ">=3.9"\n',
    "app/__init__.py": "",
    "app/hub.py": "import os\nfrom typing import List\nH = 1\n\ndef f(x: List[int]) -> int:\n    return x[0]\n",
    "app/m0.py": "from app.hub import H\nfrom app import m1\nX = H\n",
    "app/m1.py": "from app import m0\nY = m0.X\n",
}
EDITS = ["import json\n", "from app import m1\n", "# a comment\n", "import sys\nprint(sys)\n"]


def _run(root: Path) -> list:
    result = engine.check([str(root)], load_config(root), jobs=2, use_cache=True, cwd=root, need_facts=False)
    return [tuple(d) for d in result.diagnostics]


def _cold(root: Path) -> list:
    result = engine.check([str(root)], load_config(root), jobs=1, use_cache=False, cwd=root, need_facts=False)
    return [tuple(d) for d in result.diagnostics]


def _write(root: Path) -> None:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _watch(monkeypatch) -> List[str]:
    """How each ``start`` was served: "prepared", "forked" or "here" (None)."""
    seen: List[str] = []
    start = background.start

    def watched(sources):
        prepared = [p[0] for p in background._PREPARED]
        got = start(sources)
        seen.append("here" if got is None else "prepared" if got.pid in prepared else "forked")
        return got

    monkeypatch.setattr(background, "start", watched)
    return seen


def _one_edit(root: Path, monkeypatch) -> List[str]:
    """A first run, then one with a new import in the hub (its findings checked): how each
    extraction was served."""
    seen = _watch(monkeypatch)
    _write(root)
    _run(root)
    hub = root / "app" / "hub.py"
    hub.write_text(hub.read_text() + "from app import m0\n")
    assert _run(root) == _cold(root)
    return seen


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] not in ("Z", "X")
    except OSError:
        return False


def test_the_prepared_process_extracts_the_changed_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "LARGE", 0)  # every tree is large
    seen = _watch(monkeypatch)
    _write(tmp_path)
    _run(tmp_path)
    hub = tmp_path / "app" / "hub.py"
    for line in EDITS:
        hub.write_text(hub.read_text() + line)
        assert _run(tmp_path) == _cold(tmp_path), line
        assert not background._PREPARED  # taken, or stopped
    assert seen.count("prepared") == len(EDITS)


def test_a_run_that_extracts_nothing_stops_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "LARGE", 0)
    _write(tmp_path)
    _run(tmp_path)
    started: List[int] = []
    prepare = background.prepare

    def keeping() -> None:
        prepare()
        started.extend(p[0] for p in background._PREPARED)

    monkeypatch.setattr(background, "prepare", keeping)
    _run(tmp_path)  # nothing changed
    assert len(started) == 1 and not background._PREPARED
    assert started[0] in background._STOPPED  # killed, not waited for
    os.waitpid(started[0], 0)  # what the next ``prepare`` does (without waiting)
    background._STOPPED.remove(started[0])
    assert not _alive(started[0])


def test_sources_too_large_for_its_pipe_are_extracted_by_a_fork(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "LARGE", 0)
    monkeypatch.setattr(background, "_widen", lambda fd: 0)  # nothing fits
    assert _one_edit(tmp_path, monkeypatch) == ["forked", "forked"]  # the first run had no index
    assert not background._PREPARED


def test_a_failing_process_leaves_the_extraction_to_the_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "LARGE", 0)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the process exits at once, sending nothing
    assert _one_edit(tmp_path, monkeypatch) == ["forked", "prepared"]  # the first run had no index
