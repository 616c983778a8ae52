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

import os
from collections import defaultdict
from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

from importguard.analysis.context import QUERIES, FileContext, flag_imports_used_only_in
from importguard.analysis.graph import absolute_module, absolute_target
from importguard.model import IMPORT_TIME, Fix, ImportFact

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

# Decorators that only build or wrap the object they decorate (from a standard-library or
# third-party module): not a registration in another module
PURE_DECORATORS = frozenset({
    "dataclass", "total_ordering", "lru_cache", "cache", "cached_property", "wraps", "property",
    "staticmethod", "classmethod", "abstractmethod", "abstractproperty", "overload", "final",
    "override", "runtime_checkable", "no_type_check", "contextmanager", "asynccontextmanager",
    "unique", "s", "attrs", "define", "frozen", "mutable", "dataclass_transform", "deprecated",
    "fixture", "singledispatch", "singledispatchmethod", "command", "group", "option", "argument",
    "pass_context", "pass_obj", "setter", "getter", "deleter", "validator",
})
# Top-level folders and file names that are never part of what a library ships
NOT_SHIPPED = frozenset({
    "tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "benchmark",
    "bench", "scripts", "tools", "tasks", "conftest", "setup", "noxfile", "fabfile", "manage",
})


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


def safety_index(repo: RepoContext) -> "SafetyIndex":
    repo.read_everything()  # its answers come from indexes over every module and the edges
    index = getattr(repo, "_safety_index", None)
    if index is None:
        index = SafetyIndex(repo)
        repo._safety_index = index  # type: ignore[attr-defined]
    return index


