"""The repository-wide facts the safety of removing an import depends on (``fix_safety``):
which submodules other modules read as attributes, which names calls give as strings, which
modules are test data or re-export modules, what a first-party module does when imported."""
from __future__ import annotations

import os
from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

from importguard.analysis.contributions import Contributions, Whole
from importguard.analysis.graph import absolute_module, absolute_target
from importguard.model import IMPORT_TIME, ImportFact

if TYPE_CHECKING:
    from importguard.analysis.context import FileContext, RepoContext
    from importguard.analysis.graph import ModuleInfo
    from importguard.model import ModuleFacts

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
        self._reexporters: Dict[str, bool] = {}  # module -> a re-export module?
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
        found = self.effect_of(info) if info is not None else ""
        self._effects[module] = found
        return found

    def effect_of(self, info) -> str:
        """``module_effect`` of the module with these facts (``ModuleInfo``)."""
        for kind, name, line in info.facts.effects:
            if kind == "decorator" and self._pure_decorator(info, name):
                continue
            verb = {"call": "calls", "store": "assigns to", "decorator": "decorates with"}.get(kind, kind)
            return f"`{info.path}` {verb} `{name}` at import time (line {line})"
        return ""

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
        modules = self.repo.modules
        kept = Contributions.of(self.repo, "observe:")

        def build() -> Dict[str, Tuple[str, int]]:
            out: Dict[str, Tuple[str, int]] = {}
            for name, info in modules.items():
                found = kept.get(name)
                if found is None:
                    found = kept.put(name, self._observed_by(name, info))
                for sub, line in found:
                    out.setdefault(sub, (info.path, line))
            kept.done()
            return out

        self._observers = Whole(kept, list(modules), lambda name: self._observed_by(name, modules[name]), build).value()
        return self._observers

    def _observed_by(self, name: str, info) -> List[Tuple[str, int]]:
        """What ``observers`` takes from one module: (submodule, line), in the module's order."""
        modules = self.repo.modules
        out: List[Tuple[str, int]] = []
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
                    out.append((sub, u.line))
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
        modules = self.repo.modules
        parts = Contributions.of(self.repo, "strings:")  # most modules name nothing in strings

        def build() -> Dict[Tuple[str, str], Tuple[str, str, int]]:
            out: Dict[Tuple[str, str], Tuple[str, str, int]] = {}
            for name, info in modules.items():
                got = parts.get(name)
                if got is None:
                    got = parts.put(name, _string_names_of(name, info, modules))
                for mod, attr, path, text, line in got:
                    out.setdefault((mod, attr), (path, text, line))
            parts.done()
            return out

        self._strings = Whole(parts, list(modules), lambda name: _string_names_of(name, modules[name], modules),
                              build).value()
        return self._strings

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
        in_tests = self._in_test_folders(root)
        start = [name for name in modules if name not in in_tests]
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

    def _in_test_folders(self, root: str) -> Set[str]:
        """The modules in a test folder that are no test module: a function of the paths, kept in
        the results store under a digest of the module set (names, paths, kinds) and the root as
        seen from the working folder (the paths are relative to it, or absolute, in the digest: a
        checkout moved elsewhere finds it)."""
        from importguard.analysis.contributions import names_digest

        modules = self.repo.modules
        store = getattr(self.repo, "store", None)
        try:
            seen_from = os.path.relpath(root)
        except ValueError:  # another drive
            seen_from = root
        key = "in-test-folders:" + names_digest(modules) + ":" + seen_from if store is not None else ""
        got = store.data.get(key) if store is not None else None
        if isinstance(got, list):
            return set(got)
        found = {name for name, info in modules.items() if not is_test_module(info.path)
                 and any(p in TEST_FOLDERS for p in _folders(info.path, root))}
        if store is not None:
            for old in [k for k in store.data if k.startswith("in-test-folders:")]:
                del store.data[old]
            store.data[key] = sorted(found)
            store.dirty = True
        return found

    # ---------------------------------------------------------------- library API
    def reexports(self, name: str) -> bool:
        """Does another module of the repository import from ``name`` a name that is itself an
        import there (a compatibility or re-export module)? Asked of one module at a time: the
        names its own imports bind, looked up in the repository's imported-names tally."""
        got = self._reexporters.get(name)
        if got is None:
            info = self.repo.modules.get(name)
            got = info is not None and not info.is_package and any(
                self.repo.imported_from_package(name, b, runtime_only=True) for b in runtime_bound(info.facts))
            self._reexporters[name] = got
        return got

    def library_api(self, ctx: FileContext, imp: ImportFact) -> str:
        if not self.repo.config.library or not ctx.module or ctx.module.startswith("<"):
            return ""
        if imp.bound.startswith("_") or not shipped(ctx.module):
            return ""
        if self.reexports(ctx.module):
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


def runtime_bound(facts: ModuleFacts) -> Set[str]:
    """The names a module's imports bind in its namespace at runtime (module level, not under
    ``TYPE_CHECKING``): what another module can import from it as a re-export."""
    return {imp.bound for imp in facts.imports if imp.scope_kind == "module" and imp.bound and not imp.in_type_checking}


def _string_names_of(name: str, info: ModuleInfo, modules) -> List[Tuple[str, str, str, str, int]]:
    """``SafetyIndex.string_names`` of one module, in order: (module, name, path, text, line)."""
    out: List[Tuple[str, str, str, str, int]] = []
    for obj, text, line in info.facts.string_refs:
        if not obj:
            parts = text.split(".")
            for i in range(1, len(parts)):
                mod = ".".join(parts[:i])
                if mod in modules:
                    out.append((mod, parts[i], info.path, text, line))
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
                out.append((full, text, info.path, f"{obj}, {text!r}", line))
    return out


TEST_FOLDERS = frozenset({"tests", "test", "testing"})


def _folders(path: str, root: str) -> List[str]:
    """The folders of a module's display ``path`` (relative to the working folder, or absolute)
    below the project ``root``: a ``tests`` folder above the project is no test folder of it."""
    folder = os.path.dirname(path)
    return list(_dir_folders(folder, root, "" if os.path.isabs(folder) else os.getcwd()))


@lru_cache(maxsize=4096)
def _dir_folders(folder: str, root: str, cwd: str) -> Tuple[str, ...]:
    """``_folders`` of the files in ``folder`` (relative to ``cwd``): once per folder (a tree of
    6,000 files has 600)."""
    rel = os.path.relpath(os.path.join(cwd, folder) if cwd else folder, root).replace(os.sep, "/")
    if rel == ".." or rel.startswith("../"):  # outside the project root: its own folders, as written
        rel = folder.replace("\\", "/")
    return tuple(p for p in rel.split("/") if p not in ("", ".", ".."))


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
