"""Baselines: today's findings are hidden, new ones are reported, line shifts change nothing."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from helpers import run_cli, run_json, write_tree
from importguard.model import Diagnostic
from importguard.report.baseline import filter_baseline, write_baseline

if TYPE_CHECKING:
    from pathlib import Path

REPO = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "pkg/__init__.py": "",
    "pkg/a.py": "import os\nfrom pkg import b\n\n\ndef f():\n    return b.X\n",
    "pkg/b.py": "import json\nfrom pkg import a\n\nX = 1\n\n\ndef g():\n    return a.f()\n",
}


def found(tmp: Path, *args: str):
    doc = run_json(["check", "--no-cache", *args], tmp)
    return sorted((d["code"], d["path"], d["message"].split(":")[0]) for d in doc["diagnostics"]), doc


def test_baseline_hides_todays_findings_and_reports_new_ones(tmp_path):
    write_tree(tmp_path, REPO)
    before, _ = found(tmp_path)
    assert [c for c, _, _ in before] == ["IG100", "IG100", "IG300"]
    proc = run_cli(["check", "--write-baseline", "importguard-baseline.json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "3 finding(s)" in proc.stderr

    proc = run_cli(["check", "--baseline", "importguard-baseline.json"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All checks passed" in proc.stdout

    # lines shift above every finding (and the cycle's break moves down with them)
    header = '"""Docstring."""\n# comment\n\nVALUE = 3\n\n'
    for name in ("a.py", "b.py"):
        p = tmp_path / "pkg" / name
        p.write_text(header + p.read_text())
    shifted, _ = found(tmp_path)
    assert len(shifted) == 3  # still there without the baseline...
    now, _ = found(tmp_path, "--baseline", "importguard-baseline.json")
    assert now == []  # ...and still hidden with it

    # a new unused import and a new cycle are reported; the old ones stay hidden
    a = tmp_path / "pkg" / "a.py"
    a.write_text("import sys\n" + a.read_text())
    write_tree(tmp_path, {"pkg/c.py": "from pkg import d\n\n\ndef f():\n    return d\n",
                          "pkg/d.py": "from pkg import c\n\n\ndef g():\n    return c\n"})
    now, doc = found(tmp_path, "--baseline", "importguard-baseline.json")
    # the new cycle c <-> d is reported once, at whichever of its two imports is advised to cut
    assert [c for c, _, _ in now] == ["IG100", "IG300"]
    assert now[0][1] == "pkg/a.py" and now[1][1] in ("pkg/c.py", "pkg/d.py")
    assert "`sys`" in now[0][2]
    assert [c["modules"] for c in doc["cycles"]] == [["pkg.c", "pkg.d"]]  # the held cycle is not listed
    proc = run_cli(["check", "--baseline", "importguard-baseline.json"], tmp_path)
    assert proc.returncode == 1


def test_identical_findings_are_counted(tmp_path):
    write_tree(tmp_path, REPO)
    run_cli(["check", "--write-baseline", "bl.json"], tmp_path)
    a = tmp_path / "pkg" / "a.py"
    a.write_text(a.read_text() + "\n\ndef h():\n    import os\n    return 1\n")
    now, _ = found(tmp_path, "--baseline", "bl.json")
    assert [(c, p) for c, p, _ in now] == [("IG100", "pkg/a.py")]
    assert "`os`" in now[0][2]


def test_fixed_findings_leave_no_debt_and_the_same_text_elsewhere_is_new(tmp_path):
    write_tree(tmp_path, REPO)
    run_cli(["check", "--write-baseline", "bl.json"], tmp_path)
    # `import os` removed from a.py, added to b.py: a baseline entry is per file
    a, b = tmp_path / "pkg" / "a.py", tmp_path / "pkg" / "b.py"
    a.write_text(a.read_text().replace("import os\n", ""))
    b.write_text("import os\n" + b.read_text())
    now, _ = found(tmp_path, "--baseline", "bl.json")
    assert [(c, p) for c, p, _ in now] == [("IG100", "pkg/b.py")]


def test_baseline_paths_are_relative_to_the_baseline_file(tmp_path):
    write_tree(tmp_path, REPO)
    run_cli(["check", "--write-baseline", "bl.json"], tmp_path)
    doc = json.loads((tmp_path / "bl.json").read_text())
    assert {f["path"] for f in doc["findings"]} == {"pkg/a.py", "pkg/b.py", ""}
    assert doc["cycles"] == [["pkg.a", "pkg.b"]]
    assert not any(str(tmp_path) in json.dumps(f) for f in doc["findings"])
    # from a subfolder, with the project's path on the command line
    proc = run_cli(["check", "--baseline", "../bl.json", ".."], tmp_path / "pkg")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_baseline_from_config_is_relative_to_the_project_root(tmp_path):
    config = "[project]\nname = 'demo'\n[tool.importguard]\nbaseline = 'ci/bl.json'\n"
    write_tree(tmp_path, {**REPO, "pyproject.toml": config})
    (tmp_path / "ci").mkdir()
    assert run_cli(["check", "--write-baseline", "ci/bl.json"], tmp_path).returncode == 0
    proc = run_cli(["check", "."], tmp_path / "pkg")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_missing_or_broken_baseline_is_a_clear_error(tmp_path):
    write_tree(tmp_path, REPO)
    proc = run_cli(["check", "--baseline", "nope.json"], tmp_path)
    assert proc.returncode == 2
    assert "baseline file not found" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "bad.json").write_text("{not json")
    proc = run_cli(["check", "--baseline", "bad.json"], tmp_path)
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr
    (tmp_path / "other.json").write_text('{"version": 1, "diagnostics": []}')
    proc = run_cli(["check", "--baseline", "other.json"], tmp_path)
    assert proc.returncode == 2 and "not an importguard baseline" in proc.stderr


def test_filter_baseline_api(tmp_path):
    d1 = Diagnostic("pkg/a.py", 3, 8, "IG100", "`os` imported but unused", key="os")
    d2 = d1._replace(line=9)
    cyc = Diagnostic("pkg/a.py", 2, 1, "IG300", "Import cycle", key="cycle:pkg.a,pkg.b")
    bl = tmp_path / "bl.json"
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        write_baseline(bl, [d1, cyc])
        assert filter_baseline(bl, [d2, d1]) == [d1]  # one held, the second identical one is new
        # the cycle is held wherever its break point moves
        assert filter_baseline(bl, [cyc._replace(path="pkg/b.py", line=7)]) == []
        assert filter_baseline(bl, [cyc._replace(key="cycle:pkg.a,pkg.b,pkg.c")]) != []
    finally:
        os.chdir(cwd)
