"""``--format github``, ``--format sarif`` and ``--format markdown`` (the job summary)."""
from __future__ import annotations

import json
import re

from helpers import run_cli, write_tree
from importguard.model import Cycle, CycleEdge, Diagnostic
from importguard.report import github, markdown, sarif
from importguard.rules import by_code

REPO = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "pkg/__init__.py": "",
    "pkg/a.py": "import os\nfrom pkg import b\n\n\ndef f():\n    return b.X\n",
    # b uses `a` at import time: the import in a.py is the one to cut
    "pkg/b.py": "from pkg import a\n\nX = 1\nNAME = a.__name__\n\n\ndef g():\n    return a.f()\n",
}


def test_github_annotations(tmp_path):
    write_tree(tmp_path, REPO)
    proc = run_cli(["check", "--format", "github"], tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == ("::error file=pkg/a.py,line=1,col=8,endLine=1,endColumn=10,"
                        "title=importguard IG100 (unused-import)::IG100 `os` imported but unused")
    assert lines[1].startswith("::error file=pkg/a.py,line=2,col=17,")
    assert "title=importguard IG300 (import-cycle)::IG300 Import cycle of 2 modules" in lines[1]
    assert lines[-1] == "importguard: 2 findings in 3 files checked"


def test_github_escapes_properties_and_data():
    d = Diagnostic("odd,dir/a:b.py", 3, 1, "IG100", "100% unused\nreally", 4, 2)
    line = github.annotation(d, "unused-import")
    assert line == ("::error file=odd%2Cdir/a%3Ab.py,line=3,col=1,endLine=4,"
                    "title=importguard IG100 (unused-import)::IG100 100%25 unused%0Areally")


def test_github_paths_are_relative_to_the_workspace(tmp_path):
    write_tree(tmp_path / "service", REPO)
    proc = run_cli(["check", "--format", "github", "."], tmp_path / "service",
                   env={"GITHUB_WORKSPACE": str(tmp_path)})
    assert proc.stdout.startswith("::error file=service/pkg/a.py,line=1,")


def _sarif(tmp_path, *extra):
    proc = run_cli(["check", "--format", "sarif", *extra], tmp_path)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_sarif_document(tmp_path):
    write_tree(tmp_path, REPO)
    doc = _sarif(tmp_path)
    assert doc["version"] == "2.1.0" and "sarif-2.1.0" in doc["$schema"]
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "importguard" and driver["version"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(by_code())
    for r in rules:
        rule = by_code()[r["id"]]
        assert r["name"] == rule.name
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert "## What it does" in r["help"]["text"] and "## Fix safety" in r["help"]["markdown"]
        assert r["defaultConfiguration"]["level"] in ("warning", "error")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["IG100", "IG300"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "pkg/a.py", "uriBaseId": "%SRCROOT%"}
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
        assert re.fullmatch(r"[0-9a-f]{32}", r["partialFingerprints"]["importguard/v1"])
        assert r["partialFingerprints"]["primaryLocationLineHash"] == r["partialFingerprints"]["importguard/v1"]
        assert r["message"]["text"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 8, "endLine": 1, "endColumn": 10}


def test_sarif_fingerprints_survive_line_shifts_and_tell_duplicates_apart(tmp_path):
    write_tree(tmp_path, REPO)
    before = {r["ruleId"]: r["partialFingerprints"] for r in _sarif(tmp_path)["runs"][0]["results"]}
    for name in ("a.py", "b.py"):
        p = tmp_path / "pkg" / name
        p.write_text("# a comment\n\n" + p.read_text())
    results = _sarif(tmp_path)["runs"][0]["results"]
    assert {r["ruleId"]: r["partialFingerprints"] for r in results} == before
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    a = tmp_path / "pkg" / "a.py"
    a.write_text(a.read_text() + "\n\ndef h():\n    import os\n    return 1\n")
    fps = [r["partialFingerprints"]["importguard/v1"] for r in _sarif(tmp_path)["runs"][0]["results"]]
    assert len(fps) == 3 and len(set(fps)) == 3


def test_sarif_uris_are_percent_encoded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    d = Diagnostic("my dir/ü#1.py", 1, 1, "IG100", "`os` imported but unused", 1, 3, key="os")
    doc = json.loads(sarif.render([d], [], {}))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20dir/%C3%BC%231.py"


def test_markdown_summary(tmp_path):
    write_tree(tmp_path, REPO)
    proc = run_cli(["check", "--format", "markdown"], tmp_path,
                   env={"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc"})
    assert proc.returncode == 1
    text = proc.stdout
    assert text.startswith("## importguard\n")
    assert "| Code | Location | Message |" in text
    link = "[`pkg/a.py:1:8`](https://github.com/o/r/blob/abc/pkg/a.py#L1)"
    assert f"| IG100 | {link} | `os` imported but unused |" in text
    assert "### Import cycles (1)" in text
    block = text[text.index("```mermaid"):]
    assert 'm_pkg_a["pkg.a"]' in block and 'm_pkg_a -->|"pkg/a.py:2"| m_pkg_b' in block
    assert 'm_pkg_b -->|"pkg/b.py:1"| m_pkg_a' in block


def test_markdown_escapes_cells_and_draws_only_reported_cycles():
    d = Diagnostic("a.py", 1, 1, "IG100", "a | b\nc", key="x")
    cyc = Cycle(("p.a", "p.b"), "import-time", ("p.a", "p.b", "p.a"),
                (CycleEdge("p.a", "p.b", "p/a.py", 1, "import-time"),
                 CycleEdge("p.b", "p.a", "p/b.py", 1, "import-time")))
    text = markdown.render([d], [cyc], {"files": 1})
    assert "a \\| b c" in text
    assert "mermaid" not in text  # the cycle has no IG300 finding (ignored, or held by a baseline)
    ig300 = Diagnostic("p/a.py", 1, 1, "IG300", "cycle", key="cycle:p.a,p.b")
    assert "```mermaid" in markdown.render([ig300], [cyc], {"files": 2})
    assert "All checks passed (3 files checked)." in markdown.render([], [cyc], {"files": 3})


def test_extra_reports_come_from_the_same_run(tmp_path):
    write_tree(tmp_path, REPO)
    (tmp_path / "out").mkdir()
    proc = run_cli(["check", "--format", "github", "--extra-report", "sarif=out/r.sarif",
                    "--extra-report", "markdown=summary.md"], tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error ")
    assert len(json.loads((tmp_path / "out" / "r.sarif").read_text())["runs"][0]["results"]) == 2
    assert "| IG300 |" in (tmp_path / "summary.md").read_text()
    bad = run_cli(["check", "--extra-report", "pdf=x.pdf"], tmp_path)
    assert bad.returncode == 2 and "--extra-report expects FORMAT=FILE" in bad.stderr
