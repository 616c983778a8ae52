"""importguard on itself: no findings, layers respected, and a lean warm path."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import SRC, run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_check_src_reports_nothing(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    proc = run_cli(["check", "src", "--select", "IG1,IG2,IG300", "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_at_the_repository_root_reports_nothing(tmp_path):
    """`importguard check .` on the whole repository: tests and benchmarks too, with the fixture
    repositories that are wrong on purpose excluded by the project's own configuration."""
    junk = shutil.ignore_patterns("__pycache__", ".importguard_cache", ".hypothesis", ".pytest_cache")
    for folder in ("src", "tests", "benchmarks"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=junk)
    for name in ("pyproject.toml", ".gitignore"):
        shutil.copy(ROOT / name, tmp_path / name)
    proc = run_cli(["check", ".", "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checked = re.search(r"\((\d+) files checked", proc.stdout)
    assert checked is not None and int(checked.group(1)) > 0, proc.stdout


# The pipeline's stages, lowest first. A module imports only from its own row or a lower one,
# at import time, inside functions and under TYPE_CHECKING alike; every module belongs to a row.
LAYERS = [
    ("importguard", "importguard.model", "importguard.factmodel", "importguard.collection"),
    ("importguard.cache", "importguard.config"),
    ("importguard.discovery",),
    ("importguard.extract",),
    ("importguard.analysis",),
    ("importguard.rules", "importguard.contracts"),
    ("importguard.engine",),
    ("importguard.fixers", "importguard.cost", "importguard.report"),
    ("importguard.commands", "importguard.__main__"),
]


def _layer(module: str) -> int:
    best, row = "", -1
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            exact_only = p in ("importguard", "importguard.model", "importguard.factmodel", "importguard.__main__")
            hit = module == p or (not exact_only and module.startswith(p + "."))
            if hit and len(p) > len(best):
                best, row = p, i
    return row


def _graph(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    proc = run_cli(["graph", "src", "--format", "json", "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_layers_import_only_downward_with_every_edge_kind(tmp_path):
    doc = _graph(tmp_path)
    modules = {n["id"] for n in doc["nodes"]}
    on_disk = {".".join(p.relative_to(ROOT / "src").with_suffix("").parts).removesuffix(".__init__")
               for p in (ROOT / "src" / "importguard").rglob("*.py")}
    assert modules == on_disk  # the graph saw every module
    assert [m for m in sorted(modules) if _layer(m) < 0] == []  # a new module must join a layer
    kinds = {e["kind"] for e in doc["edges"]}
    assert {"import-time", "deferred", "typing"} <= kinds  # all three kinds are checked below
    upward = sorted((e["from"], e["to"], e["kind"]) for e in doc["edges"] if _layer(e["to"]) > _layer(e["from"]))
    assert upward == []


def test_no_cycle_of_any_kind_inside_importguard(tmp_path):
    assert _graph(tmp_path)["cycles"] == []


def test_no_module_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "src").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_warm_check_imports_neither_libcst_nor_networkx_nor_the_facts_classes(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\nimport os\n")
    (tmp_path / "pkg" / "b.py").write_text("from pkg import a\n")
    assert run_cli(["check"], tmp_path).returncode == 1  # cold: fills the cache
    code = ("import sys, runpy\nsys.argv = ['importguard', 'check']\n"
            "from importguard.commands.cli import main\nrc = main()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'networkx')\n"
            "             or m == 'importguard.factmodel'))\n")  # no fact is read: their classes are not made
    env_src = f"import sys; sys.path.insert(0, {SRC!r})\n"
    proc = subprocess.run([sys.executable, "-c", env_src + code], cwd=tmp_path, capture_output=True, text=True)
    assert "IG300" in proc.stdout and "IG100" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    # one touched file (a comment): facts of that file only; the graph results still come from the cache
    (tmp_path / "pkg" / "b.py").write_text("from pkg import a\n# touched\n")
    proc = subprocess.run([sys.executable, "-c", env_src + code], cwd=tmp_path, capture_output=True, text=True)
    assert "IG300" in proc.stdout
    assert "networkx" not in proc.stdout.strip().splitlines()[-1]


def test_version_is_cheap():
    code = (f"import sys; sys.path.insert(0, {SRC!r}); sys.argv=['importguard','--version']\n"
            "from importguard.commands.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'networkx')\n"
            "             or m == 'importguard.factmodel'))\n")  # no fact is read: their classes are not made
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_own_layers_contract_holds_and_catches_an_upward_import(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    proc = run_cli(["check", "src", "--select", "IG5", "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    model = tmp_path / "src" / "importguard" / "model.py"
    model.write_text(model.read_text() + "\n\ndef _late():\n    from importguard.report import text\n    return text\n")
    proc = run_cli(["check", "src", "--select", "IG5", "--no-cache", "--format", "json"], tmp_path)
    found = [(d["code"], d["path"], d["contract"]) for d in json.loads(proc.stdout)["diagnostics"]]
    assert found == [("IG501", "src/importguard/model.py", "pipeline stages import downward")]
