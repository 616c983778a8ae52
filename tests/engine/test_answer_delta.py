"""Kept findings checked against the change since the last run: the answers of repository-wide
queries that the change cannot reach are not asked again, and the findings stay those of a run
without the cache."""
from pathlib import Path
from typing import Dict

from helpers import write_tree
from importguard.config.settings import load_config
from importguard.engine import answerdelta, pipeline as engine

PYPROJECT = '[project]\nname = "delta"\nrequires-python = ">=3.9"\n'


def _run(root: Path, use_cache: bool = True):
    result = engine.check([str(root)], load_config(root), jobs=1, use_cache=use_cache, cwd=root, need_facts=True)
    return [tuple(d) for d in result.diagnostics]


def _tree(n: int = 12) -> Dict[str, str]:
    """A package whose modules import names from each other (so every check asks who imports
    what from it), each with an unused import whose removal is asked about."""
    files = {"pyproject.toml": PYPROJECT, "pkg/__init__.py": ""}
    for i in range(n):
        uses = f"from pkg.m{i - 1} import VALUE_{i - 1}\n\nprint(VALUE_{i - 1})\n" if i else ""
        files[f"pkg/m{i}.py"] = f"import json\n{uses}VALUE_{i} = {i}\n"
    files["pkg/leaf.py"] = "import pkg.m3\n\nprint(pkg.m3.VALUE_3)\n"
    return files


