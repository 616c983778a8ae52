"""importguard and import-linter on the same configuration files, on Django 5.2.8 and sympy 1.14.0.

Both tools read ``tests/fixtures/contracts/<corpus>.importlinter`` (a dozen contracts of every
type, some kept and some broken). They must build the same graph (every module, every import
with its lines) and agree on what any run of import-linter reports: which contracts are broken;
every protected import, cycle-breaking import and undeclared layer; every direct illegal import;
and for each pair of modules or layers with an illegal chain, the length of the shortest one.
Which of several equally short chains import-linter shows follows hash order (its own output
differs from run to run on sympy), so longer chains are compared by those facts, not one by one.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from helpers import corpus

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "contracts"


def _script():
    spec = importlib.util.spec_from_file_location("contracts_agreement", ROOT / "benchmarks" / "contracts_agreement.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.parametrize("name,broken", [("django", 11), ("sympy", 10)])
def test_same_broken_contracts_and_chains_as_import_linter(name, broken):
    pytest.importorskip("importlinter", reason="import-linter is not installed (pip install import-linter)")
    bench = _script()
    source = corpus(name)
    config = FIXTURES / f"{name}.importlinter"
    theirs = bench.importlinter_facts(source, config)
    ours = bench.importguard_facts(source, config)
    assert bench.differences(theirs, ours) == {}
    inv = bench.invariants(ours)
    # the configuration exercises what it should: kept and broken contracts, chains of every kind
    assert len(inv["broken"]) == broken and len(theirs["broken"]) == broken
    assert inv["direct"] and inv["deterministic"] and any(not s.endswith(" 0") for s in inv["shortest"])
