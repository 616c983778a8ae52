"""The simulated import of a module, kept and replayed when it would run the same again.

The simulation imports each entry first in a fresh interpreter (``prefixwalk``): a thousand test
modules that each begin with ``from typer.testing import CliRunner`` run typer's and click's
bodies a thousand times, each time from a state where neither is loaded, with the same result.

What an import of ``name`` does depends only on what it reads of ``sys.modules``: the modules it
imports and the submodules it looks up, found or not. An import whose every read of a first-party
name found either nothing or what the import itself put there (no module that existed before it
ran: a partially initialised one would be part of a cycle, a finished one may have been changed by
others) is kept (``Kept``): what it read and found missing, the modules it left in ``sys.modules``
with a copy of each namespace as it finished, the modules it ran (the trace) and the version and
platform tests it decided. A later import of ``name`` from a state where each of those reads
finds the same (``Kept.fits``) then puts fresh copies of those modules in ``sys.modules`` (made
in that step, as a run makes them) instead of running their bodies again: the state, the trace
and the tests decided are those the run would have left, and an import that fails is never kept.
Names outside every first-party top-level package are always opaque modules whatever was loaded
before (``EXTERNAL``), so whether they were loaded is no part of what an import reads.

An import is kept the second time it runs from nothing (most run once), within a bound on the
namespace entries kept per interpreter.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, Optional, Set, Tuple

if TYPE_CHECKING:
    from typing import Protocol

    from importguard.analysis.graph import ModuleInfo

    class Simulator(Protocol):  # what of ``interpreter.Simulator`` the kept imports use
        sysmods: Dict[str, object]
        trail: List[tuple]
        ran: Optional[List[str]]
        decided: Optional[Set[tuple]]

        def _fresh(self, d: Dict[str, object]) -> Dict[str, object]: ...

        def _put(self, d: dict, k: str, v: object) -> None: ...

        def run_import(self, name: str) -> object: ...

# the simulated interpreter's module objects: here, where the kept imports copy them
EXECUTING, DONE = 0, 1
EXTERNAL = object()  # a module outside the repository: always importable, opaque


class Mod:
    """A module object in the simulated ``sys.modules``."""

    __slots__ = ("name", "ns", "state", "is_package")

    def __init__(self, name: str, is_package: bool):
        self.name = name
        self.ns: Dict[str, object] = {"__name__": None, "__file__": None, "__spec__": None}
        if is_package:
            self.ns["__path__"] = None
        self.state = EXECUTING
        self.is_package = is_package


class _Func:
    """A module-level function whose body imports or calls: run when a module-level call runs."""

    __slots__ = ("events", "mod", "info")

    def __init__(self, events: tuple, mod: Mod, info: ModuleInfo):
        self.events = events
        self.mod = mod
        self.info = info


LIMIT = 1_000_000  # namespace entries kept per interpreter (about 50 bytes each)
TRIES = 3  # recordings of one module that may fail (it read a module loaded before it) before it is left alone
DEPTH = 3  # recordings under way at once, at most (each read is noted in each: their cost grows with it)

# a kept module: name, is a package, state, namespace (values to fix: name -> index of the module,
# with the events and facts of a function of that module, or None for the module itself)
Snap = Tuple[str, bool, int, dict, List[Tuple[str, int, Optional[tuple], Any]]]


class Kept:
    __slots__ = ("name", "pre", "snap", "writes", "ran", "decided", "size")

    def __init__(self, name: str, pre: Dict[str, object], snap: List[Snap], writes: List[Tuple[str, int]],
                 ran: Optional[tuple], decided: Optional[FrozenSet[tuple]]):
        self.name, self.pre, self.snap, self.writes, self.ran, self.decided = name, pre, snap, writes, ran, decided
        self.size = sum(len(s[3]) for s in snap) + len(pre)

    def fits(self, sim: "Simulator") -> bool:
        if (self.ran is None) != (sim.ran is None) or (self.decided is None) != (sim.decided is None):
            return False
        get = sim.sysmods.get
        for n, pre in self.pre.items():
            if get(n) is not pre:
                return False
        return True

    def replay(self, sim: "Simulator", recs: List[_Rec]) -> object:
        for rec in recs:  # an enclosing recording reads what this import read
            for n, pre in self.pre.items():
                rec.pre.setdefault(n, pre)
        new: List[Mod] = []
        for name, is_package, state, ns, _ in self.snap:
            mod = Mod.__new__(Mod)
            mod.name, mod.ns, mod.state, mod.is_package = name, sim._fresh(dict(ns)), state, is_package
            new.append(mod)
        for mod, (_, _, _, _, fix) in zip(new, self.snap):
            ns = mod.ns
            for k, i, events, info in fix:
                ns[k] = new[i] if events is None else _Func(events, new[i], info)
        for n, i in self.writes:
            sim._put(sim.sysmods, n, EXTERNAL if i < 0 else new[i])
        if self.ran is not None and sim.ran is not None:
            sim.ran.extend(self.ran)
        if self.decided and sim.decided is not None:
            sim.decided |= self.decided
        return sim.sysmods.get(self.name)


class _Rec:
    """An import being recorded: the first value each first-party name read had (None: missing)."""

    __slots__ = ("name", "pre", "valid", "ran_start", "trail_start", "saved")

    def __init__(self, name: str, sim: "Simulator"):
        self.name = name
        self.pre: Dict[str, object] = {name: None}
        self.valid = True
        self.ran_start = len(sim.ran) if sim.ran is not None else -1
        self.trail_start = len(sim.trail)
        self.saved = sim.decided  # the tests decided before: this import's own are gathered apart
        sim.decided = set() if sim.decided is not None else None


class Memo:
    def __init__(self, tops: Set[str], on: bool = True):
        self.tops = tops  # the first-party top-level names (packages, modules, namespace packages)
        self.on = on  # off only to check what replays leave against runs
        self.open: List[_Rec] = []  # the recordings under way that may still be kept, outermost first
        self.kept: Dict[str, Kept] = {}
        self.runs: Dict[str, int] = {}  # how often each module was imported from nothing
        self.size = 0
        self.replayed = 0  # imports replayed

    def note(self, name: str, value: object) -> None:
        """A read of ``sys.modules[name]`` that found ``value`` (None: missing), while recording."""
        if name.partition(".")[0] not in self.tops:
            return
        loaded = value is not None and value is not EXTERNAL  # a module loaded before: none is kept
        for rec in self.open:
            if name not in rec.pre:
                rec.pre[name] = value
                if loaded:
                    rec.valid = False
        if loaded and not all(rec.valid for rec in self.open):
            self.open[:] = [r for r in self.open if r.valid]  # in place: the interpreter holds it

    def import_module(self, sim: "Simulator", name: str) -> object:
        """``sim.run_import(name)`` for a first-party ``name`` missing from ``sys.modules``: replayed,
        recorded or just run."""
        if not self.on:
            return sim.run_import(name)
        kept = self.kept.get(name)
        if kept is not None and kept.fits(sim):
            self.replayed += 1
            return kept.replay(sim, self.open)
        n = self.runs[name] = self.runs.get(name, 0) + 1
        if kept is not None or not 2 <= n <= TRIES + 1 or self.size > LIMIT or len(self.open) >= DEPTH:
            return sim.run_import(name)
        parent = name.rpartition(".")[0]
        if parent and parent in sim.sysmods:  # it reads its package, loaded before it: never kept
            return sim.run_import(name)
        rec = _Rec(name, sim)
        self.open.append(rec)
        done = False
        try:
            got = sim.run_import(name)
            done = True
        finally:
            if self.open and self.open[-1] is rec:  # (gone already if it read a module loaded before)
                self.open.pop()
            if not done:  # it raised: it would again (an import that fails is never kept)
                self.runs[name] = TRIES + 2
            mine, sim.decided = sim.decided, rec.saved
            if mine and rec.saved is not None:
                rec.saved |= mine
        if done and rec.valid:
            kept = _keep(sim, rec, mine)
            if kept is not None:
                self.kept[name] = kept
                self.size += kept.size
        return got


def _keep(sim: "Simulator", rec: _Rec, decided: Optional[Set[tuple]]) -> Optional[Kept]:
    """What the recorded import left, or None when it reached beyond the modules it made."""
    sysmods = sim.sysmods
    for entry in sim.trail[rec.trail_start:]:
        if entry[0] is not sysmods:  # it changed a namespace or module made before it ran
            return None
    index: Dict[int, int] = {}
    order: List[Mod] = []
    writes: List[Tuple[str, int]] = []
    for n, pre in rec.pre.items():
        value = sysmods.get(n)
        if value is pre:
            continue
        if value is EXTERNAL:
            writes.append((n, -1))
        elif type(value) is Mod:
            i = index.get(id(value))
            if i is None:
                i = index[id(value)] = len(order)
                order.append(value)
            writes.append((n, i))
        else:  # a name it removed again, that was there before
            return None
    snap: List[Snap] = []
    for mod in order:
        ns = dict(mod.ns)
        fix: List[Tuple[str, int, Optional[tuple], Any]] = []
        v: Any
        for k, v in ns.items():
            kind = type(v)
            if v is None or v is EXTERNAL:
                continue
            if kind is Mod:
                i = index.get(id(v))
                if i is None:
                    return None
                fix.append((k, i, None, None))
            elif kind is _Func:
                i = index.get(id(v.mod))
                if i is None:
                    return None
                fix.append((k, i, v.events, v.info))
            else:
                return None
        for k, *_ in fix:  # put back by the replay: the copy holds no module of the run (no cycle)
            ns[k] = None
        snap.append((mod.name, mod.is_package, mod.state, ns, fix))
    ran = tuple(sim.ran[rec.ran_start:]) if sim.ran is not None and rec.ran_start >= 0 else None
    return Kept(rec.name, dict(rec.pre), snap, writes, ran, frozenset(decided) if decided is not None else None)
