"""``importguard graph``: the first-party module graph as DOT, Mermaid, JSON or a self-contained HTML page.

Edges are merged per (importer, imported) pair with their strongest kind (import-time, then
deferred, then typing) and every import site. Edges inside an import-time cycle are flagged, and
so are their modules. ``--cycles-only`` keeps the modules and edges of cycles of any kind;
``--group`` clusters modules by package (DOT, Mermaid, HTML).
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Sequence, Tuple

from importguard.model import EDGE_KINDS, IMPORT_TIME, Cycle

if TYPE_CHECKING:
    from importguard.analysis.graph import Edge, ModuleInfo

_RANK = {k: i for i, k in enumerate(EDGE_KINDS)}


class GEdge(NamedTuple):
    source: str
    target: str
    kind: str
    in_cycle: bool
    sites: Tuple[Tuple[str, int, str, str], ...]  # (path, line, names, kind)


class Graph(NamedTuple):
    nodes: List[str]
    edges: List[GEdge]
    cycles: List[Cycle]
    cycle_of: Dict[str, int]  # module -> index in cycles (import-time first)
    paths: Dict[str, str]
    # architecture contracts: the imports of every illegal chain (-> the contracts they break) and
    # the layers of each layers contract, highest first, each a list of modules (packages included)
    broken: Dict[Tuple[str, str], Tuple[str, ...]] = {}
    layers: Tuple[Tuple[str, Tuple[Tuple[str, ...], ...]], ...] = ()

    def layer_of(self, module: str) -> Optional[int]:
        """The module's layer in the first layers contract (0 = highest), or None."""
        if not self.layers:
            return None
        for i, members in enumerate(self.layers[0][1]):
            if any(module == m or module.startswith(m + ".") for m in members):
                return i
        return None


def package_of(module: str) -> str:
    return module.rpartition(".")[0] or module


def build(modules: Dict[str, ModuleInfo], edges: Sequence[Edge], cycles: Sequence[Cycle],
          cycles_only: bool = False) -> Graph:
    names = sorted(m for m in modules if not m.startswith("<"))
    order = sorted(cycles, key=lambda c: (_RANK[c.kind], c.modules))
    cycle_of: Dict[str, int] = {}
    for i, c in enumerate(order):
        for m in c.modules:
            cycle_of.setdefault(m, i)
    outer: Dict[str, int] = {m: i for i, c in enumerate(order) for m in c.modules}  # weakest kind wins
    same_tc: Dict[str, int] = {m: i for i, c in enumerate(order) if c.kind == IMPORT_TIME for m in c.modules}
    by_pair: Dict[Tuple[str, str], List[Edge]] = defaultdict(list)
    for e in edges:
        by_pair[(e.source, e.target)].append(e)
    out: List[GEdge] = []
    for (s, t), lst in sorted(by_pair.items()):
        lst.sort(key=lambda e: (_RANK[e.kind], e.path, e.line))
        kind = lst[0].kind
        in_cycle = kind == IMPORT_TIME and s in same_tc and same_tc.get(t) == same_tc[s]
        if cycles_only:
            cs, ct = outer.get(s), outer.get(t)
            if cs is None or cs != ct:
                continue
        sites = tuple((e.path, e.line, ", ".join(e.names), e.kind) for e in lst)
        out.append(GEdge(s, t, kind, in_cycle, sites))
    if cycles_only:
        names = [n for n in names if n in cycle_of]
    paths = {n: modules[n].path for n in names}
    return Graph(names, out, order, cycle_of, paths)


