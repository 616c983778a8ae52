"""The cycles of the run before, kept when the graph only gained imports that close no cycle
(``engine.cyclekeep``): every run's findings and cycles equal a run without the cache, and the
kept cycles are taken only where the search would find them again."""
from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, List, Tuple

from helpers import write_tree
from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

FILES = {
    "pyproject.toml": '[project]\nname = "gen"\nrequires-python = ">=3.9"\n',
    "app/__init__.py": "",
    "app/hub.py": "import os\nfrom app import low\nH = 1\n\ndef f():\n    from app import m2\n    return m2\n\n"
                  "def g():\n    from app import back\n    return back\n",
    "app/back.py": "def f():\n    from app import hub\n    return hub\n",
    "app/low.py": "L = 1\n",
    "app/sink.py": "S = 1\n",
    "app/m0.py": "from app.hub import H\nfrom app import m1\nX = H\n",
    "app/m1.py": "from app import m0\nY = 2\n",
    "app/m2.py": "from app.m0 import X\nZ = X\n",
    "app/leaf.py": "from app import sink\n",
}
# appended to the hub: closing no cycle (a module that imports nothing, or nothing that leads
# back), closing one (m2 imports m0, which imports the hub), or one inside a component already
# (``back`` and the hub import each other in functions: a new import-time edge between them
# closes no import-time cycle, and the deferred component gets another shortest cycle)
LINES = ["from app import sink as s{n}\n", "from app import low as l{n}\n", "from app import leaf as f{n}\n",
         "from app import m2 as c{n}\n", "from app import m1 as c{n}\n", "import json as j{n}\n",
         "from app import back as b{n}\n"]


def _run(root: Path, cache: bool) -> Tuple[list, list]:
    result = engine.check([str(root)], load_config(root), jobs=1, use_cache=cache, cwd=root, need_facts=False)
    return [tuple(d) for d in result.diagnostics], sorted(tuple(c) for c in result.cycles)


