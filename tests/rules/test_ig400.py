"""IG400 deferrable imports: what is reported, the message with and without a measured cost,
the fix data for each target Python, and the PEP 810 `lazy import` codemod."""
import textwrap

import libcst as cst
import pytest

from helpers import check_sources
from importguard.config.settings import Config
from importguard.model import CostRecord
from importguard.rules.ig400_deferrable_import import outer_function


def ig400(files, **cfg):
    cfg.setdefault("select", ("IG400",))
    return [d for d in check_sources(files, Config(**cfg)) if d.code == "IG400"]


def cost(module, ms, preloaded=False):
    return CostRecord(module, ms, ms / 10, 1024, 5, "/py", "3.11.7", (), None, preloaded)


CLI = """\
import argparse
import sympy
from rich.console import Console
import httpx

def solve(expr):
    return sympy.solve(expr)

class Printer:
    def show(self, x):
        Console().print(x)

def fetch(url):
    def inner():
        return httpx.get(url)
    return inner()

def main():
    parser = argparse.ArgumentParser()
    return parser.parse_args()

main()
"""


def test_reports_each_import_used_only_in_functions_with_its_functions():
    diags = ig400(CLI)
    got = {(d.line, d.fix.scopes) for d in diags}
    # argparse too: `main()` runs at import time, but the import itself could still move into it
    assert got == {(1, ("main",)), (2, ("solve",)), (3, ("Printer.show",)), (4, ("fetch",))}
    assert all(d.fix.kind == "defer-import" and not d.fix.safe for d in diags)
    d2 = next(d for d in diags if d.line == 2)
    assert d2.message == "`sympy` is imported at module level; every use is inside functions (`solve`)"
    assert d2.fix.name == "sympy" and (d2.fix.line, d2.fix.col) == (2, 7)


def test_nested_function_use_moves_into_the_outermost_function():
    assert outer_function("fetch.<locals>.inner") == "fetch"
    assert outer_function("C.m.<locals>.f.<locals>.g") == "C.m"
    assert outer_function("C.m") == "C.m"


def test_message_carries_the_measured_cost_and_free_modules_are_skipped():
    costs = {"sympy": cost("sympy", 412.0), "rich.console": cost("rich.console", 38.25),
             "httpx": cost("httpx", 0.05), "argparse": cost("argparse", 0.0, preloaded=True)}
    diags = ig400(CLI, extra={"costs": costs})
    msgs = {d.line: d.message for d in diags}
    assert msgs == {
        2: "`sympy` costs 412 ms at import; every use is inside functions (`solve`)",
        3: "`rich.console` costs 38.2 ms at import; every use of `Console` is inside functions (`Printer.show`)",
    }


def test_target_315_offers_lazy_import_and_accepts_lambdas():
    src = "import json\nf = lambda: json.dumps(1)\ndef g():\n    return json.loads('1')\n"
    assert ig400(src) == []  # nothing can be moved into a lambda
    (d,) = ig400(src, target_version=(3, 15))
    assert d.fix.kind == "lazy-import" and d.fix.title == "Make it a `lazy import`"


@pytest.mark.parametrize("src", [
    "import sys\ndef f():\n    return sys.argv\n",  # loaded at start-up anyway
    "import os.path\ndef f():\n    return os.path.sep\n",
    "import json\nprint(json.dumps(1))\ndef f():\n    return json\n",  # also used at import time
    "if True:\n    import json\ndef f():\n    return json.dumps(1)\n",  # not directly in the module
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import json\ndef f():\n    return json\n",
    "import json  # noqa: IG400\ndef f():\n    return json.dumps(1)\n",
    "import json\n",  # unused: IG100's business
    "lazy import json\ndef f():\n    return json.dumps(1)\n",  # already lazy
    "from json import *\ndef f():\n    return dumps(1)\n",
    "from decimal import Decimal\ndef f():\n    x: Decimal = 1\n    return x\n",  # typing-only
    "import json\ndef f():\n    return json.dumps(1)\n__all__ = ['f', 'json']\n",
])
def test_not_reported(src):
    assert ig400(src) == []


