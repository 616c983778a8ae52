"""IG200, IG201, IG202: what Python evaluates, and the documented contexts."""
import subprocess
import sys

import pytest

from helpers import check_sources

FUT = "from __future__ import annotations\n"


def found(src, code, **cfg):
    return [d for d in check_sources(src, **cfg) if d.code == code]


def ig200(src, **cfg):
    return [d.message.split("`")[1] for d in found(src, "IG200", **cfg)]


@pytest.mark.parametrize("src", [
    "from decimal import Decimal\ndef f(x: 'Decimal'): ...\n",
    "from decimal import Decimal\ndef f(x: 'list[Decimal]'): ...\n",
    "from decimal import Decimal\ndef f():\n    x: Decimal = g()\n",
    FUT + "from decimal import Decimal\ndef f(x: Decimal) -> Decimal: ...\n",
    FUT + "from decimal import Decimal\nclass C:\n    x: Decimal\n",
    FUT + "from decimal import Decimal\nx: Decimal\n",
    "from decimal import Decimal\nfrom typing import cast\ny = cast('Decimal', 1)\n",
    "from decimal import Decimal\ntype Alias = list[Decimal]\n",
    "from decimal import Decimal\ndef f[T: Decimal](x: 'T'): ...\n",
    "from decimal import Decimal\nfrom typing import TypeVar\nT = TypeVar('T', bound='Decimal')\n",
])
def test_typing_only(src):
    assert ig200(src) == ["Decimal"]


@pytest.mark.parametrize("src", [
    "from decimal import Decimal\ndef f(x: Decimal): ...\n",  # evaluated at def time on 3.9
    FUT + "from decimal import Decimal\nprint(Decimal)\n",
    FUT + "from decimal import Decimal\ndef f(x=Decimal(1)): ...\n",
    FUT + "from decimal import Decimal\nisinstance(1, Decimal)\n",
    FUT + "from decimal import Decimal\nclass C(Decimal): ...\n",
    FUT + "from decimal import Decimal\nfrom typing import cast\ny = cast(Decimal, 1)\n",
    FUT + "from typing import List\ndef f(x: List[int]): ...\n",  # exempt module
    FUT + "from decimal import Decimal\n__all__ = ['Decimal']\ndef f(x: Decimal): ...\n",
    FUT + "from pydantic import BaseModel\nfrom decimal import Decimal\nclass M(BaseModel):\n    x: Decimal\n",
    FUT + "import pydantic\nfrom decimal import Decimal\nclass M(pydantic.BaseModel):\n    x: Decimal\n",
    FUT + "import attrs\nfrom decimal import Decimal\n@attrs.define\nclass M:\n    x: Decimal\n",
    FUT + "from functools import singledispatch\nfrom decimal import Decimal\n@singledispatch\ndef f(x): ...\n"
          "@f.register\ndef _(x: Decimal): ...\n",
    FUT + "from decimal import Decimal\ndef f(x: Decimal): ...\nDecimal.x = 1\n",
])
def test_not_typing_only(src):
    assert ig200(src) == []


def test_target_version_314_defers_all_annotations():
    src = "from decimal import Decimal\ndef f(x: Decimal): ...\n"
    assert ig200(src) == []
    assert ig200(src, target_version=(3, 14)) == ["Decimal"]


def test_annotation_strategy_counts_evaluated_annotations():
    src = "from decimal import Decimal\ndef f(x: Decimal): ...\n"
    assert ig200(src, annotation_strategy="future") == ["Decimal"]
    # ... but never the annotations a runtime-evaluated base class needs
    src = "from pydantic import BaseModel\nfrom decimal import Decimal\nclass M(BaseModel):\n    x: Decimal\n"
    assert ig200(src, annotation_strategy="quote") == []


