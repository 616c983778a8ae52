"""The shortest cycles and IG300's cuts kept in the results store per component: a run that finds
them there reports exactly what a run without the store reports, after edits that change only
what one of the computations reads (an edge's kind, an import's line, how an import is used)."""
from __future__ import annotations

import random
import textwrap
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from importguard.analysis import graph
from importguard.cache.facts import Store
from importguard.config.settings import Config
from importguard.discovery.files import SourceFile
from importguard.engine.pipeline import analyse, modules_from
from importguard.extract import extract


def _modules(files: Dict[str, str]):
    sources, facts = [], {}
    for rel, text in files.items():
        p = Path("/virtual") / rel
        parts = rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        init = rel.endswith("__init__.py")
        sources.append(SourceFile(p, rel, ".".join(parts), init, init))
        facts[str(p)] = extract(textwrap.dedent(text).encode())
    return modules_from(sources, facts)


def _run(files: Dict[str, str], store_path: Optional[Path]):
    """Findings and cycles of one run, with the results store at ``store_path`` (loaded from and
    saved to the file, as runs do) or without a store."""
    store = Store(store_path) if store_path is not None else None
    diags, cycles, _ = analyse(_modules(files), Config(), store=store)
    if store is not None:
        store.save()
    return list(diags), cycles


def _kept_then_fresh(tmp_path: Path, *versions: Dict[str, str]):
    """Run every version in turn on one store; return the last run's results and those of a run
    of the last version without a store."""
    store = tmp_path / "results.marshal"
    for files in versions[:-1]:
        _run(files, store)
    return _run(versions[-1], store), _run(versions[-1], None)


class _Counted:
    def __init__(self, monkeypatch, name: str) -> None:
        self.calls = 0
        real = getattr(graph, name)

        def counted(*args):
            self.calls += 1
            return real(*args)

        monkeypatch.setattr(graph, name, counted)


def test_an_edge_that_becomes_deferred_changes_the_kept_shortest_cycle(tmp_path):
    # a -> b -> a is the shortest import-time cycle; once b imports a inside a function, the
    # component keeps its members (a -> b -> c -> a) and its shortest import-time cycle is longer
    before = {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n",
              "pkg/b.py": "from pkg import a\nfrom pkg import c\n", "pkg/c.py": "from pkg import a\n"}
    after = dict(before, **{"pkg/b.py": "from pkg import c\n\n\ndef f():\n    from pkg import a\n    return a\n"})
    (kept, kept_cycles), (fresh, fresh_cycles) = _kept_then_fresh(tmp_path, before, after)
    first = _run(before, None)[1]
    assert [c.path for c in first if c.kind == "import-time"] == [("pkg.a", "pkg.b", "pkg.a")]
    assert [c.path for c in fresh_cycles if c.kind == "import-time"] == [("pkg.a", "pkg.b", "pkg.c", "pkg.a")]
    assert kept_cycles == fresh_cycles
    assert kept == fresh


def test_an_import_moved_down_is_reported_at_its_new_line(tmp_path):
    before = {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n\n\ndef f():\n    return b.X\n",
              "pkg/b.py": "from pkg import a\n\n\ndef g():\n    return a.Y + a.Y + a.Y\n"}
    after = dict(before, **{"pkg/a.py": '"""doc"""\n\nimport os\n' + before["pkg/a.py"]})
    (kept, kept_cycles), (fresh, fresh_cycles) = _kept_then_fresh(tmp_path, before, after)
    assert [(d.path, d.line) for d in fresh if d.code == "IG300"] == [("pkg/a.py", 4)]
    assert kept_cycles == fresh_cycles
    assert kept == fresh


def test_uses_that_change_the_cheapest_cut_are_seen(tmp_path):
    # the import used less often is the one to cut: first b's, then a's
    cheap_b = {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n\n\ndef f():\n    return b.X + b.X + b.X\n",
               "pkg/b.py": "from pkg import a\n\n\ndef g():\n    return a.Y\n"}
    cheap_a = dict(cheap_b, **{"pkg/a.py": "from pkg import b\n\n\ndef f():\n    return b.X\n",
                               "pkg/b.py": "from pkg import a\n\n\ndef g():\n    return a.Y + a.Y + a.Y\n"})
    (kept, _), (fresh, _) = _kept_then_fresh(tmp_path, cheap_b, cheap_a)
    assert [d.path for d in _run(cheap_b, None)[0] if d.code == "IG300"] == ["pkg/b.py"]
    assert [d.path for d in fresh if d.code == "IG300"] == ["pkg/a.py"]
    assert kept == fresh


