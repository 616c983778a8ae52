"""Uses of imported names that are not among the code's names: strings in type expressions that
Python evaluates (type aliases, ``cast``, ``TypeVar``, ``NewType``), PEP 484 type comments,
literal strings given to ``eval``/``exec``; dynamic namespaces; availability fallbacks."""
import subprocess
import sys
import textwrap

import pytest

from helpers import check_sources
from importguard.extract import extract
from importguard.model import RUNTIME, TYPING


def unused(src, **cfg):
    return [d.message.split("`")[1] for d in check_sources(src, **cfg) if d.code == "IG100"]


def ig200(src, **cfg):
    return [d.message.split("`")[1] for d in check_sources(src, **cfg) if d.code == "IG200"]


def uses(src, bound):
    facts = extract(textwrap.dedent(src).encode())
    return [(u.dotted, u.kind) for i in facts.imports if i.bound == bound for u in i.uses]


def dynamic(src):
    return extract(textwrap.dedent(src).encode()).dynamic


# ---------------------------------------------------------------- strings in runtime type expressions
@pytest.mark.parametrize("src,name,dotted", [
    ("from typing import Union\nfrom decimal import Decimal\nX = Union[str, 'Decimal']\n", "Decimal", "Decimal"),
    ("import typing\nfrom decimal import Decimal\nX = typing.Union[str, 'Decimal']\n", "Decimal", "Decimal"),
    ("import typing as t\nfrom decimal import Decimal\nX = t.Optional['Decimal']\n", "Decimal", "Decimal"),
    ("from typing import Callable, Any\nfrom collections import OrderedDict\n"
     "X = Callable[['OrderedDict'], Any]\n", "OrderedDict", "OrderedDict"),
    ("from typing import List\nfrom decimal import Decimal\nX = List['Decimal']\n", "Decimal", "Decimal"),
    ("from typing import Optional\nimport email.message\nX = Optional['email.message.Message']\n",
     "email", "email.message.Message"),
    ("from typing import Optional\nfrom decimal import Decimal\nX = Optional['Union[int, Decimal]']\n",
     "Decimal", "Decimal"),
    ("from typing import Optional\nimport decimal\nX = Optional['decimal.Decimal | None']\n",
     "decimal", "decimal.Decimal"),
    ("from typing_extensions import TypeAlias\nfrom decimal import Decimal\nX: TypeAlias = 'Decimal'\n",
     "Decimal", "Decimal"),
    ("from typing import TypeAlias\nfrom decimal import Decimal\nX: TypeAlias = 'list[Decimal]'\n",
     "Decimal", "Decimal"),
    ("from typing import TypeAlias\nfrom decimal import Decimal\nX: TypeAlias = Mine['Decimal']\n",
     "Decimal", "Decimal"),
    ("from decimal import Decimal\nX = list['Decimal']\n", "Decimal", "Decimal"),
    ("from decimal import Decimal\nX = dict[str, tuple['Decimal', ...]]\n", "Decimal", "Decimal"),
    ("import collections.abc\nfrom decimal import Decimal\n"
     "X = collections.abc.Iterable['Decimal']\n", "Decimal", "Decimal"),
    ("from typing import Dict\nfrom decimal import Decimal\nX = Dict[str, Mine['Decimal']]\n",
     "Decimal", "Decimal"),
    ("from typing import TypeVar\nfrom decimal import Decimal\nT = TypeVar('T', 'Decimal', int)\n",
     "Decimal", "Decimal"),
    ("from typing import TypeVar, List\nfrom decimal import Decimal\nT = TypeVar('T', bound=List['Decimal'])\n",
     "Decimal", "Decimal"),
    ("from typing import cast, List\nfrom decimal import Decimal\ny = cast(List['Decimal'], [])\n",
     "Decimal", "Decimal"),
    ("from typing import NewType\nfrom io import StringIO\nN = NewType('N', 'StringIO')\n", "StringIO", "StringIO"),
    ("from typing import NamedTuple\nfrom decimal import Decimal\nP = NamedTuple('P', [('x', 'Decimal')])\n",
     "Decimal", "Decimal"),
    ("from typing import TypedDict\nfrom decimal import Decimal\nD = TypedDict('D', {'x': 'Decimal'})\n",
     "Decimal", "Decimal"),
    ("from typing import Annotated, List\nfrom decimal import Decimal\nX = Annotated[int, List['Decimal']]\n",
     "Decimal", "Decimal"),
    ("from typing import Generic\nfrom decimal import Decimal\nclass C(Generic['Decimal']): ...\n",
     "Decimal", "Decimal"),
    ("from typing import Union\nfrom decimal import Decimal\ndef f():\n    return Union[str, 'Decimal']\n",
     "Decimal", "Decimal"),
])
def test_string_in_runtime_type_expression_is_a_typing_use(src, name, dotted):
    assert unused(src) == []
    assert (dotted, TYPING) in uses(src, name)


