"""IG202, IG200 and IG201 fixes: before/after."""
from __future__ import annotations

import pytest

from fix_helpers import dd, fix_one, fix_tree
from helpers import run_cli

# ---------------------------------------------------------------------------- IG202
IG202 = {
    "merge": (
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from a import A

        x: "A"

        if TYPE_CHECKING:
            # about B
            from b import B

        y: "B"
        """,
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from a import A
            # about B
            from b import B

        x: "A"


        y: "B"
        """),
    "merge drops what the first block already imports": (
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from collections.abc import AsyncGenerator, Coroutine

        def f(x: "AsyncGenerator", y: "Coroutine", z: "Iterator", w: "Sized") -> None: ...

        if TYPE_CHECKING:
            from collections.abc import AsyncGenerator, Iterator  # keep
            from collections.abc import Sized; from collections.abc import Coroutine
        """,
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from collections.abc import AsyncGenerator, Coroutine
            from collections.abc import Iterator  # keep
            from collections.abc import Sized

        def f(x: "AsyncGenerator", y: "Coroutine", z: "Iterator", w: "Sized") -> None: ...

        """),
    "three blocks": (
        """\
        import typing
        if typing.TYPE_CHECKING:
            from a import A
        if typing.TYPE_CHECKING:
            from b import B
        if typing.TYPE_CHECKING: from c import C
        x: "A | B | C"
        """,
        """\
        import typing
        if typing.TYPE_CHECKING:
            from a import A
            from b import B
            from c import C
        x: "A | B | C"
        """),
    "empty block and its import": (
        """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            pass
        x = 1
        """,
        "x = 1\n"),
    "empty block, TYPE_CHECKING still used": (
        """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            ...
        print(TYPE_CHECKING)
        """,
        """\
        from typing import TYPE_CHECKING
        print(TYPE_CHECKING)
        """),
    "empty block in a function": (
        """\
        from typing import TYPE_CHECKING
        def f():
            if TYPE_CHECKING:
                pass
        """,
        """\
        def f():
            pass
        """),
}


@pytest.mark.parametrize("name", sorted(IG202))
def test_ig202(tmp_path, name):
    before, after = IG202[name]
    assert fix_one(tmp_path, dd(before)) == dd(after)


def test_ig202_merge_is_idempotent(tmp_path):
    before = IG202["merge drops what the first block already imports"][0]
    once = fix_one(tmp_path, dd(before))
    assert fix_one(tmp_path, once) == once


def test_ig202_else_branch_left_alone(tmp_path):
    src = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\nelse:\n    x = 1\n"
    assert fix_one(tmp_path, src) == src


