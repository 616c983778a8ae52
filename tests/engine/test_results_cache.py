"""The results cache of ``check``: every input of a result is part of its key, so a cached run
reports what ``--no-cache`` reports, also after ``importguard cost`` rewrote the measured costs."""
from __future__ import annotations

from helpers import run_cli, write_tree
from importguard.cache.costs import CostStore, cache_file
from importguard.config.settings import load_config
from importguard.model import CostRecord

REPO = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "app/__init__.py": "",
    "app/m.py": "import json\nimport decimal\n\n\ndef f():\n    return json.dumps(1)\n",
}


def _check(root, *extra):
    proc = run_cli(["check", "--select", "IG1,IG4", "-q", *extra, "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout.splitlines()


def _measure(root, **ms):
    """Write measured costs as ``importguard cost`` does."""
    store = CostStore(cache_file(load_config(root)))
    for module, value in ms.items():
        record = CostRecord(module, value, value / 2, 100, 3, "/py", "3.11", (), None, False)
        store.put(f"/py|3.11|{module}|{value}", record)
    store.save()


def test_cached_check_sees_new_costs(tmp_path):
    root = write_tree(tmp_path, REPO)
    before = _check(root)
    assert before == ["app/m.py:1:8: IG400 `json` is imported at module level; every use is inside functions (`f`)",
                      "app/m.py:2:8: IG100 `decimal` imported but unused"]
    assert _check(root) == before  # served from the cache
    _measure(root, json=2.0, decimal=15.0)
    after = _check(root)
    assert after == _check(root, "--no-cache")
    # json costs less than min-cost-ms: no IG400; the IG100 message carries decimal's cost
    assert after == ["app/m.py:2:8: IG100 `decimal` imported but unused (import cost 15.0 ms)"]
    _measure(root, json=40.0)
    assert _check(root) == _check(root, "--no-cache") == [
        "app/m.py:1:8: IG400 `json` costs 40.0 ms at import; every use is inside functions (`f`)",
        "app/m.py:2:8: IG100 `decimal` imported but unused (import cost 15.0 ms)"]


def test_cached_check_sees_configuration_changes(tmp_path):
    root = write_tree(tmp_path, REPO)
    _measure(root, json=2.0)
    assert not any("IG400" in line for line in _check(root))
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n[tool.importguard]\nmin-cost-ms = 1\n")
    assert any("IG400 `json` costs 2.00 ms" in line for line in _check(root)), _check(root)