def test_an_import_added_to_a_leaf_keeps_the_other_files_without_asking_again(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_tree(root, _tree())
    first = _run(root)
    assert first == _run(root, False)
    assert sum(d[3] == "IG100" for d in first) == 12
    (root / "pkg/leaf.py").write_text("import pkg.m3\nfrom pkg.m5 import VALUE_5\n\nprint(pkg.m3.VALUE_3)\n")
    warm = _run(root)
    assert engine.LAST_RUN["files_checked"] == 1  # the leaf
    # every other file's record was valid in the last run's state, and the change reaches none
    # of its answers but those about ``pkg.m5`` and the leaf's sources, asked again
    assert engine.LAST_RUN["files_kept_since_last_run"] == 13
    assert warm == _run(root, False)
    # the runs chain: the next edit is measured against this state
    (root / "pkg/leaf.py").write_text("import pkg.m3\nfrom pkg.m6 import VALUE_6\n\nprint(pkg.m3.VALUE_3)\n")
    chained = _run(root)
    assert engine.LAST_RUN["files_kept_since_last_run"] == 13
    assert chained == _run(root, False)


def test_an_answer_the_change_reaches_is_asked_again(tmp_path: Path) -> None:
    """``m11``'s unused ``json`` is its own; ``VALUE_11`` becomes imported by the leaf, which
    changes what removing nothing-but-an-import risks elsewhere: the finding follows a cold run."""
    root = tmp_path / "repo"
    files = _tree()
    files["pkg/m11.py"] = "from os import path\nVALUE_11 = 11\n"  # an unused import, maybe re-exported
    write_tree(root, files)
    before = _run(root)
    (root / "pkg/leaf.py").write_text("import pkg.m3\nfrom pkg.m11 import path\n\nprint(pkg.m3.VALUE_3, path)\n")
    after = _run(root)
    assert after == _run(root, False)
    assert [d for d in before if d[0].endswith("m11.py")] != [d for d in after if d[0].endswith("m11.py")]


def test_without_the_last_state_every_answer_is_asked(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_tree(root, _tree())
    _run(root)
    store_path = engine.cache_dir(load_config(root)) / engine.results_name()
    from importguard.cache.facts import Store

    store = Store(store_path)
    assert answerdelta.STATE in store.data and answerdelta.VALID in store.data
    del store.data[answerdelta.STATE]
    store.dirty = True
    store.save()
    (root / "pkg/leaf.py").write_text("import pkg.m3\nfrom pkg.m5 import VALUE_5\n\nprint(pkg.m3.VALUE_3)\n")
    warm = _run(root)
    assert engine.LAST_RUN.get("files_kept_since_last_run") is None
    assert engine.LAST_RUN["files_kept_by_reads"] == 13
    assert warm == _run(root, False)


def test_more_changed_modules_than_the_limit_ask_every_answer(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(answerdelta, "LIMIT", 1)
    root = tmp_path / "repo"
    write_tree(root, _tree())
    _run(root)
    (root / "pkg/leaf.py").write_text("import pkg.m3\nfrom pkg.m5 import VALUE_5\n\nprint(pkg.m3.VALUE_3)\n")
    (root / "pkg/m0.py").write_text("import json\nimport os\nVALUE_0 = 0\n")
    warm = _run(root)
    assert engine.LAST_RUN.get("files_kept_since_last_run") is None
    assert warm == _run(root, False)


def test_another_module_importing_the_name_is_an_answer_the_change_reaches(tmp_path: Path) -> None:
    """An application (no library API to keep): ``m11``'s unused import is safe to remove until
    the leaf imports the name from it, which only the ``imported-from`` answer of ``m11``'s
    record shows (nothing of the leaf is read by ``m11``'s check)."""
    root = tmp_path / "repo"
    files = _tree()
    files["pyproject.toml"] = PYPROJECT + "[tool.importguard]\nlibrary = false\n"
    files["pkg/m11.py"] = "from os import path\nVALUE_11 = 11\n"
    write_tree(root, files)
    before = _run(root)
    (root / "pkg/leaf.py").write_text("import pkg.m3\nfrom pkg.m11 import path\n\nprint(pkg.m3.VALUE_3, path)\n")
    after = _run(root)
    assert engine.LAST_RUN["files_checked"] == 2  # the leaf, and ``m11`` whose answer changed
    assert after == _run(root, False)
    assert [d for d in before if d[0].endswith("m11.py")] and not [d for d in after if d[0].endswith("m11.py")]


def _hub_tree() -> Dict[str, str]:
    """``pkg.hub`` is imported (through ``pkg.mid``) by every ``uN``, each of which has an unused
    ``import pkg.mid`` whose removal risk reads what ``pkg.mid`` loads, ``pkg.hub`` included."""
    files = {"pyproject.toml": PYPROJECT, "pkg/__init__.py": "", "pkg/base.py": "BASE = 1\n",
             "pkg/helper.py": "from pkg.base import BASE\nHELP = BASE\n",
             "pkg/registry.py": "HANDLERS = {}\n",
             "pkg/noisy.py": "from pkg import registry\nregistry.HANDLERS['a'] = print\n",  # an import-time effect
             "pkg/hub.py": "from pkg import helper\nHUB = helper.HELP\n",
             "pkg/mid.py": "from pkg.hub import HUB\nMID = HUB\n",
             "tests/__init__.py": "", "tests/data/__init__.py": "", "tests/data/sample.py": "SAMPLE = 1\n"}
    for i in range(6):
        files[f"pkg/u{i}.py"] = "import pkg.mid\nimport json\n"
    return files


def _ig100(found) -> list:
    return [d for d in found if d[3] == "IG100"]


def test_an_import_of_a_module_the_hub_loaded_already_asks_no_removal_risk_again(tmp_path: Path) -> None:
    """Every closure stays as it was: the removal risks of the imports that load the hub hold
    without being asked (the change reaches the modules that load the hub, not what they load)."""
    root = tmp_path / "repo"
    write_tree(root, _hub_tree())
    first = _run(root)
    assert first == _run(root, False) and _ig100(first)
    (root / "pkg/hub.py").write_text("from pkg import helper\nfrom pkg.base import BASE\nHUB = helper.HELP + BASE\n")
    warm = _run(root)
    assert engine.LAST_RUN["files_checked"] == 1  # the hub
    assert engine.LAST_RUN.get("answers_asked_again", 0) == 0
    assert warm == _run(root, False)


def test_an_import_that_loads_a_module_with_an_effect_asks_again(tmp_path: Path) -> None:
    """The hub now loads ``pkg.noisy``, which registers a handler at import: removing ``import
    pkg.mid`` from the users stops being a safe fix, as a cold run says."""
    root = tmp_path / "repo"
    write_tree(root, _hub_tree())
    before = _run(root)
    (root / "pkg/hub.py").write_text("from pkg import helper\nimport pkg.noisy\nHUB = helper.HELP\n")
    after = _run(root)
    assert engine.LAST_RUN["answers_asked_again"] >= 6
    assert after == _run(root, False)
    assert _ig100(after) != _ig100(before)


def test_an_edit_that_gives_the_hub_an_effect_asks_again(tmp_path: Path) -> None:
    """No edge changes, but the hub gains an import-time effect (a store into a module it
    imports): every removal whose import loads it is judged again."""
    root = tmp_path / "repo"
    write_tree(root, _hub_tree())
    before = _run(root)
    (root / "pkg/hub.py").write_text("from pkg import helper\nHUB = helper.HELP\nhelper.READY = True\n")
    after = _run(root)
    assert after == _run(root, False)
    assert _ig100(after) != _ig100(before)


def test_an_import_of_test_data_asks_again(tmp_path: Path) -> None:
    """``tests.data.sample`` is test data until the hub imports it: the edit of the users'
    files stops being unsafe, as a cold run says."""
    root = tmp_path / "repo"
    files = _hub_tree()
    files["tests/data/sample.py"] = "import json\nSAMPLE = 1\n"  # its unused import: test data, no safe fix
    write_tree(root, files)
    before = _run(root)
    (root / "pkg/hub.py").write_text("from pkg import helper\nimport tests.data.sample\nHUB = helper.HELP\n")
    after = _run(root)
    assert after == _run(root, False)
    sample = [d for d in after if d[0].endswith("sample.py")]
    assert sample and sample != [d for d in before if d[0].endswith("sample.py")]
