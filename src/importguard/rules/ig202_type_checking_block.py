from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from importguard.model import Diagnostic, Fix
from importguard.rules.base import Rule, diag
from importguard.rules.fix_safety import test_data_risk, type_checking_import_risk

if TYPE_CHECKING:
    from importguard.analysis.context import FileContext


class TypeCheckingBlockHygiene(Rule):
    """An empty `if TYPE_CHECKING:` block, or a second one at module level.

    ## What it does
    Reports a `TYPE_CHECKING` block that holds only `pass` or `...` (unless it has `elif` or
    `else` branches: then the empty branch keeps type checkers out of them), and every module-level
    `TYPE_CHECKING` block after the first (at the later one) that holds only imports. A block with
    an `else:` branch, or one that defines names (`if TYPE_CHECKING: T = te.TypeVar(...)`), stays
    where it is: its position matters.

    ## Why it matters
    Typing-only imports belong in one place; scattered or empty blocks are noise that tools and
    readers must search through.

    ## Example
    ```python
    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        from a import A

    if TYPE_CHECKING:
        from b import B
    ```

    ## Fix
    Merge later blocks into the first one; remove empty blocks, and the `TYPE_CHECKING` import
    when nothing else uses it.

    ## Fix safety
    Safe: nothing inside a `TYPE_CHECKING` block runs at runtime. A block with an `else:` branch is
    left alone. Unsafe in test data (a file in a test folder that is no test module and that no
    module of the repository imports): tests read it as text, or import it by name with
    `typing.TYPE_CHECKING` set to true.
    """

    code = "IG202"
    stubs = False  # a stub never runs: nothing to move, merge or defer
    name = "type-checking-block"
    VALID = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import A\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import A\n"
        "if TYPE_CHECKING:\n    T = A\nelse:\n    T = int\n",
        "import os\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n"
        "elif os.name == 'posix':\n    X = 1\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import A\nX = 1\n"
        "if TYPE_CHECKING:\n    Y = A[X]\n",
    )
    INVALID = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING: pass\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import A\n"
        "x = 1\nif TYPE_CHECKING:\n    from b import B\n",
    )

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        first = None
        fix: Optional[Fix]
        for block in ctx.facts.type_checking:
            if block.empty and block.has_else:
                # `if TYPE_CHECKING: pass` + `elif`/`else:` keeps type checkers out of the other
                # branches: the empty branch is what the statement is for
                continue
            if block.empty:
                risk = type_checking_import_risk(ctx, block.line, block.end_line)
                fix = Fix("remove-type-checking", not risk, "Remove empty `TYPE_CHECKING` block",
                          block.line, block.col, reason=risk)
                yield diag(ctx, self.code, block.line, block.col, "Empty `if TYPE_CHECKING:` block", fix=fix,
                           end_line=block.end_line, key="empty")
                continue
            if not block.top_level:
                continue
            if block.has_else or not block.only_imports:
                # `if TYPE_CHECKING: X = ... else: ...` defines names in place: not a block to merge
                continue
            if first is None:
                first = block
                continue
            data = test_data_risk(ctx)
            fix = None if (block.has_else or first.has_else) else Fix(
                "merge-type-checking", not data, "Merge into the first `TYPE_CHECKING` block", block.line, block.col,
                reason=data)
            yield diag(ctx, self.code, block.line, block.col,
                       f"Second `if TYPE_CHECKING:` block; merge it into the one at line {first.line}",
                       end_line=block.end_line, fix=fix, key="second")
