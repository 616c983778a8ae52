"""The repository-wide results (cycles, IG300-IG302, contracts) kept per graph state: a bounded
number of states, the state runs come back to (an edit undone) among them."""
from __future__ import annotations

import marshal
from typing import TYPE_CHECKING

from helpers import write_tree
from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

TREE = {
    "pyproject.toml": '[project]\nname = "tree"\nrequires-python = ">=3.9"\n',
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n",
    "pkg/b.py": "from pkg import a\n",
    "pkg/c.py": "X = 1\n",
}


def _run(root: Path) -> None:
    engine.check([str(root)], load_config(root), jobs=1, cwd=root, need_facts=True)


def _graph_keys(root: Path) -> list:
    data = marshal.loads((engine.cache_dir(load_config(root)) / engine.results_name()).read_bytes())
    return [k for k in data if k.startswith("graph:")]


def test_graph_states_are_bounded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "GRAPHS", 4)
    root = write_tree(tmp_path / "repo", dict(TREE, **{f"pkg/m{i}.py": "" for i in range(7)}))
    _run(root)
    (first,) = _graph_keys(root)
    for i in range(7):
        (root / "pkg" / "c.py").write_text(f"import pkg.m{i}\nX = 1\n")  # a new graph state each time
        _run(root)
        assert engine.LAST_RUN.get("graph_cache") is None
        assert len(_graph_keys(root)) == min(i + 2, 4)
    assert first not in _graph_keys(root)
    (root / "pkg" / "c.py").write_text("import pkg.m6\nX = 1\n# a comment\n")
    _run(root)  # the newest state again
    assert engine.LAST_RUN.get("graph_cache") or engine.LAST_RUN.get("run_cache")
