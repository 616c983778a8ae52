"""The last simulating run's outcomes are taken whole for the entries an edit cannot have changed
(``analysis/simlast.py``): an entry whose import ran an edited module, or whose ancestor package's
did, is simulated (or looked up) again; every finding equals a run without the cache."""
from __future__ import annotations

import marshal
from typing import TYPE_CHECKING

import pytest

from helpers import write_tree
from importguard.analysis import simlast
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


@pytest.fixture(autouse=True)
def _keep_every_state(monkeypatch):
    """Every state kept, however few entries' outcomes it changed (these trees have a dozen
    entries): the tests below are about what a kept state gives; ``test_a_state_few_entries_*``
    about what is not kept."""
    monkeypatch.setattr(simlast, "FEW", -1)


def _run(root: Path, use_cache: bool):
    config = load_config(root)
    result = engine.check([str(root)], config, jobs=1, use_cache=use_cache, cwd=root, need_facts=True)
    return [tuple(d) for d in result.diagnostics], [tuple(c) for c in result.cycles]


def _ig301(found) -> set:
    return {(d[0], d[4]) for d in found[0] if d[3] == "IG301"}


def _kept(root: Path) -> list:
    """The kept states' files (heads and bodies)."""
    found = sorted((root / ".importguard_cache").glob("sim-*/last-*"))
    assert found
    return found


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
    files = _kept(root)
    body = next(f for f in files if f.suffix == ".marshal")
    data = marshal.loads(body.read_bytes())
    head = marshal.loads(body.with_suffix(".head").read_bytes())
    variants = [
        b"\x00not marshal",
        body.read_bytes()[:100],
        marshal.dumps({**data, "rans": [(0, 12)] * len(data["rans"])}),  # another layout
        marshal.dumps({**data, "worlds": {k: {"pkg.a": 10 ** 6} for k in data["worlds"]}}),
        marshal.dumps({**data, "seq": data["seq"] + 7}),  # a body of another run than its head
        marshal.dumps([1, 2, 3]),
    ]
    graphs = ["import pkg.d\n", "import pkg.c\n", "import pkg.c, pkg.d\n", "import pkg.sub\n", "import pkg.sub.x\n",
              "import pkg.d, pkg.sub\n"]
    for n, raw in enumerate(variants):
        for f in _kept(root):  # every kept state damaged alike
            if f.suffix == ".marshal":
                f.write_bytes(raw)
            elif n == 5:
                f.write_bytes(marshal.dumps({**head, "digests": head["digests"][:-1]}))
        (root / "pkg" / "util.py").write_text(graphs[n] + "U = 1\n")  # a graph no run saw: simulated
        assert _run(root, True) == _run(root, False), n
    # the state the last run kept is whole: its body pairs with its head (the others stay as they
    # are, and are not read while they do not fit)
    pairs = []
    for f in _kept(root):
        if f.suffix == ".head":
            got, body = marshal.loads(f.read_bytes()), marshal.loads(f.with_suffix(".marshal").read_bytes())
            if isinstance(body, dict) and body.get("seq") == got.get("seq"):
                pairs.append(got["seq"])
    assert pairs


def test_an_undone_edit_leaves_the_state_before_it_to_compare_with(tmp_path: Path) -> None:
    """An edit undone is a run that finds its findings whole and simulates nothing: the next
    edit compares with the state before the undone edit, not with the edit's."""
    root = write_tree(tmp_path / "repo", TREE)
    _run(root, True)
    (root / "pkg" / "c.py").write_text("import pkg.d\nimport pkg.util\nC = 3\n")  # most entries run pkg.c
    _run(root, True)
    (root / "pkg" / "c.py").write_text(TREE["pkg/c.py"])
    _run(root, True)
    assert engine.LAST_RUN.get("run_cache") or engine.LAST_RUN.get("graph_cache")  # the undoing simulated nothing
    (root / "pkg" / "util.py").write_text("import pkg.d\nU = 1\n")
    after = _run(root, True)
    taken = engine.LAST_RUN.get("sim_taken_whole", 0)
    assert after == _run(root, False)
    entries = {e for e in ("pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.sub", "pkg.sub.x", "pkg.user")}
    assert taken >= len(entries) - 1  # only pkg.user runs pkg.util