def test_name_imported_from_this_module_elsewhere_is_kept():
    files = {"app/__init__.py": "", "app/a.py": "import json\ndef f():\n    return json.dumps(1)\n",
             "app/b.py": "from app.a import json\n"}
    assert ig400(files) == []
    files["app/b.py"] = "from app.a import f\n"
    assert [d.path for d in ig400(files)] == ["app/a.py"]


def test_first_party_imports_are_not_ig400():
    files = {"app/__init__.py": "", "app/util.py": "X = 1\n",
             "app/cli.py": "import app.util\nfrom app import util\ndef f():\n    return app.util.X, util.X\n"}
    assert ig400(files) == []


def test_off_by_default_and_selected_by_prefix():
    src = "import json\ndef f():\n    return json.dumps(1)\n"
    assert [d for d in check_sources(src, Config()) if d.code == "IG400"] == []
    assert len(ig400(src, select=("IG4",))) == 1


def test_ig100_and_ig200_messages_carry_known_costs():
    src = ("from __future__ import annotations\nimport sympy\nfrom decimal import Decimal\n"
           "from . import sibling\ndef f(x: Decimal): ...\n")
    costs = {"sympy": cost("sympy", 350.0), "decimal.Decimal": cost("decimal.Decimal", 2.5)}
    diags = check_sources({"pkg/__init__.py": "", "pkg/sibling.py": "", "pkg/m.py": src},
                          Config(extra={"costs": costs}))
    msgs = sorted(d.message for d in diags if d.path == "pkg/m.py")
    assert "`sympy` imported but unused (import cost 350 ms)" in msgs
    assert any(m.startswith("`Decimal` is only used in annotations") and m.endswith("(import cost 2.50 ms)")
               for m in msgs)
    assert "`.sibling` imported but unused" in msgs  # first party: never a cost
    # the cost travels as data too (``--sort cost`` ranks by it, never by parsing the message)
    by_message = {d.message.split(" ")[0]: d.cost_ms for d in diags if d.path == "pkg/m.py"}
    assert by_message == {"`sympy`": 350.0, "`Decimal`": 2.5, "`.sibling`": None}


# ---------------------------------------------------------------------------- lazy-import fix
def apply_to_source(src, positions):
    """``src`` with the import aliases at ``positions`` (line, column) made lazy by the fix loop's planner."""
    from importguard.fixers.edits import Editor, Index, apply
    from importguard.fixers.lazy_import import plan_lazy

    module = cst.parse_module(src)
    index, editor = Index(module), Editor()
    for line, col in positions:
        plan_lazy(editor, index, line, col)
    return apply(module, editor).code


def lazy(src, positions):
    src = textwrap.dedent(src)
    out = apply_to_source(src, positions)
    cst.parse_module(out)  # still parses
    assert apply_to_source(out, positions) == out  # idempotent
    return out


def test_lazy_import_keeps_comments_and_aliases():
    assert lazy("import sympy as sp  # heavy\n", [(1, 7)]) == "lazy import sympy as sp  # heavy\n"
    assert lazy("from rich.console import Console\n", [(1, 25)]) == "lazy from rich.console import Console\n"
    assert lazy("from .pkg import mod\n", [(1, 17)]) == "lazy from .pkg import mod\n"


def test_lazy_import_splits_a_statement_when_only_some_names_are_deferrable():
    assert lazy("import os, sympy, re  # c\n", [(1, 11)]) == "lazy import sympy\nimport os, re  # c\n"
    src = "from rich.console import (\n    Console,  # the printer\n    Group,\n)\n"
    assert lazy(src, [(2, 4)]) == ("lazy from rich.console import (\n    Console,  # the printer\n)\n"
                                   "from rich.console import (\n    Group,\n)\n")


def test_lazy_import_leaves_what_pep_810_forbids_and_what_was_not_asked():
    src = textwrap.dedent("""\
        from __future__ import annotations
        try:
            import json
        except ImportError:
            json = None
        def f():
            import re
        import sympy
        """)
    assert apply_to_source(src, [(1, 23), (3, 11), (7, 11)]) == src
    assert apply_to_source(src, [(8, 7)]) == src.replace("import sympy", "lazy import sympy")


