"""Contracts through every front end: configuration files, output formats, noqa, baselines,
the cache, and the flake8 plugin."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SRC, run_cli, write_tree

CONTRACTS = """
[[tool.importguard.contracts]]
name = "layered"
type = "layers"
layers = ["app.ui", "app.domain", "app.data"]

[[tool.importguard.contracts]]
name = "domain is pure"
type = "forbidden"
source-modules = ["app.domain"]
forbidden-modules = ["requests"]
"""

APP = {
    "app/__init__.py": "",
    "app/ui/__init__.py": "",
    "app/ui/views.py": "from app.domain import model\n",
    "app/domain/__init__.py": "",
    "app/domain/model.py": "from app.data import store\n\nX = store\n",
    "app/data/__init__.py": "",
    "app/data/store.py": "import requests\n\nS = requests\n",
    "app/data/repo.py": "import json\n\n\ndef load():\n    from app.ui import views\n    return views, json\n",
}

EXPECTED_TEXT = [
    "app/data/repo.py:5:24: IG501 `app.data` is not allowed to import `app.ui`: `app.data.repo` -> "
    "`app.ui.views` (l.5) (contract `layered`)",
    "app/domain/model.py:1:22: IG500 `app.domain` is not allowed to import `requests`: `app.domain.model` -> "
    "`app.data.store` (l.1) -> `requests` (l.1) (contract `domain is pure`)",
]


def repo(tmp_path: Path, config: str = CONTRACTS, **extra: str) -> Path:
    return write_tree(tmp_path, {"pyproject.toml": "[project]\nname = 'app'\n\n[tool.importguard]\n" + config,
                                 **APP, **extra})


def lines(proc: subprocess.CompletedProcess) -> list:
    return [line for line in proc.stdout.splitlines() if re.match(r"\S+:\d+:\d+: IG5", line)]


def test_text_output_and_exit_status(tmp_path):
    proc = run_cli(["check", "--no-cache"], repo(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert lines(proc) == EXPECTED_TEXT


def test_json_has_the_contract_and_the_chain(tmp_path):
    proc = run_cli(["check", "--no-cache", "--format", "json"], repo(tmp_path))
    doc = json.loads(proc.stdout)
    found = [d for d in doc["diagnostics"] if d["code"].startswith("IG5")]
    assert [(d["code"], d["path"], d["line"], d["contract"]) for d in found] == [
        ("IG501", "app/data/repo.py", 5, "layered"), ("IG500", "app/domain/model.py", 1, "domain is pure")]
    assert found[1]["chain"] == [
        {"from": "app.domain.model", "to": "app.data.store", "path": "app/domain/model.py", "line": 1, "lines": [1]},
        {"from": "app.data.store", "to": "requests", "path": "app/data/store.py", "line": 1, "lines": [1]}]
    assert found[1]["fix"]["applicability"] == "advice"
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "importguard-output.schema.json").read_text())
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def test_sarif_github_and_markdown(tmp_path):
    root = repo(tmp_path)
    sarif = json.loads(run_cli(["check", "--no-cache", "--format", "sarif"], root).stdout)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["IG500"]["name"] == "forbidden-import" and "forbidden" in rules["IG500"]["help"]["text"]
    result = next(r for r in run["results"] if r["ruleId"] == "IG500")
    assert result["properties"]["contract"] == "domain is pure"
    assert [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["relatedLocations"]] == [
        "app/domain/model.py", "app/data/store.py"]
    github = run_cli(["check", "--no-cache", "--format", "github"], root).stdout
    assert ("::error file=app/data/repo.py,line=5,col=24,endLine=5,title=importguard IG501 (layer-violation)::"
            "IG501 `app.data` is not allowed to import `app.ui`") in github
    markdown = run_cli(["check", "--no-cache", "--format", "markdown"], root).stdout
    assert "| IG500 | `app/domain/model.py:1:22` | `app.domain` is not allowed to import `requests`" in markdown
    assert "### Broken contracts (2)" in markdown
    assert ("| domain is pure | IG500 | 1 | `app.domain.model` → `app.data.store` → `requests` "
            "(`app/domain/model.py:1:22`) |") in markdown


def test_explain_documents_each_contract_code():
    for code, kind in (("IG500", "forbidden"), ("IG501", "layers"), ("IG502", "independence"),
                       ("IG503", "protected"), ("IG504", "acyclic-siblings")):
        proc = run_cli(["explain", code], Path.cwd())
        assert proc.returncode == 0 and f"`{kind}` contract" in proc.stdout, proc.stdout


def test_noqa_and_per_file_ignores_silence_contract_findings(tmp_path):
    root = repo(tmp_path, **{"app/data/repo.py": "import json\n\n\ndef load():\n"
                                                 "    from app.ui import views  # noqa: IG501\n"
                                                 "    return views, json\n"})
    assert lines(run_cli(["check", "--no-cache"], root)) == EXPECTED_TEXT[1:]
    (root / "app/domain/model.py").write_text("from app.data import (  # noqa: IG5\n    store,\n)\n\nX = store\n")
    assert lines(run_cli(["check", "--no-cache"], root)) == []


def test_baseline_holds_todays_findings_and_reports_a_new_chain(tmp_path):
    root = repo(tmp_path)
    assert run_cli(["check", "--no-cache", "--write-baseline", "base.json"], root).returncode == 0
    assert run_cli(["check", "--no-cache", "--baseline", "base.json"], root).returncode == 0
    # moving the import down a few lines keeps it the same finding
    (root / "app/data/repo.py").write_text("import json\n\n\n\n\ndef load():\n    from app.ui import views\n"
                                           "    return views, json\n")
    assert run_cli(["check", "--no-cache", "--baseline", "base.json"], root).returncode == 0
    write_tree(root, {"app/data/cache.py": "from app.ui import views\n"})
    proc = run_cli(["check", "--no-cache", "--baseline", "base.json"], root)
    assert proc.returncode == 1
    assert [line.split(":")[0] for line in lines(proc)] == ["app/data/cache.py"]


def test_results_follow_the_contracts_through_the_cache(tmp_path):
    root = write_tree(tmp_path, {"pyproject.toml": "[project]\nname = 'app'\n", **APP,
                                 ".importlinter": "[importlinter]\nroot_package = app\n\n"
                                                  "[importlinter:contract:one]\nname = layered\ntype = layers\n"
                                                  "layers =\n    app.ui\n    app.domain\n    app.data\n"})
    assert [line.split()[1] for line in lines(run_cli(["check"], root))] == ["IG501"]
    assert [line.split()[1] for line in lines(run_cli(["check"], root))] == ["IG501"]  # warm
    (root / ".importlinter").write_text("[importlinter]\nroot_package = app\n\n[importlinter:contract:one]\n"
                                        "name = layered\ntype = layers\nlayers =\n    app.data\n    app.domain\n"
                                        "    app.ui\n")
    got = [line.split(":")[0] for line in lines(run_cli(["check"], root))]
    assert got == ["app/domain/model.py", "app/ui/views.py"]


def test_configuration_errors_exit_2(tmp_path):
    bad = CONTRACTS.replace('layers = ["app.ui"', 'layrs = ["app.ui"')
    proc = run_cli(["check", "--no-cache"], repo(tmp_path, bad))
    assert proc.returncode == 2
    assert "unknown key `layrs` for a layers contract" in proc.stderr
    missing = CONTRACTS.replace('"app.data"]', '"app.storage"]')
    proc = run_cli(["check", "--no-cache"], repo(tmp_path, missing))
    assert proc.returncode == 2 and "Missing layer 'app.storage'" in proc.stderr, proc.stderr
    mixed = CONTRACTS.replace('"app.ui"', '"app.ui | app.x : app.y"')
    proc = run_cli(["check", "--no-cache"], repo(tmp_path, mixed))
    assert proc.returncode == 2 and "mixes independent" in proc.stderr


INI = """[importlinter]
root_package = app

