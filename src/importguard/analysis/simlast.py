"""IG301 / IG302: the last simulating run's outcomes, taken whole for the entries an edit cannot
have changed.

``simcache`` checks each entry's kept outcome, in each world, against the digest of the modules
its import ran. On a tree of 6,000 modules that is 34,000 checks, each reading its record from a
shard, and after an edit to one module almost every one of them finds the outcome the run before
found. So the last run's outcomes are also kept whole, beside the records: which entries failed in
each world (``w`` as written, ``r`` with sorted imports) and how, the modules each entry's import
ran in any world, and the digest of every module's facts at the time (``Keys``).

A run whose module set is the same (``Keys.base``: names, paths, kinds, eager annotations, the
first-party names) compares each module's digest with the kept one. An entry whose import ran
none of the modules whose digest changed has the outcomes the last run found: they are a function
of the module set and of the facts of the modules that ran (the premise of ``simcache``), and none
of those changed. Such an entry is *taken*: it failed in a world exactly when it failed there last
time, in the same way. The other entries (and every entry when the module set changed, or an
entry whose ran modules are unknown) take the usual way: records, then simulation.

The modules an entry's import ran are kept as a difference: importing ``a.b.c`` imports ``a.b``
first, so an entry's modules are those of its nearest ancestor entry plus its own (Django's and
sympy's 5,000 entries: 1.1 million module indices, 0.4 million as differences). An entry whose
ancestor entry is not taken is not taken either (its import runs what the ancestor's runs).

A run whose outcomes differ from the state it took from in a few entries only (``FEW``: an
import added to a module nothing imports changes its own entry), or only in entries whose records
held their outcomes (nothing simulated: an import-only edit of a module many imports run, whose
records were kept again under the new digests), keeps no state of its own: a run from here finds
those entries in the records again, and takes the rest whole from the same state. Writing a state
costs more (3.4 MB on a 6,000-file tree) than a later run's record lookups.

The kept file is one ``cache.facts.Store`` (replaced atomically). It describes the state it was
made in, so a run that finds one made by another run, or by a concurrent one, at another state
simply compares against that state.
"""
from __future__ import annotations

from array import array
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.analysis.conditions import World
    from importguard.analysis.simcache import Keys, Result

VERSION = 3
SLOTS = 3  # states kept
# a state whose outcomes differ in at most this many entries from the one taken from is not kept
# (-1: every state is, the tests of what a kept state gives)
FEW = 64
_WIDTH = 16  # bytes of one module's digest (``Keys._all_digests``)
Given = Tuple[Set[str], Dict[str, "Result"]]  # (the entries taken, those of them that failed -> how)
# a world's run: (the world, the results of the entries not taken, every entry that failed -> how)
Ran = Tuple["World", Dict[str, "Result"], Dict[str, "Result"]]


def world_tag(mode: str, world: World) -> str:
    return "%s:%r:%r" % (mode, world.version, world.platform)


