from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from importguard.model import Diagnostic
from importguard.rules.base import Rule

if TYPE_CHECKING:
    from importguard.analysis.context import FileContext


class CannotAnalyse(Rule):
    """A file that cannot be read, decoded or parsed.

    ## What it does
    Reports a file that does not parse, is not valid in its declared encoding, cannot be read,
    vanishes while the run goes on, or is too deeply nested for the parser. The reason is in the
    message. The run goes on with every other file.

    ## Why it matters
    A file the tool cannot analyse is a file where unused imports and cycles go unseen; a fix
    never writes to such a file.

    ## Example
    ```python
    def broken(:
    ```

    ## Fix
    None: repair the file by hand.

    ## Fix safety
    Nothing is ever written to a file that could not be parsed.
    """

    code = "IG900"
    name = "cannot-analyse"
    VALID = ("x = 1\n",)
    INVALID = ("def broken(:\n", "import os\x00\n")

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        if ctx.facts.error:
            yield Diagnostic(ctx.path, 1, 1, self.code, f"Cannot analyse file: {ctx.facts.error}", 1, 1,
                             False, (), "unparsable")
