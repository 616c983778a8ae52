"""The one transformer behind every fix: remove import aliases and statements, insert statements.

Fixes plan their edits against the module as parsed (nodes found by the same positions the
extractor reports), then ``Editor`` applies the whole plan in one pass, so that several fixes on a
file are computed against the same text and never step on each other. Everything the plan does not
name is left byte-identical: a removed statement's own line (and its trailing comment) goes, the
comment lines above it stay; a block left empty gets ``pass``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, NamedTuple, Sequence, Set, Tuple, Union, cast

import libcst as cst

from importguard.extract.positions import positions

if TYPE_CHECKING:
    from typing_extensions import TypeGuard

IMPORT_TYPES = (cst.Import, cst.ImportFrom, cst.LazyImport, cst.LazyImportFrom)
FROM_TYPES = (cst.ImportFrom, cst.LazyImportFrom)
ImportNode = Union[cst.Import, cst.ImportFrom, cst.LazyImport, cst.LazyImportFrom]


class AliasSite(NamedTuple):
    """An import alias and the nodes around it, found by position."""

    alias: cst.ImportAlias
    small: ImportNode
    line: Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]
    parents: Tuple[cst.CSTNode, ...]  # outermost first, ending with the statement holding ``line``


class Index(cst.CSTVisitor):
    """Positions of aliases, ``if`` statements and functions of one parsed module."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.starts, self.ends, _ = positions(module)
        self.aliases: Dict[Tuple[int, int], AliasSite] = {}
        self.ifs: Dict[int, Tuple[cst.If, Tuple[cst.CSTNode, ...]]] = {}
        self.functions: Dict[str, cst.FunctionDef] = {}
        self.parents: Dict[int, Tuple[cst.CSTNode, ...]] = {}
        self._stack: List[cst.CSTNode] = []
        self._names: List[str] = []
        module.visit(self)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.BaseExpression):
            return False  # no statement, import or function inside an expression
        if isinstance(node, (cst.BaseStatement, cst.BaseSuite)):
            self.parents[id(node)] = tuple(self._stack)
            self._stack.append(node)
        if isinstance(node, cst.If):
            start = self.starts.get(id(node), (0, 0))
            self.ifs[start[0] + len(node.leading_lines)] = (node, tuple(self._stack[:-1]))
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self._names.append(node.name.value)
            qual = ".".join(self._names)
            if isinstance(node, cst.FunctionDef):
                self.functions.setdefault(qual, node)
                self._names.append("<locals>")
        elif isinstance(node, IMPORT_TYPES) and not isinstance(node.names, cst.ImportStar):
            # a small statement's holder: the line or the one-line suite (``if x: import a``)
            holder = cast(Union[cst.SimpleStatementLine, cst.SimpleStatementSuite], self._stack[-1])
            for alias in node.names:
                pos = self.starts.get(id(alias))
                if pos is not None:
                    self.aliases[pos] = AliasSite(alias, node, holder, tuple(self._stack[:-1]))
        return True

    def on_leave(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.BaseStatement, cst.BaseSuite)):
            self._stack.pop()
        if isinstance(node, cst.FunctionDef):
            self._names.pop()
            self._names.pop()
        elif isinstance(node, cst.ClassDef):
            self._names.pop()

    def line_of(self, node: cst.CSTNode) -> int:
        start = self.starts.get(id(node), (0, 0))[0]
        return start + len(getattr(node, "leading_lines", ()))


def import_prefix(module: cst.Module, small: cst.BaseSmallStatement) -> str:
    """``from ..m import`` / ``import`` / ``lazy import`` of an import statement."""
    lazy = "lazy " if isinstance(small, (cst.LazyImport, cst.LazyImportFrom)) else ""
    if isinstance(small, FROM_TYPES):
        dots = "." * len(small.relative)
        mod = module.code_for_node(small.module) if small.module is not None else ""
        return f"{lazy}from {dots}{mod} import"
    return f"{lazy}import"


def alias_text(module: cst.Module, alias: cst.ImportAlias) -> str:
    return module.code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip()


def import_text(module: cst.Module, site: AliasSite) -> str:
    """Source of a one-alias import statement equivalent to the alias at ``site``."""
    return f"{import_prefix(module, site.small)} {alias_text(module, site.alias)}"


