"""IG301 / IG302: a version or platform test whose branches do alike, as the simulation sees them,
is not a test the entry's import decided, so the entry is not simulated again in the worlds that
test tells apart; one whose branches differ in a way some import can see still is, and its
failures are still found in the worlds they happen in (checked against the real interpreter)."""
from __future__ import annotations

import sys
import textwrap
from typing import TYPE_CHECKING, Dict

import pytest

import cyclegen
from helpers import check_sources, module_of, write_tree
from importguard.analysis.context import RepoContext
from importguard.analysis.graph import ModuleInfo, build_edges
from importguard.analysis.simulate import simulate
from importguard.analysis.simulation import _merge, outcomes, sorted_order, worlds
from importguard.config.settings import Config
from importguard.extract import extract

if TYPE_CHECKING:
    from pathlib import Path


def _simulated(files: Dict[str, str]) -> int:
    """How many entry imports ``outcomes`` simulated (over every world) for these files, once its
    outcomes are checked against a simulation of every entry in every world that decides every
    test (none run as what its branches do alike)."""
    modules = {}
    for rel, text in files.items():
        name = module_of(rel)
        modules[name] = ModuleInfo(name, rel, rel.endswith("__init__.py"), extract(textwrap.dedent(text).encode()))
    repo = RepoContext(Config(target_version=(3, 9)), modules, build_edges(modules))
    written, reordered, entries = outcomes(repo)
    ws = worlds({e: modules[e] for e in entries}, (3, 9))
    first_party = {m.split(".", 1)[0] for m in modules}
    every_written, every_reordered = [], []
    for w in ws.worlds:
        as_written = simulate(modules, entries, world=w, alike=False)
        every_written.append((w, as_written))
        ok = [e for e in entries if e not in as_written.failed]
        every_reordered.append((w, simulate(modules, ok, world=w, alike=False,
                                            order=lambda name: sorted_order(modules[name], first_party))))
    for got, want in ((written, _merge(every_written, ws)), (reordered, _merge(every_reordered, ws))):
        assert (got.failures, got.entries, got.failed, got.where) == (want.failures, want.entries, want.failed,
                                                                      want.where)
    return repo.simulation_stats["simulated"]


def _cycle(branch: str) -> Dict[str, str]:
    """``pkg.a`` runs ``branch`` (a test with its branches) and imports ``pkg.b``, which imports
    ``X`` back from ``pkg.a`` before ``pkg.a`` binds it: both fail in every world. The entries are
    the modules of the cycle, ``pkg.a`` and ``pkg.b``; each decides the test when it runs ``a``."""
    return {"pkg/__init__.py": "",
            "pkg/a.py": "import os, sys\n" + branch + "\nfrom pkg.b import Y\nX = 1\n",
            "pkg/b.py": "from pkg.a import X\nY = 2\n"}


ONE_WORLD = 2  # both entries as written in the first world; both fail, so none is left to sort


@pytest.mark.parametrize("branch", [
    # the usual compatibility import: the same name from the standard library or a backport
    "if sys.version_info >= (3, 11):\n    from typing import Self\nelse:\n    from typing_extensions import Self",
    # modules of the standard library under names nothing reads
    "if sys.platform == 'win32':\n    import msvcrt\nelse:\n    import termios, tty",
    "if os.name == 'nt':\n    import ntpath as paths\n    SEP = paths.sep\nelse:\n    import posixpath as paths\n"
    "    from os import sep as SEP",
    # ``try`` whose body cannot raise; a class body; a nested test made alike
    "if sys.platform == 'darwin':\n    try:\n        import fcntl\n    except ImportError:\n        fcntl = None\n"
    "else:\n    fcntl = None",
    "if sys.version_info >= (3, 12):\n    class C:\n        import json\n        j = json.dumps\nelse:\n    C = None",
    "if sys.version_info >= (3, 12):\n    if sys.platform == 'win32':\n        import json as J\n    else:\n"
    "        import pickle as J\nelse:\n    import marshal as J",
    # in a function the import calls
    "def f():\n    if sys.version_info >= (3, 11):\n        import tomllib as t\n    else:\n        import tomli as t\n"
    "    return t\nT = f()",
])
def test_branches_that_do_alike_are_simulated_in_one_world(branch):
    files = _cycle(branch)
    assert _simulated(files) == ONE_WORLD
    diags = check_sources(files, select=("IG301",), target_version=(3, 9))
    assert sorted((d.path, d.line) for d in diags) == [("pkg/a.py", branch.count("\n") + 3), ("pkg/b.py", 1)]
    assert all(" on " not in d.message.split(";")[0] for d in diags)  # fails everywhere, no world named