[importlinter:contract:layers]
name = layered
type = layers
layers=
    app.ui
    app.domain
    app.data
"""


@pytest.mark.parametrize("where", ["setup.cfg", ".importlinter", "pyproject"])
def test_import_linter_configuration_is_read_as_it_is(tmp_path, where):
    files = {**APP, "pyproject.toml": "[project]\nname = 'app'\n"}
    if where == "pyproject":
        files["pyproject.toml"] += ('\n[tool.importlinter]\nroot_package = "app"\n\n'
                                    '[[tool.importlinter.contracts]]\nname = "layered"\ntype = "layers"\n'
                                    'layers = ["app.ui", "app.domain", "app.data"]\n')
    else:
        files[where] = INI
    proc = run_cli(["check", "--no-cache"], write_tree(tmp_path, files))
    assert [line.split(" (contract")[0] for line in lines(proc)] == [EXPECTED_TEXT[0].split(" (contract")[0]]


def test_importguard_contracts_win_over_an_import_linter_file(tmp_path):
    swapped = INI.replace("app.ui\n    app.domain", "app.domain\n    app.ui")
    root = repo(tmp_path, CONTRACTS, **{".importlinter": swapped})
    assert lines(run_cli(["check", "--no-cache"], root)) == EXPECTED_TEXT


def _flake8(args, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=300)


def test_flake8_plugin_reports_contracts(tmp_path):
    from importlib import metadata

    if sys.version_info >= (3, 10):
        group = metadata.entry_points(group="flake8.extension")
    else:
        group = metadata.entry_points().get("flake8.extension", [])
    if not any(ep.name == "IG" for ep in group):
        pytest.skip("importguard's entry points are not installed (pip install -e .)")
    root = repo(tmp_path)
    proc = _flake8(["--select", "IG5", "app/data/repo.py", "app/domain/model.py"], root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines() == EXPECTED_TEXT
    # an editor buffer that differs from the disk: the finding stays while its import is in place
    text = (root / "app/data/repo.py").read_text() + "\nY = 1\n"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select", "IG5", "--stdin-display-name",
                           "app/data/repo.py", "-"], cwd=str(root), env=env, input=text, capture_output=True,
                          text=True, timeout=300)
    assert proc.stdout.splitlines() == EXPECTED_TEXT[:1], proc.stderr


def test_files_without_an_importable_name_count_as_import_linter_counts_them(tmp_path):
    contract = ('\n[[tool.importguard.contracts]]\nname = "migrations stay below the ui"\ntype = "forbidden"\n'
                'source-modules = ["app.data"]\nforbidden-modules = ["app.ui"]\n')
    root = repo(tmp_path, contract, **{"app/data/migrations/__init__.py": "",
                                       "app/data/migrations/0001_initial.py": "from app.ui import views\n"})
    got = [line.split(" `app.data` ")[0] for line in lines(run_cli(["check"], root))]
    assert got == ["app/data/migrations/0001_initial.py:1:20: IG500", "app/data/repo.py:5:24: IG500"]


TYPING_REPO = {
    "pyproject.toml": ('[project]\nname = "p"\n\n[[tool.importguard.contracts]]\nname = "layers"\ntype = "layers"\n'
                       'layers = ["p.high", "p.low"]\nexclude-type-checking = true\n'),
    "p/__init__.py": "",
    "p/high.py": "class H:\n    pass\n",
    "p/low.py": "from __future__ import annotations\n\nfrom p.high import H\n\n\ndef f(x: H) -> None:\n    pass\n",
    "p/mid.py": "from p.high import H\n\n\ndef g() -> object:\n    return H()\n",
}


def _fixes(root):
    doc = json.loads(run_cli(["check", "--no-cache", "--select", "IG5", "--format", "json"], root).stdout)
    return {d["path"]: d["fix"]["applicability"] for d in doc["diagnostics"]}


def test_a_typing_only_illegal_import_moves_under_type_checking_when_the_contract_leaves_typing_out(tmp_path):
    files = dict(TYPING_REPO)
    files["pyproject.toml"] = files["pyproject.toml"].replace('layers = ["p.high", "p.low"]',
                                                              'layers = ["p.high", "p.low | p.mid"]')
    root = write_tree(tmp_path, files)
    # p.mid uses H at runtime: advice only; p.low only in annotations: IG200's unsafe move
    assert _fixes(root) == {"p/low.py": "unsafe", "p/mid.py": "advice"}
    run_cli(["fix", "--no-cache", "--select", "IG5"], root)
    assert "if TYPE_CHECKING" not in (root / "p/low.py").read_text()  # unsafe: not without the flag
    run_cli(["fix", "--no-cache", "--select", "IG5", "--unsafe-fixes"], root)
    assert "if TYPE_CHECKING:\n    from p.high import H\n" in (root / "p/low.py").read_text()
    assert _fixes(root) == {"p/mid.py": "advice"}
    proc = subprocess.run([sys.executable, "-c", "import p.low, p.mid; p.low.f(None); print(p.mid.g())"],
                          cwd=str(root), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_without_exclude_type_checking_the_move_is_only_advice(tmp_path):
    files = dict(TYPING_REPO)
    files["pyproject.toml"] = files["pyproject.toml"].replace("exclude-type-checking = true\n", "")
    assert _fixes(write_tree(tmp_path, files)) == {"p/low.py": "advice"}


def test_graph_draws_layers_in_order_and_highlights_broken_imports(tmp_path):
    root = repo(tmp_path)
    doc = json.loads(run_cli(["graph", "--no-cache", "--format", "json"], root).stdout)
    assert doc["layers"] == [{"contract": "layered", "layers": [["app.ui"], ["app.domain"], ["app.data"]]}]
    layer = {n["id"]: n["layer"] for n in doc["nodes"]}
    assert (layer["app.ui.views"], layer["app.domain.model"], layer["app.data.repo"], layer["app"]) == (0, 1, 2, None)
    broken = {(e["from"], e["to"]): e["contracts"] for e in doc["edges"] if e["contracts"]}
    assert broken == {("app.data.repo", "app.ui.views"): ["layered"],
                      ("app.domain.model", "app.data.store"): ["domain is pure"]}
    dot = run_cli(["graph", "--no-cache"], root).stdout
    clusters = [line.split('"')[1] for line in dot.splitlines() if line.strip().startswith("label=")]
    assert clusters == ["layered: layer 1: app.ui", "layered: layer 2: app.domain", "layered: layer 3: app.data",
                        "outside the layers"]
    assert '"app.data.repo" -> "app.ui.views" [style=dashed, color="#d35400"' in dot
    mermaid = run_cli(["graph", "--no-cache", "--format", "mermaid"], root).stdout
    assert 'subgraph g0["layered: layer 1: app.ui"]' in mermaid and "stroke:#d35400" in mermaid
    html = run_cli(["graph", "--no-cache", "--format", "html"], root).stdout
    assert ".edge.broken" in html and '"contracts":["layered"]' in html


def test_stubs_do_not_count(tmp_path):
    # a stub never runs, and import-linter does not read stubs: its imports are not dependencies
    root = repo(tmp_path, **{"app/data/typed.pyi": "from app.ui import views\n",
                             "app/data/repo.pyi": "from app.ui import views\n\n\ndef load() -> object: ...\n"})
    assert lines(run_cli(["check", "--no-cache"], root)) == EXPECTED_TEXT
