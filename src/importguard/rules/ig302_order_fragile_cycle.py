from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, Tuple

from importguard.analysis.simulation import (
    describe_chain,
    outcomes,
    simulate_one,
    simulated_modules,
)
from importguard.analysis.sortorder import sorted_order
from importguard.model import IMPORT_TIME, Diagnostic
from importguard.rules.base import Rule

if TYPE_CHECKING:
    from importguard.analysis.context import RepoContext


class OrderFragileCycle(Rule):
    """An import cycle that works today only because of where an import statement sits.

    ## What it does
    Simulates imports as IG301 does, once more with each module's top-level imports moved to the
    top and sorted as isort or ruff's I001 fix would write them. When an entry imports fine as
    written but fails sorted, the modules on the failing chain are sorted one at a time; the first
    whose own sorting breaks the entry is where the finding goes, at its import that leads into the
    cycle: the statement whose position keeps the cycle alive. A cycle that already fails as written
    is IG301's business.

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

    @staticmethod
    def _culprit(repo: RepoContext, f, entry: str, world):
        """The module on the failing chain whose sorting alone makes ``entry`` fail (else the
        partially initialised one): the module whose statement order keeps the cycle alive, and
        the failure that sorting it alone causes."""
        chain = list(dict.fromkeys([f.partial] + [m for m, _ in reversed(f.chain)]))
        if len(chain) == 1:
            return f.partial, f
        modules = simulated_modules(repo)
        first_party = {m.split(".", 1)[0] for m in modules}
        for m in chain:
            def order(name: str, m=m):
                info = modules[name]
                return sorted_order(info, first_party) if name == m else range(len(info.facts.events))
            alone = simulate_one(repo, modules, entry, "c" + m, order, world)  # kept between runs
            if alone is not None:
                return m, alone
        return f.partial, f

    def check_repo(self, repo: RepoContext) -> Iterable[Diagnostic]:
        as_written, reordered, _ = outcomes(repo)
        component = {m: i for i, c in enumerate(repo.cycles) if c.kind == IMPORT_TIME for m in c.modules}
        failing = {component.get(f.partial, f.partial) for f in as_written.failures.values()}
        found: Dict[Tuple[str, int, int], dict] = {}
        for key in sorted(reordered.failures):
            f = reordered.failures[key]
            if component.get(f.partial, f.partial) in failing:
                continue  # that cycle fails already as written: IG301 reports it
            culprit, f = self._culprit(repo, f, min(reordered.entries[key]), reordered.worlds[key][0])
            frame = next(((m, line) for m, line in f.chain if m == culprit), None)
            info = repo.modules.get(culprit)
            if frame is None or info is None:
                continue
            imp = next((i for i in info.facts.imports if i.line == frame[1] or i.stmt_line == frame[1]), None)
            if imp is None:
                continue
            slot = found.setdefault((info.path, imp.line, imp.col), {"imp": imp, "info": info, "f": f, "entries": set(),
                                                                     "where": reordered.where[key]})
            slot["entries"] |= reordered.entries[key]
        for (path, line, col), slot in sorted(found.items()):
            imp, f = slot["imp"], slot["f"]
            entries = tuple(sorted(slot["entries"]))
            where = slot["info"].name
            msg = (f"`{imp.text}` in `{where}` must stay where it is: with the imports of `{where}` sorted to "
                   f"the top, importing `{entries[0]}` first fails{slot['where']} at {f.path}:{f.line} with {f.error}: "
                   f"{f.message}; import chain: {describe_chain(f.chain)}")
            yield Diagnostic(path, line, col + 1, self.code, msg, imp.end_line, imp.end_col + 1, False, (),
                             f"fragile:{f.partial}:{imp.text}")
