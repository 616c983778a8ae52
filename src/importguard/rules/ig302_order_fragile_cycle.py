from __future__ import annotations

from typing import Dict, Iterable, Tuple

from ..model import IMPORT_TIME, Diagnostic
from ._simulation import describe_chain, outcomes
from .base import Rule
from .context import RepoContext


class OrderFragileCycle(Rule):
    """An import cycle that works today only because of where an import statement sits.

    ## What it does
    Simulates imports as IG301 does, once more with each module's top-level imports moved to the
    top and sorted as isort or ruff's I001 fix would write them. A cycle that passes as written but
    fails sorted is reported at the import statement whose late position keeps it alive: the import
    inside the partially initialised module that leads into the cycle.

    ## Why it matters
    The next "organise imports" (an editor action, a pre-commit hook, a ruff `--fix`) turns it into
    "cannot import name X from partially initialized module Y" at startup, in a change that touched
    no logic.

    ## Example
    ```python
    # pkg/__init__.py
    VERSION = "1.0"
    from pkg.cli import main   # must stay below VERSION
    # pkg/cli.py
    from pkg import VERSION
    ```

    ## Fix
    Break the cycle (IG300's advice), or mark the import so sorting tools leave it in place
    (`# isort: skip`, `# noqa: E402`) and say why in a comment.

    ## Fix safety
    No automatic fix.
    """

    code = "IG302"
    name = "order-fragile-cycle"
    scope = "repo"
    VALID = (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n", "pkg/b.py": "Y = 2\n"},
        # fails already as written, whichever order: IG301's business
        {"pkg/__init__.py": "", "pkg/c.py": "VERSION = '1'\nfrom pkg.cli import main\n",
         "pkg/cli.py": "from pkg.c import VERSION\ndef main():\n    return VERSION\n"},
    )
    INVALID = (
        {"pkg/__init__.py": "VERSION = '1'\nfrom pkg.cli import main\n",
         "pkg/cli.py": "from pkg import VERSION\ndef main():\n    return VERSION\n"},
    )

    def check_repo(self, repo: RepoContext) -> Iterable[Diagnostic]:
        as_written, reordered, _ = outcomes(repo)
        component = {m: i for i, c in enumerate(repo.cycles) if c.kind == IMPORT_TIME for m in c.modules}
        failing = {component.get(f.partial, f.partial) for f in as_written.failures.values()}
        found: Dict[Tuple[str, int, int], dict] = {}
        for key in sorted(reordered.failures):
            f = reordered.failures[key]
            if component.get(f.partial, f.partial) in failing:
                continue  # that cycle fails already as written: IG301 reports it
            frame = next(((m, line) for m, line in f.chain if m == f.partial), None)
            info = repo.modules.get(f.partial)
            if frame is None or info is None:
                continue
            imp = next((i for i in info.facts.imports if i.line == frame[1] or i.stmt_line == frame[1]), None)
            if imp is None:
                continue
            slot = found.setdefault((info.path, imp.line, imp.col), {"imp": imp, "info": info, "f": f, "entries": set()})
            slot["entries"] |= reordered.entries[key]
        for (path, line, col), slot in sorted(found.items()):
            imp, f = slot["imp"], slot["f"]
            entries = tuple(sorted(slot["entries"]))
            msg = (f"`{imp.text}` in `{f.partial}` must stay below the code that binds `{f.name}`: with "
                   f"imports sorted to the top, importing `{entries[0]}` first fails at {f.path}:{f.line} with "
                   f"{f.error}: {f.message}; import chain: {describe_chain(f.chain)}")
            yield Diagnostic(path, line, col + 1, self.code, msg, imp.end_line, imp.end_col + 1, False, (),
                             f"fragile:{f.partial}:{imp.text}")
