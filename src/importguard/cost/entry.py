"""``importguard cost --entry MODULE``: the start-up of one entry point, as a tree.

The entry module is imported in ``--runs`` fresh interpreters with the project's roots on
``sys.path``. ``-X importtime`` prints the import tree in post-order (children first, one
indentation level deeper); each module appears once per interpreter, so the runs are combined by
module name (median). First-party modules are expanded; each standard-library or third-party
module is shown once, under the first-party module that imported it first, which is the one that
pays for it, with the line of that import when the facts know it.
"""
from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Set, Tuple

from importguard.model import format_ms

if TYPE_CHECKING:
    from importguard.cost.measure import Line

MIN_MS = 1.0  # third-party children cheaper than this are summed into one "... more" line
MAX_CHILDREN = 12


class Node:
    __slots__ = ("name", "self_ms", "cumulative_ms", "children", "first_party")

    def __init__(self, name: str, self_ms: float, cumulative_ms: float, first_party: bool = False):
        self.name, self.self_ms, self.cumulative_ms = name, self_ms, cumulative_ms
        self.children: List["Node"] = []
        self.first_party = first_party


def build_tree(lines: Sequence[Line], root_name: str) -> Node:
    """Post-order importtime lines -> a tree under a synthetic root holding the level-0 lines."""
    pending: Dict[int, List[Node]] = {}
    root = Node(root_name, 0.0, 0.0)
    for ln in lines:
        node = Node(ln.name, ln.self_us / 1000.0, ln.cumulative_us / 1000.0)
        node.children = pending.pop(ln.level + 1, [])
        for deeper in [k for k in pending if k > ln.level + 1]:  # malformed input: adopt orphans
            node.children.extend(pending.pop(deeper))
        pending.setdefault(ln.level, []).append(node)
    for level in sorted(pending):
        root.children.extend(pending[level])
    root.cumulative_ms = sum(c.cumulative_ms for c in root.children)
    return root


def apply_medians(root: Node, runs: Sequence[Sequence[Line]]) -> None:
    times: Dict[str, List[Tuple[float, float]]] = {}
    for lines in runs:
        for ln in lines:
            times.setdefault(ln.name, []).append((ln.self_us / 1000.0, ln.cumulative_us / 1000.0))

    def walk(n: Node) -> None:
        for c in n.children:
            t = times.get(c.name)
            if t:
                c.self_ms = statistics.median(x[0] for x in t)
                c.cumulative_ms = statistics.median(x[1] for x in t)
            walk(c)

    walk(root)
    root.cumulative_ms = sum(c.cumulative_ms for c in root.children)


def mark_first_party(node: Node, tops: Set[str]) -> None:
    node.first_party = node.name.split(".")[0] in tops
    for c in node.children:
        mark_first_party(c, tops)


def import_lines(modules) -> Dict[Tuple[str, str], str]:
    """(first-party module, imported module) -> "path:line" of the import, from the facts."""
    from importguard.analysis.graph import absolute_module

    out: Dict[Tuple[str, str], str] = {}
    for name, info in modules.items():
        for imp in info.facts.imports:
            src = absolute_module(imp, name, info.is_package)
            if not src or imp.in_type_checking:
                continue
            where = f"{info.path}:{imp.line}"
            names = [src] if imp.name is None or imp.name == "*" else [f"{src}.{imp.name}", src]
            for n in names:
                parts = n.split(".")
                for i in range(len(parts), 0, -1):  # ``import a.b`` also imports ``a``
                    out.setdefault((name, ".".join(parts[:i])), where)
    return out


def location(where: Dict[Tuple[str, str], str], parent: Node, child: Node) -> str:
    """Where ``parent`` imports ``child``; "" for a package imported because its submodule was."""
    if not parent.first_party or parent.name.startswith(child.name + "."):
        return ""
    return where.get((parent.name, child.name), "")


def heaviest(root: Node, where: Dict[Tuple[str, str], str], limit: int = 10) -> List[dict]:
    """Standard-library and third-party modules imported directly by first-party ones."""
    found: List[dict] = []

    def walk(n: Node) -> None:
        for c in n.children:
            if c.first_party:
                walk(c)
            elif n.first_party:
                found.append({"module": c.name, "cumulative_ms": round(c.cumulative_ms, 2),
                              "imported_by": n.name, "location": location(where, n, c)})

    walk(root)
    found.sort(key=lambda d: (-d["cumulative_ms"], d["module"]))
    return found[:limit]