def alias_statement(module: cst.Module, site: AliasSite) -> cst.SimpleStatementLine:
    """A statement line importing only the alias at ``site``; keeps the line's trailing comment
    when the alias is the whole statement."""
    line = site.line
    names = site.small.names
    if (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
            and not isinstance(names, cst.ImportStar) and len(names) == 1):
        return line.with_changes(leading_lines=(), body=[site.small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
    text = import_text(module, site) + module.default_newline
    return cast(cst.SimpleStatementLine, cst.parse_statement(text, module.config_for_parsing))


def _pws(ws) -> TypeGuard[cst.ParenthesizedWhitespace]:
    return isinstance(ws, cst.ParenthesizedWhitespace)


def _join_ws(head: cst.ParenthesizedWhitespace, tail: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    """``head``'s end of line (and comment) followed by ``tail``'s indentation for the next line."""
    return cst.ParenthesizedWhitespace(first_line=head.first_line,
                                       empty_lines=[*head.empty_lines, *tail.empty_lines],
                                       indent=tail.indent, last_line=tail.last_line)


def filter_aliases(node, drop: Set[int]):
    """``node`` (Import/ImportFrom) without the aliases whose ids are in ``drop``; None when no
    alias is left. Keeps commas, parentheses and the comments of the lines that remain."""
    names = list(node.names)
    out: List[cst.ImportAlias] = []
    for alias in names:
        if id(alias) not in drop:
            out.append(alias)
            continue
        ws = alias.comma.whitespace_after if isinstance(alias.comma, cst.Comma) else None
        # ``a, x,  # c`` -> ``a,  # c``: the line stays, with its end (and comment)
        if out and _pws(ws) and isinstance(out[-1].comma, cst.Comma) and not _pws(out[-1].comma.whitespace_after):
            out[-1] = out[-1].with_changes(comma=out[-1].comma.with_changes(whitespace_after=ws))
    if not out:
        return None
    if len(out) == len(names):
        return node
    last, orig_last = out[-1], names[-1]
    changes = {}
    if last is not orig_last and isinstance(last.comma, cst.Comma):
        paren = isinstance(node, FROM_TYPES) and node.lpar is not None
        if not paren:
            out[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        elif isinstance(orig_last.comma, cst.Comma):  # keep the trailing comma style
            k_ws, l_ws = last.comma.whitespace_after, orig_last.comma.whitespace_after
            if _pws(k_ws) and _pws(l_ws) and k_ws is not l_ws:
                out[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=_join_ws(k_ws, l_ws)))
        else:
            k_ws, r_ws = last.comma.whitespace_after, node.rpar.whitespace_before
            out[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
            if _pws(k_ws) and _pws(r_ws):
                changes["rpar"] = node.rpar.with_changes(whitespace_before=_join_ws(k_ws, r_ws))
            elif _pws(k_ws) and (k_ws.first_line.comment is not None or k_ws.empty_lines):
                changes["rpar"] = node.rpar.with_changes(whitespace_before=cst.ParenthesizedWhitespace(
                    first_line=k_ws.first_line, empty_lines=k_ws.empty_lines, indent=k_ws.indent,
                    last_line=cst.SimpleWhitespace("")))
            elif _pws(k_ws):
                changes["rpar"] = node.rpar.with_changes(whitespace_before=cst.SimpleWhitespace(""))
    return node.with_changes(names=out, **changes)


Stmt = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]


class Editor(cst.CSTTransformer):
    """Apply a plan of edits keyed by the ids of nodes of the module being transformed."""

    def __init__(self) -> None:
        super().__init__()
        self.drop_aliases: Set[int] = set()
        self.drop_stmts: Set[int] = set()
        self.before: Dict[int, List[Stmt]] = {}
        self.after: Dict[int, List[Stmt]] = {}
        self.append: Dict[int, List[Stmt]] = {}  # compound statement id -> statements for its body
        self.prepend: Dict[int, List[Stmt]] = {}  # function id -> statements after its docstring
        self.module_top: List[Stmt] = []  # after the docstring and ``__future__`` imports
        self.replace: Dict[int, Callable[[cst.CSTNode], cst.CSTNode]] = {}  # node id -> new node
        self._orig: Dict[int, int] = {}
        self._alive: List[cst.CSTNode] = []  # keeps ids in ``_orig`` from being reused
        self._doomed: Set[int] = set()

    @property
    def empty(self) -> bool:
        return not (self.drop_aliases or self.drop_stmts or self.before or self.after or self.append
                    or self.prepend or self.module_top or self.replace)

    def add(self, table: Dict[int, List[Stmt]], node: cst.CSTNode, stmts: Sequence[Stmt]) -> None:
        table.setdefault(id(node), []).extend(stmts)

    # ------------------------------------------------------------------ bookkeeping
    def on_visit(self, node: cst.CSTNode) -> bool:
        # every edit is at a statement, an import alias or a whole annotation: skip expressions
        if isinstance(node, cst.BaseExpression):
            return False
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        result = super().on_leave(original_node, updated_node)
        change = self.replace.get(id(original_node))
        if change is not None and isinstance(result, cst.CSTNode):
            result = change(result)
        if isinstance(result, cst.CSTNode):
            self._orig[id(result)] = id(original_node)
            self._alive.append(result)
            if id(original_node) in self.drop_stmts:
                self._doomed.add(id(original_node))
        return result

    def _small(self, original_node, updated_node):
        if isinstance(getattr(updated_node, "names", None), cst.ImportStar):
            return updated_node
        drop = {id(a) for a in original_node.names if id(a) in self.drop_aliases}
        if not drop:
            return updated_node
        # map dropped originals to the updated aliases (same order, same length)
        drop_updated = {id(u) for o, u in zip(original_node.names, updated_node.names) if id(o) in drop}
        new = filter_aliases(updated_node, drop_updated)
        if new is None:
            self._doomed.add(id(original_node))
            return updated_node
        return new

    leave_Import = leave_ImportFrom = leave_LazyImport = leave_LazyImportFrom = _small

    def _smalls(self, original_node, updated_node):
        kept = [u for o, u in zip(original_node.body, updated_node.body) if id(o) not in self._doomed]
        if len(kept) == len(updated_node.body):
            return updated_node
        if not kept:
            if isinstance(updated_node, cst.SimpleStatementSuite):
                return updated_node.with_changes(body=[cst.Pass()])
            self._doomed.add(id(original_node))
            return updated_node
        if kept[-1] is not updated_node.body[-1]:
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(body=kept)

    leave_SimpleStatementLine = leave_SimpleStatementSuite = _smalls

    # ------------------------------------------------------------------ bodies
    def _body(self, stmts: Sequence[Stmt]) -> Tuple[List[Stmt], List[cst.EmptyLine]]:
        out: List[Stmt] = []
        carry: List[cst.EmptyLine] = []
        for s in stmts:
            o = self._orig.get(id(s), id(s))
            new = [*self.before.get(o, ()), s, *self.after.get(o, ())]
            for n in new:
                if n is s and o in self._doomed:
                    carry.extend(s.leading_lines)
                    continue
                if carry:
                    n = n.with_changes(leading_lines=[*carry, *n.leading_lines])
                    carry = []
                out.append(n)
        return out, carry

    def leave_IndentedBlock(self, original_node, updated_node):
        body, carry = self._body(updated_node.body)
        if not body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()], leading_lines=carry)])
        if carry:
            return updated_node.with_changes(body=body, footer=[*carry, *updated_node.footer])
        return updated_node.with_changes(body=body)

    def _with_body(self, original_node, updated_node):
        extra = self.append.get(id(original_node))
        if extra:
            block = to_block(updated_node.body)
            body = [s for s in block.body if not _only_pass(s)] if len(block.body) == 1 else list(block.body)
            updated_node = updated_node.with_changes(body=block.with_changes(body=[*body, *extra]))
        first = self.prepend.get(id(original_node))
        if first:
            updated_node = updated_node.with_changes(body=insert_first(updated_node.body, first))
        return updated_node

    leave_If = _with_body

    def leave_FunctionDef(self, original_node, updated_node):
        return self._with_body(original_node, updated_node)

    def leave_Module(self, original_node, updated_node):
        body, carry = self._body(updated_node.body)
        if self.module_top:
            at = top_insert_index(body)
            body = [*body[:at], *self.module_top, *body[at:]]
        footer = [*carry, *updated_node.footer]
        if not body and not footer and not updated_node.header:  # the file held only what went
            return updated_node.with_changes(body=body, footer=footer, has_trailing_newline=False)
        return updated_node.with_changes(body=body, footer=footer)


