"""IG301 / IG302: an entry simulated in one world and reused in the others whose version and
platform tests its import decided alike has exactly the outcome of a simulation in every world."""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Dict, List, Tuple

from hypothesis import HealthCheck, given, settings

import cyclegen
from helpers import module_of
from importguard.analysis.context import RepoContext
from importguard.analysis.graph import ModuleInfo, build_edges
from importguard.analysis.simulate import Outcome, simulate
from importguard.analysis.simulation import _merge, entry_modules, outcomes, simulated_modules, sorted_order, worlds
from importguard.config.settings import Config
from importguard.extract import extract

if TYPE_CHECKING:
    from importguard.analysis.conditions import World


def _repo(files: Dict[str, str]) -> RepoContext:
    modules = {}
    for rel, text in files.items():
        name = module_of(rel)
        modules[name] = ModuleInfo(name, rel, rel.endswith("__init__.py"), extract(textwrap.dedent(text).encode()))
    return RepoContext(Config(target_version=(3, 9)), modules, build_edges(modules))


def _every_world(repo: RepoContext):
    """The outcomes with every entry simulated in every world, nothing shared, every version and
    platform test decided (none run as what its branches do alike)."""
    entries = entry_modules(repo)
    modules = simulated_modules(repo)
    ws = worlds({e: modules[e] for e in entries if e in modules}, repo.config.target_version,
                repo.config.newest_version)
    first_party = {m.split(".", 1)[0] for m in modules}

    def order(name: str) -> List[int]:
        return sorted_order(modules[name], first_party)

    written: List[Tuple[World, Outcome]] = []
    reordered: List[Tuple[World, Outcome]] = []
    for w in ws.worlds:
        as_written = simulate(modules, entries, world=w, alike=False)
        written.append((w, as_written))
        ok = [e for e in entries if e not in as_written.failed]
        reordered.append((w, simulate(modules, ok, order=order, world=w, alike=False)))
    return _merge(written, ws), _merge(reordered, ws), len(entries) * len(ws.worlds)


def _plain(o) -> tuple:
    return (o.failures, o.entries, o.failed, {k: sorted(map(tuple, v)) for k, v in o.worlds.items()}, o.where)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(cyclegen.packages(max_mods=5, max_stmts=5))
def test_shared_worlds_equal_every_world_simulated(files):
    repo = _repo(files)
    written, reordered, _ = outcomes(repo)
    every_written, every_reordered, _ = _every_world(repo)
    assert _plain(written) == _plain(every_written)
    assert _plain(reordered) == _plain(every_reordered)


# a platform test that only a function holds: no entry's import decides it (the function is never
# called at import time), so no entry is simulated twice, though every entry can reach the test
UNDECIDED = {
    "pkg/__init__.py": "",
    "pkg/a.py": "import sys\nfrom pkg.b import Y\nX = 1\ndef f():\n    if sys.platform == 'win32':\n"
                "        from pkg import c\n",
    "pkg/b.py": "from pkg.a import X\nY = 2\n",
    "pkg/c.py": "import os\nif os.name == 'nt':\n    from pkg.d import D\nC = 3\n",
    "pkg/d.py": "from pkg.c import C\nD = 4\n",
}


def test_an_entry_is_simulated_again_only_in_worlds_its_import_tells_apart():
    repo = _repo(UNDECIDED)
    written, reordered, entries = outcomes(repo)
    assert entries == ["pkg.a", "pkg.b", "pkg.c", "pkg.d"]
    failing = sorted((f.path, f.line, written.where[k]) for k, f in written.failures.items())
    assert failing == [("pkg/a.py", 2, ""), ("pkg/b.py", 1, ""), ("pkg/c.py", 3, " on win32"),
                       ("pkg/d.py", 1, " on win32")]
    # two worlds, linux and win32. linux: the 4 entries as written; pkg.c and pkg.d (the ones that
    # import fine) ran only pkg.c and pkg.d, whose statements are in sorted order already, so
    # sorted they run the same steps (not simulated again). win32: pkg.a and pkg.b decided no test
    # (the one in ``f`` never runs) and keep their linux outcome; pkg.c and pkg.d decided
    # ``os.name`` and run again, and fail, so nothing is left to sort. Every entry can reach both
    # tests through ``f``'s import.
    assert repo.simulation_stats["simulated"] == 4 + 0 + 2 + 0
    assert repo.simulation_stats["sorted_as_written"] == 2
    every_written, every_reordered, every_count = _every_world(repo)
    assert every_count == 4 * 2
    assert _plain(written) == _plain(every_written)
    assert _plain(reordered) == _plain(every_reordered)