def test_a_module_that_becomes_a_package_changes_the_cut(tmp_path):
    # an unused import in a package's ``__init__`` is its public surface: it is no longer the cut
    before = {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n",
              "pkg/b.py": "from pkg import a\n\n\ndef g():\n    return a.Y + a.Y\n"}
    after = {"pkg/__init__.py": "", "pkg/a/__init__.py": before["pkg/a.py"], "pkg/b.py": before["pkg/b.py"]}
    (kept, _), (fresh, _) = _kept_then_fresh(tmp_path, before, after)
    assert [d.path for d in _run(before, None)[0] if d.code == "IG300"] == ["pkg/a.py"]
    assert [d.path for d in fresh if d.code == "IG300"] == ["pkg/b.py"]
    assert kept == fresh


def test_only_the_changed_component_is_computed_again(tmp_path, monkeypatch):
    files = {"one/__init__.py": "", "one/a.py": "from one import b\n", "one/b.py": "from one import a\n",
             "two/__init__.py": "", "two/a.py": "from two import b\n", "two/b.py": "from two import c\n",
             "two/c.py": "from two import a\n"}
    store = tmp_path / "results.marshal"
    _run(files, store)
    paths, cuts = _Counted(monkeypatch, "_shortest"), _Counted(monkeypatch, "feedback_arc_set")
    edited = dict(files, **{"two/c.py": "from two import a\nfrom two import b\n"})
    kept = _run(edited, store)
    assert (paths.calls, cuts.calls) == (1, 1)  # component ``two`` only
    assert kept == _run(edited, None)
    paths.calls = cuts.calls = 0
    again = dict(edited, **{"one/b.py": "from one import a\nfrom one import c\n",
                           "one/c.py": "from one import a\n"})  # now ``one``
    kept = _run(again, store)
    assert (paths.calls, cuts.calls) == (1, 1)
    assert kept == _run(again, None)


def test_entries_no_recent_run_used_are_dropped(tmp_path):
    store = tmp_path / "results.marshal"
    for n in range(2, 7):  # a cycle of n modules, a new component each time
        files = {"pkg/__init__.py": ""}
        for i in range(n):
            files[f"pkg/m{i}.py"] = f"from pkg import m{(i + 1) % n}\n"
        _run(files, store)
    data = Store(store).data
    for prefix in (graph.CYCLE_PATHS, graph.CYCLE_CUTS):
        kept = [k for k in data if k.startswith(prefix) and k != prefix + "previous"]
        assert len(kept) == 2  # the last two runs' components


def _unpruned(nodes: List[str], succ: Dict[str, List[str]]) -> List[str]:
    """The shortest cycle as found by a full breadth-first search from every node."""
    best: Optional[List[str]] = None
    for start in nodes:
        prev: Dict[str, Optional[str]] = {start: None}
        queue, found = [start], None
        while queue and found is None:
            nxt = []
            for u in queue:
                for w in succ.get(u, ()):
                    if w == start:
                        found = u
                        break
                    if w not in prev:
                        prev[w] = u
                        nxt.append(w)
                if found is not None:
                    break
            queue = nxt
        if found is None:
            continue
        path = [found]
        step = prev[found]
        while step is not None:
            path.append(step)
            step = prev[step]
        path = path[::-1] + [start]
        if best is None or len(path) < len(best):
            best = path
    return best or list(nodes)


