"""The declared lower bounds of the runtime dependencies are the versions CI installs and tests
(.ci/min-constraints.txt, used by .ci/run), so a user on the oldest allowed versions gets a tool
that imports and works."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _lower_bounds():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    out = {}
    for dep in deps:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(?:\s*;.*)?", dep.strip())
        assert m, f"runtime dependency without a lower bound: {dep}"
        out[m.group(1).lower()] = m.group(2)
    return out


def _constraints():
    out = {}
    for line in (ROOT / ".ci" / "min-constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            out[name.strip().lower()] = version.strip()
    return out


def _norm(v: str) -> tuple:
    parts = [int(x) for x in v.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_constraints_are_the_declared_lower_bounds():
    bounds, pins = _lower_bounds(), _constraints()
    assert set(bounds) == set(pins)
    assert {k: _norm(v) for k, v in bounds.items()} == {k: _norm(v) for k, v in pins.items()}


def test_ci_runs_the_fast_tests_on_the_minimum_versions():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "--constraint .ci/min-constraints.txt" in script


def test_libcst_lower_bound_parses_lazy_imports():
    # PEP 810 `lazy import` nodes (LazyImport, LazyImportFrom) arrived in LibCST 1.9
    import libcst

    assert hasattr(libcst, "LazyImport") and hasattr(libcst, "LazyImportFrom")
    assert _norm(_lower_bounds()["libcst"]) >= (1, 9)