class SafetyIndex:
    """Facts about the whole repository that the safety of a removal depends on, built once."""

    def __init__(self, repo: RepoContext) -> None:
        self.repo = repo
        self._observers: Optional[Dict[str, Tuple[str, int]]] = None
        self._effects: Dict[str, str] = {}
        self._reexporters: Optional[Set[str]] = None
        self._adj: Optional[Dict[str, Set[str]]] = None
        self._strings: Optional[Dict[Tuple[str, str], Tuple[str, str, int]]] = None
        self._test_data: Optional[Set[str]] = None

    # ---------------------------------------------------------------- what an import loads
    def loaded_by(self, module: str, is_package: bool, imp: ImportFact) -> List[str]:
        """First-party modules the import statement itself imports (``import a.b.c``: ``a``,
        ``a.b``, ``a.b.c``; ``from a.b import c``: ``a``, ``a.b`` and ``a.b.c`` if a module)."""
        known = self.repo.modules
        src = absolute_module(imp, module, is_package)
        if not src:
            return []
        parts = src.split(".")
        out = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if imp.name and imp.name != "*":
            out.append(f"{src}.{imp.name}")
        return [m for m in out if m in known]

    def already_loaded(self, ctx: FileContext, imp: ImportFact) -> Set[str]:
        """Modules certainly imported before ``imp`` runs: the module's own packages, and what the
        earlier import-time statements of its module body load."""
        out: Set[str] = set()
        parts = ctx.module.split(".") if ctx.module else []
        for i in range(1, len(parts) + (1 if ctx.is_init else 0)):
            out.add(".".join(parts[:i]))
        for other in ctx.facts.imports:
            if other is imp or other.kind != IMPORT_TIME or other.scope_kind != "module" or not other.top_level:
                continue
            if other.lazy or other.guarded:
                continue
            if imp.scope_kind == "module" and other.stmt_index >= imp.stmt_index:
                continue
            out.update(self.loaded_by(ctx.module, ctx.is_init, other))
        return out

    # ---------------------------------------------------------------- side effects
    def _adjacency(self) -> Dict[str, Set[str]]:
        if self._adj is None:
            adj: Dict[str, Set[str]] = defaultdict(set)
            for e in self.repo.edges:
                if e.kind == IMPORT_TIME:
                    adj[e.source].add(e.target)
            self._adj = adj
        return self._adj

    def closure(self, start: List[str]) -> Set[str]:
        adj = self._adjacency()
        seen = set(start)
        todo = list(start)
        while todo:
            m = todo.pop()
            for n in adj.get(m, ()):
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen

    def module_effect(self, module: str) -> str:
        """A description of the first import-time effect of ``module`` on other modules, or ""."""
        if module in self._effects:
            return self._effects[module]
        info = self.repo.modules.get(module)
        found = ""
        if info is not None:
            for kind, name, line in info.facts.effects:
                if kind == "decorator" and self._pure_decorator(info, name):
                    continue
                verb = {"call": "calls", "store": "assigns to", "decorator": "decorates with"}.get(kind, kind)
                found = f"`{info.path}` {verb} `{name}` at import time (line {line})"
                break
        self._effects[module] = found
        return found

    def _pure_decorator(self, info, name: str) -> bool:
        head, _, rest = name.partition(".")
        last = name.rsplit(".", 1)[-1]
        for imp in info.facts.imports:
            if imp.bound != head or imp.scope_kind != "module":
                continue
            src = absolute_module(imp, info.name, info.is_package)
            if self.repo.origin(src, imp.level > 0) == "first party":
                return False
            if rest.startswith("mark.") or rest == "mark":  # pytest.mark.*: metadata only
                return True
            return last in PURE_DECORATORS
        return False

    def side_effect(self, ctx: FileContext, imp: ImportFact) -> str:
        loads = self.loaded_by(ctx.module, ctx.is_init, imp)
        if not loads:
            return ""
        before = self.already_loaded(ctx, imp)
        fresh = sorted(self.closure([m for m in loads if m not in before]) - self.closure(sorted(before)))
        for m in fresh:
            effect = self.module_effect(m)
            if effect:
                return f"a side-effect import: it loads `{m}`, and {effect}"
        return ""

    # ---------------------------------------------------------------- submodules as attributes
    def observers(self) -> Dict[str, Tuple[str, int]]:
        """First-party submodule -> a place that reads it as an attribute of its package through
        a binding that does not import it (so it relies on some other import having done so)."""
        if self._observers is not None:
            return self._observers
        out: Dict[str, Tuple[str, int]] = {}
        modules = self.repo.modules
        for name, info in modules.items():
            own_loads: Set[str] = set()
            for imp in info.facts.imports:
                if not imp.in_type_checking and imp.scope_kind == "module" and imp.kind == IMPORT_TIME:
                    own_loads.update(self.loaded_by(name, info.is_package, imp))
            for imp in info.facts.imports:
                if not imp.uses or not imp.bound:
                    continue
                if imp.name is None and imp.asname is None:
                    base = imp.bound  # ``import a.b`` binds ``a``
                else:
                    base = absolute_target(imp, name, info.is_package) or ""
                if not base:
                    continue
                mine = set(self.loaded_by(name, info.is_package, imp))
                for u in imp.uses:
                    parts = u.dotted.split(".")
                    full = base.split(".") + parts[1:]
                    for i in range(len(base.split(".")) + 1, len(full) + 1):
                        sub = ".".join(full[:i])
                        if sub not in modules:
                            break
                        if sub in mine or (u.scope and sub in own_loads):
                            continue
                        out.setdefault(sub, (info.path, u.line))
        self._observers = out
        return out

    def submodule_observer(self, ctx: FileContext, imp: ImportFact) -> str:
        loads = [m for m in self.loaded_by(ctx.module, ctx.is_init, imp) if "." in m]
        if not loads:
            return ""
        before = self.already_loaded(ctx, imp)
        observers = self.observers()
        for m in loads:
            if m in before or m not in observers:
                continue
            path, line = observers[m]
            package, _, attr = m.rpartition(".")
            return (f"removing it can leave `{attr}` unset on package `{package}`, which `{path}` "
                    f"reads as `{m}` (line {line}) through another import")
        return ""

    # ---------------------------------------------------------------- names in strings
    def string_names(self) -> Dict[Tuple[str, str], Tuple[str, str, int]]:
        """(module, name) -> (path, text, line) for every name some call is given as a string:
        ``mock.patch("pkg.mod.name")``, ``monkeypatch.setattr("pkg.mod.name", v)``,
        ``patch.object(mod, "name")``, ``getattr(mod, "name")``."""
        if self._strings is not None:
            return self._strings
        out: Dict[Tuple[str, str], Tuple[str, str, int]] = {}
        modules = self.repo.modules
        for name, info in modules.items():
            for obj, text, line in info.facts.string_refs:
                if not obj:
                    parts = text.split(".")
                    for i in range(1, len(parts)):
                        mod = ".".join(parts[:i])
                        if mod in modules:
                            out.setdefault((mod, parts[i]), (info.path, text, line))
                    continue
                head, _, rest = obj.partition(".")
                for imp in info.facts.imports:
                    if imp.bound != head:
                        continue
                    if imp.name is None and imp.asname is None:
                        base = imp.bound
                    else:
                        base = absolute_target(imp, name, info.is_package) or ""
                    full = base + ("." + rest if rest else "")
                    if full in modules:
                        out.setdefault((full, text), (info.path, f"{obj}, {text!r}", line))
        self._strings = out
        return out

    def named_in_string(self, ctx: FileContext, imp: ImportFact) -> str:
        if not ctx.module:
            return ""
        names = self.string_names()
        found = names.get((ctx.module, imp.bound))
        if found is None:
            found = names.get((ctx.module, "*"))
            if found is not None:
                path, text, line = found
                return (f"`{path}` reads names of this module computed at runtime "
                        f"(`getattr({text.split(',')[0]}, ...)`, line {line})")
            return ""
        path, text, line = found
        return (f"`{path}` names it in a string (`{text}`, line {line}), as `mock.patch` or "
                f"`getattr` do: the name is read without being written")

    # ---------------------------------------------------------------- test data
    def test_data(self) -> Set[str]:
        """Modules in a test folder that are no test module (``test_*.py``, ``*_test.py``,
        ``conftest.py``) and that no test module, shipped module or module they import reaches
        through an import statement: inputs the tests read as text or import by name (black's
        ``tests/data``, pygments' ``tests/examplefiles``, sphinx's ``tests/roots``)."""
        if self._test_data is not None:
            return self._test_data
        modules = self.repo.modules
        root = os.path.abspath(str(self.repo.config.project_root))
        in_tests: Set[str] = set()
        start: List[str] = []
        for name, info in modules.items():
            folders = _folders(info.path, root)
            if any(p in TEST_FOLDERS for p in folders) and not is_test_module(info.path):
                in_tests.add(name)
            else:
                start.append(name)
        if not in_tests:
            self._test_data = set()
            return self._test_data
        adj: Dict[str, Set[str]] = defaultdict(set)
        for e in self.repo.edges:  # every kind: a deferred or typing-only import names it too
            adj[e.source].add(e.target)
        seen = set(start)
        todo = list(start)
        while todo:
            m = todo.pop()
            parts = m.split(".")
            for n in list(adj.get(m, ())) + [".".join(parts[:i]) for i in range(1, len(parts))]:
                if n not in seen:  # a module's packages run before it
                    seen.add(n)
                    todo.append(n)
        self._test_data = in_tests - seen
        return self._test_data

    # ---------------------------------------------------------------- library API
    def reexporters(self) -> Set[str]:
        """Modules from which another module of the repository imports a name that is itself an
        import there: compatibility and re-export modules."""
        if self._reexporters is None:
            out: Set[str] = set()
            for name, info in self.repo.modules.items():
                if info.is_package:
                    continue
                for imp in info.facts.imports:
                    if imp.scope_kind == "module" and imp.bound and not imp.in_type_checking:
                        if self.repo.imported_from_package(name, imp.bound, runtime_only=True):
                            out.add(name)
                            break
            self._reexporters = out
        return self._reexporters

    def library_api(self, ctx: FileContext, imp: ImportFact) -> str:
        if not self.repo.config.library or not ctx.module or ctx.module.startswith("<"):
            return ""
        if imp.bound.startswith("_") or not shipped(ctx.module):
            return ""
        if ctx.module in self.reexporters():
            return (f"`{ctx.module}` is a module the repository imports names from (a re-export "
                    f"module): code outside the repository may import `{imp.bound}` from it too")
        if any(p.startswith("_") and not p.startswith("__") for p in ctx.module.split(".")):
            return ""  # a private module of the library
        if ctx.facts.all_names is not None:
            return ""  # ``__all__`` declares the public names; this one is not among them
        if imp.name is None:
            return ""  # a module binding (``import json``): not part of anyone's API
        target = ctx.target(imp)
        if target in self.repo.modules:
            return ""  # ``from . import sub``: users import the submodule itself
        return (f"a public name of library module `{ctx.module}` (no `__all__`): code outside the "
                f"repository may import `{imp.bound}` from it")


TEST_FOLDERS = frozenset({"tests", "test", "testing"})


def _folders(path: str, root: str) -> List[str]:
    """The folders of a module's display ``path`` (relative to the working folder, or absolute)
    below the project ``root``: a ``tests`` folder above the project is no test folder of it."""
    rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if rel.startswith("../"):  # outside the project root: its own folders, as written
        rel = path.replace("\\", "/")
    return [p for p in rel.split("/")[:-1] if p not in ("", ".", "..")]


def is_test_module(path: str) -> bool:
    """A file pytest or unittest collects, or a pytest ``conftest.py``."""
    last = path.replace("\\", "/").rsplit("/", 1)[-1]
    stem = last[:-3] if last.endswith(".py") else last
    return stem.startswith("test_") or stem.endswith("_test") or stem in ("conftest", "tests", "test")


def shipped(module: str) -> bool:
    """Is ``module`` part of what a library installs (not its tests, docs or tooling)?"""
    parts = module.split(".")
    if parts[0] in NOT_SHIPPED:
        return False
    if any(p in ("tests", "test", "testing", "conftest") for p in parts):
        return False
    last = parts[-1]
    return not (last.startswith("test_") or last.endswith("_test"))
