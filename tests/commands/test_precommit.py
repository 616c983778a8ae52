"""The pre-commit hooks, through the real ``pre-commit try-repo`` with this repository.

pre-commit clones this repository at its committed HEAD, installs it into a fresh virtualenv
(with libcst, networkx and flake8 from the package index) and runs the hook on a temporary git
repository that holds an import cycle and an unused import.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from helpers import run_cli, write_tree

yaml = pytest.importorskip("yaml")
pytest.importorskip("pre_commit")

ROOT = Path(__file__).resolve().parents[2]

BROKEN = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "pkg/__init__.py": "",
    "pkg/a.py": "import os\nfrom pkg import b\n\n\ndef f():\n    return b.X\n",
    # b uses `a` at import time: the import in a.py is the one to cut
    "pkg/b.py": "from pkg import a\n\nX = 1\nNAME = a.__name__\n\n\ndef g():\n    return a.f()\n",
    "pkg/c.py": "VALUE = 1\n",
}
FIXED = {
    "pkg/a.py": "X = 0\n\n\ndef f():\n    from pkg import b\n\n    return b.X\n",
}


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"importguard", "importguard-fix"}
    assert hooks["importguard"]["entry"] == "importguard check --force-exclude"
    assert hooks["importguard-fix"]["entry"] == "importguard fix --force-exclude"
    for h in hooks.values():
        assert h["language"] == "python" and h["require_serial"] is True and h["types"] == ["python"]


def test_file_names_report_those_files_and_their_cycles(tmp_path):
    """What the hook runs: `importguard check --force-exclude FILE ...` (no pre-commit needed)."""
    write_tree(tmp_path, {**BROKEN, "pyproject.toml": "[tool.importguard]\nexclude = ['migrations']\n",
                          "migrations/m1.py": "import sys\n"})
    proc = run_cli(["check", "--force-exclude", "pkg/b.py"], tmp_path)
    assert proc.returncode == 1 and "pkg/a.py:2:17: IG300" in proc.stdout and "IG100" not in proc.stdout
    proc = run_cli(["check", "--force-exclude", "migrations/m1.py", "pkg/c.py"], tmp_path)
    assert proc.returncode == 0, proc.stdout
    proc = run_cli(["check", "migrations/m1.py"], tmp_path)  # named without the flag: checked
    assert proc.returncode == 1 and "migrations/m1.py:1:8: IG100" in proc.stdout


def git(args: List[str], cwd: Path, env: Dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=str(cwd), env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> Dict[str, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path_factory.mktemp("pre-commit-home")
    e = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "PYTHONPATH", "VIRTUAL_ENV"))}
    e.update(PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
             GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1",
             HOME=str(home), PIP_DISABLE_PIP_VERSION_CHECK="1")
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE"):
        if key in os.environ:
            e[key] = os.environ[key]
    return e


@pytest.fixture(scope="module")
def ref() -> str:
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=str(ROOT), capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip("this checkout is not a git repository")
    return proc.stdout.strip()


def try_repo(target: Path, hook: str, ref: str, env: Dict[str, str], *files: str) -> subprocess.CompletedProcess:
    selection = ["--files", *files] if files else ["--all-files"]
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--ref", ref,
                           "--verbose", *selection], cwd=str(target), env=env, capture_output=True, text=True,
                          timeout=900)


def make_target(path: Path, env: Dict[str, str]) -> Path:
    write_tree(path, BROKEN)
    git(["init", "-q"], path, env)
    git(["add", "-A"], path, env)
    git(["commit", "-qm", "broken"], path, env)
    return path


@pytest.mark.slow
def test_try_repo_fails_on_a_cycle_and_an_unused_import_then_passes(tmp_path, env, ref):
    # each try-repo installs the hook into a fresh store (~45 s here): two runs, nothing more
    target = make_target(tmp_path / "target", env)
    proc = try_repo(target, "importguard", ref, env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "importguard" in out and "Failed" in out
    assert "pkg/a.py:1:8: IG100" in out and "pkg/a.py:2:17: IG300" in out

    write_tree(target, FIXED)
    git(["commit", "-qam", "fixed"], target, env)
    proc = try_repo(target, "importguard", ref, env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Passed" in out
    assert "importguard_cache" not in git(["status", "--porcelain", "--untracked-files=all"], target, env)


def run_hooks(target: Path, env: Dict[str, str], ref: str, hook: str, *files: str) -> subprocess.CompletedProcess:
    """``pre-commit run`` with a config naming this repository at ``ref`` (its store is kept)."""
    config = {"repos": [{"repo": str(ROOT), "rev": ref, "hooks": [{"id": "importguard"}, {"id": "importguard-fix"}]}]}
    (target / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    selection = ["--files", *files] if files else ["--all-files"]
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", hook, "--verbose", *selection],
                          cwd=str(target), env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_staged_files_are_reported_with_the_cycles_they_take_part_in(tmp_path, env, ref):
    target = make_target(tmp_path / "target", env)
    # only b.py staged: the cycle it takes part in is reported although its break is in a.py,
    # and a.py's unused import is not
    proc = run_hooks(target, env, ref, "importguard", "pkg/b.py")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "pkg/a.py:2:17: IG300" in out and "IG100" not in out
    proc = run_hooks(target, env, ref, "importguard", "pkg/c.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the project's exclusions hold for staged files too
    write_tree(target, {"pyproject.toml": "[tool.importguard]\nexclude = ['migrations']\n",
                        "migrations/m1.py": "import sys\n"})
    git(["add", "-A"], target, env)  # pre-commit stashes unstaged changes
    proc = run_hooks(target, env, ref, "importguard", "migrations/m1.py", "pkg/c.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_hooks(target, env, ref, "importguard", "pkg/a.py", "pkg/c.py")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "pkg/a.py:1:8: IG100" in out and "pkg/a.py:2:17: IG300" in out


@pytest.mark.slow
def test_fix_hook_removes_the_unused_import(tmp_path, env, ref):
    target = make_target(tmp_path / "target", env)
    proc = run_hooks(target, env, ref, "importguard-fix")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out  # pre-commit fails a hook that changed files
    assert "import os" not in (target / "pkg" / "a.py").read_text()
