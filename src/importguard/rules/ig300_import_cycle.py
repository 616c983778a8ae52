from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..graph import _strongest, break_candidates
from ..model import IMPORT_TIME, Diagnostic, Fix
from .base import Rule

if TYPE_CHECKING:
    from .context import RepoContext


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

    ## Why it matters
    Cycles make import order matter: a reorder, a new import or a different entry point can turn
    them into "cannot import name X from partially initialized module Y". They also tie modules
    together so that neither can be understood, tested or split alone.

    ## Example
    ```python
    # pkg/a.py
    from pkg.b import helper
    # pkg/b.py
    from pkg.a import CONFIG
    ```

    ## Fix
    `importguard fix --unsafe-fixes --select IG300` applies the advice: moves the suggested import
    into the functions that use it, or under `TYPE_CHECKING`.

    ## Fix safety
    Unsafe: the import then runs later (or never at runtime), which changes when its side effects
    happen.
    """

    code = "IG300"
    name = "import-cycle"
    scope = "repo"
    VALID = (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "def f():\n    from pkg import a\n"},
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n",
         "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"},
    )
    INVALID = (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "from pkg import a\n"},
    )

    def check_repo(self, repo: RepoContext) -> Iterable[Diagnostic]:
        by_pair = _strongest(repo.edges)
        for cyc in repo.cycles:
            if cyc.kind != IMPORT_TIME:
                continue
            cands = break_candidates(cyc, by_pair)
            if not cands:
                continue
            edge = cands[0]
            info = repo.modules[edge.source]
            imp = info.facts.imports[edge.import_index]
            path_txt = describe_path(cyc.path)
            size = len(cyc.modules)
            scopes = [s for s in edge.use_scopes if s]
            if edge.typing_only:
                advice = f"move `{imp.text}` under `if TYPE_CHECKING:` (only used in annotations)"
                fix_kind, fix_scopes = "move-to-type-checking", ()
            elif not edge.uses:
                advice = f"remove `{imp.text}` (unused)"
                fix_kind, fix_scopes = "remove-import", ()
            elif "" not in edge.use_scopes:
                fnames = ", ".join(f"`{s}`" for s in scopes[:4]) + (" ..." if len(scopes) > 4 else "")
                advice = f"move `{imp.text}` into the function{'s' if len(scopes) > 1 else ''} that use it ({fnames})"
                fix_kind, fix_scopes = "defer-import", tuple(scopes)
            else:
                advice = (f"`{imp.text}` is used at import time in `{edge.source}`; move that code or the "
                          f"shared names into a module both can import")
                fix_kind, fix_scopes = "", ()
            msg = (f"Import cycle of {size} modules: {path_txt}; break it at `{edge.source}` -> "
                   f"`{edge.target}`: {advice}")
            fix = Fix(fix_kind, False, "Break the cycle here", imp.line, imp.col, imp.bound, fix_scopes) if fix_kind else None
            key = "cycle:" + ",".join(cyc.modules)
            yield Diagnostic(info.path, imp.line, imp.col + 1, self.code, msg, imp.end_line, imp.end_col + 1,
                             fix is not None, (), key, fix)
