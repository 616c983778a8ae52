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
