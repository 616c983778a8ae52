"""The simulated interpreter: ``sys.modules``, module namespaces and the import statements of
CPython, run over the import-time events of the facts (see ``simulate`` for the semantics)."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from importguard.analysis.alike import Shared
from importguard.analysis.conditions import World, decide
from importguard.analysis.graph import ModuleInfo, absolute_module, namespace_packages
from importguard.analysis.importmemo import DONE, EXECUTING, EXTERNAL, Memo, Mod, _Func
from importguard.analysis.plan import Plan, module_binds, plan as module_plan
from importguard.model import (
    BindEvent,
    CallEvent,
    ClassBodyEvent,
    DeleteEvent,
    Event,
    FunctionEvent,
    IfEvent,
    ImportEvent,
    LoadEvent,
    StoreEvent,
    TryEvent,
)

_MISSING = object()


class Failure(NamedTuple):
    """A statement that raises at import time, as Python would report it."""

    module: str  # the module whose statement raises
    path: str
    line: int
    col: int  # 0-based
    end_col: int
    error: str  # "ImportError" / "AttributeError"
    message: str  # Python's message
    chain: Tuple[Tuple[str, int], ...]  # (module, line of the import that led on), entry first
    statement: int  # top-level statement index in ``module``
    partial: str  # the partially initialised module that lacked the name
    name: str  # the name it lacked

    @property
    def key(self) -> Tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.message)


class SimError(Exception):
    def __init__(self, error: str, failure: Optional[Failure], missing: str = ""):
        super().__init__(error)
        self.error = error
        self.failure = failure  # None: an error the facts cannot explain (not reported)
        self.missing = missing  # ModuleNotFoundError: the module that was not found


def _catches(names: Sequence[str], error: str) -> bool:
    for n in names:
        if n == "*" or n == error or (n == "ImportError" and error == "ModuleNotFoundError"):
            return True
        if n == "LookupError" and error == "KeyError":
            return True
    return False


class Simulator:
    """One fresh interpreter. ``reorder`` maps a module to the order its statements run in."""

    def __init__(self, modules: Mapping[str, ModuleInfo], *, eager_annotations: bool = True,
                 order: Optional[Callable[[str], Sequence[int]]] = None, world: World = World(),
                 alike: bool = True, read_elsewhere: Optional[Callable[[str, str], bool]] = None,
                 memo: bool = True):
        self.modules = modules
        self.namespace_pkgs = namespace_packages(modules)
        # imports replayed where they would run the same again (``importmemo``; off only to check it)
        self.memo = Memo({n.partition(".")[0] for n in (*modules, *self.namespace_pkgs)}, memo)
        self.recs = self.memo.open  # the recordings under way that note what an import reads
        # tests whose branches do alike run as what they do, undecided (``alike``); with
        # ``read_elsewhere``, names nobody else reads are left out of "alike"
        self.shared: Optional[Shared] = Shared(modules, self.namespace_pkgs, read_elsewhere) if alike else None
        self.world = world
        self.eager_annotations = eager_annotations
        self.order = order
        self.sysmods: Dict[str, object] = {}
        self.stack: List[Tuple[str, int]] = []  # (module, line of the import running)
        self.trail: List[tuple] = []
        self._binds: Dict[str, Set[str]] = {}
        self.calling: Set["_Func"] = set()  # functions running now (no recursion)
        self.decided: Optional[Set[tuple]] = None  # collects the version / platform tests decided
        self.young: Dict[int, Dict[str, object]] = {}  # namespaces made since ``begin``, by id
        self._plans: Dict[str, Plan] = {}
        # the trace of a step: the name of each first-party module (namespace packages too) when
        # its import starts, and "/" + its name when it finishes. The modules whose bodies ran are
        # the only ones whose facts the simulation read (besides the set of module names)
        self.ran: Optional[List[str]] = None

    def binds(self, name: str) -> Set[str]:
        """Names module ``name``'s body binds at module level (what it holds once it finishes)."""
        got = self._binds.get(name)
        if got is None:
            info = self.modules.get(name)
            got = self._binds[name] = module_binds(info) if info is not None else set()
        return got

    def missing_for_now(self, mod: "Mod", name: str) -> bool:
        """Is ``name`` missing from ``mod`` only because its body has not finished? (a name the
        module binds, or one of its submodules). Anything else is unknown, not a cycle failure."""
        return name in self.binds(mod.name) or f"{mod.name}.{name}" in self.modules

    # ---------------------------------------------------------------- state, with an undo trail
    # Only what existed when the current step began (``begin``) is written through the trail: a
    # namespace made since then (a module run in this step, a class body, a call's locals) is
    # unreachable once ``undo`` takes the older state back (``sys.modules`` and the older
    # namespaces no longer hold it), so its writes need no undoing.
    def begin(self) -> None:
        """Start a step that ``undo`` may take back: namespaces made from now on are its own."""
        self.young = {}

    def _fresh(self, d: Dict[str, object]) -> Dict[str, object]:
        self.young[id(d)] = d  # held, so no other dict gets its id during the step
        return d

    def _put(self, d: dict, k: str, v: object) -> None:
        if id(d) not in self.young:
            self.trail.append((d, k, d.get(k, _MISSING)))
        d[k] = v

    def _drop(self, d: dict, k: str) -> None:
        if k in d:
            if id(d) not in self.young:
                self.trail.append((d, k, d[k]))
            del d[k]

    def _done(self, mod: "Mod") -> None:
        if id(mod.ns) not in self.young:
            self.trail.append((mod, None, mod.state))
        mod.state = DONE

    def undo(self, mark: int) -> None:
        """Back to the state when the trail was ``mark`` long (cheaper than copying the state)."""
        trail = self.trail
        while len(trail) > mark:
            d, k, old = trail.pop()
            if k is None:
                d.state = old
            elif old is _MISSING:
                d.pop(k, None)
            else:
                d[k] = old

    # ---------------------------------------------------------------- importlib._bootstrap
    def import_module(self, name: str) -> object:
        """``_gcd_import(name)``: the module, importing its parents first."""
        got = self.sysmods.get(name)
        if self.recs:
            self.memo.note(name, got)
        if got is not None:
            return got
        if name.partition(".")[0] in self.memo.tops:  # a first-party name: maybe replayed (``importmemo``)
            return self.memo.import_module(self, name)
        return self.run_import(name)

    def run_import(self, name: str) -> object:
        """``import_module`` of a ``name`` missing from ``sys.modules``."""
        parent, _, child = name.rpartition(".")
        if parent:
            if self.recs:
                self.memo.note(parent, self.sysmods.get(parent))
            if parent not in self.sysmods:
                self.import_module(parent)
            got = self.sysmods.get(name)
            if got is not None:
                return got
        info = self.modules.get(name)
        if info is None:
            if name in self.namespace_pkgs:
                mod = Mod(name, True)
                self._fresh(mod.ns)
                self._done(mod)
                if self.ran is not None:
                    self.ran += (name, "/" + name)
            elif parent and isinstance(self.sysmods.get(parent), Mod) and child in self.binds(parent):
                raise SimError("ModuleNotFoundError", None, name)  # a first-party name that is no module
            else:
                # third party, or a first-party module missing from the tree (generated at build
                # time, a C extension, ignored, only a ``.pyi``): importable, opaque
                self._put(self.sysmods, name, EXTERNAL)
                pmod = self.sysmods.get(parent) if parent else None
                if isinstance(pmod, Mod):
                    self._put(pmod.ns, child, EXTERNAL)
                return EXTERNAL
        else:
            mod = Mod(name, info.is_package)
            self._fresh(mod.ns)
            self._put(self.sysmods, name, mod)
            if self.ran is not None:
                self.ran.append(name)
            try:
                self.run_module(mod, info)
            except BaseException:
                self._drop(self.sysmods, name)
                raise
            self._done(mod)
            if self.ran is not None:
                self.ran.append("/" + name)
        self._put(self.sysmods, name, mod)
        if parent:
            pmod = self.sysmods.get(parent)
            if isinstance(pmod, Mod):
                self._put(pmod.ns, child, mod)
        return mod

    def run_module(self, mod: Mod, info: ModuleInfo) -> None:
        plan = self._plans.get(mod.name)
        if plan is None:
            plan = self._plans[mod.name] = module_plan(mod.name, info, self.order, self.shared)
        ns = mod.ns
        ctx = _Ctx(mod, info, [ns])
        for i, names, events in plan:
            ctx.statement = i
            if names is None:
                self.run(events, ctx)
            elif id(ns) in self.young:  # a statement that only binds names: no call per statement
                for n in names:
                    ns[n] = None
            else:
                for n in names:
                    self._put(ns, n, None)

    # ---------------------------------------------------------------- statements
    def run(self, events: Sequence[Event], ctx: "_Ctx") -> None:
        ev: Any  # dispatched on its exact type below
        for ev in events:
            kind = type(ev)
            if kind is BindEvent:
                self._put(ctx.nss[-1], ev.name, None)
            elif kind is LoadEvent:
                if ev.annotation and (not self.eager_annotations or ctx.facts.future_annotations):
                    continue
                self.load(ev.dotted, ev.line, ev.col, ctx)
            elif kind is ImportEvent:
                self.do_import(ev.first, ev.count, ctx)
            elif kind is ClassBodyEvent:
                ctx.nss.append(self._fresh({}))
                try:
                    self.run(ev.body, ctx)
                finally:
                    ctx.nss.pop()
            elif kind is IfEvent:
                test = ev.test
                if type(test) is int:
                    self.run(ev.orelse if test in (1, 2) else ev.body, ctx)
                else:
                    if self.decided is not None:
                        self.decided.add(test)
                    self.run(ev.orelse if decide(test, self.world) is False else ev.body, ctx)
            elif kind is FunctionEvent:
                self._put(ctx.nss[0], ev.name, _Func(ev.body, ctx.mod, ctx.info))
            elif kind is CallEvent:
                self.call(ev.name, ctx)
            elif kind is TryEvent:
                self.do_try(ev, ctx)
            elif kind is StoreEvent:
                self.store(ev.dotted, ev.line, ev.col, ctx)
            elif kind is DeleteEvent:
                self._drop(ctx.nss[-1], ev.name)

    def call(self, name: str, ctx: "_Ctx") -> None:
        """A call of a module-level function at import time: its body runs (its own locals, the
        globals of the module that defined it); what it returns is opaque."""
        found, func = self._lookup(name, ctx)
        if not found or not isinstance(func, _Func) or func in self.calling:
            return
        self.calling.add(func)
        inner = _Ctx(func.mod, func.info, [func.mod.ns, self._fresh({})])
        inner.statement = ctx.statement if func.mod is ctx.mod else 0
        try:
            self.run(func.events, inner)
        finally:
            self.calling.discard(func)

    def do_try(self, ev: TryEvent, ctx: "_Ctx") -> None:
        body, handlers, orelse, final = ev
        try:
            try:
                self.run(body, ctx)
            except SimError as exc:
                for names, hevents in handlers:
                    if _catches(names, exc.error):
                        self.run(hevents, ctx)
                        break
                else:
                    raise
            else:
                self.run(orelse, ctx)
        finally:
            if final:
                self.run(final, ctx)

    # ---------------------------------------------------------------- IMPORT_NAME / IMPORT_FROM
    def do_import(self, first: int, count: int, ctx: "_Ctx") -> None:
        imps = ctx.facts.imports[first:first + count]
        if not imps:
            return
        head = imps[0]
        stack = self.stack
        stack.append((ctx.mod.name, head.stmt_line))
        try:
            if head.name is None:
                for imp in imps:  # ``import a, b``: one IMPORT_NAME per alias
                    stack[-1] = (ctx.mod.name, imp.line)
                    self.plain_import(imp, ctx)
            else:
                self.from_import(imps, ctx)
        finally:
            stack.pop()

    def plain_import(self, imp, ctx: "_Ctx") -> None:
        top = self.import_module(imp.module)
        first = imp.module.split(".", 1)[0]
        if self.recs:
            self.memo.note(first, self.sysmods.get(first))
        if imp.asname is None:
            self._put(ctx.nss[-1], imp.bound, self.sysmods.get(first, top))
            return
        value = self.sysmods.get(first)
        parts = imp.module.split(".")
        for i in range(1, len(parts)):  # IMPORT_FROM for each further component (3.7+)
            value = self.import_from(value, parts[i], imp, ctx)
        self._put(ctx.nss[-1], imp.bound, value)

    def from_import(self, imps, ctx: "_Ctx") -> None:
        head = imps[0]
        base = absolute_module(head, ctx.mod.name, ctx.info.is_package)
        if not base:
            raise SimError("ImportError", None)  # beyond the top-level package: not our business
        mod = self.import_module(base)
        ns = ctx.nss[-1]
        if not isinstance(mod, Mod):
            for imp in imps:
                if imp.name != "*":
                    self._put(ns, imp.bound, None)
            return
        if head.name == "*":
            self.star_import(mod, head, ctx)
            return
        if mod.is_package:  # _handle_fromlist
            for imp in imps:
                n = imp.name
                if n in mod.ns:
                    continue
                sub = f"{mod.name}.{n}"
                if self.recs:
                    self.memo.note(sub, self.sysmods.get(sub))
                if sub not in self.sysmods and sub not in self.modules and sub not in self.namespace_pkgs \
                        and n in self.binds(mod.name):
                    continue  # a name the package binds, no module: ``import_module`` would find none
                try:
                    self.import_module(sub)
                except SimError as exc:
                    if exc.error != "ModuleNotFoundError" or exc.missing != sub:
                        raise
        stack = self.stack
        for imp in imps:
            stack[-1] = (ctx.mod.name, imp.line)
            self._put(ns, imp.bound, self.import_from(mod, imp.name, imp, ctx))

    def star_import(self, mod: "Mod", imp, ctx: "_Ctx") -> None:
        all_names = self.modules[mod.name].facts.all_names if mod.name in self.modules else None
        if all_names is not None and "__all__" in mod.ns:
            if mod.is_package:
                for n in all_names:
                    if n not in mod.ns:
                        try:
                            self.import_module(f"{mod.name}.{n}")
                        except SimError as exc:
                            if exc.error != "ModuleNotFoundError":
                                raise
            for n in all_names:
                self._put(ctx.nss[-1], n, mod.ns.get(n))
        else:
            for k, v in list(mod.ns.items()):
                if not k.startswith("_"):
                    self._put(ctx.nss[-1], k, v)

    def import_from(self, mod: object, name: str, imp, ctx: "_Ctx") -> object:
        """``IMPORT_FROM``: the attribute, else ``sys.modules[mod.__name__ + "." + name]``."""
        if not isinstance(mod, Mod):
            return None
        if name in mod.ns:
            return mod.ns[name]
        if "__getattr__" in mod.ns:
            return None
        sub = self.sysmods.get(f"{mod.name}.{name}")
        if self.recs:
            self.memo.note(f"{mod.name}.{name}", sub)
        if sub is not None:
            return sub
        if mod.state == DONE or not self.missing_for_now(mod, name):
            return None  # a name the facts cannot see (globals(), exec, ...): assume it is there
        path = self.modules[mod.name].path if mod.name in self.modules else mod.name
        msg = (f"cannot import name '{name}' from partially initialized module '{mod.name}' "
               f"(most likely due to a circular import) ({path})")
        raise SimError("ImportError", self._failure(ctx, imp.line, imp.col, imp.end_col, "ImportError", msg,
                                                    mod.name, name))

    # ---------------------------------------------------------------- module-level attribute access
    def _lookup(self, name: str, ctx: "_Ctx") -> Tuple[bool, object]:
        nss = ctx.nss
        if name in nss[-1]:
            return True, nss[-1][name]
        if len(nss) > 1 and name in nss[0]:  # class bodies see module globals, not outer classes
            return True, nss[0][name]
        return False, None

    def load(self, dotted: str, line: int, col: int, ctx: "_Ctx", upto: int = 0) -> object:
        parts = dotted.split(".")
        found, value = self._lookup(parts[0], ctx)
        if not found:
            return None
        end = len(parts) - upto
        for i in range(1, end):
            if not isinstance(value, Mod):
                return None
            attr = parts[i]
            if attr in value.ns:
                value = value.ns[attr]
                continue
            if "__getattr__" in value.ns:
                return None
            sub = self.sysmods.get(f"{value.name}.{attr}")
            if self.recs:
                self.memo.note(f"{value.name}.{attr}", sub)
            if value.state == EXECUTING and self.missing_for_now(value, attr):
                msg = (f"partially initialized module '{value.name}' has no attribute '{attr}' "
                       f"(most likely due to a circular import)")
                partial = value.name
            elif isinstance(sub, Mod):
                # the submodule is still being imported, or was imported into an earlier copy of
                # its package that failed and left sys.modules: either way not an attribute yet
                msg = f"module '{value.name}' has no attribute '{attr}'"
                partial = sub.name if sub.state == EXECUTING else value.name
            else:
                return None
            raise SimError("AttributeError", self._failure(ctx, line, col, col + len(".".join(parts[:i + 1])),
                                                           "AttributeError", msg, partial, attr))
        return value

    def store(self, dotted: str, line: int, col: int, ctx: "_Ctx") -> None:
        owner = self.load(dotted, line, col, ctx, upto=1)
        if "." not in dotted:
            return
        if isinstance(owner, Mod):
            self._put(owner.ns, dotted.rsplit(".", 1)[1], None)

    def _failure(self, ctx: "_Ctx", line: int, col: int, end_col: int, error: str, message: str,
                 partial: str, name: str) -> Failure:
        chain = tuple(self.stack)
        if not chain or chain[-1][0] != ctx.mod.name or chain[-1][1] != line:
            chain = chain + ((ctx.mod.name, line),)
        return Failure(ctx.mod.name, ctx.info.path, line, col, end_col, error, message, chain, ctx.statement,
                       partial, name)


class _Ctx:
    __slots__ = ("mod", "info", "nss", "statement", "facts")

    def __init__(self, mod: Mod, info: ModuleInfo, nss: List[Dict[str, object]]):
        self.mod = mod
        self.info = info
        self.nss = nss
        self.statement = 0
        self.facts = info.facts  # read once: a cached module's ``facts`` is a property
