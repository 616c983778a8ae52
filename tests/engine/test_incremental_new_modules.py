"""An import added to a module that many entries run, of a module those entries never ran (or ran
inside the edited one): the outcomes kept (the new module runs inside the edited one and changes
nothing else, or the new statement runs after everything that imports and finds it finished) are
exactly what a run without the cache finds, through further edits of that module, of the new
module, and undoing them. The new statement goes last (above the hub's last binding, or at the
end) or first.

The new modules come from a pool of random contents, some inert (names, standard-library imports,
imports of modules every entry finished early, class bodies) and some not (a call at import time,
a version test, an attribute stored in another module or read from one, a star import, an import
of a module that imports the hub back, an import of another new module); other modules read them
as attributes of their package, or star-import the package.
"""
from __future__ import annotations

import ast
import random
from typing import TYPE_CHECKING, Dict, List, Tuple

import pytest

from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.analysis.graph import ModuleInfo

POOL = 6  # app.f0 .. app.f5: imported by nothing at first
USERS = 5  # app.m0 .. app.m4: import the hub, and each other (cycles)

LINES = [
    "F = 1",
    "import json",
    "from app import base",
    "from app.base import B",
    "from app import m{j}",  # imports the hub back: it had not finished
    "from app.m{j} import X",
    "def g():\n    import json\ng()",  # a call at import time
    "import sys\nif sys.version_info >= (3, 11):\n    from app import m{j}",
    "from app import base\nbase.B2 = 1",  # stored in another module
    "from app import base\nZ = base.B",  # read from another module
    "from app import *",
    "class C:\n    from app import base as b2\n    W = 1",
    "try:\n    from app import m{j}\nexcept ImportError:\n    pass",
    "from app.f{k} import F",  # another module of the pool
    "from app import f{k} as other",
]


LATE = "LATE = 2\n"  # the hub's last line: imports are added above it


INERT = [0, 1, 2, 3, 11]  # the lines of LINES a module can hold and stay inert


def _fresh_text(rng: random.Random, i: int) -> str:
    lines = []
    menu = [LINES[k] for k in INERT] if rng.random() < 0.5 else LINES
    for _ in range(rng.randint(1, 3)):
        k = rng.choice([k for k in range(POOL) if k != i])
        lines.append(rng.choice(menu).format(j=rng.randrange(USERS), k=k))
    return "\n".join(lines) + "\nF = 1\n"


def _generate(rng: random.Random) -> Dict[str, str]:
    files = {
        "pyproject.toml": '[project]\nname = "gen"\nrequires-python = ">=3.9"\n',
        "app/__init__.py": rng.choice(["", "from app import base\n"]),
        "app/base.py": "B = 1\n",
        "app/hub.py": "from app import base\nH = 1\n" + LATE,
    }
    for i in range(USERS):
        # a module that takes LATE from the hub fails when the hub's new imports run it first
        lines = [rng.choice(["from app.hub import H", "from app.hub import H, LATE"])]
        if i < 2:  # app.m0 and app.m1 import each other: a cycle, so the simulation runs
            lines.append(f"from app import m{1 - i}")
        for j in rng.sample(range(USERS), k=rng.randint(0, 2)):
            if j != i and not (i < 2 and j == 1 - i):
                lines.append(rng.choice([f"from app import m{j}", f"from app.m{j} import X"]))
        lines.append("X = H")
        if rng.random() < 0.25:  # reads a module of the pool as an attribute of its package
            lines.append(f"import app\ndef r():\n    return app.f{rng.randrange(POOL)}.F")
        if rng.random() < 0.1:
            lines.append("from app import *")
        if rng.random() < 0.3:  # runs a module of the pool, after the hub
            lines.append(f"from app import f{rng.randrange(POOL)}")
        files[f"app/m{i}.py"] = "\n".join(lines) + "\n"
    for i in range(POOL):
        files[f"app/f{i}.py"] = _fresh_text(rng, i)
    return files


def _run(root: Path, use_cache: bool) -> Tuple[list, list]:
    result = engine.check([str(root)], load_config(root), jobs=1, use_cache=use_cache, cwd=root, need_facts=True)
    MODULES.clear()
    MODULES.update(result.modules)
    return [tuple(d) for d in result.diagnostics], [tuple(c) for c in result.cycles]


MODULES: Dict[str, ModuleInfo] = {}  # the modules of the last ``_run``


def _records_hold(root: Path, modules: Dict[str, ModuleInfo]) -> int:
    """Every outcome the cache keeps that holds for the tree as it is (same module set, same facts
    of the modules it says the entry's import ran) is what a fresh simulation of that entry in that
    world finds: the same outcome, and the same modules run (a module missing there would let a
    later edit of it keep a stale outcome). Returns how many were checked."""
    from importguard.analysis.conditions import World
    from importguard.analysis.graph import namespace_packages
    from importguard.analysis.simcache import Keys
    from importguard.analysis.simstore import SHARDS, SimStore, valid
    from importguard.analysis.simulate import simulate
    from importguard.analysis.simulation import sorted_order

    config = load_config(root)
    first_party = {m.split(".", 1)[0] for m in modules}
    eager = config.target_version < (3, 14)
    keys = Keys(modules, eager, first_party, None, sorted(namespace_packages(modules)))
    store = SimStore(engine.cache_dir(config) / engine.sim_name())
    checked = 0
    for i in range(SHARDS):
        for key, records in store.outcomes.shard(i).data.items():
            if not key.startswith("sim:e:") or not isinstance(records, list):
                continue
            _, _, mode, version, platform, entry = key.split(":")
            if mode not in ("w", "r"):
                continue  # a what-if simulation (an import taken out): another module set
            for record in records:
                if not valid(record) or record[0] != keys.base or record[2] != keys.packed_key(record[1]):
                    continue  # made for another state of the tree
                world = World(ast.literal_eval(version), ast.literal_eval(platform))
                order = (lambda n: sorted_order(modules[n], first_party)) if mode == "r" else None
                fresh = simulate(modules, [entry], eager_annotations=eager, order=order, world=world)
                assert fresh.ran is not None
                ran = {keys.names[k] for k in keys.unpack(record[1])}
                assert ran == set(fresh.ran[entry]) & set(modules), (key, ran, fresh.ran[entry])
                assert (record[3] != 0) == (entry in fresh.failed), key
                checked += 1
    return checked


