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
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Container, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Union

from importguard.analysis.graph import absolute_module
from importguard.analysis.interpreter import module_binds
from importguard.analysis.simdiff import import_only_change
from importguard.analysis.simtrace import PackedTrace, count, finished, span
from importguard.model import (
    CallEvent,
    ClassBodyEvent,
    DeleteEvent,
    FunctionEvent,
    IfEvent,
    ImportEvent,
    LoadEvent,
    StoreEvent,
    TryEvent,
)

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo
    from importguard.model import ImportFact


_UNSET: Any = object()


class Repository:
    """What the check of an outcome reads about the repository, computed once per run."""

    def __init__(self, modules: Mapping[str, ModuleInfo], first_party: Set[str], namespace_pkgs: Set[str],
                 parts=None):
        self.modules = modules
        self.parts = parts  # ``Contributions``: each module's part of the scan, kept between runs
        self.first_party = first_party
        self.namespace_pkgs = namespace_pkgs
        # ("w", name): a name some module may read as an attribute; ("s", module): a module some
        # module star-imports; ("p", module, name): a name an import takes from a module; ("c",
        # name): a name some module calls, at import time or in a function -> how many modules
        self._counts: Optional[Dict[tuple, int]] = None
        self._called: Container[str] = ()
        self._own: Dict[str, Set[str]] = {}
        self.judged: Dict[tuple, Any] = {}  # ``unchanged_by``'s answers that depend on the change alone
        self._inert: Dict[str, Any] = {}
        self._starred: Dict[str, Set[str]] = {}  # module -> the modules it star-imports

    def targets(self, module: str, imports: Iterable[ImportFact]) -> Optional[Set[str]]:
        """The first-party modules that must have finished importing for ``imports`` (statements of
        ``module``) to do nothing but bind their names; None when they may do more (an import of
        a first-party name that is no module: the simulation records it in ``sys.modules``)."""
        info = self.modules[module]
        need: Set[str] = set()
        for imp in imports:
            base = imp.module if imp.name is None else absolute_module(imp, module, info.is_package)
            if not base:
                return None  # a relative import beyond the top-level package raises
            parts = base.split(".")
            if parts[0] not in self.first_party:
                continue  # opaque to the simulation
            for k in range(1, len(parts) + 1):
                prefix = ".".join(parts[:k])
                if prefix not in self.modules and prefix not in self.namespace_pkgs:
                    return None
                need.add(prefix)
            if imp.name is None:
                continue
            sub = f"{base}.{imp.name}"
            if sub in self.modules or sub in self.namespace_pkgs:
                need.add(sub)
            elif base in self.namespace_pkgs or (self.modules[base].is_package
                                                 and imp.name not in module_binds(self.modules[base])):
                return None  # the simulation would try ``import base.name``
        return need

    def inert(self, module: str) -> Optional[Set[str]]:
        """When ``module``'s import-time code can do nothing but bind its own names once the
        returned first-party modules have finished (no call, no version or platform test, no
        attribute stored, no attribute read from a first-party module it imports, no star import):
        those modules; else None."""
        got = self._inert.get(module, _UNSET)
        if got is _UNSET:
            got = self._inert[module] = self._find_inert(module)
        return got

    def _find_inert(self, module: str) -> Optional[Set[str]]:
        info = self.modules[module]
        f = info.facts
        if f.error is not None:
            return None
        imps: List[ImportFact] = []
        dotted: List[str] = []
        for events in f.events:
            for ev in _walk(events, ()):  # no function body: nothing calls one
                kind = type(ev)
                if kind is CallEvent or kind is StoreEvent and "." in ev.dotted:
                    return None
                if kind is IfEvent and type(ev.test) is not int:
                    return None  # decided by the world: the entry's tests would change
                if kind is ImportEvent:
                    imps.extend(f.imports[ev.first:ev.first + ev.count])
                elif kind is LoadEvent and "." in ev.dotted:
                    dotted.append(ev.dotted)
        if any(imp.name == "*" for imp in imps):
            return None
        need = self.targets(module, imps)
        if need is None:
            return None
        first_party = {imp.bound for imp in imps  # (a plain import's absolute module is its own)
                       if (absolute_module(imp, module, info.is_package) or "").split(".", 1)[0] in self.first_party}
        if any(d.split(".", 1)[0] in first_party for d in dotted):
            return None
        return need

    def star_imported_elsewhere(self, module: str, by: str) -> bool:
        """Does a module other than ``by`` take every name of ``module`` with a star import?"""
        counts = self._counts
        if counts is None:
            counts = self._scan()
        own = self._starred.get(by)
        if own is None:
            own = self._starred[by] = set(_scan_one(by, self.modules[by])[1])
        return counts.get(("s", module), 0) > (module in own)

    def read(self, module: str, name: str) -> bool:
        """May the simulation read ``name`` from ``module``'s namespace (other than through the
        import that binds it)? Conservatively: an attribute of that name read anywhere, an import
        of it from the module, a star import of the module, or a read in its own code."""
        counts = self._counts
        if counts is None:
            counts = self._scan()
        if ("w", name) in counts or ("s", module) in counts or ("p", module, name) in counts:
            return True
        own = self._own.get(module)
        if own is None:
            own = self._own[module] = self._own_reads(module)
        return name in own

    def _scan(self) -> Dict[tuple, int]:
        """Every module's ``_scan_one`` items, counted (``contributions.Tally``, kept between runs
        when ``parts`` are)."""
        from importguard.analysis.contributions import Tally

        modules = self.modules
        if self.parts is not None:
            counts = Tally(self.parts, modules, lambda name: _scan_one(name, modules[name]), _items).counts()
        else:
            counts = {}
            for name, info in modules.items():
                for item in _items(_scan_one(name, info)):
                    counts[item] = counts.get(item, 0) + 1
        self._counts = counts
        self._called = _Called(counts)
        return counts

    def _own_reads(self, module: str) -> Set[str]:
        """Names the module's own import-time code reads (heads of its loads, stores and calls,
        deletions too), inside the functions something calls by name as well; its ``__all__``."""
        f = self.modules[module].facts
        out: Set[str] = set(f.all_names or ())
        for events in f.events:
            for ev in _walk(events, self._called):
                kind = type(ev)
                if kind is LoadEvent or kind is StoreEvent:
                    out.add(ev.dotted.split(".", 1)[0])
                elif kind is CallEvent or kind is DeleteEvent:
                    out.add(ev.name)
        return out


