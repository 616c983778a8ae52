"""Incremental runs: after any edit, a run that reuses the cache reports exactly what a run
without it reports (``--no-cache``).

A generated repository of three packages, two with cross imports (and so cycles) is edited at random,
one edit at a time: comments, function body edits, imports added or removed (at module level, in
functions, under ``TYPE_CHECKING``), a new cycle, a deleted file, a new file. After each edit the
check runs twice more: with the cache the previous runs filled, and with no cache at all.

Half of the edits go to the file edited just before, and many change no token (a comment's text,
blank lines, spaces, a comment appended), so that runs reuse the facts of an earlier content with
the same tokens (``reused_by_tokens``) after ``noqa``, ``type:`` and whitespace edits of every kind.
"""
from __future__ import annotations

import random
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import pytest

from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

PACKAGES = ("alpha", "beta", "gamma")  # gamma imports only itself until an edit joins it to the others
NAMES = ("X", "Y", "f", "K")


def _module_text(rng: random.Random, module: str, others: List[str]) -> str:
    lines = ['"""generated"""', "from __future__ import annotations" if rng.random() < 0.3 else "", "import os"]
    for target in rng.sample(others, k=min(len(others), rng.randint(0, 3))):
        lines.append(_import_line(rng, target))
    lines += ["X = 1", "Y = 2", "", "def f():", "    return X", "", "class K:", "    pass", ""]
    return "\n".join(lines) + "\n"


def _import_line(rng: random.Random, target: str) -> str:
    parent, _, last = target.rpartition(".")
    name = rng.choice(NAMES)
    style = rng.randrange(4)
    if style == 0 or not parent:
        return f"import {target}"
    if style == 1:
        return f"from {parent} import {last}"
    if style == 2:
        return f"from {target} import {name}"
    return f"from {target} import {name} as {name}_{last}  # used below\n{name}_{last}"


def _generate(rng: random.Random) -> Dict[str, str]:
    modules = []
    for p in PACKAGES:
        modules += [p] + [f"{p}.m{i}" for i in range(4)]
    files: Dict[str, str] = {"pyproject.toml": '[project]\nname = "gen"\nrequires-python = ">=3.9"\n'}
    for m in modules:
        rel = m.replace(".", "/") + ("/__init__.py" if "." not in m else ".py")
        others = [o for o in modules
                  if o != m and o not in PACKAGES and o.startswith("gamma.") == m.startswith("gamma")]
        files[rel] = _module_text(rng, m, others) if "." in m else "V = 0\n"
    return files


def _py_files(root: Path) -> List[Path]:
    return sorted(p for p in root.rglob("*.py") if ".importguard_cache" not in p.parts)


