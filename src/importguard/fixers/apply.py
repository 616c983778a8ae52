"""Apply the fixes of one file: pick a phase, plan every fix of that phase, edit, verify.

One phase per file per round (removals first, then TYPE_CHECKING hygiene, then moves), all of that
phase's fixes planned against the same parse and applied in one pass. The caller re-checks the
result and calls again until nothing is left to fix, so every fix is computed against the file as
it is (removing one of two ``import os`` never removes the other, now the only binding). The
output is verified: it parses with LibCST, and compiles when the original compiled under the
running Python. When verification fails, nothing of the phase is kept.
"""
from __future__ import annotations

import sys
import warnings
from collections import defaultdict, deque
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

import libcst as cst

from importguard.analysis.context import flag_imports_used_only_in
from importguard.fixers.defer_import import plan_defer
from importguard.fixers.edits import Editor, Index, apply
from importguard.fixers.type_checking import TypeCheckingPlan
from importguard.model import ANNOTATION, Diagnostic, ImportFact, ModuleFacts

PHASES: Tuple[Tuple[str, ...], ...] = (
    ("remove-import",),
    ("remove-type-checking", "merge-type-checking"),
    ("move-out-of-type-checking",),
    ("move-to-type-checking",),
    ("defer-import",),
    ("lazy-import",),
)
KINDS = frozenset(k for phase in PHASES for k in phase)


class Outcome(NamedTuple):
    module: Optional[cst.Module]  # None when nothing changed
    applied: List[Diagnostic]
    refused: List[Tuple[Diagnostic, str]]


