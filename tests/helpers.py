"""Test helpers: build repositories from dicts and run the engine or the CLI on them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Union

from importguard.config.settings import Config
from importguard.discovery.files import SourceFile
from importguard.engine.pipeline import analyse, modules_from
from importguard.extract import extract

if TYPE_CHECKING:
    from importguard.model import Diagnostic

ROOT = Path(__file__).resolve().parents[1]  # the repository
SRC = str(ROOT / "src")
FIXTURES = ROOT / "tests" / "fixtures"


# a hub that two modules of an import-time cycle import (``m1`` reads ``m0.X`` while ``m0`` runs),
# and a third that imports one of them: the smallest tree whose edits of the hub re-key the
# simulation's records (the forked and detached saves' tests)
HUB_AND_CYCLE = {
    "pyproject.toml": '[project]\nname = "gen"\nrequires-python = ">=3.9"\n',
    "app/__init__.py": "",
    "app/hub.py": "import os\nH = 1\n",
    "app/m0.py": "from app.hub import H\nfrom app import m1\nX = H\n",
    "app/m1.py": "from app.hub import H\nfrom app import m0\nY = m0.X\n",
    "app/m2.py": "from app.m0 import X\nZ = X\n",
}


def write_tree(root: Path, files: Dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text) if isinstance(text, str) else text, encoding="utf-8")
    return root


def module_of(rel: str) -> str:
    parts = rel[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def check_sources(files: Union[str, Dict[str, str]], config: Optional[Config] = None, **cfg) -> List[Diagnostic]:
    """Run every enabled rule on in-memory sources (no filesystem): the pure core."""
    if isinstance(files, str):
        files = {"mod.py": files}
    config = config or Config(**cfg)
    sources = []
    facts = {}
    for rel, text in files.items():
        p = Path("/virtual") / rel
        sources.append(SourceFile(p, rel, module_of(rel), rel.endswith("__init__.py"), rel.endswith("__init__.py")))
        facts[str(p)] = extract(textwrap.dedent(text).encode())
    modules = modules_from(sources, facts)
    diags, _, _ = analyse(modules, config)
    return diags


def codes(diags: List[Diagnostic]) -> List[str]:
    return [d.code for d in diags]


def run_cli(args: List[str], cwd: Path, env: Optional[dict] = None,
            input: Optional[str] = None) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e["PYTHONPATH"] = SRC + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-m", "importguard", *args], cwd=str(cwd), env=e,
                          capture_output=True, text=True, input=input, timeout=600)


def run_json(args: List[str], cwd: Path) -> dict:
    proc = run_cli([*args, "--format", "json"], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def corpus(name: str) -> Path:
    """The cached source tree of a real project (``shared/corpora.sh NAME``, beside the checkout or
    in a developer's worktree); the test is skipped where the script or the download is missing."""
    import pytest

    script = ROOT.parent / "shared" / "corpora.sh"
    if not script.exists():
        script = Path("/work/shared/corpora.sh")
    if not script.exists():
        pytest.skip(f"{script} is missing")
    proc = subprocess.run(["bash", str(script), name], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not proc.stdout.split():
        pytest.skip(f"corpus {name} could not be downloaded: {proc.stderr.strip()[-200:]}")
    return Path(proc.stdout.split()[-1])
