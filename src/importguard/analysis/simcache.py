"""IG301 / IG302: each entry's simulation outcome, reused across worlds and across runs.

Across worlds: the simulation reads the world (Python version, platform) only through the
``sys.version_info`` / ``sys.platform`` tests it decides, and is otherwise deterministic. So an
entry whose import, in one world, decided tests that another world decides alike has the same
outcome in that other world: it is simulated once and its result reused.

Across runs: the simulation reads the facts of a module only once its body runs (before that,
only the set of module names: does ``p.n`` exist, is ``p`` a package). So an entry's outcome is a
function of the module set and of the facts of the modules that ran during its import, which the
simulation records. Each outcome is kept with those modules and a digest of their facts; it holds
as long as the module set and that digest do. An edit re-simulates exactly the entries whose
import ran the edited module: a module-level function's import that never ran, or a module that
only a function imports, is not part of it.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Set, Tuple

from importguard.analysis.conditions import World, decide
from importguard.analysis.simdelta import unchanged_with
from importguard.analysis.simstore import valid
from importguard.analysis.simtrace import EVENT, PackedTrace, find, occurrences
from importguard.analysis.simulate import Outcome, simulate
from importguard.collection import collecting

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo
    from importguard.analysis.interpreter import Failure
    from importguard.analysis.simdelta import Edits
    from importguard.analysis.simstore import SimStore


class Result(NamedTuple):
    """One entry's outcome in one world."""

    failed: bool  # its import raised
    failure: Optional[Failure]  # what it raised (None: an error the facts cannot explain)
    tests: FrozenSet[tuple]  # the version / platform tests its import decided
    ran: Optional[bytes] = None  # the modules its import ran (``Keys.pack``), when known
    names: Optional[FrozenSet[str]] = None  # the same by name, when simulated without ``Keys``


def raw_of(r: Result) -> Any:
    """How a result's outcome is kept: 0 when the import succeeded, the failure as a plain tuple,
    None for an error the facts cannot explain."""
    return 0 if not r.failed else (None if r.failure is None else tuple(r.failure))


