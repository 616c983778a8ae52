from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from importguard.analysis.context import noqa_covers
from importguard.model import cost_note
from importguard.rules.base import Rule, diag
from importguard.rules.fix_safety import unused_import_fix

if TYPE_CHECKING:
    from importguard.analysis.context import FileContext
    from importguard.model import Diagnostic, ImportFact, ModuleFacts


def exempt_from_unused(ctx: FileContext, imp: ImportFact, runtime_only: bool = False) -> bool:
    """The imports IG100 never reports (``__future__``, star imports, names in ``__all__``,
    redundant aliases, ...) (shared with IG200, which counts only
    runtime imports of this module's names by other modules: ``runtime_only``)."""
    if imp.is_future or imp.is_star or not imp.bound:
        return True
    module_level = imp.scope_kind == "module" or imp.binds_global
    if ctx.facts.all_names is not None and imp.bound in ctx.facts.all_names and module_level:
        return True
    if imp.redundant_alias:
        return True
    if imp.guarded:
        return True
    repo = ctx.repo
    source = ctx.source_module(imp)
    if repo.module_matches(source, repo.config.side_effect_modules) or repo.module_matches(
        ctx.target(imp), repo.config.side_effect_modules
    ):
        return True
    if imp.scope_kind == "class" and repo.attribute_read_near(ctx.module, imp.bound):
        return True  # a class attribute: ``obj.name``, ``Sub.name`` in this or a related module may read it
    if not module_level or not ctx.module:
        return False
    if ctx.is_init and imp.scope_kind == "module" and repo.origin(source, imp.level > 0) == "first party":
        if not repo.config.check_reexports:
            return True
        return repo.imported_from_package(ctx.module, imp.bound, runtime_only)
    if ctx.is_init and f"{ctx.module}.{imp.bound}" in repo.modules:
        return False  # ``pkg.name`` elsewhere is the submodule, not this import
    # another module imports this name from here (``from pkg.mod import name``, or ``from pkg.mod
    # import *`` when it has no ``__all__``): a re-export in use
    return repo.imported_from_package(ctx.module, imp.bound, runtime_only)


def silenced_with_its_siblings(facts: ModuleFacts, imp: ImportFact, code: str) -> bool:
    """``import a.b`` and ``import a.c`` bind one name, ``a`` (pyflakes and ruff report only the
    last of them): a ``noqa`` on any plain import of that name in the same scope silences all."""
    if imp.name is not None or imp.asname is not None or not facts.noqa:
        return False
    for other in facts.imports:
        if (other is not imp and other.name is None and other.asname is None and other.bound == imp.bound
                and other.scope == imp.scope and other.scope_kind == imp.scope_kind
                and noqa_covers(facts, code, other.stmt_line, other.stmt_end_line)):
            return True
    return False


