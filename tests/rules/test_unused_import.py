"""IG100: Python's real scoping and every documented exception."""
import shutil
import subprocess
import sys
import textwrap

import pytest

from helpers import check_sources
from importguard.config.settings import Config
from importguard.extract import extract
from importguard.model import BindEvent, DeleteEvent, TryEvent


def unused(src, **cfg):
    return [(d.line, d.message) for d in check_sources(src, **cfg) if d.code == "IG100"]


def names(src, **cfg):
    return [m.split("`")[1] for _, m in unused(src, **cfg)]


@pytest.mark.parametrize("src", [
    # scoping: uses that reach the import
    "import os\ndef f():\n    return os.sep\n",
    "import os\nclass C:\n    x = os.sep\n",
    "import os\nclass C:\n    def m(self):\n        return os.sep\n",
    "import os\nf = lambda: os.sep\n",
    "import os\nxs = [os.sep for _ in range(3)]\n",
    "def f():\n    import os\n    def g():\n        return os.sep\n    return g\n",
    "def f():\n    global os\n    import os\ndef g():\n    return os.sep\n",
    "import os\ndef f():\n    print(os.sep)\nos = None\n",  # late binding: the function may run before
    "import os\ndel os\n",
    "import os as o\nprint(o)\n",
    "from a import b as c\nprint(c)\n",
    "import os\nif (n := os.sep):\n    pass\n",
    "import os\nmatch 1:\n    case os.sep:\n        pass\n",
    "import os\nx: int = os.sep\n",
    "import os\ndef f(x=os.sep):\n    pass\n",
    "import functools\n@functools.cache\ndef f():\n    pass\n",
    "import abc\nclass C(abc.ABC):\n    pass\n",
    "import os\nprint(f'{os.sep}')\n",
    "import os\ndef f():\n    x = locals()\n",  # module-level import, locals() of f does not cover it...
])
def test_used(src):
    if "locals()" in src:
        assert names(src) == ["os"]
    else:
        assert names(src) == []


@pytest.mark.parametrize("src,expected", [
    ("import os\n", ["os"]),
    ("import os\nos = 1\nprint(os)\n", ["os"]),  # rebinding before use
    ("import os\nimport os\nprint(os)\n", ["os"]),
    ("class C:\n    import os\n    def m(self):\n        return os.sep\n", ["os"]),  # class scope invisible
    ("def f():\n    import json\n    return 1\n", ["json"]),
    ("import a.b\nimport a.c\nprint(a.b.x)\n", ["a.c"]),
    ("from os import path, sep\nprint(sep)\n", ["os.path"]),
    ("from . import sibling\n", [".sibling"]),
    ("import os\ndef f():\n    os = 1\n    return os\n", ["os"]),
    ("import os\nxs = [os for os in range(3)]\n", ["os"]),
    ("if True:\n    import os\n", ["os"]),
])
def test_unused(src, expected):
    assert names(src) == expected


def test_conditional_rebinding_keeps_both_candidates():
    src = "import json\nif fast:\n    import ujson as json\nprint(json)\n"
    assert names(src) == []


def test_try_import_error_guard_is_exempt():
    src = "try:\n    import numpy\nexcept ImportError:\n    numpy = None\n"
    assert names(src) == []
    src = "try:\n    import numpy\nexcept (ValueError, ModuleNotFoundError):\n    pass\n"
    assert names(src) == []
    src = "try:\n    import numpy\nexcept ValueError:\n    pass\n"
    assert names(src) == ["numpy"]


@pytest.mark.parametrize("src", [
    "from __future__ import annotations\n",
    "from os.path import *\n",
    "import os\n__all__ = ['os']\n",
    "import os\n__all__ = ('os',)\n",
    "import os\n__all__ = []\n__all__ += ['os']\n",
    "import os\n__all__ = []\n__all__.append('os')\n",
    "import os\n__all__ = []\n__all__.extend(['os'])\n",
    "import os\n__all__: list = ['a'] + ['os']\n",
    "import os as os\n",
    "from os import path as path\n",
])
def test_spec_exemptions(src):
    assert names(src) == []