# ---------------------------------------------------------------------------- DOT
_DOT_STYLE = {IMPORT_TIME: "solid", "deferred": "dashed", "typing": "dotted"}


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(g: Graph, group: bool = False) -> str:
    lines = ["digraph imports {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8];']
    hot = {m for m, i in g.cycle_of.items() if g.cycles[i].kind == IMPORT_TIME}

    def node_line(n: str, indent: str) -> str:
        attrs = ' [color="#c0392b", style=filled, fillcolor="#fdecea"]' if n in hot else ""
        return f"{indent}{_q(n)}{attrs};"

    if g.layers:
        for i, (label, members) in enumerate(_by_layer(g)):
            lines.append(f"  subgraph cluster_layer{i} {{")
            lines.append(f"    label={_q(label)}; style=filled; fillcolor=\"#f4f6f7\"; color=\"#5d6d7e\";")
            lines.extend(node_line(n, "    ") for n in members)
            lines.append("  }")
    elif group:
        for i, (pkg, members) in enumerate(_by_package(g)):
            lines.append(f"  subgraph cluster_{i} {{")
            lines.append(f"    label={_q(pkg)}; style=rounded; color=\"#999999\";")
            lines.extend(node_line(n, "    ") for n in members)
            lines.append("  }")
    else:
        lines.extend(node_line(n, "  ") for n in g.nodes)
    for e in g.edges:
        attrs = [f"style={_DOT_STYLE[e.kind]}"]
        broken = g.broken.get((e.source, e.target))
        if broken:
            attrs += ['color="#d35400"', "penwidth=2.5", f"label={_q('breaks ' + ', '.join(broken))}"]
        elif e.in_cycle:
            attrs += ['color="#c0392b"', "penwidth=2"]
        site = e.sites[0]
        attrs.append(f"tooltip={_q(f'{site[0]}:{site[1]} ({e.kind})')}")
        lines.append(f"  {_q(e.source)} -> {_q(e.target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _by_layer(g: Graph) -> List[Tuple[str, List[str]]]:
    """The first layers contract's layers, highest first, with their modules; then the rest."""
    name, layers = g.layers[0]
    out: List[Tuple[str, List[str]]] = [(f"{name}: layer {i + 1}: {' | '.join(m)}", []) for i, m in enumerate(layers)]
    rest: List[str] = []
    for n in g.nodes:
        i = g.layer_of(n)
        (out[i][1] if i is not None else rest).append(n)
    return [x for x in out if x[1]] + ([("outside the layers", rest)] if rest else [])


def _by_package(g: Graph) -> List[Tuple[str, List[str]]]:
    """Modules grouped by package, packages sorted (for ``--group``)."""
    by_pkg: Dict[str, List[str]] = defaultdict(list)
    for n in g.nodes:
        by_pkg[package_of(n)].append(n)
    return sorted(by_pkg.items())


# ---------------------------------------------------------------------------- Mermaid
def to_mermaid(g: Graph, group: bool = False) -> str:
    ids = {n: f"n{i}" for i, n in enumerate(g.nodes)}
    lines = ["flowchart LR"]
    if g.layers or group:
        for i, (label, members) in enumerate(_by_layer(g) if g.layers else _by_package(g)):
            lines.append(f'  subgraph g{i}["{label}"]')
            lines.extend(f'    {ids[n]}["{n}"]' for n in members)
            lines.append("  end")
    else:
        lines.extend(f'  {ids[n]}["{n}"]' for n in g.nodes)
    red, orange = [], []
    for k, e in enumerate(g.edges):
        arrow = {IMPORT_TIME: "-->", "deferred": "-.->", "typing": "-.->|typing|"}[e.kind]
        lines.append(f"  {ids[e.source]} {arrow} {ids[e.target]}")
        if (e.source, e.target) in g.broken:
            orange.append(str(k))
        elif e.in_cycle:
            red.append(str(k))
    hot = [ids[m] for m in g.nodes if m in g.cycle_of and g.cycles[g.cycle_of[m]].kind == IMPORT_TIME]
    if hot:
        lines.append("  classDef cycle fill:#fdecea,stroke:#c0392b,stroke-width:2px")
        lines.append(f"  class {','.join(hot)} cycle")
    if red:
        lines.append(f"  linkStyle {','.join(red)} stroke:#c0392b,stroke-width:2px")
    if orange:
        lines.append(f"  linkStyle {','.join(orange)} stroke:#d35400,stroke-width:3px")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- JSON
def to_data(g: Graph) -> dict:
    nodes: List[dict] = [{"id": n, "package": package_of(n), "path": g.paths.get(n, ""),
                          "cycle": g.cycle_of.get(n)} for n in g.nodes]
    edges: List[dict] = [{"from": e.source, "to": e.target, "kind": e.kind, "in_cycle": e.in_cycle,
                          "sites": [{"path": p, "line": ln, "names": names, "kind": k} for p, ln, names, k in e.sites]}
                         for e in g.edges]
    out = {"version": 1, "nodes": nodes, "edges": edges,
           "cycles": [{"modules": list(c.modules), "kind": c.kind, "path": list(c.path)} for c in g.cycles]}
    if g.layers or g.broken:  # only with contracts: the document is otherwise unchanged
        for node in nodes:
            node["layer"] = g.layer_of(node["id"])
        for edge in edges:
            edge["contracts"] = list(g.broken.get((edge["from"], edge["to"]), ()))
        out["layers"] = [{"contract": name, "layers": [list(m) for m in layers]} for name, layers in g.layers]
    return out


def to_json(g: Graph, group: bool = False) -> str:
    return json.dumps(to_data(g), indent=2) + "\n"


def to_html(g: Graph, group: bool = False) -> str:
    from importguard.report.graph_html import render_html

    return render_html(to_data(g), group)


def with_contracts(g: Graph, diagnostics, config) -> Graph:
    """The graph with what contracts say: the imports of each illegal chain (from the IG5xx
    findings) and the layers of each layers contract, in their order."""
    broken: Dict[Tuple[str, str], List[str]] = defaultdict(list)
    for d in diagnostics:
        for a, b, _, _ in d.chain:
            if d.contract not in broken[(a, b)]:
                broken[(a, b)].append(d.contract)
    layers = []
    if config.contracts:
        from importguard.contracts import load

        contracts = load(config.contracts)
        for c in contracts.contracts if contracts else ():
            if c.type != "layers" or any("*" in x for x in c.containers):
                continue
            for container in c.containers or ("",):
                prefix = f"{container}." if container else ""
                named = tuple(tuple(prefix + n for n, _ in layer.tails) for layer in c.layers)
                layers.append((f"{c.name} ({container})" if container else c.name, named))
    return g._replace(broken={k: tuple(v) for k, v in broken.items()}, layers=tuple(layers))


FORMATS = {"dot": to_dot, "mermaid": to_mermaid, "json": to_json, "html": to_html}


def run_graph(args, config) -> int:
    from importguard.engine.pipeline import check

    fmt = getattr(args, "format", "dot")
    if fmt not in FORMATS:
        fmt = "dot"
    result = check(args.paths or ["."], config, jobs=args.jobs, use_cache=not args.no_cache)
    g = build(result.modules, result.edges, result.cycles, cycles_only=args.cycles_only)
    g = with_contracts(g, result.diagnostics, config)
    text = FORMATS[fmt](g, group=bool(getattr(args, "group", False)))
    out: Optional[str] = getattr(args, "output_file", None)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        if not getattr(args, "quiet", False):
            print(f"Wrote {len(g.nodes)} modules and {len(g.edges)} edges to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
