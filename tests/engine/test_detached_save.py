"""The cache of a large tree written by a detached copy of the command line's process
(``engine.saving``): the files it writes are those the run writes itself, the next run waits for
it, and a copy that fails costs the next run time only."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from helpers import HUB_AND_CYCLE
from importguard.analysis.simfork import can_fork
from importguard.cache.facts import Store
from importguard.config.settings import load_config
from importguard.engine import pipeline as engine, saving
from importguard.engine.incremental import LAST_RUN

pytestmark = pytest.mark.skipif(not can_fork(), reason="forks only where forking is safe (Linux, one thread)")

FILES = {**HUB_AND_CYCLE, "app/unused.py": "import json\nfrom app import m2\n"}
EDITS = ["import json\n", "from app import m2\n", "import sys\n"]  # appended to the hub, one after another


def _written(root: Path) -> Dict[str, Any]:
    """What the runs kept: the simulation's files as bytes, the results store and the parts decoded
    (the stat index holds each file's times and inode: not compared between two trees)."""
    cache = root / ".importguard_cache"
    found: Dict[str, Any] = {}
    for dirpath, _, names in os.walk(cache):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, cache)
            if rel.startswith(("sim-", "parts-")):
                with open(path, "rb") as fh:
                    found[rel] = fh.read()
            elif rel.startswith("results-"):
                found[rel] = Store(Path(path)).data
    return found


def _run(root: Path) -> Tuple[list, Optional[int]]:
    result = engine.check([str(root)], load_config(root), jobs=2, use_cache=True, cwd=root, need_facts=False)
    return [tuple(d) for d in result.diagnostics], LAST_RUN.get("run_cache")


def _steps(root: Path, monkeypatch, detached: bool, slow: bool = False
           ) -> Tuple[List[Any], List[Dict[str, Any]], List[int]]:
    """The runs of the edits, each followed by a run that changed nothing, with or without the
    detached copy (``slow``: the copy takes its time, the runs after it wait for it)."""
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    monkeypatch.chdir(root)  # as the command line runs
    made: List[int] = []
    real = saving.detach

    def counted(directory, work):
        def slowly() -> None:
            time.sleep(0.5)
            work()

        pid = real(directory, slowly if slow else work)
        if pid is not None:
            made.append(pid)
        return pid

    monkeypatch.setattr(saving, "ON", detached)
    monkeypatch.setattr(saving, "detach", counted)
    monkeypatch.setattr(engine, "LARGE", 0)  # every tree with a stat index is large here
    found, written = [_run(root)], []
    for line in EDITS:
        hub = root / "app" / "hub.py"
        hub.write_text(hub.read_text() + line)
        found.append(_run(root))
        found.append(_run(root))  # nothing changed: the run the copy wrote is found
        saving.wait(root / ".importguard_cache")
        written.append(_written(root))
    for pid in made:  # (a copy nobody waits for is the command line's: reaped here)
        os.waitpid(pid, 0)
    return found, written, made


@pytest.mark.parametrize("slow", [False, True])
def test_the_detached_copy_writes_what_the_run_writes(tmp_path: Path, monkeypatch, slow: bool) -> None:
    there, written_there, made = _steps(tmp_path / "there", monkeypatch, detached=True, slow=slow)
    assert len(made) == len(EDITS)  # each edit's run (not the first: no stat index yet; not the unchanged)
    here, written_here, none = _steps(tmp_path / "here", monkeypatch, detached=False)
    assert none == []
    assert there == here
    assert [run_cache for _, run_cache in there] == [None] + [None, 1] * len(EDITS)
    assert written_there == written_here and all(written_there)


def test_a_run_waits_for_a_copy_still_writing(tmp_path: Path) -> None:
    import fcntl

    saving.wait(tmp_path)  # no lock file: nothing to wait for
    fd = os.open(tmp_path / saving.LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what a copy holds while it writes
    done = threading.Event()

    def waits() -> None:
        saving.wait(tmp_path)
        done.set()

    waiter = threading.Thread(target=waits)
    waiter.start()
    try:
        assert not done.wait(0.3)
    finally:
        os.close(fd)
    assert done.wait(5)
    waiter.join()


def test_a_copy_that_fails_costs_the_next_run_time_only(tmp_path: Path, monkeypatch) -> None:
    parent, save = os.getpid(), Store.save

    def fails_there(self, keep=None):
        if os.getpid() != parent:
            raise RuntimeError("the copy fails")
        save(self, keep)

    here, _, _ = _steps(tmp_path / "here", monkeypatch, detached=False)
    monkeypatch.setattr(Store, "save", fails_there)
    there, _, made = _steps(tmp_path / "there", monkeypatch, detached=True)
    assert made and [d for d, _ in there] == [d for d, _ in here]
    assert [run_cache for _, run_cache in there][2] is None  # the copy wrote nothing: analysed again


def test_the_command_line_answers_before_the_copy_is_done(tmp_path: Path) -> None:
    # a tree whose stat index is large (about 2,000 files); the command line's output is whole and
    # its end reaches the reader (stdout a pipe) while the copy may still write; the run after it
    # finds this run's results
    root = tmp_path / "tree"
    files = dict(FILES)
    for i in range(2000):
        files[f"gen/p{i // 100}/m{i}.py"] = f"from app.hub import H\nimport json\nV{i} = H\n"
        files[f"gen/p{i // 100}/__init__.py"] = ""
    files["gen/__init__.py"] = ""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    stats = tmp_path / "stats.jsonl"
    env = dict(os.environ, IMPORTGUARD_STATS_FILE=str(stats))

    def cli(*args: str, ci: bool = False) -> str:
        run_env = dict(env, CI="true") if ci else {k: v for k, v in env.items() if k != "CI"}
        out = subprocess.run([sys.executable, "-m", "importguard", "check", "--jobs", "2", *args, "."], cwd=root,
                             env=run_env, capture_output=True, text=True, timeout=600)
        assert out.returncode in (0, 1), out.stderr
        return out.stdout

    cli()
    assert (root / ".importguard_cache" / saving.LOCK).exists() is False  # a first run writes its cache itself
    hub = root / "app" / "hub.py"
    hub.write_text(hub.read_text() + "import sys\n")
    cli(ci=True)  # in CI: written before the run leaves
    assert (root / ".importguard_cache" / saving.LOCK).exists() is False
    hub.write_text(hub.read_text() + "from app import m2\n")
    started = time.monotonic()
    edited = cli()
    assert time.monotonic() - started < 300
    assert (root / ".importguard_cache" / saving.LOCK).exists()  # written by a detached copy
    again = cli()
    last = json.loads(stats.read_text().splitlines()[-1])
    assert last.get("run_cache") == 1
    assert edited == again == cli("--no-cache")
