"""The file checks forked beside the repository rules (``filecheck.check_beside``): the same
findings as checked in the run's own process, the files' kept findings carried back into the
results store (the next run checks no file again), and a child that fails changes nothing."""
from __future__ import annotations

import random
import shutil
from typing import TYPE_CHECKING, List, Tuple

import pytest

from importguard.analysis.simfork import can_fork
from importguard.config.settings import load_config
from importguard.engine import filecheck, pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(not can_fork(), reason="forks only where forking is safe (Linux, one thread)")

FILES = {
    "pyproject.toml": '[project]\nname = "gen"\nrequires-python = ">=3.9"\n',
    "app/__init__.py": "",
    "app/base.py": "import os\nimport json\nB = 1\n",
    "app/hub.py": "from app import base\nfrom typing import List\nH = 1\n\n"
                  "def f(x: List[int]) -> int:\n    return x[0]\n",
    "app/m0.py": "from app.hub import H\nfrom app import m1\nimport os\nX = H\n",
    "app/m1.py": "from app.hub import H\nfrom app import m0\nX = H\n",
    "app/m2.py": "from app.m0 import X\nimport sys\nY = X\n",
    "app/leaf.py": "from app import base\nimport collections\n",
}


def _run(root: Path, jobs: int = 2) -> Tuple[list, int]:
    result = engine.check([str(root)], load_config(root), jobs=jobs, use_cache=True, cwd=root, need_facts=False)
    return [tuple(d) for d in result.diagnostics], engine.LAST_RUN.get("files_checked", 0)


def _cold(root: Path) -> list:
    result = engine.check([str(root)], load_config(root), jobs=1, use_cache=False, cwd=root, need_facts=False)
    return [tuple(d) for d in result.diagnostics]


def _edit(rng: random.Random, root: Path) -> Tuple[str, str]:
    name = rng.choice(["hub", "m0", "m2", "leaf", "base"])
    path = root / "app" / f"{name}.py"
    line = rng.choice(["from app import m2 as fresh{n}", "import json", "from app.base import B as b{n}",
                       "# a comment {n}", "from app import leaf", "print(X)" if name != "base" else "import app.leaf"])
    path.write_text(path.read_text() + line.format(n=rng.randrange(1000)) + "\n")
    return f"{line} in {name}", f"{name}.py"


def test_forked_file_checks_find_what_the_run_finds_itself(tmp_path: Path, monkeypatch) -> None:
    forked: List[int] = []
    start = filecheck.check_beside

    def counting(*args, **kwargs):
        got = start(*args, **kwargs)
        forked.append(got is not None)
        return got

    monkeypatch.setattr(filecheck, "check_beside", counting)
    here, there = tmp_path / "here", tmp_path / "there"
    for rel, text in FILES.items():
        (here / rel).parent.mkdir(parents=True, exist_ok=True)
        (here / rel).write_text(text)
    shutil.copytree(here, there)
    done: List[str] = []
    # every list and mapping the child changes in the store comes back marshalled, and is decoded
    # only when the store is written: the next runs read it (``again``, and the next steps)
    monkeypatch.setattr(filecheck, "ENCODED", 0)
    for step in range(12):
        monkeypatch.setattr(filecheck, "BESIDE", 0)  # every run that checks files forks
        beside = _run(there)
        monkeypatch.setattr(filecheck, "BESIDE", 10**9)
        alone = _run(here)
        assert beside[0] == alone[0] == _cold(here), done
        assert beside[1] == alone[1], done  # the same files checked: the child's count came back
        again = _run(there)  # nothing changed: every file's findings are kept, from what the child stored
        assert again == (beside[0], 0), done
        what, file = _edit(random.Random(step), here)
        done.append(what)
        shutil.copy(here / "app" / file, there / "app" / file)
    assert any(forked) and not all(forked)  # forked where the graph changed, not where it was kept


def test_a_failing_child_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.setattr(filecheck, "BESIDE", 0)

    def fails(*args, **kwargs):
        raise RuntimeError("the child fails")

    monkeypatch.setattr(filecheck, "_check_here", fails)
    got = _run(tmp_path)
    assert got[0] == _cold(tmp_path) and got[1] > 0  # checked here instead
    assert _run(tmp_path) == (got[0], 0)


def _slow(monkeypatch, owner, name: str, here: bool, seconds: float = 0.6) -> None:
    """``owner.name`` takes ``seconds`` longer in this process (``here``) or in a forked child."""
    import os
    import time

    parent, real = os.getpid(), getattr(owner, name)

    def slow(*args, **kw):
        if (os.getpid() == parent) == here:
            time.sleep(seconds)
        return real(*args, **kw)

    monkeypatch.setattr(owner, name, slow)