def test_runtime_base_class_followed_across_modules_and_reexports():
    files = {
        "app/__init__.py": "from app.base import Base\n",
        "app/base.py": "from pydantic import BaseModel\nclass Base(BaseModel):\n    pass\n",
        "app/mid.py": "from app import Base\nclass Mid(Base):\n    pass\n",
        "app/models.py": FUT + "from decimal import Decimal\nfrom datetime import date\nfrom app.mid import Mid\n"
                        "class M(Mid):\n    x: Decimal\ndef f(d: date): ...\n",
    }
    assert [d.message.split("`")[1] for d in check_sources(files) if d.code == "IG200"] == ["date"]


def test_message_names_origin():
    files = {
        "app/__init__.py": "",
        "app/x.py": "class X: ...\n",
        "app/y.py": FUT + "from app.x import X\nfrom decimal import Decimal\nfrom attr import Attribute\n"
                   "def f(a: X, b: Decimal, c: Attribute): ...\n",
    }
    msgs = sorted(d.message for d in check_sources(files) if d.code == "IG200")
    assert any("first party import `app.x.X`" in m for m in msgs)
    assert any("standard library import `decimal.Decimal`" in m for m in msgs)
    assert any("third party import `attr.Attribute`" in m for m in msgs)


def test_noqa_tc_codes_silence_ig200():
    assert ig200(FUT + "from decimal import Decimal  # noqa: TC003\ndef f(x: Decimal): ...\n") == []


TC = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"


@pytest.mark.parametrize("src,line", [
    (TC + "    from decimal import Decimal\ndef f(s):\n    return Decimal(s)\n", 5),
    (TC + "    from decimal import Decimal\ndef f(x: Decimal): ...\n", 4),
    (TC + "    from decimal import Decimal\nclass C(Decimal): ...\n", 4),
    ("import typing\nif typing.TYPE_CHECKING:\n    import decimal\nx = decimal.Decimal(1)\n", 4),
    (FUT + TC + "    from decimal import Decimal\nfrom pydantic import BaseModel\n"
     "class M(BaseModel):\n    x: Decimal\n", 7),
])
def test_ig201(src, line):
    ds = found(src, "IG201")
    assert len(ds) == 1 and f"at line {line})" in ds[0].message


@pytest.mark.parametrize("src", [
    TC + "    from decimal import Decimal\ndef f(x: 'Decimal'): ...\n",
    FUT + TC + "    from decimal import Decimal\ndef f(x: Decimal): ...\n",
    # sibling submodules: `import a.b` at runtime covers `a.b.x`
    "import a.b\n" + TC + "    import a.c\nprint(a.b.x)\ndef f(y: 'a.c.Y'): ...\n",
    TC + "    from decimal import Decimal\nelse:\n    Decimal = None\nprint(Decimal)\n",
])
def test_no_ig201(src):
    assert found(src, "IG201") == []


def test_ig202_empty_and_second_block():
    src = TC + "    pass\n"
    assert [d.line for d in found(src, "IG202")] == [2]
    src = TC + "    from a import A\nx = 1\nif TYPE_CHECKING:\n    from b import B\ndef f(a: 'A', b: 'B'): ...\n"
    ds = found(src, "IG202")
    assert [d.line for d in ds] == [5] and "line 2" in ds[0].message
    src = TC + "    from a import A\ndef f():\n    if TYPE_CHECKING:\n        from b import B\n"
    assert found(src, "IG202") == []  # a block inside a function is not a second module-level block


def test_strict_reports_names_of_modules_loaded_at_runtime_anyway():
    src = FUT + "from decimal import Context, Decimal\nc = Context()\ndef f(x: Decimal): ...\n"
    assert ig200(src) == []
    assert ig200(src, strict=True) == ["Decimal"]


