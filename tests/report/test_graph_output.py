"""``importguard graph``: DOT, Mermaid, JSON and the self-contained HTML page (rendered by Chromium)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from typing import TYPE_CHECKING

import pytest

from helpers import run_cli, write_tree

if TYPE_CHECKING:
    from pathlib import Path

REPO = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg.b import Y\nX = 1\n",
    "pkg/b.py": "from pkg import a\nY = 2\nimport pkg.d\n",
    "pkg/c.py": "def f():\n    from pkg import a\n    return a\n",
    "pkg/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.c import f\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/e.py": "import pkg.c\n",
}


def graph(tmp_path: Path, *args: str) -> str:
    write_tree(tmp_path, REPO)
    proc = run_cli(["graph", "--no-cache", *args, "."], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_json_flags_cycle_edges_and_kinds(tmp_path):
    doc = json.loads(graph(tmp_path, "--format", "json"))
    edges = {(e["from"], e["to"]): e for e in doc["edges"]}
    assert edges[("pkg.a", "pkg.b")]["in_cycle"] and edges[("pkg.b", "pkg.a")]["in_cycle"]
    assert edges[("pkg.c", "pkg.a")]["kind"] == "deferred" and not edges[("pkg.c", "pkg.a")]["in_cycle"]
    assert edges[("pkg.d", "pkg.c")]["kind"] == "typing"
    assert edges[("pkg.a", "pkg.b")]["sites"] == [{"path": "pkg/a.py", "line": 1, "names": "Y", "kind": "import-time"}]
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert nodes["pkg.sub.e"]["package"] == "pkg.sub"
    assert nodes["pkg.a"]["cycle"] is not None and nodes["pkg.sub.e"]["cycle"] is None


def test_cycles_only_keeps_cycle_members(tmp_path):
    doc = json.loads(graph(tmp_path, "--format", "json", "--cycles-only"))
    # a, b: import-time cycle; c, d close a wider one through a deferred and a typing import
    assert {n["id"] for n in doc["nodes"]} == {"pkg.a", "pkg.b", "pkg.c", "pkg.d"}
    assert {(e["from"], e["to"]) for e in doc["edges"]} == {
        ("pkg.a", "pkg.b"), ("pkg.b", "pkg.a"), ("pkg.b", "pkg.d"), ("pkg.c", "pkg.a"), ("pkg.d", "pkg.c")}
    assert {c["kind"] for c in doc["cycles"]} == {"import-time", "typing"}


def test_dot_styles_kinds_and_groups_packages(tmp_path):
    out = graph(tmp_path, "--format", "dot", "--group")
    assert out.startswith("digraph imports {")
    assert re.search(r'"pkg.a" -> "pkg.b" \[style=solid, color="#c0392b"', out)
    assert re.search(r'"pkg.c" -> "pkg.a" \[style=dashed,', out)
    assert re.search(r'"pkg.d" -> "pkg.c" \[style=dotted,', out)
    assert 'label="pkg.sub"' in out and "subgraph cluster_" in out


def test_mermaid(tmp_path):
    out = graph(tmp_path, "--format", "mermaid")
    assert out.startswith("flowchart LR")
    ids = dict(re.findall(r'(n\d+)\["([^"]+)"\]', out))
    rev = {v: k for k, v in ids.items()}
    assert f"{rev['pkg.c']} -.-> {rev['pkg.a']}" in out
    assert f"{rev['pkg.d']} -.->|typing| {rev['pkg.c']}" in out
    cycle_class = re.search(r"class (n\d+,n\d+) cycle", out)
    assert cycle_class is not None and cycle_class.group(1) == f"{rev['pkg.a']},{rev['pkg.b']}"


def test_output_option_writes_file(tmp_path):
    write_tree(tmp_path, REPO)
    proc = run_cli(["graph", "--no-cache", "--format", "html", "--output", "g.html", "."], tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "g.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    # self-contained: no external resources
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "http://www.w3.org/2000/svg" in page  # the SVG namespace, not a fetch


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian package `chromium` not installed (.ci/run installs it)")
def test_html_renders_nodes_and_highlights_cycle_in_chromium(tmp_path):
    write_tree(tmp_path, REPO)
    proc = run_cli(["graph", "--no-cache", "--format", "html", "-o", "g.html", "."], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert CHROMIUM is not None
    profile = tempfile.mkdtemp()
    try:
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
             "--window-size=1200,800", "--dump-dom", (tmp_path / "g.html").as_uri()],
            capture_output=True, text=True, timeout=120).stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert 'data-rendered="7"' in dom  # the script ran to the end
    nodes = re.findall(r'<g class="(node[^"]*)" data-id="([^"]+)"', dom)
    assert sorted(n for _, n in nodes) == ["pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.sub", "pkg.sub.e"]
    assert sorted(n for c, n in nodes if "cycle" in c.split()) == ["pkg.a", "pkg.b"]
    cycle_edges = re.findall(r'<path class="edge kind-import-time cycle"[^>]*'
                             r'data-from="([^"]+)" data-to="([^"]+)"', dom)
    assert sorted(cycle_edges) == [("pkg.a", "pkg.b"), ("pkg.b", "pkg.a")]
    assert re.search(r'<path class="edge kind-deferred"[^>]*data-from="pkg.c" data-to="pkg.a"', dom)
    assert re.search(r'<path class="edge kind-typing"[^>]*data-from="pkg.d" data-to="pkg.c"', dom)
