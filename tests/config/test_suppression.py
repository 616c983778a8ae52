"""Suppressions users already wrote for flake8 and ruff, and ``per-file-ignores``."""
import json
import os
import subprocess
import sys

import pytest

from helpers import SRC, check_sources, codes, run_cli, write_tree
from importguard.config.settings import Config, ConfigError, load_config


# ---------------------------------------------------------------------------- file-level noqa
# What flake8 7 and ruff 0.x do with each comment, for an unused import (F401) in the same file:
# flake8 skips the file on `# flake8: noqa` at the start of a line (with or without codes after
# it); ruff reads `# flake8: noqa` and `# ruff: noqa` on their own line, the codes after a second
# colon narrowing the exemption to those codes. importguard reads both spellings and takes the
# codes as ruff does: a listed code exempts the file from that code only.
@pytest.mark.parametrize("comment,unused", [
    ("# flake8: noqa", 0),
    ("# ruff: noqa", 0),
    ("#ruff:noqa", 0),
    ("# RUFF: NOQA", 0),
    ("    # flake8: noqa", 0),
    ("# flake8= noqa", 0),
    ("# ruff: noqa: F401", 0),
    ("# ruff: noqa:F401,E501", 0),
    ("# flake8: noqa: F401", 0),
    ("# ruff: noqa: IG100", 0),
    ("# ruff: noqa: IG1", 0),
    ("# ruff: noqa: E501", 2),  # other codes only
    ("# flake8: noqa: E123", 2),
    ("x = 1  # ruff: noqa", 2),  # not on its own line: neither tool reads it
    ("x = 1  # flake8: noqa", 2),
    ("# ruff: noqa: IG200", 2),
    ("'''# ruff: noqa'''", 2),  # in a string, not a comment
])
def test_file_level_noqa(comment, unused):
    source = f"import os\n{comment}\nimport sys\n"
    assert codes(check_sources(source)).count("IG100") == unused


def test_file_level_noqa_anywhere_in_the_file():
    source = "import os\n\n\ndef f():\n    # ruff: noqa\n    return 1\n"
    assert codes(check_sources(source)) == []


TYPING_ONLY = """\
from __future__ import annotations
from decimal import Decimal
{comment}

def f(x: Decimal) -> None:
    pass
"""


def test_blanket_file_noqa_exempts_typing_only_imports_too():
    assert codes(check_sources(TYPING_ONLY.format(comment=""))) == ["IG200"]
    assert codes(check_sources(TYPING_ONLY.format(comment="# flake8: noqa"))) == []
    assert codes(check_sources(TYPING_ONLY.format(comment="# ruff: noqa: TC003"))) == []
    # kept on purpose for the whole file (a re-export module), as `# noqa: F401` on one import
    assert codes(check_sources(TYPING_ONLY.format(comment="# ruff: noqa: F401"))) == []
    assert codes(check_sources(TYPING_ONLY.format(comment="# ruff: noqa: E501"))) == ["IG200"]


def test_blanket_file_noqa_does_not_hide_a_runtime_error():
    # IG201: a TYPE_CHECKING import used at runtime raises NameError; a file-level blanket noqa
    # exempts the file from IG100/IG200 only
    source = ("from typing import TYPE_CHECKING\n# ruff: noqa\nif TYPE_CHECKING:\n"
              "    from decimal import Decimal\nprint(Decimal)\n")
    assert codes(check_sources(source)) == ["IG201"]


def test_file_level_noqa_with_the_cycle_code(tmp_path):
    files = {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "from pkg import a\n"}
    assert "IG300" in codes(check_sources(files))
    files["pkg/a.py"] = "# ruff: noqa\nfrom pkg import b\n"
    files["pkg/b.py"] = "# ruff: noqa\nfrom pkg import a\n"
    assert "IG300" in codes(check_sources(files))  # a blanket file noqa is about IG100/IG200
    files["pkg/a.py"] = "# ruff: noqa: IG300\nfrom pkg import b\n"
    files["pkg/b.py"] = "# ruff: noqa: IG300\nfrom pkg import a\n"
    assert "IG300" not in codes(check_sources(files))


# ---------------------------------------------------------------------------- per-file-ignores
PFI_TREE = {
    "pkg/__init__.py": "",
    "pkg/compat.py": "import os\n",
    "pkg/a.py": "import os\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/deep.py": "import os\n",
    "tests/test_x.py": "import os\n",
    "tests/unit/test_y.py": "import os\n",
    "scripts/tool.py": "import os\n",
}


