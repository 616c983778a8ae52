"""Shared by IG301 and IG302: which entries to simulate, the sorted-imports order, cached outcomes."""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from importguard.analysis.conditions import World, decide
from importguard.analysis.graph import ModuleInfo, absolute_target, module_edges, strongly_connected
from importguard.analysis.graphdelta import Kept
from importguard.analysis.simcache import Keys, assemble, run_world
from importguard.analysis.simdelta import Edits, remember_contents
from importguard.analysis.simlast import LastRun
from importguard.analysis.simrepo import Repository
from importguard.analysis.sortorder import sorted_order
from importguard.model import IMPORT_TIME, IfEvent, walk_events

if TYPE_CHECKING:
    from importguard.analysis.context import RepoContext
    from importguard.analysis.interpreter import Failure
    from importguard.analysis.simcache import Result
    from importguard.analysis.simulate import Outcome


def _ancestors(name: str) -> List[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def entry_modules(repo: RepoContext) -> List[str]:
    """Modules whose import can run into a cycle: they (or a parent package) reach one.

    The graph here is the import-time graph plus what CPython adds: importing ``a.b.c`` first
    imports ``a`` and ``a.b``, so an import of a module is also an edge to its parent packages.
    A module that reaches no cycle of that graph can never see a partially initialised module.
    A module-level read of a first-party submodule through an imported name (``import p`` then
    ``p.x.VALUE``) is an edge to it too: the read needs ``p.x`` finished, as an import of it would.
    """
    names = [m for m in repo.modules if not m.startswith("<")]
    known = set(names)
    reach = _reach_kept(repo, known)
    if repo.graph_before is not None:
        repo.simulation_stats["entries_kept_after_edit"] = int(reach is not None)
    if reach is None:
        reach = _reach(repo, names, known)
    repo.with_graph[ENTRIES] = _bitmap(reach, known)
    if repo.graph_state is not None:
        Kept(repo.store, ENTRIES).put(repo.graph_state, repo.with_graph[ENTRIES])
    return sorted(m for m in names if m in reach or ("." in m and any(a in reach for a in _ancestors(m))))


ENTRIES = "entrybase2:"  # the modules that reach a cycle, of the last few graphs (``graphdelta.Kept``)


def _bitmap(reach: Set[str], known: Set[str]) -> bytes:
    """``reach`` as one bit per module, in the order of the sorted names (kept with every graph:
    800 bytes for 6,000 modules where their names took 100 KB). The graph's digest the value is
    kept under covers the names."""
    out = bytearray((len(known) + 7) // 8)
    for i, name in enumerate(sorted(known)):
        if name in reach:
            out[i >> 3] |= 1 << (i & 7)
    return bytes(out)


def _from_bitmap(bits: bytes, known: Set[str]) -> Optional[Set[str]]:
    if len(bits) != (len(known) + 7) // 8:
        return None
    return {name for i, name in enumerate(sorted(known)) if bits[i >> 3] >> (i & 7) & 1}


def _reach_kept(repo: RepoContext, known: Set[str]) -> Optional[Set[str]]:
    """The modules that reach a cycle in the graph before an edit (``repo.graph_before``), when
    the edit cannot change them: each changed module reached a cycle already, and only gained
    import-time edges and reads of submodules. A new edge from a module that reaches a cycle
    makes no other module reach one (a path through it reached one before), nor does a new cycle
    through it (its members reach it)."""
    before = repo.graph_before
    if before is None or repo.store is None:
        return None
    got = Kept(repo.store, ENTRIES).get(before.state)
    reach = _from_bitmap(got, known) if isinstance(got, bytes) else None
    if reach is None:
        return None
    # the graph before stays among the kept, whatever this edit's (its own runs find the run
    # cache and never keep it again)
    Kept(repo.store, ENTRIES).put(before.state, got)
    for name, edges in before.edges.items():
        if name not in reach:
            return None
        info = repo.modules[name]
        old = {(e[0], e[1]) for e in edges if e[5] == IMPORT_TIME}
        # its edges now (as ``build_edges`` made them of its facts: not a search of every edge)
        if not old <= {(e.source, e.target) for e in module_edges(name, info, known) if e.kind == IMPORT_TIME}:
            return None
        then = ModuleInfo(name, info.path, info.is_package, before.facts[name])
        if not set(_reads_of(name, then, known)) <= set(_reads_of(name, info, known)):
            return None
    return reach


def _reach(repo: RepoContext, names: List[str], known: Set[str]) -> Set[str]:
    """The modules that reach a cycle (``entry_modules``)."""
    succ: Dict[str, Set[str]] = defaultdict(set)
    for source, target in _submodule_reads(repo, known):
        succ[source].add(target)
    above: Dict[str, List[str]] = {}  # a target -> itself and its packages that are modules (50,000 edges)
    for e in repo.edges:
        if e.kind != IMPORT_TIME:
            continue
        target = e.target
        got = above.get(target)
        if got is None:
            got = above[target] = [target] + [a for a in _ancestors(target) if a in known]
        if e.source in got and e.source != target:  # a package importing its submodule: no edge to itself
            succ[e.source].update(a for a in got if a != e.source)
        else:
            succ[e.source].update(got)
    in_cycle = _cyclic_nodes(names, succ)
    if not in_cycle:
        return set()
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
    return reach


def _submodule_reads(repo: RepoContext, known: Set[str]) -> List[Tuple[str, str]]:
    """(module, submodule) for each read ``p.x...`` through a name ``p`` the module imports (the
    import's uses, in any scope: a function may run at import time) where ``p.x`` is a first-party
    module below it."""
    from importguard.analysis.contributions import Contributions, Tally

    modules = repo.modules
    counts = Tally(Contributions.of(repo, "reads:"), sorted(known), lambda name: _reads_of(name, modules[name], known),
                   lambda part: [tuple(pair) for pair in part]).counts()
    return list(counts)


def _reads_of(name: str, info: ModuleInfo, known: Set[str]) -> List[Tuple[str, str]]:
    out: List[Tuple[str, str]] = []
    for imp in info.facts.imports:
        if imp.scope_kind != "module" or not imp.bound or not imp.uses:
            continue
        if imp.name is None:
            base: Optional[str] = imp.module if imp.asname else imp.module.split(".", 1)[0]
        else:
            base = absolute_target(imp, name, info.is_package)
        if not base:
            continue
        for u in imp.uses:
            parts = u.dotted.split(".")[1:]
            for i in range(1, len(parts) + 1):
                sub = base + "." + ".".join(parts[:i])
                if sub not in known:
                    break
                if sub != name:
                    out.append((name, sub))
    return out


def _cyclic_nodes(nodes: Sequence[str], succ: Dict[str, Set[str]]) -> Set[str]:
    """Nodes on some cycle."""
    out: Set[str] = set()
    for comp in strongly_connected(nodes, succ):
        if len(comp) > 1 or comp[0] in succ.get(comp[0], ()):
            out.update(comp)
    return out


# ---------------------------------------------------------------------------- sorted imports (IG302)
# ---------------------------------------------------------------------------- cached outcomes
def simulated_modules(repo: RepoContext) -> Dict[str, ModuleInfo]:
    """The modules whose bodies the simulation runs: a ``.pyi`` stub never runs, so a module only
    a stub describes is unknown to the simulation (importable, opaque), like a C extension."""
    got = getattr(repo, "_simulated", None)  # (asked by IG301 and by each IG302 culprit)
    if got is None or got[0] is not repo.modules:
        got = repo._simulated = (repo.modules, {k: v for k, v in repo.modules.items()  # type: ignore[attr-defined]
                                                if not k.startswith("<") and not v.path.endswith(".pyi")})
    return got[1]


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
           newest: Optional[Tuple[int, int]] = None, parts=None) -> Worlds:
    """One world per distinct outcome of the version and platform tests over every (minor version,
    platform) pair, versions from ``lowest`` to ``newest`` (``requires-python``'s upper bound;
    else the newest Python known here), platforms linux, win32 and darwin: a branch that depends
    on the version, the platform or both together is explored every way it can go."""
    from importguard.analysis.contributions import Tally

    def of(name: str) -> list:
        got: list = []
        for events in modules[name].facts.events:
            _tests(events, got)
        return got

    if parts is not None:  # the tests of every module, counted (kept between runs)
        tests = sorted(Tally(parts, sorted(modules), of, lambda part: part).counts(), key=repr)
    else:
        tests = sorted(dict.fromkeys(t for name in modules for t in of(name)), key=repr)
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
    from importguard.analysis.contributions import Contributions

    ws = worlds({e: modules[e] for e in entries if e in modules}, repo.config.target_version,
                repo.config.newest_version, Contributions.of(repo, "tests:"))
    first_party = {m.split(".", 1)[0] for m in modules}
    orders: Dict[str, List[int]] = {}

    def order(name: str) -> List[int]:
        got = orders.get(name)
        if got is None:
            got = orders[name] = sorted_order(modules[name], first_party)
        return got

    store = getattr(repo, "store", None)
    sims = getattr(repo, "sims", None)  # the outcomes of earlier runs (``simstore``)
    keys = None
    contents = {m: h for m, h in (repo.contents or {}).items() if m in modules}  # module -> content hash
    from importguard.analysis.graph import namespace_packages

    spaces = namespace_packages(modules)
    # what the repository reads of each module, gathered only when a simulation or a check of an
    # edit asks (kept between runs in ``delta2:`` parts)
    everything = Repository(modules, first_party, spaces, Contributions.of(repo, "delta2:"))
    reads = everything.read_elsewhere
    if store is not None and sims is not None:
        keys = Keys(modules, eager, first_party, getattr(repo, "graph_parts", None), sorted(spaces))
        if contents and repo.facts_of is not None and repo.part_of is not None:
            history = store.data.get("sim-content")
            if isinstance(history, dict):
                keys.edits = Edits(contents, history, repo.part_of, repo.facts_of, everything)
    stats = repo.simulation_stats
    last = LastRun(sims.directory, keys) if sims is not None and keys is not None else None
    if last is not None and last.taken and sims is not None:
        sims.looked_up_entries.update(last.taken)  # their records are not pruned (``simstore``)
    written: List[Tuple[World, Outcome]] = []
    reordered: List[Tuple[World, Outcome]] = []
    runs_w: List[Tuple[World, Dict[str, Result]]] = []
    runs_r: List[Tuple[World, Dict[str, Result]]] = []
    kept: Dict[str, List[Tuple[World, Dict[str, Result], Dict[str, Result]]]] = {"w": [], "r": []}

    unmoved: Dict[str, bool] = {}

    def in_order(name: str) -> bool:
        """Do the statements of ``name`` that do anything run in the written order once sorted?"""
        got = unmoved.get(name)
        if got is None:
            events = modules[name].facts.events
            got = unmoved[name] = [i for i in order(name) if events[i]] == [i for i, ev in enumerate(events) if ev]
        return got

    by_ran: Dict[bytes, bool] = {}  # many worlds share an entry's result

    def as_written(todo: Sequence[str], written_w: Dict[str, Result]) -> Dict[str, Result]:
        """The entries of ``todo`` whose import, as written, ran only modules whose statements run
        in the same order once sorted: sorting runs exactly the same steps, so the outcome with
        sorted imports is the one as written."""
        out: Dict[str, Result] = {}
        for e in todo:
            r = written_w.get(e)
            if r is None or r.failed:
                continue
            same: Optional[bool]
            if r.names is not None:
                same = all(in_order(n) for n in r.names)
            elif r.ran is not None and keys is not None:
                same = by_ran.get(r.ran)
                if same is None:
                    names = keys.names
                    same = by_ran[r.ran] = all(in_order(names[i]) for i in keys.unpack(r.ran))
            else:
                continue
            if same:
                out[e] = r
        return out

    # the entries the last run's outcomes do not give, asked again in every world (``one``)
    not_taken = [e for e in entries if e not in last.taken] if last is not None and last.taken else entries

    def one(mode: str, todo: List[str], w: World, runs, sorted_by) -> Dict[str, Result]:
        """The entries of ``todo`` that failed in ``w`` -> how: taken from the last run (``simlast``)
        or found by ``run_world``."""
        given = last.given(mode, w) if last is not None else None
        if given is not None:
            taken, failed = given
            todo = not_taken if todo is entries else [e for e in todo if e not in taken]
            failed = dict(failed)
        else:
            failed = {}
        written_w = kept["w"][-1][1] if mode == "r" and kept["w"] else None

        def shortcut(todo: Sequence[str]) -> Dict[str, Result]:  # asked of the entries left to simulate
            same = as_written(todo, written_w) if written_w is not None else {}
            if same:
                stats["sorted_as_written"] = stats.get("sorted_as_written", 0) + len(same)
            return same

        got = run_world(sims, keys, mode, modules, todo, eager, sorted_by, w, runs, stats, repo.jobs, reads,
                        shortcut if written_w is not None else None)
        runs.append((w, got))
        failed.update((e, r) for e, r in got.items() if r.failed)
        kept[mode].append((w, got, failed))
        return failed

    # many worlds fail alike: an outcome equal to the world before's is that world's (read only)
    assembled: Dict[str, Tuple[Dict[str, Result], Outcome]] = {}

    def outcome_of(mode: str, failed: Dict[str, Result]) -> Outcome:
        before = assembled.get(mode)
        if before is not None and before[0] == failed:
            return before[1]
        got = assemble(failed)
        assembled[mode] = (failed, got)
        return got

    simulated_before = stats.get("simulated", 0)
    for w in ws.worlds:
        # an entry is simulated in a world only when no earlier world decided the tests its import
        # decided alike; otherwise it has that world's outcome
        failed_w = one("w", entries, w, runs_w, None)
        written.append((w, outcome_of("w", failed_w)))
        base = not_taken if last is not None and last.given("r", w) is not None else entries
        failed_r = one("r", [e for e in base if e not in failed_w], w, runs_r, order)
        reordered.append((w, outcome_of("r", failed_r)))
    if last is not None:
        last.save(entries, kept, stats.get("simulated", 0) - simulated_before)
        if last.taken:
            stats["sim_taken_whole"] = stats.get("sim_taken_whole", 0) + len(last.taken)
    if store is not None and sims is not None and contents:
        edits = keys.edits if keys is not None else None
        remember_contents(store, contents, used=edits.used if edits is not None else None)
    result = (_merge(written, ws), _merge(reordered, ws), entries)
    repo._cycle_outcomes = result  # type: ignore[attr-defined]
    repo._sim_cache = (sims, keys, reads)  # type: ignore[attr-defined]  # for IG302's culprits (``simulate_one``)
    return result


def describe_chain(chain: Sequence[Tuple[str, int]]) -> str:
    return " -> ".join(f"`{m}`" for m, _ in _dedupe(chain))


def _dedupe(chain):
    out: List[Tuple[str, int]] = []
    for m, line in chain:
        if not out or out[-1][0] != m:
            out.append((m, line))
    return out


def simulate_one(repo: RepoContext, modules: Dict[str, ModuleInfo], entry: str, mode: str,
                 order, world: World) -> Optional[Failure]:
    """How importing ``entry`` fails in ``world`` with statements in ``order`` (None: it does not),
    kept in the simulation's store under ``mode`` like every entry's outcome (valid while the
    modules its import ran are unchanged) when ``outcomes`` ran with one."""
    eager = repo.config.target_version < (3, 14)
    sims, keys, reads = getattr(repo, "_sim_cache", (None, None, None))
    if sims is None or keys is None:
        from importguard.analysis.simulate import simulate
        from importguard.collection import collecting

        with collecting():
            return simulate(modules, [entry], eager_annotations=eager, order=order, world=world,
                            read_elsewhere=reads).failed.get(entry)
    from importguard.analysis.simcache import _simulate_cached

    stats: Dict[str, int] = {}
    got = _simulate_cached(sims, keys, mode, modules, [entry], eager, order, world, stats, 1, reads)[entry]
    if stats.get("simulated"):
        repo.simulation_stats["culprits_simulated"] = repo.simulation_stats.get("culprits_simulated", 0) + 1
    return got.failure if got.failed else None
