"""importguard on itself: no findings, layers respected, and a lean warm path."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import SRC, run_cli

ROOT = Path(__file__).resolve().parents[1]


def test_check_src_reports_nothing(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    proc = run_cli(["check", "src", "--select", "IG1,IG2,IG300", "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# A module imports only from rows below it (config -> discovery -> extract <-> cache -> graph
# -> rules -> engine -> report/fixers -> front ends).
LAYERS = [
    {"importguard.model"},
    {"importguard.config", "importguard.peer_config", "importguard.cache", "importguard.cost_cache"},
    {"importguard.discovery", "importguard.extract", "importguard.extract.positions", "importguard.extract.extractor"},
    {"importguard.graph"},
    {"importguard.simulate"},
    {"importguard.rules"},
    {"importguard.engine"},
]


def _layer(module: str) -> int:
    for i, group in enumerate(LAYERS):
        if module in group or any(module.startswith(g + ".") for g in group if g == "importguard.rules"):
            return i
    return len(LAYERS)


def test_layers_import_only_downward(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    proc = run_cli(["graph", "src", "--format", "json", "--no-cache"], tmp_path)
    if proc.returncode != 0 or not proc.stdout.startswith("{"):
        # the graph command is not built yet: fall back to the engine's edges
        sys.path.insert(0, SRC)
        from importguard.config import load_config
        from importguard.engine import check

        result = check(["src"], load_config(tmp_path), cwd=tmp_path, use_cache=False)
        edges = [(e.source, e.target, e.kind) for e in result.edges]
    else:
        doc = json.loads(proc.stdout)
        edges = [(e["from"], e["to"], e["kind"]) for e in doc["edges"]]
    bad = [(s, t) for s, t, kind in edges if kind == "import-time" and _layer(t) > _layer(s)
           and _layer(s) < len(LAYERS)]
    assert bad == []


def test_warm_check_imports_neither_libcst_nor_networkx(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\nimport os\n")
    (tmp_path / "pkg" / "b.py").write_text("from pkg import a\n")
    assert run_cli(["check"], tmp_path).returncode == 1  # cold: fills the cache
    code = ("import sys, runpy\nsys.argv = ['importguard', 'check']\n"
            "from importguard.cli import main\nrc = main()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'networkx')))\n")
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
            "from importguard.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'networkx')))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"