def _scan_one(name: str, info: ModuleInfo) -> list:
    """One module's part of ``Repository._scan``, in plain values: [the attribute names it may
    read, the modules it star-imports, the (module, name) pairs its imports take, the names it
    calls]."""
    f = info.facts
    words: Set[str] = set(f.attributes)
    starred: Set[str] = set()
    pairs: Set[Tuple[str, str]] = set()
    called: Set[str] = set()
    for imp in f.imports:
        base = absolute_module(imp, name, info.is_package) if imp.name is not None else imp.module
        if not base:
            continue
        if imp.name == "*":
            starred.add(base)
        elif imp.name is not None:
            pairs.add((base, imp.name))
        parts = base.split(".")
        for k in range(1, len(parts)):  # ``import a.b.c`` reads ``b`` from ``a``, ``c`` from ``a.b``
            pairs.add((".".join(parts[:k]), parts[k]))
    for events in f.events:
        for ev in _walk(events, None):
            kind = type(ev)
            if kind is LoadEvent or kind is StoreEvent:
                words.update(ev.dotted.split(".")[1:])
            elif kind is CallEvent:
                called.add(ev.name)
    return [tuple(sorted(words)), tuple(sorted(starred)), tuple(sorted(pairs)), tuple(sorted(called))]


def _items(part: list) -> Iterable[tuple]:
    """A module's ``_scan_one`` part as the items ``Repository`` counts."""
    words, starred, pairs, called = part
    out: List[tuple] = [("w", w) for w in words]
    out.extend(("s", m) for m in starred)
    out.extend(("p",) + tuple(p) for p in pairs)
    out.extend(("c", n) for n in called)
    return out


