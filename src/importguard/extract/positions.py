"""Line and column of selected nodes, from one light code-generation pass.

LibCST's ``PositionProvider`` records a ``CodeRange`` for every node and costs about twice the
parse itself. Imports, names and statements are all the rules need, so this pass tracks only the
current line and column while LibCST regenerates the source, and records start (and for
statements, end) positions of the node types it is asked for.

Even that pass cost a third of a file's extraction when it went through LibCST's generic
machinery: three calls per node (``_codegen`` and the hooks before and after it) and a
generator-based context manager around every expression. For the length of the pass,
``CSTNode._codegen`` and the expressions' ``_parenthesize`` are therefore replaced by versions
that generate the common nodes themselves, recording positions inline: whitespace, names,
attributes, calls and their arguments, literals, brackets, one-token operators, newlines and
comments, seven nodes in eight on Django; every other node still generates its own tokens (and
its children through the replacement). The pass costs about a third of what it did (0.17 x the
parse instead of 0.5 x, docs/performance.md).

The replacements are installed only while a pass runs (counted, under a lock, so that passes in
several threads nest), and a code generation with any other state that runs meanwhile (another
thread's ``module.code``, LibCST's metadata) gets LibCST's own behaviour. The positions are those
of the plain hook-based pass; tests/extract/test_positions.py keeps that pass as the oracle.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst._nodes import base as _base, expression as _expression, op as _op
from libcst._nodes.internal import CodegenState

_START = frozenset(
    {
        cst.Name,
        cst.ImportAlias,
        cst.Import,
        cst.ImportFrom,
        cst.LazyImport,
        cst.LazyImportFrom,
        cst.SimpleString,
        cst.ConcatenatedString,
        cst.FunctionDef,
        cst.ClassDef,
        cst.If,
        cst.Call,
    }
)
_END = frozenset(
    {
        cst.Import,
        cst.ImportFrom,
        cst.LazyImport,
        cst.LazyImportFrom,
        cst.SimpleStatementLine,
        cst.If,
        cst.Else,
        cst.Try,
        cst.TryStar,
        cst.FunctionDef,
        cst.ClassDef,
        cst.For,
        cst.While,
        cst.With,
        cst.Match,
    }
)


class _NoPosition:
    """What ``record_syntactic_position`` returns here: a context that does nothing, without the
    generator a ``contextlib.contextmanager`` creates per call."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_POSITION = _NoPosition()


class _LineState(CodegenState):
    __slots__ = ("line", "col", "start", "end", "comments", "own_line", "declared")
    line: int
    col: int
    start: Dict[int, Tuple[int, int]]
    end: Dict[int, int]
    comments: List[Tuple[int, str, bool]]
    own_line: int
    declared: Optional[Set[str]]

    def add_token(self, value: str) -> None:
        n = value.count("\n")
        if n:
            self.line += n
            self.col = len(value) - value.rfind("\n") - 1
        else:
            self.col += len(value)

    def add_indent_tokens(self) -> None:
        for tok in self.indent_tokens:
            self.col += len(tok)

    def record_syntactic_position(self, node: cst.CSTNode, **_kw: Any) -> _NoPosition:  # type: ignore[override]
        return _NO_POSITION


class _Parens:
    """``_parenthesize`` for this pass: the node's ``(`` before, its ``)`` after (not when the body
    raised, like the original)."""

    __slots__ = ("node", "state")

    def __init__(self, node: Any, state: _LineState):
        self.node = node
        self.state = state

    def __enter__(self) -> None:
        for lpar in self.node.lpar:
            lpar._codegen(self.state)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            for rpar in self.node.rpar:
                rpar._codegen(self.state)


_LIBCST_CODEGEN = _base.CSTNode._codegen
_LIBCST_PARENTHESIZE = _expression._BaseParenthesizedNode._parenthesize

_Name = cst.Name
_DEFAULT = cst.MaybeSentinel.DEFAULT
_ONE_TOKEN = _op._BaseOneTokenOp
_SimpleWhitespace = cst.SimpleWhitespace
_Global = cst.Global
_Nonlocal = cst.Nonlocal