class Keys:
    """What an entry's cached outcome is checked against: ``base`` (the set of modules with their
    paths and kinds, eager annotations, the first-party names) and each module's digest (of the
    facts the simulation reads: ``graph_part_digest``). An outcome is stored with the modules whose
    bodies ran during the entry's import; it holds as long as ``base`` and those modules' digests
    do. Modules that did not run are never read (their names are, through ``base``)."""

    def __init__(self, modules: Dict[str, ModuleInfo], eager: bool, first_party: Set[str],
                 parts: Optional[Dict[str, str]] = None, namespace_pkgs: Sequence[str] = ()):
        import hashlib

        self.names = sorted(modules)
        self.index = {n: i for i, n in enumerate(self.names)}
        # a trace names namespace packages too (``base`` fixes them: they follow from the modules)
        self.trace_names = self.names + sorted(set(namespace_pkgs) - set(modules))
        self.trace_index = {n: i for i, n in enumerate(self.trace_names)}
        self.edits: Optional[Edits] = None  # the modules edited since an earlier simulating run
        self.modules = modules
        self.parts = parts or {}
        self._digests: Optional[List[bytes]] = None
        self._terms: Optional[List[int]] = None  # ``packed_key``
        self._packed_sums: Dict[bytes, int] = {}  # an entry's import often runs the same modules in every world
        self._packed_keys: Dict[bytes, str] = {}
        # after an edit, many records (entries, worlds) share a ran set and a trace: each distinct
        # one is unpacked and judged once (Django, an import added to ``query.py``: 814 records,
        # 239 traces)
        self.memo: Dict[tuple, Any] = {}
        self.results: Dict[tuple, Result] = {}  # ``_result``
        every = [(n, modules[n].path, modules[n].is_package) for n in self.names]
        self.base = hashlib.blake2b(repr((eager, sorted(first_party), every)).encode(), digest_size=16).hexdigest()

    def _all_digests(self) -> List[bytes]:
        from importguard.cache.facts import graph_part_digest

        got = self._digests
        if got is None:
            got = self._digests = [bytes.fromhex(self.parts.get(n) or graph_part_digest(self.modules[n].facts))
                                   for n in self.names]
        return got

    def term(self, i: int, digest: Optional[bytes] = None) -> int:
        """Module ``i``'s term of ``packed_key``: with its facts digest now, or with ``digest``."""
        if digest is None:
            return self._all_terms()[i]
        from hashlib import blake2b

        return int.from_bytes(blake2b(digest, digest_size=16, salt=i.to_bytes(8, "little")).digest(), "little")

    def _all_terms(self) -> List[int]:
        got = self._terms
        if got is None:
            got = self._terms = [self.term(i, d) for i, d in enumerate(self._all_digests())]
        return got

    def packed_sum(self, packed: bytes) -> int:
        """The sum behind ``packed_key``."""
        total = self._packed_sums.get(packed)
        if total is None:
            total = self._packed_sums[packed] = sum(map(self._all_terms().__getitem__, self.unpack(packed)))
        return total

    def packed_key(self, packed: bytes) -> str:
        """A digest of the facts of the modules of a packed set (``pack``).

        It is the sum, modulo 2**128, of one 128-bit hash of each module's index and facts digest
        (``term``): a record made before one module was edited is recognised by the term its digest
        implies for that module, without hashing the thousand others again (``_edited``)."""
        got = self._packed_keys.get(packed)
        if got is None:
            got = self._packed_keys[packed] = "%032x" % (self.packed_sum(packed) & _MASK)
        return got

    def pack_trace(self, trace: Sequence[str]) -> bytes:
        from array import array

        index = self.trace_index
        return array("i", [-index[ev[1:]] - 1 if ev[:1] == "/" else index[ev] + 1 for ev in trace]).tobytes()

    def packed_trace(self, packed: bytes) -> PackedTrace:
        """A trace as ``simtrace.finished_before`` reads it, without naming every event."""
        return PackedTrace(packed, self.trace_index)

    def pack(self, ran: FrozenSet[str]) -> bytes:
        from array import array

        return array("I", sorted(self.index[n] for n in ran)).tobytes()

    def unpack(self, packed: bytes) -> Sequence[int]:
        from array import array

        got = array("I")
        got.frombytes(packed)
        return got


def run_world(store: Optional[SimStore], keys: Optional[Keys], mode: str, modules: Dict[str, ModuleInfo],
              entries: Sequence[str],
              eager: bool, order: Optional[Callable[[str], Sequence[int]]], world: World,
              earlier: Sequence[Tuple[World, Dict[str, Result]]], stats: Dict[str, int], jobs: int = 1,
              read_elsewhere: Optional[Callable[[str, str], bool]] = None,
              shortcut: Optional[Callable[[Sequence[str]], Dict[str, Result]]] = None) -> Dict[str, Result]:
    """Each entry's outcome in ``world``: the result of an ``earlier`` world whose run decided
    every test the entry's import decided as ``world`` does, else the one cached in ``store``
    under the entry's key, else the one ``shortcut`` knows without a simulation, else simulated
    (the entries left are simulated together: they share their prefixes; on up to ``jobs``
    processes)."""
    memo: Dict[Tuple[tuple, int], bool] = {}

    def alike(tests: FrozenSet[tuple], k: int, there: World) -> bool:
        for t in tests:
            same = memo.get((t, k))
            if same is None:
                same = memo[(t, k)] = decide(t, there) == decide(t, world)
            if not same:
                return False
        return True

    decided: Dict[Tuple[FrozenSet[tuple], int], bool] = {}  # many entries' imports decide the same tests
    out: Dict[str, Result] = {}
    if earlier:  # most entries take the nearest world's result: at once (21 worlds, 1,600 entries each)
        k = len(earlier) - 1
        there, results = earlier[k]
        every = {r.tests for r in results.values()}
        same_tests = {t for t in every if alike(t, k, there)}
        for t in same_tests:
            decided[(t, k)] = True
        if len(same_tests) == len(every) and len(results) == len(entries) and results.keys() == set(entries):
            out = dict(results)  # (the usual case: the same entries, every test decided alike)
        else:
            out = {e: got for e in entries if (got := results.get(e)) is not None and got.tests in same_tests}
    todo = []
    for e in (entries if not out else [e for e in entries if e not in out]):
        # the nearest world first (worlds come in order of version and platform): the likeliest
        # to decide alike; any world that does gives the same result
        for k in range(len(earlier) - 1, -1, -1):
            there, results = earlier[k]
            got = results.get(e)
            if got is None:
                continue
            same = decided.get((got.tests, k))
            if same is None:
                same = decided[(got.tests, k)] = alike(got.tests, k, there)
            if same:
                out[e] = got
                break
        else:
            todo.append(e)
    if todo:
        out.update(_simulate_cached(store, keys, mode, modules, todo, eager, order, world, stats, jobs, read_elsewhere,
                                    shortcut))
    return out


