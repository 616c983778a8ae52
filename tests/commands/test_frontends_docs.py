"""The copy-paste snippets of docs/frontends.md, run as users paste them.

flake8: the ini snippet in a repository without pyproject.toml (setup.cfg, tox.ini or .flake8
alone) and the command line of the bash snippet. pre-commit: the configuration snippet through
the real ``pre-commit`` (tests/commands/test_precommit.py's fixtures), with this checkout as the repository.
The GitHub Actions workflow runs in tests/commands/test_action.py.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from helpers import SRC, write_tree

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "frontends.md").read_text(encoding="utf-8")


def blocks(section: str, lang: str) -> List[str]:
    """The ```lang code blocks of one ``## section`` of docs/frontends.md."""
    start = DOC.index(f"## {section}\n")
    end = DOC.find("\n## ", start + 1)
    text = DOC[start:end if end > 0 else len(DOC)]
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


PROJECT = {
    "src/pkg/__init__.py": "",
    "src/pkg/a.py": "from pkg import b\n\nX = 1\n\n\ndef f():\n    return b.Y\n",
    "src/pkg/b.py": "from pkg import a\n\nY = a.X\n",
    # IG200 (silenced in tests/ by per-file-ignores) and IG100 (not silenced)
    "tests/test_a.py": ("from __future__ import annotations\n\nimport json\nfrom decimal import Decimal\n\n\n"
                        "def test(x: Decimal = None) -> None:\n    assert x is None\n"),
}


@pytest.mark.slow
@pytest.mark.parametrize("config_file", ["setup.cfg", "tox.ini", ".flake8"])
def test_flake8_snippet_without_pyproject(tmp_path, config_file):
    pytest.importorskip("flake8")
    (ini,) = blocks("flake8", "ini")
    (bash,) = blocks("flake8", "bash")
    root = write_tree(tmp_path, PROJECT)
    (root / config_file).write_text(ini, encoding="utf-8")  # verbatim
    assert not (root / "pyproject.toml").exists()
    (command,) = [line.split("#")[0].split() for line in bash.splitlines() if line.startswith("flake8 ")]
    env = dict(os.environ, PYTHONPATH=SRC)
    proc = subprocess.run([sys.executable, "-m", *command], cwd=str(root), env=env, capture_output=True,
                          text=True, timeout=300)
    ig = sorted(" ".join(line.split(" ", 2)[:2]) for line in proc.stdout.splitlines() if ": IG" in line)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ig == ["src/pkg/a.py:1:17: IG300", "src/pkg/b.py:3:5: IG301", "tests/test_a.py:3:8: IG100"], proc.stdout
    assert "Import cycle of 2 modules: `pkg.a` -> `pkg.b` -> `pkg.a`" in proc.stdout
    # the IG200 in tests/ is there, silenced by the snippet's per-file-ignores
    cli = subprocess.run([sys.executable, "-m", "importguard", "check", "--no-cache", "tests"], cwd=str(root),
                         env=env, capture_output=True, text=True, timeout=300)
    assert "tests/test_a.py:4:21: IG200" in cli.stdout, cli.stdout


@pytest.mark.slow
def test_precommit_snippet(tmp_path):
    pytest.importorskip("pre_commit")
    yaml = pytest.importorskip("yaml")
    from test_precommit import make_target

    (snippet, *_) = blocks("pre-commit", "yaml")
    ref = subprocess.run(["git", "rev-parse", "HEAD"], cwd=str(ROOT), capture_output=True, text=True)
    if ref.returncode != 0:
        pytest.fail("this checkout is not a git repository")
    config = snippet.replace("https://github.com/OWNER/importguard", str(ROOT))
    config = re.sub(r"rev: \S+", f"rev: {ref.stdout.strip()}", config)
    assert yaml.safe_load(config)["repos"][0]["hooks"][0]["id"] == "importguard"
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(PRE_COMMIT_HOME=str(home), HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    target = make_target(tmp_path / "target", env)
    (target / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")  # verbatim but for repo and rev
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=str(target), env=env,
                          capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "pkg/a.py:1:8: IG100" in out and "pkg/a.py:2:17: IG300" in out