def _parenthesize(node: Any, state: CodegenState) -> Any:
    if type(state) is not _LineState:
        return _LIBCST_PARENTHESIZE(node, state)
    return _Parens(node, state)


def _space(ws: Any, state: _LineState) -> None:
    if type(ws) is _SimpleWhitespace:
        v = ws.value
        if "\n" in v:  # a backslash continuation
            state.add_token(v)
        else:
            state.col += len(v)
    else:
        ws._codegen(state)


def _comment(node: cst.Comment, state: _LineState) -> None:
    state.comments.append((state.line, node.value, state.own_line == state.line))
    state.start[id(node)] = (state.line, state.col)
    state.add_token(node.value)


def _generic(node: Any, state: _LineState, t: type, kw: Dict[str, Any]) -> None:
    if t in _START:
        state.start[id(node)] = (state.line, state.col)
    elif (t is _Global or t is _Nonlocal) and state.declared is not None:
        state.declared.update(n.name.value for n in node.names)
    node._codegen_impl(state, **kw)
    if t in _END:
        # compound statements end after their newline: report the last line they occupy
        state.end[id(node)] = state.line - 1 if state.col == 0 else state.line


def _name(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    if node.lpar or node.rpar:
        _generic(node, state, _Name, kw)
    else:
        state.start[id(node)] = (state.line, state.col)
        state.col += len(node.value)


def _attribute(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    if node.lpar or node.rpar:
        _generic(node, state, cst.Attribute, kw)
    else:
        node.value._codegen(state)
        _one_token(node.dot, state, kw)
        node.attr._codegen(state)


def _one_token(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:  # ``,``, ``.``, ``=``, ``+``...
    _space(node.whitespace_before, state)
    state.col += len(node._get_token())
    _space(node.whitespace_after, state)


def _opening(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:  # ``(``, ``[``, ``{``
    state.col += 1
    _space(node.whitespace_after, state)


def _closing(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:  # ``)``, ``]``, ``}``
    _space(node.whitespace_before, state)
    state.col += 1


def _literal(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:  # strings and numbers
    t = type(node)
    if node.lpar or node.rpar:
        _generic(node, state, t, kw)
        return
    if t in _START:
        state.start[id(node)] = (state.line, state.col)
    state.add_token(node.value)


def _call(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    if node.lpar or node.rpar:
        _generic(node, state, cst.Call, kw)
        return
    state.start[id(node)] = (state.line, state.col)
    node.func._codegen(state)
    _space(node.whitespace_after_func, state)
    state.col += 1
    _space(node.whitespace_before_args, state)
    args = node.args
    last = len(args) - 1
    for i, arg in enumerate(args):
        _arg(arg, state, {"default_comma": i != last})
    state.col += 1


def _arg(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    state.col += len(node.star)
    _space(node.whitespace_after_star, state)
    keyword = node.keyword
    if keyword is not None:
        keyword._codegen(state)
    equal = node.equal
    if equal is _DEFAULT:
        if keyword is not None:
            state.col += 3  # " = "
    elif type(equal) is cst.AssignEqual:
        _one_token(equal, state, kw)
    node.value._codegen(state)
    comma = node.comma
    if comma is _DEFAULT:
        if kw.get("default_comma"):
            state.col += 2  # ", "
    elif type(comma) is cst.Comma:
        _one_token(comma, state, kw)
    _space(node.whitespace_after_arg, state)


def _assign_target(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    node.target._codegen(state)
    _space(node.whitespace_before_equal, state)
    state.col += 1
    _space(node.whitespace_after_equal, state)


def _parenthesized_space(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    _trailing(node.first_line, state, kw)
    for line in node.empty_lines:
        _empty_line(line, state, kw)
    if node.indent:
        state.add_indent_tokens()
    _space(node.last_line, state)


def _newline(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    v = node.value
    state.add_token(state.default_newline if v is None else v)


def _trailing(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    _space(node.whitespace, state)
    if node.comment is not None:
        _comment(node.comment, state)
    _newline(node.newline, state, kw)


def _empty_line(node: Any, state: _LineState, kw: Dict[str, Any]) -> None:
    state.own_line = state.line  # a comment that follows is alone on its line
    if node.indent:
        state.add_indent_tokens()
    _space(node.whitespace, state)
    if node.comment is not None:
        _comment(node.comment, state)
    _newline(node.newline, state, kw)


_FAST: Dict[type, Callable[[Any, _LineState, Dict[str, Any]], None]] = {
    cst.Name: _name,
    cst.Attribute: _attribute,
    cst.Call: _call,
    cst.Arg: _arg,
    cst.AssignTarget: _assign_target,
    cst.SimpleString: _literal,
    cst.Integer: _literal,
    cst.Float: _literal,
    cst.Imaginary: _literal,
    cst.LeftParen: _opening,
    cst.LeftSquareBracket: _opening,
    cst.LeftCurlyBrace: _opening,
    cst.RightParen: _closing,
    cst.RightSquareBracket: _closing,
    cst.RightCurlyBrace: _closing,
    cst.ParenthesizedWhitespace: _parenthesized_space,
    cst.Newline: _newline,
    cst.TrailingWhitespace: _trailing,
    cst.EmptyLine: _empty_line,
    cst.Comment: lambda node, state, kw: _comment(node, state),
}
# the one-token operators, ``,`` ``.`` ``=`` ``:`` ``+`` ``==`` ...: those that generate themselves
# the way their shared base class does
# (found in each class's ``__mro__``: ``issubclass`` on LibCST's abstract classes fills the ABC
# caches of every class it meets, 15 ms of the import)
_CLASSES: List[Any] = [v for v in vars(cst).values() if isinstance(v, type)]
_FAST.update(
    (op, _one_token) for op in _CLASSES
    if _ONE_TOKEN in op.__mro__ and not op.__abstractmethods__ and op._codegen_impl is _ONE_TOKEN._codegen_impl
)


def _codegen(self: Any, state: CodegenState, **kw: Any) -> None:
    """``CSTNode._codegen`` while a pass runs."""
    if type(state) is not _LineState:
        _LIBCST_CODEGEN(self, state, **kw)
        return
    t = type(self)
    if t is _SimpleWhitespace:  # two nodes in five
        _space(self, state)
        return
    fast = _FAST.get(t)
    if fast is not None:
        fast(self, state, kw)
        return
    # ``_generic``, inline: one frame less per level of a deeply nested expression
    if t in _START:
        state.start[id(self)] = (state.line, state.col)
    elif (t is _Global or t is _Nonlocal) and state.declared is not None:
        state.declared.update(n.name.value for n in self.names)
    self._codegen_impl(state, **kw)
    if t in _END:
        state.end[id(self)] = state.line - 1 if state.col == 0 else state.line


_lock = threading.Lock()
_passes = 0  # passes running now; the replacements are installed while it is positive


def _install() -> None:
    global _passes
    with _lock:
        if not _passes:
            _base.CSTNode._codegen = _codegen  # type: ignore[method-assign]
            _expression._BaseParenthesizedNode._parenthesize = _parenthesize  # type: ignore[method-assign,assignment]
        _passes += 1


def _uninstall() -> None:
    global _passes
    with _lock:
        _passes -= 1
        if not _passes:
            _base.CSTNode._codegen = _LIBCST_CODEGEN  # type: ignore[method-assign]
            _expression._BaseParenthesizedNode._parenthesize = _LIBCST_PARENTHESIZE  # type: ignore[method-assign]


def positions(
    module: cst.Module, declared: Optional[Set[str]] = None,
) -> Tuple[Dict[int, Tuple[int, int]], Dict[int, int], List[Tuple[int, str, bool]]]:
    """Return ``(starts, ends, comments)``: starts and ends keyed by ``id(node)``; comments as
    ``(line, text, alone_on_its_line)``. With ``declared``, also add to it every name a
    ``global`` or ``nonlocal`` statement declares."""
    state = _LineState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.line = 1
    state.col = 0
    state.start = {}
    state.end = {}
    state.comments = []
    state.own_line = 0
    state.declared = declared
    _install()
    try:
        module._codegen(state)
    finally:
        _uninstall()
    return state.start, state.end, state.comments
