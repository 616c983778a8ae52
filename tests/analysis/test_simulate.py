"""IG301/IG302: the import simulation, checked against the real interpreter.

Each fixture states which entry modules fail and where; the test checks the simulation *and* a
fresh interpreter per entry (``import <entry>``) against that statement, so a fixture cannot
encode a belief about CPython that CPython does not share.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import cyclegen
from helpers import check_sources, run_cli, run_json, write_tree

E = None  # an entry that imports fine

CASES = {
    "from-import of a name not bound yet": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n", "pkg/b.py": "from pkg.a import X\nY = 2\n"},
        {"pkg.a": ("pkg/b.py", 1), "pkg.b": ("pkg/a.py", 1)},
    ),
    "name bound before the cycle closes": (
        {"pkg/__init__.py": "", "pkg/a.py": "X = 1\nfrom pkg.b import Y\n", "pkg/b.py": "from pkg.a import X\nY = 2\n"},
        {"pkg.b": ("pkg/a.py", 2)},
    ),
    "from package import partially initialised submodule falls back to sys.modules": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\nX = 1\n", "pkg/b.py": "from pkg import a\nY = 2\n"},
        {},
    ),
    "relative from . import submodule falls back to sys.modules": (
        {"pkg/__init__.py": "", "pkg/a.py": "from . import b\n", "pkg/b.py": "from . import a\n"},
        {},
    ),
    "import a.b as c of a partial submodule": (
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b as b\n", "pkg/b.py": "import pkg.a as a\n"},
        {},
    ),
    "module-level attribute of a partial module": (
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\nX = 1\n", "pkg/b.py": "import pkg.a\nZ = pkg.a.X\n"},
        {"pkg.a": ("pkg/b.py", 2)},
    ),
    "submodule becomes a package attribute only when its import finishes": (
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\nW = pkg.b\n", "pkg/b.py": "import pkg.a\nY = 1\n"},
        {"pkg.b": ("pkg/a.py", 2)},
    ),
    "imports inside functions never run at import time": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n",
         "pkg/b.py": "def f():\n    from pkg.a import X\n    return X\nY = 2\n"},
        {},
    ),
    "class bodies run at import time": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\nX = 1\n",
         "pkg/b.py": "from pkg import a\nclass C:\n    v = a.X\n"},
        {"pkg.a": ("pkg/b.py", 3)},
    ),
    "decorators and defaults run at import time, lambdas do not": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\nX = 1\n",
         "pkg/b.py": "from pkg import a\nL = lambda: a.X\ndef f(v=a.X):\n    return v\n"},
        {"pkg.a": ("pkg/b.py", 3)},
    ),
    "try/except ImportError catches the failure": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n",
         "pkg/b.py": "try:\n    from pkg.a import X\nexcept ImportError:\n    X = None\nY = 2\n"},
        {},  # pkg.a first: Y is missing, pkg.b is caught; pkg.b first: pkg.a fails inside pkg.b's try
    ),
    "except AttributeError does not catch ImportError": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n",
         "pkg/b.py": "try:\n    from pkg.a import X\nexcept AttributeError:\n    X = None\nY = 2\n"},
        {"pkg.a": ("pkg/b.py", 2), "pkg.b": ("pkg/a.py", 1)},
    ),
    "with suppress(ImportError)": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n",
         "pkg/b.py": "import contextlib\nwith contextlib.suppress(ImportError):\n    from pkg.a import X\nY = 2\n"},
        {},
    ),
    "TYPE_CHECKING and __main__ blocks do not run": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n",
         "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import X\n"
                     "if __name__ == '__main__':\n    from pkg.a import X\nY = 2\n"},
        {},
    ),
    "a module __getattr__ answers missing names": (
        {"pkg/__init__.py": "", "pkg/a.py": "def __getattr__(name):\n    return name\nfrom pkg.b import Y\nX = 1\n",
         "pkg/b.py": "from pkg.a import X\nY = 2\n"},
        {"pkg.b": ("pkg/a.py", 3)},
    ),
    "a package attribute named like a submodule stops the submodule import": (
        {"pkg/__init__.py": "b = 'not the module'\n", "pkg/a.py": "from pkg import b\nV = b.upper()\n",
         "pkg/b.py": "X = 1\n"},
        {},
    ),
    "the parent package runs first and fails for its children": (
        {"pkg/__init__.py": "from pkg.a import X\nVERSION = 1\n", "pkg/a.py": "from pkg import VERSION\nX = 1\n"},
        {"pkg": ("pkg/a.py", 1), "pkg.a": ("pkg/a.py", 1)},
    ),
    "order in __init__ keeps the cycle alive": (
        {"pkg/__init__.py": "VERSION = 1\nfrom pkg.a import X\n", "pkg/a.py": "from pkg import VERSION\nX = 1\n"},
        {},
    ),
    "a failed import leaves sys.modules and runs again": (
        {"pkg/__init__.py": "",
         "pkg/a.py": "try:\n    import pkg.b\nexcept ImportError:\n    pass\nX = 1\nimport pkg.b\n",
         "pkg/b.py": "from pkg.a import X\nY = 2\n"},
        {},  # from pkg.a: pkg.b fails, leaves sys.modules, and the second import runs it again, fine
    ),
    "a package imported again after a failure lacks submodules imported into the failed copy": (
        {"pkg/__init__.py": "from pkg import m0\nfrom pkg.sub import s0\n",
         "pkg/m0.py": "try:\n    import pkg.sub\nexcept ImportError:\n    pass\nF = 1\n",
         "pkg/sub/__init__.py": "import pkg.sub.s0 as _s\nfrom pkg.m0 import F\n",
         "pkg/sub/s0.py": "V = 1\n", "pkg/sub/s1.py": "import pkg.sub.s0\nX = pkg.sub.s0.V\n"},
        {"pkg.sub.s1": ("pkg/sub/s1.py", 2)},
    ),
    "a class body's own name shadows the module's partial import": (
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\nX = 1\n",
         "pkg/b.py": "import types\nfrom pkg import a\nclass K:\n    a = types.SimpleNamespace(X=2)\n    v = a.X\n"
                     "class L:\n    b = 1\n    w = a.X\n"},
        {"pkg.a": ("pkg/b.py", 8)},  # K reads its own ``a``; L reads the module's, still partial
    ),
    "star import copies what is bound so far": (
        {"pkg/__init__.py": "", "pkg/a.py": "A = 1\nfrom pkg.b import *\nX = 1\n",
         "pkg/b.py": "from pkg.a import *\nB = A\n"},
        {},  # pkg.b first: pkg.a's star import of the partial pkg.b copies nothing, which it does not use
    ),
    "eager annotations at module level": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\nX = int\n",
         "pkg/b.py": "from pkg import a\nv: a.X = 1\n"},
        {"pkg.a": ("pkg/b.py", 2)} if sys.version_info < (3, 14) else {},
    ),
    "postponed annotations do not run": (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\nX = int\n",
         "pkg/b.py": ("from __future__ import annotations\nfrom pkg import a\nv: a.X = 1\n"
                      "def f(x: a.X) -> a.X:\n    return x\n")},
        {},
    ),
    "attribute store on a module defines the name": (
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\npkg.b.Y = 1\nX = pkg.b.Y\n", "pkg/b.py": "Z = 0\n"},
        {},
    ),
    "three-module cycle through a subpackage": (
        {"pkg/__init__.py": "", "pkg/sub/__init__.py": "from pkg.sub.c import C\n",
         "pkg/sub/c.py": "from pkg.a import A\nC = 3\n", "pkg/a.py": "from pkg.b import B\nA = 1\n",
         "pkg/b.py": "from pkg.sub import C\nB = 2\n"},
        {"pkg.a": ("pkg/sub/c.py", 1), "pkg.b": ("pkg/a.py", 1), "pkg.sub": ("pkg/b.py", 1),
         "pkg.sub.c": ("pkg/b.py", 1)},
    ),
    "a module-level call runs the function's imports": (
        {"pkg/__init__.py": "", "pkg/a.py": "def load():\n    from pkg.b import Y\n    return Y\nX = load()\n",
         "pkg/b.py": "from pkg.a import X\nY = 2\n"},
        {"pkg.a": ("pkg/b.py", 1), "pkg.b": ("pkg/a.py", 2)},
    ),
    "a module-level call through another function and a relative import": (
        {"pkg/__init__.py": "", "pkg/a.py": "def _inner():\n    from .b import Y\n    return Y\n"
                                             "def load():\n    return _inner()\nX = 1\nZ = load()\n",
         "pkg/b.py": "from pkg import a\nV = a.X\nY = 2\n"},
        {"pkg.b": ("pkg/a.py", 2)},
    ),
    "a decorator runs at import time": (
        {"pkg/__init__.py": "", "pkg/a.py": "def register(f):\n    from pkg.b import Y\n    return f\n"
                                             "@register\ndef g():\n    pass\nX = 1\n",
         "pkg/b.py": "from pkg.a import X\nY = 2\n"},
        {"pkg.a": ("pkg/b.py", 1), "pkg.b": ("pkg/a.py", 2)},
    ),
    "a function that is defined but only called later does not run": (
        {"pkg/__init__.py": "", "pkg/a.py": "def load():\n    from pkg.b import Y\n    return Y\nX = 1\n",
         "pkg/b.py": "from pkg.a import X\nY = 2\n"},
        {},
    ),
    "a module-level call of a function reading a partial module": (
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\nX = 1\n",
         "pkg/b.py": "import pkg.a\ndef get():\n    return pkg.a.X\nZ = get()\n"},
        {"pkg.a": ("pkg/b.py", 3)},
    ),
    "a name bound where the facts cannot see it is not a cycle failure": (
        {"pkg/__init__.py": "globals()['helper'] = 1\nfrom pkg import a\n",
         "pkg/a.py": "import pkg\nfrom pkg import helper\nV = pkg.helper\n"},
        {},
    ),
}


def _expected(files, failing):
    return {e: failing.get(e) for e in cyclegen.entries_of(files)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_simulation_matches_statement(name):
    files, failing = CASES[name]
    files = {k: textwrap.dedent(v) for k, v in files.items()}
    sim = cyclegen.predicted(files)
    got = {e: (v[1], v[2]) if v else None for e, v in sim.items()}
    assert got == _expected(files, failing)


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_interpreter_matches_statement(name, tmp_path):
    files, failing = CASES[name]
    write_tree(tmp_path, files)
    real = cyclegen.real_outcomes(tmp_path, cyclegen.entries_of(files))
    got = {e: (v[1], v[2]) if v else None for e, v in real.items()}
    assert got == _expected(files, failing), real


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(cyclegen.packages())
def test_random_cyclic_packages_agree_with_the_interpreter(files):
    with tempfile.TemporaryDirectory() as tmp:
        cyclegen.write(Path(tmp), files)
        real = cyclegen.real_outcomes(Path(tmp), cyclegen.entries_of(files))
    assert cyclegen.compare(files, real, cyclegen.predicted(files)) == []


# ---------------------------------------------------------------------------- the rules
def test_ig301_reports_failing_statement_with_entries(tmp_path):
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n",
                          "pkg/b.py": "from pkg.a import X\nY = 2\n", "pkg/c.py": "import pkg.a\n"})
    doc = run_json(["check", "--no-cache", "--select", "IG301", "."], tmp_path)
    got = {(d["path"], d["line"]): d for d in doc["diagnostics"]}
    assert set(got) == {("pkg/a.py", 1), ("pkg/b.py", 1)}
    assert got[("pkg/b.py", 1)]["entries"] == ["pkg.a", "pkg.c"]
    msg = got[("pkg/b.py", 1)]["message"]
    assert msg.startswith("ImportError: cannot import name 'X' from partially initialized module 'pkg.a'")
    assert "import chain: `pkg.a` -> `pkg.b`" in msg


def test_ig302_reorder_of_init_would_break(tmp_path):
    files = {"pkg/__init__.py": "VERSION = 1\nfrom pkg.cli import main\n",
             "pkg/cli.py": "from pkg import VERSION\ndef main():\n    return VERSION\n"}
    diags = check_sources(files, select=("IG301", "IG302"))
    assert [(d.code, d.path, d.line) for d in diags] == [("IG302", "pkg/__init__.py", 2)]
    assert diags[0].message.startswith("`main` in `pkg` must stay where it is: with the imports of `pkg` sorted")
    assert "ImportError: cannot import name 'VERSION' from partially initialized module 'pkg'" in diags[0].message
    # what isort would write does fail, for real and for IG301
    sorted_files = {"pkg/__init__.py": "from pkg.cli import main\nVERSION = 1\n", "pkg/cli.py": files["pkg/cli.py"]}
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(Path(tmp), sorted_files)
        real = cyclegen.real_outcomes(Path(tmp), ["pkg"])
    failure = real["pkg"]
    assert failure is not None and failure[0] == "ImportError" and "partially initialized module 'pkg'" in failure[3]
    assert [d.code for d in check_sources(sorted_files, select=("IG301",))] == ["IG301"]


def test_ig302_not_reported_where_sorted_order_already_holds():
    files = {"pkg/__init__.py": "from pkg.cli import main\n",
             "pkg/cli.py": "from pkg.util import V\ndef main():\n    return V\n", "pkg/util.py": "V = 1\n"}
    assert check_sources(files, select=("IG301", "IG302")) == []


# ---------------------------------------------------------------------------- modules missing from the tree
MISSING = {
    # generated at build time, a C extension, an ignored file: Python finds it, the tree does not
    "from package import module": (
        {"pkg/__init__.py": "from pkg import a\n", "pkg/a.py": "from pkg import _gen\nX = _gen.V\n"},
        {"pkg/_gen.py": "V = 1\n"}),
    "import of a submodule and attribute access": (
        {"pkg/__init__.py": "from pkg import a\n", "pkg/a.py": "import pkg._gen\nX = pkg._gen.V\n"},
        {"pkg/_gen.py": "V = 1\n"}),
    "relative import of a name from it": (
        {"pkg/__init__.py": "from .a import X\n", "pkg/a.py": "from ._speedups import V\nfrom . import b\nX = V\n",
         "pkg/b.py": "from pkg import a\n"},
        {"pkg/_speedups.py": "V = 1\n"}),
}


@pytest.mark.parametrize("name", sorted(MISSING))
def test_first_party_module_missing_from_the_tree_is_unknown(name, tmp_path):
    seen, hidden = MISSING[name]
    real = cyclegen.real_outcomes(write_tree(tmp_path, {**seen, **hidden}), cyclegen.entries_of(seen))
    assert all(v is None for v in real.values()), real
    assert cyclegen.predicted(seen) == {e: None for e in cyclegen.entries_of(seen)}
    assert check_sources(seen, select=("IG301", "IG302")) == []


# ---------------------------------------------------------------------------- versions and platforms
def _python(minor: int) -> str:
    """A real interpreter of Python 3.<minor>, or "" when this machine has none."""
    import shutil
    import subprocess as sp
    pyenv = sorted(Path.home().glob(f".pyenv/versions/3.{minor}.*/bin/python"))
    for cand in (shutil.which(f"python3.{minor}"), *pyenv):
        if cand and sp.run([str(cand), "-c", "import sys; assert sys.version_info[:2] == (3, %d)" % minor],
                           capture_output=True).returncode == 0:
            return str(cand)
    return ""


VERSIONED = {"pkg/__init__.py": "",
             "pkg/a.py": "import sys\nif sys.version_info >= (3, 10):\n    X = 1\nfrom pkg.b import Y\n"
                         "if sys.version_info[:2] < (3, 10):\n    X = 1\n",
             "pkg/b.py": "from pkg.a import X\nY = 2\n"}


@pytest.mark.parametrize("minor", [9, 10, 12])
def test_version_branches_agree_with_that_interpreter(minor, tmp_path):
    python = _python(minor) if (3, minor) != sys.version_info[:2] else sys.executable
    if not python:
        pytest.skip(f"no Python 3.{minor} on this machine")
    write_tree(tmp_path, VERSIONED)
    entries = cyclegen.entries_of(VERSIONED)
    real = cyclegen.real_outcomes(tmp_path, entries, python=python)
    assert cyclegen.compare(VERSIONED, real, cyclegen.predicted(VERSIONED, (3, minor))) == []
    assert (real["pkg.a"] is not None) == (minor < 10)


def test_ig301_says_which_versions_fail():
    diags = {(d.path, d.line): d.message for d in check_sources(VERSIONED, select=("IG301",), target_version=(3, 9))}
    assert set(diags) == {("pkg/a.py", 4), ("pkg/b.py", 1)}
    assert " on Python 3.9;" in diags[("pkg/b.py", 1)]
    assert " on Python" not in diags[("pkg/a.py", 4)]  # fails on every version
    on_310 = {(d.path, d.line) for d in check_sources(VERSIONED, select=("IG301",), target_version=(3, 10))}
    assert on_310 == {("pkg/a.py", 4)}


@pytest.mark.parametrize("test,failing", [
    ("sys.platform == 'win32'", {"win32"}),
    ("sys.platform.startswith('linux')", {"linux"}),
    ("os.name == 'nt'", {"win32"}),
    ("sys.platform != 'win32'", {"linux", "darwin"}),
])
def test_platform_branches_agree_with_the_interpreter_and_are_named(test, failing, tmp_path):
    files = {"pkg/__init__.py": "",
             "pkg/a.py": f"import os, sys\nif {test}:\n    from pkg.b import Y\nX = 1\n",
             "pkg/b.py": "from pkg.a import X\nY = 2\n"}
    write_tree(tmp_path, files)
    entries = cyclegen.entries_of(files)
    for platform in ("linux", "win32", "darwin"):
        real = cyclegen.real_outcomes(tmp_path, entries, platform=platform)
        assert cyclegen.compare(files, real, cyclegen.predicted(files, platform=platform)) == []
        assert (real["pkg.a"] is not None) == (platform in failing), (platform, real)
    diags = check_sources(files, select=("IG301",))
    assert sorted((d.path, d.line) for d in diags) == [("pkg/a.py", 3), ("pkg/b.py", 1)]
    for d in diags:
        assert f" on {' / '.join(p for p in ('linux', 'win32', 'darwin') if p in failing)};" in d.message


def test_version_tests_decided_by_the_target_range_are_not_explored():
    # requires-python >= 3.10: the 3.9 branch never runs, so nothing fails
    files = {"pkg/__init__.py": "",
             "pkg/a.py": "import sys\nif sys.version_info < (3, 10):\n    from pkg.b import Y\nX = 1\n",
             "pkg/b.py": "from pkg.a import X\nY = 2\n"}
    assert check_sources(files, select=("IG301",), target_version=(3, 10)) == []
    assert {d.line for d in check_sources(files, select=("IG301",), target_version=(3, 9))} == {1, 3}


COMBINED = {"pkg/__init__.py": "",
            "pkg/a.py": "import sys\nif sys.platform == 'win32' and sys.version_info >= (3, 11):\n"
                        "    from pkg.b import Y\nX = 1\n",
            "pkg/b.py": "from pkg.a import X\nY = 2\n"}


def test_a_branch_that_needs_a_version_and_a_platform_together_is_explored(tmp_path):
    write_tree(tmp_path, COMBINED)
    entries = cyclegen.entries_of(COMBINED)
    for platform in ("linux", "win32", "darwin"):
        real = cyclegen.real_outcomes(tmp_path, entries, platform=platform)
        fails = platform == "win32" and sys.version_info >= (3, 11)
        assert (real["pkg.a"] is not None) == fails, (platform, real)
    diags = check_sources(COMBINED, select=("IG301",), target_version=(3, 9))
    assert sorted((d.path, d.line) for d in diags) == [("pkg/a.py", 3), ("pkg/b.py", 1)]
    for d in diags:
        assert " on win32 with Python 3.11 and newer;" in d.message, d.message


def test_the_upper_bound_of_requires_python_limits_the_versions(tmp_path):
    # ``requires-python = ">=3.9,<3.11"``: the 3.11+ branch never runs, so nothing fails
    assert check_sources(COMBINED, select=("IG301",), target_version=(3, 9), newest_version=(3, 10)) == []
    got = check_sources(COMBINED, select=("IG301",), target_version=(3, 9), newest_version=(3, 12))
    assert {d.line for d in got} == {1, 3}
    assert all(" on win32 with Python 3.11 to 3.12;" in d.message for d in got)
    write_tree(tmp_path, dict(COMBINED, **{"pyproject.toml": "[project]\nrequires-python = '>=3.9, <3.11'\n"}))
    doc = json.loads(run_cli(["check", "--no-cache", "--format", "json", "--select", "IG301"], tmp_path).stdout)
    assert doc["diagnostics"] == []


@pytest.mark.parametrize("spec,ceiling", [
    (">=3.9", None), (">=3.9,<4", None), (">=3.9,<3.13", (3, 12)), (">=3.9, <=3.12", (3, 12)),
    ("==3.11.*", (3, 11)), ("~=3.10", None), ("~=3.10.2", (3, 10)), ("<3.12.5", (3, 12)),
    (">=3.8,!=3.11.*", None), ("==3.11", (3, 11)),
])
def test_requires_python_ceiling(spec, ceiling):
    from importguard.config.settings import requires_python_ceiling

    assert requires_python_ceiling(spec) == ceiling


def test_a_submodule_read_through_its_package_makes_an_entry(tmp_path):
    """``o`` reads ``p.x`` through ``import p`` at import time while ``p.x``, which imports ``o``,
    is still running: no import statement closes the cycle, the read does. Reported, and the real
    interpreter fails there."""
    files = {"p/__init__.py": "", "p/x.py": "import o\nVALUE = 1\n", "o.py": "import p\nY = p.x.VALUE\n"}
    write_tree(tmp_path, files)
    real = subprocess.run([sys.executable, "-c", "import p.x"], cwd=tmp_path, capture_output=True, text=True)
    assert "AttributeError" in real.stderr and 'o.py", line 2' in real.stderr
    doc = run_json(["check", "--no-cache", "--select", "IG301", "."], tmp_path)
    got = [(d["path"], d["line"], d["entries"]) for d in doc["diagnostics"]]
    assert got == [("o.py", 2, ["p.x"])]
