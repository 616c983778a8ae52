"""The composite GitHub Action: its ``run`` steps executed as GitHub runs them.

GitHub runs each ``run`` step of a composite action as ``bash --noprofile --norc -eo pipefail
FILE`` in ``$GITHUB_WORKSPACE``, after replacing ``${{ ... }}`` expressions, with
``GITHUB_STEP_SUMMARY`` / ``GITHUB_OUTPUT`` pointing at fresh files per step. The test does the
same (expressions are only allowed in ``env:``, as ``${{ inputs.x }}``) and installs importguard
from this checkout into a fresh virtual environment through the action's own install step.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple

import pytest

from helpers import write_tree

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

REPO = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "pkg/__init__.py": "",
    "pkg/a.py": "import os\nfrom pkg import b\n\n\ndef f():\n    return b.X\n",
    # b uses `a` at import time: the import in a.py is the one to cut
    "pkg/b.py": "from pkg import a\n\nX = 1\nNAME = a.__name__\n\n\ndef g():\n    return a.f()\n",
}


def load_action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def substitute(text: str, inputs: Dict[str, str]) -> str:
    def repl(m: "re.Match[str]") -> str:
        found = re.fullmatch(r"inputs\.([\w-]+)", m.group(1))
        assert found, f"unsupported expression in a run step: {m.group(0)}"
        return inputs[found.group(1)]

    return EXPR.sub(repl, text)


class StepRun(NamedTuple):
    name: str
    returncode: int
    stdout: str
    stderr: str
    summary: str
    outputs: str


def run_action(workspace: Path, inputs: Dict[str, str], env: Dict[str, str], tmp: Path) -> List[StepRun]:
    doc = load_action()
    values = {k: str(v.get("default", "")) for k, v in doc["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"inputs the action does not declare: {unknown}"
    values.update(inputs)
    runs = []
    for i, step in enumerate(doc["runs"]["steps"]):
        if "uses" in step:
            continue
        assert step["shell"] == "bash" and "if" not in step
        assert "${{" not in step["run"], "run scripts read inputs from env:, not from expressions"
        summary, outputs = tmp / f"summary-{i}.md", tmp / f"output-{i}.txt"
        summary.write_text("")
        outputs.write_text("")
        script = tmp / f"step-{i}.sh"
        script.write_text(step["run"])
        step_env = dict(env, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(outputs),
                        GITHUB_WORKSPACE=str(workspace), RUNNER_TEMP=str(tmp))
        step_env.update({k: substitute(str(v), values) for k, v in (step.get("env") or {}).items()})
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=str(workspace),
                              env=step_env, capture_output=True, text=True, timeout=600)
        runs.append(StepRun(step.get("name", ""), proc.returncode, proc.stdout, proc.stderr,
                            summary.read_text(), outputs.read_text()))
        if proc.returncode != 0:
            break  # GitHub stops the job at a failing step
    return runs


def test_action_declares_inputs_cache_and_formats():
    doc = load_action()
    assert doc["runs"]["using"] == "composite"
    assert {"version", "paths", "args", "baseline", "sarif-file", "job-summary", "cache"} <= set(doc["inputs"])
    steps = doc["runs"]["steps"]
    (cache,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert ".importguard_cache" in cache["with"]["path"]
    assert "hashFiles(" in cache["with"]["key"] and "pyproject.toml" in cache["with"]["key"]
    assert "*.lock" in cache["with"]["key"]
    assert cache["if"] == "inputs.cache == 'true'"
    check = [s for s in steps if s.get("id") == "check"][0]
    assert "--format github" in check["run"] and "$GITHUB_STEP_SUMMARY" in check["run"]
    assert doc["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh environment that sees this interpreter's packages (libcst, networkx) but not our code."""
    d = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(d / "venv")], check=True, timeout=300)
    # the action installs "this checkout": copy the project so the build leaves no files behind
    project = d / "project"
    project.mkdir()
    shutil.copy(ROOT / "pyproject.toml", project)
    for extra in ("README.md", "LICENSE"):
        if (ROOT / extra).exists():
            shutil.copy(ROOT / extra, project)
    if not (project / "README.md").exists():
        (project / "README.md").write_text("importguard\n")
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return d


