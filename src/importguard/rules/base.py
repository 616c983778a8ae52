"""The rule protocol: one class per rule whose docstring is its documentation."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable, Optional, Sequence, Union

from importguard.model import CostRecord, Diagnostic

if TYPE_CHECKING:
    from importguard.analysis.context import FileContext, RepoContext

# An example is a single module's source, or a small repository: {"pkg/a.py": "..."}.
Example = Union[str, dict]

DOC_HEADINGS = ("What it does", "Why it matters", "Example", "Fix", "Fix safety")


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    scope: ClassVar[str] = "file"  # "file" rules see one module; "repo" rules the whole graph
    stubs: ClassVar[bool] = True  # also checks ``.pyi`` stubs (rules about runtime behaviour do not)
    # a "repo" rule that may run in the forked process of the file checks: it reads the graph, the
    # cycles and the facts, and writes only keys of its own in the results store
    beside: ClassVar[bool] = False
    VALID: ClassVar[Sequence[Example]] = ()
    INVALID: ClassVar[Sequence[Example]] = ()

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        return ()

    def check_repo(self, repo: RepoContext) -> Iterable[Diagnostic]:
        return ()

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")


def diag(ctx: FileContext, code: str, line: int, col: int, message: str, *, end_line: int = 0,
         end_col: int = 0, fix=None, key: str = "", cost: Optional[CostRecord] = None) -> Diagnostic:
    """A file rule's finding; ``cost`` is the measured import cost its message states, if any."""
    cost_ms = cost.cumulative_ms if cost is not None and not cost.preloaded else None
    return Diagnostic(ctx.path, line, col + 1, code, message, end_line or line, (end_col or col) + 1,
                      fix is not None and not fix.advice, (), key, fix, cost_ms)