def assemble(failed: Dict[str, Result]) -> Outcome:
    """An Outcome from the results of the entries that failed, as ``simulate`` builds it: entries in
    sorted order, the first failure of a key kept."""
    out = Outcome({}, {}, {})
    for e in sorted(failed):
        r = failed[e]
        out.failed[e] = r.failure
        if r.failure is not None:
            out.failures.setdefault(r.failure.key, r.failure)
            out.entries.setdefault(r.failure.key, set()).add(e)
    return out


def _simulate_cached(store: Optional[SimStore], keys: Optional[Keys], mode: str, modules: Dict[str, ModuleInfo],
                     entries: Sequence[str], eager: bool, order, world: World, stats: Dict[str, int],
                     jobs: int = 1, read_elsewhere: Optional[Callable[[str, str], bool]] = None,
                     shortcut: Optional[Callable[[Sequence[str]], Dict[str, Result]]] = None
                     ) -> Dict[str, Result]:
    """``simulate`` of ``entries``, with each entry's result taken from ``store`` when one of the
    outcomes kept for it still holds; the others are simulated together (they share
    their prefixes)."""
    tag = "sim:e:%s:%r:%r:" % (mode, world.version, world.platform)
    out: Dict[str, Result] = {}
    todo = []
    for e in entries:
        if store is not None and keys is not None:
            records = store.records(tag + e)
            got = _cached(records, keys)
            if got is None and keys.edits is not None:
                got = _after_edit(store, tag + e, records, keys, mode, stats)
                if got is not None:
                    stats["kept_after_edit"] = stats.get("kept_after_edit", 0) + 1
            if got is not None:
                out[e] = _result(keys, got)
                continue
        todo.append(e)
    if todo and shortcut is not None:
        known = shortcut(todo)
        if known:
            out.update(known)
            todo = [e for e in todo if e not in known]
    if todo:
        stats["simulated"] = stats.get("simulated", 0) + len(todo)
        with collecting():  # (the simulation's modules and functions refer to each other)
            fresh = simulate(modules, todo, eager_annotations=eager, order=order, world=world, jobs=jobs,
                             stats=stats, read_elsewhere=read_elsewhere)
        for e in todo:
            tests = fresh.tests[e] if fresh.tests is not None and e in fresh.tests else frozenset()
            failure = fresh.failed.get(e)
            packed = keys.pack(fresh.ran[e]) if keys is not None and fresh.ran is not None and e in fresh.ran \
                else None
            names = fresh.ran[e] if keys is None and fresh.ran is not None and e in fresh.ran else None
            out[e] = Result(e in fresh.failed, failure, tests, packed, names)
            if store is not None and keys is not None and packed is not None and fresh.trace is not None:
                raw = raw_of(out[e])
                record = [keys.base, packed, keys.packed_key(packed), raw, tuple(tests), 0]
                store.put(tag + e, _keep_records(record, store.records(tag + e)), record,
                          keys.pack_trace(fresh.trace[e]))
    return out


def _result_of(got: Tuple[Any, tuple, bytes]) -> Result:
    raw, kept, ran = got
    return Result(raw != 0, None if raw == 0 or raw is None else _failure(raw), frozenset(kept), ran)


