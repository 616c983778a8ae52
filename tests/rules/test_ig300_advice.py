"""IG300 advice: never an import made under a platform or availability test (click's case), never
"typing-only" for an annotation Python evaluates."""
import subprocess
import sys

import pytest

from helpers import check_sources, write_tree


def test_conditional_import_is_not_the_advised_cut():
    files = {
        "pkg/__init__.py": "",
        "pkg/utils.py": ("import sys\nif sys.platform.startswith('win'):\n    from pkg._win import stream\n"
                         "else:\n    def stream():\n        return None\n"
                         "def echo():\n    return stream()\n"),
        "pkg/_win.py": "from pkg import utils\n\ndef stream():\n    return utils.echo\n",
    }
    (d,) = [d for d in check_sources(files) if d.code == "IG300"]
    assert d.path == "pkg/_win.py"
    assert d.fix is not None and d.fix.kind == "defer-import" and d.fix.scopes == ("stream",)


def test_only_conditional_edges_get_advice_without_a_fix():
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "try:\n    from pkg import b\nexcept ImportError:\n    b = None\ndef f():\n    return b\n",
        "pkg/b.py": "try:\n    from pkg import a\nexcept ImportError:\n    a = None\ndef g():\n    return a\n",
    }
    (d,) = [d for d in check_sources(files) if d.code == "IG300"]
    assert "imported under a condition" in d.message and d.fix is None


ANNOTATED = {
    "module-level variable": "from pkg.b import B\nv: B = None\n",
    "class-level variable": "from pkg.b import B\nclass C:\n    v: B\n",
    "function signature": "from pkg.b import B\ndef f(x: B) -> B:\n    return x\n",
}


@pytest.mark.parametrize("where", sorted(ANNOTATED))
def test_advice_never_calls_an_evaluated_annotation_typing_only(where, tmp_path):
    body = ANNOTATED[where]
    files = {"pkg/__init__.py": "", "pkg/a.py": body + "A = 1\n",
             "pkg/b.py": "from pkg.a import A\nclass B:\n    pass\ndef g():\n    return A\n"}
    (d,) = [d for d in check_sources(files, select=("IG300",)) if d.path == "pkg/a.py"]
    assert "only used in annotations" not in d.message
    assert "add `from __future__ import annotations` to `pkg.a`" in d.message and d.fix is None
    # the old advice, applied, breaks the import for real
    moved = body.replace("from pkg.b import B\n",
                         "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n")
    write_tree(tmp_path, {**files, "pkg/a.py": moved + "A = 1\n"})
    proc = subprocess.run([sys.executable, "-c", "import pkg.a"], cwd=str(tmp_path), capture_output=True, text=True)
    assert "NameError" in proc.stderr
    # with postponed annotations (or on 3.14) it is typing-only, and the move works
    (d,) = [d for d in check_sources({**files, "pkg/a.py": "from __future__ import annotations\n" + body + "A = 1\n"},
                                      select=("IG300",)) if d.path == "pkg/a.py"]
    assert "only used in annotations" in d.message and d.fix is not None and d.fix.kind == "move-to-type-checking"
    write_tree(tmp_path, {"pkg/a.py": "from __future__ import annotations\n" + moved + "A = 1\n"})
    proc = subprocess.run([sys.executable, "-c", "import pkg.a"], cwd=str(tmp_path), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (d,) = [d for d in check_sources(files, select=("IG300",), target_version=(3, 14)) if d.path == "pkg/a.py"]
    assert "only used in annotations" in d.message
