"""The changed files of a run extracted in a forked process while this one loads the rest."""
import sys

import pytest

from importguard.engine import background, extraction
from importguard.extract import extract

SOURCES = [b"import os\nfrom typing import List\nx: List[int] = [os.sep]\n",
           b"from . import a\nif a.X:\n    import json\nclass C(a.B):\n    y = json.dumps\n"]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks only on Linux")


@linux_only
def test_facts_extracted_beside_equal_those_extracted_here():
    called = []
    got = background.extract_beside(SOURCES, lambda: called.append(1))
    assert called == [1]
    assert got == [extract(s) for s in SOURCES]


@linux_only
def test_a_child_that_fails_leaves_the_extraction_to_this_process(monkeypatch):
    def boom(sources):
        raise RuntimeError("the child fails")

    monkeypatch.setattr(extraction, "_extract_many", boom)  # the forked copy sees it too
    called = []
    assert background.extract_beside(SOURCES, lambda: called.append(1)) is None
    assert called == [1]  # what this process loads meanwhile is loaded all the same


def test_no_fork_for_a_file_that_may_crash_the_parser():
    called = []
    deep = b"x = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n"
    assert background.extract_beside([SOURCES[0], deep], lambda: called.append(1)) is None
    assert called == []


@linux_only
def test_an_edit_run_extracts_beside_and_finds_what_a_cold_run_finds(tmp_path):
    from helpers import write_tree
    from importguard.config.settings import load_config
    from importguard.engine import pipeline as engine

    root = write_tree(tmp_path, {"app/__init__.py": "from app import base\n",
                                 "app/base.py": "import app\nBASE = 1\n",
                                 "app/user.py": "from app.base import BASE\nimport os\n"})

    def run(use_cache, jobs):
        result = engine.check(["."], load_config(root), jobs=jobs, cwd=root, use_cache=use_cache)
        return sorted(tuple(d) for d in result.diagnostics), dict(engine.LAST_RUN)

    run(True, 2)
    (root / "app/user.py").write_text("from app.base import BASE\nimport os\nimport app\n")
    warm, stats = run(True, 2)
    assert stats.get("extracted_beside") == 1 and stats.get("from_cache") == 2
    assert warm == run(False, 1)[0]
    (root / "app/user.py").write_text("from app.base import BASE\nimport json\n")
    warm, stats = run(True, 1)
    assert "extracted_beside" not in stats and stats.get("extracted") == 1  # one process: extracted here
    assert warm == run(False, 1)[0]


@linux_only
def test_a_started_extraction_gives_the_facts_asked_for_and_can_be_stopped():
    job = background.start(SOURCES)
    assert job is not None
    called = []
    assert job.take(SOURCES[1:], lambda: called.append(1)) == [extract(SOURCES[1])]
    assert called == [1]
    job.cancel()  # taken already: nothing to stop
    job = background.start(SOURCES)
    assert job is not None
    job.cancel()  # not needed after all: the child is killed and reaped
    import os

    with pytest.raises(ChildProcessError):
        os.waitpid(job.pid, os.WNOHANG)


@linux_only
def test_a_comment_edited_is_parsed_beside_and_changes_nothing(tmp_path):
    from helpers import write_tree
    from importguard.config.settings import load_config
    from importguard.engine import pipeline as engine

    root = write_tree(tmp_path, {"app/__init__.py": "", "app/a.py": "import os\nimport json\n"})

    def run(use_cache):
        result = engine.check(["."], load_config(root), jobs=2, cwd=root, use_cache=use_cache)
        return sorted(tuple(d) for d in result.diagnostics), dict(engine.LAST_RUN)

    run(True)
    (root / "app/a.py").write_text("import os\nimport json  # once\n")
    run(True)  # parsed: a first edit since the facts were made
    (root / "app/a.py").write_text("import os\nimport json  # twice\n")
    warm, stats = run(True)
    # the parse started beside is not stopped by the tokenizer any more: with Python's parser it
    # costs no more than the tokenizer did here, and it runs in the other process
    assert stats.get("extracted_beside") == 1 and not stats.get("reused_by_tokens")
    assert warm == run(False)[0]
    (root / "app/a.py").write_text("import os\nimport json\nimport sys\n")
    warm, stats = run(True)
    assert stats.get("extracted_beside") == 1
    assert warm == run(False)[0]


@linux_only
def test_steps_read_ahead_while_the_child_works_and_stop_once_it_answered(monkeypatch):
    import time

    slow = extraction._extract_many

    def late(sources):
        time.sleep(0.5)
        return slow(sources)

    monkeypatch.setattr(extraction, "_extract_many", late)  # the forked copy sees it too
    ran = []

    def step():
        ran.append(1)
        time.sleep(0.05)

    got = background.extract_beside(SOURCES, lambda: [step] * 100)
    assert got == [extract(s) for s in SOURCES]
    assert 1 <= len(ran) < 100  # some while it parsed, none once its answer was there

    monkeypatch.setattr(extraction, "_extract_many", slow)
    ran.clear()

    def first():
        time.sleep(1.0)  # the child answers meanwhile
        return [step] * 5

    assert background.extract_beside(SOURCES, first) == [extract(s) for s in SOURCES]
    assert ran == []
