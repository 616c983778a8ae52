"""``.pyi`` stubs: part of the module graph (their imports are typing edges: a stub never runs)
and checked by IG100 with stub semantics (``import x as x`` and ``from m import y as y`` are
re-exports); the rules about runtime behaviour (IG200, IG201, IG202, IG400) leave stubs alone."""
from __future__ import annotations

import subprocess
import sys

from helpers import run_cli, run_json, write_tree

# the findings ruff reports (F401) on the same tree are exactly these five
TREE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "import os\nfrom pkg import a\nX = a.f\n",
    "pkg/a.pyi": (
        "import os\n"
        "import sys as sys\n"  # redundant alias: a re-export
        "from typing import List as List\n"  # likewise
        "from collections import OrderedDict\n"
        "from decimal import Decimal\n"  # used in an annotation: a use
        "from pkg import b\n"
        "def f(x: Decimal) -> int: ...\n"
    ),
    "pkg/b.py": "from pkg import native\nfrom pkg.native import thing\nY = thing\n",
    # a compiled extension's stub: the only source of module ``pkg.native``
    "pkg/native.pyi": "from pkg import b\nfrom decimal import Decimal\ndef thing(x: Decimal) -> b.Y: ...\n",
}


def _findings(doc):
    return sorted((d["path"], d["line"], d["code"], d["message"]) for d in doc["diagnostics"])


def test_ig100_in_stubs_reports_what_ruff_reports(tmp_path):
    doc = run_json(["check", "--no-cache", "."], write_tree(tmp_path, TREE))
    assert _findings(doc) == [
        ("pkg/a.py", 1, "IG100", "`os` imported but unused"),
        ("pkg/a.pyi", 1, "IG100", "`os` imported but unused"),
        ("pkg/a.pyi", 4, "IG100", "`collections.OrderedDict` imported but unused"),
        ("pkg/a.pyi", 6, "IG100", "`pkg.b` imported but unused"),
        ("pkg/b.py", 1, "IG100", "`pkg.native` imported but unused"),
    ]
    assert doc["summary"]["files"] == 5


def test_a_stub_only_module_joins_the_graph_with_typing_edges(tmp_path):
    doc = run_json(["graph", "--no-cache", "."], write_tree(tmp_path, TREE))
    edges = sorted((e["from"], e["to"], e["kind"]) for e in doc["edges"])
    # pkg.a comes from a.py (the stub beside it does not replace it); pkg.native from its stub
    assert edges == [("pkg.b", "pkg.native", "import-time"), ("pkg.native", "pkg.b", "typing")]
    assert [c["kind"] for c in doc["cycles"]] == ["typing"]  # never an import-time cycle


def test_runtime_rules_leave_stubs_alone(tmp_path):
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/m.pyi": (
            "from __future__ import annotations\n"
            "from typing import TYPE_CHECKING\n"
            "from decimal import Decimal\n"  # annotations only: IG200 in a .py, nothing in a stub
            "if TYPE_CHECKING:\n"
            "    from fractions import Fraction\n"
            "if TYPE_CHECKING:\n"  # a second block: IG202 in a .py
            "    from json import JSONDecoder\n"
            "X: Fraction\n"
            "Y: JSONDecoder\n"
            "def f(x: Decimal) -> None: ...\n"
        ),
        "pkg/m.py": (
            "from __future__ import annotations\n"
            "from typing import TYPE_CHECKING\n"
            "from decimal import Decimal\n"
            "if TYPE_CHECKING:\n"
            "    from fractions import Fraction\n"
            "if TYPE_CHECKING:\n"
            "    from json import JSONDecoder\n"
            "X: Fraction\n"
            "Y: JSONDecoder\n"
            "def f(x: Decimal) -> None: ...\n"
        ),
    })
    doc = run_json(["check", "--no-cache", "--select", "IG1,IG2,IG4", "."], tmp_path)
    by_path: dict = {}
    for d in doc["diagnostics"]:
        by_path.setdefault(d["path"], set()).add(d["code"])
    assert by_path == {"pkg/m.py": {"IG200", "IG202"}}


def test_the_simulation_treats_a_stub_only_module_as_opaque(tmp_path):
    # a and b import each other; a imports the compiled extension pkg.native while b is only
    # partly initialised. The extension's stub says ``from pkg.b import X``, but the stub never
    # runs (the extension does not import pkg.b): an IG301 predicted from it would be wrong.
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\nfrom pkg.native import helper\n",
        "pkg/b.py": "from pkg import a\nX = 1\n",
        "pkg/native.pyi": "from pkg.b import X\ndef helper() -> X: ...\n",
    })
    doc = run_json(["check", "--no-cache", "--select", "IG3", "."], tmp_path)
    assert {d["code"] for d in doc["diagnostics"]} == {"IG300"}  # the cycle a <-> b, nothing more
    # the simulation itself, entry pkg.b: with a real pkg/native.py it fails (Python agrees, see
    # the check below); with only the stub, the module is opaque and nothing fails
    from importguard.analysis.graph import ModuleInfo
    from importguard.analysis.simulate import simulate
    from importguard.extract import extract

    def info(name, rel, is_package=False):
        return ModuleInfo(name, rel, is_package, extract((tmp_path / rel).read_bytes()))

    modules = {"pkg": info("pkg", "pkg/__init__.py", True), "pkg.a": info("pkg.a", "pkg/a.py"),
               "pkg.b": info("pkg.b", "pkg/b.py"), "pkg.native": info("pkg.native", "pkg/native.pyi")}
    assert simulate(modules, ["pkg.b"]).failed.get("pkg.b") is None
    as_module = dict(modules, **{"pkg.native": modules["pkg.native"]._replace(path="pkg/native.py")})
    failure = simulate(as_module, ["pkg.b"]).failed["pkg.b"]
    assert failure is not None
    assert failure.message.startswith("cannot import name 'X' from partially initialized module 'pkg.b'")
    (tmp_path / "pkg" / "native.py").write_bytes((tmp_path / "pkg" / "native.pyi").read_bytes())
    proc = subprocess.run([sys.executable, "-c", "import pkg.b"], cwd=tmp_path, capture_output=True, text=True)
    assert "cannot import name 'X' from partially initialized module 'pkg.b'" in proc.stderr


def test_fix_removes_unused_stub_imports_and_keeps_re_exports(tmp_path):
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/s.pyi": "import os\nimport sys as sys\nfrom m import y as y\n"})
    proc = run_cli(["fix", "--no-cache", "."], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "pkg" / "s.pyi").read_text() == "import sys as sys\nfrom m import y as y\n"