class LastRun:
    """What a run takes from the last simulating run (``given``); ``save`` keeps this run's."""

    def __init__(self, directory: Path, keys: Keys):
        from importguard.cache.facts import Store

        self.directory = directory
        self.keys = keys
        self.digests = b"".join(keys._all_digests())
        self.heads = [Store(directory / f"last-{i}.head") for i in range(SLOTS)]
        self.slot = self._nearest()
        self.store = Store(directory / f"last-{self.slot}.marshal")
        self.taken: Set[str] = set()
        self.loaded = False  # the nearest slot's outcomes were read
        self._failed: Dict[str, Dict[str, Result]] = {}  # world tag -> taken entry that failed -> how
        self._old: Dict[str, Tuple[Optional[str], Optional[bytes]]] = {}  # entry -> (ancestor entry, own ran)
        self._was: Dict[int, Tuple[int, Any]] = {}  # id of a result read -> (its index there, as kept)
        self._decoded: List[Result] = []
        self._load()

    # ------------------------------------------------------------------ reading
    def _load(self) -> None:
        from importguard.analysis.simcache import Result, _failure

        head, data = self.heads[self.slot].data, self.store.data
        if not self._fits(head) or data.get("seq") != head.get("seq"):
            return  # no kept state of this module set, or a head and body of different runs
        digests = head["digests"]
        entries, rans, results, worlds = (data.get(k) for k in ("entries", "rans", "results", "worlds"))
        if not (isinstance(digests, bytes) and len(digests) == len(self.digests) and isinstance(entries, list)
                and isinstance(rans, list) and len(rans) == len(entries) and isinstance(results, list)
                and isinstance(worlds, dict)):
            return
        try:
            needles = [array("I", [i]).tobytes() for i in _changed(digests, self.digests)]
            taken: Set[str] = set()
            old = self._old
            for e, (parent, own) in zip(entries, rans):  # sorted: an ancestor comes first
                old[e] = (entries[parent] if parent >= 0 else None, own)
                if own is None or (parent >= 0 and entries[parent] not in taken) or _holds_any(own, needles):
                    continue
                taken.add(e)
            decoded = [Result(raw != 0, None if raw == 0 or raw is None else _failure(raw), frozenset(tests))
                       for raw, tests in results]
            for tag, failed in worlds.items():
                self._failed[tag] = {e: decoded[i] for e, i in failed.items() if e in taken}
            self.taken = taken
            # a taken entry's result is written back as it was read, not encoded again
            self._was = {id(r): (i, results[i]) for i, r in enumerate(decoded)}
            self._decoded = decoded  # keeps the ids above alive
            self.loaded = True
        except (TypeError, ValueError, IndexError, AttributeError, KeyError):  # written by another version
            self.taken, self._failed, self._old = set(), {}, {}

    def given(self, mode: str, world: World) -> Optional[Given]:
        """The entries no change since the last run reached, and how those of them failed in
        ``world``; None when the last run did not simulate ``world``."""
        got = self._failed.get(world_tag(mode, world))
        return None if got is None else (self.taken, got)

    # ------------------------------------------------------------------ writing
    def save(self, entries: Iterable[str], runs: Mapping[str, Sequence[Ran]], simulated: int = -1) -> None:
        """Keep this run's outcomes. ``runs``: mode -> (world, the results of the entries not taken,
        every entry that failed -> its result), in the order of the worlds; ``simulated``: how many
        entry imports this run simulated (-1: unknown)."""
        from importguard.analysis.simcache import raw_of

        if self.loaded:
            fresh = {e for per_world in runs.values() for _, got, _ in per_world for e in got}
            tags = {world_tag(mode, w) for mode, per_world in runs.items() for w, _, _ in per_world}
            if FEW >= 0 and (len(fresh) <= FEW or simulated == 0) and tags <= self._failed.keys():
                # this state differs from the one taken from in the outcomes of a few entries, or
                # of entries whose records held them (kept through an import-only edit): a run from
                # here finds them there again, and the rest whole as now
                self._touch(self.slot, max(max(_seq(h.data), _used(h.data)) for h in self.heads) + 1)
                return
        order = sorted(entries)
        where = {e: k for k, e in enumerate(order)}
        results: List[Any] = []
        index: Dict[Any, int] = {}  # (raw, tests) -> its place in ``results``
        moved: Dict[int, int] = {}  # a result's index in the last run's file -> in this one
        worlds: Dict[str, Dict[str, int]] = {}
        mine: Dict[str, Optional[Set[bytes]]] = {}  # entry not taken -> its distinct ran sets (None: unknown)
        for mode, per_world in runs.items():
            for world, got, failed in per_world:
                for e, r in got.items():
                    have = mine.get(e, set())
                    if have is not None:
                        mine[e] = None if r.ran is None else (have | {r.ran} if r.ran not in have else have)
                kept: Dict[str, int] = {}
                for e, r in failed.items():
                    was = self._was.get(id(r))
                    if was is not None:
                        i = moved.get(was[0])
                        if i is None:
                            i = moved[was[0]] = len(results)
                            results.append(was[1])
                        kept[e] = i
                        continue
                    plain = (raw_of(r), tuple(r.tests))
                    try:
                        i = index.get(plain)
                    except TypeError:  # an outcome with a list in it
                        i = None
                        plain = (plain[0], plain[1])
                    if i is None:
                        i = len(results)
                        results.append(plain)
                        try:
                            index[plain] = i
                        except TypeError:
                            pass
                    kept[e] = i
                worlds[world_tag(mode, world)] = kept
        rans: List[Tuple[int, Optional[bytes]]] = []
        full: Dict[str, Optional[Set[int]]] = {}  # entry -> every module its import ran (computed when asked)
        for e in order:
            parent = _ancestor(e, where)
            if e in self.taken and e not in mine and self._old[e][0] == parent:
                rans.append((-1 if parent is None else where[parent], self._old[e][1]))
                continue
            every = self._full(e, mine, full)
            if every is None:
                rans.append((-1, None))
                continue
            above = self._full(parent, mine, full) if parent is not None else None
            if parent is None or above is None:
                rans.append((-1, array("I", sorted(every)).tobytes()))
            else:
                rans.append((where[parent], array("I", sorted(every - above)).tobytes()))
        # the slot of this very state, else the least recently used one but the slot this run took
        # from (``_hits`` prefers that one among near states): after edits each undone (a run that
        # finds its findings whole writes nothing here), the state before them stays, the one
        # most runs start from, and the edits' states take turns in the other slots
        same = [i for i, h in enumerate(self.heads) if self._fits(h.data) and h.data["digests"] == self.digests]
        near = self.slot if self.loaded else None
        slot = same[0] if same else min((i for i in range(SLOTS) if i != near),
                                        key=lambda i: _used(self.heads[i].data))
        seq = max(max(_seq(h.data), _used(h.data)) for h in self.heads) + 1
        from importguard.cache.facts import Store

        body = Store(self.directory / f"last-{slot}.marshal", read=False)  # replaced whole
        body.data = {"seq": seq, "entries": order, "rans": rans, "results": results, "worlds": worlds}
        head = self.heads[slot]
        hits = _hits(head.data) + 1 if slot == near else 0
        head.data = {"version": VERSION, "base": self.keys.base, "digests": self.digests, "seq": seq, "used": seq,
                     "hits": hits}
        body.dirty = head.dirty = True
        try:
            body.save()  # the body first: a reader pairs them by ``seq``
            head.save()
        except ValueError:  # an outcome marshal cannot write: no snapshot this time
            return
        if near is not None and near != slot:
            self._touch(near, seq)

    def _touch(self, slot: int, seq: int) -> None:
        """Note that this run took from ``slot`` (its body stays as it is)."""
        head = self.heads[slot]
        head.data["used"] = seq
        head.data["hits"] = _hits(head.data) + 1
        head.dirty = True
        try:
            head.save()
        except ValueError:
            pass

    def _fits(self, head: Dict[str, Any]) -> bool:
        """Whether a kept head is of this version and module set."""
        digests = head.get("digests")
        return (head.get("version") == VERSION and head.get("base") == self.keys.base
                and isinstance(digests, bytes) and len(digests) == len(self.digests))

    def _nearest(self) -> int:
        """The kept state fewest modules changed since (the newest among equals); 0 when none fits."""
        best, key = 0, None
        for i, h in enumerate(self.heads):
            if not self._fits(h.data):
                continue
            rank = (len(_changed(h.data["digests"], self.digests)), -_hits(h.data), -_seq(h.data))
            if key is None or rank < key:
                best, key = i, rank
        return best

    def _full(self, e: str, mine: Dict[str, Optional[Set[bytes]]], memo: Dict[str, Optional[Set[int]]]
              ) -> Optional[Set[int]]:
        """Every module ``e``'s import ran in any world: this run's, else the last run's (its own
        and its ancestor entries'); None when unknown."""
        if e in memo:
            return memo[e]
        memo[e] = got = self._compute(e, mine, memo)
        return got

    def _compute(self, e: str, mine: Dict[str, Optional[Set[bytes]]], memo: Dict[str, Optional[Set[int]]]
                 ) -> Optional[Set[int]]:
        if e not in mine and e not in self.taken:
            return None
        got: Set[int] = set()
        if e in mine:  # simulated this run, or taken but simulated in a world the last run did not have
            packs = mine[e]
            if packs is None:
                return None
            for packed in packs:
                got.update(_unpack(packed))
        if e in self.taken:
            parent, own = self._old[e]
            if own is None:
                return None
            if parent is not None:
                above = self._full(parent, mine, memo)
                if above is None:
                    return None
                got.update(above)
            got.update(_unpack(own))
        return got


