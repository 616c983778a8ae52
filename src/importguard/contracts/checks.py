"""The contract types, with import-linter's semantics, on a ``ContractGraph``.

Each check returns ``Violation``s: one per illegal chain (per cycle-breaking import for
``acyclic-siblings``, per undeclared module for an exhaustive ``layers`` contract). A
configuration that names a module the graph does not hold raises ``ContractError``, as
import-linter stops with an error.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Dict, Iterable, List, NamedTuple, Sequence, Set, Tuple

from importguard.config.settings import ConfigError
from importguard.contracts.spec import FORBIDDEN, INDEPENDENCE, LAYERS, PROTECTED, Contract

if TYPE_CHECKING:
    from importguard.contracts.graph import ContractGraph, Pair


class ContractError(ConfigError):
    """A contract that cannot be checked on this code (a module it names does not exist)."""


class Violation(NamedTuple):
    contract: Contract
    importer: str  # the module (layer, package) not allowed to import ...
    imported: str  # ... this one
    chain: Tuple[str, ...]  # modules from the first import to the last
    heads: Tuple[str, ...] = ()  # layers: every module of the importer that starts this route
    tails: Tuple[str, ...] = ()  # layers: every module of the imported it ends at
    note: str = ""  # what the message says besides the chain


# --------------------------------------------------------------------------- expressions
@lru_cache(maxsize=None)
def _pattern(expression: str) -> "re.Pattern[str]":
    parts = []
    for part in expression.split("."):
        if part == "*":
            parts.append(r"[^.]+")
        elif part == "**":
            parts.append(r"[^.]+(?:\.[^.]+)*?")
        else:
            parts.append(re.escape(part))
    return re.compile("^" + r"\.".join(parts) + "$")


def expand(graph: ContractGraph, expression: str, *, must_match: bool = False) -> Set[str]:
    """The modules an expression names (itself when it has no wildcard)."""
    if "*" not in expression:
        if must_match and expression not in graph.modules:
            raise ContractError(f"Module '{expression}' does not exist.")
        return {expression}
    rx = _pattern(expression)
    found = {m for m in graph.modules if rx.match(m)}
    if must_match and not found:
        raise ContractError(f"The expression '{expression}' did not match any modules.")
    return found


def expand_all(graph: ContractGraph, expressions: Iterable[str], *, as_packages: bool = False,
               must_match: bool = False) -> Set[str]:
    out: Set[str] = set()
    for e in expressions:
        out |= expand(graph, e, must_match=must_match)
    if as_packages:
        out |= {d for m in list(out) for d in graph.descendants(m)}
    return out


def ignored_pairs(graph: ContractGraph, contract: Contract) -> Set[Pair]:
    """The edges ``ignore-imports`` names; an expression that names none is an error unless
    ``unmatched-ignore-imports-alerting`` says otherwise."""
    out: Set[Pair] = set()
    missing = []
    for importer, imported in contract.ignore_imports:
        if "*" not in importer and "*" not in imported:
            hits = {(importer, imported)} & graph.sites.keys()
        else:
            a_rx, b_rx = _pattern(importer), _pattern(imported)
            hits = {p for p in graph.sites if a_rx.match(p[0]) and b_rx.match(p[1])}
        if not hits:
            missing.append(f"No matches for ignored import {importer} -> {imported}.")
        out |= hits
    if missing and contract.unmatched_ignore_imports_alerting == "error":
        raise ContractError(f"contract {contract.name!r}: " + " ".join(missing))
    return out


def _exist(graph: ContractGraph, modules: Iterable[str]) -> None:
    for m in sorted(modules):
        if m not in graph.modules:
            raise ContractError(f"Module '{m}' does not exist.")


def _in_roots(module: str, roots: Sequence[str]) -> bool:
    return any(module == r or module.startswith(r + ".") for r in roots)


# --------------------------------------------------------------------------- forbidden
def _ancestors_and_self(name: str) -> List[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _overlap(a: str, b: str, as_packages: bool) -> bool:
    return a == b or (as_packages and (a.startswith(b + ".") or b.startswith(a + ".")))


def check_forbidden(c: Contract, g: ContractGraph, roots: Sequence[str], external: bool) -> List[Violation]:
    sources = expand_all(g, c.source_modules)
    forbidden = expand_all(g, c.forbidden_modules)
    internal = {m for m in forbidden if _in_roots(m, roots)}
    _exist(g, sources)
    _exist(g, internal)
    for m in sorted(forbidden - internal):
        if not external:
            raise ContractError(f"contract {c.name!r}: the forbidden module {m!r} is outside the root packages, "
                                "and external packages are not in the graph (include_external_packages)")
        if "." in m:
            raise ContractError(f"Invalid forbidden module {m}: subpackages of external packages are not valid.")
    present = {m for m in forbidden if m in g.modules}
    out: List[Violation] = []
    for source in sorted(sources):
        src = g.with_descendants(source) if c.as_packages else {source}
        if c.allow_indirect_imports:
            reached = {b for a in src for b in g.imports.get(a, ())}
        else:
            reached = g.reach(src)
        if c.as_packages:
            reached = {x for r in reached for x in _ancestors_and_self(r)}
        for target in sorted(reached & present):
            if _overlap(source, target, c.as_packages):
                continue
            dst = g.with_descendants(target) if c.as_packages else {target}
            if c.allow_indirect_imports:
                chains = [[a, b] for a in sorted(src) for b in sorted(g.imports.get(a, ())) if b in dst]
            else:
                chains = g.shortest_chains(src - dst, dst)
            for chain in sorted(chains):
                out.append(Violation(c, source, target, tuple(chain)))
    return out


# --------------------------------------------------------------------------- layers, independence
def _permutations(levels: Sequence[Tuple[Set[str], bool]]) -> Set[Pair]:
    out: Set[Pair] = set()
    for i, (modules, independent) in enumerate(levels):
        for m in modules:
            for lower, _ in levels[i + 1:]:
                out.update((low, m) for low in lower)
            if independent:
                out.update((m, s) for s in modules if s != m)
    return out


def _routes(g: ContractGraph, c: Contract, levels: Sequence[Tuple[Set[str], bool]]) -> List[Violation]:
    """import-linter's layer check for one container: for each pair of layers that may not import
    each other, the shortest chains between them that pass through no other layer, grouped into
    routes by their middle part (every module of the importer that imports its first module,
    every module of the imported that its last module imports)."""
    everything: Set[str] = set()
    for modules, _ in levels:
        for m in modules:
            everything |= g.with_descendants(m)
    out: List[Violation] = []
    for importer, imported in sorted(_permutations(levels)):
        src, dst = g.with_descendants(importer), g.with_descendants(imported)
        excluded = frozenset(everything - src - dst)
        seen_middles: Set[Tuple[str, ...]] = set()
        for chain in g.shortest_chains(src, dst, excluded):
            if len(chain) == 2:
                out.append(Violation(c, importer, imported, tuple(chain), (chain[0],), (chain[1],)))
                continue
            middle = tuple(chain[1:-1])
            if middle in seen_middles:
                continue
            seen_middles.add(middle)
            heads = tuple(sorted(h for h in src if middle[0] in g.imports.get(h, ())))
            tails = tuple(sorted(t for t in g.imports.get(middle[-1], ()) if t in dst))
            out.append(Violation(c, importer, imported, (heads[0],) + middle + (tails[0],), heads, tails))
    return out


def check_layers(c: Contract, g: ContractGraph, roots: Sequence[str]) -> List[Violation]:
    containers = sorted(expand_all(g, c.containers))
    tails = [t for layer in c.layers for t in layer.tails]
    for container in containers:
        if container not in g.modules:
            raise ContractError(f"Container {container} does not exist.")
        if not _in_roots(container, roots):
            raise ContractError(f"Invalid container '{container}': a container must either be a root package, "
                                f"or a subpackage of one of them.")
        for name, optional in tails:
            if not optional and f"{container}.{name}" not in g.modules:
                raise ContractError(f"Missing layer in container '{container}': "
                                    f"module {container}.{name} does not exist.")
    if not containers:
        for name, optional in tails:
            if not optional and name not in g.modules:
                raise ContractError(f"Missing layer '{name}': module {name} does not exist.")
    out: List[Violation] = []
    for container in containers or [""]:
        prefix = f"{container}." if container else ""
        levels = [({prefix + n for n, _ in layer.tails if prefix + n in g.modules}, layer.independent)
                  for layer in c.layers]
        out += _routes(g, c, levels)
    if c.exhaustive:
        declared = {n for n, _ in tails} | set(c.exhaustive_ignores)
        for container in containers:
            for child in sorted(g.children.get(container, ())):
                if child.rsplit(".", 1)[-1] not in declared:
                    out.append(Violation(c, container, child, (child,), note="is not listed as a layer"))
    return out


def check_independence(c: Contract, g: ContractGraph) -> List[Violation]:
    modules = expand_all(g, c.modules)
    _exist(g, modules)
    return _routes(g, c, [(modules, True)])


# --------------------------------------------------------------------------- protected
def check_protected(c: Contract, g: ContractGraph) -> List[Violation]:
    allowed = expand_all(g, c.allowed_importers, as_packages=c.as_packages)
    out: List[Violation] = []
    for expression in c.protected_modules:
        for top in sorted(expand(g, expression)):
            protected = g.with_descendants(top) if c.as_packages else {top}
            importers: Set[str] = set()
            for p in protected:
                importers |= g.importers.get(p, set())
            links = [(i, p) for i in importers - allowed - protected for p in g.imports.get(i, ()) if p in protected]
            for importer, module in sorted(links, key=lambda link: (link[1], link[0])):
                out.append(Violation(c, importer, top, (importer, module)))
    return out


# --------------------------------------------------------------------------- acyclic siblings
def _child_under(module: str, package: str) -> str:
    return package + "." + module[len(package) + 1:].split(".", 1)[0]


def cycle_breakers(g: ContractGraph, package: str) -> Set[Pair]:
    """The imports between children of ``package`` whose removal leaves the children acyclic,
    chosen as import-linter chooses them: order the children (sources first, sinks last, the rest
    by weighted out-degree minus in-degree, ties by name) and take the imports pointing back."""
    children = g.children.get(package, set())
    if len(children) < 2:
        return set()
    weights: Dict[Pair, int] = {}
    pairs: Dict[Pair, List[Pair]] = {}
    start = package + "."
    for (a, b) in g.sites:
        if a.startswith(start) and b.startswith(start):
            ca, cb = _child_under(a, package), _child_under(b, package)
            if ca != cb:
                weights[(ca, cb)] = weights.get((ca, cb), 0) + 1
                pairs.setdefault((ca, cb), []).append((a, b))
    succ: Dict[str, Set[str]] = {n: set() for n in children}
    pred: Dict[str, Set[str]] = {n: set() for n in children}
    for a, b in weights:
        succ[a].add(b)
        pred[b].add(a)
    live = set(children)

    def drop(n: str) -> None:
        live.discard(n)
        for m in succ[n]:
            pred[m].discard(n)
        for m in pred[n]:
            succ[m].discard(n)

    sources: List[str] = []
    while True:
        batch = sorted(n for n in live if not pred[n])
        if not batch:
            break
        sources += batch
        for n in batch:
            drop(n)
    sinks: List[str] = []
    while True:
        batch = sorted(n for n in live if not succ[n])
        if not batch:
            break
        sinks = batch + sinks
        for n in batch:
            drop(n)
    middle: List[str] = []
    while live:
        best = max(sorted(live), key=lambda n: sum(weights[(n, m)] for m in succ[n])
                   - sum(weights[(m, n)] for m in pred[n]))
        middle.append(best)
        drop(best)
    pos = {n: i for i, n in enumerate(sources + middle + sinks)}
    out: Set[Pair] = set()
    for (a, b), links in pairs.items():
        if pos[b] < pos[a]:
            out.update(links)
    return out


def check_acyclic_siblings(c: Contract, g: ContractGraph) -> List[Violation]:
    overlap = sorted(set(c.ancestors) & set(c.skip_descendants))
    if overlap:
        raise ContractError(f"Cannot skip '{overlap[0]}' as it is also an ancestor.")
    ancestors = expand_all(g, sorted(c.ancestors), must_match=True)
    skip = expand_all(g, sorted(c.skip_descendants), must_match=True)
    found: Dict[str, Set[Pair]] = {}

    def visit(package: str, depth: int) -> None:
        children = g.children.get(package, set())
        if not children:
            return
        breakers = cycle_breakers(g, package)
        if breakers:
            found[package] = breakers
        if depth:
            for child in sorted(children - skip):
                visit(child, depth - 1)

    for ancestor in sorted(ancestors):
        visit(ancestor, c.depth)
    out = []
    for package in sorted(found):
        for a, b in sorted(found[package]):
            out.append(Violation(c, _child_under(a, package), _child_under(b, package), (a, b),
                                 note=f"closes a cycle between children of `{package}`"))
    return out


def run(c: Contract, g: ContractGraph, roots: Sequence[str], external: bool) -> List[Violation]:
    g = g.without(ignored_pairs(g, c))
    if c.type == FORBIDDEN:
        return check_forbidden(c, g, roots, external)
    if c.type == LAYERS:
        return check_layers(c, g, roots)
    if c.type == INDEPENDENCE:
        return check_independence(c, g)
    if c.type == PROTECTED:
        return check_protected(c, g)
    return check_acyclic_siblings(c, g)
