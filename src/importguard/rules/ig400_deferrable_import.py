from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, List, Optional, Tuple

from importguard.model import Diagnostic, Fix, ImportFact, format_ms
from importguard.rules.base import Rule, diag
from importguard.rules.fix_safety import DEFER_IMPORT

if TYPE_CHECKING:
    from importguard.analysis.context import FileContext
from importguard.rules.ig100_unused_import import exempt_from_unused

# Loaded by every CPython before the first line of user code runs: deferring them saves nothing.
ALWAYS_LOADED = frozenset({
    "sys", "builtins", "abc", "io", "codecs", "time", "marshal", "encodings", "os", "os.path",
    "posixpath", "ntpath", "stat", "site", "genericpath", "zipimport", "_collections_abc",
})
FREE_MS = 0.1  # a measured cost below this is noise: nothing to gain


def outer_function(scope: str) -> str:
    """The outermost function around a use: ``f.<locals>.g`` -> ``f``, ``C.m`` -> ``C.m``."""
    return scope.split(".<locals>.", 1)[0]


def deferrable_scopes(ctx: FileContext, imp: ImportFact, lazy: bool) -> Optional[Tuple[str, ...]]:
    """The functions the import could move into, or None when it must stay where it is."""
    if not imp.top_level or imp.scope_kind != "module" or imp.in_type_checking or imp.guarded:
        return None
    if imp.lazy or imp.is_future or imp.is_star or not imp.bound or not imp.uses:
        return None
    if any(u.scope == "" for u in imp.uses):
        return None  # something uses it at import time
    repo = ctx.repo
    if not any(repo.use_is_runtime(ctx, u) for u in imp.uses):
        return None  # typing-only: IG200's business
    if exempt_from_unused(ctx, imp):
        return None
    if ctx.facts.all_names is not None and imp.bound in ctx.facts.all_names:
        return None
    if ctx.module and repo.imported_from_package(ctx.module, imp.bound):
        return None  # another module imports the name from this one
    scopes = sorted({outer_function(u.scope) for u in imp.uses})
    if not lazy and any("<lambda>" in s or "<" in s.split(".")[0] for s in scopes):
        return None  # no statement can go inside a lambda
    return tuple(scopes)


class DeferrableImport(Rule):
    """A module-level import used only inside functions.

    ## What it does
    Reports a module-level import of a standard-library or third-party module whose every use
    is inside function bodies, so that nothing needs it while the module is being imported.
    The message carries the cost that `importguard cost` measured for the module, when it has
    been measured; `importguard check --select IG400 --sort cost` puts the dearest first.

    Not reported: first-party modules (moving them changes the import graph; IG300 deals with
    cycles), imports under `if TYPE_CHECKING:`, in `try:`/`except ImportError`, or nested in
    `if`/`with`; `__future__` and star imports; names listed in `__all__` or imported from this
    module by another module of the repository; modules every interpreter loads at start-up
    (`os`, `sys`, ...) or that were measured cheaper than `min-cost-ms` (default 10 ms);
    imports used only in annotations (IG200). Imports never measured are reported.
    Off by default: enable it with `--select IG400` or `select = ["IG4"]`.

    ## Why it matters
    Every import at module level runs when the module is imported, even when the program never
    calls the function that needs it: a command-line tool pays for `sympy` to print `--help`.

    ## Example
    ```python
    import sympy

    def solve(expr):
        return sympy.solve(expr)
    ```

    ## Fix
    Move the import into each function that uses it (the outermost function, for uses in
    nested functions). When the target Python is 3.15 or newer, make it a PEP 810
    `lazy import` instead, which keeps it at the top of the module.

    ## Fix safety
    Unsafe: the module's import-time side effects (registrations, warnings, monkey-patching)
    happen later or not at all, and an ImportError surfaces when the function runs instead of
    at start-up. Applied only with `--unsafe-fixes`.
    """

    code = "IG400"
    stubs = False  # a stub never runs: nothing to move, merge or defer
    name = "deferrable-import"
    VALID = (
        "import json\nDATA = json.loads('{}')\n",
        "import json\ndef f():\n    return json.dumps({})\n__all__ = ['json']\n",
        "import os\ndef f():\n    return os.sep\n",
        "from . import sibling\ndef f():\n    return sibling.x\n",
        "try:\n    import json\nexcept ImportError:\n    json = None\ndef f():\n    return json.dumps(1)\n",
        "from __future__ import annotations\nfrom decimal import Decimal\ndef f(x: Decimal): ...\n",
        "import json\nclass C:\n    encoder = json.JSONEncoder\n",
        "import json\nf = lambda: json.dumps(1)\n",
        "import json\n@json.loads\ndef f():\n    pass\n",
        {"pkg/__init__.py": "", "pkg/a.py": "import json\ndef f():\n    return json.dumps(1)\n",
         "pkg/b.py": "from pkg.a import json\n"},
    )
    INVALID = (
        "import json\ndef f():\n    return json.dumps({})\n",
        "from decimal import Decimal\nclass C:\n    def m(self):\n        return Decimal(1)\n",
        "import json\ndef f():\n    def g():\n        return json.dumps(1)\n    return g\n",
    )

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        repo = ctx.repo
        lazy = repo.config.target_version >= (3, 15)
        for imp in ctx.facts.imports:
            if not imp.top_level or imp.scope_kind != "module" or imp.level > 0:
                continue
            source = ctx.source_module(imp)
            if repo.origin(source) == "first party":
                continue
            target = ctx.target(imp)
            if source in ALWAYS_LOADED or target in ALWAYS_LOADED:
                continue
            scopes = deferrable_scopes(ctx, imp, lazy)
            if scopes is None:
                continue
            cost = repo.known_cost(target, source)
            if cost is not None and (cost.preloaded or cost.cumulative_ms < max(FREE_MS, repo.config.min_cost_ms)):
                continue
            yield self._diagnostic(ctx, imp, target or imp.text, scopes, cost, lazy)

    def _diagnostic(self, ctx: FileContext, imp: ImportFact, target: str, scopes: Tuple[str, ...],
                    cost, lazy: bool) -> Diagnostic:
        named = _names(scopes)
        if cost is not None:
            head = f"`{cost.module}` costs {format_ms(cost.cumulative_ms)} ms at import"
        else:
            head = f"`{target}` is imported at module level"
        used = "" if cost is None or cost.module == target else f" of `{imp.bound}`"
        msg = f"{head}; every use{used} is inside functions ({named})"
        if lazy:
            fix = Fix("lazy-import", False, "Make it a `lazy import`", imp.line, imp.col, imp.bound, scopes,
                      reason=DEFER_IMPORT)
        else:
            fix = Fix("defer-import", False, f"Move the import into {named}", imp.line, imp.col, imp.bound, scopes,
                      reason=DEFER_IMPORT)
        return diag(ctx, self.code, imp.line, imp.col, msg, end_line=imp.end_line, end_col=imp.end_col,
                    fix=fix, key=imp.text, cost=cost)


def _names(scopes: Tuple[str, ...], limit: int = 3) -> str:
    shown: List[str] = [f"`{s}`" for s in scopes[:limit]]
    if len(scopes) > limit:
        shown.append(f"{len(scopes) - limit} more")
    return ", ".join(shown)