def _result(keys: Keys, got: Tuple[Any, tuple, bytes]) -> Result:
    """The ``Result`` of a kept (raw outcome, tests, ran modules): once per distinct one (the
    records of many entries and worlds hold the same)."""
    try:
        found = keys.results.get(got)
    except TypeError:  # an outcome read back with a list in it
        return _result_of(got)
    if found is None:
        found = keys.results[got] = _result_of(got)
    return found


def _cached(records: List[list], keys: Keys) -> Optional[Tuple[Any, tuple, bytes]]:
    """(raw outcome, tests, packed ran modules) of the first of an entry's ``records``
    (``SimStore.records``) that still holds; it counts a use."""
    for record in records:
        base, packed, digest, raw, tests, _uses = record
        if base == keys.base and keys.packed_key(packed) == digest:
            record[5] += 1  # in memory only: the shard is not rewritten for it (``_keep_records``)
            return raw, tests, packed
    return None


def _after_edit(store: SimStore, key: str, records: List[list], keys: Keys, mode: str,
                stats: Optional[Dict[str, int]] = None) -> Optional[Tuple[Any, tuple, bytes]]:
    """(raw outcome, tests, packed ran modules) of one of ``records`` (``key``'s) made before one
    module of its import was edited, when the edit only added or removed imports that change
    nothing in that import (``simdelta``); the record is kept again under the new digest.
    ``mode``: the order the modules' statements run in ("w", "r")."""
    edits = keys.edits
    assert edits is not None
    # the most used record first: the state most runs saw, which the edit is usually made to (the
    # newest record is often the state of an edit since undone, which this edit replaced)
    for record in (sorted(records, key=lambda r: -r[5]) if len(records) > 1 else records):
        if record[0] != keys.base:
            continue
        got = _unchanged(store, key, keys, record, mode)
        if got is None:
            continue
        trace, module, added = got
        ran = record[1]
        if added:  # modules the import now runs inside the edited one's
            bracketed = _bracketed(keys, trace, module, added)
            if bracketed is None:
                continue
            trace, ran = bracketed, _with(keys, ran, added)
            if stats is not None:
                stats["kept_running_new_modules"] = stats.get("kept_running_new_modules", 0) + 1
        # the record of the state before the edit was used: it outranks the records of other
        # edits (an edit undone finds it, rather than judging the undoing as an edit in turn)
        record[5] += 1
        new = [keys.base, ran, keys.packed_key(ran), record[3], record[4], 0]
        store.put(key, _keep_records(new, records), new, trace)
        return record[3], record[4], ran
    return None


def _with(keys: Keys, packed: bytes, added: Sequence[str]) -> bytes:
    """A packed set of ran modules, with ``added``."""
    from array import array

    return array("I", sorted(set(keys.unpack(packed)) | {keys.index[m] for m in added})).tobytes()


def _bracketed(keys: Keys, trace: bytes, module: str, added: Sequence[str]) -> Optional[bytes]:
    """A packed trace with ``added`` started just after ``module`` started and finished just before
    it finished (their exact place inside its import unknown: ``simdelta``), and no longer where
    they ran before (later); None when ``module`` did not start and finish once."""
    ids = [keys.trace_index[m] for m in added]
    for k in ids:  # modules that ran elsewhere: they run inside ``module`` now
        for e in (k + 1, -k - 1):
            at = find(trace, e)  # (once at most: ``simdelta._run_inside``)
            while at >= 0:
                trace = trace[:at * 4] + trace[at * 4 + 4:]
                at = find(trace, e, at)
    i = keys.trace_index[module]
    if occurrences(trace, i + 1) != 1 or occurrences(trace, -i - 1) != 1:
        return None
    start, end = find(trace, i + 1), find(trace, -i - 1)
    if end < start:
        return None
    pack = EVENT.pack
    return b"".join([trace[:start * 4 + 4], *(pack(k + 1) for k in ids), trace[start * 4 + 4:end * 4],
                     *(pack(-k - 1) for k in reversed(ids)), trace[end * 4:]])