@pytest.mark.parametrize("branch", [
    "if sys.version_info >= (3, 11):\n    from pkg import c\nelse:\n    c = None",  # a first-party import
    "if sys.platform == 'win32':\n    def __getattr__(name):\n        return name",  # changes every read
    "if sys.platform == 'win32':\n    from json import dumps as __getattr__",
    "if sys.platform == 'win32':\n    del os",
])
def test_branches_the_simulation_can_tell_apart_are_decided(branch):
    c = {"pkg/c.py": "C = 3\n"}
    assert _simulated(dict(_cycle(branch), **c)) > _simulated(dict(_cycle("pass"), **c))


# branches that differ in what the import does: importing ``pkg.b`` first fails on some platforms only
APART = {
    # a load through a first-party module still running, in one branch
    "load": {"pkg/a.py": "import sys\nimport pkg.b\nif sys.platform == 'win32':\n    Z = pkg.b.Y\nelse:\n"
                         "    Z = None\nX = 1\n"},
    # a name one branch binds to a standard-library module, the other leaves to a first-party one
    "rebound": {"pkg/a.py": "import sys\nfrom pkg import b\nif sys.platform != 'win32':\n    X = b.Y\n"
                            "else:\n    import json as b\n    X = b.dumps\n"},
    "rebound_alone": {"pkg/a.py": "import sys\nfrom pkg import b\nif sys.platform == 'win32':\n    import json as b\n"
                                  "X = b.__name__ if sys.platform == 'win32' else b.Y\n"},
    # the same, one test further in
    "nested": {"pkg/a.py": "import sys\nfrom pkg import b\nif sys.version_info >= (3, 0):\n"
                           "    if sys.platform == 'win32':\n        import json as b\nelse:\n    import json as b\n"
                           "X = b.__name__ if sys.platform == 'win32' else b.Y\n"},
    # a call of the module's function whose body reads through the module still running
    "call": {"pkg/a.py": "import sys\nimport pkg.b\ndef f():\n    return pkg.b.Y\n"
                         "if sys.platform == 'win32':\n    f()\nX = 1\n"},
    # a class body that does
    "class": {"pkg/a.py": "import sys\nimport pkg.b\nif sys.platform == 'win32':\n    class C:\n"
                          "        Z = pkg.b.Y\nelse:\n    C = None\nX = 1\n"},
    # a ``try`` whose body can raise what its handler does not catch
    "try": {"pkg/a.py": "import sys\nimport pkg.b\nif sys.platform == 'win32':\n    try:\n        Z = pkg.b.Y\n"
                        "    except KeyError:\n        Z = None\nelse:\n    Z = None\nX = 1\n"},
    # a name another module binds from a module: read as the module's attribute
    "through": {"pkg/a.py": "import sys\nfrom pkg.c import K\nif sys.platform == 'win32':\n    Z = K.Y\nelse:\n"
                            "    Z = None\nX = 1\n",
                "pkg/c.py": "from pkg import b as K\n"},
}


