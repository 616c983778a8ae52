"""Which edits keep the simulation's outcome of an entry: the facts diff that finds added or
removed import statements, and the conditions that make them do nothing in an entry's import."""
from __future__ import annotations

from typing import Dict, List, Optional

import pytest

from importguard.analysis.graph import ModuleInfo
from importguard.analysis.simdelta import unchanged_by, unchanged_with
from importguard.analysis.simdiff import import_only_change
from importguard.analysis.simrepo import Repository
from importguard.analysis.simtrace import finished_before
from importguard.extract import extract


def _change(old: str, new: str) -> Optional[List[str]]:
    got = import_only_change(extract(old.encode()), extract(new.encode()))
    return None if got is None else [i.text for i in got]


@pytest.mark.parametrize("old, new, expected", [
    ("import os\nX = 1\n", "import os\nfrom pkg import util\nX = 1\n", ["util"]),
    ("import os\nfrom pkg import util\nX = 1\n", "import os\nX = 1\n", ["util"]),  # removed
    ("X = 1\n", "\n\n# moved down\nX = 1\n", []),  # lines only
    ("from pkg import a\nX = 1\n", "from pkg import a, b\nX = 1\n", ["a", "a", "b"]),  # replaced
    ("X = 1\n", "X = 2\nimport pkg.util\n", ["pkg.util"]),  # values are not the simulation's business
    ("X = 1\n", "Y = 1\nimport pkg.util\n", None),  # a binding changed too
    ("X = 1\n", "X = 1\nif X:\n    import pkg.util\n", None),  # conditional
    ("X = 1\n", "X = 1\ntry:\n    import pkg.util\nexcept ImportError:\n    pass\n", None),
    ("X = 1\n", "X = 1\nfrom pkg import *\n", None),  # binds names nobody listed
    ("from typing import TYPE_CHECKING\n", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg\n",
     None),
    ("def f():\n    return 1\n", "def f():\n    import pkg\n    return 1\n", None),  # a function's import
    ("X = 1\n", "X = 1\n__all__ = ['X']\n", None),
])
def test_import_only_change(old, new, expected):
    assert _change(old, new) == expected


def _repo(files: Dict[str, str]) -> Repository:
    modules = {}
    for name, text in files.items():
        is_package = name.endswith(".__init__")
        mod = name[:-len(".__init__")] if is_package else name
        modules[mod] = ModuleInfo(mod, mod.replace(".", "/") + ".py", is_package, extract(text.encode()))
    return Repository(modules, {m.split(".")[0] for m in modules}, set())


FILES = {
    "pkg.__init__": "",
    "pkg.base": "B = 1\n",
    "pkg.hub": "from pkg import base\nH = 1\n",
    "pkg.user": "from pkg.hub import H\n",
}


def _added(files: Dict[str, str], module: str, line: str, first: bool = False) -> List:
    """The files with ``line`` added to ``module`` (at its end; at its start with ``first``), and the change."""
    old = extract(files[module].encode())
    new_text = line + files[module] if first else files[module] + line
    files = dict(files, **{module: new_text})
    got = import_only_change(old, extract(new_text.encode()))
    assert got is not None
    return [files, got]


def test_an_import_of_a_finished_module_binding_an_unread_name_changes_nothing():
    files, change = _added(FILES, "pkg.hub", "from pkg import base as fresh\n")
    repo = _repo(files)
    trace = ["pkg", "/pkg", "pkg.user", "pkg.base", "/pkg.base", "pkg.hub", "/pkg.hub", "/pkg.user"]
    assert unchanged_by(repo, "pkg.hub", change, trace, 0)
    # the module it names had not finished when the hub's import started, but had when the hub's
    # last statement runs (the hub's own import ran it): the new last statement finds it finished
    late = ["pkg", "/pkg", "pkg.user", "pkg.hub", "pkg.base", "/pkg.base", "/pkg.hub", "/pkg.user"]
    assert unchanged_with(repo, "pkg.hub", change, late, 0) == ()
    # ... and as the first statement it runs it there, earlier: an inert module, so nothing changes
    # but where it runs (kept, with the module run inside the hub)
    files, change = _added(FILES, "pkg.hub", "from pkg import base as fresh\n", first=True)
    assert unchanged_with(_repo(files), "pkg.hub", change, late, 0) == ("pkg.base",)
    # a module still being imported when the hub started (it imports the hub) is partial there
    partial = ["pkg", "/pkg", "pkg.user", "pkg.base", "pkg.hub", "/pkg.hub", "/pkg.base", "/pkg.user"]
    for first in (False, True):
        files, change = _added(FILES, "pkg.hub", "from pkg import base as fresh\n", first=first)
        assert unchanged_with(_repo(files), "pkg.hub", change, partial, 0) is None
    # a failure inside the hub: its lines may have moved
    failure = ("pkg.hub", "pkg/hub.py", 1, 0, 4, "ImportError", "m", (("pkg.user", 1),), 0, "pkg.base", "B")
    assert not unchanged_by(repo, "pkg.hub", change, trace, failure)