def test_the_cycles_cuts_are_found_beside(tmp_path: Path, monkeypatch) -> None:
    """The import cycles' rule runs in the child when it forks and this process is busier (not
    here), and here when it fails."""
    import os

    from importguard.rules.ig300_import_cycle import ImportCycle
    from importguard.rules.ig301_failing_cycle import FailingImportCycle

    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    expected = _cold(tmp_path)
    assert any(d[3] == "IG300" for d in expected)
    monkeypatch.setattr(filecheck, "BESIDE", 0)
    _slow(monkeypatch, FailingImportCycle, "check_repo", here=True)  # the simulation takes its time here
    parent, calls = os.getpid(), []
    check_repo = ImportCycle.check_repo

    def watched(self, repo):
        calls.append(os.getpid() == parent)
        if os.getpid() != parent and fail:
            raise RuntimeError("the rule fails in the child")
        return check_repo(self, repo)

    monkeypatch.setattr(ImportCycle, "check_repo", watched)
    fail = False
    assert _run(tmp_path)[0] == expected and calls == []  # forked: found by the child alone
    (tmp_path / "app" / "leaf.py").write_text("from app import m2\n")
    expected = _cold(tmp_path)
    fail, calls[:] = True, []
    assert _run(tmp_path)[0] == expected and calls == [True]  # the child failed (its calls stay there): run here


def test_a_failing_run_stops_the_child(tmp_path: Path, monkeypatch) -> None:
    import os

    from importguard.rules.ig301_failing_cycle import FailingImportCycle

    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.setattr(filecheck, "BESIDE", 0)
    started: List[filecheck.Beside] = []
    start = filecheck.check_beside

    def keeping(*args, **kwargs):
        got = start(*args, **kwargs)
        if got is not None:
            started.append(got)
        return got

    def fails(self, repo):
        raise RuntimeError("a repository rule fails")

    monkeypatch.setattr(filecheck, "check_beside", keeping)
    monkeypatch.setattr(FailingImportCycle, "check_repo", fails)  # a rule this process runs
    with pytest.raises(RuntimeError):
        _run(tmp_path)
    assert len(started) == 1
    with pytest.raises(ChildProcessError):  # reaped: no child left behind
        os.waitpid(started[0].pid, os.WNOHANG)


def test_the_indexes_the_child_builds_are_kept(tmp_path: Path, monkeypatch) -> None:
    """The parts and tallies of the indexes the forked file checks build are written as the run
    without a fork writes them: else every later forked run builds them again."""
    import os

    def kept_parts(root: Path) -> set:
        found: set = set()
        for dirpath, _, names in os.walk(root / ".importguard_cache"):
            if "parts-" in dirpath:
                found.update(os.path.relpath(os.path.join(dirpath, n), root) for n in names)
        return found

    here, there = tmp_path / "here", tmp_path / "there"
    for root in (here, there):
        for rel, text in FILES.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
    monkeypatch.setattr(filecheck, "BESIDE", 0)
    _run(there)
    monkeypatch.setattr(filecheck, "BESIDE", 10**9)
    _run(here)
    assert kept_parts(there) == kept_parts(here)
    assert any("imported" in p for p in kept_parts(there))  # built by the file checks alone


@pytest.mark.parametrize("busier", ["here", "child"])
def test_the_rules_beside_are_run_by_whichever_process_is_free_first(tmp_path: Path, monkeypatch,
                                                                     busier: str) -> None:
    """When the child is still checking files as this process is done with its own rules, this
    process takes the rules marked ``beside`` (and the child skips them); else the child runs them."""
    import os

    from importguard.rules.ig300_import_cycle import ImportCycle
    from importguard.rules.ig301_failing_cycle import FailingImportCycle

    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    _run(tmp_path)
    monkeypatch.setattr(filecheck, "BESIDE", 0)
    (tmp_path / "app" / "hub.py").write_text(FILES["app/hub.py"] + "from app import leaf\n")  # many import it
    expected = _cold(tmp_path)
    if busier == "here":
        _slow(monkeypatch, FailingImportCycle, "check_repo", here=True)
    else:
        _slow(monkeypatch, filecheck, "check_files", here=False)
    parent, calls = os.getpid(), []
    check_repo = ImportCycle.check_repo

    def watched(self, repo):
        calls.append(os.getpid() == parent)
        return check_repo(self, repo)

    monkeypatch.setattr(ImportCycle, "check_repo", watched)
    assert _run(tmp_path)[0] == expected
    assert calls == ([] if busier == "here" else [True])  # (the child's calls stay there)
    assert _run(tmp_path)[0] == expected  # what either of them kept is found