def _used(data: Dict[str, Any]) -> int:
    """When a run last wrote or took from a slot (``seq`` for a slot written before this was kept)."""
    got = data.get("used")
    return got if isinstance(got, int) else _seq(data)


def _hits(data: Dict[str, Any]) -> int:
    """How many runs took from a slot: of two states as near to a run's, the one more runs started
    from (the state before edits that were undone, rather than one of the edits)."""
    got = data.get("hits")
    return got if isinstance(got, int) else 0


def _seq(data: Dict[str, Any]) -> int:
    got = data.get("seq")
    return got if isinstance(got, int) else -1


def _ancestor(e: str, where: Dict[str, int]) -> Optional[str]:
    """The nearest ancestor package of ``e`` that is an entry too."""
    name = e
    while "." in name:
        name = name.rpartition(".")[0]
        if name in where:
            return name
    return None


def _unpack(packed: bytes) -> array:
    got = array("I")
    got.frombytes(packed)
    return got


def _changed(old: bytes, new: bytes) -> List[int]:
    """The indices of the modules whose digest differs."""
    if old == new:
        return []
    w = _WIDTH
    if len(old) != len(new):
        return [i for i in range(len(new) // w) if old[i * w:(i + 1) * w] != new[i * w:(i + 1) * w]]
    out: List[int] = []
    todo = [(0, len(new) // w)]  # halves compared whole (a few modules differ of thousands)
    while todo:
        lo, hi = todo.pop()
        if old[lo * w:hi * w] == new[lo * w:hi * w]:
            continue
        if hi - lo == 1:
            out.append(lo)
        else:
            mid = (lo + hi) // 2
            todo += [(mid, hi), (lo, mid)]
    return out


def _holds_any(packed: bytes, needles: Sequence[bytes]) -> bool:
    """Whether a packed set of modules (``Keys.pack``: 4-byte indices) holds any of ``needles``."""
    for needle in needles:
        at = packed.find(needle)
        while at >= 0:
            if at % 4 == 0:
                return True
            at = packed.find(needle, at + 1)
    return False
