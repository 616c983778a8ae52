"""Shared by IG301 and IG302: which entries to simulate, the sorted-imports order, cached outcomes."""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from importguard.analysis.conditions import World, decide
from importguard.analysis.graph import strongly_connected
from importguard.analysis.simulate import Outcome, simulate
from importguard.model import IMPORT_TIME, IfEvent, walk_events

if TYPE_CHECKING:
    from importguard.analysis.context import RepoContext
    from importguard.analysis.graph import ModuleInfo
    from importguard.analysis.interpreter import Failure


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
    for comp in strongly_connected(nodes, succ):
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


NEWEST = (3, 15)  # the newest Python a ``requires-python = ">=3.N"`` range reaches
PLATFORMS = ("linux", "win32", "darwin")


class Worlds(NamedTuple):
    """The worlds worth simulating, and which (minor version, platform) pairs each stands for."""

    worlds: List[World]
    members: Dict[World, Tuple[Tuple[int, str], ...]]  # a world -> the (minor, platform) pairs it stands for


def _tests(events, out: list) -> None:
    """The version and platform tests (tuples) of every ``if`` in ``events``, nested ones too."""
    out.extend(ev.test for ev in walk_events(events) if type(ev) is IfEvent and type(ev.test) is tuple)


def worlds(modules: Dict[str, ModuleInfo], lowest: Tuple[int, int],
           newest: Optional[Tuple[int, int]] = None) -> Worlds:
    """One world per distinct outcome of the version and platform tests over every (minor version,
    platform) pair, versions from ``lowest`` to ``newest`` (``requires-python``'s upper bound;
    else the newest Python known here), platforms linux, win32 and darwin: a branch that depends
    on the version, the platform or both together is explored every way it can go."""
    tests: list = []
    for info in modules.values():
        for events in info.facts.events:
            _tests(events, tests)
    tests = list(dict.fromkeys(tests))
    top = min(newest, NEWEST) if newest is not None and newest >= lowest else NEWEST
    minors = list(range(lowest[1], top[1] + 1)) if lowest[0] == 3 and lowest <= top else [lowest[1]]
    by_vector: Dict[tuple, List[Tuple[int, str]]] = {}
    for m in minors:
        for p in PLATFORMS:
            w = World((lowest[0], m), p)
            by_vector.setdefault(tuple(decide(t, w) for t in tests), []).append((m, p))
    members = {World((lowest[0], pairs[0][0]), pairs[0][1]): tuple(pairs) for pairs in by_vector.values()}
    return Worlds(list(members), members)


def where(failing: Set[World], ws: Worlds) -> str:
    """`` on win32`` / `` on Python 3.9 to 3.10`` / `` on win32 with Python 3.12 and newer``: the
    versions and platforms a failure needs; "" when it fails in every world."""
    if len(failing) == len(ws.worlds):
        return ""
    every = [pair for w in ws.worlds for pair in ws.members[w]]
    every_minor = sorted({m for m, _ in every})
    by_platform: Dict[str, List[int]] = {}
    for w in ws.worlds:
        if w in failing:
            for m, p in ws.members[w]:
                by_platform.setdefault(p, []).append(m)
    groups: Dict[tuple, List[str]] = {}  # the failing minors -> the platforms they fail on
    for p in PLATFORMS:
        if p in by_platform:
            groups.setdefault(tuple(sorted(set(by_platform[p]))), []).append(p)
    parts = []
    for ms, plats in groups.items():
        bits = []
        if len(plats) < len(PLATFORMS):
            bits.append("on " + " / ".join(plats))
        if list(ms) != every_minor:
            bits.append(("with " if bits else "on ") + "Python " + _describe_minors(list(ms)))
        parts.append(" ".join(bits))
    return " " + ", and ".join(parts) if parts else ""


def _describe_minors(minors: List[int]) -> str:
    runs: List[List[int]] = []
    for m in minors:
        if runs and runs[-1][-1] == m - 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    out = []
    for r in runs:
        if r[-1] == NEWEST[1] and len(r) > 1:
            out.append(f"3.{r[0]} and newer")
        elif len(r) == 1:
            out.append(f"3.{r[0]}")
        else:
            out.append(f"3.{r[0]} to 3.{r[-1]}")
    return ", ".join(out)