def base_env(venv_dir: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PYTHON", "VIRTUAL_ENV", "INPUT_"))}
    bindir = venv_dir / "venv" / ("Scripts" if os.name == "nt" else "bin")
    env.update(PATH=str(bindir) + os.pathsep + env.get("PATH", ""), VIRTUAL_ENV=str(venv_dir / "venv"),
               PIP_DISABLE_PIP_VERSION_CHECK="1",
               GITHUB_ACTIONS="true", CI="true", GITHUB_SERVER_URL="https://github.com",
               GITHUB_REPOSITORY="octo/demo", GITHUB_SHA="0123abc")
    return env


@pytest.mark.slow
def test_action_annotations_sarif_and_summary(tmp_path, venv):
    workspace = write_tree(tmp_path / "workspace", REPO)
    env = base_env(venv)
    runs = run_action(workspace, {"version": str(venv / "project"), "sarif-file": "reports/importguard.sarif"},
                      env, tmp_path)
    assert len(runs) == 2, runs[0].stdout + runs[0].stderr
    install, check = runs
    assert install.returncode == 0, install.stderr
    assert install.stdout.strip().startswith("importguard ")
    assert str(venv / "venv") in subprocess.run(["bash", "-c", "command -v importguard"], env=env,
                                                capture_output=True, text=True).stdout
    # the check fails the job, with one annotation per finding
    assert check.returncode == 1, check.stderr
    annotations = [line for line in check.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file=pkg/a.py,line=1,col=8,endLine=1,endColumn=10,title=importguard IG100 (unused-import)"
        "::IG100 `os` imported but unused",
        annotations[1],
    ]
    assert annotations[1].startswith("::error file=pkg/a.py,line=2,col=17,")
    assert "::IG300 Import cycle of 2 modules: `pkg.a` -> `pkg.b` -> `pkg.a`" in annotations[1]
    assert "exit-code=1" in check.outputs
    # SARIF for upload-sarif
    sarif = json.loads((workspace / "reports" / "importguard.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["IG100", "IG300"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"pkg/a.py"}
    assert sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == workspace.resolve().as_uri() + "/"
    # the job summary: a table and a Mermaid diagram of the cycle
    summary = check.summary
    assert "| IG100 | [`pkg/a.py:1:8`](https://github.com/octo/demo/blob/0123abc/pkg/a.py#L1) |" in summary
    assert "```mermaid\ngraph LR\n" in summary and 'm_pkg_b -->|"pkg/b.py:1"| m_pkg_a' in summary
    # the cache folder that actions/cache saves
    assert (workspace / ".importguard_cache").is_dir()

    # a baseline written today makes the same workflow pass, with a clean summary
    bl = subprocess.run(["importguard", "check", "--write-baseline", "importguard-baseline.json"], cwd=str(workspace),
                        env=env, capture_output=True, text=True)
    assert bl.returncode == 0, bl.stderr
    runs = run_action(workspace, {"version": "installed", "baseline": "importguard-baseline.json"}, env, tmp_path)
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    assert not [line for line in runs[1].stdout.splitlines() if line.startswith("::error")]
    assert "All checks passed" in runs[1].summary and "exit-code=0" in runs[1].outputs

    # extra arguments and paths; no summary when switched off
    runs = run_action(workspace, {"version": "installed", "args": "--select IG1", "paths": "pkg",
                                  "job-summary": "false"}, env, tmp_path)
    assert runs[1].returncode == 1
    assert [line.split(",title=")[0] for line in runs[1].stdout.splitlines() if line.startswith("::error")] == [
        "::error file=pkg/a.py,line=1,col=8,endLine=1,endColumn=10"]
    assert runs[1].summary == ""

    # a configuration error fails the job and says so in the summary
    (workspace / "pyproject.toml").write_text("[tool.importguard]\nselekt = 1\n")
    runs = run_action(workspace, {"version": "installed"}, env, tmp_path)
    assert runs[1].returncode == 2 and "exit-code=2" in runs[1].outputs
    assert "exit status 2" in runs[1].summary and "unknown key `selekt`" in runs[1].stderr



def docs_workflow() -> dict:
    """The workflow of docs/frontends.md, as users copy it."""
    text = (ROOT / "docs" / "frontends.md").read_text(encoding="utf-8")
    section = text[text.index("## GitHub Actions"):]
    block = section[section.index("```yaml\n") + 8:]
    return yaml.safe_load(block[:block.index("```")])


@pytest.mark.slow
def test_docs_workflow_installs_the_action_checkout_without_the_index(tmp_path):
    # importguard need not be on the package index: by default the action installs the release its
    # `uses:` names, from its own checkout ($GITHUB_ACTION_PATH). pip gets no index here at all:
    # only the build backend (a local wheel) and this interpreter's packages (libcst, networkx)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                    "-d", str(wheels), "setuptools>=64"], check=True, timeout=600)
    action_path = tmp_path / "action"
    action_path.mkdir()
    for name in ("action.yml", "pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, action_path)
    shutil.copytree(ROOT / "src", action_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(tmp_path / "venv")], check=True,
                   timeout=300)
    env = base_env(tmp_path)
    env.update(GITHUB_ACTION_PATH=str(action_path), PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1",
               PIP_FIND_LINKS=str(wheels))

    steps = docs_workflow()["jobs"]["importguard"]["steps"]
    (ours,) = [s for s in steps if str(s.get("uses", "")).startswith("OWNER/importguard@")]
    inputs = {k: str(v) for k, v in (ours.get("with") or {}).items()}
    assert "version" not in inputs and load_action()["inputs"]["version"]["default"] == ""
    # the repository the snippet expects: code in src/ and tests/, a baseline of old findings
    files = {"pyproject.toml": "[project]\nname = 'demo'\n",
             "src/pkg/__init__.py": "", "src/pkg/old.py": "import sys\n",
             "tests/test_pkg.py": "import pkg.old\n\n\ndef test():\n    assert pkg.old\n"}
    workspace = write_tree(tmp_path / "workspace", files)
    baseline = {"version": 1, "findings": []}
    if "baseline" in inputs:
        (workspace / inputs["baseline"]).write_text(json.dumps(baseline))
    runs = run_action(workspace, inputs, env, tmp_path)
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout.strip().startswith("importguard ")
    py = tmp_path / "venv" / "bin" / "python"
    where = subprocess.run([str(py), "-c", "from importlib import metadata; "
                            "print(metadata.distribution('importguard').read_text('direct_url.json'))"],
                           capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert action_path.as_uri() in where.stdout, where.stdout + where.stderr
    check = runs[1]
    assert check.returncode == 1, check.stderr
    assert "::IG100 `sys` imported but unused" in check.stdout
    # the SARIF file the snippet's upload step reads
    (upload,) = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    sarif = json.loads((workspace / upload["with"]["sarif_file"]).read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["IG100"]
    assert "IG100" in check.summary
