"""A file's findings kept with what its check read: an edit of another module that changes one of
those reads makes the file checked again, with the findings a run without the cache finds."""
from pathlib import Path
from typing import Dict

import pytest

from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

PYPROJECT = '[project]\nname = "reads"\nrequires-python = ">=3.9"\n'
FUTURE = "from __future__ import annotations\n"

# (files, the file edited, its new text, the file whose findings the edit changes)
CASES = {
    # another module starts importing the name: a re-export in use, no longer unused
    "imported from": (
        {"a.py": "from os import path\n", "b.py": "import a\nX = 1\n"},
        "b.py", "import a\nfrom a import path\nprint(path)\n", "a.py"),
    # the base class defined elsewhere starts evaluating its subclasses' annotations
    "runtime base class": (
        {"a.py": FUTURE + "from decimal import Decimal\nfrom b import Base\n\n\nclass M(Base):\n    x: Decimal\n",
         "b.py": "class Base:\n    pass\n"},
        "b.py", "import pydantic\n\n\nclass Base(pydantic.BaseModel):\n    pass\n", "a.py"),
    # the same, two modules away (``c`` re-exports the base class and does not change)
    "runtime base class through a re-export": (
        {"a.py": FUTURE + "from decimal import Decimal\nfrom c import Base\n\n\nclass M(Base):\n    x: Decimal\n",
         "c.py": "from b import Base\n\n__all__ = ['Base']\n",
         "b.py": "class Base:\n    pass\n"},
        "b.py", "import pydantic\n\n\nclass Base(pydantic.BaseModel):\n    pass\n", "a.py"),
    # another module starts taking every public name of it through a star import
    "star import elsewhere": (
        {"a.py": "from os import path\nX = 1\n", "b.py": "import a\n"},
        "b.py", "from a import *\n\nprint(path, X)\n", "a.py"),
    # the same, for a file outside every root (no component: kept by what its check read)
    "runtime base class read by a file outside every root": (
        {"pyproject.toml": PYPROJECT + '[tool.importguard]\nroots = ["src"]\n',
         "scripts/tool.py": FUTURE + "from decimal import Decimal\nfrom b import Base\n\n\n"
                                     "class M(Base):\n    x: Decimal\n",
         "src/b.py": "class Base:\n    pass\n"},
        "src/b.py", "import pydantic\n\n\nclass Base(pydantic.BaseModel):\n    pass\n", "scripts/tool.py"),
    # a TYPE_CHECKING import becomes needed at runtime when the base class evaluates annotations
    "type checking import evaluated by a base class": (
        {"a.py": FUTURE + "from typing import TYPE_CHECKING\nfrom b import Base\n\nif TYPE_CHECKING:\n"
                          "    from decimal import Decimal\n\n\nclass M(Base):\n    x: Decimal\n",
         "b.py": "class Base:\n    pass\n"},
        "b.py", "import pydantic\n\n\nclass Base(pydantic.BaseModel):\n    pass\n", "a.py"),
    # the decorator, re-exported by another module, becomes one that evaluates annotations (the
    # check reads that module's facts to resolve the name)
    "decorator resolved through another module": (
        {"a.py": FUTURE + "from decimal import Decimal\nfrom c import deco\n\n\n@deco\ndef f(x: Decimal):\n"
                          "    return x\n",
         "c.py": "def deco(f):\n    return f\n"},
        "c.py", "from functools import singledispatch as deco\n\n__all__ = ['deco']\n", "a.py"),
    # a class attribute that another module starts reading
    "class attribute read elsewhere": (
        {"a.py": "class C:\n    import json\n", "b.py": "import a\nprint(a.C)\n"},
        "b.py", "import a\nprint(a.C.json)\n", "a.py"),
    # removing the unused import stops being safe: another module starts reading the submodule
    # it loads as an attribute of its package (the per-module parts of that index are kept)
    "submodule read through its package elsewhere": (
        {"a.py": "import pkg.sub\n", "b.py": "import pkg\n", "pkg/__init__.py": "", "pkg/sub.py": "X = 1\n"},
        "b.py", "import pkg\n\nprint(pkg.sub.X)\n", "a.py"),
    # the same, two modules away: what the import loads gains a side effect
    "side effect two modules away": (
        {"a.py": "import b\n", "b.py": "import c\n", "c.py": "X = 1\n"},
        "c.py", "import logging\n\nlogging.basicConfig()\n", "a.py"),
    # another module starts naming the unused import in a string (``mock.patch``)
    "named in a string elsewhere": (
        {"a.py": "from os import path\n", "b.py": "import a\n"},
        "b.py", 'import a\nfrom unittest import mock\n\nmock.patch("a.path")\n', "a.py"),
    # the same by a module that does not import it (another import component): the string joins them
    "named in a string by a module that does not import it": (
        {"pyproject.toml": PYPROJECT + "[tool.importguard]\nlibrary = false\n",
         "a.py": "from os import path\n\nX = 1\n", "b.py": "Y = 2\n"},
        "b.py", 'from unittest import mock\n\nmock.patch("a.path")\n', "a.py"),
    # a test module starts importing a file of the test folder: no longer test data, which no
    # edit could safely change
    "test data imported by a test": (
        {"tests/__init__.py": "", "tests/data/__init__.py": "", "tests/data/sample.py": "import os\n",
         "tests/test_x.py": "X = 1\n"},
        "tests/test_x.py", "from tests.data import sample\n\nprint(sample)\n", "tests/data/sample.py"),
    # removing an empty ``TYPE_CHECKING`` block (and its import) stops being safe: another module
    # starts importing ``TYPE_CHECKING`` from this one
    "type checking import imported elsewhere": (
        {"pyproject.toml": PYPROJECT + "[tool.importguard]\nlibrary = false\n",
         "a.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    pass\n\nX = 1\n",
         "b.py": "import a\n\nprint(a.X)\n"},
        "b.py", "import a\nfrom a import TYPE_CHECKING\n\nprint(a.X, TYPE_CHECKING)\n", "a.py"),
    # removing the unused import stops being safe: the imported module gains a side effect
    "side effect of the imported module": (
        {"a.py": "import b\n", "b.py": "X = 1\n"},
        "b.py", "import logging\n\nlogging.basicConfig()\n", "a.py"),
}