class Outcomes(NamedTuple):
    """Simulation outcomes merged over worlds."""

    failures: Dict[tuple, Failure]  # by Failure.key
    entries: Dict[tuple, Set[str]]  # failure key -> entry modules
    failed: Dict[str, Optional[Failure]]  # entry -> its failure, in some world
    worlds: Dict[tuple, List[World]]  # failure key -> the worlds it happens in
    where: Dict[tuple, str]  # failure key -> " on win32", "" when everywhere


def _merge(per_world: List[Tuple[World, Outcome]], ws: Worlds) -> Outcomes:
    out = Outcomes({}, {}, {}, {}, {})
    for w, o in per_world:
        for key, f in o.failures.items():
            out.failures.setdefault(key, f)
            out.entries.setdefault(key, set()).update(o.entries[key])
            out.worlds.setdefault(key, []).append(w)
        for e, failure in o.failed.items():
            if e not in out.failed or (out.failed[e] is None and failure is not None):
                out.failed[e] = failure
    for key, ws_failing in out.worlds.items():
        out.where[key] = where(set(ws_failing), ws)
    return out


def outcomes(repo: RepoContext) -> Tuple[Outcomes, Outcomes, List[str]]:
    """(as written, with sorted imports, entries), computed once per repository."""
    cached = getattr(repo, "_cycle_outcomes", None)
    if cached is not None:
        return cached
    entries = entry_modules(repo)
    eager = repo.config.target_version < (3, 14)
    modules = simulated_modules(repo)
    # only tests in modules that can reach a cycle decide anything: elsewhere no import can meet a
    # partially initialised module
    ws = worlds({e: modules[e] for e in entries if e in modules}, repo.config.target_version,
                repo.config.newest_version)
    first_party = {m.split(".", 1)[0] for m in modules}
    orders: Dict[str, List[int]] = {}

    def order(name: str) -> List[int]:
        got = orders.get(name)
        if got is None:
            got = orders[name] = sorted_order(modules[name], first_party)
        return got

    store = getattr(repo, "store", None)
    graph = _Condensed(modules, repo.edges)
    keys = graph.entry_keys(entries, eager, first_party) if store is not None else {}
    rep = graph.representatives(entries, ws.worlds)
    written: List[Tuple[World, Outcome]] = []
    reordered: List[Tuple[World, Outcome]] = []
    for wi, w in enumerate(ws.worlds):
        # an entry is simulated in the first world that decides every test it can reach as this
        # one does; in the others it has that world's outcome
        mine = [e for e in entries if rep[e][wi] == wi]
        own = _simulate_cached(store, keys, "w", modules, mine, eager, None, w)
        as_written = _assemble(entries, _results_of(own, written, rep, wi))
        ok_entries = [e for e in entries if e not in as_written.failed]
        written.append((w, as_written))
        own_r = _simulate_cached(store, keys, "r", modules, [e for e in ok_entries if rep[e][wi] == wi], eager,
                                 order, w)
        reordered.append((w, _assemble(ok_entries, _results_of(own_r, reordered, rep, wi))))
    result = (_merge(written, ws), _merge(reordered, ws), entries)
    repo._cycle_outcomes = result  # type: ignore[attr-defined]
    return result


# ---------------------------------------------------------------------------- incremental simulation
# Importing an entry first runs only the modules it can reach, so its outcome is a function of
# what those modules hold. Each entry gets a key over exactly that: a digest per strongly connected
# component of the graph of every first-party import (any kind: a module-level call may run a
# function's imports), made of its members' simulated facts and the digests of the components it
# reaches (a Merkle digest over the condensation). An outcome cached under that key is reused as
# long as nothing the entry can reach changed; a change re-simulates only the entries above it.
def _own_digest(info: ModuleInfo, known: Set[str], children: Sequence[str]) -> bytes:
    import hashlib

    f = info.facts
    parts = info.name.split(".")
    ancestors = tuple(".".join(parts[:i]) in known for i in range(1, len(parts)))
    raw = repr((info.name, info.path, info.is_package, ancestors, tuple(children), f.statements, f.events,
                f.all_names, f.future_annotations, [i[:-1] for i in f.imports]))
    return hashlib.blake2b(raw.encode(), digest_size=16).digest()