@pytest.mark.parametrize("src", [
    "from typing import Literal\nimport decimal\nX = Literal['decimal']\n",
    "from typing import Annotated\nimport decimal\nX = Annotated[int, 'decimal']\n",
    "from typing import Union, Literal\nimport decimal\nX = Union[int, Literal['decimal']]\n",
    "import decimal\nd = {}\nx = d['decimal']\n",
    "import decimal\nimport os\nx = os.environ['decimal']\n",
    "import decimal\nx = 'decimal'\n",
    "import decimal\nprint('decimal')\n",
    "from typing import List\nimport decimal\nX = List[f('decimal')]\n",
    "from typing import TypeVar\nimport decimal\nT = TypeVar('decimal')\n",
    "from typing import NamedTuple\nimport decimal\nP = NamedTuple('P', [('decimal', int)])\n",
    "import decimal\n__all__ = ['decimal2']\n",
])
def test_strings_that_are_not_types_are_not_uses(src):
    assert unused(src) == ["decimal"]


def test_names_in_a_runtime_type_expression_stay_runtime_uses():
    src = "from typing import Union\nfrom decimal import Decimal\nX = Union[str, Decimal]\n"
    assert uses(src, "Decimal") == [("Decimal", RUNTIME)]
    assert ig200(src) == []
    # only the quoted use: a typing use, so the import may move under TYPE_CHECKING
    src = "from typing import Union\nfrom decimal import Decimal\nX = Union[str, 'Decimal']\n"
    assert ig200(src) == ["Decimal"]
    src = "from typing import Union\nfrom decimal import Decimal\nX = Union[str, 'Decimal']\ny = Decimal(1)\n"
    assert ig200(src) == []


def test_type_checking_import_used_in_a_quoted_alias_is_not_a_runtime_use():
    src = ("from typing import TYPE_CHECKING, Union\nif TYPE_CHECKING:\n    from decimal import Decimal\n"
           "X = Union[str, 'Decimal']\n")
    assert [d.code for d in check_sources(src) if d.code in ("IG100", "IG201")] == []


