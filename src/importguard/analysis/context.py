"""What rules may read: the configuration and the facts of every module. Never a CST node."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from importguard.analysis.graph import Edge, ModuleInfo, absolute_module, absolute_target
from importguard.analysis.reads import Reads, Watched, digests_of, footprint_holds, runtime_footprint
from importguard.model import ANNOTATION, RUNTIME, CostRecord, Diagnostic, ImportFact, ModuleFacts, Use

if TYPE_CHECKING:
    from importguard.config.settings import Config

if sys.version_info >= (3, 10):
    _STDLIB: FrozenSet[str] = frozenset(sys.stdlib_module_names)
else:
    from importguard.analysis.stdlib39 import STDLIB as _STDLIB

# ruff / flake8 codes users already write in noqa comments, and the rule they silence here
NOQA_ALIASES = {"F401": "IG100", "TC001": "IG200", "TC002": "IG200", "TC003": "IG200",
                "TC004": "IG201", "TC005": "IG202"}


# the repository's queries a file's check may ask (name -> function of the repository and the
# arguments): their answers are recorded in ``Reads`` and asked again to validate a kept result
QUERIES: Dict[str, Callable[..., object]] = {}
_UNASKED = object()


class FileContext:
    """One module being checked, with its facts and the repository around it."""

    def __init__(self, repo: "RepoContext", info: ModuleInfo):
        self.repo = repo
        self.info = info
        self.facts: ModuleFacts = info.facts
        self.module = info.name
        self.path = info.path
        self.is_init = info.is_package
        self.is_stub = info.is_stub

    def target(self, imp: ImportFact) -> Optional[str]:
        return absolute_target(imp, self.module, self.is_init)

    def source_module(self, imp: ImportFact) -> Optional[str]:
        return absolute_module(imp, self.module, self.is_init)


class RepoContext:
    def __init__(self, config: Config, modules: Mapping[str, ModuleInfo], edges: List[Edge],
                 first_party_tops: Iterable[str] = (), costs: Optional[Mapping[str, CostRecord]] = None):
        self.config = config
        self.costs: Mapping[str, CostRecord] = costs or {}  # measured import costs, read by the engine
        self.modules = modules
        self._edges = edges
        self.first_party_tops: Set[str] = {m.split(".", 1)[0] for m in modules if m} | set(first_party_tops)
        self._runtime_classes: Dict[Tuple[str, str], bool] = {}
        self._runtime_footprints: Dict[Tuple[str, str], Tuple[bool, Optional[FrozenSet[str]]]] = {}
        self._imported_names: Optional[Dict[Tuple[str, str, bool], int]] = None  # (module, name, at runtime) -> imports
        self._attributes: Optional[Dict[str, Set[str]]] = None
        self._cycles: list = []
        self.store = None  # a cache Store for results that outlive the run
        self.sims = None  # a ``simstore.SimStore``: the import simulation's outcomes of earlier runs
        self.graph_parts: Optional[Dict[str, str]] = None  # module -> ``graph_part_digest``, if known
        self.file_digests: Optional[Dict[str, str]] = None  # display path -> facts digest, if known
        # for the simulation's outcomes across edits: module -> its content hash; a content hash
        # -> its ``graph_part_digest`` and its facts (None when the caches no longer know it)
        self.contents: Optional[Dict[str, str]] = None
        self.part_of: Optional[Callable[[str], Optional[str]]] = None
        self.facts_of: Optional[Callable[[str], Optional[ModuleFacts]]] = None
        # the digest of the graph (``graphdelta.graph_state``), and the graph before an edit that
        # changed a few modules (``graphdelta.Before``), when the run knows them
        self.graph_state: Optional[str] = None
        self.graph_before: Optional[Any] = None
        # results kept with the repository rules' findings (a ``graphdelta.Kept`` key -> the value):
        # a run that finds this graph's findings again keeps them as this graph's
        self.with_graph: Dict[str, Any] = {}
        self.simulation_stats: Dict[str, int] = {}  # "simulated": entry imports simulated, over worlds
        self.jobs = 1  # processes the import simulation may use (``simfork``); ``analyse`` sets it
        self.reads: Optional[Reads] = None  # what the file being checked reads (``record``)
        # query key -> its answer in this run: thousands of kept files ask the same few thousand
        # questions again (the big tree after an import change: 115,000 asked, 17,000 distinct)
        self._answers: Dict[tuple, object] = {}

    # ---------------------------------------------------------------- what a file's check reads
    @property
    def edges(self) -> List[Edge]:
        """Every import edge: a file check that walks them reads everything."""
        self.read_everything()
        return self._edges

    @edges.setter
    def edges(self, edges: List[Edge]) -> None:
        self._edges = edges

    @property
    def cycles(self) -> list:
        self.read_everything()
        return self._cycles

    @cycles.setter
    def cycles(self, cycles: list) -> None:
        self._cycles = cycles

    def record(self, reads: Optional[Reads]) -> None:
        """Note in ``reads`` what the checks that follow read (None: stop noting)."""
        self.reads = reads
        if isinstance(self.modules, Watched):
            self.modules.reads = reads

    def read_everything(self) -> None:
        """The check being recorded reads the whole repository (an index over every module)."""
        if self.reads is not None:
            self.reads.everything = True

    def ask(self, name: str, *args) -> object:
        """The answer of query ``name`` (``QUERIES``); while a file's check is recorded, the
        answer is noted instead of what computing it reads."""
        reads = self.reads
        if reads is None:
            return QUERIES[name](self, *args)
        if reads.everything:
            self.record(None)
            try:
                return QUERIES[name](self, *args)
            finally:
                self.record(reads)
        key = (name,) + args
        if key in reads.answers:
            return reads.answers[key]
        self.record(None)
        try:
            answer = self._answer(key)
        finally:
            self.record(reads)
        reads.answers[key] = answer
        return answer

    def _answer(self, key: tuple) -> object:
        """The answer of query ``key`` (name, args...), computed once per run."""
        memo = self._answers
        try:
            got = memo.get(key, _UNASKED)
        except TypeError:  # an argument that cannot be hashed (read back from another version)
            return QUERIES[key[0]](self, *key[1:])
        if got is _UNASKED:
            got = memo[key] = QUERIES[key[0]](self, *key[1:])
        return got

    def answers_hold(self, answers) -> bool:
        """Whether each (query key, answer) of a kept result is still this repository's answer."""
        for key, answer in answers:
            if key[0] == "runtime-class2" and footprint_holds(self, key[3]):
                continue
            if self._answer(key) != answer:
                return False
        return True

    def known_cost(self, *modules: Optional[str]) -> Optional[CostRecord]:
        """The measured cost of the first of ``modules`` that has one."""
        for m in modules:
            if m and m in self.costs:
                return self.costs[m]
        return None

    # ---------------------------------------------------------------- classification
    def origin(self, module: Optional[str], relative: bool = False) -> str:
        if relative:
            return "first party"
        top = (module or "").split(".", 1)[0]
        if not top:
            return "first party"
        if top in self.first_party_tops:
            return "first party"
        if top in _STDLIB:
            return "standard library"
        return "third party"

    def module_matches(self, module: Optional[str], patterns: Iterable[str]) -> bool:
        if not module:
            return False
        return any(module == p or module.startswith(p + ".") for p in patterns)

    # ---------------------------------------------------------------- symbols
    def resolve_symbol(self, module: str, name: str, depth: int = 0) -> str:
        """Follow re-exports: the fully qualified name ``module.name`` refers to."""
        info = self.modules.get(module)
        if info is None or depth > 20:
            return f"{module}.{name}" if module else name
        facts = info.facts
        head, _, rest = name.partition(".")
        for c in facts.classes:
            if c.qualname == head:
                return f"{module}.{name}"
        for imp in facts.imports:
            if imp.bound == head and imp.scope_kind == "module" and imp.bound:
                tgt = absolute_target(imp, module, info.is_package)
                if tgt is None:
                    break
                if imp.name is None and imp.asname is None:
                    full = head + ("." + rest if rest else "")  # ``import a.b`` binds ``a``
                else:
                    full = tgt + ("." + rest if rest else "")
                return self.resolve_dotted(full, depth + 1)
        return f"{module}.{name}"

    def resolve_dotted(self, dotted_name: str, depth: int = 0) -> str:
        parts = dotted_name.split(".")
        for i in range(len(parts) - 1, 0, -1):
            mod = ".".join(parts[:i])
            if mod in self.modules:
                return self.resolve_symbol(mod, ".".join(parts[i:]), depth)
        return dotted_name

    def qualify(self, ctx: FileContext, written: str) -> str:
        """A dotted name as written in ``ctx`` -> fully qualified (via its imports and classes)."""
        return self.resolve_symbol(ctx.module, written) if ctx.module else self._local_qualify(ctx, written)

    def _local_qualify(self, ctx: FileContext, written: str) -> str:
        head, _, rest = written.partition(".")
        for imp in ctx.facts.imports:
            if imp.bound == head and imp.scope_kind == "module":
                tgt = imp.module if imp.name is None and imp.asname is None else ctx.target(imp)
                base = head if imp.name is None and imp.asname is None else tgt
                return (base or head) + ("." + rest if rest else "")
        return written

    def class_is_runtime_evaluated(self, module: str, qualname: str, ctx: Optional[FileContext] = None,
                                   depth: int = 0) -> bool:
        """Are the annotations of class ``module.qualname`` evaluated at runtime (a configured base
        class or decorator, through first-party subclass chains)?"""
        reads = self.reads
        if reads is not None and module and not reads.everything:
            result, footprint = runtime_footprint(self, module, qualname)
            digests = digests_of(self, footprint) if footprint is not None else None
            if digests is not None:
                # the answer, with the facts it was computed from: it holds while they do
                reads.answers[("runtime-class2", module, qualname, digests)] = result
                return result
        if reads is not None and module:
            return bool(self.ask("runtime-class", module, qualname))
        return self._class_is_runtime_evaluated(module, qualname, ctx, depth)

    def _class_is_runtime_evaluated(self, module: str, qualname: str, ctx: Optional[FileContext] = None,
                                    depth: int = 0) -> bool:
        key = (module, qualname)
        if key in self._runtime_classes:
            return self._runtime_classes[key]
        self._runtime_classes[key] = False  # cycle guard
        info = self.modules.get(module) if module else (ctx.info if ctx else None)
        result = False
        if info is not None and depth < 30:
            fc = ctx if (ctx is not None and ctx.module == module) else FileContext(self, info)
            cls = next((c for c in info.facts.classes if c.qualname == qualname), None)
            if cls is not None:
                bases_cfg = self.config.runtime_evaluated_base_classes
                decos_cfg = self.config.runtime_evaluated_decorators
                for d in cls.decorators:
                    if self._matches(self.qualify(fc, d), decos_cfg):
                        result = True
                for b in cls.bases:
                    q = self.qualify(fc, b)
                    if self._matches(q, bases_cfg):
                        result = True
                        break
                    mod, _, cname = q.rpartition(".")
                    if mod in self.modules and self._class_is_runtime_evaluated(mod, cname, None, depth + 1):
                        result = True
                        break
                    if not mod and self._class_is_runtime_evaluated(module, cname, fc, depth + 1):
                        result = True
                        break
        self._runtime_classes[key] = result
        return result

    @staticmethod
    def _matches(qualified: str, configured: Iterable[str]) -> bool:
        return qualified in configured

    def function_is_runtime_evaluated(self, ctx: FileContext, qualname: str) -> bool:
        fn = next((f for f in ctx.facts.functions if f.qualname == qualname), None)
        if fn is None:
            return False
        for d in fn.decorators:
            if d.endswith(".register"):
                return True
            if self._matches(self.qualify(ctx, d), self.config.runtime_evaluated_decorators):
                return True
        return False

    def annotation_is_evaluated(self, ctx: FileContext, use: Use, strategy: Optional[str] = None) -> bool:
        """Is this ANNOTATION-kind use evaluated at runtime (so it needs the import)?"""
        if use.owner:
            if "." in use.owner or any(c.qualname == use.owner for c in ctx.facts.classes):
                if any(c.qualname == use.owner for c in ctx.facts.classes):
                    if self.class_is_runtime_evaluated(ctx.module, use.owner, ctx):
                        return True
            if any(f.qualname == use.owner for f in ctx.facts.functions):
                if self.function_is_runtime_evaluated(ctx, use.owner):
                    return True
        if ctx.facts.future_annotations or self.config.target_version >= (3, 14) or strategy:
            return False
        return True

    def use_is_runtime(self, ctx: FileContext, use: Use, strategy: Optional[str] = None) -> bool:
        if use.kind == RUNTIME:
            return True
        if use.kind == ANNOTATION:
            return self.annotation_is_evaluated(ctx, use, strategy)
        return False

    def attribute_read_near(self, module: str, name: str) -> bool:
        """Is attribute ``name`` read near ``module`` (``attributes_read_near``)?"""
        if self.reads is not None:
            return bool(self.ask("attribute-near", module, name))
        return name in self.attributes_read_near(module)

    def attributes_read_near(self, module: str) -> Set[str]:
        """The attribute names read (``x.name``, ``getattr(x, "name")``) in ``module``'s component
        of the import graph (``analysis.graph.components``: the only modules whose objects can
        reach it by import) and in the files outside every root."""
        if self._attributes is None:
            from importguard.analysis.graph import components

            def names(info: ModuleInfo) -> Set[str]:
                return set(info.facts.attributes) | {n for obj, n, _ in info.facts.string_refs if obj}

            outside: Set[str] = set()
            for name, info in self.modules.items():
                if name.startswith("<"):
                    outside |= names(info)
            self._attributes = {"": outside}
            for comp in components(self.modules, self.edges):
                found = set(outside)
                for name in comp:
                    found |= names(self.modules[name])
                for name in comp:
                    self._attributes[name] = found
        return self._attributes.get(module, self._attributes[""])

    # ---------------------------------------------------------------- re-exports
    def imported_from_package(self, package: str, name: str, runtime_only: bool = False) -> bool:
        """Does any module import ``name`` from ``package`` (``from package import name``,
        ``import package`` then ``package.name``, or a star import of a module without
        ``__all__``)? With ``runtime_only``, imports under ``TYPE_CHECKING`` do not count."""
        if self.reads is not None:
            return bool(self.ask("imported-from", package, name, runtime_only))
        return self._imported_from_package(package, name, runtime_only)

    def imported_counts(self) -> Dict[Tuple[str, str, bool], int]:
        """(module, name, at runtime) -> how many modules import that name from that module (name
        "" for a star import), over the repository (``contributions.Tally``)."""
        names = self._imported_names
        if names is None:
            from importguard.analysis.contributions import Contributions, Tally

            modules = dict(dict.items(self.modules) if isinstance(self.modules, dict) else self.modules.items())
            parts = Contributions.of(self, "imported:")
            names = self._imported_names = Tally(parts, modules, lambda mod: _imported_pairs(mod, modules[mod]),
                                                 lambda part: part).counts()
        return names

    def _imported_from_package(self, package: str, name: str, runtime_only: bool = False) -> bool:
        names = self.imported_counts()
        if (package, name, True) in names or (not runtime_only and (package, name, False) in names):
            return True
        if name.startswith("_") or not ((package, "", True) in names or (not runtime_only and (package, "", False)
                                                                          in names)):
            return False
        # a star import takes every public name of a module without ``__all__``
        target = self.modules.get(package)
        return target is None or target.facts.all_names is None


