from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from importguard.analysis.simulation import describe_chain, outcomes
from importguard.model import Diagnostic
from importguard.rules.base import Rule

if TYPE_CHECKING:
    from importguard.analysis.context import RepoContext


class FailingImportCycle(Rule):
    """An import cycle that raises at import time, found by simulating CPython's import order.

    ## What it does
    Imports each first-party module first in a simulated fresh interpreter and runs every module
    body statement by statement, as CPython does: a module is in `sys.modules` before its body
    runs, a submodule becomes an attribute of its package only when its import finishes,
    `from package import submodule` falls back to `sys.modules`, class bodies run and function
    bodies run only when a module-level call or decorator calls the module's own function. Tests
    on `sys.version_info`, `sys.platform` and `os.name` are decided for each pair of a version of
    the target range (`requires-python` with its upper bound, `target-version`) and a platform
    (linux, win32, darwin); a failure that happens only on some of them says so ("on win32", "on
    Python 3.9", "on win32 with Python 3.12 and newer"). Reports the statement that
    raises, with Python's message and the chain of imports that leads there; `entries` (JSON)
    lists every module that, imported first, fails there.

    Only failures a cycle causes are reported: the name must be one the partially initialised
    module binds once its body finishes, or one of its submodules. A first-party module missing
    from the tree (generated at build time, ignored, a C extension, described only by a `.pyi`
    stub) is unknown: importable and opaque, never "partially initialized".

    ## Why it matters
    "cannot import name X from partially initialized module Y" appears only for some entry
    points: the test suite imports `pkg.a` first and passes, a user's script imports `pkg.b` first
    and crashes. This finds it before anyone runs that entry point.

    ## Example
    ```python
    # pkg/a.py
    from pkg.b import helper
    CONFIG = {}
    # pkg/b.py
    from pkg.a import CONFIG   # ImportError when pkg.a is imported first
    def helper(): ...
    ```

    ## Fix
    Break the cycle (see IG300's advice): move the import into the function that uses it, import
    the module instead of the name (`from pkg import a` then `a.CONFIG` inside functions), or move
    the shared names into a module that imports neither.

    ## Fix safety
    No automatic fix: which side to change is a design decision.
    """

    code = "IG301"
    name = "failing-import-cycle"
    scope = "repo"
    VALID = (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\nX = 1\n", "pkg/b.py": "from pkg import a\n"},
        {"pkg/__init__.py": "", "pkg/a.py": "X = 1\nfrom pkg.b import Y\n",
         "pkg/b.py": "def f():\n    from pkg.a import X\nY = 2\n"},
    )
    INVALID = (
        {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import Y\nX = 1\n", "pkg/b.py": "from pkg.a import X\nY = 2\n"},
        {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\nX = 1\n", "pkg/b.py": "import pkg.a\nZ = pkg.a.X\n"},
    )

    def check_repo(self, repo: RepoContext) -> Iterable[Diagnostic]:
        as_written, _, _ = outcomes(repo)
        for key in sorted(as_written.failures):
            f = as_written.failures[key]
            entries = tuple(sorted(as_written.entries[key]))
            chain = describe_chain(f.chain)
            first = entries[0]
            others = len(entries) - 1
            also = f" (and {others} other entr{'ies' if others > 1 else 'y'})" if others > 0 else ""
            msg = (f"{f.error}: {f.message} when `{first}` is imported first{also}{as_written.where[key]}; "
                   f"import chain: {chain}")
            yield Diagnostic(f.path, f.line, f.col + 1, self.code, msg, f.line, f.end_col + 1, False, entries,
                             f"failing:{f.module}:{f.partial}.{f.name}")