@pytest.mark.parametrize("reader", [
    "from pkg.hub import fresh\n",  # another module imports the name
    "import pkg.hub\nV = pkg.hub.fresh\n",  # reads it as an attribute
    "from pkg.hub import *\n",  # takes every name
])
def test_a_name_someone_reads_is_not_an_unobservable_binding(reader):
    files, change = _added(FILES, "pkg.hub", "from pkg import base as fresh\n")
    files["pkg.reader"] = reader
    trace = ["pkg", "/pkg", "pkg.base", "/pkg.base", "pkg.hub", "/pkg.hub"]
    assert not unchanged_by(_repo(files), "pkg.hub", change, trace, 0)


def test_code_reading_the_new_name_is_more_than_an_import():
    """A function that reads the name the new import binds reads an import's name now: its events
    change (a call at import time would run that read), so the edit is not import statements alone."""
    text = "from pkg import base\ndef f():\n    return fresh.B\nH = 1\n"
    old = extract(text.encode())
    assert import_only_change(old, extract((text + "from pkg import base as fresh\n").encode())) is None


def test_a_first_party_name_that_is_no_module_would_be_imported():
    # ``from pkg import nothing``: the package binds no such name and has no such submodule, so
    # the simulation tries ``import pkg.nothing`` and records it
    files, change = _added(FILES, "pkg.hub", "from pkg import nothing\n")
    trace = ["pkg", "/pkg", "pkg.base", "/pkg.base", "pkg.hub", "/pkg.hub"]
    assert not unchanged_by(_repo(files), "pkg.hub", change, trace, 0)
    # third party and the standard library are opaque: nothing to have finished
    files, change = _added(FILES, "pkg.hub", "import json as fresh_json\n")
    assert unchanged_by(_repo(files), "pkg.hub", change, ["pkg", "/pkg", "pkg.hub", "/pkg.hub"], 0)


def test_finished_before():
    trace = ["a", "a.b", "/a.b", "/a", "c", "/c"]
    assert finished_before(trace, "c", ["a", "a.b"])
    assert not finished_before(trace, "a.b", ["a"])  # started, not finished
    assert not finished_before(trace, "d", [])  # never started


def test_a_packed_trace_answers_as_the_trace_does():
    from itertools import permutations

    from importguard.analysis.simcache import Keys

    names = ["a", "a.b", "c", "d"]
    keys = Keys({n: ModuleInfo(n, n.replace(".", "/") + ".py", n == "a", extract(b"")) for n in names}, True, {"a"})
    for order in permutations(["a", "a.b", "c"]):  # started in this order, finished in the reverse one
        trace = list(order) + ["/" + n for n in reversed(order)]
        packed = keys.packed_trace(keys.pack_trace(trace))
        for module in names:
            for targets in ([], ["a"], ["a", "a.b"], ["c"], ["d"]):
                assert finished_before(packed, module, targets) == finished_before(trace, module, targets)
    # a module that finished before another started
    trace = ["c", "/c", "a", "a.b", "/a.b", "/a"]
    packed = keys.packed_trace(keys.pack_trace(trace))
    assert finished_before(packed, "a", ["c"]) and finished_before(trace, "a", ["c"])
    assert not finished_before(packed, "a.b", ["a"])


# ---------------------------------------------------------------------------- a module run for the first time
NEW = dict(FILES, **{"pkg.colors": "import json\nfrom pkg.base import B\nRED = B\nclass C:\n    X = json.dumps\n"})
BEFORE = ["pkg", "/pkg", "pkg.user", "pkg.base", "/pkg.base", "pkg.hub", "/pkg.hub", "/pkg.user"]


