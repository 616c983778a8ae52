from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..model import RUNTIME, Diagnostic, Fix
from .fix_safety import MOVE_OUT_OF_TYPE_CHECKING
from .base import Rule, diag

if TYPE_CHECKING:
    from .context import FileContext


class RuntimeTypeCheckingImport(Rule):
    """A name imported only under `if TYPE_CHECKING:` that is used at runtime.

    ## What it does
    Reports a name bound only inside `if TYPE_CHECKING:` (or `if typing.TYPE_CHECKING:`) that is
    used where Python evaluates it: calls, bases, defaults, decorators, function bodies, and
    annotations that Python evaluates (no `from __future__ import annotations`, or a class that a
    runtime-evaluated base class or decorator inspects). Uses are matched by dotted path:
    `import a.b` at runtime and `import a.c` under `TYPE_CHECKING` both bind `a`, and a runtime use
    of `a.b.x` is covered by the runtime import.

    ## Why it matters
    `TYPE_CHECKING` is false at runtime, so the name does not exist there: a `NameError` waiting to
    happen, often only on a rarely taken path.

    ## Example
    ```python
    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        from decimal import Decimal

    def parse(s):
        return Decimal(s)
    ```

    ## Fix
    Move the import out of the `TYPE_CHECKING` block, unless that would close an import-time
    cycle in the repository graph (the fix then refuses and says so).

    ## Fix safety
    Unsafe: the import now runs at startup, with its cost and side effects. Applied only with
    `--unsafe-fixes`.
    """

    code = "IG201"
    name = "runtime-type-checking-import"
    VALID = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from decimal import Decimal\n"
        "def f(x: 'Decimal'): ...\n",
        "import a.b\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a.c\nprint(a.b.x)\n",
        "from __future__ import annotations\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from decimal import Decimal\ndef f(x: Decimal): ...\n",
    )
    INVALID = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from decimal import Decimal\n"
        "def f(s):\n    return Decimal(s)\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from decimal import Decimal\n"
        "def f(x: Decimal): ...\n",
    )

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        repo = ctx.repo
        covered = set()
        for imp in ctx.facts.imports:
            if not imp.in_type_checking:
                covered.update((u.line, u.col, u.dotted) for u in imp.uses)
        for imp in ctx.facts.imports:
            if not imp.in_type_checking or not imp.bound:
                continue
            runtime = [u for u in imp.uses if (u.line, u.col, u.dotted) not in covered
                       and repo.use_is_runtime(ctx, u)]
            if not runtime:
                continue
            first = min(runtime, key=lambda u: (u.line, u.col))
            how = "at runtime" if first.kind == RUNTIME else "in an annotation Python evaluates"
            msg = (f"`{imp.bound}` is imported under `if TYPE_CHECKING:` but used {how} "
                   f"(`{first.dotted}` at line {first.line})")
            fix = Fix("move-out-of-type-checking", False, "Move out of `if TYPE_CHECKING:`", imp.line, imp.col, imp.bound,
                      reason=MOVE_OUT_OF_TYPE_CHECKING)
            yield diag(ctx, self.code, imp.line, imp.col, msg, end_line=imp.end_line, end_col=imp.end_col,
                       fix=fix, key=imp.text)
