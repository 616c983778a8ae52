"""Slow: ``benchmarks/differential_unseen.py`` on pluggy 1.7.0, a small project no test corpus holds.

Check mode: importguard and ruff run on the unpacked sdist and their findings are matched by
path, line and code; on pluggy they agree (every IG200 is a TC001-TC003 and nothing is only ours).
Fix-tests mode: ``importguard fix .`` leaves every file compiling, a second ``fix --diff`` empty
and, when it changed a file, pluggy's own suite as green as before. The sdist and a venv with
pytest are fetched once into the script's cache (PyPI needed the first time).
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("differential_unseen",
                                                  ROOT / "benchmarks" / "differential_unseen.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_differential_and_safe_fix_on_pluggy(tmp_path):
    bench = _script()
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed")
    try:
        bench.fetch("pluggy")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, SystemExit) as exc:
        pytest.skip(f"pluggy {bench.PROJECTS['pluggy'][0]} could not be downloaded: {exc}")
    out = tmp_path / "out"
    assert bench.main(["pluggy", "--src", str(ROOT / "src"), "--out", str(out), "--label", "pytest"]) == 0
    report = json.loads((out / "pluggy.json").read_text())
    assert report["py_files"] > 20
    assert report["per_code"]["IG200"]["both"] > 0, report["per_code"]
    assert [d for d in report["only_importguard"]] == [], report["only_importguard"]
    assert all(d["fix"] in ("safe", "unsafe") for d in report["fixable"])
    try:
        bench.venv_for("pluggy", bench.fetch("pluggy"))
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot make a venv with pytest from PyPI: {exc}")
    code = bench.main(["pluggy", "--fix-tests", "--src", str(ROOT / "src"), "--out", str(out), "--test-timeout", "300"])
    fix = json.loads((out / "fix-pluggy.json").read_text())
    assert fix["newly_not_compiling"] == [] and fix["second_diff_empty"], fix
    if fix["files_changed"] == 0 and "tests_before" not in fix:  # nothing to fix: the suite is not run
        assert fix["tests_skipped"] == "no file changed", fix
    else:
        assert fix["new_failures"] == [], fix["new_failures"]
        assert fix["tests_after"]["passed"] >= fix["tests_before"]["passed"] > 150, fix
    assert code == 0