class UnusedImport(Rule):
    """An import whose name is never used.

    ## What it does
    Reports an import binding that no load of that name can reach, with Python's real scoping:
    - a name bound anywhere in a function (assignment, `for`, `with ... as`, `del`, an import,
      `+=`, `:=`, `except ... as`) is local to the whole function: a load before that binding
      never reads the module's import (it raises `UnboundLocalError`);
    - class scopes are not visible from methods, but a class-body import is a class attribute:
      `self.json`, `cls.json` and `A.json` use it;
    - `global x` / `nonlocal x` make an import in a function bind the outer name, which every
      load of that name (and `__all__`) may see;
    - comprehensions have their own scope; PEP 695 type parameters (`def f[T]`, `class C[T]`,
      `type X[T] = ...`) shadow imports of the same name; `except E as e:` unbinds `e` at the
      end of the handler;
    - `import a.b.c` makes `c` an attribute of `a.b` for every binding of `a` or `a.b`: `from a
      import b` then `b.c.x` (or a function's own `import a.d` then `a.b.c.x`) uses it;
    - an unconditional rebinding before any use makes the import unused.

    An import under `if TYPE_CHECKING:` (also `typing.TYPE_CHECKING`, or `TYPE_CHECKING`
    imported under another name) with a runtime fallback (`else:`, `if not TYPE_CHECKING:`,
    `try`/`except`) is the binding type checkers see: used when the name is.

    Uses that are not among the code's names count too:
    - strings in type expressions are forward references (typing uses): annotations
      (`x: "pd.DataFrame"`), type alias values (`X: TypeAlias = "Foo"`, `X = Union[str, "Foo"]`,
      `Callable[["Response"], Any]`, `Optional["a.B"]`, `"Union[A, B]"`), the first argument of
      `cast("T", v)`, `TypeVar("T", "A", bound="B")`, `NewType("N", "T")`, functional
      `NamedTuple`/`TypedDict` field types, and types inside `Annotated` metadata. A subscript is a
      type expression when its value comes from `typing`, `typing_extensions` or
      `collections.abc` (or is `list`, `dict`, `tuple`, `type`...); `x["key"]`, `Literal["x"]`,
      ordinary string arguments and `__all__` entries are not;
    - PEP 484 type comments (`x = []  # type: List[Foo]`, `# type: (int, Foo) -> Bar`), but not
      `# type: ignore`;
    - names in a literal string given to `eval` or `exec` (runtime uses), or as the condition of
      `pytest.mark.skipif` / `pytest.mark.xfail` (pytest evaluates it in the module's globals).

    Never reported: `__future__` imports; star imports; names listed in `__all__` (also
    `__all__ += [...]` and `__all__ = __all__ + [...]`); redundant aliases (`import x as x`,
    `from m import y as y`, PEP 484 re-exports, in modules and in `.pyi` stubs alike); imports of
    first-party modules in `__init__.py`
    (with `check-reexports = true`, only those that no module of the repository imports from the
    package); imports that another module of the repository imports from this one (`from
    pkg.mod import name`, or `from pkg.mod import *` when the module has no `__all__`: a
    re-export in use); imports in a `try:` whose handler catches `ImportError`, and the fallback
    imports in that handler (`except ImportError: from simplejson import loads`); imports under
    `with pytest.raises(ImportError)`, `with self.assertRaises(ImportError)` or `with
    contextlib.suppress(ImportError)` (or `ModuleNotFoundError`, `Exception`, `BaseException`):
    availability checks, or the very thing under test; modules listed in `side-effect-modules`.

    `import a.b` and `import a.c` bind one name, `a`: a `# noqa` (or `# noqa: F401`) on one of
    them silences the others too, as it does for pyflakes and ruff, which report only the last.

    A module whose namespace may be read by computed names (`eval`/`exec` of a non-literal
    string, `globals()`, module-level `vars()`/`locals()`, `sys.modules[__name__]`, a module
    `__getattr__`) may need an import that looks unused.

    ## Why it matters
    Every import runs module code and allocates memory at startup, and an unused one also hides
    real dependencies from readers.

    ## Example
    ```python
    import os
    import sys

    print(sys.argv)
    ```

    ## Fix
    Remove the unused name; remove the whole statement when no name is left (leaving `pass`
    where the block would otherwise be empty).

    ## Fix safety
    Safe only when the finding is certain and nobody can observe the removal. Otherwise the
    fix is *unsafe* (applied only with `--unsafe-fixes`) or *advice* (never applied), and the
    JSON output says why (`"fix": {"applicability": ..., "reason": ...}`):

    - unsafe when the module reaches its names dynamically (a non-literal `eval`/`exec`,
      `globals()`, module-level `vars()`, `sys.modules[__name__]`, a module `__getattr__`, a
      `pytest.mark.skipif` / `xfail` condition given by name, which may be a string pytest runs);
    - unsafe for a plain `import a.b` when the module reads an attribute `b` through another name
      (`mpl = pytest.importorskip("matplotlib")` ... `mpl.collections`): the import sets it;
    - unsafe for a class-body import (a class attribute, readable as `C.name`);
    - unsafe when a call names it in a string (`mock.patch("pkg.mod.name")`,
      `monkeypatch.setattr("pkg.mod.name", v)`, `patch.object(mod, "name")`, `getattr(mod, "name")`), or
      another module reads the module with `getattr(mod, name)`, the name computed at runtime;
    - unsafe when the import makes a first-party submodule an attribute of its package
      (`import pkg.sub`, `from pkg.sub import x`) and another binding reads `pkg.sub`
      elsewhere (`import pkg` ... `pkg.sub.x`): without it, that read can raise AttributeError;
    - unsafe in a library (a `[project]` name, `setup.py`/`setup.cfg` or packages under
      `src/`; `library = true|false` decides) for a public name (`from m import Name`) of a
      shipped, public module without `__all__`, and for every public name of a module the
      repository itself imports names from (a compatibility or re-export module): code outside
      the repository may import them;
    - unsafe in test data: a file in a test folder (`tests/`, `test/`, `testing/`) that is no
      test module (`test_*.py`, `*_test.py`, `conftest.py`) and that no test module, helper or
      shipped module imports: the tests read it as text or import it by name (formatter or
      lexer inputs with expected outputs, documentation fixtures);
    - advice only under a test's expectation of failure (`with pytest.raises(...)`,
      `self.assertRaises(...)`, `contextlib.suppress(...)`, `@pytest.mark.xfail`);
    - advice only when the import loads a first-party module (directly or through its imports)
      that has a side effect on other modules at import time: a call, attribute or item store or
      decorator on an imported name (`admin.site.register(M)`, `signal.connect(f)`,
      `registry.HANDLERS[k] = f`), unless an earlier import of the module has loaded it already.

    Third-party modules imported for their side effects cannot be seen: list them in
    `side-effect-modules`. Imports under `if TYPE_CHECKING:` never run, so removing them is safe
    (except in test data, which tests may import with `typing.TYPE_CHECKING` set to true).
    """

    code = "IG100"
    name = "unused-import"
    VALID = (
        "import os\nprint(os.sep)\n",
        "from __future__ import annotations\n",
        "from os import *\n",
        "import os\n__all__ = ['os']\n",
        "import os as os\n",
        "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n",
        "import typing\nx: 'typing.List[int]' = []\n",
        "from typing import cast\nimport decimal\ny = cast('decimal.Decimal', 1)\n",
        "from typing import Union\nfrom decimal import Decimal\nX = Union[str, 'Decimal']\n",
        "from typing import Callable, Any\nfrom collections import OrderedDict\nX = Callable[['OrderedDict'], Any]\n",
        "from typing import NewType\nfrom io import StringIO\nN = NewType('N', 'StringIO')\n",
        "from typing import Optional\nimport email.message\nX = Optional['email.message.Message']\n",
        "from typing import List\nfrom decimal import Decimal\nx = []  # type: List[Decimal]\n",
        "from decimal import Decimal\ndef f(a):\n    # type: (int) -> Decimal\n    pass\n",
        "import os\nx = eval('os.sep')\n",
        "try:\n    from json import loads\nexcept ImportError:\n    from simplejson import loads\n",
        {"pkg/__init__.py": "import os\n", "app.py": "from pkg import *\nprint(os)\n"},
        "import os\ndef f():\n    return os.sep\n",
        "class C:\n    import sys\n    x = sys.argv\n",
        "import a.b\nimport a.c\nprint(a.b.x, a.c.y)\n",
        "import a.b\nprint(a.c)\n",
        {"pkg/__init__.py": "from .sub import thing\n", "pkg/sub.py": "thing = 1\n"},
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from decimal import Decimal\nelse:\n"
        "    Decimal = float\ndef f():\n    return Decimal(1)\n",
        "import xml.etree.ElementTree\nfrom xml import etree\netree.ElementTree.parse('x.xml')\n",
        "import a.b  # noqa: F401\nimport a.c\n",
        "class A:\n    import json\n    def f(self):\n        return self.json\n",
        "def setup():\n    global json\n    import json\n__all__ = ['json']\n",
        "import pytest\ndef test():\n    with pytest.raises(ImportError):\n        import optional_dep\n",
        "import os, sys\n__all__ = ['os']\n__all__ = __all__ + ['sys']\n",
    )
    INVALID = (
        "import os\n",
        "from os import path, sep\nprint(sep)\n",
        "import os\nos = 1\nprint(os)\n",
        "class C:\n    import os\n    def f(self):\n        return os.sep\n",
        "def f():\n    import json\n    return 1\n",
        "import a.b\nimport a.c\nprint(a.b.x)\n",
        "from typing import TYPE_CHECKING as TC\nif TC:\n    from decimal import Decimal\n",
        "import json\ndef f():\n    print(json)\n    json = 1\n",
        "from m import T\ndef f[T](x: T) -> T:\n    return x\n",
        "import e\ndef f():\n    try:\n        pass\n    except Exception as e:\n        pass\n    return e\n",
        "from typing import Literal\nimport decimal\nX = Literal['decimal']\n",
        "import decimal\nd = {}\nx = d['decimal']\n",
        "import os\nx = 1  # type: ignore[attr-defined]\n",
        "import os\nx = eval('sep')\n",
    )

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        for imp in ctx.facts.imports:
            if imp.uses or imp.fallback_used or exempt_from_unused(ctx, imp):
                continue
            if silenced_with_its_siblings(ctx.facts, imp, self.code):
                continue
            where = " under `if TYPE_CHECKING:`" if imp.in_type_checking else ""
            if imp.name is None:
                what = f"`{imp.module}`" + (f" (as `{imp.asname}`)" if imp.asname else "")
            else:
                mod = "." * imp.level + imp.module
                what = f"`{mod}.{imp.name}`" if mod and not mod.endswith(".") else f"`{mod}{imp.name}`"
                if imp.asname:
                    what += f" (as `{imp.asname}`)"
            msg = f"{what} imported{where} but unused"
            cost = None
            if not imp.in_type_checking and imp.level == 0:
                cost = ctx.repo.known_cost(ctx.target(imp), ctx.source_module(imp))
                msg += cost_note(cost)
            fix = unused_import_fix(ctx, imp)
            yield diag(ctx, self.code, imp.line, imp.col, msg, end_line=imp.end_line, end_col=imp.end_col,
                       fix=fix, key=f"{imp.text}", cost=cost)
