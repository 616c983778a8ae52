"""A single self-contained HTML page (inline SVG, CSS and JavaScript; no network) for ``importguard graph``.

The layout is computed here, deterministically: strongly connected components share a layer,
layers follow the longest import path (importers on the left, imported modules on the right), and
two barycentre sweeps order each layer to reduce crossings; a layer taller than ``MAX_ROWS`` wraps
into several columns. The page draws it, highlights
import-time cycles, styles edge kinds differently, and shows an edge's import sites on click.
"""
from __future__ import annotations

import html
import json
from collections import defaultdict
from typing import Dict, List

from importguard.analysis.graph import strongly_connected

COL_W = 280
ROW_H = 34
CHAR_W = 6.6
MAX_ROWS = 30


def layout(data: dict, group: bool) -> Dict[str, dict]:
    nodes = [n["id"] for n in data["nodes"]]
    succ: Dict[str, List[str]] = defaultdict(list)
    for e in data["edges"]:
        if e["from"] != e["to"]:
            succ[e["from"]].append(e["to"])
    comp = _components(nodes, succ)
    # longest path layering on the condensation (Kahn order)
    csucc: Dict[int, set] = defaultdict(set)
    indeg: Dict[int, int] = defaultdict(int)
    for s, ts in succ.items():
        for t in ts:
            a, b = comp[s], comp[t]
            if a != b and b not in csucc[a]:
                csucc[a].add(b)
                indeg[b] += 1
    comps = sorted(set(comp.values()))
    layer = {c: 0 for c in comps}
    ready = [c for c in comps if indeg[c] == 0]
    while ready:
        c = ready.pop()
        for d in csucc[c]:
            layer[d] = max(layer[d], layer[c] + 1)
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    layers: Dict[int, List[str]] = defaultdict(list)
    pkg = {n["id"]: n["package"] for n in data["nodes"]}
    for n in nodes:
        layers[layer[comp[n]]].append(n)
    for members in layers.values():
        members.sort(key=lambda n: (pkg[n], n) if group else (comp[n], n))
    pred: Dict[str, List[str]] = defaultdict(list)
    for s, ts in succ.items():
        for t in ts:
            pred[t].append(s)
    for _ in range(2):  # barycentre sweeps, keeping packages together when grouped
        for k in sorted(layers)[1:]:
            pos = {n: i for members in layers.values() for i, n in enumerate(members)}
            layers[k].sort(key=lambda n: ((pkg[n],) if group else ()) + (_mean([pos[p] for p in pred[n]], pos[n]), n))
    out = {}
    column = 0
    for k in sorted(layers):  # a tall layer (a big cycle) wraps into several columns
        members = layers[k]
        for i, n in enumerate(members):
            out[n] = {"x": (column + i // MAX_ROWS) * COL_W, "y": (i % MAX_ROWS) * ROW_H,
                      "w": int(len(n) * CHAR_W + 18)}
        column += (len(members) + MAX_ROWS - 1) // MAX_ROWS
    return out


def _mean(values: List[int], default: int) -> float:
    return sum(values) / len(values) if values else float(default)


def _components(nodes: List[str], succ: Dict[str, List[str]]) -> Dict[str, int]:
    """Strongly connected components: node -> component id."""
    return {n: k for k, comp in enumerate(strongly_connected(nodes, succ)) for n in comp}


def render_html(data: dict, group: bool = False) -> str:
    pos = layout(data, group)
    for n in data["nodes"]:
        n.update(pos[n["id"]])
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    n_cycles = sum(1 for c in data["cycles"] if c["kind"] == "import-time")
    title = f"importguard: {len(data['nodes'])} modules, {len(data['edges'])} edges, {n_cycles} import-time cycles"
    return (_TEMPLATE.replace("%TITLE%", html.escape(title)).replace("%GROUP%", "true" if group else "false")
            .replace("%DATA%", payload))


_TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%TITLE%</title>
<style>
  html, body { margin: 0; height: 100%; font: 13px/1.4 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
  body { display: flex; }
  #view { flex: 1; height: 100%; background: #fafafa; cursor: grab; }
  #side { width: 320px; padding: 10px 14px; border-left: 1px solid #ddd; overflow: auto; background: #fff; }
  h1 { font-size: 14px; margin: 4px 0 8px; }
  .node rect { fill: #fff; stroke: #7f8c8d; rx: 4; }
  .node text { font-size: 11px; fill: #222; pointer-events: none; }
  .node.cycle rect { fill: #fdecea; stroke: #c0392b; stroke-width: 2; }
  .node.selected rect { stroke: #2471a3; stroke-width: 3; }
  .node.dim, .edge.dim { opacity: 0.15; }
  .edge { fill: none; stroke: #95a5a6; stroke-width: 1.2; }
  .edge.kind-deferred { stroke-dasharray: 6 4; }
  .edge.kind-typing { stroke-dasharray: 2 3; stroke: #b3b6b7; }
  .edge.cycle { stroke: #c0392b; stroke-width: 2.4; }
  .edge.broken { stroke: #d35400; stroke-width: 3; }
  .edge.selected { stroke: #2471a3; stroke-width: 3; }
  .hit { fill: none; stroke: transparent; stroke-width: 10; cursor: pointer; }
  .legend svg { vertical-align: middle; }
  code { background: #f4f4f4; padding: 0 3px; }
  ul { padding-left: 18px; }
  input { width: 100%; box-sizing: border-box; margin: 6px 0; }
</style>
</head>
<body>
<svg id="view" xmlns="http://www.w3.org/2000/svg">
  <defs>
    <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse">
      <path d="M0,0 L10,5 L0,10 z" fill="#95a5a6"/></marker>
    <marker id="arrow-cycle" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse">
      <path d="M0,0 L10,5 L0,10 z" fill="#c0392b"/></marker>
  </defs>
  <g id="world"><g id="edges"></g><g id="nodes"></g></g>
</svg>
<div id="side">
  <h1 id="title">%TITLE%</h1>
  <div class="legend">
    <div><svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="#95a5a6" stroke-width="2"/></svg> import-time</div>
    <div><svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="#95a5a6" stroke-width="2" stroke-dasharray="6 4"/></svg> deferred (inside a function)</div>
    <div><svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="#b3b6b7" stroke-width="2" stroke-dasharray="2 3"/></svg> typing (TYPE_CHECKING)</div>
    <div><svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="#c0392b" stroke-width="3"/></svg> import-time cycle</div>
  </div>
  <input id="search" placeholder="find a module" list="names">
  <datalist id="names"></datalist>
  <div id="details"><p>Click an edge for its import sites, a module for its neighbours; drag to pan, wheel to zoom.</p></div>
</div>
<script type="application/json" id="graph-data">%DATA%</script>
<script>
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var group = %GROUP%;
  var byId = {}, nodeEls = {}, edgeEls = [];
  var hotCycles = {};
  data.cycles.forEach(function (c, i) { if (c.kind === "import-time") hotCycles[i] = true; });
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function hue(s) { var h = 0; for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 360; return h; }
  var nodesG = document.getElementById("nodes"), edgesG = document.getElementById("edges");
  var names = document.getElementById("names");
  data.nodes.forEach(function (n) {
    var cls = "node" + (n.cycle !== null && hotCycles[n.cycle] ? " cycle" : "");
    var g = el("g", {"class": cls, "data-id": n.id, transform: "translate(" + n.x + "," + n.y + ")"}, nodesG);
    var r = el("rect", {width: n.w, height: 22}, g);
    if (group && cls === "node") r.setAttribute("style", "fill: hsl(" + hue(n.package) + ",60%,94%)");
    var t = el("text", {x: 9, y: 15}, g);
    t.textContent = n.id;
    el("title", {}, g).textContent = n.path;
    g.addEventListener("click", function (ev) { ev.stopPropagation(); selectNode(n.id); });
    nodeEls[n.id] = g;
    var o = document.createElement("option"); o.value = n.id; names.appendChild(o);
  });
  data.edges.forEach(function (e, i) {
    var a = byId[e.from], b = byId[e.to];
    if (!a || !b) return;
    var x1 = a.x + a.w, y1 = a.y + 11, x2 = b.x, y2 = b.y + 11, d;
    if (x2 > x1 + 10) {
      var mx = (x1 + x2) / 2;
      d = "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2;
    } else {  // same layer (a cycle) or backwards: loop round on the right, upward loops wider
      var up = b.y < a.y, off = up ? 5 : -5;
      var bx = Math.max(x1, b.x + b.w) + 30 + Math.abs(y2 - y1) / 5 + (up ? 35 : 0);
      x2 = b.x + b.w;
      y1 += off; y2 += off;
      d = "M" + x1 + "," + y1 + " C" + bx + "," + y1 + " " + bx + "," + y2 + " " + x2 + "," + y2;
    }
    var cls = "edge kind-" + e.kind + (e.in_cycle ? " cycle" : "") + (e.contracts && e.contracts.length ? " broken" : "");
    var p = el("path", {"class": cls, d: d, "marker-end": e.in_cycle ? "url(#arrow-cycle)" : "url(#arrow)",
                        "data-from": e.from, "data-to": e.to}, edgesG);
    var hit = el("path", {"class": "hit", d: d}, edgesG);
    hit.addEventListener("click", function (ev) { ev.stopPropagation(); selectEdge(i); });
    edgeEls[i] = p;
  });
  var details = document.getElementById("details");
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
  function clear() {
    Object.keys(nodeEls).forEach(function (k) { nodeEls[k].classList.remove("selected", "dim"); });
    edgeEls.forEach(function (p) { if (p) p.classList.remove("selected", "dim"); });
  }
  function selectEdge(i) {
    clear();
    var e = data.edges[i];
    edgeEls[i].classList.add("selected");
    var h = "<h1><code>" + esc(e.from) + "</code> &rarr; <code>" + esc(e.to) + "</code></h1><p>kind: <b>" + esc(e.kind) +
            "</b>" + (e.in_cycle ? ", <b style='color:#c0392b'>part of an import-time cycle</b>" : "") +
            (e.contracts && e.contracts.length ? ", <b style='color:#d35400'>breaks " + esc(e.contracts.join(", ")) + "</b>" : "") + "</p><ul>";
    e.sites.forEach(function (s) { h += "<li><code>" + esc(s.path) + ":" + s.line + "</code> imports <code>" + esc(s.names) + "</code> (" + esc(s.kind) + ")</li>"; });
    details.innerHTML = h + "</ul>";
  }
  function selectNode(id) {
    clear();
    var n = byId[id], keep = {};
    keep[id] = true;
    var outs = [], ins = [];
    data.edges.forEach(function (e, i) {
      var on = e.from === id || e.to === id;
      if (edgeEls[i]) edgeEls[i].classList.toggle("dim", !on);
      if (e.from === id) { outs.push(e); keep[e.to] = true; }
      if (e.to === id) { ins.push(e); keep[e.from] = true; }
    });
    Object.keys(nodeEls).forEach(function (k) { nodeEls[k].classList.toggle("dim", !keep[k]); });
    nodeEls[id].classList.add("selected");
    var h = "<h1><code>" + esc(id) + "</code></h1><p>" + esc(n.path) + "</p>";
    if (n.cycle !== null) h += "<p>In a " + esc(data.cycles[n.cycle].kind) + " cycle of " + data.cycles[n.cycle].modules.length + " modules.</p>";
    h += "<p>Imports (" + outs.length + "):</p><ul>" + outs.map(function (e) { return "<li><code>" + esc(e.to) + "</code> " + esc(e.kind) + "</li>"; }).join("") + "</ul>";
    h += "<p>Imported by (" + ins.length + "):</p><ul>" + ins.map(function (e) { return "<li><code>" + esc(e.from) + "</code> " + esc(e.kind) + "</li>"; }).join("") + "</ul>";
    details.innerHTML = h;
  }
  // pan and zoom through the viewBox
  var svg = document.getElementById("view");
  var vb = {x: -20, y: -20, w: 800, h: 600};
  function apply() { svg.setAttribute("viewBox", vb.x + " " + vb.y + " " + vb.w + " " + vb.h); }
  function fit() {
    var maxX = 0, maxY = 0;
    data.nodes.forEach(function (n) { maxX = Math.max(maxX, n.x + n.w + 80); maxY = Math.max(maxY, n.y + 40); });
    var r = svg.getBoundingClientRect(), W = Math.max(r.width, 1), H = Math.max(r.height, 1);
    var s = Math.max((maxX + 40) / W, (maxY + 40) / H, 0.6);
    vb = {x: -20, y: -20, w: W * s, h: H * s};
    apply();
  }
  fit();
  window.addEventListener("resize", fit);
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = {x: ev.clientX, y: ev.clientY, vx: vb.x, vy: vb.y}; });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var r = svg.getBoundingClientRect(), s = vb.w / r.width;
    vb.x = drag.vx - (ev.clientX - drag.x) * s; vb.y = drag.vy - (ev.clientY - drag.y) * s; apply();
  });
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect(), f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    var px = vb.x + (ev.clientX - r.left) / r.width * vb.w, py = vb.y + (ev.clientY - r.top) / r.height * vb.h;
    vb.w *= f; vb.h *= f; vb.x = px - (px - vb.x) * f; vb.y = py - (py - vb.y) * f; apply();
  }, {passive: false});
  svg.addEventListener("click", function () { clear(); });
  document.getElementById("search").addEventListener("change", function (ev) {
    var n = byId[ev.target.value];
    if (!n) return;
    vb.x = n.x - vb.w / 2; vb.y = n.y - vb.h / 2; apply(); selectNode(n.id);
  });
  document.body.setAttribute("data-rendered", String(data.nodes.length));
})();
</script>
</body>
</html>
"""