def test_side_effect_modules():
    src = "import hvplot.pandas\nimport janitor\n"
    assert names(src) == ["hvplot.pandas", "janitor"]
    assert names(src, side_effect_modules=("hvplot", "janitor")) == []


def test_string_annotations_count_only_where_they_are_annotations():
    assert names("import pandas as pd\nx: 'pd.DataFrame'\n") == []
    assert names("from typing import cast\nimport decimal\ny = cast('decimal.Decimal', 1)\n") == []
    assert names("from typing import TypeVar\nimport decimal\nT = TypeVar('T', bound='decimal.Decimal')\n") == []
    assert names("import decimal\ny = 'decimal.Decimal'\n") == ["decimal"]
    assert names("from typing import Literal\nimport decimal\nx: Literal['decimal']\n") == ["decimal"]


def test_init_reexports_of_first_party_modules():
    files = {
        "pkg/__init__.py": "from .sub import thing\nfrom pkg.sub import other\nimport os\n",
        "pkg/sub.py": "thing = other = 1\n",
        "app.py": "from pkg import thing\n",
    }
    found = [(d.path, d.message) for d in check_sources(files) if d.code == "IG100"]
    assert found == [("app.py", "`pkg.thing` imported but unused"), ("pkg/__init__.py", "`os` imported but unused")]
    # check-reexports: only re-exports nobody imports from the package are reported
    found = [(d.path, d.message) for d in check_sources(files, check_reexports=True) if d.code == "IG100"]
    assert ("pkg/__init__.py", "`pkg.sub.other` imported but unused") in found
    assert not any("thing`" in m and p == "pkg/__init__.py" for p, m in found)


def test_noqa():
    assert names("import os  # noqa\n") == []
    assert names("import os  # noqa: IG100\n") == []
    assert names("import os  # noqa: F401\n") == []
    assert names("import os  # noqa: IG2\n") == ["os"]
    assert names("from a import (  # noqa: F401\n    b,\n    c,\n)\n") == []


def test_one_diagnostic_per_name_at_alias_line():
    src = "from m import (\n    a,\n    b,  # keep?\n    c,\n)\nprint(b)\n"
    assert [line for line, _ in unused(src)] == [2, 4]
    d = [d for d in check_sources(src) if d.code == "IG100"][0]
    assert (d.line, d.column, d.end_column) == (2, 5, 6)


def test_import_reexported_from_a_plain_module_is_used_by_its_importer():
    files = {
        "pkg/__init__.py": "",
        "pkg/dfm.py": "import os\nif os.environ.get('X'):\n    from ._dfm import DFM\nelse:\n    DFM = None\n"
                      "from ._dfm import helper\n",
        "pkg/_dfm.py": "DFM = helper = 1\n",
        "pkg/user.py": "from pkg.dfm import DFM\nprint(DFM)\n",
    }
    found = [(d.path, d.message) for d in check_sources(files) if d.code == "IG100"]
    assert found == [("pkg/dfm.py", "`._dfm.helper` imported but unused")]


def test_annotations_see_names_bound_later_in_the_module():
    # PEP 563: annotations are evaluated lazily, against the module's final namespace
    src = ("from __future__ import annotations\n"
           "def f(x: Basic) -> None: ...\nfrom .basic import Basic  # avoid a cycle\n")
    assert names(src) == []
    assert names("def f(x: 'Late'): ...\nfrom m import Late\n") == []


# ---------------------------------------------------------------------------------------------
# Binding semantics: what Python does, checked against a real interpreter where it decides