def test_a_quoted_forward_reference_in_an_alias_runs_without_the_import(tmp_path):
    """The premise for counting these strings as typing uses: Python never evaluates them."""
    (tmp_path / "mod.py").write_text(
        "from typing import Callable, List, NewType, Optional, TypeVar, Union, cast, Any\n"
        "X = Union[str, 'Decimal']\n"
        "Y = Callable[['OrderedDict'], Any]\n"
        "Z = Optional['email.message.Message']\n"
        "W = List['Seg']\n"
        "T = TypeVar('T', bound='Decimal')\n"
        "N = NewType('N', 'StringIO')\n"
        "v = cast('Decimal', 1)\n"
        "print('ok', X, Y)\n"
    )
    proc = subprocess.run([sys.executable, "mod.py"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok")
    # ... while the unquoted name is evaluated at once
    (tmp_path / "bad.py").write_text("from typing import Union\nX = Union[str, Decimal]\n")
    proc = subprocess.run([sys.executable, "bad.py"], cwd=tmp_path, capture_output=True, text=True)
    assert "NameError" in proc.stderr


# ---------------------------------------------------------------- PEP 484 type comments
@pytest.mark.parametrize("src", [
    "from typing import List\nfrom decimal import Decimal\nx = []  # type: List[Decimal]\n",
    "from decimal import Decimal\ndef f(a, b):\n    # type: (int, Decimal) -> None\n    pass\n",
    "from decimal import Decimal\ndef f(a):  # type: (int) -> Decimal\n    pass\n",
    "from decimal import Decimal\ndef f(a,  # type: Decimal\n      ):\n    # type: (...) -> None\n    pass\n",
    "from decimal import Decimal\ndef f(*a):\n    # type: (*Decimal) -> None\n    pass\n",
    "from typing import Any\ndef f(\n    *args,  # type: *Any\n    **kw,  # type: **Any\n):\n"
    "    # type: (...) -> None\n    pass\n",
    "from decimal import Decimal\nfor x in []:  # type: Decimal\n    pass\n",
    "from decimal import Decimal\nwith open('f') as fh:  # type: Decimal\n    pass\n",
    "import decimal\nx = None  # type: decimal.Decimal  # noqa: E501\n",
    "import decimal\nx = None  # type: 'decimal.Decimal'\n",
    "def f():\n    from decimal import Decimal\n    x = []  # type: list[Decimal]\n    return x\n",
    "from decimal import Decimal\nclass C:\n    def m(self):\n        x = 1  # type: Decimal\n",
])
def test_type_comments_are_typing_uses(src):
    assert unused(src) == []


@pytest.mark.parametrize("src,expected", [
    ("import decimal\nx = decimal  # type: ignore\n", []),
    ("import os\nx = 1  # type: ignore\n", ["os"]),
    ("import os\nx = 1  # type: ignore[attr-defined]\n", ["os"]),
    ("import os\nx = 1  # type: ignore # noqa\n", ["os"]),
    ("import os\nx = 1  # type: not a (valid type\n", ["os"]),
    ("import os\nx = 1  # the type: os is not a type comment\n", ["os"]),
])
def test_type_ignore_and_broken_type_comments_are_not_uses(src, expected):
    assert unused(src) == expected


def test_type_comments_resolve_in_their_own_scope():
    src = ("def outer():\n    def inner():\n        from decimal import Decimal\n"
           "        x = None  # type: Decimal\n        return x\n    pass\n")
    assert unused(src) == []
    src = "from decimal import Decimal\ndef f():\n    Decimal = 1\n    x = None  # type: Decimal\n    return x\n"
    assert unused(src) == ["decimal.Decimal"]


def test_type_comment_positions():
    src = "from decimal import Decimal\n\nx = None  # type: Decimal\ndef f(a,  # type: Decimal\n      ):\n    pass\n"
    assert [(u.line, u.col) for i in extract(src.encode()).imports for u in i.uses] == [(3, 10), (4, 10)]


def test_type_comment_uses_are_typing_only():
    src = "from decimal import Decimal\nx = None  # type: Decimal\n"
    assert uses(src, "Decimal") == [("Decimal", TYPING)]
    assert ig200(src) == ["Decimal"]


# ---------------------------------------------------------------- eval / exec
@pytest.mark.parametrize("src", [
    "import os\nx = eval('os.sep')\n",
    "import os\nexec('print(os.sep)')\n",
    "import os\nexec('def f():\\n    return os.sep\\n')\n",
    "import os\ndef g():\n    return eval('os.' 'sep')\n",
])
def test_names_in_literal_eval_exec_are_runtime_uses(src):
    assert unused(src) == []
    assert uses(src, "os")[0][1] == RUNTIME


@pytest.mark.parametrize("src", [
    "import os\nx = eval('os.sep +')\n",  # does not parse: raises, uses nothing
    "import os\nx = eval('sep')\n",
    "import os\nx = obj.eval('os.sep')\n",  # not the builtin
    "import os\ndef eval(s): ...\nx = eval('os.sep')\n",  # shadowed
])
def test_eval_that_uses_no_import(src):
    assert unused(src) == ["os"]


@pytest.mark.parametrize("src,reason", [
    ("import os\nx = eval(code)\n", "non-literal `eval` (line 2)"),
    ("import os\ndef f(code):\n    exec(code)\n", "non-literal `exec` (line 3)"),
    ("import os\nexec(compile(src, 'f', 'exec'))\n", "non-literal `exec` (line 2)"),
    ("import os\nx = eval(f'{a}')\n", "non-literal `eval` (line 2)"),
    ("import os\nx = eval('a' f'{a}')\n", "non-literal `eval` (line 2)"),
    ("import os\nglobals()['x'] = 1\n", "`globals()` (line 2)"),
    ("import os\ndef f(n):\n    return globals()[n]\n", "`globals()` (line 3)"),
    ("import os\nns = vars()\n", "`vars()` at module level (line 2)"),
    ("import os\nns = locals()\n", "`locals()` at module level (line 2)"),
    ("import os, sys\nthis = sys.modules[__name__]\n", "`sys.modules[__name__]` (line 2)"),
    ("import os\ndef __getattr__(name):\n    return 1\n", "module-level `__getattr__` (line 2)"),
])
def test_dynamic_namespaces_are_recorded(src, reason):
    assert dynamic(src) == (reason,)


@pytest.mark.parametrize("src", [
    "import os\nx = eval('os.sep')\n",
    "def f():\n    return locals()\n",
    "def f(o):\n    return vars(o)\n",
    "x = vars(obj)\n",
    "import sys\nm = sys.modules['json']\n",
    "class C:\n    def __getattr__(self, name): ...\n",
    "def globals(): ...\nglobals()\n",
])
def test_static_code_is_not_dynamic(src):
    assert dynamic(src) == ()


# ---------------------------------------------------------------- re-exports and fallbacks
def test_a_name_star_imported_by_another_module_is_a_reexport():
    files = {
        "pkg/__init__.py": "import os\nfrom json import loads\n",
        "pkg/helpers.py": "import sys\n",
        "app.py": "from pkg import *\nfrom pkg.helpers import *\nprint(os, sys, loads)\n",
    }
    assert [d for d in check_sources(files) if d.code == "IG100"] == []
    # with ``__all__`` the star import takes only what it lists
    files["pkg/helpers.py"] = "import sys\n__all__ = ['x']\nx = 1\n"
    assert [(d.path, d.code) for d in check_sources(files) if d.code == "IG100"] == [("pkg/helpers.py", "IG100")]


def test_a_submodule_of_the_same_name_is_not_a_reexport_of_the_import():
    files = {
        "pkg/__init__.py": "import json\n",
        "pkg/json.py": "x = 1\n",
        "app.py": "import pkg.json\nprint(pkg.json.x)\n",
    }
    assert [d.message for d in check_sources(files) if d.code == "IG100"] == ["`json` imported but unused"]


@pytest.mark.parametrize("src", [
    "try:\n    from json import loads\nexcept ImportError:\n    from simplejson import loads\n",
    "try:\n    import ujson as json\nexcept (ValueError, ModuleNotFoundError):\n    import json\n",
    "try:\n    import ujson as json\nexcept ImportError:\n    try:\n        import simplejson as json\n"
    "    except ImportError:\n        import json\n",
])
def test_both_halves_of_an_availability_check_are_guarded(src):
    facts = extract(src.encode())
    assert facts.imports and all(i.guarded for i in facts.imports)
    assert unused(src) == []


def test_a_handler_that_does_not_catch_import_error_is_not_a_fallback():
    src = "try:\n    import ujson as json\nexcept ImportError:\n    pass\nexcept ValueError:\n    import os\n"
    facts = extract(src.encode())
    assert [(i.bound, i.guarded) for i in facts.imports] == [("json", True), ("os", False)]
    assert unused(src) == ["os"]
