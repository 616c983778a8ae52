"""Which kept answers a change can reach, without asking the questions again.

A file's findings are kept with the answers of the repository queries its check asked
(``analysis.context.Reads``); before they are reused, each answer is asked again. Most of those
questions read a repository-wide index (who imports which name from which module, which modules
are test data, what an import loads), so after any change of imports every index is rebuilt and
every question (58,000 on a 6,000-file tree) asked again, though a change of one file can change
only the answers that read what that file contributes.

This module knows, for the queries whose inputs it can name, which answers the files changed
since the last run can reach. It keeps, in the results store, the state of the last run that
analysed (each module's content hash) and the records that were valid in that state; a record
valid then is valid now unless one of its answers is reached by the change (``Delta.holds``).
An answer of a query it does not know is asked again, as before.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from importguard.analysis.reads import footprint_holds
from importguard.engine.incremental import LAST_RUN
from importguard.model import IMPORT_TIME

if TYPE_CHECKING:
    from importguard.analysis.context import RepoContext
    from importguard.analysis.graph import ModuleInfo
    from importguard.model import ModuleFacts

STATE = "answers:state"  # module -> content hash, in the last run that checked files
VALID = "answers:valid"  # the own keys of the records valid in that state
TEST_DATA = "answers:test-data"  # the test-data modules in that state, when known
# beyond this many changed modules the answers are asked again: reaching sets grow with the change
LIMIT = 64


def _closure(start: Iterable[str], succ: Callable[[str], Iterable[str]]) -> Set[str]:
    seen = set(start)
    todo = list(seen)
    while todo:
        for n in succ(todo.pop()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


class Delta:
    """What changed since the last run that checked files, and which answers that reaches."""

    def __init__(self, repo: RepoContext, store, modules: Dict[str, ModuleInfo],
                 file_digests: Dict[str, str]) -> None:
        self.repo, self.store = repo, store
        self.modules, self.file_digests = modules, file_digests
        data = store.data
        got = data.get(VALID)
        self.valid_before: FrozenSet[str] = frozenset(got) if isinstance(got, list) else frozenset()
        got = data.get("file:previous")
        self.used_before: FrozenSet[str] = frozenset(got) if isinstance(got, list) else frozenset()
        self.valid_now: Set[str] = set()
        self.contents: Optional[Dict[str, str]] = getattr(repo, "contents", None)
        self.facts_of: Optional[Callable[[str], Optional[ModuleFacts]]] = getattr(repo, "facts_of", None)
        self.changed: Optional[Dict[str, Tuple[ModuleFacts, ModuleFacts]]] = self._changed(data.get(STATE))
        got = data.get(TEST_DATA)
        self._test_data_before: Optional[FrozenSet[str]] = frozenset(got) if isinstance(got, list) else None
        self._reached: Dict[str, object] = {}

    # ---------------------------------------------------------------- what changed
    def _changed(self, before) -> Optional[Dict[str, Tuple[ModuleFacts, ModuleFacts]]]:
        """Module -> (facts then, facts now) of each module whose facts changed since the state
        ``before``; None when that cannot be told (no state, another set of modules, facts of
        then no longer cached, too many changed)."""
        from importguard.cache.facts import facts_digest

        now = self.contents
        if not isinstance(before, dict) or now is None or self.facts_of is None or not self.valid_before:
            return None
        if len(before) != len(now) or before.keys() != now.keys():
            return None
        out: Dict[str, Tuple[ModuleFacts, ModuleFacts]] = {}
        for name, content in now.items():
            old = before[name]
            if old == content:
                continue
            if len(out) >= LIMIT:
                return None
            then = self.facts_of(old)
            info = self.modules.get(name)
            if then is None or info is None:
                return None
            if facts_digest(then) == self.file_digests.get(info.path):
                continue  # a comment, a blank line: the same facts
            out[name] = (then, info.facts)
        return out

    @property
    def usable(self) -> bool:
        return self.changed is not None

    def was_valid(self, own: str) -> bool:
        """Was the record under ``own`` valid in the last run's state?"""
        return own in self.valid_before

    def carried(self, own: str, component: str) -> bool:
        """A record found through its component's key: valid now when it was valid in the last
        run's state and the component was the same then (its key was used)."""
        return own in self.valid_before and component in self.used_before

    def _infos(self, name: str) -> List[ModuleInfo]:
        """The module as it was and as it is (``changed`` holds it)."""
        from importguard.analysis.graph import ModuleInfo

        info = self.modules[name]
        then, now = self.changed[name]  # type: ignore[index]
        return [ModuleInfo(name, info.path, info.is_package, then), ModuleInfo(name, info.path, info.is_package, now)]

    # ---------------------------------------------------------------- what the change reaches
    def _pairs(self) -> Tuple[Set[Tuple[str, str]], Set[str]]:
        """What the changed modules contribute to the index of imported names, before and after:
        the (module, name) pairs they import, and the modules they star-import (changed modules
        count as star-imported: their ``__all__`` decides what a star import of them takes)."""
        got = self._reached.get("pairs")
        if got is None:
            from importguard.analysis.context import _imported_pairs

            pairs: Set[Tuple[str, str]] = set()
            starred = set(self.changed or ())
            for name in self.changed or ():
                for info in self._infos(name):
                    for src, attr, _ in _imported_pairs(name, info):
                        if attr:
                            pairs.add((src, attr))
                        else:
                            starred.add(src)
            got = self._reached["pairs"] = (pairs, starred)
        return got  # type: ignore[return-value]

    def _imported_reached(self, module: str, name: str) -> bool:
        """Can the change reach whether some module imports ``name`` from ``module``? Only through
        that pair, or a star import of the module (or a change of its ``__all__``)."""
        pairs, starred = self._pairs()
        return module in starred or (module, name) in pairs

    def _reexport_reached(self, module: str) -> bool:
        """Can the change reach whether ``module`` is a re-export module (another module imports
        from it a name one of its imports binds)?"""
        pairs, starred = self._pairs()
        if module in starred:
            return True
        if module not in self._named("pair-sources", pairs):
            return False  # (its facts not even decoded)
        info = self.modules[module]
        if info.is_package:
            return False  # never one
        from importguard.rules.safety_index import runtime_bound

        return any((module, b) in pairs for b in runtime_bound(info.facts))

    def _named(self, kind: str, pairs: Iterable[Tuple[str, str]]) -> Set[str]:
        """The modules of (module, name) ``pairs``, once a run."""
        got = self._reached.get(kind)
        if got is None:
            got = self._reached[kind] = {m for m, _ in pairs}
        return got  # type: ignore[return-value]

    def _strings(self) -> Set[Tuple[str, str]]:
        """(module, name) pairs a changed module names in a string, before or after."""
        got = self._reached.get("strings")
        if got is None:
            from importguard.rules.safety_index import _string_names_of

            got = self._reached["strings"] = {
                (mod, attr) for name in self.changed or () for info in self._infos(name)
                for mod, attr, _, _, _ in _string_names_of(name, info, self.modules)}
        return got  # type: ignore[return-value]

    def _observed(self) -> Set[str]:
        """Submodules a changed module reads as attributes of their package, before or after."""
        got = self._reached.get("observed")
        if got is None:
            from importguard.rules.safety_index import safety_index

            index = safety_index(self.repo)
            got = self._reached["observed"] = {
                sub for name in self.changed or () for info in self._infos(name)
                for sub, _ in index._observed_by(name, info)}
        return got  # type: ignore[return-value]

    def _reaching(self) -> Set[str]:
        """Modules from which an import-time import path leads to a changed module (the changed
        ones included). What an import loads (its closure over import-time edges) changes only
        when it contains a changed module, and it contains one in the graph before the change
        exactly when it does in the graph after: the first changed module on a path before is
        reached by the same path after, and the other way round."""
        got = self._reached.get("reaching")
        if got is None:
            pred: Dict[str, Set[str]] = defaultdict(set)
            for e in self.repo._edges:
                if e.kind == IMPORT_TIME:
                    pred[e.target].add(e.source)
            seen = set(self.changed or ())
            todo = list(seen)
            while todo:
                for p in pred.get(todo.pop(), ()):
                    if p not in seen:
                        seen.add(p)
                        todo.append(p)
            got = self._reached["reaching"] = seen
        return got  # type: ignore[return-value]

    def _edge_sets(self) -> Dict[str, Tuple[Set[Tuple[str, str]], Set[Tuple[str, str]]]]:
        """Changed module -> the (target, kind) of its edges, before and after."""
        got = self._reached.get("edges")
        if got is None:
            from importguard.analysis.graph import module_edges

            known = set(dict.keys(self.modules))
            got = self._reached["edges"] = {
                name: tuple({(e.target, e.kind) for e in module_edges(name, info, known)} for info in self._infos(name))
                for name in self.changed or ()}
        return got  # type: ignore[return-value]

    def _test_data_same(self) -> bool:
        """Are the test-data modules those of the last run's state? The set depends on the paths
        (the set of modules fixes them) and on what the modules outside test folders reach by
        edges of any kind. It is the same when no changed module lost a target and each target
        it gained is outside that set: reached already (or outside test folders), so what is
        reached stays the same."""
        before = self._test_data_before
        if before is None or self.changed is None:
            return False
        for then, now in self._edge_sets().values():
            old, new = {t for t, _ in then}, {t for t, _ in now}
            if not old <= new or not before.isdisjoint(new - old):
                return False
        return True

    def _closures_same(self) -> bool:
        """Does importing any module load what it loaded in the last run's state (its closure over
        import-time edges)? Yes when no changed module lost an import-time target, and what each
        target it gained loads now (itself included) the changed module loaded before: a module
        whose closure holds the changed one held the new targets' closures already."""
        got = self._reached.get("closures")
        if got is None:
            from importguard.rules.safety_index import safety_index

            now_graph = safety_index(self.repo)._adjacency()
            then: Dict[str, Set[str]] = {}
            gained: Dict[str, Set[str]] = {}
            got = True
            for name, (old, new) in self._edge_sets().items():
                then[name] = {t for t, kind in old if kind == IMPORT_TIME}
                now = {t for t, kind in new if kind == IMPORT_TIME}
                if not then[name] <= now or now != now_graph.get(name, set()):
                    got = False
                    break
                gained[name] = now - then[name]
            if got:
                def before(m: str) -> Iterable[str]:
                    return then[m] if m in then else now_graph.get(m, ())

                got = all(_closure(sorted(new), lambda m: now_graph.get(m, ())) <= _closure([name], before)
                          for name, new in gained.items() if new)
            self._reached["closures"] = got
        return bool(got)

    def _effects_same(self) -> bool:
        """Does each changed module have the import-time effect it had (``SafetyIndex.module_effect``)?"""
        got = self._reached.get("effects")
        if got is None:
            from importguard.rules.safety_index import safety_index

            index = safety_index(self.repo)
            got = self._reached["effects"] = all(
                len({index.effect_of(info) for info in self._infos(name)}) == 1 for name in self.changed or ())
        return bool(got)

    def test_data_now(self) -> Optional[FrozenSet[str]]:
        """The test-data modules in this state, when known without computing them: the last
        run's, when the change cannot have changed them (``_test_data_same``)."""
        index = getattr(self.repo, "_safety_index", None)
        if index is not None and index._test_data is not None:
            return frozenset(index._test_data)
        if self._test_data_same():
            return self._test_data_before
        return None

    def _test_data_changed(self) -> bool:
        got = self._reached.get("test-data")
        if got is None:
            from importguard.rules.safety_index import safety_index

            if self._test_data_before is None:
                got = True
            elif self._test_data_same():
                got = False
                index = safety_index(self.repo)
                if index._test_data is None:  # the answers asked again find it without a search
                    index._test_data = set(self._test_data_before)
            else:
                got = frozenset(safety_index(self.repo).test_data()) != self._test_data_before
            self._reached["test-data"] = got
        return bool(got)

    def _removal_reached(self, module: str, index: int) -> bool:
        """Can the change reach ``removal_risk`` of import ``index`` of ``module``? It reads the
        module's own facts (in the record's key), the test-data modules, what the import and the
        imports before it load (their closures, and the import-time effects of the modules in
        them), the names other modules give as strings, the submodules they read as attributes,
        and, for a library, whether other modules import names from this one."""
        from importguard.analysis.context import FileContext
        from importguard.rules.safety_index import safety_index

        if module in self.changed or module not in self.modules:  # type: ignore[operator]
            return True
        if self._test_data_changed() or self._reexport_reached(module):
            return True
        same_loads = self._closures_same() and self._effects_same()
        if same_loads and module not in self._named("string-sources", self._strings()) and not self._observed():
            return False  # nothing the change reaches reads the module's facts, which are not decoded
        info = self.modules[module]
        imports = info.facts.imports
        if not 0 <= index < len(imports):
            return True
        imp = imports[index]
        sindex = safety_index(self.repo)
        loads = set(sindex.loaded_by(module, info.is_package, imp))
        # what the import and the ones before it load, and the effects of those modules: the
        # same when every closure and each changed module's effect are
        if not same_loads:
            starts = loads | sindex.already_loaded(FileContext(self.repo, info), imp)
            if starts & self._reaching():
                return True
        strings = self._strings()
        if (module, imp.bound) in strings or (module, "*") in strings:
            return True
        return bool(loads & self._observed())

    def _type_checking_reached(self, module: str, line: int, end_line: int) -> bool:
        """Can the change reach ``type_checking_import_risk`` of a ``TYPE_CHECKING`` block of
        ``module``? It reads the test-data modules and, for each import used only in the block,
        whether another module imports its name from here and what removing it risks."""
        from importguard.analysis.context import flag_imports_used_only_in

        if module in self.changed or module not in self.modules:  # type: ignore[operator]
            return True
        if self._test_data_changed():
            return True
        imports = self.modules[module].facts.imports
        for imp in flag_imports_used_only_in(self.modules[module].facts, [(line, end_line)]):
            index = next((i for i, other in enumerate(imports) if other is imp), -1)
            if self._imported_reached(module, imp.bound) or self._removal_reached(module, index):
                return True
        return False

    def holds(self, answers: Iterable[Tuple[tuple, object]]) -> bool:
        """Whether each (query key, answer) of a record valid in the last run's state still
        holds: answers the change cannot reach hold; the others are asked again."""
        ask = self.repo._answer
        pairs, starred = self._pairs()
        for key, answer in answers:
            kind = key[0]
            if kind == "imported-from":  # most answers (58,000 on a 6,000-file tree): inlined
                if key[1] not in starred and (key[1], key[2]) not in pairs:
                    continue
            elif kind == "removal-risk":
                if not self._removal_reached(key[1], key[2]):
                    continue
            elif kind == "test-data":
                if not self._test_data_changed():
                    continue
            elif kind == "type-checking-import-risk":
                if not self._type_checking_reached(key[1], key[2], key[3]):
                    continue
            elif kind == "runtime-class2":
                if footprint_holds(self.repo, key[3]):
                    continue
            LAST_RUN["answers_asked_again"] = LAST_RUN.get("answers_asked_again", 0) + 1
            if ask(key) != answer:
                return False
        return True

    # ---------------------------------------------------------------- the state kept for the next run
    def save(self) -> None:
        """Keep this run's state and the records valid in it (``valid_now``)."""
        data = self.store.data
        state = dict(self.contents) if self.contents is not None else None
        if state is None or len(state) != len(self.modules):
            for k in (STATE, VALID, TEST_DATA):
                data.pop(k, None)
            self.store.dirty = True
            return
        valid = sorted(self.valid_now)
        if data.get(STATE) != state:
            data[STATE] = state
            self.store.dirty = True
        if data.get(VALID) != valid:
            data[VALID] = valid
            self.store.dirty = True
        test_data = self.test_data_now()
        plain = sorted(test_data) if test_data is not None else None
        if data.get(TEST_DATA) != plain:
            if plain is None:
                data.pop(TEST_DATA, None)
            else:
                data[TEST_DATA] = plain
            self.store.dirty = True