def _imported_pairs(mod: str, info: ModuleInfo) -> list:
    """(module, name, at runtime) of each name the imports of ``mod`` take from a module (name ""
    for a star import: whether it takes every name depends on the module's ``__all__``)."""
    out: List[Tuple[str, str, bool]] = []
    for imp in info.facts.imports:
        src = absolute_module(imp, mod, info.is_package)
        if src is None:
            continue
        pairs = []
        if imp.name and imp.name != "*":
            pairs.append((src, imp.name))
        elif imp.name == "*":
            pairs.append((src, ""))
        else:
            for u in imp.uses:
                parts = u.dotted.split(".")
                # ``import pkg`` then ``pkg.name``; ``import a.b`` binds ``a``
                for i in range(1, len(parts)):
                    pairs.append((".".join(parts[:i]) if imp.asname is None else src, parts[i]))
        out.extend((a, b, not imp.in_type_checking) for a, b in pairs)
    return out


QUERIES.update({
    "runtime-class": lambda repo, module, qualname: repo._class_is_runtime_evaluated(module, qualname),
    # the same answer, noted with the facts it was computed from (``class_is_runtime_evaluated``)
    "runtime-class2": lambda repo, module, qualname, digests: runtime_footprint(repo, module, qualname)[0],
    "attribute-near": lambda repo, module, name: name in repo.attributes_read_near(module),
    "imported-from": lambda repo, package, name, runtime_only: repo._imported_from_package(package, name,
                                                                                           runtime_only),
})


