"""The strongly connected components the cycle rules and the simulation's entries are built on,
checked against networkx (a test dependency: the tool itself does not import it)."""
from __future__ import annotations

import random
import subprocess
import sys
from typing import Dict, List, Set

import networkx as nx
import pytest

from importguard.analysis.graph import strongly_connected


def _reference(nodes: List[str], succ: Dict[str, Set[str]]) -> List[List[str]]:
    g: nx.DiGraph = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((s, t) for s, ts in succ.items() for t in ts)
    return sorted(sorted(c) for c in nx.strongly_connected_components(g))


@pytest.mark.parametrize("seed", range(60))
def test_components_equal_networkx_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    nodes = [f"m{i}" for i in range(n)]
    density = rng.choice((0.01, 0.03, 0.08, 0.2))
    succ: Dict[str, Set[str]] = {}
    for s in nodes:
        for t in nodes:
            if rng.random() < density:
                succ.setdefault(s, set()).add(t)  # self-loops included
    # nodes named only by an edge, as source or as target, are nodes too
    listed = [m for m in nodes if rng.random() < 0.8]
    assert strongly_connected(listed, succ) == _reference(listed, succ)


def test_a_long_chain_needs_no_recursion() -> None:
    n = 50000  # far deeper than the interpreter's recursion limit
    succ = {f"m{i}": {f"m{i + 1}"} for i in range(n)}
    succ[f"m{n}"] = {"m0"}
    comps = strongly_connected([f"m{i}" for i in range(n + 1)], succ)
    assert len(comps) == 1 and len(comps[0]) == n + 1
    chain = {f"m{i}": {f"m{i + 1}"} for i in range(n)}
    assert len(strongly_connected(list(chain), chain)) == n + 1


def test_computing_cycles_imports_no_graph_library(tmp_path) -> None:
    """A run where an import changed computes cycles without importing networkx (it costs more to
    import than the computation on thousands of modules)."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "__init__.py").write_text("")
    (tmp_path / "p" / "a.py").write_text("from p import b\n")
    (tmp_path / "p" / "b.py").write_text("from p import a\n")
    code = ("import sys\nfrom importguard.commands.cli import main\n"
            "try:\n    main(['check', '--no-cache', '-q', '.'])\nexcept SystemExit:\n    pass\n"
            "print('networkx' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "IG300" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "False"


def _edge(source: str, target: str):
    from types import SimpleNamespace

    return SimpleNamespace(source=source, target=target)  # all an undirected component reads


@pytest.mark.parametrize("seed", range(40))
def test_file_components_equal_networkx_on_random_graphs(seed: int) -> None:
    """The undirected components a file's findings are kept under: imports, packages (a module
    and its nearest package present), links, and names outside the modules joining what they touch."""
    from importguard.analysis.graph import components

    rng = random.Random(seed)
    dotted = (".".join(f"p{rng.randint(0, 3)}" for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 40)))
    names = sorted(set(dotted))
    modules = [n for n in names if rng.random() < 0.85] + ["<script.py>"]
    rng.shuffle(modules)
    pool = names + ["elsewhere", "<script.py>"]
    edges = [_edge(rng.choice(pool), rng.choice(pool)) for _ in range(rng.randint(0, 30))]
    links = [(rng.choice(pool), rng.choice(pool)) for _ in range(rng.randint(0, 5))]
    g: nx.Graph = nx.Graph()
    graph = [m for m in modules if not m.startswith("<")]
    g.add_nodes_from(graph)
    g.add_edges_from([(e.source, e.target) for e in edges] + links)
    for m in graph:
        head = m.rpartition(".")[0]
        while head and head not in graph:
            head = head.rpartition(".")[0]
        if head:
            g.add_edge(m, head)
    expected = sorted(sorted(n for n in c if n in graph) for c in nx.connected_components(g))
    got = components(modules, edges, links)
    assert sorted(sorted(c) for c in got) == [c for c in expected if c]
    for comp in got:  # each in the order of the modules given
        assert comp == sorted(comp, key=modules.index)
