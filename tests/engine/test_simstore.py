"""The import simulation's outcomes live in shards of their own (``analysis/simstore.py``): a run
after an edit rewrites only the shards of the entries it simulated again, a run that simulates
nothing new writes none, a corrupt or foreign shard is taken as empty, the store travels with a
moved checkout, and the findings always equal a run without the cache."""
from __future__ import annotations

import marshal
import shutil
from typing import TYPE_CHECKING, Dict, Tuple

from helpers import write_tree
from importguard.analysis.simstore import KEEP_RUNS, SimStore
from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

HUB = {
    "pyproject.toml": '[project]\nname = "hub"\nrequires-python = ">=3.9"\n',
    "core/__init__.py": "",
    "core/hub.py": "HUB = 1\n",
    "core/util.py": "from core.hub import HUB\nU = 2\n",
    **{f"core/m{i}.py": f"from core.hub import HUB\nfrom core import m{(i + 1) % 4}\nX = HUB\n" for i in range(4)},
    "core/leaf.py": "from core import m0\n",
    # a module only a function imports: editing it changes the graph, and runs no entry's import
    "core/lazy.py": "L = 1\n",
    "core/late.py": "def later():\n    from core import lazy\n    return lazy\n",
}


def _run(root: Path, use_cache: bool):
    config = load_config(root)
    result = engine.check([str(root)], config, jobs=1, use_cache=use_cache, cwd=root, need_facts=True)
    return [tuple(d) for d in result.diagnostics], [tuple(c) for c in result.cycles]


def _sim_dir(root: Path) -> Path:
    found = list((root / ".importguard_cache").glob("sim-*"))
    assert len(found) == 1
    return found[0]


def _shards(root: Path) -> Dict[str, Tuple[int, int]]:
    """Each shard file (outcomes and traces) -> (inode, mtime_ns): a rewrite replaces the file."""
    d = _sim_dir(root)
    return {str(p.relative_to(d)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in d.glob("*/*.marshal")}


def _index(root: Path, entry: str) -> int:
    return SimStore(_sim_dir(root)).outcomes.index(entry)


def test_an_edit_rewrites_only_the_shards_of_the_entries_simulated_again(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", HUB)
    _run(root, True)
    assert engine.LAST_RUN["simulated"] > 0
    before = _shards(root)
    entries = ("core.leaf", "core.m0", "core.m1", "core.m2", "core.m3")
    assert len(before) == 2 * len({_index(root, e) for e in entries})  # an outcome and a trace shard each
    (root / "core" / "leaf.py").write_text("from core import m1\nfrom core import m0\n")
    after = _run(root, True)
    assert engine.LAST_RUN["simulated"] >= 1 and after == _run(root, False)
    changed = {k for k, v in _shards(root).items() if before.get(k) != v}
    leaf = "%02x.marshal" % _index(root, "core.leaf")
    assert changed == {"outcomes/" + leaf, "traces/" + leaf}
    assert len(before) > len(changed)  # the shards of the other entries were left alone


def test_a_run_that_simulates_nothing_new_writes_no_shard(tmp_path: Path) -> None:
    """The outcomes a run finds are counted in memory only: it rewrites no shard for them."""
    root = write_tree(tmp_path / "repo", HUB)
    _run(root, True)
    before = _shards(root)
    (root / "core" / "lazy.py").write_text("from core.hub import HUB\nL = HUB\n")
    after = _run(root, True)
    assert "graph_cache" not in engine.LAST_RUN  # the graph changed: every entry's key was checked
    assert engine.LAST_RUN.get("simulated", 0) == 0
    assert _shards(root) == before
    assert after == _run(root, False)


def test_corrupt_and_foreign_shards_are_taken_as_empty(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", HUB)
    expected = _run(root, True)
    assert [d for d in expected[0] if d[3] == "IG301"] == []
    files = sorted(_sim_dir(root).glob("*/*.marshal"))
    for n, p in enumerate(files):
        if n % 3 == 0:
            p.write_bytes(b"\x00not marshal at all")
        elif n % 3 == 1:
            p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])  # torn
        else:  # another version's layout: records of other fields, a list for a dict
            p.write_bytes(marshal.dumps({k: [[1, 2, 3]] for k in marshal.loads(p.read_bytes())}
                                        if "outcomes" in str(p) else [1, 2]))
    (root / "core" / "hub.py").write_text("from core.util import U\nHUB = 1\n")
    edited = _run(root, True)
    assert engine.LAST_RUN["simulated"] > 0
    assert edited == _run(root, False)
    assert [d for d in edited[0] if d[3] == "IG301"]
    (root / "core" / "hub.py").write_text(HUB["core/hub.py"])
    (root / "core" / "leaf.py").write_text("from core import m1\nfrom core import m0\n")
    assert _run(root, True) == _run(root, False)
    for p in _sim_dir(root).glob("*/*.marshal"):  # every shard rewritten readable
        assert isinstance(marshal.loads(p.read_bytes()), dict)


def test_the_outcomes_travel_with_a_moved_checkout(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "one" / "repo", HUB)
    _run(first, True)
    moved = tmp_path / "two" / "deeper" / "repo"
    moved.parent.mkdir(parents=True)
    shutil.move(str(first), str(moved))
    (moved / "core" / "leaf.py").write_text("from core import m1\nfrom core import m0\n")
    after = _run(moved, True)
    assert 1 <= engine.LAST_RUN["simulated"] <= 2  # core.leaf, as written and sorted: the others found
    assert after == _run(moved, False)


def _record(n: int) -> list:
    return ["base", bytes([n]), "digest%d" % n, 0, (), 0]


def test_outcomes_no_run_looks_up_go_after_their_shard_is_rewritten_often_enough(tmp_path: Path) -> None:
    """Pruning happens only in shards rewritten anyway: the stale key of a shard no run writes
    stays; in a shard rewritten by runs that do not look it up, it goes after ``KEEP_RUNS``."""
    one = SimStore(tmp_path, shards=4)
    groups = ["entry%d" % i for i in range(40)]
    a = "sim:e:w:x:" + groups[0]
    b = next("sim:e:w:x:" + g for g in groups if one.outcomes.index(g) == one.outcomes.index(groups[0])
             and g != groups[0])
    c = next("sim:e:w:x:" + g for g in groups if one.outcomes.index(g) != one.outcomes.index(groups[0]))
    for n, key in enumerate((a, b, c)):
        one.put(key, [_record(n)], _record(n), b"trace%d" % n)
    one.save()
    assert len(one.outcomes.written) == 2
    for run in range(KEEP_RUNS):
        store = SimStore(tmp_path, shards=4)
        assert store.records(a)
        new = _record(10 + run)
        store.put(a, [new], new, b"t%d" % run)  # b, in a's shard, is not looked up
        store.save()
        assert store.outcomes.written == store.traces.written == [store.outcomes.index(groups[0])]
        later = SimStore(tmp_path, shards=4)
        gone = run == KEEP_RUNS - 1
        assert later.records(b) == ([] if gone else [_record(1)])
        assert later.trace(b, _record(1)) == (None if gone else b"trace1")
        assert later.trace(a, new) == b"t%d" % run
        assert later.trace(a, _record(0 if run == 0 else 9 + run)) is None  # a's record replaced: its trace too
    assert SimStore(tmp_path, shards=4).records(c) == [_record(2)]  # its shard was never written again