# ---------------------------------------------------------------------------- through `importguard fix`
APP = """\
import json  # serialisation
import os, decimal
from concurrent.futures import ThreadPoolExecutor

def dump(x):
    return json.dumps(x)

def total(xs):
    return sum(decimal.Decimal(x) for x in xs) if os.sep else 0

class Runner:
    def run(self, f):
        with ThreadPoolExecutor() as pool:
            return pool.submit(f).result()
"""


def test_fix_defers_only_with_unsafe_fixes(tmp_path):
    from fix_helpers import fix_one

    assert fix_one(tmp_path, APP, "--select", "IG400") == APP  # unsafe: not applied by default
    out = fix_one(tmp_path, APP, "--select", "IG400", "--unsafe-fixes")
    assert out.startswith("import os\n\ndef dump(x):\n    import json  # serialisation\n    return json.dumps(x)\n")
    assert "def total(xs):\n    import decimal\n" in out
    assert "    def run(self, f):\n        from concurrent.futures import ThreadPoolExecutor\n" in out
    ns: dict = {}
    exec(compile(out, "mod.py", "exec"), ns)  # still runs, and behaves the same
    assert ns["dump"]([1]) == "[1]" and ns["Runner"]().run(lambda: 7) == 7
    assert fix_one(tmp_path, out, "--select", "IG400", "--unsafe-fixes") == out  # idempotent


def test_fix_makes_imports_lazy_for_python_315(tmp_path):
    from fix_helpers import fix_one

    out = fix_one(tmp_path, APP, "--select", "IG400", "--unsafe-fixes", "--target-version", "py315")
    assert out.startswith("lazy import json  # serialisation\nlazy import decimal\nimport os\n"
                          "lazy from concurrent.futures import ThreadPoolExecutor\n")
    cst.parse_module(out)
    assert fix_one(tmp_path, out, "--select", "IG400", "--unsafe-fixes", "--target-version", "py315") == out


def test_ig400_libcst_codemod_command(tmp_path, monkeypatch):
    from libcst.codemod import CodemodContext

    from importguard.fixers.codemods import DeferCostlyImports

    monkeypatch.chdir(tmp_path)
    src = "import json\n\ndef f():\n    return json.dumps(1)\n"
    out = DeferCostlyImports(CodemodContext()).transform_module(cst.parse_module(src))
    assert out.code == "\ndef f():\n    import json\n    return json.dumps(1)\n"
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nrequires-python = '>=3.15'\n")
    out = DeferCostlyImports(CodemodContext()).transform_module(cst.parse_module(src))
    assert out.code == "lazy " + src


def test_min_cost_ms_hides_cheap_measured_imports_but_not_unmeasured_ones():
    costs = {"sympy": cost("sympy", 412.0), "rich.console": cost("rich.console", 9.5),
             "httpx": cost("httpx", 10.0)}
    # argparse was never measured: still reported
    lines = sorted(d.line for d in ig400(CLI, extra={"costs": costs}))
    assert lines == [1, 2, 4]  # default 10 ms: rich.console (9.5 ms) is not worth deferring
    assert sorted(d.line for d in ig400(CLI, extra={"costs": costs}, min_cost_ms=0.0)) == [1, 2, 3, 4]
    assert sorted(d.line for d in ig400(CLI, extra={"costs": costs}, min_cost_ms=100.0)) == [1, 2]


@pytest.mark.parametrize("value, ok", [("50", False), ("true", False), ("-1", False), ("0", True), ("2.5", True)])
def test_min_cost_ms_config_is_validated(tmp_path, value, ok):
    from importguard.config.settings import ConfigError, load_config

    toml_value = value if value != "50" else repr(value)
    (tmp_path / "pyproject.toml").write_text(f"[tool.importguard]\nmin-cost-ms = {toml_value}\n")
    if ok:
        assert load_config(tmp_path).min_cost_ms == float(value)
    else:
        with pytest.raises(ConfigError, match="min-cost-ms"):
            load_config(tmp_path)
    assert Config().min_cost_ms == 10.0
