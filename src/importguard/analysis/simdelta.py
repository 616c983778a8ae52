"""IG301 / IG302 across runs: an entry's outcome kept through an edit that only adds or removes
import statements which, in that entry's import, do nothing but bind a name nobody reads.

An import statement of a module the simulation finds already imported, and finished, changes
nothing but the name it binds (``import_module`` returns the module from ``sys.modules``; a
``from`` import reads the package's attribute or its binding). When, in an entry's recorded
trace, every module an added or removed statement names had finished before the edited module's
import started, and no code the simulation can run reads the bound name (the edited module's
import-time code, a function some module calls by name, another module's ``from m import name``,
``m.name`` or star import, ``__all__``), the import of that entry runs exactly as before: same
modules in the same order, same failures. Lines and columns aside, nothing else of the module may
differ (a line shift moves no failure outside the edited module, and an outcome whose failure or
import chain is inside it is not kept). Third-party and standard-library imports are opaque to the
simulation and never change an outcome.

This is the edit a change to a hub module usually is: adding ``from pkg.utils.text import slugify``
to a module that every import of the project runs, where ``pkg.utils.text`` was imported long
before. Without it every entry whose import runs the hub is simulated again.

The other usual edit imports a module that entry's import never ran (``from pkg.utils import
colors`` in the hub, where nothing imported ``pkg.utils.colors`` before), or ran later, after the
edited module had finished (by itself: it imported nothing that had not finished). Its import then
runs it, inside the edited module's import (a later import of it finds it there). That changes
nothing else when the new module is *inert*: its package had finished before the edited module
started; every first-party module its import-time code imports had too; that code calls no
function, decides no version or platform test, stores no attribute and reads none of a first-party
module it imports (then nothing in it can raise: every module it touches has finished); no module
but the edited one star-imports its package (an import of it that ran would have put it in the
trace; a read of it as an attribute of its finished package finds a finished module instead of
nothing, and neither raises). The entry's outcome is kept, with the new module added to the modules
its import ran (its later edits reach the entry), and the trace brackets the new module's run by
the edited module's (started just after it, finished just before it): where the exact place is
unknown, each question the trace answers later ("had these modules finished before that one
started?") gets an answer that errs on the side of simulating again.

Edits that only add statements are judged by where the new statements run, too. When no statement
after them can import a first-party module (``_run_last``), the run up to them is the recorded
one, so a module that finished anywhere inside the edited module's import is found finished (the
import appended at the end of a module). And an inert module that ran by itself inside the edited
module's import may run earlier, at a new statement, as one that ran later may. A removed import
may be what ran a module there, so an edit that removes one is judged without either.
"""
from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from importguard.analysis.graph import absolute_module
from importguard.analysis.simdiff import import_only_change
from importguard.analysis.simrepo import _walk
from importguard.analysis.simtrace import PackedTrace, count, finished, span
from importguard.analysis.sortorder import sorted_order
from importguard.model import CallEvent, ImportEvent

if TYPE_CHECKING:
    from importguard.analysis.simrepo import Repository
    from importguard.model import ImportFact


def outcome_outside(raw: Any, module: str) -> bool:
    """Is a recorded outcome free of ``module``'s lines (no failure there, none of its imports
    in the chain, not the partial module)?"""
    if raw == 0 or raw is None:
        return True
    failing, chain, partial = raw[0], raw[7], raw[9]
    return failing != module and partial != module and all(m != module for m, _ in chain)


def unchanged_by(repo: Repository, module: str, changed: Sequence[ImportFact], trace: Union[Sequence[str], PackedTrace],
                 raw: Any, mode: str = "w") -> bool:
    """Does an entry whose import traced ``trace`` (with outcome ``raw``) run the same after the
    ``changed`` imports of ``module`` were added or removed?"""
    return unchanged_with(repo, module, changed, trace, raw, mode) is not None