def _unchanged(store: SimStore, key: str, keys: Keys, record: list, mode: str) -> Optional[Tuple[bytes, str, tuple]]:
    """(the record's trace, the edited module, the modules the import now runs inside it) when the
    record was made before one module of its import was edited, by an edit that changes nothing
    else in that import (``_edited``, ``simdelta.unchanged_with``); else None. Once per distinct
    ran set, digest, trace and outcome. The trace is read (from its shard) only for a record an
    edit explains."""
    edits = keys.edits
    assert edits is not None
    memo = keys.memo
    where = ("edited", record[1], record[2])
    found = memo.get(where, _UNKNOWN)
    if found is _UNKNOWN:
        found = memo[where] = _edited(keys, record[1], record[2])
    if found is None or found[1] is None:
        return None
    trace = store.trace(key, record)
    if trace is None:  # lost to a concurrent run's write
        return None
    module, change = found
    try:
        judged: tuple = ("unchanged", module, id(change), trace, record[3], mode)
        hash(judged)
    except TypeError:  # an outcome read back with a list in it: judged each time
        added = unchanged_with(edits.repository, module, change, keys.packed_trace(trace), record[3], mode)
        return None if added is None else (trace, module, added)
    got = memo.get(judged, _UNKNOWN)
    if got is _UNKNOWN:
        got = memo[judged] = unchanged_with(edits.repository, module, change, keys.packed_trace(trace),
                                            record[3], mode)
    return None if got is None else (trace, module, got)


def _edited(keys: Keys, packed: bytes, digest: str) -> Optional[tuple]:
    """(module, its change) when the record's digest is that of the modules ``ran`` with exactly one
    of them at an earlier content (the change is None when it is more than added or removed
    imports); None when no single earlier content explains the digest."""
    edits = keys.edits
    assert edits is not None
    edited = keys.memo.get(("edited-indices",))
    if edited is None:  # the few modules with an earlier content, by index
        edited = keys.memo[("edited-indices",)] = sorted(keys.index[m] for m in edits.older if m in keys.index)
    ran = keys.unpack(packed)
    for i in edited:
        at = bisect_left(ran, i)  # ``ran`` is sorted (``Keys.pack``)
        if at == len(ran) or ran[at] != i:
            continue
        module = keys.names[i]
        earlier = keys.memo.get(("earlier", i))
        if earlier is None:  # the term of each earlier content of the module -> that content
            earlier = keys.memo[("earlier", i)] = {}
            for old in edits.older[module]:
                part = edits.part_of(old)
                if part is not None:
                    earlier.setdefault(keys.term(i, bytes.fromhex(part)), old)
        # the digest is the sum with this module's term at an earlier content: which term it takes
        found = earlier.get((int(digest, 16) - keys.packed_sum(packed) + keys.term(i)) & _MASK)
        if found is not None:
            edits.used.setdefault(module, set()).add(found)  # remembered (``simdelta.remember_contents``)
            return module, edits.change(module, found)
    return None


RECORDS = 3  # outcomes kept per entry and world


def _keep_records(new: list, old) -> list:
    """The new record and the most used others (the newest first among equals): an edit and its
    undoing, or a branch switched back and forth, leave the records of the state most runs saw,
    which a run that only undoes an edit never refreshes (its results come from the graph cache).

    A use is counted in memory (``_cached``) and reaches the disk only when its shard is rewritten
    for a new record: a run that only finds outcomes writes nothing. So a count is the number of
    runs that used the record *and* rewrote its shard (one of the entries sharing it was simulated
    again). Between the records of one entry this keeps their order on the whole (the record of the
    state most runs saw is the one such runs find), and the newest wins ties, as before."""
    others = [r for r in old if valid(r) and r[:3] != new[:3]]
    ranked = sorted(range(len(others)), key=lambda i: (-others[i][5], i))
    return [new] + [others[i] for i in sorted(ranked[:RECORDS - 1])]


def _failure(raw: tuple) -> "Failure":
    from importguard.analysis.interpreter import Failure

    return Failure._make(list(raw[:7]) + [tuple(tuple(c) for c in raw[7])] + list(raw[8:]))


_UNKNOWN: Any = object()
_MASK = (1 << 128) - 1