# ---------------------------------------------------------------------------- IG200
IG200 = {
    "creates block after last import": (
        """\
        from __future__ import annotations

        import sys
        from decimal import Decimal

        def f(x: Decimal) -> None:
            print(sys.argv)
        """,
        """\
        from __future__ import annotations

        import sys
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from decimal import Decimal

        def f(x: Decimal) -> None:
            print(sys.argv)
        """),
    "into existing block, keeps comment, partial statement": (
        """\
        from typing import TYPE_CHECKING, Optional
        from decimal import Decimal, localcontext

        if TYPE_CHECKING:
            from fractions import Fraction

        def f(x: "Decimal", y: "Fraction") -> Optional[int]:
            with localcontext():
                pass
        """,
        """\
        from typing import TYPE_CHECKING, Optional
        from decimal import localcontext

        if TYPE_CHECKING:
            from fractions import Fraction
            from decimal import Decimal

        def f(x: "Decimal", y: "Fraction") -> Optional[int]:
            with localcontext():
                pass
        """),
    "string annotations only, no future needed": (
        """\
        import collections.abc
        from decimal import Decimal as D  # money

        x: "D" = 1
        def g():
            y: collections.abc.Sized = []
        """,
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import collections.abc
            from decimal import Decimal as D  # money

        x: "D" = 1
        def g():
            y: collections.abc.Sized = []
        """),
}


@pytest.mark.parametrize("name", sorted(IG200))
def test_ig200_unsafe(tmp_path, name):
    before, after = IG200[name]
    if "partial statement" in name:  # `localcontext` keeps `decimal` loaded: only strict moves `Decimal`
        (tmp_path / "pyproject.toml").write_text("[tool.importguard]\nstrict = true\n")
    assert fix_one(tmp_path, dd(before), "--unsafe-fixes") == dd(after)


def test_ig200_not_strict_leaves_names_of_modules_loaded_anyway(tmp_path):
    before, _ = IG200["into existing block, keeps comment, partial statement"]
    assert fix_one(tmp_path, dd(before), "--unsafe-fixes") == dd(before)


def test_ig200_needs_unsafe(tmp_path):
    src = "from __future__ import annotations\nfrom decimal import Decimal\ndef f(x: Decimal): ...\n"
    assert fix_one(tmp_path, src) == src


def test_ig200_without_strategy_evaluated_annotation_left_alone(tmp_path):
    src = "from decimal import Decimal\ndef f(x: Decimal): ...\n"
    assert fix_one(tmp_path, src, "--unsafe-fixes") == src


def test_ig200_strategy_future(tmp_path):
    src = '"""Doc."""\nfrom decimal import Decimal\n\ndef f(x: Decimal) -> Decimal: ...\n'
    out = fix_one(tmp_path, src, "--unsafe-fixes", "--annotation-strategy", "future")
    assert out == dd('''\
        """Doc."""
        from __future__ import annotations
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from decimal import Decimal

        def f(x: Decimal) -> Decimal: ...
        ''')


def test_ig200_strategy_quote(tmp_path):
    src = dd("""\
        from decimal import Decimal
        import typing as t

        def f(x: Decimal, y: tuple[()], z: t.Optional[Decimal] = None) -> "Decimal":
            return x
        """)
    out = fix_one(tmp_path, src, "--unsafe-fixes", "--annotation-strategy", "quote")
    assert out == dd("""\
        import typing as t
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from decimal import Decimal

        def f(x: "Decimal", y: tuple[()], z: "t.Optional[Decimal]" = None) -> "Decimal":
            return x
        """)


@pytest.mark.parametrize("ann", [
    "Annotated[Decimal, Field(gt=0)]",
    "Literal['a'] | Decimal",
    "Dict['str', Decimal]",
    "Dict[  # c\n    str, Decimal]",
    "Dict[str, Decimal\n]",
])
def test_ig200_quote_refuses_unsafe_annotations(tmp_path, ann):
    # never quote Annotated metadata, Literal values, strings or escapes
    src = ("from typing import Annotated, Literal, Dict\nfrom decimal import Decimal\nfrom x import Field\n"
           f"def f(a: {ann}): ...\n")
    out = fix_one(tmp_path, src, "--unsafe-fixes", "--annotation-strategy", "quote")
    assert "def f(a: " + ann + ")" in out
    assert "from decimal import Decimal\n" in out.split("if TYPE_CHECKING")[0] or "TYPE_CHECKING" not in out


def test_ig200_pydantic_left_alone(tmp_path):
    src = dd("""\
        from decimal import Decimal
        from pydantic import BaseModel

        class M(BaseModel):
            x: Decimal
        """)
    assert fix_one(tmp_path, src, "--unsafe-fixes", "--annotation-strategy", "future") == src


# ---------------------------------------------------------------------------- IG201
def test_ig201_fix_acts_on_every_block_the_rule_reports(tmp_path):
    # the rule and the fixer share one test of "this block is TYPE_CHECKING": a block guarded by
    # another module's flag is reported, so it is fixed too
    src = dd("""\
        from pkg import compat

        if compat.TYPE_CHECKING:
            from decimal import Decimal

        ZERO = Decimal(0)
        NAME = compat.NAME
        """)
    out = fix_one(tmp_path, src, "--unsafe-fixes")
    assert out == dd("""\
        from pkg import compat
        from decimal import Decimal


        ZERO = Decimal(0)
        NAME = compat.NAME
        """)


def test_ig201_moves_out_above_block(tmp_path):
    src = dd("""\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from decimal import Decimal
            from fractions import Fraction

        def f(s: "Fraction"):
            return Decimal(s)
        """)
    out = fix_one(tmp_path, src, "--unsafe-fixes")
    assert out == dd("""\
        from typing import TYPE_CHECKING
        from decimal import Decimal

        if TYPE_CHECKING:
            from fractions import Fraction

        def f(s: "Fraction"):
            return Decimal(s)
        """)


def test_ig201_whole_block_goes(tmp_path):
    src = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from decimal import Decimal\nx = Decimal(1)\n"
    out = fix_one(tmp_path, src, "--unsafe-fixes")
    assert out == "from decimal import Decimal\nx = Decimal(1)\n"


def test_ig201_refuses_to_close_cycle(tmp_path):
    files = {
        "pyproject.toml": "[project]\nname='p'\n",
        "pkg/__init__.py": "",
        "pkg/a.py": dd("""\
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from pkg.b import B
            def make():
                return B()
            """),
        "pkg/b.py": "from pkg import a\nclass B: pass\nprint(a)\n",
    }
    before = dict(files)
    out = fix_tree(tmp_path, files, "--unsafe-fixes")
    assert out["pkg/a.py"].decode() == dd(before["pkg/a.py"])
    proc = run_cli(["fix", "--no-cache", "--unsafe-fixes", "."], tmp_path)
    assert proc.returncode == 1
    why = "IG201 not fixed: moving it out would close the import-time cycle `pkg.a` -> `pkg.b` -> `pkg.a`"
    assert why in proc.stderr


def test_ig201_moves_when_no_cycle(tmp_path):
    files = {
        "pyproject.toml": "[project]\nname='p'\n",
        "pkg/__init__.py": "",
        "pkg/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\nx = B()\n",
        "pkg/b.py": "class B: pass\n",
    }
    out = fix_tree(tmp_path, files, "--unsafe-fixes")
    assert out["pkg/a.py"] == b"from pkg.b import B\nx = B()\n"


def test_ig202_alone_removes_type_checking_import_but_not_other_names(tmp_path):
    src = "import os\nfrom typing import TYPE_CHECKING, List\nif TYPE_CHECKING:\n    pass\nx: List[int] = []\n"
    out = fix_one(tmp_path, src, "--select", "IG202")
    assert out == "import os\nfrom typing import List\nx: List[int] = []\n"


def test_codemod_commands_through_libcst_tool(tmp_path):
    import subprocess
    import sys

    from helpers import SRC

    (tmp_path / "m.py").write_text("import os\nimport sys\nprint(sys)\n")
    (tmp_path / "t.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from decimal import Decimal\nx = Decimal(1)\n")
    env = {"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}
    for cmd, target in [("importguard.fixers.codemods.RemoveUnusedImports", "m.py"),
                        ("importguard.fixers.codemods.MoveOutOfTypeChecking", "t.py")]:
        proc = subprocess.run([sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "-x", cmd, target],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "m.py").read_text() == "import sys\nprint(sys)\n"
    assert (tmp_path / "t.py").read_text() == "from decimal import Decimal\nx = Decimal(1)\n"


def test_ig200_noqa_f401_import_is_not_moved(tmp_path):
    # jinja2.runtime: `from .exceptions import TemplateRuntimeError  # noqa: F401` is used in an
    # annotation and re-exported by name to generated template code: moving it broke 784 tests
    src = dd("""\
        from __future__ import annotations
        from decimal import Decimal  # noqa: F401
        exported = ["Decimal"]
        def f(x: Decimal): ...
        """)
    assert fix_one(tmp_path, src, "--unsafe-fixes") == src


def test_ig200_names_of_one_statement_move_together(tmp_path):
    src = dd("""\
        from __future__ import annotations
        from collections.abc import Callable, Mapping  # types
        from decimal import Decimal, localcontext, Context

        def f(a: Callable, b: Mapping, c: Decimal, d: Context):
            return localcontext
        """)
    (tmp_path / "pyproject.toml").write_text("[tool.importguard]\nstrict = true\n")  # `decimal` stays loaded
    out = fix_one(tmp_path, src, "--unsafe-fixes")
    assert out == dd("""\
        from __future__ import annotations
        from decimal import localcontext
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from collections.abc import Callable, Mapping  # types
            from decimal import Decimal, Context

        def f(a: Callable, b: Mapping, c: Decimal, d: Context):
            return localcontext
        """)


# ------------------------------------------------------------ TYPE_CHECKING joins an existing typing import
@pytest.mark.parametrize("before, after", [
    ("from __future__ import annotations\nfrom typing import Any\nfrom decimal import Decimal\n\n\n"
     "def f(x: Decimal) -> Any: ...\n",
     "from __future__ import annotations\nfrom typing import TYPE_CHECKING, Any\n\nif TYPE_CHECKING:\n"
     "    from decimal import Decimal\n\n\ndef f(x: Decimal) -> Any: ...\n"),
    ("from __future__ import annotations\nfrom typing import (\n    Any,\n    Optional,\n)\n"
     "from decimal import Decimal\n\n\ndef f(x: Decimal) -> Optional[Any]: ...\n",
     "from __future__ import annotations\nfrom typing import (\n    TYPE_CHECKING,\n    Any,\n    Optional,\n)\n\n"
     "if TYPE_CHECKING:\n    from decimal import Decimal\n\n\ndef f(x: Decimal) -> Optional[Any]: ...\n"),
    ("from __future__ import annotations\nfrom typing import (\n    Any,\n)\nfrom decimal import Decimal\n\n\n"
     "def f(x: Decimal) -> Any: ...\n",
     "from __future__ import annotations\nfrom typing import (\n    TYPE_CHECKING,\n    Any,\n)\n\n"
     "if TYPE_CHECKING:\n    from decimal import Decimal\n\n\ndef f(x: Decimal) -> Any: ...\n"),
])
def test_type_checking_is_added_to_the_existing_typing_import(tmp_path, before, after):
    out = fix_one(tmp_path, before, "--unsafe-fixes")
    assert out == after
    assert out.count("from typing import") == 1
    compile(out, "mod.py", "exec")
    # and it runs: TYPE_CHECKING is bound before the block reads it
    ns: dict = {}
    exec(out, ns)
    assert ns["TYPE_CHECKING"] is False and "Decimal" not in ns
