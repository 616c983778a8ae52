from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional

from importguard.analysis.context import NOQA_ALIASES
from importguard.model import RUNTIME, Diagnostic, Fix, ImportFact, cost_note
from importguard.rules.base import Rule, diag
from importguard.rules.fix_safety import MOVE_TO_TYPE_CHECKING
from importguard.rules.ig100_unused_import import exempt_from_unused

if TYPE_CHECKING:
    from importguard.analysis.context import FileContext


# dataclasses finds these in string annotations by looking the name up in the module's globals:
# moved under TYPE_CHECKING, an ``InitVar`` field silently becomes an ordinary field
LOOKED_UP_BY_NAME = {"dataclasses.InitVar", "dataclasses.KW_ONLY", "typing.ClassVar"}


def typing_only(ctx: FileContext, imp: ImportFact, strategy: Optional[str]) -> bool:
    """Every use of the binding sits where Python does not evaluate it at runtime."""
    if not imp.uses or imp.in_type_checking or imp.scope_kind != "module" or not imp.top_level:
        return False
    if exempt_from_unused(ctx, imp, runtime_only=True):
        return False
    repo = ctx.repo
    if repo.module_matches(ctx.source_module(imp), repo.config.exempt_modules):
        return False
    if ctx.target(imp) in LOOKED_UP_BY_NAME:
        return False
    if kept_on_purpose(ctx, imp):
        return False
    if ctx.facts.all_names is not None and imp.bound in ctx.facts.all_names:
        return False
    if any(repo.use_is_runtime(ctx, u, strategy) for u in imp.uses):
        return False
    if reads_type_hints(ctx):
        return False
    if not repo.config.strict and module_needed_at_runtime(ctx, imp, strategy):
        return False
    return True


# calls that evaluate annotations (strings included) of whatever they are given
EVALUATE_ANNOTATIONS = frozenset({
    "typing.get_type_hints", "typing_extensions.get_type_hints", "inspect.get_annotations",
    "annotationlib.get_annotations", "typing.get_annotations",
})


def reads_type_hints(ctx: FileContext) -> bool:
    """The module calls ``typing.get_type_hints`` (or ``inspect.get_annotations``, which evaluates
    strings with ``eval_str=True``) at import time: its annotations, postponed or not, must resolve
    when it runs, so none of its imports is typing-only. Uses inside functions called at import time
    (decorators, module-level calls) count too: any runtime use in the module does."""
    got = getattr(ctx, "_reads_type_hints", None)
    if got is None:
        got = False
        for imp in ctx.facts.imports:
            if imp.in_type_checking or not imp.uses:
                continue
            target = ctx.target(imp) or ""
            for u in imp.uses:
                if u.kind != RUNTIME:
                    continue
                full = target + u.dotted[len(imp.bound):] if imp.name is not None or imp.asname else u.dotted
                if full in EVALUATE_ANNOTATIONS:
                    got = True
                    break
            if got:
                break
        ctx._reads_type_hints = got  # type: ignore[attr-defined]
    return got


def kept_on_purpose(ctx: FileContext, imp: ImportFact) -> bool:
    """``# noqa: F401`` (or IG100) marks an import kept for what it exports at runtime (jinja2's
    ``runtime.py`` exports names that compiled templates import by string)."""
    for line, codes in ctx.facts.noqa:
        # line 0: a file-level ruff noqa comment for F401 keeps every import of the file on purpose
        if (line == 0 or imp.stmt_line <= line <= imp.stmt_end_line) and codes:
            if any(NOQA_ALIASES.get(c, c) in ("IG", "IG1", "IG10", "IG100") for c in codes):
                return True
    return False


def module_needed_at_runtime(ctx: FileContext, imp: ImportFact, strategy: Optional[str]) -> bool:
    """Another runtime import of the same module in this file: moving this one saves nothing."""
    source = ctx.source_module(imp)
    for other in ctx.facts.imports:
        if other is imp or other.in_type_checking or other.scope_kind != "module":
            continue
        if ctx.source_module(other) != source:
            continue
        if any(ctx.repo.use_is_runtime(ctx, u, strategy) for u in other.uses):
            return True
    return False


