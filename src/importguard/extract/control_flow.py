"""Compound statements: ``if`` (``TYPE_CHECKING``, version and platform tests, ``__main__``),
``try`` and the import guards of its handlers, loops, ``with`` and ``match``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

from importguard.extract.state import WalkState
from importguard.extract.syntax import (
    _EXPECTS,
    _callee,
    _catches_import_error,
    _caught,
    _expects_import_error,
    _only_imports,
    _only_pass,
    _suppressed,
    _test_kind,
    dotted,
    is_type_checking,
)
from importguard.model import DeleteEvent, IfEvent, TryEvent, TypeCheckingBlock

if TYPE_CHECKING:
    from importguard.extract.syntax import Dispatched


class ControlFlow(WalkState):
    def s_if(self, node: cst.If) -> None:
        self.expr(node.test)
        body = self._capture(self._if, node)
        orelse: tuple = ()
        if node.orelse is not None:
            orelse = self._capture(self._orelse, node.orelse)
        if self.rec:
            self.ev.append(IfEvent(_test_kind(node.test, self.tc_aliases), body, orelse))

    def _if(self, node: cst.If) -> None:
        tc = is_type_checking(node.test, self.tc_aliases)
        if tc:
            start = self.start.get(id(node), (0, 0))
            line = start[0] + len(node.leading_lines)
            self.tc_blocks.append(TypeCheckingBlock(
                line, self.end.get(id(node), line), start[1], self.stmt_index,
                self.top and self.scope is self.module_scope, _only_pass(node.body.body),
                node.orelse is not None, tc, _only_imports(node.body.body)))
            with self.scoped(in_tc=True):
                self.cond_body(node.body)
        elif _test_kind(node.test) == 2:  # ``if __name__ == "__main__":`` does not run on import
            with self.scoped(in_main=True):
                self.cond_body(node.body)
        else:
            self.cond_body(node.body)

    def _orelse(self, orelse) -> None:
        if orelse is not None:
            if type(orelse) is cst.If:
                with self.scoped(cond=self.cond + 1, top=False):
                    self.s_if(orelse)
            else:
                self.cond_body(orelse.body)

    def s_try(self, node) -> None:
        with self.scoped(guarded=self.guarded or _catches_import_error(node.handlers)):
            body = self._capture(self.cond_body, node.body)
        handlers = tuple((_caught(h), self._capture(self._guarded_handler, h)) for h in node.handlers)
        orelse = self._capture(self.cond_body, node.orelse.body) if node.orelse is not None else ()
        final = self._capture(self.cond_body, node.finalbody.body) if node.finalbody is not None else ()
        if self.rec:
            self.ev.append(TryEvent(body, handlers, orelse, final))

    def _guarded_handler(self, h) -> None:
        """An ``except ImportError:`` handler is the fallback half of an availability check."""
        with self.scoped(guarded=self.guarded or _catches_import_error([h])):
            self._handler(h)

    def _handler(self, h) -> None:
        if h.type is not None:
            self.expr(h.type)
        name = h.name.name.value if h.name is not None and type(h.name.name) is cst.Name else None
        with self.scoped(cond=self.cond + 1):
            if name is None:
                self.body(h.body)
                return
            s = self._target_scope(name, self.scope)
            before = s.live.get(name)
            self.bind(name)
            self.body(h.body)
            # ``except E as e:`` ends with an implicit ``del e``: after the handler, only the
            # bindings of the paths that did not run it remain
            if before is None:
                s.live.pop(name, None)
            else:
                s.live[name] = before
            if self.rec:
                self.ev.append(DeleteEvent(name))

    def s_for(self, node) -> None:
        self.expr(node.iter)
        with self.scoped(cond=self.cond + 1):
            self.target(node.target)
            self.body(node.body)
            if node.orelse is not None:
                self.body(node.orelse.body)

    def s_while(self, node: cst.While) -> None:
        self.expr(node.test)
        self.cond_body(node.body)
        if node.orelse is not None:
            self.cond_body(node.orelse.body)

    def s_with(self, node) -> None:
        for item in node.items:
            self.expr(item.item)
            if item.asname is not None:
                self.target(item.asname.name)
        for item in node.items:
            callee = _callee(item.item) if type(item.item) is cst.Call else None
            if callee and callee.rsplit(".", 1)[-1] in _EXPECTS and id(node) in self.end:
                self.expect_fail.append((self._first_line(item.item), self.end[id(node)], callee))
        caught = tuple(n for item in node.items for n in _suppressed(item.item))
        with self.scoped(guarded=self.guarded or any(_expects_import_error(item.item) for item in node.items)):
            if caught and self.rec:  # ``with suppress(ImportError):`` works like a ``try``
                self.ev.append(TryEvent(self._capture(self.body, node.body), ((caught, ()),), (), ()))
            else:
                self.body(node.body)

    def s_match(self, node) -> None:
        self.expr(node.subject)
        self._capture(self._cases, node)  # which case runs is unknown: its events are dropped

    def _cases(self, node) -> None:
        with self.scoped(cond=self.cond + 1):
            for case in node.cases:
                self.pattern(case.pattern)
                if case.guard is not None:
                    self.expr(case.guard)
                self.body(case.body)

    def pattern(self, p) -> None:
        t = type(p)
        if t is cst.MatchAs:
            if p.pattern is not None:
                self.pattern(p.pattern)
            if p.name is not None:
                self.bind(p.name.value)
        elif t is cst.MatchStar:
            if p.name is not None:
                self.bind(p.name.value)
        elif t is cst.MatchValue or t is cst.MatchSingleton:
            self.expr(p.value)
        elif t is cst.MatchClass:
            self.expr(p.cls)
            for x in p.patterns:
                self.pattern(x.value)
            for k in p.kwds:
                self.pattern(k.pattern)
        elif t is cst.MatchMapping:
            for e in p.elements:
                self.expr(e.key)
                self.pattern(e.pattern)
            if p.rest is not None:
                self.bind(p.rest.value)
        elif t in (cst.MatchSequence, cst.MatchList, cst.MatchTuple):
            for e in p.patterns:
                self.pattern(e.value if type(e) is cst.MatchSequenceElement else e)
        elif t is cst.MatchOr:
            for e in p.patterns:
                self.pattern(e.pattern)

    # ------------------------------------------------------------------ targets and expressions
    def target(self, t: Dispatched) -> None:
        tt = type(t)
        if tt is cst.Name:
            self.bind(t.value)
        elif tt in (cst.Tuple, cst.List):
            for e in t.elements:
                self.target(e.value)
        elif tt is cst.StarredElement:
            self.target(t.value)
        elif tt is cst.Attribute and dotted(t) is not None:  # ``a.b = ...``: loads ``a``, stores ``b``
            self._effect("store", dotted(t), t)
            with self.scoped(storing=True):
                self.expr(t)
        else:  # subscript: loads
            if tt is cst.Subscript:
                self._effect("store", dotted(t.value), t)
            self.expr(t)