def run_python(tmp_path, files, code, python=sys.executable):
    """Run ``code`` with ``tmp_path`` (holding ``files``) first on sys.path; stdout + stderr."""
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    proc = subprocess.run([python, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n" + code],
                          capture_output=True, text=True, timeout=60)
    return proc.stdout + proc.stderr


TC = "from typing import TYPE_CHECKING\n"


@pytest.mark.parametrize("src", [
    TC + "if TYPE_CHECKING:\n    from decimal import Decimal\nelse:\n    Decimal = float\n"
         "def f():\n    return Decimal(1)\n",
    TC + "if TYPE_CHECKING:\n    from decimal import Decimal\nelif True:\n    Decimal = float\nprint(Decimal)\n",
    TC + "if TYPE_CHECKING:\n    from decimal import Decimal\nelse:\n    from fractions import Fraction as Decimal\n"
         "print(Decimal)\n",
    TC + "if TYPE_CHECKING:\n    from decimal import Decimal\nx = 1\nif not TYPE_CHECKING:\n    Decimal = float\n"
         "def f():\n    return Decimal(1)\n",
    TC + "if TYPE_CHECKING:\n    from typing_extensions import Self\ntry:\n    from typing import Self\n"
         "except ImportError:\n    Self = None\nprint(Self)\n",
    "import typing as t\nif t.TYPE_CHECKING:\n    from decimal import Decimal\nelse:\n"
    "    Decimal = float\nprint(Decimal)\n",
    "from typing import TYPE_CHECKING as TC\nif TC:\n    from decimal import Decimal\nelse:\n    Decimal = float\n"
    "print(Decimal)\n",
])
def test_type_checking_import_with_a_runtime_fallback_is_used(src):
    found = check_sources(src, Config(select=("IG",)))
    assert [d.message for d in found if d.code in ("IG100", "IG201")] == []


def test_type_checking_fallback_runs_only_the_fallback_at_runtime(tmp_path):
    # the premise: at runtime the TYPE_CHECKING import never runs and the fallback answers
    src = TC + ("if TYPE_CHECKING:\n    from nowhere_at_all import Decimal\nelse:\n"
                "    Decimal = float\nprint(Decimal(1))\n")
    assert run_python(tmp_path, {"m.py": src}, "import m").strip() == "1.0"


def test_type_checking_alias_is_type_checking():
    src = ("from typing import TYPE_CHECKING as TC\nif TC:\n    from decimal import Decimal\n"
           "def f():\n    return Decimal(1)\n")
    found = check_sources(src, Config(select=("IG",)))
    assert [d.code for d in found] == ["IG201"]  # no fallback: a NameError at runtime
    src = "from typing import TYPE_CHECKING as TC\nif TC:\n    from decimal import Decimal\n"
    assert unused(src) == [(3, "`decimal.Decimal` imported under `if TYPE_CHECKING:` but unused")]
    src = "import typing\nTC = typing.TYPE_CHECKING\nif TC:\n    from decimal import Decimal\n"
    assert unused(src) == [(4, "`decimal.Decimal` imported under `if TYPE_CHECKING:` but unused")]


def test_type_checking_import_without_use_is_still_unused():
    src = TC + "if TYPE_CHECKING:\n    from decimal import Decimal\nelse:\n    Decimal = float\n"
    assert names(src) == ["decimal.Decimal"]


@pytest.mark.parametrize("src", [
    "import xml.etree.ElementTree\nfrom xml import etree\netree.ElementTree.parse\n",
    "import a.b.c\ndef f():\n    import a.d\n    return a.b.c.X, a.d\n",
    "import a.b.c\ndef f():\n    from a import b\n    return b.c.X\n",
    "import a.b.c as abc\nimport a\nprint(a.b.c.X)\n",
])
def test_submodule_reached_through_another_binding_is_used(src):
    assert names(src) == []


def test_submodule_reached_through_another_binding_premise(tmp_path):
    files = {"a/__init__.py": "", "a/b/__init__.py": "", "a/b/c.py": "X = 'abc'\n", "a/d.py": "",
             "m.py": "import a.b.c\ndef f():\n    import a.d\n    return a.b.c.X\n"}
    out = run_python(tmp_path, files, "import xml.etree.ElementTree\nfrom xml import etree\n"
                                      "print(etree.ElementTree.__name__)\nimport m\nprint(m.f())\n")
    assert out.split() == ["xml.etree.ElementTree", "abc"]
    # and without the submodule import, the same reads fail
    files["m.py"] = "def f():\n    import a.d\n    return a.b.c.X\n"
    assert "AttributeError" in run_python(tmp_path, files, "import m\nprint(m.f())\n")


def test_submodule_credit_needs_a_path_beyond_the_binding():
    # ``from a.b import c`` imports a.b.c itself: it does not use ``import a.b.c``
    assert names("import a.b.c\nfrom a.b import c\nprint(c.X)\n") == ["a.b.c"]
    assert names("import a.b.c\nfrom a import x\nprint(x.c)\n") == ["a.b.c"]


def test_grouped_plain_imports_share_one_noqa():
    assert names("import a.b  # noqa: F401\nimport a.c\n") == []
    assert names("import a.b\nimport a.c  # noqa: F401\nimport a.d\n") == []
    assert names("import a.b  # noqa: IG100\nimport a\n") == []
    assert names("import a.b  # noqa: IG2\nimport a.c\n") == ["a.b", "a.c"]  # another code
    assert names("import a.b  # noqa: F401\nimport x.c\n") == ["x.c"]  # another name
    assert names("import a.b  # noqa: F401\ndef f():\n    import a.c\n") == ["a.c"]  # another scope
    assert names("from a import b  # noqa: F401\nimport a.c\n") == ["a.c"]  # binds `b`, not `a`


@pytest.mark.parametrize("src", [
    "class A:\n    import json\n    def f(self):\n        return self.json\n",
    "class A:\n    import json\nprint(A.json.dumps)\n",
    "class A:\n    import json\n    @classmethod\n    def f(cls):\n        return cls.json\n",
    "class Outer:\n    class A:\n        import json\nprint(Outer.A.json)\n",
])
def test_class_body_import_is_a_class_attribute(src):
    assert names(src) == []


def test_class_body_import_premise(tmp_path):
    src = ("class A:\n    import json\n    def f(self):\n        return self.json.dumps(1)\n"
           "    @classmethod\n    def g(cls):\n        return cls.json.dumps(2)\n"
           "print(A().f(), A.g(), A.json.dumps(3))\n")
    assert run_python(tmp_path, {"m.py": src}, "import m").split() == ["1", "2", "3"]
    # a method does not see the class scope: the bare name is a NameError
    src = "class A:\n    import json\n    def f(self):\n        return json\nA().f()\n"
    assert "NameError" in run_python(tmp_path, {"m.py": src}, "import m")
    assert names(src) == ["json"]


@pytest.mark.parametrize("src", [
    "def setup():\n    global json\n    import json\n__all__ = ['json']\n",
    "def use():\n    return json.dumps(1)\ndef setup():\n    global json\n    import json\n",
    "def setup():\n    global json\n    import json\nsetup()\nprint(json)\n",
    "def outer():\n    json = None\n    def inner():\n        nonlocal json\n        import json\n"
    "    inner()\n    return json.dumps(1)\n",
])
def test_global_and_nonlocal_imports_bind_the_outer_name(src):
    assert names(src) == []


def test_global_import_premise(tmp_path):
    files = {"m.py": "def use():\n    return json.dumps(1)\ndef setup():\n    global json\n    import json\n"
                     "__all__ = ['json', 'use']\nsetup()\n",
             "n.py": "def outer():\n    json = None\n    def inner():\n        nonlocal json\n        import json\n"
                     "    inner()\n    return json.dumps(2)\n"}
    out = run_python(tmp_path, files, "from m import *\nprint(use(), json.__name__)\nimport n\nprint(n.outer())\n")
    assert out.split() == ["1", "json", "2"]


@pytest.mark.parametrize("src", [
    "import pytest\ndef test():\n    with pytest.raises(ImportError):\n        import nope\n",
    "import pytest\ndef test():\n"
    "    with pytest.raises(ModuleNotFoundError, match='nope'):\n        from nope import x\n",
    "import pytest\ndef test():\n    with pytest.raises((ValueError, ImportError)):\n        import nope\n",
    "import pytest\ndef test():\n    with pytest.raises(expected_exception=Exception):\n        import nope\n",
    "from pytest import raises\ndef test():\n    with raises(BaseException):\n        import nope\n",
    "import unittest\nclass T(unittest.TestCase):\n    def test(self):\n"
    "        with self.assertRaises(ModuleNotFoundError):\n"
    "            import nope\n",
    "import unittest\nclass T(unittest.TestCase):\n    def test(self):\n"
    "        with self.assertRaisesRegex(ImportError, 'nope'):\n            import nope\n",
    "import contextlib\nwith contextlib.suppress(ImportError):\n    import nope\n",
    "from contextlib import suppress\nwith suppress(ValueError, ModuleNotFoundError):\n    import nope\n",
])
def test_imports_expected_to_fail_are_guarded(src):
    assert names(src) == []
    imp = [i for i in extract(src.encode()).imports if i.bound in ("nope", "x")]
    assert imp and all(i.guarded for i in imp)


@pytest.mark.parametrize("src", [
    "import pytest\ndef test():\n    with pytest.raises(ValueError):\n        import nope\n",
    "import unittest\nclass T(unittest.TestCase):\n    def test(self):\n        with self.assertRaises(KeyError):\n"
    "            import nope\n",
    "import contextlib\nwith contextlib.suppress(KeyError):\n    import nope\n",
    "import pytest\ndef test():\n    with pytest.raises(ValueError, match='ImportError'):\n        import nope\n",
])
def test_other_expected_exceptions_do_not_guard(src):
    assert names(src) == ["nope"]


@pytest.mark.parametrize("src,expected", [
    ("import json\ndef f():\n    print(json)\n    json = 1\n", ["json"]),
    ("import json\ndef f():\n    print(json)\n    for json in range(3):\n        pass\n", ["json"]),
    ("import json\ndef f():\n    print(json)\n    del json\n", ["json"]),
    ("import json\ndef f():\n    print(json)\n    with open('x') as json:\n        pass\n", ["json"]),
    ("import json\ndef f():\n    print(json.dumps)\n    import json\n", ["json", "json"]),
    ("import json\ndef f():\n    json += 1\n", ["json"]),
    ("import json\ndef f():\n    print(json)\n    if (json := 1):\n        pass\n", ["json"]),
    ("import json\ndef f():\n    print(json)\n    try:\n        pass\n    except Exception as json:\n        pass\n",
     ["json"]),
    ("import json\ndef f():\n    def g():\n        return json\n    json = 1\n    return g\n", ["json"]),
    ("import json\ndef f():\n    print([json for _ in 'x'])\n    json = 1\n", ["json"]),
    ("import json\ndef f():\n    class C:\n        x = json\n    json = 1\n", ["json"]),
])
def test_a_name_bound_anywhere_in_a_function_is_local_to_all_of_it(src, expected):
    assert names(src) == expected


@pytest.mark.parametrize("src", [
    "import json\ndef f():\n    global json\n    print(json)\n    json = 1\n",
    "import json\ndef f():\n    print(json)\n    def g():\n        json = 1\n",
    "import json\ndef f():\n    print(json)\n    class C:\n        json = 1\n",
    "import json\ndef f():\n    print(json)\n    xs = [json for json in 'x']\n",
    "import json\nclass C:\n    x = json\n    json = 1\n",
])
def test_bindings_elsewhere_do_not_make_the_name_local(src):
    assert names(src) == []


def test_local_name_premise(tmp_path):
    src = "import json\ndef f():\n    print(json)\n    json = 1\nf()\n"
    assert "UnboundLocalError" in run_python(tmp_path, {"m.py": src}, "import m")
    src = "import json\ndef f():\n    def g():\n        return json\n    g()\n    json = 1\nf()\n"
    assert "NameError" in run_python(tmp_path, {"m.py": src}, "import m")
    src = "import json\nclass C:\n    x = json\n    json = 1\nprint(C.x.__name__)\n"
    assert run_python(tmp_path, {"m.py": src}, "import m").strip() == "json"


def test_except_as_unbinds_the_name():
    src = "import e\ntry:\n    pass\nexcept Exception as e:\n    pass\nprint(e)\n"
    assert names(src) == []  # the path without the exception still sees the import
    f = extract(src.encode())
    try_event = f.events[1][0]
    assert isinstance(try_event, TryEvent)
    handler = try_event.handlers[0][1]
    assert handler == (BindEvent("e"), DeleteEvent("e"))
    # in a function, ``e`` is local: the module's import is never read there
    src = "import e\ndef f():\n    try:\n        pass\n    except Exception as e:\n        pass\n    return e\n"
    assert names(src) == ["e"]
    # a TYPE_CHECKING import of the name is not answered by the handler's binding after it
    src = TC + ("if TYPE_CHECKING:\n    from m import err\ntry:\n    pass\nexcept Exception as err:\n    pass\n"
                "def f():\n    return err\n")
    assert [d.code for d in check_sources(src, Config(select=("IG",)))] == ["IG201"]


def test_except_as_premise(tmp_path):
    for kw in ("except", "except*") if sys.version_info >= (3, 11) else ("except",):
        src = f"e = 1\ntry:\n    raise ValueError\n{kw} ValueError as e:\n    pass\nprint(e)\n"
        assert "NameError" in run_python(tmp_path, {"m.py": src}, "import m")


@pytest.mark.parametrize("src", [
    "from m import T\ndef f[T](x: T) -> T:\n    return x\n",
    "from m import T\nclass C[T]:\n    x: T\n",
    "from m import T\ntype X[T] = list[T]\n",
    "from m import T\nclass C[T]:\n    def f(self) -> T:\n        return T\n",
])
def test_pep695_type_parameters_shadow_imports(src):
    assert names(src) == ["m.T"]


def test_pep695_annotation_scope_sees_the_class_body():
    src = "class C:\n    from m import X\n    def f[T](self, x: X) -> T:\n        return x\n"
    assert names(src) == []


def _python_at_least(version):
    if sys.version_info >= version:
        return sys.executable
    for name in ("python3.14", "python3.13", "python3.12"):
        path = shutil.which(name)
        if path is None:
            continue
        probe = subprocess.run([path, "-c", f"import sys; sys.exit(sys.version_info < {version!r})"],
                               capture_output=True, timeout=60)
        if probe.returncode == 0:
            return path
    return None


def test_pep695_premise(tmp_path):
    python = _python_at_least((3, 12))
    if python is None:
        pytest.skip("needs a Python >= 3.12 to run PEP 695 code")
    src = "from decimal import Decimal as T\ndef f[T](x: T) -> T:\n    return x\nprint(f.__annotations__['x'] is T)\n"
    assert run_python(tmp_path, {"m.py": src}, "import m", python).strip() == "False"


@pytest.mark.parametrize("src", [
    "import os, sys\n__all__ = ['os']\n__all__ = __all__ + ['sys']\n",
    "import os, sys\n__all__ = ['os']\n__all__ += ['sys']\n",
    "import os, sys\n__all__ = ['os']\n__all__ = __all__ + ['a'] + ['sys']\n",
])
def test_all_extended_keeps_earlier_names(src):
    assert names(src) == []
    assert names("import os, sys\n__all__ = ['os']\n__all__ = ['sys']\n") == ["os"]


def test_type_checking_submodule_read_through_a_runtime_binding():
    src = TC + "if TYPE_CHECKING:\n    import xml.etree.ElementTree\nfrom xml import etree\nprint(etree.ElementTree)\n"
    found = check_sources(src, Config(select=("IG",)))
    assert [d.code for d in found if d.code in ("IG100", "IG201")] == []


def test_annotations_before_a_local_binding_stay_uses():
    # under PEP 563, get_type_hints() evaluates the string against the module's globals
    src = ("from __future__ import annotations\nfrom m import Foo\ndef outer():\n"
           "    def inner(x: Foo): ...\n    Foo = 1\n    return inner\n")
    assert names(src) == []


CLASS_ATTRIBUTES = {
    "pkg/__init__.py": "from pkg.a import Base\n",
    "pkg/a.py": "class Base:\n    import json\n    from os import path as ospath\n\nclass Other:\n    import math\n",
    # a subclass in another module reads ``self.json``; an instance passed in reads ``.ospath``
    "pkg/b.py": "from pkg import Base\n\nclass Sub(Base):\n    def f(self):\n        return self.json.dumps(1)\n\n"
                "def g(x):\n    return x.ospath.join('a', 'b')\n",
    # a module that imports nothing of ``pkg`` cannot reach its classes: its ``.math`` is another
    "other/__init__.py": "", "other/c.py": "import decimal\nprint(decimal.math)\n",
}


def test_class_attribute_read_in_a_related_module_is_used():
    diags = check_sources(CLASS_ATTRIBUTES)
    assert sorted((d.code, d.path, d.line) for d in diags if d.code == "IG100") == [("IG100", "pkg/a.py", 6)]


def test_class_attribute_read_in_a_related_module_premise(tmp_path):
    out = run_python(tmp_path, CLASS_ATTRIBUTES, "from pkg.b import Sub, g\nfrom pkg import Base\n"
                                                 "print(Sub().f(), g(Base()))\n")
    assert out.split() == ["1", "a/b"]
    # without the class-body import the same program fails: the attribute was in use
    files = dict(CLASS_ATTRIBUTES, **{"pkg/a.py": "class Base:\n    from os import path as ospath\n"})
    out = run_python(tmp_path / "removed", files, "from pkg.b import Sub\nprint(Sub().f())\n")
    assert "AttributeError" in out


# pytest evaluates a string condition of `skipif` / `xfail` in the test module's globals
# (networkx's test_leiden.py: `pytest.mark.skipif("... & leiden_communities.backends")`)
@pytest.mark.parametrize("src", [
    "import pytest\nfrom json import loads\n@pytest.mark.skipif('not loads.__doc__')\ndef test():\n    pass\n",
    "from pytest import mark\nimport json\n@mark.xfail('json.loads is None', reason='x')\ndef test():\n    pass\n",
    "import pytest\nimport json\npytestmark = pytest.mark.skipif(condition='json.loads is None')\n",
])
def test_names_in_a_pytest_condition_string_are_used(src):
    assert unused(src) == []


def test_other_strings_of_a_pytest_mark_are_no_uses():
    src = "import pytest\nimport json\n@pytest.mark.xfail(False, reason='json')\ndef test():\n    pass\n"
    assert names(src) == ["json"]


def test_real_pytest_condition_string_survives_fix(tmp_path):
    from helpers import run_cli

    test = ("import pytest\nfrom json import loads\n\n\n@pytest.mark.skipif('loads is None')\n"
            "def test_x():\n    pass\n")
    (tmp_path / "test_cond.py").write_text(test)

    def outcome():
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_cond.py"],
                              cwd=str(tmp_path), capture_output=True, text=True, timeout=120)
        return proc.stdout

    assert "1 passed" in outcome()
    run_cli(["fix", "--no-cache", "--unsafe-fixes", "."], tmp_path)
    assert (tmp_path / "test_cond.py").read_text() == test
    assert "1 passed" in outcome()
    # networkx's form: the string passed by name; the import stays reported, its removal unsafe
    named = test.replace("@pytest.mark.skipif('loads is None')",
                         "COND = 'loads is None'\n\n\n@pytest.mark.skipif(COND)")
    (tmp_path / "test_cond.py").write_text(named)
    run_cli(["fix", "--no-cache", "."], tmp_path)
    assert (tmp_path / "test_cond.py").read_text() == named
    assert "1 passed" in outcome()
    # what removing the import does for real: pytest cannot evaluate the condition
    (tmp_path / "test_cond.py").write_text(test.replace("from json import loads\n", ""))
    assert "NameError" in outcome()