def test_names_other_modules_import_at_runtime_stay_importable():
    files = {
        "pkg/__init__.py": "from pkg.client import *\n",
        "pkg/client.py": FUT + "__all__ = ['Client']\nfrom pkg.types import Auth, Url\n"
                         "class Client:\n    def get(self, a: Auth, u: Url): ...\n",
        "pkg/types.py": "Auth = Url = object\n",
        "pkg/app.py": "from pkg.client import Url\nprint(Url)\n",
        "pkg/hints.py": FUT + "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.client import Auth\n"
                        "def f(a: Auth): ...\n",
    }
    # `Url` is imported from pkg.client at runtime by pkg.app; `Auth` only under TYPE_CHECKING,
    # and the star import of a module with __all__ re-exports neither
    assert [d.message.split("`")[1] for d in check_sources(files) if d.code == "IG200"] == ["Auth"]


# ---------------------------------------------------------------------------- IG201 against the interpreter
# Each source ends by running what it defines; the interpreter raises exactly where IG201 reports.
ATTRS = "import attr\nimport attrs\nfrom attrs import define, frozen\n"
IG201_RUNTIME = {
    "runtime import a.b.c loads a.b": (
        "import concurrent.futures.thread\n" + TC + "    import concurrent.futures\nM = concurrent.futures.Future\n"
        "def f():\n    return concurrent.futures.Future\nf()\n", False),
    "runtime import a.b.c loads a.b, function-level": (
        TC + "    import concurrent.futures\ndef f():\n    import concurrent.futures.thread\n"
        "    return concurrent.futures.Future\nf()\n", False),
    "runtime import a.b.c in another function does not count": (
        TC + "    import concurrent.futures\ndef g():\n    import concurrent.futures.thread\ndef f():\n"
        "    return concurrent.futures.Future\nf()\n", True),
    "attr.s(auto_attribs=True) under postponed annotations": (
        FUT + ATTRS + TC + "    from decimal import Decimal\n@attr.s(auto_attribs=True)\nclass C:\n    x: Decimal\n"
        "C(x=1)\n", False),
    "attrs.define under postponed annotations": (
        FUT + ATTRS + TC + "    from decimal import Decimal\n@attrs.define\nclass C:\n    x: Decimal\nC(x=1)\n", False),
    "bare define and frozen under postponed annotations": (
        FUT + ATTRS + TC + "    from decimal import Decimal\n@define\nclass C:\n    x: Decimal\n@frozen\nclass D:\n"
        "    y: Decimal\nC(x=1), D(y=2)\n", False),
    "attr.s with attr.ib under postponed annotations": (
        FUT + ATTRS + TC + "    from decimal import Decimal\n@attr.s\nclass C:\n    x: Decimal = attr.ib()\nC(x=1)\n",
        False),
    "attrs without postponed annotations: Python evaluates": (
        ATTRS + TC + "    from decimal import Decimal\n@attrs.define\nclass C:\n    x: Decimal\n", True),
    "dataclass under postponed annotations": (
        FUT + "from dataclasses import dataclass\n" + TC + "    from decimal import Decimal\n@dataclass\nclass C:\n"
        "    x: Decimal\nC(x=1)\n", False),
    "dataclass without postponed annotations: Python evaluates": (
        "from dataclasses import dataclass\n" + TC + "    from decimal import Decimal\n@dataclass\nclass C:\n"
        "    x: Decimal\n", True),
    "TYPE_CHECKING imported under another name": (
        "from typing import TYPE_CHECKING as TC\nif TC:\n    from decimal import Decimal\ndef f():\n"
        "    return Decimal(1)\nf()\n", True),
    "typing_extensions.TYPE_CHECKING under another name": (
        "from typing_extensions import TYPE_CHECKING as _TC\nif _TC:\n    from decimal import Decimal\n"
        "x = Decimal(1)\n", True),
    "else fallback": (TC + "    from decimal import Decimal\nelse:\n    Decimal = None\nprint(Decimal)\n", False),
    "elif fallback": (
        "import sys\n" + TC + "    from decimal import Decimal\nelif sys.maxsize:\n    Decimal = int\nelse:\n"
        "    Decimal = float\nprint(Decimal)\n", False),
    "else fallback under an aliased TYPE_CHECKING": (
        "from typing import TYPE_CHECKING as TC\nif TC:\n    from decimal import Decimal\nelse:\n"
        "    def Decimal(v):\n        return v\nDecimal(1)\n", False),
    "a later if not TYPE_CHECKING binding, used in a function": (
        TC + "    from decimal import Decimal\ndef f():\n    return Decimal(1)\nif not TYPE_CHECKING:\n"
        "    from decimal import Decimal\nf()\n", False),
    # tomlkit's toml_file.py: `from _typeshed import StrPath as _StrPath` / `else: _StrPath = Union[...]`
    "else fallback, used in an evaluated annotation": (
        TC + "    from decimal import Decimal\nelse:\n    Decimal = float\ndef f(x: Decimal) -> None:\n"
        "    pass\nclass C:\n    y: Decimal\n", False),
    "no fallback, used in an evaluated annotation": (
        TC + "    from decimal import Decimal\ndef f(x: Decimal) -> None:\n    pass\n", True),
    "try/except fallback": (
        TC + "    from decimal import Decimal\nelse:\n    try:\n        from decimal import Decimal\n"
        "    except ImportError:\n        Decimal = None\nprint(Decimal)\n", False),
    "fallback in an except ImportError handler": (
        "try:\n    from decimal import Decimal\nexcept ImportError:\n    " + TC.replace("\n", "\n    ")
        + "    from decimal import Decimal\n    else:\n        Decimal = None\nprint(Decimal)\n", False),
}