def _module_of(root: Path, path: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_lines(lines: List[str]) -> List[int]:
    return [i for i, line in enumerate(lines) if line.startswith(("import ", "from ")) and "__future__" not in line]


# edits that keep every token: only a comment, spaces or blank lines change
_TOKEN_KEEPING = ["comment", "comment-text", "comment-trailing", "blank-line", "trailing-spaces", "noqa", "noqa-remove",
                  "type-comment"]


def _edit(rng: random.Random, root: Path, previous: Optional[Path] = None) -> Tuple[str, Path]:
    """One random edit of the tree; returns what it did (for the failure message) and the file."""
    files = _py_files(root)
    modules = [_module_of(root, p) for p in files if p.name != "__init__.py"]
    path = previous if previous in files and rng.random() < 0.5 else rng.choice(files)
    text = path.read_text()
    lines = text.splitlines()
    kind = rng.choice(["comment-middle", "body", "add-import", "add-import-function",
                       "add-import-tc", "remove-import", "move-import", "move-definition", "cycle", "delete",
                       "new-file", "use", "platform-import", "import-again"] + _TOKEN_KEEPING * 2)
    target = rng.choice(modules) if modules else "alpha"
    if kind in _TOKEN_KEEPING:
        text = _keep_tokens(rng, kind, lines) or text
    elif kind == "comment-middle":
        lines.insert(rng.randrange(len(lines) + 1), "# a comment in the middle")
        text = "\n".join(lines) + "\n"
    elif kind == "body":
        text += f"\n\ndef g{rng.randrange(100)}():\n    return {rng.choice(['X', 'os.sep', 'len([])'])}\n"
    elif kind == "add-import":
        text += _import_line(rng, target) + "\n"
    elif kind == "add-import-function":
        text += f"\n\ndef h{rng.randrange(100)}():\n    {_import_line(rng, target).splitlines()[0]}\n"
    elif kind == "add-import-tc":
        first = _import_line(rng, target).splitlines()[0]
        text += f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    {first}\n"
    elif kind == "remove-import":
        imports = _import_lines(lines)
        if imports:
            del lines[rng.choice(imports)]
            text = "\n".join(lines) + "\n"
    elif kind in ("move-import", "move-definition"):
        # the order of module-level statements decides which cycles fail at import time
        pick = [i for i, line in enumerate(lines) if (line.startswith(("import ", "from ")) and "__future__" not in line
                                                      if kind == "move-import" else line[:4] in ("X = ", "Y = "))]
        if pick:
            line = lines.pop(rng.choice(pick))
            lines.insert(rng.choice([0, len(lines)]) if kind == "move-definition" else len(lines), line)
            text = "\n".join(lines) + "\n"
    elif kind == "cycle":
        # make ``target`` import this module back, at module level, by name: a cycle that may fail
        me = _module_of(root, path)
        tpath = root / (target.replace(".", "/") + ".py")
        if tpath.is_file() and me and me != target:
            tpath.write_text(tpath.read_text() + f"from {me} import {rng.choice(NAMES)}\n")
            text += f"from {target} import {rng.choice(NAMES)}\n"
    elif kind == "delete":
        if path.name != "__init__.py":
            path.unlink()
            return f"delete {path.relative_to(root)}", path
    elif kind == "new-file":
        pkg = rng.choice(PACKAGES)
        new = root / pkg / f"n{rng.randrange(1000)}.py"
        new.write_text(_module_text(rng, f"{pkg}.{new.stem}", modules))
        return f"new file {new.relative_to(root)}", new
    elif kind == "use":
        text += f"print({rng.choice(['X', 'os', 'K'])})\n"
    elif kind == "platform-import":
        # an import that runs on one platform only: the simulation runs there too
        first = _import_line(rng, target).splitlines()[0]
        test = rng.choice(["sys.platform == 'win32'", "os.name == 'nt'", "sys.platform.startswith('linux')"])
        text += f"import sys\nif {test}:\n    {first}\n"
    elif kind == "import-again":
        # the same module imported once more under a new name, at the top or the bottom: in most
        # entries' imports the module is loaded already, so only a name nobody reads is bound
        plain = [lines[i] for i in _import_lines(lines) if " as " not in lines[i] and "*" not in lines[i]]
        if plain:
            line = rng.choice(plain).split("#")[0].rstrip()
            again = f"{line} as again_{rng.randrange(1000)}"
            lines.insert(rng.choice([0, len(lines)]), again)
            text = "\n".join(lines) + "\n"
    path.write_text(text)
    return f"{kind} {path.relative_to(root)}", path


def _keep_tokens(rng: random.Random, kind: str, lines: List[str]) -> Optional[str]:
    """``lines`` edited without changing a token (``_TOKEN_KEEPING``), or None when there is nothing to edit."""
    code = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    imports = _import_lines(lines)
    if kind == "comment":
        lines.append(rng.choice(["", "# the end"]) + f"# a comment {rng.random()}")
    elif kind == "comment-text":
        comments = [i for i, line in enumerate(lines) if "#" in line]
        if not comments:
            return None
        i = rng.choice(comments)
        lines[i] += rng.choice([" more words", " noqa", " type: int", " flake8: noqa", ""])
    elif kind == "comment-trailing" and code:
        i = rng.choice(code)
        lines[i] = lines[i] + rng.choice(["  # why", "  # noqa", "  # NOQA:F401", "  # type: ignore", "  #"])
    elif kind == "blank-line":
        blanks = [i for i, line in enumerate(lines) if not line.strip()]
        if not blanks:
            return None
        # an indented line after a block belongs to that block (its last line moves), one at column 0 does not
        lines[rng.choice(blanks)] = rng.choice(["    ", "# flake8: noqa", "# ruff: noqa: F401", "    # in f",
                                                "# aside", "  "])
    elif kind == "trailing-spaces" and code:
        lines[rng.choice(code)] += rng.choice([" ", "\t", "  "])
    elif kind == "noqa" and imports:
        i = rng.choice(imports)
        lines[i] = lines[i].split("#")[0].rstrip() + rng.choice(["  # noqa: F401", "  # noqa", "  # noqa:IG100"])
    elif kind == "noqa-remove":
        marked = [i for i, line in enumerate(lines) if "noqa" in line.lower()]
        if not marked:
            return None
        i = rng.choice(marked)
        lines[i] = lines[i].split("#")[0].rstrip()
    elif kind == "type-comment":
        # a PEP 484 comment is a use of the names it mentions (a typing use of an import)
        assigns = [i for i, line in enumerate(lines) if line[:4] in ("X = ", "Y = ")]
        if not assigns:
            return None
        i = rng.choice(assigns)
        lines[i] = lines[i].split("#")[0].rstrip() + "  # type: " + rng.choice(
            ["os.PathLike", "int", "X_m0", "Y_m1", "K", "ignore", "f_m2"])
    else:
        return None
    return "\n".join(lines) + "\n"


def _run(root: Path, use_cache: bool, need_facts: bool = False, jobs: int = 1):
    config = load_config(root)
    result = engine.check([str(root)], config, jobs=jobs, use_cache=use_cache, cwd=root, need_facts=need_facts)
    return ([tuple(d) for d in result.diagnostics], [tuple(c) for c in result.cycles])


def _property(tmp_path: Path, seed: int, steps: int) -> Dict[str, int]:
    """The findings of the edits (code -> count); ``reused`` counts the contents whose facts came from
    an earlier content with the same tokens."""
    rng = random.Random(seed)
    root = tmp_path / f"repo{seed}"
    for rel, text in _generate(rng).items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    assert _run(root, True) == _run(root, False)
    findings: Dict[str, int] = {}
    done: List[str] = []
    previous: Optional[Path] = None
    for step in range(steps):
        what, previous = _edit(rng, root, previous)
        done.append(what)
        cold = _run(root, False)
        # every other run on two processes: the changed files extracted in a forked process
        # while this one loads the others' facts
        warm = _run(root, True, need_facts=rng.random() < 0.3, jobs=1 + (seed + step) % 2)
        findings["reused"] = findings.get("reused", 0) + engine.LAST_RUN.get("reused_by_tokens", 0)
        findings["kept"] = findings.get("kept", 0) + engine.LAST_RUN.get("kept_after_edit", 0)
        findings["kept_new"] = findings.get("kept_new", 0) + engine.LAST_RUN.get("kept_running_new_modules", 0)
        assert warm == cold, f"seed {seed}, after: {done}"
        for d in cold[0]:
            findings[d[3]] = findings.get(d[3], 0) + 1
    return findings


def test_incremental_equals_cold(tmp_path: Path) -> None:
    seen: Dict[str, int] = {}
    for seed in range(100, 108):
        for code, n in _property(tmp_path, seed, steps=15).items():
            seen[code] = seen.get(code, 0) + n
    # the edits make unused imports, cycles, and cycles that fail at import time (IG301), so the
    # reuse of every kind of result is compared; files whose tokens did not change took the facts
    # of their earlier content; and outcomes were kept through edits that only added or removed
    # imports of modules already imported
    assert seen.get("IG100") and seen.get("IG300") and seen.get("IG301") and seen.get("reused"), seen
    assert seen.get("kept"), seen


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(108, 140))
def test_incremental_equals_cold_long(tmp_path: Path, seed: int) -> None:
    _property(tmp_path, seed, steps=40)