def test_the_state_edits_start_from_outlives_more_edits_than_there_are_slots(tmp_path: Path) -> None:
    """Edits of one module, each undone (a pre-commit hook run after each): every edit's run
    took from the state before it, which stays; the edits' states take turns in the other slots."""
    from importguard.analysis.simlast import SLOTS

    root = write_tree(tmp_path / "repo", TREE)
    _run(root, True)
    for i in range(SLOTS + 2):
        (root / "pkg" / "c.py").write_text(f"import pkg.d\nimport pkg.util\nC = 3\nE{i} = {i}\n")
        _run(root, True)
        (root / "pkg" / "c.py").write_text(TREE["pkg/c.py"])
        _run(root, True)  # found whole: no simulation, nothing written
    (root / "pkg" / "util.py").write_text("import pkg.d\nU = 1\n")
    after = _run(root, True)
    taken = engine.LAST_RUN.get("sim_taken_whole", 0)
    assert after == _run(root, False)
    assert taken >= 6  # every entry but pkg.user (which runs pkg.util), from the state before the edits


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
    for f in _kept(root):
        f.unlink()
    (root / "pkg" / "user.py").write_text("from pkg import util\n")
    got = _run(root, True)
    simulated = engine.LAST_RUN.get("simulated", 0)
    assert got == _run(root, False)
    assert simulated <= 2  # pkg.user, as written and sorted: every other entry found its records


def test_a_state_few_entries_changed_in_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    """A leaf edit (an import added to a module nothing imports) changes the outcomes of its own
    entry only: the state is not written, the state taken from is noted as used, and the runs
    that follow find the same findings as runs without the cache."""
    monkeypatch.setattr(simlast, "FEW", 8)
    tree = dict(TREE, **{"pkg/leaf.py": "import pkg.c\n"})
    root = write_tree(tmp_path / "repo", tree)
    _run(root, True)
    bodies = {p.name: p.read_bytes() for p in _kept(root) if p.suffix == ".marshal"}
    (root / "pkg" / "leaf.py").write_text("import pkg.c\nimport pkg.util\n")
    after = _run(root, True)
    taken = engine.LAST_RUN.get("sim_taken_whole", 0)
    assert after == _run(root, False)
    assert taken >= 6
    assert {p.name: p.read_bytes() for p in _kept(root) if p.suffix == ".marshal"} == bodies
    heads = [marshal.loads(p.read_bytes()) for p in _kept(root) if p.suffix == ".head"]
    assert [h.get("hits") for h in heads] == [1]
    (root / "pkg" / "util.py").write_text("import pkg.d\nU = 1\n")  # a second edit, the first kept
    after = _run(root, True)
    taken = engine.LAST_RUN.get("sim_taken_whole", 0)
    assert after == _run(root, False)
    assert taken >= 5  # from the state before both edits: pkg.leaf and pkg.user run pkg.util


def test_a_state_whose_entries_the_records_held_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    """An import-only edit of a module the entries' imports run, which changes nothing in them
    (what it imports had finished loading): their records hold the outcomes again, nothing is
    simulated, and the state is not written."""
    monkeypatch.setattr(simlast, "FEW", 0)  # only the rule under test keeps the state from being written
    tree = {
        "pyproject.toml": TREE["pyproject.toml"],
        "pkg/__init__.py": "",
        "pkg/base.py": "X = 1\n",
        "pkg/leafy.py": "Y = 2\n",
        "pkg/c.py": "import pkg.base\nimport pkg.leafy\nimport pkg.d\n",
        "pkg/d.py": "import pkg.c\n",
    }
    root = write_tree(tmp_path / "repo", tree)
    _run(root, True)
    bodies = {p.name: p.read_bytes() for p in _kept(root) if p.suffix == ".marshal"}
    (root / "pkg" / "leafy.py").write_text("import pkg.base\nY = 2\n")
    after = _run(root, True)
    stats = dict(engine.LAST_RUN)
    assert after == _run(root, False)
    assert stats.get("kept_after_edit") and not stats.get("simulated")
    assert {p.name: p.read_bytes() for p in _kept(root) if p.suffix == ".marshal"} == bodies


def test_the_changed_digests_are_found_by_halves() -> None:
    """``_changed`` compares halves whole: the same indices as comparing every module's digest."""
    import random

    from importguard.analysis.simlast import _changed

    rng = random.Random(5)
    for _ in range(200):
        n = rng.randint(0, 200)
        old = bytes(rng.getrandbits(8) for _ in range(16 * n))
        new = bytearray(old)
        for i in rng.sample(range(n), rng.randint(0, n)):
            new[i * 16 + rng.randrange(16)] ^= 1 + rng.randrange(255)
        every = [i for i in range(n) if old[i * 16:(i + 1) * 16] != bytes(new[i * 16:(i + 1) * 16])]
        assert _changed(old, bytes(new)) == every
