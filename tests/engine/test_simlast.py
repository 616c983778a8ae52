"""The last simulating run's outcomes are taken whole for the entries an edit cannot have changed
(``analysis/simlast.py``): an entry whose import ran an edited module, or whose ancestor package's
did, is simulated (or looked up) again; every finding equals a run without the cache."""
from __future__ import annotations

import marshal
from typing import TYPE_CHECKING

from helpers import write_tree
from importguard.analysis.simstore import KEEP_RUNS, SimStore
from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

TREE = {
    "pyproject.toml": '[project]\nname = "tree"\nrequires-python = ">=3.9"\n',
    "pkg/__init__.py": "",
    # importing pkg.a fails: pkg.b reads A from the partially initialised pkg.a
    "pkg/a.py": "from pkg.b import B\nA = 1\n",
    "pkg/b.py": "from pkg.a import A\nB = 2\n",
    # a cycle that imports fine
    "pkg/c.py": "import pkg.d\nC = 3\n",
    "pkg/d.py": "import pkg.c\nD = 4\n",
    "pkg/util.py": "U = 1\n",
    "pkg/user.py": "from pkg import util\nfrom pkg import c\n",
    # a subpackage (an entry: it reaches a cycle) whose module reads a name of its package
    "pkg/sub/__init__.py": "import pkg.c\nY = 0\n",
    "pkg/sub/x.py": "from pkg.sub import Y\nimport pkg.c\nX = 1\n",
}


def _run(root: Path, use_cache: bool):
    config = load_config(root)
    result = engine.check([str(root)], config, jobs=1, use_cache=use_cache, cwd=root, need_facts=True)
    return [tuple(d) for d in result.diagnostics], [tuple(c) for c in result.cycles]


def _ig301(found) -> set:
    return {(d[0], d[4]) for d in found[0] if d[3] == "IG301"}


def _last(root: Path) -> Path:
    found = list((root / ".importguard_cache").glob("sim-*/last.marshal"))
    assert len(found) == 1
    return found[0]


def test_an_edit_elsewhere_takes_the_other_entries_whole(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", TREE)
    first = _run(root, True)
    assert _ig301(first) and "sim_taken_whole" not in engine.LAST_RUN  # nothing kept yet
    (root / "pkg" / "util.py").write_text("import pkg.d\nU = 1\n")  # the graph changes
    after = _run(root, True)
    assert engine.LAST_RUN.get("sim_taken_whole", 0) > 0
    assert after == _run(root, False)
    assert _ig301(after) == _ig301(first)


def test_an_edit_that_ends_a_failure_is_seen(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", TREE)
    assert _ig301(_run(root, True))
    (root / "pkg" / "b.py").write_text("B = 2\n")  # no cycle any more
    after = _run(root, True)
    assert engine.LAST_RUN.get("sim_taken_whole", 0) > 0  # the entries that never ran pkg.b
    assert _ig301(after) == set()
    assert after == _run(root, False)


def test_an_edit_that_starts_a_failure_is_seen(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", TREE)
    before = _run(root, True)
    (root / "pkg" / "c.py").write_text("from pkg.d import D\nC = 3\n")  # pkg.d reads pkg.c: fails now
    after = _run(root, True)
    assert engine.LAST_RUN.get("sim_taken_whole", 0) > 0
    assert after == _run(root, False)
    assert len(_ig301(after)) > len(_ig301(before))


def test_a_package_edit_reaches_the_entries_below_it(tmp_path: Path) -> None:
    """``pkg.sub.x`` keeps only the modules its own import ran beyond its package's: that its
    package ran an edited module is enough to simulate it again."""
    root = write_tree(tmp_path / "repo", TREE)
    _run(root, True)
    (root / "pkg" / "sub" / "__init__.py").write_text("import pkg.c\nfrom pkg.sub.x import X\nY = 0\n")
    after = _run(root, True)
    assert engine.LAST_RUN.get("sim_taken_whole", 0) > 0
    assert after == _run(root, False)
    entries = {d[4] for d in after[0] if d[3] == "IG301"}
    assert any("pkg.sub.x" in text for text in entries), entries


def test_a_new_world_is_simulated_for_every_entry(tmp_path: Path) -> None:
    """A version test the last run never saw makes a world it has no outcomes for."""
    root = write_tree(tmp_path / "repo", TREE)
    _run(root, True)
    (root / "pkg" / "util.py").write_text(
        "import sys\nif sys.version_info >= (3, 12):\n    from pkg.c import C\nU = 1\n")
    after = _run(root, True)
    assert after == _run(root, False)
    (root / "pkg" / "d.py").write_text("from pkg.c import C\nD = 4\n")
    assert _run(root, True) == _run(root, False)


def test_a_corrupt_or_foreign_file_is_taken_as_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", TREE)
    _run(root, True)
    last = _last(root)
    data = marshal.loads(last.read_bytes())
    variants = [
        b"\x00not marshal",
        last.read_bytes()[:100],
        marshal.dumps({**data, "rans": [(0, 12)] * len(data["rans"])}),  # another layout
        marshal.dumps({**data, "worlds": {k: {"pkg.a": 10 ** 6} for k in data["worlds"]}}),
        marshal.dumps([1, 2, 3]),
    ]
    graphs = ["import pkg.d\n", "import pkg.c\n", "import pkg.c, pkg.d\n", "import pkg.sub\n", "import pkg.sub.x\n"]
    for n, raw in enumerate(variants):
        last.write_bytes(raw)
        (root / "pkg" / "util.py").write_text(graphs[n] + "U = 1\n")  # a graph no run saw: simulated
        assert _run(root, True) == _run(root, False), n
        assert isinstance(marshal.loads(_last(root).read_bytes()), dict)  # rewritten whole


def test_entries_taken_whole_keep_their_records(tmp_path: Path, monkeypatch) -> None:
    """An entry taken whole counts as looked up: its records outlive the runs that rewrite its
    shard, and a run without the kept outcomes (lost, or made at another state) finds them."""
    monkeypatch.setattr(SimStore.__init__, "__defaults__", (1,))  # every entry in one shard
    root = write_tree(tmp_path / "repo", TREE)
    _run(root, True)
    for n in range(KEEP_RUNS + 2):  # pkg.user's key changes each time: the one shard is rewritten
        (root / "pkg" / "user.py").write_text(f"from pkg import util\nfrom pkg import c\nN{n} = 0\n")
        _run(root, True)
        assert engine.LAST_RUN.get("sim_taken_whole", 0) > 0
    _last(root).unlink()
    (root / "pkg" / "user.py").write_text("from pkg import util\n")
    got = _run(root, True)
    simulated = engine.LAST_RUN.get("simulated", 0)
    assert got == _run(root, False)
    assert simulated <= 2  # pkg.user, as written and sorted: every other entry found its records