def test_an_edit_rechecks_only_the_files_whose_reads_changed(tmp_path: Path) -> None:
    """Files of a package that no import joins to the edited one keep their findings; in the
    edited package, the files whose checks read nothing the edit changed keep theirs too (their
    unused ``import os`` is as safe to remove as before), only the edited file is checked again.
    Knowing the last run's state, every kept record is checked against the change (``Delta``);
    without it, the other package's files are found under the key of their component."""
    for state in (True, False):
        _rechecks_only_what_changed(tmp_path / str(state), state)


def _rechecks_only_what_changed(root: Path, state: bool) -> None:
    files = {"pyproject.toml": '[project]\nname = "two"\n'}
    for pkg in ("left", "right"):
        files[f"{pkg}/__init__.py"] = ""
        for i in range(3):
            files[f"{pkg}/m{i}.py"] = f"import os\nfrom {pkg} import m{(i + 1) % 3}\nX = 1\n"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    first = _run(root, True)
    assert engine.LAST_RUN["files_checked"] == 8
    if not state:
        from importguard.cache.facts import Store
        from importguard.engine import answerdelta

        store = Store(engine.cache_dir(load_config(root)) / engine.results_name())
        del store.data[answerdelta.STATE]
        store.dirty = True
        store.save()
    (root / "left" / "m0.py").write_text("import os\nimport sys\nfrom left import m1\nX = 1\n")
    second = _run(root, True)
    assert engine.LAST_RUN["files_checked"] == 1
    # left/__init__.py, left/m1, left/m2; and right's four files with the last state
    assert engine.LAST_RUN["files_kept_by_reads"] == (7 if state else 3)
    assert engine.LAST_RUN.get("files_kept_since_last_run", 0) == (7 if state else 0)
    assert second == _run(root, False) != first


