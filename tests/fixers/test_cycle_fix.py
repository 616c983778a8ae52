"""``importguard fix --unsafe-fixes --select IG300`` on a fixture repository with cycles."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cyclegen
from helpers import run_cli, run_json

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "repos" / "cycles_fix"


def _codes(root: Path):
    doc = run_json(["check", "--no-cache", "--select", "IG3", "."], root)
    return sorted((d["code"], d["path"], d["line"]) for d in doc["diagnostics"])


def _own_tests(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "checks/app_checks.py"],
                          cwd=str(root), capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_fix_breaks_every_cycle_and_the_fixture_tests_still_pass(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    before = _codes(root)
    assert [c for c, _, _ in before].count("IG300") == 2
    assert ("IG301", "app/plugins.py", 6) in before  # `import app.registry` first fails today
    assert _own_tests(root).returncode == 0

    proc = run_cli(["fix", "--no-cache", "--unsafe-fixes", "--select", "IG300", "."], root)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    assert _codes(root) == []  # no cycle left, so nothing can fail at import time either
    doc = run_json(["check", "--no-cache", "."], root)
    assert doc["cycles"] == [] or all(c["kind"] != "import-time" for c in doc["cycles"])
    result = _own_tests(root)
    assert result.returncode == 0, result.stdout + result.stderr
    # every module now imports first in a fresh interpreter
    entries = ["app", "app.models", "app.plugins", "app.registry", "app.report", "app.services"]
    assert cyclegen.real_outcomes(root, entries) == {e: None for e in entries}
    # the advice as written: deferred into the functions, typing-only under TYPE_CHECKING
    assert "    def run(name, *args):\n        from app import plugins\n" in (root / "app/registry.py").read_text() \
        or "def run(name, *args):\n    from app import plugins\n" in (root / "app/registry.py").read_text()
    assert "if TYPE_CHECKING:\n    import app.models\n" in (root / "app/report.py").read_text()
    # idempotent: a second run changes nothing
    again = run_cli(["fix", "--no-cache", "--unsafe-fixes", "--select", "IG300", "--diff", "."], root)
    assert again.stdout.strip() == "" or "0 fixed" in again.stdout


def test_without_unsafe_fixes_nothing_changes(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    run_cli(["fix", "--no-cache", "--select", "IG300", "."], root)
    for p in FIXTURE.rglob("*.py"):
        assert (root / p.relative_to(FIXTURE)).read_text() == p.read_text()
