"""IG100: Python's real scoping and every documented exception."""
import pytest

from helpers import check_sources
from importguard.config import Config


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
