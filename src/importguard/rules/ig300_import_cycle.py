from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, List, Sequence, Tuple

from importguard.analysis.graph import (
    CYCLE_CUTS,
    UNMOVABLE,
    Edge,
    _strongest,
    break_candidates,
    cut_cost,
    pairs_inside,
)
from importguard.model import IMPORT_TIME, Diagnostic, Fix, ImportFact, Use
from importguard.rules.base import Rule
from importguard.rules.fix_safety import BREAK_CYCLE

if TYPE_CHECKING:
    from importguard.analysis.context import RepoContext


def _evaluated_annotations(repo: RepoContext, info, imp: ImportFact) -> List[Use]:
    """The uses of ``imp`` in annotations the target Python evaluates: without ``from __future__
    import annotations`` before 3.14, module-level and class-level variable annotations and
    function signatures are evaluated when they run (and runtime-evaluated classes read theirs)."""
    from importguard.analysis.context import FileContext

    ctx = FileContext(repo, info)
    return [u for u in imp.uses if repo.use_is_runtime(ctx, u)]


def describe_path(path) -> str:
    return " -> ".join(f"`{m}`" for m in path)


class ImportCycle(Rule):
    """A strongly connected component of the import-time module graph.

    ## What it does
    Reports each set of first-party modules that import each other at import time (module level,
    including `if`/`try`/`with` and class bodies; not inside functions, not under
    `if TYPE_CHECKING:`). One diagnostic per component, at the import the tool suggests to cut,
    with the shortest cycle through the component and the advice that fits that import: move it
    into the functions that use it, or under `TYPE_CHECKING` when its uses are typing-only.
    Annotations the target Python evaluates (no `from __future__ import annotations`, before 3.14:
    module-level and class-level variable annotations, function signatures) are not typing-only:
    the advice is then to add `from __future__ import annotations` first.

    The imports to cut are chosen as a minimum feedback arc set (a weighted Eades-Lin-Smyth
    heuristic, then pruned): the fewest, cheapest imports whose removal leaves no cycle, where an
    import costs more the more names it brings and the more often they are used, and an import
    whose names are used at import time cannot be cut by moving it. The message says how many
    imports that set holds; the diagnostic sits at the cheapest.

    ## Why it matters
    Cycles make import order matter: a reorder, a new import or a different entry point can turn
    them into "cannot import name X from partially initialized module Y" (see IG301 and IG302).
    They also tie modules together so that neither can be understood, tested or split alone.

    ## Example
    ```python
    # pkg/a.py
    from pkg.b import helper
    CONFIG = {}
    # pkg/b.py
    from pkg.a import CONFIG
    def helper():
        return CONFIG
    ```

    ## Fix
    `importguard fix --unsafe-fixes --select IG300` applies the advice, one import per round until
    no cycle is left: moves the import into the functions that use it (`pkg/b.py` above: `from
    pkg.a import CONFIG` goes into `helper`), or under `TYPE_CHECKING` when only annotations use it.
    An import used at import time is left for a person to untangle.

    ## Fix safety
    Unsafe: the import then runs later (or never at runtime), which changes when its side effects
    happen.
    """

    code = "IG300"
    name = "import-cycle"
    scope = "repo"
    beside = True  # the cuts, kept under "cyclecut1:" keys
    VALID = (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "def f():\n    from pkg import a\n"},
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n",
         "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"},
    )
    INVALID = (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "from pkg import a\n"},
    )

    def check_repo(self, repo: RepoContext) -> Iterable[Diagnostic]:
        from importguard.analysis.graphmemo import Memo

        by_pair = _strongest(repo.edges)
        inside = pairs_inside(by_pair)
        packages = {m for m, info in repo.modules.items() if info.is_package}
        memo = Memo(getattr(repo, "store", None), CYCLE_CUTS)  # the cut of each component, kept
        for cyc in repo.cycles:
            if cyc.kind != IMPORT_TIME:
                continue
            cands = break_candidates(cyc, by_pair, packages, inside(cyc.modules), memo)
            if not cands:
                continue
            yield self._diagnostic(repo, cyc, cands, packages)
        memo.done()

    def _diagnostic(self, repo: RepoContext, cyc, cands: List[Edge], packages) -> Diagnostic:
        edge = cands[0]
        info = repo.modules[edge.source]
        imp = info.facts.imports[edge.import_index]
        evaluated = _evaluated_annotations(repo, info, imp) if edge.typing_only else []
        advice, fix_kind, fix_scopes = self._advice(edge, imp, edge.source in packages, evaluated,
                                                    info.facts.future_annotations)
        more = ""
        if len(cands) > 1:
            others = ", ".join(f"`{e.source}` -> `{e.target}` ({e.path}:{e.line})" for e in cands[1:4])
            more = f"; {len(cands)} imports to cut in all, also {others}{' ...' if len(cands) > 4 else ''}"
        msg = (f"Import cycle of {len(cyc.modules)} modules: {describe_path(cyc.path)}; break it at "
               f"`{edge.source}` -> `{edge.target}`: {advice}{more}")
        fix = Fix(fix_kind, False, "Break the cycle here", imp.line, imp.col, imp.bound, fix_scopes,
                  reason=BREAK_CYCLE) if fix_kind else None
        key = "cycle:" + ",".join(cyc.modules)
        return Diagnostic(info.path, imp.line, imp.col + 1, self.code, msg, imp.end_line, imp.end_col + 1,
                          fix is not None, (), key, fix)

    @staticmethod
    def _advice(edge: Edge, imp: ImportFact, is_package: bool, evaluated: Sequence[Use] = (),
                future: bool = False) -> Tuple[str, str, Tuple[str, ...]]:
        scopes = sorted({u.scope for u in imp.uses if u.scope})
        if evaluated:
            first = min(evaluated, key=lambda u: (u.line, u.col))
            if future:  # a runtime-evaluated class (pydantic, ...) reads the annotation
                return (f"`{imp.text}` is used in an annotation that is evaluated at runtime (line "
                        f"{first.line}); move the shared names into a module both can import", "", ())
            return (f"`{imp.text}` is used in an annotation Python evaluates (line "
                    f"{first.line}); add `from __future__ import annotations` to `{edge.source}`, then "
                    f"move it under `if TYPE_CHECKING:`", "", ())
        if cut_cost(edge, is_package) >= UNMOVABLE:
            if edge.conditional:
                return (f"`{imp.text}` is imported under a condition at line {imp.stmt_line}; restructure "
                        f"that block, or move the shared names into a module both can import", "", ())
            if not imp.uses:
                return (f"`{imp.text}` is part of the package's public surface; move what it needs "
                        f"into a module both can import", "", ())
            first = next((u for u in imp.uses if not u.scope), imp.uses[0])
            return (f"`{imp.text}` is used at import time (line {first.line}); move that code, or the "
                    f"shared names into a module both can import", "", ())
        if edge.typing_only:
            advice = f"move `{imp.text}` under `if TYPE_CHECKING:` (only used in annotations)"
            return advice, "move-to-type-checking", ()
        if not imp.uses:
            return f"remove `{imp.text}` (unused)", "remove-import", ()
        names = ", ".join(f"`{s}`" for s in scopes[:4]) + (" ..." if len(scopes) > 4 else "")
        several = len(scopes) > 1
        return (f"move `{imp.text}` into the function{'s' if several else ''} that use{'' if several else 's'} "
                f"it ({names})", "defer-import", tuple(scopes))