class _Called:
    """The names some module calls, read from the counted items."""

    __slots__ = ("counts",)

    def __init__(self, counts: Dict[tuple, int]) -> None:
        self.counts = counts

    def __contains__(self, name: object) -> bool:
        return ("c", name) in self.counts


def _walk(events: Sequence[Any], called: Optional[Container[str]]):
    """Events, nested ones too; the bodies of functions only when ``called`` names them (None:
    every function)."""
    stack = list(reversed(tuple(events)))
    while stack:
        ev = stack.pop()
        yield ev
        kind = type(ev)
        if kind is ClassBodyEvent:
            stack.extend(reversed(ev.body))
        elif kind is IfEvent:
            stack.extend(reversed(ev.orelse))
            stack.extend(reversed(ev.body))
        elif kind is TryEvent:
            stack.extend(reversed(ev.final))
            stack.extend(reversed(ev.orelse))
            for _, h in reversed(ev.handlers):
                stack.extend(reversed(h))
            stack.extend(reversed(ev.body))
        elif kind is FunctionEvent and (called is None or ev.name in called):
            stack.extend(reversed(ev.body))


def outcome_outside(raw: Any, module: str) -> bool:
    """Is a recorded outcome free of ``module``'s lines (no failure there, none of its imports
    in the chain, not the partial module)?"""
    if raw == 0 or raw is None:
        return True
    failing, chain, partial = raw[0], raw[7], raw[9]
    return failing != module and partial != module and all(m != module for m, _ in chain)


def unchanged_by(repo: Repository, module: str, changed: Sequence[ImportFact], trace: Union[Sequence[str], PackedTrace],
                 raw: Any) -> bool:
    """Does an entry whose import traced ``trace`` (with outcome ``raw``) run the same after the
    ``changed`` imports of ``module`` were added or removed?"""
    return unchanged_with(repo, module, changed, trace, raw) is not None


def unchanged_with(repo: Repository, module: str, changed: Sequence[ImportFact],
                   trace: Union[Sequence[str], PackedTrace], raw: Any) -> Optional[Tuple[str, ...]]:
    """``unchanged_by``, and the modules the entry's import now runs inside ``module``'s (inert
    ones, that import nothing new: see the module's docstring), which it ran later by themselves
    or not at all; None when the entry may run differently."""
    if not outcome_outside(raw, module):
        return None
    # the same change is judged against many traces: what depends on the change alone, once
    # (the change itself kept in the memo: an id is unique only while its object lives)
    got = repo.judged.get((module, id(changed)))
    if got is None or got[0] is not changed:
        got = repo.judged[(module, id(changed))] = [changed, repo.targets(module, changed), None, {}]
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
        found = _run_inside(repo, module, late, trace, start, span(trace, module)[1], got[3])
        if found is None:
            return None
        added = tuple(sorted(found))
    if got[2] is None:  # asked only once a trace passes: it reads every module's scan (``Repository._scan``)
        got[2] = any(repo.read(module, imp.bound) for imp in changed)
    return None if got[2] else added


def _run_inside(repo: Repository, module: str, late: Iterable[str], trace: Union[Sequence[str], PackedTrace],
                start: int, end: int, memo: Dict[str, bool]) -> Optional[Set[str]]:
    """The modules ``late`` (which had not finished when ``module`` started) and the ones their
    import-time code imports that had not either, when each is an inert module that did not run
    before or ran later by itself, whose package had finished, and they import each other without
    a cycle (one would meet another partial); else None."""
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
            if first < end or last != first + 1:
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
