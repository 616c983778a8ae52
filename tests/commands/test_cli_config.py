"""The command line, JSON output and configuration: exit codes, formats, clear errors."""
import json

import pytest

from helpers import run_cli, write_tree
from importguard.config.settings import ConfigError, load_config, requires_python_floor


@pytest.fixture
def repo(tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": "[project]\nname='x'\nrequires-python='>=3.10'\n",
        "pkg/__init__.py": "",
        "pkg/a.py": "import os\nfrom pkg import b\nprint(b)\n",
        "pkg/b.py": "from pkg import a\nprint(a)\n",
        "pkg/clean.py": "import sys\nprint(sys.argv)\n",
    })
    return tmp_path


def test_exit_codes(repo):
    assert run_cli(["check"], repo).returncode == 1
    assert run_cli(["check", "pkg/clean.py"], repo).returncode == 0
    assert run_cli(["check", "--select", "IG999"], repo).returncode == 2
    assert run_cli(["check", "--format", "yaml"], repo).returncode == 2
    assert run_cli(["explain", "IG777"], repo).returncode == 2
    assert run_cli([], repo).returncode == 2


def test_text_output_is_ruff_like(repo):
    out = run_cli(["check", "--color", "never"], repo).stdout.splitlines()
    assert "pkg/a.py:1:8: IG100 [*] `os` imported but unused" in out
    assert any(line.startswith("pkg/a.py:2:17: IG300 Import cycle of 2 modules") or
               line.startswith("pkg/b.py:1:17: IG300 Import cycle of 2 modules") for line in out)
    assert out[-2].startswith("Found 2 errors (1 IG100, 1 IG300) in 4 files checked.")


def test_color_on_request(repo):
    assert "\033[" in run_cli(["check", "--color", "always"], repo).stdout
    assert "\033[" not in run_cli(["check"], repo).stdout  # not a terminal


def test_json_is_the_stable_document(repo):
    doc = json.loads(run_cli(["check", "--format", "json"], repo).stdout)
    assert doc["version"] == 1
    assert set(doc) == {"version", "diagnostics", "cycles", "summary"}
    d = doc["diagnostics"][0]
    assert set(d) == {"code", "message", "path", "line", "column", "end_line", "end_column", "fixable", "fix"}
    assert d["fixable"] is True
    assert d["fix"] == {"applicability": "safe", "title": "Remove unused import", "reason": ""}
    assert (d["code"], d["path"], d["line"], d["column"], d["end_column"]) == ("IG100", "pkg/a.py", 1, 8, 10)
    (cycle,) = doc["cycles"]
    assert cycle["modules"] == ["pkg.a", "pkg.b"] and cycle["kind"] == "import-time"
    assert cycle["path"][0] == cycle["path"][-1]
    assert {(e["from"], e["to"]) for e in cycle["edges"]} == {("pkg.a", "pkg.b"), ("pkg.b", "pkg.a")}
    assert set(doc["summary"]) >= {"files", "modules", "edges", "diagnostics", "seconds"}
    assert doc["summary"]["files"] == 4 and doc["summary"]["diagnostics"] == 2


def test_select_ignore_prefixes(repo):
    doc = json.loads(run_cli(["check", "--format", "json", "--select", "IG3"], repo).stdout)
    assert {d["code"] for d in doc["diagnostics"]} == {"IG300"}
    doc = json.loads(run_cli(["check", "--format", "json", "--ignore", "IG300"], repo).stdout)
    assert {d["code"] for d in doc["diagnostics"]} == {"IG100"}


def test_output_file(repo):
    proc = run_cli(["check", "--format", "json", "--output-file", "out.json"], repo)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads((repo / "out.json").read_text())["version"] == 1


def test_explain_prints_the_rule_doc(repo):
    out = run_cli(["explain", "ig200"], repo).stdout
    assert out.startswith("# IG200 typing-only-import")
    assert "## Fix safety" in out


def test_unknown_key_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.importguard]\nside_effect_modules = ['x']\n")
    proc = run_cli(["check"], tmp_path)
    assert proc.returncode == 2
    assert "unknown key `side_effect_modules`" in proc.stderr and "did you mean `side-effect-modules`" in proc.stderr


@pytest.mark.parametrize("body,needle", [
    ("select = 'IG1'\nignore = 3\n", "`ignore` must be a list of strings"),
    ("select = ['IG100', 'F401']\n", "unknown rule code or prefix 'F401'"),
    ("target-version = 'python3'\n", "cannot read 'python3' as a Python version"),
    ("check-reexports = 'yes'\n", "`check-reexports` must be true or false"),
    ("annotation-strategy = 'stringify'\n", "must be \"quote\" or \"future\""),
    ("roots = 'src'\nexclude = [1]\n", "`exclude` must be a list of strings"),
])
def test_bad_values_are_clear_errors(tmp_path, body, needle):
    (tmp_path / "pyproject.toml").write_text("[tool.importguard]\n" + body)
    proc = run_cli(["check"], tmp_path)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr


def test_invalid_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.importguard\n")
    proc = run_cli(["check"], tmp_path)
    assert proc.returncode == 2 and "invalid TOML" in proc.stderr


def test_target_version_from_requires_python(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nrequires-python = '>=3.14'\n"
                                             "[tool.importguard]\ntarget-version='py39'\n")
    assert load_config(tmp_path).target_version == (3, 14)
    (tmp_path / "pyproject.toml").write_text("[tool.importguard]\ntarget-version='3.12'\n")
    assert load_config(tmp_path).target_version == (3, 12)
    (tmp_path / "pyproject.toml").write_text("")
    assert load_config(tmp_path).target_version == (3, 9)
    assert requires_python_floor(">=3.10,<4") == (3, 10)
    assert requires_python_floor("~=3.11.2") == (3, 11)
    assert requires_python_floor("!=3.0.*") is None


def test_config_roots_and_exclude(tmp_path):
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.importguard]\nroots = ['lib']\nexclude = ['lib/gen*']\n",
        "lib/core/__init__.py": "",
        "lib/core/a.py": "from core import b\n",
        "lib/core/b.py": "from core import a\n",
        "lib/gen_stuff.py": "import os\n",
    })
    doc = json.loads(run_cli(["check", "--format", "json"], tmp_path).stdout)
    assert doc["cycles"][0]["modules"] == ["core.a", "core.b"]
    assert not any(d["path"].startswith("lib/gen") for d in doc["diagnostics"])


def test_config_error_python_api(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.importguard]\nbogus = 1\n")
    with pytest.raises(ConfigError):
        load_config(tmp_path)
