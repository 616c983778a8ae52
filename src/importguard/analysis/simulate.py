"""Simulate CPython's import machinery over facts, statement by statement (IG301, IG302).

Each first-party module is imported first in a fresh interpreter (``python -c "import pkg.X"``),
following ``importlib._bootstrap`` and ``ceval``'s ``IMPORT_NAME`` / ``IMPORT_FROM``:

- a module is put in ``sys.modules`` before its body runs and removed again if the body raises;
- a submodule becomes an attribute of its package only when its import finishes;
- ``import a.b.c`` imports ``a``, ``a.b``, ``a.b.c`` in turn and binds ``a``;
- ``from p import n`` imports ``p``; when ``p`` is a package and has no attribute ``n`` yet, tries to
  import ``p.n`` (a missing submodule is ignored); then reads ``p.n`` and, failing that, falls back to
  ``sys.modules["p.n"]``; failing both it raises "cannot import name";
- a module-level ``m.attr`` on a module object that lacks ``attr`` raises AttributeError; a module
  ``__getattr__`` (PEP 562) answers every missing name;
- function bodies never run; class bodies do (in their own namespace); ``if TYPE_CHECKING:`` and
  ``if __name__ == "__main__":`` bodies do not; other ``if`` tests are unknown, their first branch
  runs; ``try`` handlers (and ``with suppress(...)``) catch what they name.

Only failures that a cycle causes are reported: a name or attribute missing from a *partially
initialised* module, or a submodule in ``sys.modules`` that its package does not hold yet. A name
missing from a module whose body finished is not reported (it may come from code the facts do not
model, such as ``globals()`` updates); the simulation carries on as if it were there.

Entries are simulated by prefix (``a``, ``a.b``, ``a.b.c``): the state after importing a prefix
from a fresh interpreter is shared by every entry below it (an undo trail takes the state back
after each subtree), so a repository costs about one pass.

Pure Python over facts: no libcst, no networkx.

The interpreter itself is ``interpreter``; the worlds and ``if`` tests are ``conditions``.
"""
from __future__ import annotations

import sys
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from importguard.analysis.conditions import World
from importguard.analysis.interpreter import Failure, SimError, Simulator

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo


# ---------------------------------------------------------------------------- all entries
class Outcome(NamedTuple):
    failures: Dict[Tuple[str, int, int, str], Failure]  # by Failure.key
    entries: Dict[Tuple[str, int, int, str], Set[str]]  # failure key -> entry modules
    failed: Dict[str, Optional[Failure]]  # entry -> its failure (None: an unreported error)
    # entry -> the version and platform tests its import decided: the only way the world reaches
    # the simulation, so in a world that decides each of them alike the entry has the same outcome
    tests: Optional[Dict[str, FrozenSet[tuple]]] = None
    # entry -> the first-party modules whose bodies ran during its import (its prefixes' too):
    # the outcome reads the facts of these modules and no others
    ran: Optional[Dict[str, FrozenSet[str]]] = None
    # entry -> its import's trace: each first-party module (namespace packages too) as its import
    # starts, and "/" + its name when that import finishes
    trace: Optional[Dict[str, Tuple[str, ...]]] = None


def simulate(modules: Mapping[str, ModuleInfo], entries: Sequence[str], *, eager_annotations: bool = True,
             order: Optional[Callable[[str], Sequence[int]]] = None, world: World = World(), jobs: int = 1,
             stats: Optional[Dict[str, int]] = None) -> Outcome:
    """Import each entry first in a fresh (simulated) interpreter; collect what fails where. With
    ``jobs`` > 1, subtrees of the entries' prefix tree may be simulated in that many forked
    processes (``simfork``): the outcome is the same."""
    if any(info.is_stub for info in modules.values()):
        # stubs never run: a module that has only a stub (a compiled extension's) is opaque
        modules = {name: info for name, info in modules.items() if not info.is_stub}
        entries = [e for e in entries if e in modules]
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20000))
    try:
        walk = Walk(Simulator(modules, eager_annotations=eager_annotations, order=order, world=world), entries)
        from importguard.analysis.simfork import can_fork, walk_in_processes

        if jobs > 1 and can_fork():
            walk_in_processes(walk, jobs, stats if stats is not None else {})
        else:
            walk.walk(walk.children.get("", ()))
        return walk.outcome()
    finally:
        sys.setrecursionlimit(old_limit)


