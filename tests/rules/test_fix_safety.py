"""When is removing an unused import (IG100) a safe fix? Only when the finding is certain and no
code can observe the removal. Each case here was a safe fix before these rules existed; each
condition also has a neighbour that stays safe, so safe fixes do not become rarer than needed."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from helpers import check_sources, run_cli, write_tree


def ig100(files, **cfg):
    """{bound name: (applicability, reason)} of the IG100 findings."""
    out = {}
    for d in check_sources(files, **cfg):
        if d.code == "IG100":
            assert d.fix is not None
            out[d.fix.name] = (d.fix.applicability, d.fix.reason)
    return out


def applicability(files, name, **cfg):
    found = ig100(files, **cfg)
    assert name in found, found
    return found[name][0]


# ---------------------------------------------------------------- certain: dynamic access
@pytest.mark.parametrize("code, why", [
    ("import os\nx = eval(expr)\n", "eval"),
    ("import os\ndef f(src):\n    exec(src)\n", "exec"),
    ("import os\ndef f(n):\n    return globals()[n]\n", "globals()"),
    ("import os\nfor k in vars():\n    pass\n", "vars()"),
    ("import os, sys\nprint(sys)\nthis = sys.modules[__name__]\n", "sys.modules[__name__]"),
    ("import os\ndef __getattr__(name):\n    return 1\n", "__getattr__"),
    # networkx's test_leiden.py: a string pytest evaluates in the module, passed by name
    ("import pytest\nimport os\nC = 'not os.sep'\n@pytest.mark.skipif(C)\ndef test():\n    pass\n",
     "pytest.mark.skipif"),
])
def test_dynamic_access_makes_removal_unsafe(code, why):
    app, reason = ig100(code)["os"]
    assert app == "unsafe" and why in reason


@pytest.mark.parametrize("code", [
    "import os\nx = eval('1 + 1')\n",  # a literal: its names are known
    "import os\ndef f():\n    return locals()\n",  # a function's own namespace
    "import os\ndef f(vars):\n    return vars()\n",  # not the builtin
])
def test_known_or_local_access_stays_safe(code):
    assert applicability(code, "os") == "safe"


def test_type_checking_import_stays_safe_despite_dynamic_access():
    code = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import decimal\n"
            "x = eval(expr)\n")
    assert applicability(code, "decimal") == "safe"


def test_class_attribute_import_is_unsafe():
    app, reason = ig100("class C:\n    import os\n    x = 1\n")["os"]
    assert app == "unsafe" and "C.os" in reason


# ---------------------------------------------------------------- unobservable: expected failures
@pytest.mark.parametrize("code", [
    "import pytest\ndef test_gone():\n    with pytest.raises(AttributeError):\n        from os import gone\n",
    "import unittest\nclass T(unittest.TestCase):\n    def test_gone(self):\n"
    "        with self.assertRaises(AttributeError):\n            from os import gone\n",
    "import pytest\n@pytest.mark.xfail(strict=True)\ndef test_gone():\n    from os import gone\n",
])
def test_import_under_expected_failure_is_advice_only(code):
    found = [d for d in check_sources(code) if d.code == "IG100" and d.fix is not None and d.fix.name == "gone"]
    assert found
    (d,) = found
    assert d.fix is not None
    assert d.fix.applicability == "advice" and "expects this import to fail" in d.fix.reason
    assert not d.fixable  # never applied, not even with --unsafe-fixes


def test_import_next_to_expected_failure_stays_safe():
    code = "import pytest\nimport json\ndef test_x():\n    with pytest.raises(KeyError):\n        {}['a']\n"
    assert applicability(code, "json") == "safe"


# ---------------------------------------------------------------- unobservable: side effects
REGISTRY = {
    "pkg/__init__.py": "",
    "pkg/registry.py": "HANDLERS = {}\n",
    "pkg/plain.py": "X = 1\n",
}


@pytest.mark.parametrize("plugin", [
    "from pkg import registry\nregistry.HANDLERS['a'] = print\n",  # item store
    "import pkg.registry\npkg.registry.ready = True\n",  # attribute store
    "from pkg.registry import HANDLERS\nHANDLERS.setdefault('a', print)\n",  # a call
    "from pkg import registry\n@registry.HANDLERS.setdefault\ndef a():\n    pass\n",  # a decorator
])
def test_import_of_a_side_effect_module_is_advice_only(plugin):
    files = dict(REGISTRY, **{"pkg/plugins.py": plugin, "pkg/app.py": "from pkg import plugins\n"})
    app, reason = ig100(files)["plugins"]
    assert app == "advice" and "side-effect import" in reason and "pkg/plugins.py" in reason


def test_side_effect_reached_through_another_module_is_advice_only():
    files = dict(REGISTRY, **{"pkg/plugins.py": "from pkg import registry\nregistry.HANDLERS['a'] = 1\n",
                              "pkg/loader.py": "import pkg.plugins\nX = pkg.plugins\n",
                              "pkg/app.py": "from pkg.loader import X as Y\n"})
    assert applicability(files, "Y") == "advice"


def test_plain_first_party_import_stays_safe():
    files = dict(REGISTRY, **{"pkg/app.py": "from pkg import plain\n",
                              "pkg/deco.py": "import functools\n@functools.lru_cache()\ndef f():\n    pass\n",
                              "pkg/app2.py": "from pkg import deco\n"})
    assert applicability(files, "plain") == "safe"
    assert applicability(files, "deco") == "safe"  # a pure decorator changes no other module


def test_side_effect_module_already_loaded_stays_safe():
    files = dict(REGISTRY, **{"pkg/plugins.py": "from pkg import registry\nregistry.HANDLERS['a'] = 1\nX = 1\n",
                              "pkg/app.py": "import pkg.plugins\nfrom pkg.plugins import X\nprint(pkg.plugins)\n"})
    assert applicability(files, "X") == "safe"  # `import pkg.plugins` above already ran it


def test_main_guard_is_not_a_side_effect():
    files = dict(REGISTRY, **{"pkg/tool.py": "from pkg import registry\nif __name__ == '__main__':\n"
                                             "    registry.HANDLERS.clear()\n",
                              "pkg/app.py": "from pkg import tool\n"})
    assert applicability(files, "tool") == "safe"


# ---------------------------------------------------------------- unobservable: submodule attributes
SUBMODULE = {
    "pkg/__init__.py": "",
    "pkg/sub.py": "x = 1\n",
    "pkg/a.py": "import pkg.sub\n",
}


@pytest.mark.parametrize("reader", [
    "import pkg\ndef f():\n    return pkg.sub.x\n",
    "import pkg.a\nprint(pkg.sub.x)\n",
    "from pkg import a\nimport pkg as p\nprint(a, p.sub.x)\n",
])
def test_submodule_import_read_through_another_binding_is_unsafe(reader):
    files = dict(SUBMODULE, **{"pkg/b.py": reader})
    (d,) = [d for d in check_sources(files) if d.code == "IG100" and d.path == "pkg/a.py"]
    assert d.fix is not None
    app, reason = d.fix.applicability, d.fix.reason
    assert app == "unsafe" and "`sub` unset on package `pkg`" in reason and "pkg/b.py" in reason


def test_from_import_of_a_submodule_sets_the_attribute_too():
    files = dict(SUBMODULE, **{"pkg/a.py": "from pkg.sub import x\n",
                               "pkg/b.py": "import pkg\ndef f():\n    return pkg.sub.x\n"})
    assert applicability(files, "x") == "unsafe"


def test_submodule_import_nobody_reads_through_the_package_stays_safe():
    files = dict(SUBMODULE, **{"pkg/b.py": "import pkg.sub\ndef f():\n    return pkg.sub.x\n"})
    assert applicability(files, "pkg") == "safe"


# A plain ``import a.b`` whose name ``a`` nobody reads still loads ``a.b`` and sets it as an
# attribute of ``a``: networkx's tests write ``import matplotlib.collections`` in a function and read
# ``mpl.collections.LineCollection`` through ``mpl = pytest.importorskip("matplotlib")``.
@pytest.mark.parametrize("code", [
    "import pytest\nmpl = pytest.importorskip('matplotlib')\n"
    "def test():\n    import matplotlib.collections\n    return mpl.collections.LineCollection\n",
    "import importlib\ne = importlib.import_module('email')\nimport email.mime.text\nprint(e.mime.text.MIMEText)\n",
])
def test_dotted_import_whose_submodule_the_module_reads_as_an_attribute_is_unsafe(code):
    (d,) = [d for d in check_sources({"m.py": code}) if d.code == "IG100"]
    assert d.fix is not None and d.fix.applicability == "unsafe", d.fix
    assert "unset" in d.fix.reason and "attribute" in d.fix.reason


@pytest.mark.parametrize("code", [
    "import pytest\nmpl = pytest.importorskip('matplotlib')\n"  # nothing reads `.collections`
    "def test():\n    import matplotlib.collections\n    return mpl.patches\n",
    "import matplotlib.collections\nimport pytest\nmpl = pytest.importorskip('matplotlib')\nprint(matplotlib)\n"
    "def test():\n    import matplotlib.collections\n    return mpl.collections\n",
])
def test_dotted_import_whose_submodule_nobody_reads_or_is_loaded_before_stays_safe(code):
    found = [d for d in check_sources({"m.py": code}) if d.code == "IG100"]
    assert found and all(d.fix is not None and d.fix.applicability == "safe" for d in found), found


def test_real_submodule_read_through_another_name_survives_safe_fix(tmp_path):
    # `xml` does not import `xml.dom` itself: only the unused `import xml.dom` makes `x.dom` exist
    write_tree(tmp_path, {"m.py": "import importlib\n\nx = importlib.import_module('xml')\n\n\ndef f():\n"
                                  "    import xml.dom\n    return x.dom.Node\n\n\nprint(f().__name__)\n"})
    assert run_python(tmp_path, "import m").stdout == "Node\n"
    run_cli(["fix", "--no-cache", "."], tmp_path)
    assert "import xml.dom" in (tmp_path / "m.py").read_text()
    proc = run_python(tmp_path, "import m")
    assert proc.returncode == 0 and proc.stdout == "Node\n", proc.stderr
    run_cli(["fix", "--no-cache", "--unsafe-fixes", "."], tmp_path)  # why it is unsafe
    assert "AttributeError" in run_python(tmp_path, "import m").stderr


# ---------------------------------------------------------------- unobservable: library API
LIB = {
    "lib/__init__.py": "",
    "lib/core.py": "from os.path import join\nimport json\n",
    "lib/_impl.py": "from os.path import join\n",
    "lib/api.py": "from os.path import join\n__all__ = ['f']\ndef f():\n    pass\n",
    "tests/test_core.py": "from os.path import join\n",
}


def test_public_name_of_a_library_module_is_unsafe():
    app, reason = ig100({"lib/__init__.py": "", "lib/core.py": "from os.path import join\n"},
                        library=True)["join"]
    assert app == "unsafe" and "library module `lib.core`" in reason


def test_library_names_nobody_outside_can_rely_on_stay_safe():
    found = {}
    for d in check_sources(LIB, library=True):
        if d.code == "IG100":
            assert d.fix is not None
            found[(d.path, d.fix.name)] = d.fix.applicability
    assert found == {
        ("lib/core.py", "join"): "unsafe",  # public, no __all__
        ("lib/core.py", "json"): "safe",  # a module binding: nobody imports `json` from here
        ("lib/_impl.py", "join"): "safe",  # a private module
        ("lib/api.py", "join"): "safe",  # __all__ declares the public names
        ("tests/test_core.py", "join"): "safe",  # tests are not shipped
    }


def test_same_names_in_an_application_are_safe():
    assert {v[0] for v in ig100(LIB, library=False).values()} == {"safe"}


def test_reexport_module_of_a_library_keeps_its_other_names():
    files = {"lib/__init__.py": "", "lib/_compat.py": "from os import sep, linesep\n",
             "lib/user.py": "from lib._compat import sep\nprint(sep)\n"}
    app, reason = ig100(files, library=True)["linesep"]
    assert app == "unsafe" and "re-export module" in reason
    assert ig100(files, library=False)["linesep"][0] == "safe"


def test_library_detection(tmp_path):
    from importguard.config.settings import load_config

    write_tree(tmp_path / "a", {"pyproject.toml": "[project]\nname = 'a'\n"})
    write_tree(tmp_path / "b", {"pyproject.toml": "[tool.importguard]\nselect = ['IG1']\n"})
    write_tree(tmp_path / "c", {"pyproject.toml": "[project]\nname = 'c'\n[tool.importguard]\nlibrary = false\n"})
    write_tree(tmp_path / "d", {"pyproject.toml": "", "src/d/__init__.py": ""})
    write_tree(tmp_path / "e", {"setup.py": "", "e/__init__.py": ""})
    assert [load_config(tmp_path / x).library for x in "abcde"] == [True, False, False, True, True]


def test_library_setting_is_validated(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": "[tool.importguard]\nlibrary = 'yes'\n", "a.py": ""})
    proc = run_cli(["check", "."], tmp_path)
    assert proc.returncode == 2 and "library" in proc.stderr


# ---------------------------------------------------------------- what users see
def test_json_and_text_show_applicability_and_reason(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": "[tool.importguard]\nlibrary = false\n",
                          "app.py": "import os\nimport sys\nx = eval(input())\n",
                          "other.py": "import json\n"})
    doc = json.loads(run_cli(["check", "--no-cache", "--format", "json"], tmp_path).stdout)
    by_file = {d["path"]: d for d in doc["diagnostics"]}
    assert by_file["other.py"]["fix"]["applicability"] == "safe" and by_file["other.py"]["fixable"]
    unsafe = by_file["app.py"]
    assert unsafe["fixable"] is True  # `importguard fix --unsafe-fixes` applies it
    assert unsafe["fix"]["applicability"] == "unsafe" and "eval" in unsafe["fix"]["reason"]
    text = run_cli(["check", "--no-cache"], tmp_path).stdout
    assert "other.py:1:8: IG100 [*] `json`" in text
    assert "app.py:1:8: IG100 `os`" in text  # no [*]: not applied by default
    assert "[*] 1 fixable with `importguard fix`." in text
    assert "2 hidden fixes can be enabled with `--unsafe-fixes`" in text


def test_explain_documents_fix_safety():
    proc = subprocess.run([sys.executable, "-m", "importguard", "explain", "IG100"], capture_output=True,
                          text=True, env=_env())
    for words in ("eval", "pytest.raises", "library", "side effect", "--unsafe-fixes"):
        assert words in proc.stdout, words


def _env():
    import os

    from helpers import SRC

    return dict(os.environ, PYTHONPATH=SRC)


# ---------------------------------------------------------------- the real interpreter decides
def run_python(cwd, code, path_entry="."):
    import os

    env = dict(os.environ, PYTHONPATH=str(path_entry))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=120)


def test_real_submodule_attribute_survives_safe_fix(tmp_path):
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/sub.py": "x = 42\n",
        "pkg/a.py": "import pkg.sub\n",  # unused by name, but it makes pkg.sub exist
        "pkg/b.py": "import pkg\nimport pkg.a\n\ndef f():\n    return pkg.sub.x\n\nprint(f())\n",
    })
    assert run_python(tmp_path, "import pkg.b").stdout == "42\n"
    run_cli(["fix", "--no-cache", "."], tmp_path)
    proc = run_python(tmp_path, "import pkg.b")
    assert proc.returncode == 0 and proc.stdout == "42\n", proc.stderr
    assert (tmp_path / "pkg/a.py").read_text() == "import pkg.sub\n"
    # the fix is still there for those who ask for it (and the interpreter shows why it is unsafe)
    run_cli(["fix", "--no-cache", "--unsafe-fixes", "."], tmp_path)
    assert "AttributeError" in run_python(tmp_path, "import pkg.b").stderr


def test_real_reexport_module_of_a_library_survives_safe_fix(tmp_path):
    project = tmp_path / "project"
    write_tree(project, {
        "pyproject.toml": "[project]\nname = 'lib'\nversion = '1'\n",
        "lib/__init__.py": "",
        "lib/compat.py": "from os.path import join, sep\n",
        "lib/core.py": "from lib.compat import join\n\ndef path(*parts):\n    return join(*parts)\n",
        "lib/other.py": "import json\n",  # an unused module import: still removed
    })
    user = "from lib.compat import sep\nimport lib.core\nprint(lib.core.path('a', 'b') == 'a' + sep + 'b')\n"
    assert run_python(tmp_path, user, project).stdout == "True\n"
    run_cli(["fix", "--no-cache", "."], project)
    proc = run_python(tmp_path, user, project)
    assert proc.returncode == 0 and proc.stdout == "True\n", proc.stderr
    assert (project / "lib/other.py").read_text() == ""


def test_real_expected_import_failure_survives_safe_and_unsafe_fix(tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "tests/test_gone.py": (
            "import pytest\n\n\n"
            "def test_gone():\n"
            "    with pytest.raises(ImportError):\n"
            "        from os import no_such_name\n"
        ),
    })
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    assert subprocess.run(pytest_cmd, cwd=str(tmp_path), capture_output=True).returncode == 0
    for args in (["fix"], ["fix", "--unsafe-fixes"]):
        run_cli([*args, "--no-cache", "."], tmp_path)
        proc = subprocess.run(pytest_cmd, cwd=str(tmp_path), capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout
    assert "no_such_name" in (tmp_path / "tests/test_gone.py").read_text()


def test_real_side_effect_import_survives_safe_fix(tmp_path):
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/registry.py": "HANDLERS = {}\n",
        "pkg/plugins.py": "from pkg import registry\nregistry.HANDLERS['hello'] = 'world'\n",
        "pkg/app.py": "from pkg import plugins\nfrom pkg.registry import HANDLERS\nprint(HANDLERS['hello'])\n",
    })
    run_cli(["fix", "--no-cache", "--unsafe-fixes", "."], tmp_path)
    proc = run_python(tmp_path, "import pkg.app")
    assert proc.returncode == 0 and proc.stdout == "world\n", proc.stderr


# ---------------------------------------------------------------- the other rules follow the same rule
def test_empty_type_checking_block_removal_is_unsafe_when_its_import_is_observable():
    block = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n"
    (plain,) = [d for d in check_sources(block) if d.code == "IG202"]
    assert plain.fix is not None
    assert plain.fix.applicability == "safe"
    (dynamic,) = [d for d in check_sources(block + "x = eval(expr)\n") if d.code == "IG202"]
    assert dynamic.fix is not None
    assert dynamic.fix.applicability == "unsafe" and "`TYPE_CHECKING`" in dynamic.fix.reason
    files = {"pkg/__init__.py": "", "pkg/mod.py": block, "pkg/user.py": "from pkg.mod import TYPE_CHECKING\n"}
    (imported,) = [d for d in check_sources(files) if d.code == "IG202"]
    assert imported.fix is not None
    assert imported.fix.applicability == "unsafe" and "imports `TYPE_CHECKING`" in imported.fix.reason


@pytest.mark.parametrize("code, rule", [
    ("from __future__ import annotations\nfrom decimal import Decimal\ndef f(x: Decimal):\n    pass\n", "IG200"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from decimal import Decimal\nprint(Decimal)\n", "IG201"),
])
def test_moves_are_unsafe_with_a_reason(code, rule):
    (d,) = [d for d in check_sources(code) if d.code == rule]
    assert d.fix is not None
    assert d.fix.applicability == "unsafe" and d.fix.reason and d.fixable


# ---------------------------------------------------------------- certain: names given as strings
@pytest.mark.parametrize("test", [
    "from unittest import mock\n@mock.patch('pkg.mod.requests')\ndef test(m):\n    pass\n",
    "def test(monkeypatch):\n    monkeypatch.setattr('pkg.mod.requests.get', print)\n",
    "from unittest import mock\nimport pkg.mod\ndef test():\n"
    "    with mock.patch.object(pkg.mod, 'requests'):\n        pass\n",
    "from pkg import mod\nprint(getattr(mod, 'requests'))\n",
])
def test_name_given_as_a_string_is_unsafe(test):
    files = {"pkg/__init__.py": "", "pkg/mod.py": "import requests\n", "tests/test_mod.py": test}
    (d,) = [d for d in check_sources(files) if d.code == "IG100" and d.path == "pkg/mod.py"]
    assert d.fix is not None
    assert d.fix.applicability == "unsafe" and "tests/test_mod.py" in d.fix.reason


def test_name_computed_at_runtime_for_getattr_on_the_module_is_unsafe():
    files = {"pkg/__init__.py": "", "pkg/mod.py": "import requests\n",
             "pkg/use.py": "from pkg import mod\ndef get(name):\n    return getattr(mod, name)\n"}
    (d,) = [d for d in check_sources(files) if d.code == "IG100" and d.path == "pkg/mod.py"]
    assert d.fix is not None
    assert d.fix.applicability == "unsafe" and "pkg/use.py" in d.fix.reason and "getattr(mod" in d.fix.reason


def test_other_strings_leave_it_safe():
    files = {"pkg/__init__.py": "", "pkg/mod.py": "import requests\n",
             "tests/test_mod.py": "from unittest import mock\n@mock.patch('pkg.mod.session')\ndef test(m):\n"
                                  "    print('pkg.mod.requests is not a call argument here'.upper())\n"}
    (d,) = [d for d in check_sources(files) if d.code == "IG100" and d.path == "pkg/mod.py"]
    assert d.fix is not None
    assert d.fix.applicability == "safe"


def test_real_mock_patch_target_survives_safe_fix(tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.importguard]\nlibrary = false\n",
        "pkg/__init__.py": "",
        "pkg/mod.py": "import json\n\ndef load():\n    return 1\n",
        "tests/test_mod.py": ("from unittest import mock\n\nimport pkg.mod\n\n\n"
                              "@mock.patch('pkg.mod.json')\ndef test_load(fake):\n    assert pkg.mod.load() == 1\n"),
    })
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    env = dict(__import__("os").environ, PYTHONPATH=str(tmp_path))
    assert subprocess.run(pytest_cmd, cwd=str(tmp_path), env=env, capture_output=True).returncode == 0
    run_cli(["fix", "--no-cache", "."], tmp_path)
    proc = subprocess.run(pytest_cmd, cwd=str(tmp_path), env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert (tmp_path / "pkg/mod.py").read_text().startswith("import json\n")


# ---------------------------------------------------------------- test data
# Files in a test folder that no test imports are inputs the tests read as text (black's
# tests/data, pygments' tests/examplefiles) or import by name (sphinx's tests/roots): the finding
# is true as Python, but removing the import changes what the tests compare.
def test_test_data_nobody_imports_is_unsafe():
    files = {
        "tests/test_format.py": "import json\nfrom tests.helpers import load\n\ndef test():\n    load('case')\n",
        "tests/helpers.py": "import os\nimport re\n\ndef load(name):\n    return re\n",
        "tests/data/case.py": "import os\n",
        "tests/roots/target/__init__.py": "from .mod import func\n",
        "tests/roots/target/mod.py": "import sys\n\ndef func():\n    pass\n",
        "pkg/__init__.py": "", "pkg/core.py": "import os\n",
    }
    found = {}
    for d in check_sources(files):
        if d.code == "IG100":
            assert d.fix is not None
            found[(d.path, d.fix.name)] = (d.fix.applicability, d.fix.reason)
    assert found[("tests/data/case.py", "os")][0] == "unsafe"
    assert found[("tests/data/case.py", "os")][1].startswith("test data")
    assert found[("tests/roots/target/mod.py", "sys")][0] == "unsafe"
    # test modules, the helpers they import and the package itself keep their safe fixes
    assert found[("tests/test_format.py", "json")][0] == "safe"
    assert found[("tests/helpers.py", "os")][0] == "safe"
    assert found[("pkg/core.py", "os")][0] == "safe"



def test_test_data_keeps_even_type_checking_edits_unsafe():
    # sphinx's autodoc imports its fixtures again with typing.TYPE_CHECKING set to true
    data = ("import typing\nif typing.TYPE_CHECKING:\n    from os import sep\n"
            "if typing.TYPE_CHECKING:\n    from os import path\nx: 'path'\n")
    files = {"tests/roots/circular/b.py": data, "tests/test_x.py": "", "pkg/b.py": data}
    fixes = {(d.path, d.code): d.fix for d in check_sources(files) if d.code in ("IG100", "IG202") and d.fix}
    assert not fixes[("tests/roots/circular/b.py", "IG100")].safe
    assert not fixes[("tests/roots/circular/b.py", "IG202")].safe
    assert fixes[("tests/roots/circular/b.py", "IG202")].reason.startswith("test data")
    assert fixes[("pkg/b.py", "IG100")].safe and fixes[("pkg/b.py", "IG202")].safe


def test_real_documentation_fixture_survives_safe_fix(tmp_path):
    # a test imports the fixture module by name and inspects its members, as autodoc does
    write_tree(tmp_path, {
        "tests/roots/target/__init__.py": "",
        "tests/roots/target/members.py": "from os.path import join\n",
        "tests/test_members.py": "import importlib\nimport sys\n\ndef test_members():\n"
                                 "    sys.path.insert(0, 'tests/roots')\n"
                                 "    assert 'join' in vars(importlib.import_module('target.members'))\n",
    })
    run = "import tests.test_members as t\nt.test_members()\nprint('ok')\n"
    assert run_python(tmp_path, run).stdout == "ok\n"
    run_cli(["fix", "--no-cache", "."], tmp_path)
    proc = run_python(tmp_path, run)
    assert proc.returncode == 0 and proc.stdout == "ok\n", proc.stderr
    assert (tmp_path / "tests/roots/target/members.py").read_text() == "from os.path import join\n"
    # the fix is still there for those who ask for it, and the interpreter shows why it is unsafe
    run_cli(["fix", "--no-cache", "--unsafe-fixes", "."], tmp_path)
    assert "AssertionError" in run_python(tmp_path, run).stderr


def test_a_tests_folder_above_the_project_is_no_test_data(tmp_path):
    # run from above the project: the display path starts with `tests/`, the project does not
    write_tree(tmp_path / "tests" / "proj", {"pyproject.toml": "[tool.importguard]\n",
                                             "pkg/__init__.py": "", "pkg/mod.py": "import os\n"})
    out = run_cli(["check", "--no-cache", "--select", "IG100", "--format", "json", "tests/proj"], tmp_path)
    (d,) = json.loads(out.stdout)["diagnostics"]
    assert d["fix"]["applicability"] == "safe", d
