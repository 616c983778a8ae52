"""An import-linter configuration taken from a real project works unchanged.

The configuration below is grimp's own ``.importlinter`` (grimp is import-linter's graph
builder), comments and all; the package around it is a small model of grimp's layout, with the
imports of its Rust extension that the configuration ignores.
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from helpers import run_cli, write_tree

GRIMP_IMPORTLINTER = """\
[importlinter]
root_package = grimp

[importlinter:contract:1]
name=Layered architecture
type=layers
containers =
    grimp
layers=
    main
    adaptors
    application
    domain
    exceptions
exhaustive = true
ignore_imports =
    ; Grimp doesn't understand extension modules: it thinks grimp._rustgrimp
    ; is an object within grimp, rather than a module in its own right,
    ; so we ignore these imports here.
    grimp.adaptors.caching -> grimp
    grimp.application.graph -> grimp
    grimp.adaptors.filesystem -> grimp
    grimp.application.scanning -> grimp
"""

GRIMP = {
    ".importlinter": GRIMP_IMPORTLINTER,
    "setup.cfg": "[metadata]\nname = grimp\n",
    "grimp/__init__.py": ("from .application.graph import ImportGraph\nfrom .domain.valueobjects import Module\n"
                          "from .main import build_graph\n"),
    "grimp/main.py": "from .adaptors.caching import Cache\nfrom .application.usecases import build_graph\n",
    "grimp/exceptions.py": "class NoSuchContainer(Exception):\n    pass\n",
    "grimp/adaptors/__init__.py": "",
    "grimp/adaptors/caching.py": ("from grimp import _rustgrimp as rust\n"
                                  "from grimp.application.ports.caching import Base\n"),
    "grimp/adaptors/filesystem.py": "from grimp import _rustgrimp as rust\n",
    "grimp/application/__init__.py": "",
    "grimp/application/ports/__init__.py": "",
    "grimp/application/ports/caching.py": "from grimp.domain.valueobjects import Module\n",
    "grimp/application/graph.py": ("from grimp import _rustgrimp as rust\n"
                                   "from grimp.exceptions import NoSuchContainer\n"
                                   "from grimp.domain.analysis import Route\n"),
    "grimp/application/scanning.py": "from grimp import _rustgrimp as rust\n",
    "grimp/application/usecases.py": "from .graph import ImportGraph\nfrom .scanning import scan\n",
    "grimp/domain/__init__.py": "",
    "grimp/domain/analysis.py": "from .valueobjects import Module\n",
    "grimp/domain/valueobjects.py": "import dataclasses\n",
}


def ig(root):
    proc = run_cli(["check", "--no-cache", "--select", "IG5", "--format", "json"], root)
    assert proc.returncode in (0, 1), proc.stderr
    return [(d["code"], d["path"], d["line"], [(x["from"], x["to"]) for x in d["chain"]])
            for d in json.loads(proc.stdout)["diagnostics"]]


def test_grimps_own_configuration_is_kept(tmp_path):
    assert ig(write_tree(tmp_path, GRIMP)) == []


def test_grimps_own_configuration_catches_an_upward_import(tmp_path):
    root = write_tree(tmp_path, GRIMP)
    write_tree(root, {"grimp/domain/valueobjects.py": "import dataclasses\n\nfrom grimp.adaptors import caching\n"})
    assert ig(root) == [("IG501", "grimp/domain/valueobjects.py", 3,
                         [("grimp.domain.valueobjects", "grimp.adaptors.caching")])]
    # exhaustive: a new child of the container that is not a layer
    write_tree(root, {"grimp/domain/valueobjects.py": "import dataclasses\n", "grimp/helpers.py": ""})
    assert ig(root) == [("IG501", "grimp/helpers.py", 1, [])]


@pytest.mark.slow
def test_import_linter_agrees_on_the_same_tree(tmp_path):
    lint_imports = shutil.which("lint-imports")
    if lint_imports is None:
        pytest.skip("import-linter is not installed")
    # lint-imports itself imports the installed grimp, and would check that one: rename the model
    renamed = {k.replace("grimp", "grimpmodel"): v.replace("grimp", "grimpmodel") for k, v in GRIMP.items()}
    root = write_tree(tmp_path, renamed)
    assert subprocess.run([lint_imports, "--no-cache"], cwd=root, capture_output=True).returncode == 0
    assert ig(root) == []
    upward = "import dataclasses\n\nfrom grimpmodel.adaptors import caching\n"
    write_tree(root, {"grimpmodel/domain/valueobjects.py": upward})
    proc = subprocess.run([lint_imports, "--no-cache"], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "grimpmodel.domain.valueobjects -> grimpmodel.adaptors.caching (l.3)" in proc.stdout
    assert ig(root) == [("IG501", "grimpmodel/domain/valueobjects.py", 3,
                         [("grimpmodel.domain.valueobjects", "grimpmodel.adaptors.caching")])]
