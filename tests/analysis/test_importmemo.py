"""Imports replayed instead of run again (``importmemo``): a walk with them leaves exactly what a
walk without them leaves (each entry's failure, the tests each prefix decided, the modules each
prefix ran), and replays only where the import would read the same."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from hypothesis import HealthCheck, find, given, settings, strategies as st

from cyclegen import modules_of, trees
from importguard.analysis.conditions import World
from importguard.analysis.importmemo import Mod, _Func
from importguard.analysis.interpreter import Simulator
from importguard.analysis.prefixwalk import Walk
from importguard.analysis.simulation import sorted_order

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo


def _walk(modules: Dict[str, ModuleInfo], entries: List[str], world: World, sorted_imports: bool, memo: bool
          ) -> Walk:
    first_party = {m.split(".", 1)[0] for m in modules}
    order = (lambda name: sorted_order(modules[name], first_party)) if sorted_imports else None
    walk = Walk(Simulator(modules, world=world, order=order, memo=memo), entries)
    walk.walk(walk.children.get("", ()))
    return walk


def _same(modules: Dict[str, ModuleInfo], entries: List[str], world: World = World((3, 9), "linux"),
          sorted_imports: bool = False) -> Optional[Walk]:
    plain = _walk(modules, entries, world, sorted_imports, memo=False)
    kept = _walk(modules, entries, world, sorted_imports, memo=True)
    assert kept.fails == plain.fails
    assert kept.visited == plain.visited
    assert kept.ran == plain.ran
    return kept


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees(), st.sampled_from([World((3, 9), "linux"), World((3, 13), "win32")]), st.booleans())
def test_replays_leave_what_runs_leave(files: Dict[str, str], world: World, sorted_imports: bool) -> None:
    modules = modules_of(files)
    # every module first, then each again below a package (the second import of each is kept)
    entries = sorted(modules)
    _same(modules, entries, world, sorted_imports)


def _replays(files: Dict[str, str]) -> int:
    modules = modules_of(files)
    walk = _same(modules, sorted(modules))
    assert walk is not None
    return walk.sim.memo.replayed


def test_the_random_trees_replay_imports() -> None:
    # the property above is not vacuous: its trees replay imports (and walk the same, checked here too)
    found = find(trees(), lambda files: _replays(files) > 0,
                 settings=settings(max_examples=500, derandomize=True, database=None,
                                   suppress_health_check=list(HealthCheck)))
    assert _replays(found) > 0


def _tests_of_a_library(n: int, first: str = "") -> Dict[str, str]:
    files = {
        "lib/__init__.py": "from lib.core import Core\nfrom lib import extra\n",
        "lib/core.py": "import sys\nfrom util import helper\nif sys.version_info >= (3, 11):\n"
                       "    import lib.new\nclass Core:\n    pass\n",
        "util.py": "def helper():\n    return 1\n",
        "lib/new.py": "NEW = 1\n",
        "lib/extra.py": "from lib.core import Core\nX = Core\n",
        "tests/__init__.py": "",
    }
    for i in range(n):
        files[f"tests/test_{i}.py"] = f"{first}from lib import Core\nfrom lib.extra import X\nT{i} = Core\n"
    return files


def test_a_library_each_test_imports_is_replayed() -> None:
    modules = modules_of(_tests_of_a_library(6))
    for world in (World((3, 9), "linux"), World((3, 12), "linux")):
        walk = _same(modules, sorted(modules), world)
        assert walk is not None and walk.sim.memo is not None
        # lib is imported first as an entry, then by each test: kept at the second, replayed after
        assert walk.sim.memo.replayed >= 4
        # what is kept holds no module or function of the run: it is freed with the interpreter,
        # not left in reference cycles for the collector
        kept = walk.sim.memo.kept["lib"]
        assert kept.snap and not [v for snap in kept.snap for v in snap[3].values() if isinstance(v, (Mod, _Func))]
        tests = [p for p in walk.ran if p.startswith("tests.test_")]
        assert all("lib.core" in walk.ran[p] for p in tests)  # the trace of a replay names what it ran
        assert all(walk.visited[p] == walk.visited[tests[0]] for p in tests)


def test_an_import_that_would_read_other_modules_is_run() -> None:
    # each test imports util first: lib then finds a module loaded before it, and is run each time
    modules = modules_of(_tests_of_a_library(6, first="import util\n"))
    walk = _same(modules, sorted(modules))
    assert walk is not None and walk.sim.memo is not None
    assert "lib" not in walk.sim.memo.kept and "util" in walk.sim.memo.kept
    assert walk.sim.memo.replayed >= 4  # util alone


def test_a_failing_import_is_never_replayed() -> None:
    files = {"lib/__init__.py": "from lib.a import A\n", "lib/a.py": "from lib.b import B\nA = 1\n",
             "lib/b.py": "from lib.a import A\nB = 1\n", "tests/__init__.py": ""}
    for i in range(5):
        files[f"tests/test_{i}.py"] = "import lib\n"
    modules = modules_of(files)
    walk = _same(modules, sorted(modules))
    assert walk is not None and walk.sim.memo is not None
    assert walk.sim.memo.replayed == 0
    assert sum(1 for _, f in walk.fails if f is not None) >= 5


def test_a_kept_import_is_run_where_what_it_read_is_loaded() -> None:
    # three tests import lib from nothing (kept, then replayed); three import util first, which lib
    # reads: there lib runs, and finds util loaded (a replay would run util again)
    files = _tests_of_a_library(3)
    for i in range(3, 6):
        files[f"tests/test_{i}.py"] = f"import util\nfrom lib import Core\nT{i} = Core\n"
    modules = modules_of(files)
    walk = _same(modules, sorted(modules))
    assert walk is not None and walk.sim.memo is not None
    assert "lib" in walk.sim.memo.kept and walk.sim.memo.replayed >= 1
    assert walk.ran["tests.test_4"].count("util") == 1  # its own import ran util, lib did not again