Fails = List[Tuple[str, Optional[Failure]]]  # (prefix, its failure) in the order the prefixes ran


class Walk:
    """Depth-first over the prefix tree of the entries: import a prefix on top of its parent's
    state, visit its children, then undo back to the parent's state (``import a.b.c`` imports a,
    a.b, a.b.c). An entry's outcome is that of its prefixes' imports, each from its parent's state
    alone: a subtree walked in another process (from a copy of that state) gives the same."""

    def __init__(self, sim: Simulator, entries: Sequence[str]):
        self.sim = sim
        self.wanted = set(entries)
        self.visited: Dict[str, Set[tuple]] = {}  # prefix -> the tests its own import decided
        self.ran: Dict[str, List[str]] = {}  # prefix -> the modules its own import ran
        self.fails: Fails = []
        children: Dict[str, List[str]] = {}
        for entry in sorted(self.wanted):  # the tree of prefixes: a -> a.b -> a.b.c
            parts = entry.split(".")
            for i in range(1, len(parts) + 1):
                parent, name = ".".join(parts[:i - 1]), ".".join(parts[:i])
                kids = children.setdefault(parent, [])
                if not kids or kids[-1] != name:
                    if name not in kids:
                        kids.append(name)
        self.children = children

    def visit(self, prefix: str) -> Optional[int]:
        """Import ``prefix`` on top of the current state: the undo mark before it, None when it
        raised (its state is then undone and the failure recorded)."""
        sim = self.sim
        mark = len(sim.trail)
        sim.decided = self.visited[prefix] = set()
        sim.ran = self.ran[prefix] = []
        sim.begin()
        try:
            if prefix not in sim.sysmods:
                sim.import_module(prefix)
        except SimError as exc:
            sim.stack = []
            sim.undo(mark)
            self.fails.append((prefix, exc.failure))
            return None
        except RecursionError:
            sim.stack = []
            sim.undo(mark)
            self.fails.append((prefix, None))
            return None
        return mark

    def walk(self, roots: Iterable[str], within: Optional[Set[str]] = None) -> None:
        """Visit ``roots`` and their subtrees (only the prefixes in ``within``, when given), each
        from the current state, which is taken back after each."""
        children = self.children
        todo: List[tuple] = [("visit", name) for name in reversed(list(roots))]
        while todo:
            op, arg = todo.pop()
            if op == "undo":
                self.sim.undo(arg)
                continue
            mark = self.visit(arg)
            if mark is None:
                continue
            todo.append(("undo", mark))
            kids = children.get(arg, ())
            todo.extend(("visit", name) for name in reversed(kids) if within is None or name in within)

    def outcome(self) -> Outcome:
        out = Outcome({}, {}, {}, {}, {}, {})
        wanted = self.wanted
        for prefix, f in self.fails:
            for e in [e for e in wanted if e == prefix or e.startswith(prefix + ".")]:
                out.failed[e] = f
                if f is not None:
                    out.failures.setdefault(f.key, f)
                    out.entries.setdefault(f.key, set()).add(e)
        tests, ran_by, traces = out.tests, out.ran, out.trace
        assert tests is not None and ran_by is not None and traces is not None
        visited, ran, modules = self.visited, self.ran, self.sim.modules
        for entry in wanted:  # an entry's import is the imports of its prefixes, one after the other
            parts = entry.split(".")
            mine: Set[tuple] = set()
            trace: List[str] = []
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                mine.update(visited.get(prefix, ()))
                trace += ran.get(prefix, ())
            tests[entry] = frozenset(mine)
            traces[entry] = tuple(trace)
            ran_by[entry] = frozenset(n for n in trace if n in modules)
        return out
