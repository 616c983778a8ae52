"""`importguard cost`: measurement on modules made by the tests (that sleep or allocate a known
amount when imported), ranking, cache, --entry tree, and costs on check's findings.

The bounds are loose on purpose: the machine is shared and noisy. What must hold is the order of
magnitude (a 200 ms sleep is not measured as 20 ms or 2 s; a 50 MB allocation shows as ~50 MB)
and the ranking between modules whose costs differ by ten times or more.
"""
import json
import os
import subprocess
import sys

import pytest

from helpers import SRC, run_cli, write_tree
from importguard.cache.costs import CostStore, load_costs, record_key
from importguard.config.settings import Config
from importguard.cost.command import find_interpreter
from importguard.cost.entry import build_tree
from importguard.cost.measure import Line, parse_importtime, summarise
from importguard.model import CostRecord, Diagnostic
from importguard.report import sort_by_cost

SITE = {
    "slowmod.py": "import time\ntime.sleep(0.2)\n",
    "slowermod.py": "import time\ntime.sleep(0.6)\n",
    "bigmod.py": "BLOB = bytearray(50_000_000)\n",
    "quickmod.py": "X = 1\n",
    "brokenmod.py": "raise RuntimeError('cannot start here')\n",
}
PROJECT = {
    "pyproject.toml": "[project]\nname = 'app'\n",
    "app/__init__.py": "",
    "app/cli.py": "import slowmod\nfrom app import util\n\ndef main():\n    return slowmod, util.f()\n",
    "app/util.py": "import bigmod\nimport quickmod\n\ndef f():\n    return bigmod.BLOB, quickmod.X\n",
    "app/extra.py": "import brokenmod\nimport not_installed_anywhere_xyz\nimport sys\nimport slowermod\n\n"
                    "def g():\n    return slowermod\n",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("cost")
    write_tree(root / "site", SITE)
    write_tree(root / "proj", PROJECT)
    env = {"PYTHONPATH": os.pathsep.join([SRC, str(root / "site")])}
    return root / "proj", env


def cost_json(proj, env, *args):
    proc = run_cli(["cost", "--format", "json", "--runs", "3", *args], proj, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def measured(world):
    proj, env = world
    return cost_json(proj, env, "--no-cache")


@pytest.mark.slow
def test_ranking_and_ranges(measured):
    rows = {r["module"]: r for r in measured["modules"]}
    order = [r["module"] for r in measured["modules"] if "error" not in r and not r["preloaded"]]
    # sleeps are lower bounds that load cannot reorder; allocating 50 MB can take 20 ms on a
    # quiet machine and 300 ms on a loaded one, so bigmod is ranked by memory only
    assert order.index("slowermod") < order.index("slowmod") < order.index("quickmod")
    assert order[0] == "slowermod" and order[-1] == "quickmod"
    slow, big, quick = rows["slowmod"], rows["bigmod"], rows["quickmod"]
    assert 580 <= rows["slowermod"]["cumulative_ms"] <= 3000
    assert 180 <= slow["cumulative_ms"] <= 1500 and slow["self_ms"] >= 180
    assert 40_000 <= big["memory_kb"] <= 90_000  # 50 MB = 48 828 kB
    assert slow["memory_kb"] < 10_000 and quick["memory_kb"] < 10_000
    assert quick["cumulative_ms"] < slow["cumulative_ms"] / 5
    assert max(rows, key=lambda m: rows[m]["memory_kb"]) == "bigmod"
    assert slow["imported_by"] == ["app/cli.py"] and slow["locations"] == ["app/cli.py:1"]
    assert big["imported_by"] == ["app/util.py"]
    assert measured["version"] == 1 and measured["runs"] == 3


@pytest.mark.slow
def test_failures_are_rows_not_crashes(measured):
    rows = {r["module"]: r for r in measured["modules"]}
    assert "RuntimeError: cannot start here" in rows["brokenmod"]["error"]
    assert "not found" in rows["not_installed_anywhere_xyz"]["error"]
    assert rows["sys"]["preloaded"] and rows["sys"]["cumulative_ms"] == 0
    assert [r["module"] for r in measured["modules"]][-2:] == ["brokenmod", "not_installed_anywhere_xyz"]


@pytest.mark.slow
def test_cache_is_reused_then_findings_carry_costs(world, measured):
    proj, env = world
    first = cost_json(proj, env)  # fills the cache (the fixture run used --no-cache)
    again = cost_json(proj, env)
    cached = {r["module"]: r["cached"] for r in again["modules"] if "error" not in r and not r["preloaded"]}
    assert cached == {"slowermod": True, "slowmod": True, "bigmod": True, "quickmod": True}
    def ok(out):
        return [(r["module"], r["cumulative_ms"]) for r in out["modules"] if "error" not in r]

    assert ok(again) == ok(first)
    text = run_cli(["cost", "--runs", "3"], proj, env=env).stdout
    assert "slowmod" in text and "*" in text and "cannot start here" in text

    proc = run_cli(["check", "--select", "IG4,IG1", "--sort", "cost", "--no-cache", "-q", "."], proj, env=env)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("app/extra.py:4:8: IG400 `slowermod` costs ")
    ms = float(lines[0].split("costs ")[1].split(" ms")[0])
    assert 580 <= ms <= 3000
    slow = next(ln for ln in lines if "`slowmod`" in ln)
    assert slow.startswith("app/cli.py:1:8: IG400 `slowmod` costs ") and lines.index(slow) <= 2
    assert any("IG100 `not_installed_anywhere_xyz` imported but unused" in ln for ln in lines)


@pytest.mark.slow
def test_entry_tree_names_the_heavy_imports_and_who_pulls_them_in(world):
    proj, env = world
    out = cost_json(proj, env, "--entry", "app.cli")
    heavy = {h["module"]: h for h in out["heaviest"]}
    assert set(list(heavy)[:2]) == {"slowmod", "bigmod"}
    assert heavy["slowmod"]["imported_by"] == "app.cli" and heavy["slowmod"]["location"] == "app/cli.py:1"
    assert heavy["bigmod"]["imported_by"] == "app.util" and heavy["bigmod"]["location"] == "app/util.py:1"
    assert 200 <= out["cumulative_ms"] <= 3000 and out["memory_kb"] >= 40_000
    tree = out["tree"]
    assert tree["module"] == "app.cli" and tree["first_party"]
    util = next(c for c in tree["children"] if c["module"] == "app.util")
    assert [c["module"] for c in util["children"]][0] == "bigmod"
    text = run_cli(["cost", "--entry", "app.cli", "--runs", "2"], proj, env=env).stdout
    assert "├─ slowmod" in text and "app/cli.py:1" in text and "Heaviest imports" in text


@pytest.mark.slow
def test_entry_that_cannot_be_imported_is_a_clear_error(world):
    proj, env = world
    proc = run_cli(["cost", "--entry", "app.nope", "--runs", "1"], proj, env=env)
    assert proc.returncode == 2 and "cannot import `app.nope`" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------- pure parts
IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 | site
some warning printed by a module
importguard-cost-start
import time: self [us] | cumulative | imported package
import time:       165 |        165 |       _json
import time:       331 |        496 |     json.scanner
import time:       325 |        821 |   json.decoder
import time:       379 |        379 |   json.encoder
import time:       239 |       1439 | json
import time:        50 |         50 | other
importguard-cost-end
"""


def test_parse_importtime_keeps_only_lines_between_the_markers():
    lines, other = parse_importtime(IMPORTTIME)
    assert [ln.name for ln in lines] == ["_json", "json.scanner", "json.decoder", "json.encoder", "json", "other"]
    assert [ln.level for ln in lines] == [3, 2, 1, 1, 0, 0]
    assert other == ["some warning printed by a module"]
    assert summarise("json", lines) == (0.239, 1.489)


def test_build_tree_from_post_order_lines():
    lines, _ = parse_importtime(IMPORTTIME)
    root = build_tree(lines, "<entry>")
    assert [c.name for c in root.children] == ["json", "other"]
    json_node = root.children[0]
    assert [c.name for c in json_node.children] == ["json.decoder", "json.encoder"]
    assert json_node.children[0].children[0].children[0].name == "_json"
    assert root.cumulative_ms == pytest.approx(1.489)
    assert build_tree([], "x").children == []
    # garbage never raises
    build_tree([Line("a", 5, 1, 1), Line("b", 0, 1, 2)], "x")


def test_cache_key_changes_with_interpreter_and_library_versions():
    base = record_key("/p/python", "3.11.7", "rich", ("rich==13.0",))
    assert base == record_key("/p/python", "3.11.7", "rich", ("rich==13.0",))
    assert base != record_key("/p/python", "3.11.7", "rich", ("rich==14.0",))
    assert base != record_key("/q/python", "3.11.7", "rich", ("rich==13.0",))
    assert base != record_key("/p/python", "3.12.1", "rich", ("rich==13.0",))


def test_load_costs_reads_only_the_cache_and_survives_garbage(tmp_path):
    config = Config(project_root=tmp_path)
    assert load_costs(config) == {}
    assert not (tmp_path / ".importguard_cache").exists()  # reading never creates anything
    store = CostStore(tmp_path / ".importguard_cache" / "costs.json")
    rec = CostRecord("rich", 40.0, 3.0, 5120, 5, "/py", "3.11.7", ("rich==13",))
    store.put("k1", rec)
    store.save()
    assert load_costs(config) == {"rich": rec}
    (tmp_path / ".importguard_cache" / "costs.json").write_text("{not json")
    assert load_costs(config) == {}
    (tmp_path / ".importguard_cache" / "costs.json").write_text(
        '{"version": 1, "records": {"k": {"module": 1}}, "latest": {"x": "k"}}')
    assert load_costs(config) == {}


def test_sort_by_cost_ranks_by_the_time_saved():
    def d(line, cost_ms=None):
        return Diagnostic("a.py", line, 1, "IG100", "message text plays no part", cost_ms=cost_ms)

    diags = [d(1), d(2, 3.5), d(3, 412.0), d(4), d(5, 0.0)]
    assert [x.line for x in sort_by_cost(diags)] == [3, 2, 5, 1, 4]


def test_interpreter_choice(tmp_path, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    assert find_interpreter(None, tmp_path) == sys.executable
    venv_python = tmp_path / "venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("")
    assert find_interpreter(None, tmp_path) == str(venv_python)
    dot = tmp_path / ".venv" / "bin" / "python"
    dot.parent.mkdir(parents=True)
    dot.write_text("")
    assert find_interpreter(None, tmp_path) == str(dot)  # .venv first
    assert find_interpreter(sys.executable, tmp_path) == sys.executable
    from importguard.config.settings import ConfigError

    with pytest.raises(ConfigError):
        find_interpreter(str(tmp_path / "no-such-python"), tmp_path)


def test_check_path_loads_no_measurement_code():
    code = ("import sys, importguard.rules, importguard.engine.pipeline; "
            "print(sorted(m for m in ('importguard.cost.measure', 'importguard.cost.command', 'subprocess', 'json') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": SRC}, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_workflow_on_a_cli_that_imports_sympy(tmp_path):
    """A new user's scenario with a real library installed here: `cost --entry` names sympy, the IG400
    fix defers it, and `--help` no longer loads it (the start-up figures are in benchmarks/)."""
    pytest.importorskip("sympy")
    write_tree(tmp_path, {
        "pyproject.toml": "[project]\nname = 'democli'\nrequires-python = '>=3.9'\n",
        "democli/__init__.py": "",
        "democli/cli.py": "import argparse\nimport sympy\n\n\ndef solve(expr):\n"
                          "    return sympy.solve(sympy.sympify(expr))\n\n\n"
                          "def main(argv=None):\n    p = argparse.ArgumentParser(prog='democli')\n"
                          "    p.add_argument('expr')\n    return print(solve(p.parse_args(argv).expr))\n",
    })
    env = {"PYTHONPATH": SRC, "VIRTUAL_ENV": ""}
    probe = ("import sys, democli.cli as c\ntry:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('sympy' in sys.modules)\n")

    def loads_sympy():
        out = subprocess.run([sys.executable, "-c", probe], cwd=str(tmp_path), capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    entry = json.loads(run_cli(["cost", "--entry", "democli.cli", "--runs", "2", "--format", "json",
                                "--python", sys.executable], tmp_path, env=env).stdout)
    assert entry["heaviest"][0]["module"] == "sympy"
    assert entry["heaviest"][0]["location"] == "democli/cli.py:2"
    assert loads_sympy() == "True"
    proc = run_cli(["fix", "--select", "IG400", "--unsafe-fixes", "--no-cache", "."], tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "democli" / "cli.py").read_text()
    assert "def solve(expr):\n    import sympy\n" in text
    assert loads_sympy() == "False"
    out = subprocess.run([sys.executable, "-c", "from democli.cli import main; main(['x**2 - 4'])"], cwd=str(tmp_path),
                         capture_output=True, text=True)
    assert out.stdout.strip() == "[-2, 2]"
