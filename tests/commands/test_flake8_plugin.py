"""The flake8 plugin, run through the real ``flake8`` (serial and ``-j 2``) on fixture repositories."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from typing import TYPE_CHECKING, List, Optional

import pytest

from helpers import SRC, corpus, write_tree

if TYPE_CHECKING:
    from pathlib import Path

flake8 = pytest.importorskip("flake8")


def _registered() -> bool:
    if sys.version_info >= (3, 10):
        group = metadata.entry_points(group="flake8.extension")
    else:
        group = metadata.entry_points().get("flake8.extension", [])
    return any(ep.name == "IG" and ep.value == "importguard.commands.flake8_plugin:ImportGuardPlugin" for ep in group)


pytestmark = pytest.mark.skipif(not _registered(),
                                reason="importguard's entry points are not installed (pip install -e .)")

REPO = {
    "pyproject.toml": "[project]\nname = 'demo'\nrequires-python = '>=3.9'\n",
    "pkg/__init__.py": "",
    "pkg/a.py": (
        "import os\n"
        "import sys  # noqa: IG100\n"
        "import re  # noqa\n"
        "import json  # noqa: E501\n"
        "from pkg import b\n"
        "\n"
        "\n"
        "def f():\n"
        "    return b.X\n"
    ),
    "pkg/b.py": (
        "from __future__ import annotations\n"
        "\n"
        "from decimal import Decimal\n"
        "\n"
        "from pkg import a\n"
        "\n"
        "X = 1\n"
        "NAME = a.__name__  # used at import time: the import in a.py is the one to cut\n"
        "\n"
        "\n"
        "def g(d: Decimal) -> Decimal:\n"
        "    return a.f()\n"
    ),
    "pkg/c.py": "import typing  # noqa: F401\nimport collections\n",
    "pkg/clean.py": "import math\n\nPI = math.pi\n",
}

EXPECTED = [
    "pkg/a.py:1:8: IG100",
    "pkg/a.py:4:8: IG100",
    "pkg/a.py:5:17: IG300",
    "pkg/b.py:3:21: IG200",
    "pkg/c.py:2:8: IG100",
]


def run_flake8(args: List[str], cwd: Path, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=str(cwd), env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def ig_lines(proc: subprocess.CompletedProcess) -> List[str]:
    out = []
    for line in proc.stdout.splitlines():
        path, row, col, rest = line.split(":", 3)
        code = rest.split()[0]
        if code.startswith("IG"):
            out.append(f"{path[2:] if path.startswith('./') else path}:{row}:{col}: {code}")
    return sorted(out)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path, REPO)


@pytest.mark.slow
def test_reports_lines_and_codes(repo):
    proc = run_flake8(["."], repo)
    assert proc.returncode == 1, proc.stderr
    assert ig_lines(proc) == EXPECTED
    # flake8's own checks still run beside ours, and messages are importguard's
    assert "F401 'os' imported but unused" in proc.stdout
    assert "./pkg/a.py:1:8: IG100 `os` imported but unused" in proc.stdout
    assert "Import cycle of 2 modules: `pkg.a` -> `pkg.b` -> `pkg.a`" in proc.stdout


@pytest.mark.slow
def test_parallel_jobs_see_the_whole_graph(repo):
    serial = run_flake8(["-j", "1", "--select", "IG", "."], repo)
    parallel = run_flake8(["-j", "2", "--select", "IG", "."], repo)
    assert parallel.returncode == 1, parallel.stderr
    assert ig_lines(parallel) == ig_lines(serial) == EXPECTED
    assert sum("IG300" in line for line in parallel.stdout.splitlines()) == 1  # once per cycle
    # a second parallel run, now from the cache, says the same
    assert ig_lines(run_flake8(["-j", "2", "--select", "IG", "."], repo)) == EXPECTED


@pytest.mark.slow
def test_select_and_ignore_are_flake8s(repo):
    assert ig_lines(run_flake8(["--select", "IG1", "."], repo)) == [e for e in EXPECTED if "IG100" in e]
    assert ig_lines(run_flake8(["--extend-ignore", "IG300,IG2", "."], repo)) == [e for e in EXPECTED if "IG100" in e]
    only_e = run_flake8(["--select", "E", "."], repo)
    assert ig_lines(only_e) == []
    proc = run_flake8(["--select", "F", "--extend-select", "IG3", "."], repo)
    assert ig_lines(proc) == ["pkg/a.py:5:17: IG300"]


@pytest.mark.slow
def test_ig400_is_off_unless_selected(repo):
    write_tree(repo, {"pkg/lazy.py": "import json\n\n\ndef dump(x):\n    return json.dumps(x)\n"})
    assert "IG400" not in "".join(ig_lines(run_flake8(["pkg/lazy.py"], repo)))
    assert ig_lines(run_flake8(["--extend-select", "IG400", "pkg/lazy.py"], repo)) == ["pkg/lazy.py:1:8: IG400"]
    assert ig_lines(run_flake8(["--select", "IG4", "pkg/lazy.py"], repo)) == ["pkg/lazy.py:1:8: IG400"]
    # a bare `IG` turns the plugin on with importguard's own selection
    assert ig_lines(run_flake8(["--select", "IG", "pkg/lazy.py"], repo)) == []


@pytest.mark.slow
def test_f401_noqa_also_silences_ig100(repo):
    # `# noqa: F401` silences IG100 as in `importguard check`, even under flake8's
    # --disable-noqa: importguard reads its own noqa comments, flake8 only filters what is left
    proc = run_flake8(["--select", "IG", "--disable-noqa", "pkg/c.py"], repo)
    assert ig_lines(proc) == ["pkg/c.py:2:8: IG100"]


@pytest.mark.slow
def test_a_single_file_still_sees_its_cycle(repo):
    # as pre-commit runs flake8: only b.py is checked, the cycle's suggested break is in a.py
    proc = run_flake8(["--select", "IG", "pkg/b.py"], repo)
    assert ig_lines(proc) == ["pkg/b.py:3:21: IG200", "pkg/b.py:5:17: IG300"]
    assert "(reported at pkg/a.py:5)" in proc.stdout
    # when a.py is checked too, the cycle is reported once, at a.py
    proc = run_flake8(["--select", "IG", "pkg/a.py", "pkg/b.py"], repo)
    assert [x for x in ig_lines(proc) if "IG300" in x] == ["pkg/a.py:5:17: IG300"]


@pytest.mark.slow
def test_stdin_buffer_is_checked_as_given(repo):
    text = (repo / "pkg" / "clean.py").read_text().replace("import math\n", "import math\nimport shutil\n")
    proc = run_flake8(["--select", "IG", "--stdin-display-name", "pkg/clean.py", "-"], repo, stdin=text)
    assert ig_lines(proc) == ["pkg/clean.py:2:8: IG100"]
    # the same buffer with a cycle member: the cycle still shows on the unchanged import line
    b = (repo / "pkg" / "b.py").read_text().replace("X = 1\n", "X = 1\nimport shutil\n")
    proc = run_flake8(["--select", "IG", "--stdin-display-name", "pkg/b.py", "-"], repo, stdin=b)
    assert ig_lines(proc) == ["pkg/b.py:3:21: IG200", "pkg/b.py:5:17: IG300", "pkg/b.py:8:8: IG100"]


@pytest.mark.slow
def test_importguard_config_option(repo):
    write_tree(repo, {"ci/importguard.toml": "[tool.importguard]\nside-effect-modules = ['collections']\n"})
    # the option from flake8's own config file; the project root is the config file's folder
    write_tree(repo, {"setup.cfg": "[flake8]\nimportguard-config = ci/importguard.toml\n"})
    (repo / "ci" / "m.py").write_text("import collections\nimport os\n")
    proc = run_flake8(["--select", "IG", "ci"], repo)
    assert ig_lines(proc) == ["ci/m.py:2:8: IG100"]
    # pyproject.toml's [tool.importguard] is read by default
    (repo / "setup.cfg").unlink()
    (repo / "pyproject.toml").write_text("[project]\nname = 'demo'\n[tool.importguard]\nignore = ['IG300']\n")
    assert "IG300" not in "".join(ig_lines(run_flake8(["--select", "IG", "."], repo)))


@pytest.mark.slow
def test_configuration_error_is_reported_not_hung(repo):
    (repo / "pyproject.toml").write_text("[tool.importguard]\nselekt = ['IG1']\n")
    for jobs in ("1", "2"):
        proc = run_flake8(["-j", jobs, "--select", "IG", "."], repo)
        assert proc.returncode != 0
        assert "unknown key `selekt`" in proc.stdout + proc.stderr


def test_loading_the_plugin_imports_neither_libcst_nor_networkx():
    code = ("import sys, importguard.commands.flake8_plugin as p; p.ImportGuardPlugin; "
            "print(sorted(m for m in ('libcst', 'networkx') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=SRC)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_flake8_lists_the_plugin(repo):
    proc = run_flake8(["--version"], repo)
    assert "importguard:" in proc.stdout


@pytest.mark.slow
def test_real_code_gives_the_same_findings_as_the_cli(tmp_path):
    import shutil

    src = corpus("rich")
    work = tmp_path / "rich"
    shutil.copytree(src, work)
    proc = run_flake8(["-j", "2", "--select", "IG", "rich"], work)
    assert proc.returncode in (0, 1), proc.stderr
    from_flake8 = sorted(line.split(" ")[0] + " " + line.split(" ")[1] for line in proc.stdout.splitlines())
    cli = subprocess.run([sys.executable, "-m", "importguard", "check", "-q", "rich"], cwd=str(work),
                         env=dict(os.environ, PYTHONPATH=SRC), capture_output=True, text=True, timeout=600)
    assert cli.returncode in (0, 1), cli.stderr
    from_cli = sorted(line.split(" ")[0] + " " + line.split(" ")[1] for line in cli.stdout.splitlines())
    assert from_flake8 == from_cli
    assert len(from_cli) > 0


def test_parallel_jobs_extract_each_file_once(tmp_path: Path) -> None:
    """``-j 2``: two processes need the whole graph; one extracts every file, the other waits for
    it and reads the cache (a cold run costs one extraction, not one per process)."""
    files = {"pyproject.toml": "[project]\nname = 'many'\n", "many/__init__.py": ""}
    for i in range(24):
        files[f"many/m{i}.py"] = f"import os\nfrom many import m{(i + 1) % 24}\n\n\ndef f{i}():\n    return os.sep\n"
    repo = write_tree(tmp_path / "repo", files)
    stats = tmp_path / "stats.jsonl"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
               IMPORTGUARD_STATS_FILE=str(stats))
    proc = subprocess.run([sys.executable, "-m", "flake8", "-j", "2", "--select", "IG", "."], cwd=str(repo),
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("IG100") == 24
    import json

    runs = [json.loads(line) for line in stats.read_text().splitlines()]
    assert len({r["pid"] for r in runs}) == 2  # both workers analysed the project ...
    assert sum(r.get("extracted", 0) for r in runs) == 25  # ... and each file was extracted once