class _Condensed:
    """The graph of every first-party import (any kind: a module-level call may run a function's
    imports, and importing ``a.b`` imports ``a`` first), condensed to its strongly connected
    components, in an order where a component comes after every component it reaches."""

    def __init__(self, modules: Dict[str, ModuleInfo], edges) -> None:
        known = set(modules)
        succ: Dict[str, Set[str]] = defaultdict(set)
        for e in edges:
            if e.source in known and e.target in known:
                succ[e.source].add(e.target)
        children: Dict[str, List[str]] = defaultdict(list)
        for name in known:
            for a in _ancestors(name):
                if a in known:
                    succ[name].add(a)
            head = name.rpartition(".")[0]
            if head:
                children[head].append(name)
        self.modules, self.known, self.succ, self.children = modules, known, succ, children
        comps = strongly_connected(sorted(known), succ)
        comp_of = {m: k for k, comp in enumerate(comps) for m in comp}
        below = [{comp_of[t] for m in comp for t in succ.get(m, ()) if comp_of[t] != k} for k, comp in enumerate(comps)]
        # order the components so that each comes after every component it reaches
        order: List[int] = []
        state = [0] * len(comps)  # 0 new, 1 on the stack, 2 placed
        for start in range(len(comps)):
            if state[start]:
                continue
            stack = [(start, iter(sorted(below[start])))]
            state[start] = 1
            while stack:
                k, it = stack[-1]
                for o in it:
                    if not state[o]:
                        state[o] = 1
                        stack.append((o, iter(sorted(below[o]))))
                        break
                else:
                    stack.pop()
                    state[k] = 2
                    order.append(k)
        self.comps = [comps[k] for k in order]
        self.comp_of: Dict[str, int] = {m: k for k, comp in enumerate(self.comps) for m in comp}

    def _below(self, k: int) -> Set[int]:
        """The components that component ``k`` has edges to (not itself)."""
        return {self.comp_of[t] for m in self.comps[k] for t in self.succ.get(m, ()) if self.comp_of[t] != k}

    def entry_keys(self, entries: Sequence[str], eager: bool, first_party: Set[str]) -> Dict[str, str]:
        """entry -> a digest of everything its simulation can read: its component's members'
        simulated facts and edges, and the digests of the components it reaches (a Merkle digest
        over the condensation). Equal digests, equal outcomes."""
        import hashlib

        digest: List[bytes] = []
        for k, comp in enumerate(self.comps):
            h = hashlib.blake2b(digest_size=16)
            for m in sorted(comp):
                h.update(_own_digest(self.modules[m], self.known, sorted(self.children.get(m, ()))))
                h.update(repr(sorted(t for t in self.succ.get(m, ()) if self.comp_of[t] == k)).encode())
            for d in sorted(digest[o] for o in self._below(k)):
                h.update(d)
            digest.append(h.digest())
        context = repr((eager, sorted(first_party))).encode()
        return {e: hashlib.blake2b(context + e.encode() + digest[self.comp_of[e]], digest_size=16).hexdigest()
                for e in entries if e in self.comp_of}

    def representatives(self, entries: Sequence[str], worlds: Sequence[World]) -> Dict[str, List[int]]:
        """entry -> for each world (by index), the first world that decides every version and
        platform test the entry can reach the same way: the simulation reads the world only
        through those tests, so the entry's outcome is the same in both."""
        patterns: Dict[tuple, int] = {}  # a test's decisions in every world -> a small number
        reach: List[Set[int]] = []
        for k, comp in enumerate(self.comps):
            mine: Set[int] = set()
            for m in comp:
                tests: list = []
                for events in self.modules[m].facts.events:
                    _tests(events, tests)
                for t in tests:
                    mine.add(patterns.setdefault(tuple(decide(t, w) for w in worlds), len(patterns)))
            for o in self._below(k):
                mine |= reach[o]
            reach.append(mine)
        by_pattern = {v: k for k, v in patterns.items()}
        out: Dict[str, List[int]] = {}
        memo: Dict[frozenset, List[int]] = {}
        for e in entries:
            if e not in self.comp_of:
                out[e] = list(range(len(worlds)))
                continue
            key = frozenset(reach[self.comp_of[e]])
            got = memo.get(key)
            if got is None:
                vectors = [tuple(by_pattern[p][wi] for p in sorted(key)) for wi in range(len(worlds))]
                got = memo[key] = [vectors.index(v) for v in vectors]
            out[e] = got
        return out


