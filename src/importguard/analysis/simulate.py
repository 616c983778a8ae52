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
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from importguard.analysis.conditions import World
from importguard.analysis.interpreter import Failure, Simulator
from importguard.analysis.prefixwalk import Walk

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
             stats: Optional[Dict[str, int]] = None, alike: bool = True,
             read_elsewhere: Optional[Callable[[str, str], bool]] = None) -> Outcome:
    """Import each entry first in a fresh (simulated) interpreter; collect what fails where. With
    ``jobs`` > 1, subtrees of the entries' prefix tree may be simulated in that many forked
    processes (``simfork``): the outcome is the same. ``alike``: version and platform tests whose
    branches do alike are not decided (``plan``; off only to check that rule), with names no other
    module reads told by ``read_elsewhere``."""
    if any(info.is_stub for info in modules.values()):
        # stubs never run: a module that has only a stub (a compiled extension's) is opaque
        modules = {name: info for name, info in modules.items() if not info.is_stub}
        entries = [e for e in entries if e in modules]
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20000))
    try:
        walk = Walk(Simulator(modules, eager_annotations=eager_annotations, order=order, world=world, alike=alike,
                              read_elsewhere=read_elsewhere), entries)
        from importguard.analysis.simfork import can_fork, walk_in_processes

        if jobs > 1 and can_fork():
            if read_elsewhere is not None:
                read_elsewhere("", "")  # what it reads, gathered once here rather than in each process
            walk_in_processes(walk, jobs, stats if stats is not None else {})
        else:
            walk.walk(walk.children.get("", ()))
        return outcome(walk)
    finally:
        sys.setrecursionlimit(old_limit)


def outcome(walk: Walk) -> Outcome:
    """The outcome of each entry from what the walk recorded of its prefixes."""
    out = Outcome({}, {}, {}, {}, {}, {})
    wanted = walk.wanted
    for prefix, f in walk.fails:
        for e in [e for e in wanted if e == prefix or e.startswith(prefix + ".")]:
            out.failed[e] = f
            if f is not None:
                out.failures.setdefault(f.key, f)
                out.entries.setdefault(f.key, set()).add(e)
    tests, ran_by, traces = out.tests, out.ran, out.trace
    assert tests is not None and ran_by is not None and traces is not None
    visited, ran, modules = walk.visited, walk.ran, walk.sim.modules
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