def _only_pass(stmt) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, cst.Pass) for s in stmt.body)
            and not stmt.leading_lines and stmt.trailing_whitespace.comment is None)


def is_docstring(stmt) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def is_future_import(stmt) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, cst.ImportFrom) and not s.relative and s.module is not None
        and isinstance(s.module, cst.Name) and s.module.value == "__future__" for s in stmt.body))


def top_insert_index(body: Sequence[Stmt]) -> int:
    i = 1 if body and is_docstring(body[0]) else 0
    while i < len(body) and is_future_import(body[i]):
        i += 1
    return i


def to_block(suite: cst.BaseSuite) -> cst.IndentedBlock:
    """``def f(): return x`` / ``if c: x`` -> the same statements as an indented block."""
    if isinstance(suite, cst.IndentedBlock):
        return suite
    suite = cast(cst.SimpleStatementSuite, suite)  # the other kind of suite
    last = len(suite.body) - 1
    line = cst.SimpleStatementLine(
        body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) if i == last else s
              for i, s in enumerate(suite.body)],
        trailing_whitespace=suite.trailing_whitespace)
    return cst.IndentedBlock(body=[line])


def insert_first(suite: cst.BaseSuite, stmts: Sequence[Stmt]) -> cst.IndentedBlock:
    """``stmts`` as the first statements of a function body, after its docstring."""
    suite = to_block(suite)
    body = list(suite.body)
    at = 1 if body and is_docstring(body[0]) else 0
    return suite.with_changes(body=[*body[:at], *stmts, *body[at:]])


def apply(module: cst.Module, editor: Editor) -> cst.Module:
    if editor.empty:
        return module
    return module.visit(editor)