def compiles(code: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<fix>", "exec", dont_inherit=True)
        return True
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def verify(before_compiles: bool, after: bytes, parse_only: bool = False) -> str:
    """"" when ``after`` is acceptable output for a file that compiled (or not) before
    (``parse_only``: the result uses syntax newer than the running Python, e.g. ``lazy import``)."""
    try:
        cst.parse_module(after)
    except Exception as exc:  # noqa: BLE001 - any parser failure means: do not write
        return f"result does not parse ({type(exc).__name__})"
    if not parse_only and before_compiles and not compiles(after):
        return "result does not compile"
    return ""


def evaluated_annotation_uses(facts: ModuleFacts, imp: ImportFact,
                              target_version: Tuple[int, int]) -> List[Tuple[int, int]]:
    """Positions of the uses Python would evaluate as annotations (the rule has already ruled out
    classes and functions that inspect them at runtime)."""
    if facts.future_annotations or target_version >= (3, 14):
        return []
    return sorted({(u.line, u.col) for u in imp.uses if u.kind == ANNOTATION})


class CycleGuard:
    """The import-time module graph, to refuse moving an import out of ``TYPE_CHECKING`` when
    that would close a cycle; grows as moves are accepted."""

    def __init__(self, edges: Sequence, import_time: str = "import-time") -> None:
        self.adj: Dict[str, Set[str]] = defaultdict(set)
        self.by_import: Dict[Tuple[str, int], List[str]] = defaultdict(list)
        for e in edges:
            if e.kind == import_time:
                self.adj[e.source].add(e.target)
            self.by_import[(e.source, e.import_index)].append(e.target)

    def path(self, start: str, goal: str) -> Optional[List[str]]:
        prev: Dict[str, Optional[str]] = {start: None}
        todo = deque([start])
        while todo:
            node = todo.popleft()
            if node == goal:
                out = [node]
                while prev[out[-1]] is not None:
                    out.append(prev[out[-1]])  # type: ignore[arg-type]
                return out[::-1]
            for nxt in sorted(self.adj.get(node, ())):
                if nxt not in prev:
                    prev[nxt] = node
                    todo.append(nxt)
        return None

    def try_move(self, module: str, import_index: int, at_module_level: bool) -> str:
        """"" and record the new edges when the move is acceptable, else the reason."""
        targets = sorted(set(self.by_import.get((module, import_index), ())))
        if not at_module_level:
            return ""
        for t in targets:
            back = self.path(t, module)
            if back is not None:
                cycle = " -> ".join(f"`{m}`" for m in [module, *back])
                return f"moving it out would close the import-time cycle {cycle}"
        self.adj[module].update(targets)
        return ""


def fix_module(module: cst.Module, diags: Sequence[Diagnostic], facts: ModuleFacts, *,
               module_name: str = "", guard: Optional[CycleGuard] = None, strategy: Optional[str] = None,
               target_version: Tuple[int, int] = (3, 9),
               skip: Callable[[Diagnostic], bool] = lambda d: False,
               imported_elsewhere: Callable[[str], Optional[str]] = lambda name: None) -> Outcome:
    """Apply the first phase that has something to do; ``diags`` are this file's fixable ones.

    ``imported_elsewhere(name)`` names a module of the repository that imports ``name`` from this
    one (so removing or moving the module-level binding would break it), else None."""
    refused: List[Tuple[Diagnostic, str]] = []
    by_pos = {(i.line, i.col): (n, i) for n, i in enumerate(facts.imports)}
    index: Optional[Index] = None
    before: Optional[bytes] = None
    for phase in PHASES:
        todo = [d for d in diags if d.fix is not None and d.fix.kind in phase and not skip(d)]
        if not todo:
            continue
        if index is None:  # the module does not change until a phase succeeds
            index = Index(module)
        editor = Editor()
        plan = TypeCheckingPlan(index, strategy, facts.future_annotations)
        applied: List[Diagnostic] = []
        seen: Set[Tuple[str, int, int]] = set()
        for d in todo:
            fx = d.fix
            assert fx is not None  # todo holds fixable findings only
            key = (fx.kind, fx.line, fx.col)
            if key in seen:
                applied.append(d)
                continue
            reason = _guard_binding(d, by_pos, facts, imported_elsewhere) or _plan_one(
                d, editor, index, plan, by_pos, facts, module_name, guard, target_version)
            if reason:
                refused.append((d, reason))
            else:
                seen.add(key)
                applied.append(d)
        if not applied:
            continue
        if "remove-type-checking" in phase:
            _drop_unused_type_checking_import(editor, index, facts, applied)
        plan.finish(editor)
        new = apply(module, editor)
        if before is None:
            before = module.bytes
        after = new.bytes
        if after == before:
            continue
        parse_only = "lazy-import" in phase and sys.version_info < (3, 15)
        reason = verify(not parse_only and compiles(before), after, parse_only=parse_only)
        if reason:
            refused.extend((d, f"not applied: {reason} (please report this)") for d in applied)
            continue
        return Outcome(new, applied, refused)
    return Outcome(None, [], refused)


LEAVES_MODULE = frozenset({"remove-import", "move-to-type-checking", "defer-import"})


def _guard_binding(d: Diagnostic, by_pos, facts: ModuleFacts, imported_elsewhere) -> str:
    """Refuse to take a module-level name away from modules that import it from here, or to
    defer an import whose name is bound elsewhere at module level too."""
    fx = d.fix
    assert fx is not None
    found = by_pos.get((fx.line, fx.col))
    if fx.kind not in LEAVES_MODULE or found is None or found[1].scope_kind != "module":
        return ""
    imp = found[1]
    if fx.kind != "remove-import" and _kept_on_purpose(facts, imp):
        return "`# noqa: F401` says the import is needed beyond its visible uses"
    user = imported_elsewhere(imp.bound)
    if user:
        return f"`{user}` imports `{imp.bound}` from this module"
    if fx.kind == "defer-import":
        if not imp.top_level or any(imp.stmt_index == s.index and s.kind != "import" for s in facts.statements):
            return ("the import is conditional (inside `if`/`try`/`with`); deferring it would change which binding "
                    "is used")
        binders = [s for s in facts.statements if imp.bound in s.binds]
        if len(binders) > 1:
            return f"`{imp.bound}` is bound more than once at module level"
    return ""


KEEP_CODES = ("F401", "IG100", "IG1")


def _kept_on_purpose(facts: ModuleFacts, imp: ImportFact) -> bool:
    """A ``# noqa: F401`` (or IG100) on the import: kept for something no linter can see (a
    re-export by name, generated code), so moving or deferring it is not safe either."""
    for line, codes in facts.noqa:
        if (line == 0 or imp.stmt_line <= line <= imp.stmt_end_line) and codes and any(c in KEEP_CODES for c in codes):
            return True
    return False


def _drop_unused_type_checking_import(editor: Editor, index: Index, facts: ModuleFacts,
                                      applied: Sequence[Diagnostic]) -> None:
    """The IG202 fix also removes ``TYPE_CHECKING`` (or ``typing``) when its only uses were the
    tests of the blocks it removes."""
    gone = [(d.line, d.end_line or d.line) for d in applied
            if d.fix is not None and d.fix.kind == "remove-type-checking"]
    if not gone:
        return
    for imp in flag_imports_used_only_in(facts, gone):
        site = index.aliases.get((imp.line, imp.col))
        if site is not None:
            editor.drop_aliases.add(id(site.alias))


def _plan_one(d: Diagnostic, editor: Editor, index: Index, plan: TypeCheckingPlan, by_pos, facts: ModuleFacts,
              module_name: str, guard: Optional[CycleGuard], target_version: Tuple[int, int]) -> str:
    fx = d.fix
    assert fx is not None
    kind = fx.kind
    if kind == "remove-import":
        site = index.aliases.get((fx.line, fx.col))
        if site is None:
            return "import not found"
        editor.drop_aliases.add(id(site.alias))
        return ""
    if kind == "remove-type-checking":
        return plan.remove_block(editor, fx.line)
    if kind == "merge-type-checking":
        return plan.merge_block(editor, fx.line)
    if kind == "move-out-of-type-checking":
        found = by_pos.get((fx.line, fx.col))
        if found is not None and guard is not None and module_name:
            reason = guard.try_move(module_name, found[0], found[1].scope_kind == "module")
            if reason:
                return reason
        return plan.move_out(editor, fx.line, fx.col)
    if kind == "move-to-type-checking":
        found = by_pos.get((fx.line, fx.col))
        uses = evaluated_annotation_uses(facts, found[1], target_version) if found else []
        return plan.move_in(editor, fx.line, fx.col, uses)
    if kind == "defer-import":
        return "" if plan_defer(editor, index, fx.line, fx.col, fx.scopes) else "import or function not found"
    if kind == "lazy-import":
        from importguard.fixers.lazy_import import plan_lazy

        return plan_lazy(editor, index, fx.line, fx.col)
    return f"unknown fix kind {kind!r}"
