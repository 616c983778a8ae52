from __future__ import annotations

from typing import Iterable, Optional, Set, Tuple

from importguard.analysis.context import QUERIES, FileContext
from importguard.model import RUNTIME, Diagnostic, Fix, ImportFact, Use
from importguard.rules.base import Rule, diag
from importguard.rules.fix_safety import MOVE_OUT_OF_TYPE_CHECKING

# attrs reads ``__annotations__`` without evaluating them (strings stay strings under PEP 563)
ATTRS_DECORATORS = frozenset({
    "attr.s", "attr.attrs", "attr.define", "attr.frozen", "attr.mutable", "attr.dataclass",
    "attrs.define", "attrs.frozen", "attrs.mutable",
})


class RuntimeTypeCheckingImport(Rule):
    """A name imported only under `if TYPE_CHECKING:` that is used at runtime.

    ## What it does
    Reports a name bound only inside `if TYPE_CHECKING:` (or `if typing.TYPE_CHECKING:`, or
    `TYPE_CHECKING` imported under another name: `from typing import TYPE_CHECKING as TC`) that is
    used where Python evaluates it: calls, bases, defaults, decorators, function bodies, and
    annotations that Python evaluates (no `from __future__ import annotations`, or a class that a
    runtime-evaluated base class or decorator inspects). Uses are matched by dotted path:
    `import a.b` at runtime and `import a.c` under `TYPE_CHECKING` both bind `a`, and a runtime use
    of `a.b.x` is covered by the runtime import; a runtime `import a.b.c` loads `a.b` and binds `a`,
    so it covers a `TYPE_CHECKING` `import a.b` read as `a.b.X`.

    Not reported: a name that a runtime fallback binds (`else:` / `elif` of the block, a later
    `if not TYPE_CHECKING:`, a `try`/`except ImportError` fallback); annotations of attrs classes
    (`@attr.s`, `@attrs.define`, `@define`, `@frozen`, ...) and of dataclasses under
    `from __future__ import annotations` (or when the target Python is 3.14 or newer): attrs and
    dataclasses keep them as strings and never evaluate them. Without postponed annotations Python
    evaluates class-level annotations itself, so those are reported.

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
    stubs = False  # a stub never runs: nothing to move, merge or defer
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
        covered: Set[Tuple[int, int, str]] = set()  # (line, col, dotted) of uses a runtime import serves
        loaded = []  # runtime ``import a.b.c``: (scope, "a.b.c"): loads a, a.b, a.b.c and binds a
        for imp in ctx.facts.imports:
            if not imp.in_type_checking:
                covered.update((u.line, u.col, u.dotted) for u in imp.uses)
                if imp.name is None and imp.asname is None and imp.level == 0:
                    loaded.append((imp.scope if imp.scope_kind == "function" else "", imp.module))
        for imp in ctx.facts.imports:
            if not imp.in_type_checking or not imp.bound:
                continue
            runtime = [u for u in imp.uses if (u.line, u.col, u.dotted) not in covered
                       and not _loaded_anyway(imp, u, loaded) and evaluated(ctx, u)]
            if not runtime:
                continue
            first = min(runtime, key=lambda u: (u.line, u.col))
            how = "at runtime" if first.kind == RUNTIME else "in an annotation Python evaluates"
            msg = (f"`{imp.bound}` is imported under `if TYPE_CHECKING:` but used {how} "
                   f"(`{first.dotted}` at line {first.line})")
            fix = Fix("move-out-of-type-checking", False, "Move out of `if TYPE_CHECKING:`", imp.line, imp.col,
                      imp.bound, reason=MOVE_OUT_OF_TYPE_CHECKING)
            yield diag(ctx, self.code, imp.line, imp.col, msg, end_line=imp.end_line, end_col=imp.end_col,
                       fix=fix, key=imp.text)


def _loaded_anyway(imp: ImportFact, use: Use, loaded) -> bool:
    """A TYPE_CHECKING ``import a.b`` read as ``a.b.X`` where a runtime ``import a.b`` or
    ``import a.b.c`` (visible from the use) already loads ``a.b`` and binds ``a``."""
    if imp.name is not None or imp.asname is not None or imp.level:
        return False
    mod = imp.module
    if not (use.dotted == mod or use.dotted.startswith(mod + ".")):
        return False
    for scope, other in loaded:
        if other == mod or other.startswith(mod + "."):
            if not scope or use.scope == scope or use.scope.startswith(scope + ".<locals>."):
                return True
    return False


def evaluated(ctx: FileContext, use: Use) -> bool:
    """Does Python (or a library at class creation) evaluate this use at runtime?

    Stricter than ``use_is_runtime``, which also counts annotations some library *may* read: attrs
    classes (``@attr.s``, ``@attrs.define``, ...) under postponed annotations keep them as strings,
    so their annotations never need the name.
    """
    repo = ctx.repo
    if not repo.use_is_runtime(ctx, use):
        return False
    if use.kind == RUNTIME or not use.owner:
        return True
    if not (ctx.facts.future_annotations or repo.config.target_version >= (3, 14)):
        return True
    if any(f.qualname == use.owner for f in ctx.facts.functions) and repo.function_is_runtime_evaluated(ctx, use.owner):
        return True
    if repo.reads is not None and ctx.module:
        return bool(repo.ask("evaluating-class", ctx.module, use.owner))
    return _class_evaluates(repo, ctx, ctx.module, use.owner, 0)


def _class_evaluates(repo, ctx: Optional[FileContext], module: str, qualname: str, depth: int) -> bool:
    """``class_is_runtime_evaluated`` without attrs decorators, which never evaluate annotations."""
    cache = repo.__dict__.setdefault("_ig201_classes", {})
    key = (module, qualname)
    if key in cache:
        return cache[key]
    cache[key] = False  # cycle guard
    info = repo.modules.get(module) if module or ctx is None else ctx.info
    result = False
    if info is not None and depth < 30:
        fc = ctx if ctx is not None and ctx.module == module else FileContext(repo, info)
        cls = next((c for c in info.facts.classes if c.qualname == qualname), None)
        if cls is not None:
            decorators = [d for d in repo.config.runtime_evaluated_decorators if d not in ATTRS_DECORATORS]
            if any(repo.qualify(fc, d) in decorators for d in cls.decorators):
                result = True
            for b in cls.bases:
                if result:
                    break
                q = repo.qualify(fc, b)
                if q in repo.config.runtime_evaluated_base_classes:
                    result = True
                    break
                mod, _, cname = q.rpartition(".")
                if mod in repo.modules:
                    result = _class_evaluates(repo, fc, mod, cname, depth + 1)
                elif not mod:
                    result = _class_evaluates(repo, fc, module, cname, depth + 1)
    cache[key] = result
    return result


QUERIES["evaluating-class"] = lambda repo, module, qualname: _class_evaluates(repo, None, module, qualname, 0)
