"""Line and column of selected nodes, from one light code-generation pass.

LibCST's ``PositionProvider`` records a ``CodeRange`` for every node and costs about twice the
parse itself. Imports, names and statements are all the rules need, so this state tracks only the
current line and column while LibCST regenerates the source, and records start (and for
statements, end) positions of the node types it is asked for.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

if TYPE_CHECKING:
    from importguard.extract.syntax import Dispatched

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

    def before_codegen(self, node: Dispatched) -> None:
        t = type(node)
        if t in _START:
            self.start[id(node)] = (self.line, self.col)
        elif t is cst.Comment:
            self.comments.append((self.line, node.value, self.own_line == self.line))
            self.start[id(node)] = (self.line, self.col)
        elif t is cst.EmptyLine:
            self.own_line = self.line  # a comment that follows is alone on its line
        elif (t is cst.Global or t is cst.Nonlocal) and self.declared is not None:
            self.declared.update(n.name.value for n in node.names)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in _END:
            # compound statements end after their newline: report the last line they occupy
            self.end[id(node)] = self.line - 1 if self.col == 0 else self.line


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
    module._codegen(state)
    return state.start, state.end, state.comments
