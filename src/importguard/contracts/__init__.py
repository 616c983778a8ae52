"""Architecture contracts checked on the module graph: import-linter's contract types and
semantics, reported as IG5xx diagnostics at the import that starts each illegal chain.

The engine calls ``check``; everything here reads facts and configuration, never files.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Tuple

from importguard.analysis.graph import ModuleInfo
from importguard.contracts.checks import ContractError, Violation, run
from importguard.contracts.graph import ContractGraph, build
from importguard.contracts.spec import CODES, Contract, ContractSet, load
from importguard.model import IMPORT_TIME, Diagnostic, Fix

__all__ = ["CODES", "Contract", "ContractError", "ContractSet", "Violation", "check", "evaluate", "load"]


def _roots(contracts: ContractSet, graph_modules: Mapping[str, ModuleInfo]) -> Tuple[str, ...]:
    if contracts.root_packages:
        return contracts.root_packages
    return tuple(sorted({m.split(".", 1)[0] for m in graph_modules if not m.startswith("<")}))


def evaluate(contracts: ContractSet, modules: Mapping[str, ModuleInfo],
             enabled=lambda code: True) -> Tuple[Dict[str, List[Violation]], Dict[tuple, ContractGraph]]:
    """Each contract's violations (by id), and the graphs they were checked on (by options)."""
    graphs: Dict[tuple, ContractGraph] = {}
    roots = _roots(contracts, modules)
    out: Dict[str, List[Violation]] = {}
    for c in contracts.contracts:
        if not enabled(c.code):
            continue
        key = (c.exclude_type_checking, c.import_time_only)
        if key not in graphs:
            graphs[key] = build(modules, contracts.root_packages, contracts.include_external_packages, *key)
        try:
            out[c.id] = run(c, graphs[key], roots, contracts.include_external_packages)
        except ContractError as exc:
            raise ContractError(f"{contracts.source}: contract {c.name!r}: {exc}") from None
    return out, graphs


def _link_text(chain: Tuple[str, ...], graph: ContractGraph) -> str:
    parts = [f"`{chain[0]}`"]
    for a, b in zip(chain, chain[1:]):
        lines = ", ".join(f"l.{n}" for n in graph.lines(a, b))
        parts.append(f"`{b}` ({lines})")
    return " -> ".join(parts)


def _message(v: Violation, graph: ContractGraph) -> str:
    c = v.contract
    if len(v.chain) == 1:
        return f"`{v.chain[0]}` {v.note} (exhaustive layers contract `{c.name}`)"
    if v.note:
        head = f"`{v.chain[0]}` -> `{v.chain[1]}` {v.note}"
    elif c.type == "protected":
        head = f"`{v.importer}` is not allowed to import the protected `{v.imported}`"
    else:
        head = f"`{v.importer}` is not allowed to import `{v.imported}`"
    more = ""
    if len(v.tails) > 1:
        more = f" (and {len(v.tails) - 1} more module{'s' if len(v.tails) > 2 else ''} of `{v.imported}`)"
    return f"{head}: {_link_text(v.chain, graph)}{more} (contract `{c.name}`)"


def _fix(v: Violation, graph: ContractGraph) -> Fix:
    sites = graph.sites.get((v.chain[0], v.chain[1]), ()) if len(v.chain) > 1 else ()
    if v.contract.exclude_type_checking and len(sites) == 1 and sites[0].kind == IMPORT_TIME:
        # a candidate: under TYPE_CHECKING the import leaves this contract's graph. The engine keeps
        # it only where IG200 finds the import typing-only, and then gives it IG200's (unsafe) fix
        return Fix("move-to-type-checking", False, "Move into `if TYPE_CHECKING:`", sites[0].line, sites[0].col,
                   advice=True)
    if v.contract.type == "acyclic-siblings":
        title = f"Remove the import of `{v.chain[1]}` or invert the dependency"
    elif len(v.chain) == 1:
        title = f"List `{v.chain[0]}` in a layer or in `exhaustive-ignores`"
    else:
        title = f"Remove the import of `{v.chain[1]}` or declare it in `ignore-imports`"
    return Fix("contract", False, title, advice=True)


def diagnostics(violations: Dict[str, List[Violation]], graphs: Dict[tuple, ContractGraph]) -> List[Diagnostic]:
    out = []
    for found in violations.values():
        for v in found:
            c = v.contract
            graph = graphs[(c.exclude_type_checking, c.import_time_only)]
            first = v.chain[0]
            links = tuple((a, b, graph.paths.get(a, ""), graph.lines(a, b)) for a, b in zip(v.chain, v.chain[1:]))
            if len(v.chain) == 1:
                line, col = 1, 0
            else:
                site = min(graph.sites[(v.chain[0], v.chain[1])])
                line, col = site.line, site.col
            key = f"contract:{c.name}:{'>'.join(v.chain)}"
            out.append(Diagnostic(graph.paths[first], line, col + 1, c.code, _message(v, graph), line, col + 1,
                                  key=key, fix=_fix(v, graph), contract=c.name, chain=links))
    return out


def check(config, modules: Mapping[str, ModuleInfo]) -> List[Diagnostic]:
    """The IG5xx diagnostics of the contracts ``config`` holds (none when it holds none)."""
    contracts: Optional[ContractSet] = load(config.contracts)
    if contracts is None or not any(config.enabled(code) for code in CODES.values()):
        return []
    found, graphs = evaluate(contracts, modules, config.enabled)
    return diagnostics(found, graphs)