@pytest.mark.parametrize("case", sorted(APART))
def test_branches_that_differ_fail_where_the_interpreter_does(case, tmp_path: Path):
    files = dict(APART[case], **{"pkg/__init__.py": "", "pkg/b.py": "import pkg.a\nY = 2\n"})
    write_tree(tmp_path, files)
    entries = cyclegen.entries_of(files)
    for platform in ("linux", "win32", "darwin"):
        real = cyclegen.real_outcomes(tmp_path, entries, platform=platform)
        failing = "linux" if case in ("rebound", "rebound_alone", "nested") else "win32"
        assert (real["pkg.b"] is not None) == (platform == failing or (failing == "linux" and platform == "darwin")), \
            (platform, real)
        assert cyclegen.compare(files, real, cyclegen.predicted(files, platform=platform)) == []
    _simulated(files)


# ``V`` is bound by the branch in some worlds only, and ``pkg.b`` imports it back while ``pkg.a`` is
# still running: importing ``pkg.a`` first fails on Python 3.9 to 3.11 only
ONLY_SOME = {"pkg/__init__.py": "",
             "pkg/a.py": "import sys\nif sys.version_info >= (3, 12):\n    from json import dumps as V\n"
                         "import pkg.b\nV = 1\n",
             "pkg/b.py": "from pkg.a import V\n"}


def test_a_name_bound_in_some_worlds_that_another_module_imports_is_decided(tmp_path: Path):
    diags = check_sources(ONLY_SOME, select=("IG301",), target_version=(3, 9))
    assert ("pkg/b.py", 1) in {(d.path, d.line) for d in diags}
    for d in diags:
        assert " on Python 3.9 to 3.11;" in d.message, d.message
    write_tree(tmp_path, ONLY_SOME)
    real = cyclegen.real_outcomes(tmp_path, cyclegen.entries_of(ONLY_SOME))
    assert (real["pkg.a"] is not None) == (sys.version_info < (3, 12))
    assert real["pkg.b"] is None
    assert cyclegen.compare(ONLY_SOME, real, cyclegen.predicted(ONLY_SOME)) == []


@pytest.mark.parametrize("reader,decided", [
    ("from pkg.a import msvcrt\n", True),  # imported from the module
    ("import pkg.a\nm = pkg.a.msvcrt\n", True),  # read as its attribute
    ("from pkg import a\ndef f():\n    return a.msvcrt\nf()\n", True),  # in a function something calls
    ("from pkg import a\ndef f():\n    return a.msvcrt\n", False),  # in a function nothing calls
    ("import json\nm = json.msvcrt\n", False),  # the same attribute of another module
    ("from pkg.a import X as K\nm = K.msvcrt\n", False),  # of a value that is no module
])
def test_a_name_one_branch_binds_counts_when_some_module_reads_it(reader, decided):
    files = dict(_cycle("if sys.platform == 'win32':\n    import msvcrt"), **{"pkg/c.py": reader})
    untested = dict(_cycle("import msvcrt"), **{"pkg/c.py": reader})  # the same, in one world
    assert (_simulated(files) > _simulated(untested)) == decided


@pytest.mark.parametrize("reader,decided", [("import pkg\nm = pkg.msvcrt\n", True),
                                            ("import json\nm = json.msvcrt\n", False)])
def test_a_name_the_package_binds_in_one_branch_counts_when_read_as_its_attribute(reader, decided):
    def files(branch: str) -> Dict[str, str]:
        return {"pkg/__init__.py": "import sys\n" + branch + "\nfrom pkg.b import Y\nX = 1\n",
                "pkg/b.py": "from pkg import X\nY = 2\n", "pkg/c.py": reader}

    assert (_simulated(files("if sys.platform == 'win32':\n    import msvcrt")) > _simulated(files("import msvcrt"))) \
        == decided


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_alike_branches_agree_with_the_interpreter(platform, tmp_path: Path):
    files = _cycle("if sys.platform == 'win32':\n    import ntpath as P\n    S = P.sep\nelse:\n"
                   "    import posixpath as Q\n    from os import sep as S")
    write_tree(tmp_path, files)
    real = cyclegen.real_outcomes(tmp_path, cyclegen.entries_of(files), platform=platform)
    assert real["pkg.a"] is not None
    assert cyclegen.compare(files, real, cyclegen.predicted(files, platform=platform)) == []