def _write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _run(root: Path, use_cache: bool):
    result = engine.check([str(root)], load_config(root), jobs=1, use_cache=use_cache, cwd=root, need_facts=True)
    return [tuple(d) for d in result.diagnostics]


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_edit_elsewhere_that_changes_a_read_rechecks_the_file(tmp_path: Path, case: str) -> None:
    files, edited, text, watched = CASES[case]
    root = tmp_path / "repo"
    _write(root, {"pyproject.toml": PYPROJECT, **files})
    before = _run(root, True)
    assert before == _run(root, False)
    (root / edited).write_text(text)
    cold = _run(root, False)
    assert _run(root, True) == cold
    mine = [d for d in before if d[0] == watched]
    assert mine != [d for d in cold if d[0] == watched], "the edit changes the watched file's findings"


def test_an_edit_that_changes_no_read_keeps_the_findings(tmp_path: Path) -> None:
    """The same repositories, with an edit of the other module that changes what it does but
    nothing the watched file's check read: its findings are kept, not checked again."""
    root = tmp_path / "repo"
    files, _, _, _ = CASES["runtime base class"]
    _write(root, {"pyproject.toml": PYPROJECT, **files})
    _run(root, True)
    (root / "b.py").write_text("import os\n\n\nclass Base:\n    pass\n")
    warm = _run(root, True)
    assert engine.LAST_RUN["files_checked"] == 1  # b.py
    assert engine.LAST_RUN["files_kept_by_reads"] == 1  # a.py
    assert warm == _run(root, False)