def unchanged_with(repo: Repository, module: str, changed: Sequence[ImportFact],
                   trace: Union[Sequence[str], PackedTrace], raw: Any, mode: str = "w") -> Optional[Tuple[str, ...]]:
    """``unchanged_by``, and the modules the entry's import now runs inside ``module``'s (inert
    ones, that import nothing new: see the module's docstring), which it ran later by themselves
    or not at all; None when the entry may run differently."""
    if not outcome_outside(raw, module):
        return None
    # the same change is judged against many traces: what depends on the change alone, once
    # (the change itself kept in the memo: an id is unique only while its object lives)
    got = repo.judged.get((module, id(changed)))
    if got is None or got[0] is not changed:
        got = repo.judged[(module, id(changed))] = [changed, repo.targets(module, changed), None, {},
                                                    getattr(changed, "added", None), {}]  # ``simdiff.Change``
    need = got[1]
    if need is None:
        return None
    try:
        start = trace.index(module)
    except ValueError:
        return None
    late = [t for t in need if not finished(trace, start, t)]
    added: Tuple[str, ...] = ()
    if late:
        if count(trace, module) != (1, 1):
            return None  # run twice, or never finished: where the new ones run is less clear
        end = span(trace, module)[1]
        last = got[5].get(mode)
        if last is None:
            last = got[5][mode] = got[4] is not None and _run_last(repo, module, got[4], mode)
        if last:  # the new statements run when everything the module's import runs has finished
            late = [t for t in late if not finished(trace, end, t)]
    if late:
        found = _run_inside(repo, module, late, trace, start, end, got[3], moved=got[4] is not None)
        if found is None:
            return None
        added = tuple(sorted(found))
    if got[2] is None:  # asked only once a trace passes: it reads every module's scan (``Repository._scan``)
        got[2] = any(repo.read(module, imp.bound) for imp in changed)
    return None if got[2] else added


def _run_last(repo: Repository, module: str, statements: Sequence[int], mode: str) -> bool:
    """Do the added ``statements`` run after every statement of ``module`` that can import a
    first-party module, in the order of ``mode`` ("w": as written, "r": imports sorted to the top)?
    Then every module its import ran had finished (or was an ancestor, still partial) when they
    run: the run up to them is the one recorded, and nothing the module's import runs follows."""
    info = repo.modules[module]
    facts = info.facts
    if mode == "w":
        order: Sequence[int] = range(len(facts.events))
    elif mode == "r":
        order = sorted_order(info, repo.first_party)
    else:
        return False
    ours = set(statements)
    after = False
    for i in order:
        if i in ours:
            after = True
        elif after and not _quiet(repo, module, facts.events[i]):
            return False
    return after


def _quiet(repo: Repository, module: str, events: Sequence[Any]) -> bool:
    """Can ``events`` (a statement's) import no first-party module? No call of a module-level
    function, no import but of the standard library or third-party code, at any depth (a
    function body runs only when called)."""
    info = repo.modules[module]
    for ev in _walk(events, ()):
        kind = type(ev)
        if kind is CallEvent:
            return False
        if kind is ImportEvent:
            for imp in info.facts.imports[ev.first:ev.first + ev.count]:
                base = imp.module if imp.name is None else absolute_module(imp, module, info.is_package)
                if not base or base.split(".", 1)[0] in repo.first_party:
                    return False
    return True


