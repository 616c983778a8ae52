"""Functions, classes and PEP 695 type parameters: bodies walked after the module (late binding),
decorators and module-level calls as import-time events.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Tuple

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

from importguard.extract.scopes import Scope
from importguard.extract.state import WalkState
from importguard.extract.syntax import OTHER, _callee, dotted
from importguard.model import ANNOTATION, RUNTIME, TYPING, CallEvent, ClassBodyEvent, ClassFact, FunctionFact


class Definitions(WalkState):
    def _decorators(self, node) -> Tuple[str, ...]:
        decorators = tuple(_callee(d.decorator) or "" for d in node.decorators)
        for d, name in zip(node.decorators, decorators):
            self._effect("decorator", name, d.decorator)
            self.expr(d.decorator)
            if name.rsplit(".", 1)[-1] in ("xfail", "expectedFailure") and id(node) in self.end:
                start = self.start.get(id(node), (0, 0))[0]
                self.expect_fail.append((start, self.end[id(node)], name))
        return decorators

    def s_function(self, node: cst.FunctionDef) -> None:
        decorators = self._decorators(node)
        self._decorator_calls(node)
        if self.main_pass and self.scope is self.module_scope:
            self.top_funcs[node.name.value] = self.stmt_index
        name = node.name.value
        qual = self._qual(name)
        if name in ("__getattr__", "__dir__") and self.scope is self.module_scope:
            line = self.start.get(id(node.name), (0, 0))[0]
            self.dynamic.append(f"module-level `{name}` (line {line})")
        self.functions.append(FunctionFact(qual, self.start.get(id(node.name), (0, 0))[0], decorators))
        inner = self._type_params(node.type_parameters) if node.type_parameters is not None else self.scope
        with self.scoped(scope=inner):
            self._params(node.params, qual)
            if node.returns is not None:
                self.annotation(node.returns.annotation, ANNOTATION, qual)
        self.bind(name)
        self._defer(node, qual, inner)

    def _qual(self, name: str) -> str:
        q = self.scope.qualname
        if self.scope.kind == "function":
            return f"{q}.<locals>.{name}"
        return f"{q}.{name}" if q else name

    def _params(self, params: cst.Parameters, qual: str) -> None:
        for p in self._all_params(params):
            if p.default is not None:
                self.expr(p.default)
            if p.annotation is not None:
                self.annotation(p.annotation.annotation, ANNOTATION, qual)

    @staticmethod
    def _all_params(params: cst.Parameters):
        out = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
        if isinstance(params.star_arg, cst.Param):
            out.append(params.star_arg)
        if params.star_kwarg is not None:
            out.append(params.star_kwarg)
        return out

    def _defer(self, node, qual: str, parent: Optional[Scope] = None) -> None:
        snap = self.snapshot
        if self.scope is self.module_scope or snap is None:
            snap = self.module_scope.live.snapshot()  # type: ignore[attr-defined]  # the module's is a _ModuleLive
        self.deferred.append((node, parent or self.scope, qual, snap, self.in_tc, self.stmt_index))

    def _run_deferred(self, node, parent: Scope, qual: str, snap, in_tc: bool, stmt_index: int) -> None:
        scope = self.scope = Scope("function", qual, parent)
        self.snapshot, self.in_tc, self.stmt_index = snap, in_tc, stmt_index
        self.func, self.kind, self.owner, self.cond, self.guarded, self.top = qual, RUNTIME, "", 0, False, False
        for p in self._all_params(node.params):
            scope.live[p.name.value] = (OTHER,)
            scope.bound.add(p.name.value)
        if type(node) is cst.Lambda:
            self.expr(node.body)
            self._retract_locals(scope)
            return
        # a module-level function: record what its body runs, for module-level calls of it
        at_module = parent is self.module_scope or (parent.kind == "typeparams" and parent.parent is self.module_scope)
        self.rec = at_module and self.top_funcs.get(qual) == stmt_index and not in_tc
        self.ev = []
        self.body(node.body)
        if self.rec:
            self.func_events[qual] = tuple(self.ev)
        self.rec, self.ev = False, []
        self._retract_locals(scope)

    def _retract_locals(self, scope: Scope) -> None:
        """A name bound anywhere in a function body is local to all of it: a load before the
        binding raises UnboundLocalError (or NameError in a closure), it never reads the outer name."""
        scope.done = True
        imps = self.imports
        for name, ids, use in scope.passed:
            if name in scope.bound:
                for b in ids:
                    uses = imps[b].uses
                    for k in range(len(uses) - 1, -1, -1):
                        if uses[k] is use:
                            del uses[k]
                            break
        scope.passed = []

    def _decorator_calls(self, node) -> None:
        """``@deco`` calls ``deco`` at import time: a module-level function of this module."""
        if not self.rec:
            return
        for d in node.decorators:
            if type(d.decorator) is cst.Name:
                self._call_event(d.decorator)

    def _call_event(self, func: cst.Name) -> None:
        if func.value in self.top_funcs and not self.in_tc:
            pos = self.start.get(id(func), (0, 0))
            self.ev.append(CallEvent(func.value, pos[0], pos[1]))

    def s_class(self, node: cst.ClassDef) -> None:
        decorators = self._decorators(node)
        self._decorator_calls(node)
        outer = self._type_params(node.type_parameters) if node.type_parameters is not None else self.scope
        with self.scoped(scope=outer):
            bases = []
            for arg in node.bases:
                self.expr(arg.value)
                d = dotted(arg.value)
                if d is None and type(arg.value) is cst.Subscript:
                    d = dotted(arg.value.value)
                if d:
                    bases.append(d)
            for kw in node.keywords:
                self.expr(kw.value)
            name = node.name.value
            qual = self._qual(name)
            self.classes.append(ClassFact(qual, self.start.get(id(node.name), (0, 0))[0], tuple(bases), decorators))
            with self.scoped(scope=Scope("class", qual, self.scope), top=self.top, cond=0):
                body = self._capture(self.body, node.body)
        if self.rec:
            self.ev.append(ClassBodyEvent(body))
        self.bind(name)

    def _capture(self, fn, *args) -> tuple:
        """Run ``fn`` and return the import-time events it emitted instead of emitting them."""
        with self.scoped(ev=[]):
            fn(*args)
            return tuple(self.ev)

    def _type_params(self, tp: cst.TypeParameters) -> Scope:
        """PEP 695: the annotation scope holding the type parameters (``def f[T]``, ``class
        C[T]``, ``type X[T] = ...``), where they shadow outer names; returns it."""
        scope = Scope("typeparams", self.scope.qualname, self.scope)
        for p in tp.params:
            scope.live[p.param.name.value] = (OTHER,)
            scope.bound.add(p.param.name.value)
        with self.scoped(scope=scope, kind=TYPING):
            for p in tp.params:
                bound = getattr(p.param, "bound", None)
                if bound is not None:
                    self.expr(bound)
                if p.default is not None:
                    self.expr(p.default)
        return scope

    def s_type_alias(self, node) -> None:
        scope = self._type_params(node.type_parameters) if node.type_parameters is not None else self.scope
        with self.scoped(scope=scope, kind=TYPING):
            self.expr(node.value)
        self.bind(node.name.value)
