"""One project root for every front end: the CLI, the flake8 plugin and the codemods agree.

The root is the folder of the nearest ``pyproject.toml``; else of the nearest ``setup.cfg``,
``setup.py``, ``tox.ini`` or ``.flake8``; else the version-control root; else the working
directory. A repository configured for flake8 alone must name its modules as the CLI does.
"""
from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from helpers import SRC, run_cli, write_tree
from importguard.config.settings import find_project_root, load_config

if TYPE_CHECKING:
    from pathlib import Path

MARKERS = {
    "setup.cfg": "[flake8]\nselect = IG\n",
    "setup.py": "from setuptools import setup\nsetup()\n",
    "tox.ini": "[flake8]\nselect = IG\n",
    ".flake8": "[flake8]\nselect = IG\n",
    ".git": None,  # a folder
    ".hg": None,
}

# pkg.a <-> pkg.b import cycle at import time, and an unused import
PKG = {
    "pkg/__init__.py": "",
    "pkg/a.py": "import os\nfrom pkg import b\n\nX = b.Y\n",
    "pkg/b.py": "from pkg import a\n\nY = 1\n\n\ndef f():\n    return a.X\n",
}


def make_repo(root: Path, marker: str) -> Path:
    write_tree(root, PKG)
    content = MARKERS[marker]
    if content is None:
        (root / marker).mkdir()
    else:
        (root / marker).write_text(content, encoding="utf-8")
    return root


@pytest.mark.parametrize("marker", sorted(MARKERS))
def test_root_is_the_marker_folder(tmp_path, marker):
    root = make_repo(tmp_path / "repo", marker)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert find_project_root(root / "pkg" / "a.py", cwd=elsewhere) == (root.resolve(), None)
    assert find_project_root(root / "pkg", cwd=elsewhere)[0] == root.resolve()
    assert load_config(root / "pkg", cwd=elsewhere).project_root == root.resolve()


def test_pyproject_wins_over_nearer_markers(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": "[project]\nname='x'\n", "sub/setup.cfg": "", "sub/pkg/__init__.py": ""})
    assert find_project_root(tmp_path / "sub" / "pkg") == (tmp_path.resolve(), tmp_path.resolve() / "pyproject.toml")


def test_nearest_marker_wins_over_the_vcs_root(tmp_path):
    write_tree(tmp_path, {"sub/tox.ini": "", "sub/pkg/__init__.py": ""})
    (tmp_path / ".git").mkdir()
    assert find_project_root(tmp_path / "sub" / "pkg")[0] == (tmp_path / "sub").resolve()
    assert find_project_root(tmp_path / "other")[0] == tmp_path.resolve()


def test_without_markers_the_working_directory(tmp_path):
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": ""})
    assert find_project_root(tmp_path / "pkg" / "a.py", cwd=tmp_path)[0] == tmp_path.resolve()
    # a start outside the working directory is its own root
    other = tmp_path / "other"
    other.mkdir()
    assert find_project_root(tmp_path / "pkg", cwd=other)[0] == (tmp_path / "pkg").resolve()


def test_cli_on_a_subfolder_names_modules_from_the_root(tmp_path):
    root = make_repo(tmp_path, "setup.cfg")
    proc = run_cli(["check", "--no-cache", "pkg"], root)
    assert "`pkg.a` -> `pkg.b`" in proc.stdout or "`pkg.b` -> `pkg.a`" in proc.stdout, proc.stdout


def _flake8(args, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=300)


def _ig(out: str):
    return sorted(line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in out.splitlines() if " IG" in line)


@pytest.mark.slow
@pytest.mark.parametrize("marker", sorted(MARKERS))
def test_flake8_plugin_without_pyproject_finds_the_cycle(tmp_path, marker):
    pytest.importorskip("flake8")
    root = make_repo(tmp_path, marker)
    cli = run_cli(["check", "--no-cache", "."], root)
    cli_codes = sorted(line.split(": ")[1].split()[0] for line in cli.stdout.splitlines() if ": IG" in line)
    assert "IG300" in cli_codes, cli.stdout
    proc = _flake8(["--select", "IG", "."], root)
    assert proc.returncode == 1, proc.stderr
    codes = sorted(line.split(" ")[1] for line in proc.stdout.splitlines() if " IG" in line)
    assert codes == cli_codes, (proc.stdout, cli.stdout)
    assert "Import cycle of 2 modules: `pkg.a` -> `pkg.b` -> `pkg.a`" in proc.stdout
    # one file named alone (as pre-commit and editors pass it) still sees the whole graph
    single = _flake8(["--select", "IG", "pkg/b.py"], root)
    assert "IG300" in single.stdout, single.stdout