@pytest.mark.parametrize("name", sorted(IG201_RUNTIME))
def test_ig201_matches_the_interpreter(name, tmp_path):
    src, fails = IG201_RUNTIME[name]
    (tmp_path / "mod.py").write_text(src)
    proc = subprocess.run([sys.executable, "-c", "import mod"], cwd=str(tmp_path), capture_output=True, text=True)
    assert (proc.returncode != 0) == fails, proc.stderr
    if fails:
        assert "NameError" in proc.stderr or "AttributeError" in proc.stderr, proc.stderr
    assert bool(found(src, "IG201")) == fails


# ---------------------------------------------------------------------------- IG200 and get_type_hints
@pytest.mark.parametrize("call", [
    "import typing\ntyping.get_type_hints(f)\n",
    "from typing import get_type_hints as hints\nhints(f)\n",
    "import typing as t\ndef check(o):\n    return t.get_type_hints(o)\ncheck(f)\n",
    "import inspect\nA = inspect.get_annotations(f, eval_str=True)\n" if sys.version_info >= (3, 10) else
    "import typing\ntyping.get_type_hints(f)\n",
])
def test_no_ig200_where_the_module_evaluates_its_annotations(call, tmp_path):
    src = FUT + "from decimal import Decimal\ndef f(x: Decimal): ...\n" + call
    assert ig200(src) == []
    assert ig200(FUT + "from decimal import Decimal\ndef f(x: Decimal): ...\n") == ["Decimal"]
    # what the fix would write fails for real
    moved = FUT + TC + "    from decimal import Decimal\ndef f(x: Decimal): ...\n" + call
    (tmp_path / "mod.py").write_text(moved)
    proc = subprocess.run([sys.executable, "-c", "import mod"], cwd=str(tmp_path), capture_output=True, text=True)
    assert "NameError" in proc.stderr


def test_ig200_on_a_dotted_import_names_the_module_not_the_shared_binding():
    # `import a.b` and `import a.c` share the binding `a`, which runs at runtime here: the message
    # names the module only annotations use (sphinx's roles.py, `docutils.parsers.rst.states`)
    src = ("from __future__ import annotations\nimport xml.dom.minidom\nimport xml.etree.ElementTree\n\n"
           "def f(a: xml.dom.minidom.Node):\n    return xml.etree.ElementTree.XML('<a/>')\n")
    (d,) = [d for d in check_sources(src) if d.code == "IG200"]
    assert d.line == 2
    assert d.message.startswith("`xml.dom.minidom` is only used in annotations")