def unused_in(tmp_path, table: str):
    write_tree(tmp_path, dict(PFI_TREE, **{"pyproject.toml": "[tool.importguard.per-file-ignores]\n" + table}))
    proc = run_cli(["check", "--format", "json", "--no-cache"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted(d["path"] for d in json.loads(proc.stdout)["diagnostics"] if d["code"] == "IG100")


ALL = sorted(p for p, text in PFI_TREE.items() if text)


@pytest.mark.parametrize("table,silenced", [
    ('"pkg/compat.py" = ["IG100"]', {"pkg/compat.py"}),
    ('"tests/**" = ["IG1"]', {"tests/test_x.py", "tests/unit/test_y.py"}),
    ('"**/test_*.py" = ["IG100"]', {"tests/test_x.py", "tests/unit/test_y.py"}),
    # as in ruff: `*` also crosses `/` ...
    ('"pkg/*.py" = ["IG100"]', {"pkg/compat.py", "pkg/a.py", "pkg/sub/deep.py"}),
    # ... a glob without `/` also matches the file's name anywhere ...
    ('"deep.py" = ["IG100"]', {"pkg/sub/deep.py"}),
    ('"test_*.py" = ["IG100"]', {"tests/test_x.py", "tests/unit/test_y.py"}),
    # ... a path with `/` is relative to the project root, not to any folder
    ('"sub/deep.py" = ["IG100"]', set()),
    ('"./pkg/a.py" = ["IG100"]', {"pkg/a.py"}),
    ('"{scripts,tests}/*.py" = ["IG100"]', {"scripts/tool.py", "tests/test_x.py", "tests/unit/test_y.py"}),
    ('"!pkg/**" = ["IG100"]', {"scripts/tool.py", "tests/test_x.py", "tests/unit/test_y.py"}),
    ('"pkg/[ab].py" = ["IG100"]', {"pkg/a.py"}),
    ('"pkg/[!a]*.py" = ["IG100"]', {"pkg/compat.py", "pkg/sub/deep.py"}),
    ('"tests/**" = ["IG2"]', set()),  # other codes only
    ('"tests/**" = ["ALL"]', {"tests/test_x.py", "tests/unit/test_y.py"}),
])
def test_per_file_ignores(tmp_path, table, silenced):
    assert unused_in(tmp_path, table) == sorted(set(ALL) - silenced)


def test_per_file_ignores_from_a_subfolder_are_relative_to_the_project_root(tmp_path):
    unused_in(tmp_path, '"pkg/sub/*" = ["IG100"]')
    proc = run_cli(["check", "--format", "json", "--no-cache", "."], tmp_path / "pkg")
    paths = sorted(d["path"] for d in json.loads(proc.stdout)["diagnostics"])
    assert paths == ["a.py", "compat.py"]


def test_per_file_ignores_silence_cycles_in_that_file(tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "pkg/__init__.py": "", "pkg/a.py": "from pkg import b\nb\n", "pkg/b.py": "from pkg import a\na\n",
    })
    doc = json.loads(run_cli(["check", "--format", "json", "--no-cache"], tmp_path).stdout)
    assert [d["code"] for d in doc["diagnostics"]] == ["IG300"]
    (tmp_path / "pyproject.toml").write_text('[tool.importguard.per-file-ignores]\n"pkg/*" = ["IG3"]\n')
    proc = run_cli(["check", "--format", "json", "--no-cache"], tmp_path)
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0 and doc["diagnostics"] == []
    assert len(doc["cycles"]) == 1  # the graph still knows the cycle


PFI_TESTS = '[tool.importguard.per-file-ignores]\n"tests/**" = ["IG100"]\n'


def test_per_file_ignores_apply_to_fix_and_baseline(tmp_path):
    write_tree(tmp_path, dict(PFI_TREE, **{"pyproject.toml": PFI_TESTS}))
    proc = run_cli(["check", "--write-baseline", "bl.json", "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    held = json.loads((tmp_path / "bl.json").read_text())
    assert "tests/" not in json.dumps(held) and "pkg/a.py" in json.dumps(held), held
    run_cli(["fix", "--no-cache"], tmp_path)
    assert (tmp_path / "tests/test_x.py").read_text() == "import os\n"
    assert (tmp_path / "pkg/a.py").read_text() == ""


def test_per_file_ignores_in_the_flake8_plugin(tmp_path):
    write_tree(tmp_path, dict(PFI_TREE, **{"pyproject.toml": PFI_TESTS}))
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select", "IG", "."], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=300)
    flagged = sorted(line.split(":")[0].lstrip("./") for line in proc.stdout.splitlines() if "IG100" in line)
    assert flagged == ["pkg/a.py", "pkg/compat.py", "pkg/sub/deep.py", "scripts/tool.py"], proc.stdout + proc.stderr


@pytest.mark.parametrize("table,needle", [
    ('"tests/**" = ["F401"]', "unknown rule code or prefix 'F401'"),
    ('"tests/**" = ["IG999"]', "unknown rule code or prefix 'IG999'"),
    ('"tests/**" = "IG100"', "must be a list of rule codes"),
    ('"tests/**" = [1]', "must be a list of strings"),
    ('"tests/{a,b" = ["IG100"]', "cannot read the glob"),
])
def test_bad_per_file_ignores_are_clear_errors(tmp_path, table, needle):
    (tmp_path / "pyproject.toml").write_text("[tool.importguard.per-file-ignores]\n" + table + "\n")
    proc = run_cli(["check"], tmp_path)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr


def test_per_file_ignores_must_be_a_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.importguard]\nper-file-ignores = ['tests/**']\n")
    with pytest.raises(ConfigError, match="must be a table"):
        load_config(tmp_path)


def test_ignored_codes_python_api(tmp_path):
    config = Config(project_root=tmp_path, per_file_ignores=(("tests/**", ("IG2",)), ("*.pyi", ("IG1",))))
    assert config.ignored_codes(str(tmp_path / "tests" / "a" / "t.py")) == ("IG2",)
    assert config.ignored_codes(str(tmp_path / "pkg" / "t.pyi")) == ("IG1",)
    assert config.ignored_codes(str(tmp_path / "pkg" / "t.py")) == ()
