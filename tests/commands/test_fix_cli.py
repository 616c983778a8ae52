"""``importguard fix`` as a command: --diff, --select/--ignore, summary, exit status, idempotence."""
from __future__ import annotations

import json

from helpers import run_cli, write_tree

TREE = {
    "a.py": "import os\nimport sys\nprint(sys.argv)\n",
    "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\nx = 1\n",
    "c.py": "from __future__ import annotations\nfrom decimal import Decimal\ndef f(x: Decimal): ...\n",
}


def snapshot(root):
    return {p.name: p.read_bytes() for p in sorted(root.glob("*.py"))}


def test_diff_prints_and_writes_nothing(tmp_path):
    write_tree(tmp_path, TREE)
    before = snapshot(tmp_path)
    proc = run_cli(["fix", "--diff", "--no-cache", "."], tmp_path)
    assert snapshot(tmp_path) == before
    assert proc.returncode == 1
    assert "--- a/a.py\n+++ b/a.py\n@@ -1,3 +1,2 @@\n-import os\n import sys\n print(sys.argv)\n" in proc.stdout
    assert "--- a/b.py" in proc.stdout and "c.py" not in proc.stdout  # IG200 is unsafe
    assert "2 would be fixed, 1 remaining (2 files would change)" in proc.stderr


def test_fix_writes_summary_and_exit_status(tmp_path):
    write_tree(tmp_path, TREE)
    proc = run_cli(["fix", "--no-cache", "."], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[-1] == "2 fixed, 1 remaining (2 files changed)"
    assert "c.py:2:21: IG200" in proc.stdout
    assert (tmp_path / "a.py").read_text() == "import sys\nprint(sys.argv)\n"
    assert (tmp_path / "b.py").read_text() == "x = 1\n"
    again = run_cli(["fix", "--diff", "--no-cache", "."], tmp_path)
    assert again.stdout == ""
    done = run_cli(["fix", "--no-cache", "--unsafe-fixes", "."], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "1 fixed, 0 remaining (1 file changed)"
    assert run_cli(["fix", "--diff", "--no-cache", "--unsafe-fixes", "."], tmp_path).stdout == ""


def test_select_and_ignore(tmp_path):
    write_tree(tmp_path, TREE)
    run_cli(["fix", "--no-cache", "--select", "IG202", "."], tmp_path)
    assert (tmp_path / "a.py").read_text() == TREE["a.py"]
    assert (tmp_path / "b.py").read_text() == "x = 1\n"  # the IG202 fix takes TYPE_CHECKING too
    run_cli(["fix", "--no-cache", "--ignore", "IG100", "."], tmp_path)
    assert (tmp_path / "a.py").read_text() == TREE["a.py"]


def test_json_format(tmp_path):
    write_tree(tmp_path, TREE)
    proc = run_cli(["fix", "--no-cache", "--format", "json", "."], tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["summary"]["fixed"] == 2
    assert [d["code"] for d in doc["diagnostics"]] == ["IG200"]


def test_unparsable_file_is_reported_and_left(tmp_path):
    write_tree(tmp_path, {"bad.py": "import os\nx = (\n", "good.py": "import os\n"})
    proc = run_cli(["fix", "--no-cache", "."], tmp_path)
    assert proc.returncode == 1
    assert "bad.py:" in proc.stdout and "IG900" in proc.stdout
    assert (tmp_path / "bad.py").read_text() == "import os\nx = (\n"
    assert (tmp_path / "good.py").read_text() == ""


def test_fix_in_a_package_keeps_init_reexports(tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": "[project]\nname = 'p'\n",
        "pkg/__init__.py": "from .core import thing\nimport json\n",
        "pkg/core.py": "thing = 1\n",
    })
    run_cli(["fix", "--no-cache", "."], tmp_path)
    assert (tmp_path / "pkg/__init__.py").read_text() == "from .core import thing\n"


def test_name_imported_from_this_module_elsewhere_is_not_removed(tmp_path):
    write_tree(tmp_path, {
        # an application: in a library, `pkg.core` (a re-export module) would keep `json` too
        "pyproject.toml": "[project]\nname = 'p'\n[tool.importguard]\nlibrary = false\n",
        "pkg/__init__.py": "",
        "pkg/core.py": "from os import sep\nimport json\n",
        "pkg/user.py": "from pkg.core import sep\nprint(sep)\n",
    })
    proc = run_cli(["fix", "--no-cache", "."], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "pkg/core.py").read_text() == "from os import sep\n"
    # IG100 itself knows `sep` is a re-export in use; the fixer's own guard stays as a second line
    assert "sep" not in run_cli(["check", "--no-cache", "--select", "IG100", "."], tmp_path).stdout


def test_defer_refuses_conditional_import(tmp_path):
    import libcst as cst

    from importguard.extract import extract
    from importguard.fixers.apply import fix_module
    from importguard.model import Diagnostic, Fix

    src = ("import sys\nif sys.platform == 'win32':\n    from os import sep\nelse:\n    def sep():\n        return 1\n"
           "def f():\n    return sep()\n")
    facts = extract(src.encode())
    d = Diagnostic("m.py", 3, 20, "IG300", "cycle", fix=Fix("defer-import", False, "t", 3, 19, "sep", ("f",)))
    out = fix_module(cst.parse_module(src), [d], facts)
    assert out.module is None
    assert "conditional" in out.refused[0][1]


def test_cycles_are_broken_only_when_ig300_is_named(tmp_path):
    files = {
        "pyproject.toml": "[project]\nname = 'p'\n",
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n\n\ndef f():\n    return b.X\n",
        "pkg/b.py": "from pkg import a\n\nX = 1\nNAME = a.__name__\n",
    }
    write_tree(tmp_path, files)
    run_cli(["fix", "--no-cache", "--unsafe-fixes", "."], tmp_path)
    assert (tmp_path / "pkg/a.py").read_text() == files["pkg/a.py"]  # hygiene only: the cycle stays
    proc = run_cli(["fix", "--no-cache", "--unsafe-fixes", "--select", "IG300", "."], tmp_path)
    assert "from pkg import b" in (tmp_path / "pkg/a.py").read_text().split("def f")[1]
    assert "IG300" not in run_cli(["check", "--no-cache", "."], tmp_path).stdout, proc.stdout
