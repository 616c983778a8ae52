"""Multi-module behaviour on fixture repositories: tests/fixtures/repos/<name>/ + expected.json.

Set IMPORTGUARD_REGEN=1 to rewrite the expectations; a reviewer reads the diff.
"""
import json
import os
import shutil
from pathlib import Path

import pytest

from helpers import run_cli

REPOS = Path(__file__).resolve().parents[1] / "fixtures" / "repos"
NAMES = sorted(p.name for p in REPOS.iterdir() if p.is_dir())


def summarise(doc):
    return {
        "diagnostics": [[d["path"], d["line"], d["code"], d["message"]] for d in doc["diagnostics"]],
        "cycles": [[c["kind"], c["modules"]] for c in doc["cycles"]],
        "files": doc["summary"]["files"],
    }


@pytest.mark.parametrize("name", NAMES)
def test_fixture_repo(name, tmp_path):
    src = REPOS / name
    work = tmp_path / name
    shutil.copytree(src, work, ignore=shutil.ignore_patterns("expected.json"))
    proc = run_cli(["check", "--format", "json", "--select", "IG"], work)
    assert proc.returncode in (0, 1), proc.stderr
    got = summarise(json.loads(proc.stdout))
    assert proc.returncode == (1 if got["diagnostics"] else 0)
    expected_file = src / "expected.json"
    if os.environ.get("IMPORTGUARD_REGEN") or not expected_file.exists():
        expected_file.write_text(json.dumps(got, indent=2) + "\n")
    assert got == json.loads(expected_file.read_text())
