"""IG301 / IG302: each entry's simulation outcome, reused across worlds and across runs.

Across worlds: the simulation reads the world (Python version, platform) only through the
``sys.version_info`` / ``sys.platform`` tests it decides, and is otherwise deterministic. So an
entry whose import, in one world, decided tests that another world decides alike has the same
outcome in that other world: it is simulated once and its result reused.

Across runs: importing an entry first runs only the modules it can reach, so its outcome is a
function of what those modules hold. Each entry gets a key over exactly that: a digest per strongly
connected component of the graph of every first-party import (any kind: a module-level call may run
a function's imports), made of its members' simulated facts and the digests of the components it
reaches (a Merkle digest over the condensation). An outcome cached under that key is reused as long
as nothing the entry can reach changed; a change re-simulates only the entries above it.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Set, Tuple

from importguard.analysis.conditions import World, decide
from importguard.analysis.graph import strongly_connected
from importguard.analysis.simulate import Outcome, simulate

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo
    from importguard.analysis.interpreter import Failure


class Result(NamedTuple):
    """One entry's outcome in one world."""

    failed: bool  # its import raised
    failure: Optional[Failure]  # what it raised (None: an error the facts cannot explain)
    tests: FrozenSet[tuple]  # the version / platform tests its import decided


def _ancestors(name: str) -> List[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _own_digest(info: ModuleInfo, known: Set[str], children: Sequence[str]) -> bytes:
    import hashlib

    f = info.facts
    parts = info.name.split(".")
    ancestors = tuple(".".join(parts[:i]) in known for i in range(1, len(parts)))
    raw = repr((info.name, info.path, info.is_package, ancestors, tuple(children), f.statements, f.events,
                f.all_names, f.future_annotations, [i[:-1] for i in f.imports]))
    return hashlib.blake2b(raw.encode(), digest_size=16).digest()


def entry_keys(modules: Dict[str, ModuleInfo], edges, entries: Sequence[str], eager: bool,
               first_party: Set[str]) -> Dict[str, str]:
    """entry -> a digest of everything its simulation can read: the simulated facts and edges of
    the members of its component in the graph of every first-party import (and of every module to
    its parent packages: importing ``a.b`` imports ``a`` first), and the digests of the components
    it reaches (a Merkle digest over the condensation). Equal digests, equal outcomes."""
    import hashlib

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
    comps = strongly_connected(sorted(known), succ)
    comp_of = {m: k for k, comp in enumerate(comps) for m in comp}
    below = [sorted({comp_of[t] for m in comp for t in succ.get(m, ()) if comp_of[t] != k})
             for k, comp in enumerate(comps)]
    digest: Dict[int, bytes] = {}

    def component_digest(start: int) -> bytes:
        # depth first without recursion: a component's digest needs those of the components below
        stack = [start]
        while stack:
            k = stack[-1]
            if k in digest:
                stack.pop()
                continue
            todo = [o for o in below[k] if o not in digest]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            h = hashlib.blake2b(digest_size=16)
            for m in comps[k]:
                h.update(_own_digest(modules[m], known, sorted(children.get(m, ()))))
                h.update(repr(sorted(t for t in succ.get(m, ()) if comp_of[t] == k)).encode())
            for d in sorted(digest[o] for o in below[k]):
                h.update(d)
            digest[k] = h.digest()
        return digest[start]

    context = repr((eager, sorted(first_party))).encode()
    return {e: hashlib.blake2b(context + e.encode() + component_digest(comp_of[e]), digest_size=16).hexdigest()
            for e in entries if e in comp_of}


def run_world(store, keys: Dict[str, str], mode: str, modules: Dict[str, ModuleInfo], entries: Sequence[str],
              eager: bool, order: Optional[Callable[[str], Sequence[int]]], world: World,
              earlier: Sequence[Tuple[World, Dict[str, Result]]], stats: Dict[str, int]) -> Dict[str, Result]:
    """Each entry's outcome in ``world``: the result of an ``earlier`` world whose run decided
    every test the entry's import decided as ``world`` does, else the one cached in ``store``
    under the entry's key, else simulated (the entries left are simulated together: they share
    their prefixes)."""
    memo: Dict[Tuple[tuple, int], bool] = {}

    def alike(tests: FrozenSet[tuple], k: int, there: World) -> bool:
        for t in tests:
            same = memo.get((t, k))
            if same is None:
                same = memo[(t, k)] = decide(t, there) == decide(t, world)
            if not same:
                return False
        return True

    out: Dict[str, Result] = {}
    todo = []
    for e in entries:
        for k, (there, results) in enumerate(earlier):
            got = results.get(e)
            if got is not None and alike(got.tests, k, there):
                out[e] = got
                break
        else:
            todo.append(e)
    if todo:
        out.update(_simulate_cached(store, keys, mode, modules, todo, eager, order, world, stats))
    return out


def assemble(entries: Sequence[str], results: Dict[str, Result]) -> Outcome:
    """An Outcome from each entry's result, as ``simulate`` builds it: entries in sorted order, the
    first failure of a key kept."""
    out = Outcome({}, {}, {})
    for e in sorted(entries):
        r = results[e]
        if not r.failed:
            continue
        out.failed[e] = r.failure
        if r.failure is not None:
            out.failures.setdefault(r.failure.key, r.failure)
            out.entries.setdefault(r.failure.key, set()).add(e)
    return out


def _simulate_cached(store, keys: Dict[str, str], mode: str, modules: Dict[str, ModuleInfo], entries: Sequence[str],
                     eager: bool, order, world: World, stats: Dict[str, int]) -> Dict[str, Result]:
    """``simulate`` of ``entries``, with each entry's result taken from ``store`` when its key is
    there; the others are simulated together (they share their prefixes)."""
    tag = "sim:t:%s:%r:%r:" % (mode, world.version, world.platform)
    out: Dict[str, Result] = {}
    todo = []
    for e in entries:
        k = keys.get(e)
        got = store.data.get(tag + k, _UNKNOWN) if store is not None and k else _UNKNOWN
        if got is _UNKNOWN:
            todo.append(e)
        else:
            raw, tests = got
            out[e] = Result(raw != 0, None if raw == 0 or raw is None else _failure(raw), frozenset(tests))
    if todo:
        stats["simulated"] = stats.get("simulated", 0) + len(todo)
        fresh = simulate(modules, todo, eager_annotations=eager, order=order, world=world)
        for e in todo:
            tests = fresh.tests[e] if fresh.tests is not None and e in fresh.tests else frozenset()
            failure = fresh.failed.get(e)
            out[e] = Result(e in fresh.failed, failure, tests)
            if store is not None and keys.get(e):
                raw = 0 if e not in fresh.failed else (None if failure is None else tuple(failure))
                store.data[tag + keys[e]] = (raw, tuple(tests))
                store.dirty = True
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


_UNKNOWN: Any = object()
