"""How safe is removing an unused import? (IG100's fix applicability.)

IG100 decides *whether* an import is unused; this module decides whether its removal can be
applied without ``--unsafe-fixes``. A removal is *safe* only when the finding is certain and
nobody can observe the removal at runtime:

- certain: nothing reads the module's names dynamically (``ModuleFacts.dynamic``: non-literal
  ``eval``/``exec``, ``globals()``, ``sys.modules[__name__]``, a module ``__getattr__``), no
  call names it in a string (``mock.patch("pkg.mod.name")``, ``getattr(mod, "name")``), and the
  binding is not a class attribute (``C.x``, ``self.x`` from anywhere);
- unobservable: no code outside the repository can import the name (a public name of a public
  library module that is not covered by ``__all__``; any public name of a module the repository
  itself uses as a re-export module); the removal cannot leave a first-party submodule unset
  as an attribute of its package while another binding reads it (``import a.b`` removed while
  ``import a`` elsewhere reads ``a.b.x``); the import is not under a test's expectation that it
  fails (``pytest.raises``, ``assertRaises``, ``suppress``, ``xfail``); and it does not load a
  first-party module whose import changes other modules (calls, attribute stores or decorators
  on imported names at import time).

Everything else is ``unsafe`` (applied only with ``--unsafe-fixes``) or ``advice`` (never
applied): an import under an expected failure and an import that loads a side-effect module.
Every answer carries the reason, shown in JSON output and by ``importguard explain IG100``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Tuple

from importguard.analysis.context import QUERIES, FileContext, flag_imports_used_only_in
from importguard.model import IMPORT_TIME, Fix, ImportFact
from importguard.rules.safety_index import safety_index

if TYPE_CHECKING:
    from importguard.analysis.context import RepoContext

TITLE = "Remove unused import"

# Why the fixes of the other rules are never safe (their ``Fix.reason``)
MOVE_TO_TYPE_CHECKING = ("the import no longer runs: code that evaluates annotations at runtime "
                         "(`typing.get_type_hints`, dataclass-like libraries, dependency injection) "
                         "or imports the name from this module breaks")
MOVE_OUT_OF_TYPE_CHECKING = ("the module is imported at runtime from now on: its import cost, side "
                             "effects and import failures become part of this module's import")
BREAK_CYCLE = ("moves an import into functions or under `TYPE_CHECKING`: modules are imported in "
               "another order, and later or never")
DEFER_IMPORT = ("the module is imported on first use instead of at import time: its side effects "
                "and import errors move there, and other modules can no longer import the name from here")


def unused_import_fix(ctx: FileContext, imp: ImportFact) -> Fix:
    """The IG100 fix for ``imp``, safe or not, with the reason when it is not."""
    repo = ctx.repo
    if repo.reads is not None and ctx.module:  # a file's check being recorded: the answer is noted
        index = next(i for i, other in enumerate(ctx.facts.imports) if other is imp)
        reason, advice = repo.ask("removal-risk", ctx.module, index)  # type: ignore[misc]
    else:
        reason, advice = removal_risk(ctx, imp)
    return Fix("remove-import", not reason, TITLE, imp.line, imp.col, imp.bound, reason=reason, advice=advice)


def removal_risk(ctx: FileContext, imp: ImportFact) -> Tuple[str, bool]:
    """("", False) when removing ``imp`` is safe; else (why, advice only)."""
    facts = ctx.facts
    for first, last, what in facts.expect_fail:
        if first <= imp.line <= last:
            return f"a test expects this import to fail (`{what}`, line {first}); left as it is", True
    data = test_data_risk(ctx)
    if data:
        return data, False
    if imp.in_type_checking:
        return "", False  # never runs: nothing at runtime can observe it
    index = safety_index(ctx.repo)
    effect = index.side_effect(ctx, imp)
    if effect:
        return effect, True
    if imp.scope_kind == "class":
        return f"a class attribute: code elsewhere can read it as `{imp.scope}.{imp.bound}`", False
    dynamic = [d for d in facts.dynamic if imp.scope_kind == "module" or "eval" in d or "exec" in d]
    if dynamic:
        return f"the module reaches its names dynamically ({dynamic[0]})", False
    if imp.scope_kind == "module":
        named = index.named_in_string(ctx, imp)
        if named:
            return named, False
    observer = index.submodule_observer(ctx, imp) or submodule_read_here(ctx, imp)
    if observer:
        return observer, False
    if imp.scope_kind == "module":
        public = index.library_api(ctx, imp)
        if public:
            return public, False
    return "", False


def submodule_read_here(ctx: FileContext, imp: ImportFact) -> str:
    """``import a.b`` (a plain dotted import) loads ``a.b`` and sets it as attribute ``b`` of
    ``a``, which the module can read through a name that is no import (``mpl =
    pytest.importorskip("matplotlib")`` ... ``mpl.collections``): why removing it is not safe
    when the module reads such an attribute and no earlier module-level import loads ``a.b``,
    or ""."""
    if imp.name is not None or imp.level or "." not in imp.module:
        return ""
    parts = imp.module.split(".")
    read = set(ctx.facts.attributes)
    for i in range(1, len(parts)):
        attr, sub = parts[i], ".".join(parts[:i + 1])
        if attr not in read:
            continue
        if any(o is not imp and o.kind == IMPORT_TIME and o.scope_kind == "module" and not o.level
               and not o.guarded and not o.in_type_checking and o.stmt_index < imp.stmt_index
               and (o.module == sub or o.module.startswith(sub + ".")) for o in ctx.facts.imports):
            continue  # loaded by an earlier import of the module body
        return (f"removing it can leave `{attr}` unset on package `{'.'.join(parts[:i])}`, and this "
                f"module reads an attribute `{attr}` through another name")
    return ""


def test_data_risk(ctx: FileContext) -> str:
    """Why no edit of ``ctx``'s file is safe when it is test data, or "": the tests read it as
    text or import it by name, even with ``typing.TYPE_CHECKING`` set to true (sphinx's autodoc
    does), so what they compare can change with any edit."""
    if ctx.repo.reads is not None and ctx.module:
        return str(ctx.repo.ask("test-data", ctx.module))
    return _test_data_risk(ctx)


def _test_data_risk(ctx: FileContext) -> str:
    if ctx.module not in safety_index(ctx.repo).test_data():
        return ""
    return (f"test data: `{ctx.path}` is in a test folder, is no test module and nothing in the "
            f"repository imports it, so the tests read it as text or import it by name (formatter or "
            f"lexer inputs with expected outputs, documentation fixtures): editing it can change what "
            f"they compare")


def type_checking_import_risk(ctx: FileContext, line: int, end_line: int) -> str:
    """Removing an empty ``TYPE_CHECKING`` block also removes the ``TYPE_CHECKING`` (or
    ``typing``) import when the block was its only use: why that would not be safe, or ""."""
    if ctx.repo.reads is not None and ctx.module:
        return str(ctx.repo.ask("type-checking-import-risk", ctx.module, line, end_line))
    data = test_data_risk(ctx)
    if data:
        return data
    for imp in flag_imports_used_only_in(ctx.facts, [(line, end_line)]):
        if ctx.repo.imported_from_package(ctx.module, imp.bound):
            return f"another module imports `{imp.bound}` from this one"
        reason, _ = removal_risk(ctx, imp)
        if reason:
            return f"it also removes the import of `{imp.bound}`: {reason}"
    return ""


def _file(repo: RepoContext, module: str) -> FileContext:
    return FileContext(repo, repo.modules[module])


# the answers a recorded file check notes (``RepoContext.ask``): each depends on indexes over the
# whole repository, so a file's kept findings are checked against these answers, not its reads
QUERIES.update({
    "removal-risk": lambda repo, module, i: removal_risk(_file(repo, module), repo.modules[module].facts.imports[i]),
    "test-data": lambda repo, module: _test_data_risk(_file(repo, module)),
    "type-checking-import-risk": lambda repo, module, line, end: type_checking_import_risk(_file(repo, module),
                                                                                           line, end),
})