HUB = {
    "pyproject.toml": '[project]\nname = "hub"\nrequires-python = ">=3.9"\n',
    "core/__init__.py": "",
    "core/hub.py": "HUB = 1\n",
    "core/util.py": "from core.hub import HUB\nU = 2\n",
    **{f"core/m{i}.py": f"from core.hub import HUB\nfrom core import m{(i + 1) % 4}\nX = HUB\n" for i in range(4)},
    "core/leaf.py": "from core import m0\n",
}


def test_a_new_import_in_a_hub_module_makes_a_failing_cycle_found_incrementally(tmp_path: Path) -> None:
    """Every module imports ``core.hub``; a new import in it of a module that imports it back
    fails when anything imports the hub first: found with the cache as without it, and an edit of
    a module nothing imports simulates that module alone."""
    root = tmp_path / "repo"
    for rel, text in HUB.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    first = _run(root, True)
    assert not [d for d in first[0] if d[3] == "IG301"]
    # the entries reach a cycle: m0..m3 and core.leaf, as written and sorted (the hub reaches none)
    assert engine.LAST_RUN["simulated"] == 5 + 5
    (root / "core" / "hub.py").write_text("from core.util import U\nHUB = 1\n")
    second = _run(root, True)
    assert engine.LAST_RUN["simulated"] == 7  # every entry reaches the hub, now util and the hub too; all fail
    assert second == _run(root, False)
    ig301 = sorted((d[0], d[1]) for d in second[0] if d[3] == "IG301")
    assert ig301 == [("core/hub.py", 1), ("core/util.py", 1)]
    (root / "core" / "leaf.py").write_text("from core import m0\nfrom core import m1\n")
    third = _run(root, True)
    assert engine.LAST_RUN["simulated"] == 1  # core.leaf as written: it fails, nothing to sort
    assert third == _run(root, False)


def test_an_edit_of_a_module_no_import_runs_simulates_nothing(tmp_path: Path) -> None:
    """A module that only a function imports never runs while an entry is imported: editing its
    imports re-simulates no entry, and the findings equal a run without the cache."""
    root = tmp_path / "repo"
    files = dict(HUB)
    files["core/m0.py"] = "from core.hub import HUB\nfrom core import m1\nX = HUB\n\n\ndef later():\n" \
                          "    from core import lazy\n    return lazy\n"
    files["core/lazy.py"] = "L = 1\n"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    _run(root, True)
    assert engine.LAST_RUN["simulated"] > 0
    (root / "core" / "lazy.py").write_text("from core.hub import HUB\nL = HUB\n")
    second = _run(root, True)
    assert engine.LAST_RUN.get("simulated", 0) == 0
    assert second == _run(root, False)
    (root / "core" / "hub.py").write_text("import core.lazy\nHUB = 1\n")  # now it runs: every entry again
    third = _run(root, True)
    assert engine.LAST_RUN["simulated"] > 0
    assert third == _run(root, False)


