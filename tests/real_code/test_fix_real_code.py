"""Slow: ``importguard fix`` on click 8.5.1 (real code nobody here wrote), with its test suite.

Runs ``benchmarks/fix_real_code.py`` for click in both modes: every file still compiles, a second
``fix --diff`` prints nothing, and (after the unsafe run, which includes the safe fixes) click's
own tests pass as before with no new failure. The venv
with pytest is made once under ``~/.cache/importguard-bench/`` (PyPI needed the first time).
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("fix_real_code", ROOT / "benchmarks" / "fix_real_code.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_fix_click_keeps_it_working():
    bench = _script()
    if not bench.CORPORA.exists() or shutil.which("bash") is None:
        pytest.skip("../shared/corpora.sh is not available")
    source = bench.corpus("click")
    if source is None:
        pytest.skip("click 8.5.1 could not be downloaded")
    bench.WORK.mkdir(parents=True, exist_ok=True)
    try:
        python = bench.venv_for("click", source)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot make a venv with pytest from PyPI: {exc}")
    # the unsafe run applies the safe fixes too, so click's suite runs once before and once after
    for mode, tests in (("safe", False), ("unsafe-future", True)):
        report, _ = bench.run_one("click", mode, source, python, tests=tests)
        assert report["newly_not_compiling"] == [], report
        assert report["second_diff_empty"], report["second_diff_head"]
        if tests:  # click is clean for the safe fixes by now; the unsafe run has work to do
            assert report["files_changed"] > 0
    assert report["new_failures"] == [], report["new_failures"][:20]
    assert report["tests_after"]["passed"] >= report["tests_before"]["passed"] > 2000