class TypingOnlyImport(Rule):
    """An import used only in annotations that Python does not evaluate at runtime.

    ## What it does
    Reports an import whose every use sits in an annotation that Python does not evaluate at
    runtime: string annotations, local-variable annotations inside functions, all annotations
    when the module has `from __future__ import annotations` or the target Python is 3.14 or
    newer (PEP 649/749), PEP 695 `type X = ...` values and type parameter bounds, strings in type
    expressions that Python evaluates (`X = Union[str, "Foo"]`, `cast("Foo", v)`,
    `TypeVar("T", bound="Foo")`, `NewType("N", "Foo")`: Python keeps the string and never looks
    the name up), and PEP 484 type comments (`x = []  # type: List[Foo]`).

    Not eligible: any runtime use (calls, bases, decorators, defaults, `isinstance`, `cast(T, v)`,
    unquoted names in a type alias such as `X = Union[str, Foo]`, names in a literal string given
    to `eval`/`exec`);
    annotations inside classes that derive from `runtime-evaluated-base-classes` (such as
    `pydantic.BaseModel`) or are decorated with `runtime-evaluated-decorators` (such as
    `attrs.define` or `functools.singledispatch`), followed through first-party subclass chains
    across modules; modules in `exempt-modules` (default `typing`, `typing_extensions`); every
    import of a module that calls `typing.get_type_hints` (also through an alias or `from typing
    import get_type_hints`) or `inspect.get_annotations` anywhere: it evaluates annotations,
    postponed ones included, so their names must exist at runtime.

    With `annotation-strategy = "quote"` or `"future"` (or `--annotation-strategy`), annotations
    that Python would still evaluate count as typing-only too, since the fix will quote them or
    add `from __future__ import annotations`.

    An import marked `# noqa: F401` (or `IG100`) is kept for what it exports at runtime and is
    not reported. Unless `strict = true`, an import is not reported when another import of the same module in
    the file is needed at runtime (`from m import A, B` with `A` used at runtime): the module is
    loaded anyway, so moving `B` saves nothing (ruff's default, `strict = false`, does the same).

    The message says whether the module is standard library, third party or first party.

    ## Why it matters
    The import runs at startup only to serve the type checker. Under `if TYPE_CHECKING:` it costs
    nothing at runtime, and first-party imports moved there stop closing import cycles.

    ## Example
    ```python
    from __future__ import annotations

    from decimal import Decimal

    def total(x: Decimal) -> Decimal: ...
    ```

    ## Fix
    Move the import into the module's `if TYPE_CHECKING:` block (created after the last top-level
    import, with `from typing import TYPE_CHECKING`, when there is none).

    ## Fix safety
    Unsafe: code may inspect annotations at runtime (`typing.get_type_hints`, dataclass-like
    libraries, dependency injection). Applied only with `--unsafe-fixes`.
    """

    code = "IG200"
    stubs = False  # a stub never runs: nothing to move, merge or defer
    name = "typing-only-import"
    VALID = (
        "from decimal import Decimal\ndef f(x: Decimal): ...\n",
        "from __future__ import annotations\nfrom decimal import Context, Decimal\nc = Context()\n"
        "def f(x: Decimal): ...\n",
        "from __future__ import annotations\nfrom decimal import Decimal\nprint(Decimal(1))\n",
        "from __future__ import annotations\nfrom pydantic import BaseModel\nfrom decimal import Decimal\n"
        "class M(BaseModel):\n    x: Decimal\n",
        "from __future__ import annotations\nfrom typing import List\ndef f(x: List[int]): ...\n",
        "from decimal import Decimal\nfrom typing import cast\ny = cast(Decimal, 1)\n",
        "from typing import Union\nfrom decimal import Decimal\nX = Union[str, Decimal]\n",
        "from decimal import Decimal\nx = eval('Decimal(1)')\n",
        "from __future__ import annotations\nfrom decimal import Decimal  # noqa: F401\n"
        "def f(x: Decimal): ...\n",
        "from __future__ import annotations\nfrom dataclasses import InitVar, dataclass\n"
        "@dataclass\nclass C:\n    x: InitVar[int]\n",
    )
    INVALID = (
        "from __future__ import annotations\nfrom decimal import Decimal\ndef f(x: Decimal): ...\n",
        "from decimal import Decimal\ndef f(x: 'Decimal'): ...\n",
        "from decimal import Decimal\ndef f():\n    x: Decimal = g()\n",
        "from decimal import Decimal\nfrom typing import cast\ny = cast('Decimal', 1)\n",
        "from typing import Union\nfrom decimal import Decimal\nX = Union[str, 'Decimal']\n",
        "from decimal import Decimal\nx = None  # type: Decimal\n",
    )

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        strategy = ctx.repo.config.annotation_strategy
        for imp in ctx.facts.imports:
            if not typing_only(ctx, imp, strategy):
                continue
            source = ctx.source_module(imp)
            origin = ctx.repo.origin(source, imp.level > 0)
            full = ctx.target(imp) or imp.text
            # ``import a.b.c`` binds ``a``, which other imports may share and use at runtime: the
            # module the statement loads is what only annotations use
            what = full if imp.name is None and imp.asname is None and "." in (imp.module or "") else imp.bound
            msg = (f"`{what}` is only used in annotations; {origin} import `{full}` can move into "
                   "`if TYPE_CHECKING:`")
            cost = ctx.repo.known_cost(ctx.target(imp), source) if origin != "first party" else None
            msg += cost_note(cost)
            fix = Fix("move-to-type-checking", False, "Move into `if TYPE_CHECKING:`", imp.line, imp.col, imp.bound,
                      reason=MOVE_TO_TYPE_CHECKING)
            yield diag(ctx, self.code, imp.line, imp.col, msg, end_line=imp.end_line, end_col=imp.end_col,
                       fix=fix, key=imp.text, cost=cost)