def test_edits_undone_keep_the_outcomes_of_the_committed_state(tmp_path: Path) -> None:
    """Two different edits of the hub, each undone (the undoing run is served by the graph cache
    and simulates nothing), then an edit of a leaf: only the leaf's entry is simulated again; the
    other entries find the outcomes of the state they were simulated in first."""
    root = tmp_path / "repo"
    for rel, text in HUB.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    hub = root / "core" / "hub.py"
    _run(root, True)
    for extra in ("import core.util\n", "import core.util as u\n"):
        hub.write_text(extra + HUB["core/hub.py"])
        _run(root, True)
        assert engine.LAST_RUN["simulated"] >= 5
        hub.write_text(HUB["core/hub.py"])
        _run(root, True)
        assert engine.LAST_RUN.get("simulated", 0) == 0
    (root / "core" / "leaf.py").write_text("from core import m1\nfrom core import m0\n")
    after = _run(root, True)
    assert 1 <= engine.LAST_RUN["simulated"] <= 2  # core.leaf, as written and sorted
    assert after == _run(root, False)


BASED = {
    "pyproject.toml": '[project]\nname = "based"\nrequires-python = ">=3.9"\n',
    "core/__init__.py": "",
    "core/base.py": "import core.sub\nB = 1\n",
    "core/sub/__init__.py": "",
    "core/sub/fresh.py": "F = 1\n",
    "core/starry.py": "from core.sub import *\n",  # takes every name of the package
    "core/late.py": "L = 1\nclass K:\n    import json\n",
    "core/loud.py": "import core.m1\n",  # imports a module that imports the hub
    "core/calls.py": "from core.base import B\ndef f():\n    return B\nf()\n",
    "core/versioned.py": "import sys\nif sys.version_info >= (3, 10):\n    V = 1\nelse:\n    V = 2\n",
    "core/seen.py": "S = 1\n",
    "core/watch.py": "import core\ndef f():\n    return core.seen\n",  # reads it as an attribute
    "core/hub.py": "from core import base\nHUB = base.B\n",
    **{f"core/m{i}.py": f"from core import base\nfrom core.hub import HUB\nfrom core import m{(i + 1) % 4}\nX = HUB\n"
       for i in range(4)},
}


@pytest.mark.parametrize("edit, kept", [
    # the hub gains an import of a module every entry's import finished before the hub's started
    ("from core import base as base_again\n", True),
    ("import json as json_again\n", True),  # the standard library is opaque to the simulation
    # a module nothing imported yet: it runs inside the hub now, and can change nothing else
    ("from core import late\n", True),
    ("import core.late as late\n", True),
    # ... unless it imports what had not finished, calls, tests the version, or someone reads it
    ("from core import loud\n", False),
    ("from core import calls\n", False),
    ("from core import versioned\n", False),
    ("from core.sub import fresh\n", False),
    # read as an attribute of its finished package: found finished instead of missing
    ("from core import seen as seen_here\n", True),
    # the import closes a cycle that fails: ``core.m0`` imports the hub back
    ("from core.m0 import X\n", False),
])
def test_an_import_added_to_a_hub_keeps_the_outcomes_it_cannot_change(tmp_path: Path, edit: str, kept: bool) -> None:
    root = tmp_path / "repo"
    for rel, text in BASED.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    _run(root, True)
    hub = root / "core" / "hub.py"
    hub.write_text(BASED["core/hub.py"] + edit)
    warm = _run(root, True)
    stats = dict(engine.LAST_RUN)
    assert warm == _run(root, False)
    if kept:
        assert stats.get("simulated", 0) == 0 and stats["kept_after_edit"] > 0
    else:
        assert stats["simulated"] > 0
    hub.write_text(BASED["core/hub.py"])  # and removed again
    assert _run(root, True) == _run(root, False)


def test_a_removed_import_of_a_finished_module_keeps_the_outcomes(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files = dict(BASED, **{"core/hub.py": "from core import base\nimport core.base as spare\nHUB = base.B\n"})
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    _run(root, True)
    (root / "core" / "hub.py").write_text(BASED["core/hub.py"])
    warm = _run(root, True)
    stats = dict(engine.LAST_RUN)
    assert warm == _run(root, False)
    assert stats.get("simulated", 0) == 0 and stats["kept_after_edit"] > 0