def render_tree(root: Node, where: Dict[Tuple[str, str], str]) -> List[str]:
    out: List[str] = []

    def label(n: Node, parent: Node) -> str:
        loc = location(where, parent, n)
        text = f"{n.name}  {format_ms(n.cumulative_ms)} ms"
        if n.first_party:
            text += f" (self {format_ms(n.self_ms)} ms)"
        return text + (f"  {loc}" if loc else "")

    def walk(n: Node, prefix: str) -> None:
        kids = sorted(n.children, key=lambda c: (-c.cumulative_ms, c.name))
        shown = [c for c in kids if c.first_party or c.cumulative_ms >= MIN_MS][:MAX_CHILDREN]
        rest = [c for c in kids if c not in shown]
        items: List[Tuple[Optional[Node], str]] = [(c, "") for c in shown]
        if rest:
            items.append((None, f"... {len(rest)} more, {format_ms(sum(c.cumulative_ms for c in rest))} ms"))
        for i, (c, text) in enumerate(items):
            last = i == len(items) - 1
            out.append(prefix + ("└─ " if last else "├─ ") + (label(c, n) if c else text))
            if c is not None and c.first_party:
                walk(c, prefix + ("   " if last else "│  "))

    out.append(f"{root.name}  {format_ms(root.cumulative_ms)} ms")
    walk(root, "")
    return out


def tree_json(n: Node, where: Dict[Tuple[str, str], str], parent: Optional[Node] = None) -> dict:
    d = {"module": n.name, "cumulative_ms": round(n.cumulative_ms, 2), "self_ms": round(n.self_ms, 2),
         "first_party": n.first_party}
    if parent is not None and location(where, parent, n):
        d["location"] = location(where, parent, n)
    if n.first_party or parent is None:
        d["children"] = [tree_json(c, where, n) for c in sorted(n.children, key=lambda c: -c.cumulative_ms)]
    return d


def run_entry(args, config, python: str, runs: int, emit) -> int:
    import json
    import sys

    from importguard.cost.inventory import load_modules
    from importguard.cost.measure import probe_env, resolve, run_probe
    from importguard.discovery.roots import resolve_roots

    entry = args.entry
    roots = [str(r) for r in resolve_roots(config)]
    env = probe_env(roots)
    info = resolve(python, [entry], str(config.project_root), env)
    if info is None or entry not in info.get("found", ()):
        why = "no such module on its path" if info is not None else "the interpreter could not be run"
        print(f"importguard: cannot import `{entry}` with {python}: {why}", file=sys.stderr)
        return 2
    samples = []
    for _ in range(runs):
        s = run_probe(python, entry, str(config.project_root), env)
        samples.append(s)
        if s.error:
            break
    first = samples[-1]
    if first.error and not first.lines:
        print(f"importguard: cannot import `{entry}` with {python}: {first.error}", file=sys.stderr)
        return 2
    modules = load_modules(getattr(args, "paths", None) or ["."], config, not args.no_cache)
    tops = {m.split(".")[0] for m in modules if m and not m.startswith("<")}
    root = build_tree(first.lines, entry)
    apply_medians(root, [s.lines for s in samples])
    if len(root.children) == 1 and root.children[0].name == entry:
        root = root.children[0]
    mark_first_party(root, tops)
    root.first_party = True
    where = import_lines(modules)
    memory = int(statistics.median(s.memory_kb for s in samples))
    heavy = heaviest(root, where)
    if args.format == "json":
        emit(json.dumps({"version": 1, "entry": entry, "python": python, "runs": len(samples),
                         "cumulative_ms": round(root.cumulative_ms, 2), "memory_kb": memory,
                         "error": first.error, "heaviest": heavy, "tree": tree_json(root, where)},
                        indent=2) + "\n", args)
        return 0
    lines = [f"Start-up of `{entry}`: median of {len(samples)} fresh interpreter(s) of {python}",
             f"import time {format_ms(root.cumulative_ms)} ms, memory +{memory / 1024:.1f} MB", ""]
    if first.error:
        lines += [f"the import failed: {first.error}", ""]
    lines += render_tree(root, where)
    if heavy:
        lines += ["", "Heaviest imports made by first-party code:"]
        for h in heavy:
            lines.append(f"  {format_ms(h['cumulative_ms']):>8} ms  {h['module']:<28} "
                         f"imported by {h['imported_by']}" + (f" ({h['location']})" if h["location"] else ""))
        lines += ["", "Deferrable ones: `importguard check --select IG400`; "
                      "fix with `importguard fix --select IG400 --unsafe-fixes`."]
    emit("\n".join(lines) + "\n", args)
    return 1 if first.error else 0