def _property(tmp_path: Path, seed: int, steps: int) -> Dict[str, int]:
    rng = random.Random(seed)
    root = tmp_path / f"repo{seed}"
    for rel, text in _generate(rng).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    assert _run(root, True) == _run(root, False)
    seen: Dict[str, int] = {}
    done: List[str] = []
    undo: List[Tuple[Path, str]] = []
    last = None
    for _ in range(steps):
        kind = rng.choice(["import", "import", "import", "rewrite", "undo"])
        if kind == "undo" and undo:
            path, text = undo.pop()
            path.write_text(text)
        elif kind == "rewrite":  # often the module an import was just added of: its records must see it
            i = last if last is not None and rng.random() < 0.6 else rng.randrange(POOL)
            path = root / "app" / f"f{i}.py"
            undo.append((path, path.read_text()))
            text = _fresh_text(rng, i)
            if rng.random() < 0.4:  # a user that takes LATE from the hub: fails if the hub runs it
                text = f"from app import m{rng.randrange(USERS)}\n" + text
            path.write_text(text)
            kind = f"rewrite f{i}"
        else:
            path = root / "app" / rng.choice(["hub.py", "hub.py", f"m{rng.randrange(USERS)}.py"])
            i, n = rng.randrange(POOL), rng.randrange(1000)
            last = i
            line = rng.choice([f"from app import f{i}", f"from app import f{i} as a{n}", f"import app.f{i} as a{n}",
                               f"from app.f{i} import F as a{n}", f"import app.f{i}"])
            text = path.read_text()
            undo.append((path, text))
            first = rng.random() < 0.3  # the new statement first: it runs before the module's own imports
            if first:
                path.write_text(line + "\n" + text)
            elif text.endswith(LATE):
                path.write_text(text[:-len(LATE)] + line + "\n" + LATE)
            else:
                path.write_text(text + line + "\n")
            kind = f"{line!r} {'first in' if first else 'into'} {path.name}"
        done.append(kind)
        warm = _run(root, True)
        for key in ("kept_after_edit", "kept_running_new_modules", "simulated"):
            seen[key] = seen.get(key, 0) + engine.LAST_RUN.get(key, 0)
        seen["records_checked"] = seen.get("records_checked", 0) + _records_hold(root, dict(MODULES))
        assert warm == _run(root, False), f"seed {seed}, after: {done}"
    return seen


def test_imports_of_modules_never_run_before_keep_what_a_cold_run_finds(tmp_path: Path) -> None:
    seen: Dict[str, int] = {}
    for seed in range(10):
        for key, n in _property(tmp_path, seed, steps=25).items():
            seen[key] = seen.get(key, 0) + n
    # not vacuous: outcomes were kept with a new module run inside the edited one, others were
    # simulated again, and the kept ones were checked against fresh simulations
    assert seen.get("kept_running_new_modules") and seen.get("simulated") and seen.get("records_checked"), seen


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10, 40))
def test_imports_of_modules_never_run_before_long(tmp_path: Path, seed: int) -> None:
    _property(tmp_path, seed, steps=40)


def test_edits_undone_one_after_another_are_judged_from_the_tree_as_it_was(tmp_path: Path) -> None:
    """Imports added to the hub one after another, each of a module nothing ran before, each
    undone: every one is judged from the outcomes of the tree as it was, which stay kept (the
    record an edit was judged from counts a use and outranks the records the edits made, and the
    content it was made for stays remembered; an undone edit is found in the cache of whole runs
    and rewrites nothing)."""
    root = tmp_path / "repo"
    files = {
        "pyproject.toml": '[project]\nname = "gen"\nrequires-python = ">=3.9"\n',
        "app/__init__.py": "",
        "app/base.py": "B = 1\n",
        "app/hub.py": "from app import base\nH = 1\n",
        "app/m0.py": "from app.hub import H\nfrom app import m1\nX = H\n",
        "app/m1.py": "from app.hub import H\nfrom app import m0\nX = H\n",
        **{f"app/f{i}.py": "import json\nF = 1\n" for i in range(12)},
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    hub = root / "app" / "hub.py"
    _run(root, True)
    for i in range(12):  # more than the contents of a module remembered
        hub.write_text(files["app/hub.py"] + f"from app import f{i}\n")
        edited = _run(root, True)
        assert engine.LAST_RUN.get("kept_running_new_modules") and not engine.LAST_RUN.get("simulated"), i
        assert edited == _run(root, False)
        hub.write_text(files["app/hub.py"])
        _run(root, True)
