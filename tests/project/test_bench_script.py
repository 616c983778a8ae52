"""The benchmark script's plumbing (not its timings): options, goal verdicts, the table it writes."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


def _bench():
    spec = importlib.util.spec_from_file_location("importguard_bench", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _row(median: float, cpu: float = 1.0, rss: float = 100.0) -> dict:
    return {"median_s": median, "cpu_s": cpu, "min_s": median, "max_s": median, "runs": 5, "timeouts": 0,
            "max_rss_mb": rss / 2, "tree_rss_mb": rss, "exit": [0]}


def _fake_result() -> dict:
    rows = {
        "importguard cold": _row(9.0, rss=1500.0),
        "bare libcst parse": _row(8.0),
        "importguard warm": _row(0.2),
        "importguard touched": _row(0.9),
        "ruff F401+TC cached": _row(0.04),
        "flake8 F401 (same run, no plugin)": _row(10.0),
    }
    return {"corpus": "django", "files": 883, "lines": 158000, "started": "2026-01-01 00:00", "runs": 5,
            "slow_runs": 1, "jobs": 2, "machine": {"cpu": "Fake CPU", "cores": 2, "memory_gb": 4.0, "os": "Linux",
                                                      "python": "3.11.7"},
            "versions": {"ruff": "0.0"}, "load_start": "0.1 0.1 0.1", "load_end": "0.2 0.2 0.2", "wall_s": 1,
            "rows": rows, "notes": {"importguard cold": "note"},
            "skipped": {"flake8 + importguard plugin warm": "n/a (plugin not built)"},
            "importtime": {"x": [["libcst", 1.0, 270.0, 300]]}}


def test_help_runs():
    out = subprocess.run([sys.executable, str(BENCH), "--help"], stdout=subprocess.PIPE, text=True, check=True).stdout
    for option in ("--corpus", "--runs", "--only", "--repo", "--skip-slow-peers", "--timeout"):
        assert option in out


def test_goal_verdicts_on_fake_numbers():
    bench = _bench()
    rows = bench.goals(_fake_result()["rows"])
    assert all(len(r) == len(bench.GOALS_HEADER) for r in rows)
    verdicts = {r[0]: r for r in rows}
    assert verdicts["cold check <= 1.3 x bare LibCST parse (same processes)"][3] == "met"  # 9 / 8 = 1.125
    warm = verdicts["warm check <= 3 x ruff cached"]
    assert warm[3] == "missed" and "5.000 x" in warm[2]  # 0.2 / 0.04 = 5
    assert warm[5] == "met" and "1.000 x" in warm[4]  # cpu time 1.0 / 1.0
    assert verdicts["one touched file <= warm + 0.5 s"][3] == "missed"  # +0.7 s
    plugin = verdicts["flake8 + plugin (warm) <= 1.3 x flake8 without the plugin"]
    assert plugin[2:4] == ["n/a (plugin not built)", "n/a"]
    memory = [r[2:4] for k, r in verdicts.items() if k.startswith("peak memory")]
    assert memory == [["1500.0 MB", "missed"]]


def test_rendered_table_has_the_expected_columns():
    bench = _bench()
    text = bench.render({"django": _fake_result()})
    header = next(line for line in text.splitlines() if line.startswith("| command |"))
    assert [c.strip() for c in header.strip("|").split("|")] == list(bench.MEDIAN_HEADER)
    cold = next(line for line in text.splitlines() if line.startswith("| importguard cold |"))
    cells = [c.strip() for c in cold.strip("|").split("|")]
    assert len(cells) == len(bench.MEDIAN_HEADER)
    assert cells[1] == "9.0" and cells[4] == "225.0"  # median, and 9.0 / 0.04 x ruff cached
    assert "| flake8 + importguard plugin warm | n/a (plugin not built) |" in text
    assert "Fake CPU, 2 cores" in text and "0.1 0.1 0.1" in text
    assert "| " + " | ".join(bench.GOALS_HEADER) + " |" in text
