"""Shared by IG301 and IG302: which entries to simulate, the sorted-imports order, cached outcomes."""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Sequence, Set, Tuple

from ..model import IMPORT_TIME
from ..graph import tarjan
from ..simulate import Outcome, simulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..graph import ModuleInfo
    from .context import RepoContext


def _ancestors(name: str) -> List[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def entry_modules(repo: RepoContext) -> List[str]:
    """Modules whose import can run into a cycle: they (or a parent package) reach one.

    The graph here is the import-time graph plus what CPython adds: importing ``a.b.c`` first
    imports ``a`` and ``a.b``, so an import of a module is also an edge to its parent packages.
    A module that reaches no cycle of that graph can never see a partially initialised module.
    """
    names = [m for m in repo.modules if not m.startswith("<")]
    known = set(names)
    succ: Dict[str, Set[str]] = defaultdict(set)
    for e in repo.edges:
        if e.kind != IMPORT_TIME:
            continue
        succ[e.source].add(e.target)
        for a in _ancestors(e.target):
            if a in known and a != e.source:
                succ[e.source].add(a)
    in_cycle = _cyclic_nodes(names, succ)
    if not in_cycle:
        return []
    pred: Dict[str, Set[str]] = defaultdict(set)
    for s, ts in succ.items():
        for t in ts:
            pred[t].add(s)
    reach = set(in_cycle)
    todo = list(in_cycle)
    while todo:
        n = todo.pop()
        for p in pred.get(n, ()):
            if p not in reach:
                reach.add(p)
                todo.append(p)
    return sorted(m for m in names if m in reach or any(a in reach for a in _ancestors(m)))


def _cyclic_nodes(nodes: Sequence[str], succ: Dict[str, Set[str]]) -> Set[str]:
    """Nodes on some cycle."""
    out: Set[str] = set()
    for comp in tarjan(nodes, succ):
        if len(comp) > 1 or comp[0] in succ.get(comp[0], ()):
            out.update(comp)
    return out


# ---------------------------------------------------------------------------- sorted imports (IG302)
def sorted_order(info: ModuleInfo, first_party: Set[str]) -> List[int]:
    """Statement order after isort / ruff I001 with every top-level import moved to the top.

    Sections: ``__future__``, standard library and third party (their order does not matter here:
    they never run first-party code), first party, then relative imports furthest first; within a
    section ``import x`` lines come before ``from x import`` lines, each sorted by module.
    """
    facts = info.facts
    first_imp: Dict[int, int] = {}
    for idx, imp in enumerate(facts.imports):
        if imp.top_level and imp.scope_kind == "module" and imp.stmt_index not in first_imp:
            first_imp[imp.stmt_index] = idx
    keyed: List[Tuple[tuple, int]] = []
    rest: List[int] = []
    for i, st in enumerate(facts.statements):
        if st.kind == "import" and i in first_imp and i < len(facts.events):
            imp = facts.imports[first_imp[i]]
            keyed.append((_sort_key(imp, info, first_party), i))
        else:
            rest.append(i)
    keyed.sort()
    order = [i for _, i in keyed] + rest
    return [i for i in order if i < len(facts.events)]


def _sort_key(imp, info: ModuleInfo, first_party: Set[str]) -> tuple:
    if imp.level == 0 and imp.module == "__future__":
        return (0, 0, "", 0)
    is_from = 0 if imp.name is None else 1
    if imp.level:
        return (3, -imp.level, is_from, imp.module.lower())
    top = imp.module.split(".", 1)[0]
    section = 2 if top in first_party else 1
    return (section, 0, is_from, imp.module.lower())


# ---------------------------------------------------------------------------- cached outcomes
def simulated_modules(repo: RepoContext) -> Dict[str, ModuleInfo]:
    """The modules whose bodies the simulation runs: a ``.pyi`` stub never runs, so a module only
    a stub describes is unknown to the simulation (importable, opaque), like a C extension."""
    return {k: v for k, v in repo.modules.items() if not k.startswith("<") and not v.path.endswith(".pyi")}


def outcomes(repo: RepoContext) -> Tuple[Outcome, Outcome, List[str]]:
    """(as written, with sorted imports, entries), computed once per repository."""
    cached = getattr(repo, "_cycle_outcomes", None)
    if cached is not None:
        return cached
    entries = entry_modules(repo)
    eager = repo.config.target_version < (3, 14)
    modules = simulated_modules(repo)
    as_written = simulate(modules, entries, eager_annotations=eager)
    first_party = {m.split(".", 1)[0] for m in modules}
    orders: Dict[str, List[int]] = {}

    def order(name: str) -> List[int]:
        got = orders.get(name)
        if got is None:
            got = orders[name] = sorted_order(modules[name], first_party)
        return got

    ok_entries = [e for e in entries if e not in as_written.failed]
    reordered = simulate(modules, ok_entries, eager_annotations=eager, order=order)
    result = (as_written, reordered, entries)
    repo._cycle_outcomes = result  # type: ignore[attr-defined]
    return result


def describe_chain(chain: Sequence[Tuple[str, int]]) -> str:
    return " -> ".join(f"`{m}`" for m, _ in _dedupe(chain))


def _dedupe(chain):
    out = []
    for m, line in chain:
        if not out or out[-1][0] != m:
            out.append((m, line))
    return out