def test_an_inert_module_nothing_ran_before_runs_inside_the_edited_one():
    files, change = _added(NEW, "pkg.hub", "from pkg import colors\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) == ("pkg.colors",)
    files, change = _added(NEW, "pkg.hub", "import pkg.colors as palette\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) == ("pkg.colors",)
    # a module that ran already is not new: here it had not finished when the hub started
    late = ["pkg", "/pkg", "pkg.colors", "pkg.hub", "/pkg.hub", "/pkg.colors"]
    assert unchanged_with(_repo(files), "pkg.hub", change, late, 0) is None
    # one that ran later, after the hub had finished, by itself: it runs inside the hub now
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE + ["pkg.colors", "/pkg.colors"], 0) == (
        "pkg.colors",)
    # ... not when it ran something itself there, or ran twice
    for trace in (BEFORE + ["pkg.colors", "pkg.other", "/pkg.other", "/pkg.colors"],
                  BEFORE + ["pkg.colors", "/pkg.colors", "pkg.colors", "/pkg.colors"]):
        assert unchanged_with(_repo(files), "pkg.hub", change, trace, 0) is None, trace
    # one that ran inside the hub, by itself: finished when the new last statement runs; run
    # earlier by a new first statement
    inside = ["pkg", "/pkg", "pkg.base", "/pkg.base", "pkg.hub", "pkg.colors", "/pkg.colors", "/pkg.hub"]
    assert unchanged_with(_repo(files), "pkg.hub", change, inside, 0) == ()
    files, change = _added(NEW, "pkg.hub", "import pkg.colors as palette\n", first=True)
    assert unchanged_with(_repo(files), "pkg.hub", change, inside, 0) == ("pkg.colors",)
    # ... not when it ran something there
    nested = ["pkg", "/pkg", "pkg.base", "/pkg.base", "pkg.hub", "pkg.colors", "pkg.x", "/pkg.x", "/pkg.colors",
              "/pkg.hub"]
    assert unchanged_with(_repo(files), "pkg.hub", change, nested, 0) is None
    # an import of a finished module adds nothing
    files, change = _added(NEW, "pkg.hub", "from pkg import base as again\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) == ()


def test_new_modules_may_import_each_other_without_a_cycle():
    shades = dict(NEW, **{"pkg.colors": "from pkg.shades import DARK\nRED = DARK\n", "pkg.shades": "DARK = 1\n"})
    files, change = _added(shades, "pkg.hub", "from pkg import colors\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) == ("pkg.colors", "pkg.shades")
    # in a cycle, one meets the other partial
    files, change = _added(dict(shades, **{"pkg.shades": "from pkg.colors import RED\nDARK = 1\n"}), "pkg.hub",
                           "from pkg import colors\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) is None
    # and each of them must be inert
    files, change = _added(dict(shades, **{"pkg.shades": "from pkg import user\nDARK = 1\n"}), "pkg.hub",
                           "from pkg import colors\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) is None


@pytest.mark.parametrize("colors", [
    "from pkg import user\n",  # a module that had not finished (it imports the hub)
    "from pkg.base import B\ndef f():\n    return B\nf()\n",  # a call at import time
    "import sys\nif sys.version_info >= (3, 12):\n    X = 1\n",  # a test the world decides
    "from pkg import base\nbase.B = 2\n",  # an attribute stored in another module
    "from pkg import base\nX = base.B\n",  # reads a first-party module (it may hold a partial one)
    "from pkg.base import *\n",  # a star import
    "from pkg import nothing\n",  # would import pkg.nothing
])
def test_a_new_module_that_may_do_more_than_bind_its_names_is_simulated(colors):
    files, change = _added(dict(NEW, **{"pkg.colors": colors}), "pkg.hub", "from pkg import colors\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) is None


def test_a_new_module_another_module_may_copy_is_simulated():
    # a star import of its package would copy it into another namespace
    files, change = _added(dict(NEW, **{"pkg.other": "from pkg import *\n"}), "pkg.hub",
                           "from pkg import colors as palette\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) is None
    # read as an attribute of its finished package: found finished instead of missing, no error
    files, change = _added(dict(NEW, **{"pkg.other": "import pkg\ndef f():\n    return pkg.colors.RED\n"}),
                           "pkg.hub", "from pkg import colors as palette\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, BEFORE, 0) == ("pkg.colors",)


def test_the_new_module_is_bracketed_by_the_edited_one_in_the_trace():
    """Started just after the edited module, finished just before it: every later question
    errs towards simulating again (the new module's exact place inside the import is unknown)."""
    from importguard.analysis.simcache import Keys, _bracketed

    names = ["pkg", "pkg.base", "pkg.colors", "pkg.hub", "pkg.inner", "pkg.user"]
    keys = Keys({n: ModuleInfo(n, n.replace(".", "/") + ".py", n == "pkg", extract(b"")) for n in names}, True,
                {"pkg"})
    before = ["pkg", "/pkg", "pkg.user", "pkg.hub", "pkg.inner", "/pkg.inner", "/pkg.hub", "/pkg.user"]
    got = _bracketed(keys, keys.pack_trace(before), "pkg.hub", ["pkg.colors"])
    assert got == keys.pack_trace(["pkg", "/pkg", "pkg.user", "pkg.hub", "pkg.colors", "pkg.inner", "/pkg.inner",
                                   "/pkg.colors", "/pkg.hub", "/pkg.user"])
    packed = keys.packed_trace(got)
    assert not finished_before(packed, "pkg.inner", ["pkg.colors"])  # may have run after it
    assert not finished_before(packed, "pkg.colors", ["pkg.inner"])  # may have run before it
    assert finished_before(packed, "pkg.colors", ["pkg"])
    assert not finished_before(packed, "pkg.colors", ["pkg.hub"])  # the hub is partial while it runs
    # a module that ran later moves inside the hub
    later = before + ["pkg.colors", "/pkg.colors"]
    assert _bracketed(keys, keys.pack_trace(later), "pkg.hub", ["pkg.colors"]) == got
    twice = before + ["pkg.hub", "/pkg.hub"]
    assert _bracketed(keys, keys.pack_trace(twice), "pkg.hub", ["pkg.colors"]) is None


# ---------------------------------------------------------------------------- where the new statement runs
BUSY = dict(NEW, **{"pkg.colors": "from pkg.base import B\ndef f():\n    return B\nf()\n",  # not inert
                    "pkg.hub": "from pkg import base\nH = 1\n"})
INSIDE = ["pkg", "/pkg", "pkg.base", "/pkg.base", "pkg.hub", "pkg.colors", "/pkg.colors", "/pkg.hub"]


@pytest.mark.parametrize("tail, kept", [
    ("", True),  # the new statement is the last one
    ("import json\nX = json.dumps\n", True),  # only the standard library after it
    ("class K:\n    Y = base.B\n", True),  # reads, no import
    ("def g():\n    from pkg import user\n", True),  # a function nobody calls at import time
    ("from pkg import user\n", False),  # a first-party import after it: it may run modules after the new one
    ("def g():\n    return 1\n@g\ndef h():\n    pass\n", False),  # a call at import time
    ("try:\n    from pkg import user\nexcept ImportError:\n    pass\n", False),  # nested
])
def test_a_statement_added_after_everything_that_imports_finds_the_modules_the_import_ran(tail, kept):
    """A module that ran inside the edited one (not inert, so it could not run elsewhere) is
    finished when a new statement runs after every statement that can import a first-party module."""
    old_text = BUSY["pkg.hub"] + tail
    new_text = BUSY["pkg.hub"] + "from pkg import colors as palette\n" + tail
    files = dict(BUSY, **{"pkg.hub": new_text})
    change = import_only_change(extract(old_text.encode()), extract(new_text.encode()))
    assert change is not None and change.added == [2]
    repo = _repo(files)
    assert (unchanged_with(repo, "pkg.hub", change, INSIDE, 0) == ()) is kept
    # the same statement as the first one: the busy module would run there, earlier
    files, change = _added(BUSY, "pkg.hub", "from pkg import colors as palette\n", first=True)
    assert unchanged_with(_repo(files), "pkg.hub", change, INSIDE, 0) is None


def test_sorted_imports_run_the_new_statement_among_the_others():
    """With the imports sorted to the top (the reordered world), an appended ``import x`` line runs
    before the hub's ``from`` imports: the busy module would run earlier there."""
    files, change = _added(BUSY, "pkg.hub", "import pkg.colors as palette\n")
    repo = _repo(files)
    assert unchanged_with(repo, "pkg.hub", change, INSIDE, 0, "w") == ()
    assert unchanged_with(repo, "pkg.hub", change, INSIDE, 0, "r") is None
    # sorted after the hub's other imports, with nothing but bindings after: it runs last there too
    files, change = _added(BUSY, "pkg.hub", "from pkg import colors as palette\n")
    assert unchanged_with(_repo(files), "pkg.hub", change, INSIDE, 0, "r") == ()


def test_an_edit_that_also_removes_a_statement_is_not_an_addition():
    """A removed import may be what ran a module inside the edited one: only edits that add
    statements count on where the new ones run."""
    text = BUSY["pkg.hub"] + "from pkg import colors as old_name\n"
    files = dict(BUSY, **{"pkg.hub": text.replace("old_name", "new_name")})
    change = import_only_change(extract(text.encode()), extract(files["pkg.hub"].encode()))
    assert change is not None and len(change) == 2 and change.added is None
    assert unchanged_with(_repo(files), "pkg.hub", change, INSIDE, 0) is None
    # a plain addition says which statement it added
    files, change = _added(BUSY, "pkg.hub", "from pkg import colors as palette\n")
    assert change.added == [2]