def test_what_a_recorded_check_reads() -> None:
    """Looking a module up notes it; walking the modules or the edges reads everything; a query's
    answer is noted, not what computing it looked up; a membership test notes nothing (the set
    of names is in every key)."""
    from importguard.analysis.context import QUERIES, Reads, RepoContext, Watched
    from importguard.analysis.graph import ModuleInfo, build_edges
    from importguard.config.settings import Config
    from importguard.extract import extract

    texts = {"a": "from b import B\n", "b": "from c import C as B\n", "c": "class C:\n    pass\n"}
    modules = {n: ModuleInfo(n, n + ".py", False, extract(t.encode())) for n, t in texts.items()}
    repo = RepoContext(Config(), Watched(modules), build_edges(modules))
    QUERIES["test-resolve"] = lambda r, module, name: r.resolve_symbol(module, name)

    reads = Reads()
    repo.record(reads)
    assert "c" in repo.modules and not reads.modules
    assert repo.resolve_symbol("a", "B") == "c.C"
    assert reads.modules == {"a", "b", "c"} and not reads.everything

    reads = Reads()
    repo.record(reads)
    assert repo.ask("test-resolve", "a", "B") == "c.C"
    assert not reads.modules and reads.answers == {("test-resolve", "a", "B"): "c.C"}
    assert repo.answers_hold(list(reads.answers.items()))
    assert not repo.answers_hold([(("test-resolve", "a", "B"), "b.B")])

    for walk in (lambda: list(repo.modules.values()), lambda: repo.edges, lambda: repo.cycles):
        reads = Reads()
        repo.record(reads)
        walk()
        assert reads.everything
    repo.record(None)
    del QUERIES["test-resolve"]


def test_an_import_change_reads_the_facts_of_few_modules(tmp_path: Path) -> None:
    """The other files' facts come from the cache undecoded; a change of one module's imports
    decodes those of the modules its checks and the simulation read, not the whole tree's."""
    root = tmp_path / "repo"
    files = {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/base.py": "import app\nBASE = 1\n"}
    for i in range(30):
        files[f"app/m{i}.py"] = f"from app.base import BASE\nimport os\n\nX{i} = (BASE, os.sep)\n"
    files["tools/__init__.py"] = ""
    files["tools/leaf.py"] = "import json\n"
    _write(root, files)
    _run(root, True)
    (root / "tools/leaf.py").write_text("import json\nimport app.m3\n")
    _run(root, True)  # the first unused first-party import: the indexes its fix's safety reads are made
    (root / "tools/leaf.py").write_text("import json\nimport app.m3\nimport app.m4\n")
    from importguard.analysis.graph import LazyInfo

    result = engine.check([str(root)], load_config(root), jobs=1, cwd=root, need_facts=True)
    warm = [tuple(d) for d in result.diagnostics]
    assert sum(type(info) is LazyInfo for info in result.modules.values()) == 33  # all but the edited file
    assert engine.LAST_RUN["extracted"] == 1, engine.LAST_RUN
    # of 34 modules (a kept file with a finding to fix would decode its own: its fix's safety is
    # asked again)
    assert engine.LAST_RUN["facts_decoded"] < 10, engine.LAST_RUN
    assert warm == _run(root, False)


def test_a_file_outside_every_root_keeps_its_findings_through_an_unrelated_edit(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files, _, _, _ = CASES["runtime base class read by a file outside every root"]
    _write(root, {**files, "src/c.py": "X = 1\n"})
    _run(root, True)
    (root / "src/c.py").write_text("import json\nX = json.dumps(1)\n")
    warm = _run(root, True)
    assert engine.LAST_RUN["files_checked"] == 1  # src/c.py
    assert engine.LAST_RUN["files_kept_by_reads"] == 2  # scripts/tool.py, src/b.py (the change reaches neither)
    assert warm == _run(root, False)