def test_kept_cycles_are_the_cycles_found_again(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    hub = tmp_path / "app" / "hub.py"
    original = hub.read_text()
    _run(tmp_path, True)
    rng = random.Random(5)
    kept: List[str] = []
    searched: List[str] = []
    for step in range(60):
        what = rng.random()
        if what < 0.3:
            hub.write_text(original)  # undone: the run cache or the graph cache answers
        elif what < 0.4:  # an import inserted at the top moves every line: searched again
            hub.write_text(LINES[rng.randrange(3)].format(n=step) + hub.read_text())
        elif what < 0.5:  # the function's import (a cycle, deferred) removed, one added: searched again
            hub.write_text(original.replace("    from app import m2\n    return m2\n", "    return 2\n")
                           + LINES[0].format(n=step))
        else:
            hub.write_text(hub.read_text() + rng.choice(LINES).format(n=step))
        got = _run(tmp_path, True)
        took = engine.LAST_RUN.get("cycles_kept_after_edit")  # (the run without the cache clears it)
        assert got == _run(tmp_path, False), (step, hub.read_text())
        (kept if took == 1 else searched if took == 0 else []).append(hub.read_text().splitlines()[-1])
    assert len(kept) >= 5 and len(searched) >= 5
    # imports that close an import-time cycle never kept them; one inside the deferred component did
    assert not any(" m2 " in line or " m1 " in line for line in kept)
    assert any(" back " in line for line in kept)


# a cycle that fails as imported (``a`` first: ``b`` asks ``a`` for a name it has not bound yet)
FAILING = {
    "pyproject.toml": '[project]\nname = "gen"\nrequires-python = ">=3.9"\n',
    "app/__init__.py": "",
    "app/a.py": "from app.b import B\nA = 1\n",
    "app/b.py": "from app.a import A\nB = 2\n",
    "app/c.py": "from app import a\n",
    "app/free.py": "import os\n",
    "app/other.py": "X = 1\n",
}
FREE_LINES = ["import json as j{n}\n", "from app import other as o{n}\n", "from app import c as c{n}\n",
              "from app import b as b{n}\n"]
HUB_LINES = ["from app import other as o{n}\n", "from app import free as f{n}\n", "import sys as s{n}\n"]


def test_kept_entries_are_the_modules_found_again(tmp_path: Path) -> None:
    """The modules whose import can meet a cycle, kept across edits that add imports to a module
    that already could (``simulation.entry_modules``): the failing imports found equal a run
    without the cache, and a module that could not meet a cycle before is not kept."""
    for rel, text in FAILING.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    files = {name: tmp_path / "app" / f"{name}.py" for name in ("c", "free")}
    originals = {name: path.read_text() for name, path in files.items()}
    _run(tmp_path, True)
    rng = random.Random(11)
    taken: List[str] = []
    refused = 0
    for step in range(60):
        name = rng.choice(["c", "free"])
        path = files[name]
        met = name == "c" or " c as " in path.read_text() or " b as " in path.read_text()  # meets the cycle
        if rng.random() < 0.25:
            path.write_text(originals[name])
        else:
            lines = HUB_LINES if name == "c" else FREE_LINES
            path.write_text(path.read_text() + rng.choice(lines).format(n=step))
        got = _run(tmp_path, True)
        took = engine.LAST_RUN.get("entries_kept_after_edit")
        assert got == _run(tmp_path, False), (step, {n: p.read_text() for n, p in files.items()})
        if took:
            taken.append(name)
            assert met, step  # a module that met no cycle: an import it gains may lead to one
        elif took == 0 and not met and (" c as " in path.read_text() or " b as " in path.read_text()):
            refused += 1  # it does now
    assert taken.count("c") >= 5 and refused >= 2


def test_the_kept_entries_bitmap_round_trips() -> None:
    from importguard.analysis.simulation import _bitmap, _from_bitmap

    rng = random.Random(2)
    for n in (0, 1, 7, 8, 9, 300):
        known = {f"m{i}.x{rng.randrange(50)}" for i in range(n)}
        reach = {m for m in known if rng.random() < 0.4}
        bits = _bitmap(reach, known)
        assert len(bits) == (len(known) + 7) // 8
        assert _from_bitmap(bits, known) == reach
        assert _from_bitmap(bits + b"\0", known) is None  # another module set


def test_cycles_after_edges_inside_components_equal_a_new_search() -> None:
    """``cyclekeep._within`` on random graphs: whenever it answers (an added edge falls inside a
    component of the graph before, and closes no cycle of a stronger kind), the cycles are those
    a search of the whole new graph finds; and it answers for some of them."""
    from importguard.analysis.graph import Edge, cycles
    from importguard.cache.facts import cycles_to_plain
    from importguard.engine.cyclekeep import _within
    from importguard.model import EDGE_KINDS

    rng = random.Random(11)
    answered = refused = 0
    for _ in range(400):
        names = [f"m{i}" for i in range(rng.randrange(3, 9))]

        def edge(a: str, b: str, line: int) -> Edge:
            kind = rng.choice(EDGE_KINDS)
            return Edge(a, b, f"{a}.py", line, rng.randrange(2) * 4, kind, line, (b,), 1, ("",), False)

        edges = [edge(rng.choice(names), rng.choice(names), rng.randrange(1, 30)) for _ in range(rng.randrange(4, 20))]
        edges = [e for e in edges if e.source != e.target]
        modules: Any = dict.fromkeys(names)  # (the search reads the names only)
        before = cycles_to_plain(cycles(modules, edges))
        together = [e for e in (edge(rng.choice(names), rng.choice(names), rng.randrange(1, 30)) for _ in range(3))
                    if e.source != e.target and any(e.source in c[0] and e.target in c[0] for c in before)]
        if not together:
            continue
        after = sorted(edges + together, key=lambda e: (e.source, e.line, e.col))
        got = _within(before, [tuple(e[:6]) for e in together], after)
        if got is None:
            refused += 1
            continue
        answered += 1
        assert got == cycles_to_plain(cycles(modules, after)), (edges, together)
    assert answered >= 30 and refused >= 30


def test_the_state_before_edits_stays_kept_through_edits_that_cannot_use_it(tmp_path: Path) -> None:
    """Edits that close a cycle search the cycles again; the state they were made to stays among
    the kept graphs all the same (its own runs find the run cache and never keep it again), so an
    edit after more of them than are kept still takes its cycles."""
    write_tree(tmp_path, FILES)
    hub = tmp_path / "app" / "hub.py"
    original = hub.read_text()
    _run(tmp_path, True)
    for n in range(6):  # more than the graphs kept (``graphdelta.KEEP``)
        hub.write_text(original + "\n" * n + "from app import m2 as c1\n")  # each on its own line: a new graph
        _run(tmp_path, True)
        assert engine.LAST_RUN.get("cycles_kept_after_edit") == 0
        hub.write_text(original)
        _run(tmp_path, True)
        assert engine.LAST_RUN.get("run_cache") == 1
    hub.write_text(original + "from app import sink as s1\n")
    got = _run(tmp_path, True)
    assert engine.LAST_RUN.get("cycles_kept_after_edit") == 1
    assert got == _run(tmp_path, False)
