"""importguard's contracts against import-linter's on the same configuration file.

    python benchmarks/contracts_agreement.py CORPUS CONFIG   # e.g. a Django checkout and an .importlinter

Both tools read CONFIG. import-linter runs in a subprocess in CORPUS (it finds the root packages
on ``sys.path``); importguard runs in this process. Each side is reduced to comparable facts:
which contracts are broken, and each illegal chain (forbidden), route (layers, independence:
the modules that start it, its middle, the modules it ends at), illegal import (protected),
cycle-breaking import (acyclic_siblings) or undeclared module (exhaustive layers), with the line
numbers of every link. ``compare`` returns what differs; empty means the tools agree.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Set

SRC = Path(__file__).resolve().parents[1] / "src"

# Runs inside CORPUS with import-linter's own API; prints the facts as JSON.
_IMPORTLINTER = r'''
import json, sys
sys.path.insert(0, ".")
from importlinter import configuration
configuration.configure()
from importlinter.application import use_cases
use_cases._register_built_in_contract_types()
options = use_cases.read_user_options(sys.argv[1])
report = use_cases.create_report(options, cache_dir=None)
graph = report.graph
def lines(a, b):
    return sorted({d["line_number"] for d in graph.get_import_details(importer=a, imported=b)})
def route(r, d):
    chain = [r["chain"][0]["importer"]] + [l["imported"] for l in r["chain"]]
    heads = sorted([r["chain"][0]["importer"]] + [x["importer"] for x in r["extra_firsts"]])
    tails = sorted([r["chain"][-1]["imported"]] + [x["imported"] for x in r["extra_lasts"]])
    middle = chain[1:-1]
    links = [[h, middle[0] if middle else t, lines(h, middle[0] if middle else t)]
             for h in heads for t in (tails[:1] if middle else tails)]
    links += [[a, b, lines(a, b)] for a, b in zip(middle, middle[1:])]
    links += [[middle[-1], t, lines(middle[-1], t)] for t in tails] if middle else []
    return ["route", d["importer"], d["imported"], heads, middle, tails, sorted(links)]
out = {"broken": [], "items": []}
for contract, check in report.get_contracts_and_checks():
    if not check.kept:
        out["broken"].append(contract.name)
    m = check.metadata or {}
    for d in m.get("invalid_chains", []):
        if "routes" in d or (d.get("chains") and isinstance(d["chains"][0], dict)):
            for r in d.get("chains", []):
                ends = {"importer": d["downstream_module"], "imported": d["upstream_module"]}
                out["items"].append([contract.name] + route(r, ends))
        else:
            for chain in d["chains"]:
                mods = [chain[0]["importer"]] + [l["imported"] for l in chain]
                out["items"].append([contract.name, "chain", d["downstream_module"], d["upstream_module"], mods,
                                     [sorted(set(l["line_numbers"])) for l in chain]])
    for d in m.get("invalid_dependencies", []):
        for r in d["routes"]:
            out["items"].append([contract.name] + route(r, d))
    for module in m.get("undeclared_modules", []):
        out["items"].append([contract.name, "undeclared", module])
    for meta in m.get("illegal_imports", []):
        for l in meta.illegal_links:
            out["items"].append([contract.name, "link", l["importer"], l["imported"], sorted(set(l["line_numbers"]))])
    for package, breakers in (m.get("cycle_breakers_by_package") or {}).items():
        for a, b in breakers:
            out["items"].append([contract.name, "breaker", package, a, b, lines(a, b)])
out["modules"] = sorted(graph.modules)
out["edges"] = sorted([a, b, lines(a, b)] for a in graph.modules for b in graph.find_modules_directly_imported_by(a))
print(json.dumps(out))
'''


def importlinter_facts(corpus: Path, config: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _IMPORTLINTER, str(config)], cwd=str(corpus),
                          capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise RuntimeError(f"import-linter failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def importguard_facts(corpus: Path, config: Path, cache_dir: Optional[Path] = None) -> dict:
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    from importguard.config.settings import Config
    from importguard.contracts import evaluate, load
    from importguard.engine.pipeline import check

    text = config.read_text(encoding="utf-8")
    raw = ("importlinter-ini", str(config), text)
    contracts = load(raw)
    roots = contracts.root_packages
    cache = cache_dir or Path.home() / ".cache" / "importguard-agreement" / corpus.name
    result = check([str(corpus / r.split(".")[0]) for r in roots],
                   Config(project_root=corpus, contracts=raw, cache_dir=str(cache)), cwd=corpus)
    found, graphs = evaluate(contracts, result.modules)
    out: dict = {"broken": [], "items": []}
    by_id = {c.id: c for c in contracts.contracts}
    for ident, violations in found.items():
        c = by_id[ident]
        if violations:
            out["broken"].append(c.name)
        g = graphs[(c.exclude_type_checking, c.import_time_only)]
        for v in violations:
            out["items"].append(_item(c, v, g))
    from importguard.contracts.graph import build

    g = graphs.get((False, False)) or build(result.modules, roots, contracts.include_external_packages)
    out["modules"] = sorted(g.modules)
    out["edges"] = sorted([a, b, list(g.lines(a, b))] for a, b in g.sites)
    return out


def _item(c, v, g) -> list:
    def lines(a, b):
        return list(g.lines(a, b))

    if c.type == "forbidden":
        return [c.name, "chain", v.importer, v.imported, list(v.chain),
                [lines(a, b) for a, b in zip(v.chain, v.chain[1:])]]
    if c.type in ("layers", "independence"):
        if len(v.chain) == 1:
            return [c.name, "undeclared", v.chain[0]]
        middle = list(v.chain[1:-1])
        heads, tails = sorted(v.heads), sorted(v.tails)
        links = [[h, middle[0] if middle else t, lines(h, middle[0] if middle else t)]
                 for h in heads for t in (tails[:1] if middle else tails)]
        links += [[a, b, lines(a, b)] for a, b in zip(middle, middle[1:])]
        links += [[middle[-1], t, lines(middle[-1], t)] for t in tails] if middle else []
        return [c.name, "route", v.importer, v.imported, heads, middle, tails, sorted(links)]
    if c.type == "protected":
        return [c.name, "link", v.chain[0], v.chain[1], lines(*v.chain)]
    package = v.note.split("`")[1]
    return [c.name, "breaker", package, v.chain[0], v.chain[1], lines(*v.chain)]


def _key(item: list) -> str:
    return json.dumps(item, sort_keys=True)


def compare(theirs: dict, ours: dict) -> Dict[str, List]:
    """Every item only one side has (import-linter differs from itself here, see `invariants`)."""
    out: Dict[str, List] = {}
    for what in ("modules", "edges"):
        a_set = {_key(x) for x in theirs[what]}
        b_set = {_key(x) for x in ours[what]}
        if a_set != b_set:
            out[what] = [sorted(a_set - b_set)[:20], sorted(b_set - a_set)[:20]]
    if sorted(theirs["broken"]) != sorted(ours["broken"]):
        out["broken"] = [sorted(theirs["broken"]), sorted(ours["broken"])]
    a: Set[str] = {_key(i) for i in theirs["items"]}
    b: Set[str] = {_key(i) for i in ours["items"]}
    if a - b:
        out["only_importlinter"] = sorted(a - b)
    if b - a:
        out["only_importguard"] = sorted(b - a)
    return out




def invariants(facts: dict) -> Dict[str, List]:
    """What any correct run of import-linter reports, whichever of several equally short chains
    its search meets first (that choice follows hash order, and import-linter's own chains differ
    from run to run on sympy): the broken contracts; every protected import, cycle-breaking import
    and undeclared module; every direct illegal import (each is a shortest chain, and all are
    reported); and for each pair of modules (or layers) with an illegal chain, the length of the
    shortest one."""
    deterministic, direct, shortest = [], [], {}
    for item in facts["items"]:
        if item[1] == "chain":
            pair, length = _key(item[:4]), len(item[4]) - 2
            if length == 0:
                direct.append(_key(item))
        elif item[1] == "route":
            pair, length = _key(item[:4]), len(item[5])
            if length == 0:
                direct.extend(_key(item[:4] + [h, t]) for h in item[4] for t in item[6])
        else:
            deterministic.append(_key(item))
            continue
        shortest[pair] = min(length, shortest.get(pair, length))
    return {"broken": sorted(facts["broken"]), "modules": sorted(_key(m) for m in facts["modules"]),
            "edges": sorted(_key(e) for e in facts["edges"]), "deterministic": sorted(deterministic),
            "direct": sorted(set(direct)), "shortest": sorted(f"{k} {v}" for k, v in shortest.items())}


def differences(theirs: dict, ours: dict) -> Dict[str, List]:
    """Where the invariants differ: (only import-linter, only importguard) per invariant."""
    a, b = invariants(theirs), invariants(ours)
    return {k: [sorted(set(a[k]) - set(b[k])), sorted(set(b[k]) - set(a[k]))] for k in a if a[k] != b[k]}


def main(argv: List[str]) -> int:
    corpus, config = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    theirs = importlinter_facts(corpus, config)
    ours = importguard_facts(corpus, config)
    for who, facts in (("import-linter", theirs), ("importguard", ours)):
        inv = invariants(facts)
        print(f"{who:>13}: {len(facts['broken'])} broken contracts, {len(facts['items'])} chains/routes/imports, "
              f"{len(facts['modules'])} modules, {len(facts['edges'])} edges, {len(inv['direct'])} direct illegal "
              f"imports, {len(inv['shortest'])} pairs with a chain")
    same = len({_key(i) for i in theirs["items"]} & {_key(i) for i in ours["items"]})
    print(f"identical chains/routes/imports: {same} of {len(theirs['items'])}")
    diff = differences(theirs, ours)
    for k, (only_theirs, only_ours) in diff.items():
        print(f"{k}: only import-linter {only_theirs[:10]}; only importguard {only_ours[:10]}")
    print("agree" if not diff else "DISAGREE")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