@pytest.mark.parametrize("seed", range(80))
def test_the_search_that_stops_early_finds_the_same_cycle(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    nodes = sorted(f"m{i:02d}" for i in range(n))
    order = nodes[:]
    rng.shuffle(order)
    succ: Dict[str, List[str]] = {}
    for i, s in enumerate(order):  # a ring (long cycles) plus random chords
        if rng.random() < 0.8:
            succ.setdefault(s, []).append(order[(i + 1) % n])
        for t in nodes:
            if rng.random() < rng.choice((0.0, 0.02, 0.1)):
                succ.setdefault(s, []).append(t)
    succ = {s: sorted(set(ts)) for s, ts in succ.items()}
    assert graph._shortest(nodes, succ) == _unpruned(nodes, succ)


def _reference_cycles(nodes: List[str], edges: List[graph.Edge]) -> List[tuple]:
    """Each rank's components of size 2 or more over the whole graph (networkx), in order, each
    once, with its shortest cycle found by the full search."""
    import networkx as nx

    strongest: Dict[tuple, int] = {}
    for e in edges:
        rank = graph.EDGE_KINDS.index(e.kind)
        strongest[(e.source, e.target)] = min(rank, strongest.get((e.source, e.target), rank))
    out, seen = [], set()
    for rank, kind in enumerate(graph.EDGE_KINDS):
        g: nx.DiGraph = nx.DiGraph()
        g.add_nodes_from(nodes)
        g.add_edges_from(pair for pair, r in strongest.items() if r <= rank)
        for comp in sorted(sorted(c) for c in nx.strongly_connected_components(g)):
            if len(comp) < 2 or tuple(comp) in seen:
                continue
            seen.add(tuple(comp))
            inner = {s: sorted(t for t in g.successors(s) if t in comp) for s in comp}
            out.append((tuple(comp), kind, tuple(_unpruned(comp, inner))))
    return out


@pytest.mark.parametrize("seed", range(60))
def test_cycles_of_each_kind_equal_a_search_over_the_whole_graph(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"m{i:02d}" for i in range(rng.randint(2, 30))]
    edges = []
    for s in nodes:
        for t in nodes:
            if s != t and rng.random() < rng.choice((0.03, 0.08, 0.2)):
                for line in range(rng.choice((1, 1, 2))):
                    kind = rng.choice(graph.EDGE_KINDS)
                    edges.append(graph.Edge(s, t, s + ".py", line + 1, 0, kind, line, (t,), 1, ("",), False))
    found = [(c.modules, c.kind, c.path) for c in graph.cycles(dict.fromkeys(nodes), edges)]  # type: ignore[arg-type]
    assert found == _reference_cycles(nodes, edges)


def _check(root: Path, use_cache: bool):
    from importguard.config.settings import load_config
    from importguard.engine import pipeline

    config = load_config(root)
    result = pipeline.check([str(root)], config, jobs=1, use_cache=use_cache, cwd=root, need_facts=True)
    return list(result.diagnostics), list(result.cycles)


def _graph_key(files: Dict[str, str], store_path: Path, graph_parts: Dict[str, str]) -> str:
    """The graph digest of ``files`` with the edges kept in the store at ``store_path``."""
    from importguard.analysis.contributions import Contributions
    from importguard.cache.facts import facts_digest
    from importguard.engine.incremental import graph_digest

    modules = _modules(files)
    store = Store(store_path)
    digests = {m.path: facts_digest(m.facts) for m in modules.values()}
    sums: Dict[str, str] = {}
    edges = graph.build_edges(modules, Contributions(store, digests, modules, "edges2:"), sums)
    assert edges == graph.build_edges(modules)
    store.save()
    return graph_digest(modules, edges, Config(), graph_parts, None, sums)


def test_the_graph_digest_changes_with_any_edge(tmp_path):
    # the module-level facts are given as unchanged: only the edges' digests can tell the difference
    one = {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n\n\ndef f():\n    return b.g\n",
           "pkg/b.py": "X = 1\n"}
    two = dict(one, **{"pkg/a.py": "from pkg import b\n\n\ndef f():\n    return b.g\n\n\ndef h():\n    return b\n"})
    parts = {"pkg": "p", "pkg.a": "a", "pkg.b": "b"}
    store = tmp_path / "results.marshal"
    first = _graph_key(one, store, parts)
    assert _graph_key(one, store, parts) == first  # edges and digests taken from the store: the same
    assert _graph_key(two, store, parts) != first
    assert _graph_key(one, store, parts) == first


def test_a_body_edit_that_changes_an_edge_reruns_the_repository_rules(tmp_path):
    # ``b`` used in one function, then in two: no module-level fact changes, the edge's use scopes
    # do, and with them IG300's advice (the digest of the graph holds a digest of each module's edges)
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "t"\nrequires-python = ">=3.9"\n')
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/b.py").write_text("from pkg import a\n\n\ndef g():\n    return " + " + ".join(["a.f()"] * 9) + "\n")
    a = root / "pkg/a.py"
    a.write_text("from pkg import b\n\n\ndef f():\n    return b.g\n\n\ndef h():\n    return 1\n")
    first = _check(root, True)
    assert first == _check(root, False)
    a.write_text("from pkg import b\n\n\ndef f():\n    return b.g\n\n\ndef h():\n    return b\n")
    second = _check(root, True)
    assert second == _check(root, False)
    advice = [d.message for d in second[0] if d.code == "IG300"]
    assert len(advice) == 1 and "(`f`, `h`)" in advice[0]
    assert advice != [d.message for d in first[0] if d.code == "IG300"]


def test_edges_kept_by_earlier_versions_are_dropped(tmp_path):
    from importguard.cache.facts import facts_digest

    files = {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "from pkg import a\n"}
    modules = _modules(files)
    digests = {m.path: facts_digest(m.facts) for m in modules.values()}
    store = Store(tmp_path / "results.marshal")
    store.data.update({"edges:previous": ["edges:x"], "edges:x": (("pkg.a", "pkg.b"),)})
    kept = analyse(modules, Config(), store=store, file_digests=digests)[0]
    assert not [k for k in store.data if k.startswith("edges:")]
    assert [k for k in store.data if k.startswith("edges2:")]
    assert kept == analyse(_modules(files), Config())[0]