def _run_inside(repo: Repository, module: str, late: Iterable[str], trace: Union[Sequence[str], PackedTrace],
                start: int, end: int, memo: Dict[str, bool], moved: bool = False) -> Optional[Set[str]]:
    """The modules ``late`` (which had not finished when ``module`` started) and the ones their
    import-time code imports that had not either, when each is an inert module that did not run
    before or ran later by itself, whose package had finished, and they import each other without
    a cycle (one would meet another partial); else None. With ``moved`` (the edit only added
    statements), a module that ran by itself inside ``module``'s import, after it started, may run
    earlier too: what imported it there finds it finished."""
    state: Dict[str, int] = {}  # 1: its imports being looked at, 2: done

    def visit(t: str) -> bool:
        if state.get(t) == 2:
            return True
        if state.get(t) == 1:
            return False  # a cycle among the new modules
        state[t] = 1
        if not _fresh(repo, module, t, memo):
            return False
        seen = count(trace, t)
        if seen == (1, 1):  # it ran later, by itself: it runs inside the edited module now
            first, last = span(trace, t)
            if last != first + 1 or first < (start if moved else end):
                return False
        elif seen != (0, 0):
            return False
        parent = t.rpartition(".")[0]
        if parent and not finished(trace, start, parent):
            return False
        for x in sorted(repo.inert(t) or ()):
            if x != parent and not finished(trace, start, x) and not visit(x):
                return False
        state[t] = 2
        return True

    for t in late:
        if not visit(t):
            return None
    return set(state)


def _fresh(repo: Repository, module: str, new: str, memo: Dict[str, bool]) -> bool:
    """Can ``new``, a module an edit of ``module`` imports, run inside ``module``'s import and
    change nothing else (given the modules it needs finished before)? An inert module whose
    package no module but ``module`` star-imports (a star import would copy it into another
    namespace). Reads of it as an attribute of its package, which has finished, find it finished
    instead of nothing: neither raises."""
    got = memo.get(new)
    if got is None:
        parent = new.rpartition(".")[0]
        got = memo[new] = new in repo.modules and repo.inert(new) is not None and not (
            parent and repo.star_imported_elsewhere(parent, module))
    return got


class Edits:
    """The modules whose content differs from a content an earlier simulating run saw (the
    ``history`` the cache keeps: module -> its recent content hashes), and what changed."""

    def __init__(self, current: Mapping[str, str], history: Mapping[str, Sequence[str]], part_of, facts_of,
                 repository: Repository):
        self.older = {m: [h for h in hs if h != current[m]] for m, hs in history.items()
                      if m in current and any(h != current[m] for h in hs)}
        self.part_of = part_of  # content hash -> the digest of its simulated facts, or None
        self.facts_of = facts_of  # content hash -> its facts, or None
        self.repository = repository
        self._changes: dict = {}
        self.used: Dict[str, Set[str]] = {}  # module -> the earlier contents records were explained by

    def change(self, module: str, old: str) -> Optional[List[ImportFact]]:
        """The import statements added or removed since content ``old`` of ``module``, when that is
        all that changed; else None."""
        key = (module, old)
        if key not in self._changes:
            facts = self.facts_of(old)
            self._changes[key] = None if facts is None else import_only_change(
                facts, self.repository.modules[module].facts)
        return self._changes[key]


HISTORY = 8  # contents of a module kept for the runs after an edit to explain records by


def remember_contents(store, current: Mapping[str, str], keep: int = HISTORY,
                      used: Optional[Mapping[str, Set[str]]] = None) -> None:
    """Add this run's content of each module to the history the next runs compare with. Several:
    edits undone one after another are each judged from the records of the tree as it was, whose
    content only runs that simulate remember (an undone edit is found in the cache of whole runs).
    The contents this run explained records by (``used``: module -> contents) come next after the
    current one, whatever the number of edits since."""
    got = store.data.get("sim-content")
    history = got if isinstance(got, dict) else {}
    changed = False
    for m, h in current.items():
        old = history.get(m)
        first = [x for x in sorted(used.get(m, ())) if x != h] if used else []
        if not old or old[0] != h or first and old[1:1 + len(first)] != first:
            rest = [x for x in (old or ()) if x != h and x not in first]
            history[m] = ([h] + first + rest)[:keep]
            changed = True
    for m in [m for m in history if m not in current]:
        del history[m]
        changed = True
    if changed or got is None:
        store.data["sim-content"] = history
        store.dirty = True