# what a file-level noqa comment of flake8 or ruff without codes exempts the file from: the
# rules those tools have a counterpart of (F401, TC001-TC003)
FILE_NOQA_CODES = ("IG100", "IG200")


def flag_imports_used_only_in(facts: ModuleFacts, ranges: Iterable[Tuple[int, int]]) -> List[ImportFact]:
    """The module-level imports of ``TYPE_CHECKING`` (or of ``typing`` itself) whose every use lies
    in ``ranges`` (first line, last line): removing those ``if TYPE_CHECKING:`` blocks leaves them
    unused. Unguarded imports only (a guarded one has a fallback to keep)."""
    ranges = list(ranges)
    out = []
    for imp in facts.imports:
        is_flag = imp.name == "TYPE_CHECKING" or (imp.name is None and imp.module in ("typing", "typing_extensions"))
        if not is_flag or imp.scope_kind != "module" or not imp.uses or imp.guarded:
            continue
        if all(any(lo <= u.line <= hi for lo, hi in ranges) for u in imp.uses):
            out.append(imp)
    return out


def _silences(codes: Iterable[str], code: str) -> bool:
    return any(code.startswith(NOQA_ALIASES.get(c, c)) for c in codes)


def noqa_covers(facts: ModuleFacts, code: str, first: int, last: int) -> bool:
    """Does a noqa comment on a line in ``first..last`` silence ``code``?"""
    for line, codes in facts.noqa:
        if first <= line <= last:
            if codes is None:
                return True
            for c in codes:
                if code.startswith(NOQA_ALIASES.get(c, c)):
                    return True
    return False


def suppressed(facts: ModuleFacts, d: Diagnostic, first: int = 0, last: int = 0) -> bool:
    """Does a noqa comment on the diagnostic's line (or its statement's lines), or a file-level
    ``# flake8: noqa`` / ``# ruff: noqa[: codes]`` (line 0 in the facts), silence it?"""
    if not facts.noqa:
        return False
    lo, hi = (first or d.line), (last or d.line)
    for line, codes in facts.noqa:
        if line == 0:
            if d.code in FILE_NOQA_CODES if codes is None else _silences(codes, d.code):
                return True
        elif line == d.line or lo <= line <= hi:
            if codes is None or _silences(codes, d.code):
                return True
    return False


def ignored_by_path(config: "Config", path: str, cwd: Optional[str] = None) -> Tuple[str, ...]:
    """The codes ``per-file-ignores`` silences in the file at ``path`` (relative to ``cwd``)."""
    if not config.per_file_ignores:
        return ()
    import os

    absolute = os.path.normpath(os.path.join(cwd or os.getcwd(), path))
    return config.ignored_codes(absolute)