def _results_of(own: Outcome, earlier: List[Tuple[World, Outcome]], rep: Dict[str, List[int]], wi: int):
    """entry -> the ``failed`` map that holds its result in world ``wi``: ``own`` (what was
    simulated in that world) or the outcome of the world it has its result from."""
    def failed_of(e: str) -> Dict[str, Optional["Failure"]]:
        k = rep[e][wi]
        return (own if k == wi else earlier[k][1]).failed

    return failed_of


def _assemble(entries: Sequence[str], failed_of) -> Outcome:
    """An Outcome from each entry's result (``failed_of(entry)``: the ``failed`` map that holds it),
    as ``simulate`` builds it: entries in sorted order, the first failure of a key kept."""
    out = Outcome({}, {}, {})
    for e in sorted(entries):
        failed = failed_of(e)
        if e not in failed:
            continue
        f = failed[e]
        out.failed[e] = f
        if f is not None:
            out.failures.setdefault(f.key, f)
            out.entries.setdefault(f.key, set()).add(e)
    return out


def _simulate_cached(store, keys: Dict[str, str], mode: str, modules: Dict[str, ModuleInfo], entries: Sequence[str],
                     eager: bool, order, world: World) -> Outcome:
    """``simulate`` of ``entries``, with each entry's outcome taken from ``store`` when its key
    (``_entry_keys``) is there; the others are simulated together (they share their prefixes)."""
    if store is None:
        return simulate(modules, entries, eager_annotations=eager, order=order, world=world)
    tag = "sim:%s:%r:%r:" % (mode, world.version, world.platform)
    per_entry: Dict[str, Any] = {}
    todo = []
    for e in entries:
        k = keys.get(e)
        got = store.data.get(tag + k, _UNKNOWN) if k else _UNKNOWN
        if got is _UNKNOWN:
            todo.append(e)
        else:
            per_entry[e] = got
    if todo:
        fresh = simulate(modules, todo, eager_annotations=eager, order=order, world=world)
        for e in todo:
            if e not in fresh.failed:
                per_entry[e] = _OK
            else:
                failure = fresh.failed[e]
                per_entry[e] = None if failure is None else tuple(failure)
            if keys.get(e):
                store.data[tag + keys[e]] = per_entry[e] if per_entry[e] is not _OK else 0
        store.dirty = True
    out = Outcome({}, {}, {})
    for e in sorted(entries):  # the order ``simulate`` meets them: the first failure of a key is kept
        raw = per_entry[e]
        if raw is _OK or raw == 0:
            continue
        f = None if raw is None else _failure(raw)
        out.failed[e] = f
        if f is not None:
            out.failures.setdefault(f.key, f)
            out.entries.setdefault(f.key, set()).add(e)
    if store is not None:
        used = store.data.setdefault("sim-used", [])
        used.extend(tag + keys[e] for e in entries if keys.get(e))
    return out


def _failure(raw: tuple) -> "Failure":
    from importguard.analysis.interpreter import Failure

    return Failure._make(list(raw[:7]) + [tuple(tuple(c) for c in raw[7])] + list(raw[8:]))


def forget_old_simulations(store) -> None:
    """Keep the outcomes of this run's entries and of the run before; drop older ones."""
    used = set(store.data.pop("sim-used", ()))
    if not used:
        return
    keep = used | set(store.data.get("sim-prev", ()))
    for k in [k for k in store.data if k.startswith("sim:") and k not in keep]:
        del store.data[k]
    store.data["sim-prev"] = sorted(used)
    store.dirty = True


_UNKNOWN = object()
_OK = object()


def describe_chain(chain: Sequence[Tuple[str, int]]) -> str:
    return " -> ".join(f"`{m}`" for m, _ in _dedupe(chain))


def _dedupe(chain):
    out: List[Tuple[str, int]] = []
    for m, line in chain:
        if not out or out[-1][0] != m:
            out.append((m, line))
    return out

