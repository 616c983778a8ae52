"""Fixes around ``if TYPE_CHECKING:`` blocks.

- ``move-to-type-checking`` (IG200, IG300): move an import into the module's first
  ``TYPE_CHECKING`` block, creating it (and ``from typing import TYPE_CHECKING``) after the last
  top-level import when there is none. Annotations Python would still evaluate are quoted
  (strategy ``quote``) or deferred by ``from __future__ import annotations`` (strategy ``future``).
- ``move-out-of-type-checking`` (IG201): move an import out, just above its block.
- ``merge-type-checking`` / ``remove-type-checking`` (IG202): merge later module-level blocks into
  the first one; remove empty blocks.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, cast

import libcst as cst

from importguard.extract.astnodes import N
from importguard.extract.nodes import to_mirror
from importguard.extract.syntax import is_type_checking, type_checking_aliases
from importguard.fixers.edits import (
    IMPORT_TYPES,
    Editor,
    Index,
    Stmt,
    alias_statement,
    alias_text,
    filter_aliases,
    import_prefix,
    import_text,
    top_insert_index,
)

FUTURE = "from __future__ import annotations"


def is_type_checking_test(test: cst.BaseExpression, aliases: Sequence[str] = ()) -> bool:
    """The extractor's test of a ``TYPE_CHECKING`` block (so a fix acts on exactly the blocks the
    rules reported): ``TYPE_CHECKING``, ``<module>.TYPE_CHECKING`` or an alias of it. (The
    extractor reads its own copies of LibCST's nodes: the test is copied.)"""
    return is_type_checking(to_mirror(test), aliases) is not None


def aliases_of(module: cst.Module) -> Tuple[str, ...]:
    """``type_checking_aliases`` of a LibCST module (its simple top-level statements, copied)."""
    lines = [to_mirror(s) for s in module.body if isinstance(s, cst.SimpleStatementLine)]
    return type_checking_aliases(N.Module(body=lines))


def top_level_blocks(module: cst.Module) -> List[cst.If]:
    aliases = aliases_of(module)
    return [s for s in module.body if isinstance(s, cst.If) and is_type_checking_test(s.test, aliases)]


def _block_texts(module: cst.Module, block: cst.If) -> set:
    body = block.body.body if isinstance(block.body, cst.IndentedBlock) else ()
    return {module.code_for_node(s.with_changes(leading_lines=(), trailing_whitespace=cst.TrailingWhitespace())).strip()
            for s in body if isinstance(s, cst.SimpleStatementLine)}


def _binds_type_checking(module: cst.Module) -> bool:
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for a in small.names:
                    bound = a.asname.name if a.asname is not None else a.name
                    if isinstance(bound, cst.Name) and bound.value == "TYPE_CHECKING" and isinstance(a.name, cst.Name):
                        return True
            if isinstance(small, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                if any(isinstance(t, cst.Name) and t.value == "TYPE_CHECKING" for t in targets):
                    return True
    return False


def _typing_import(module: cst.Module, dropped: set) -> Optional[cst.ImportFrom]:
    """The first module-level ``from typing import ...`` that keeps a name after this round's edits."""
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if (isinstance(small, cst.ImportFrom) and not small.relative and isinstance(small.module, cst.Name)
                    and small.module.value == "typing" and not isinstance(small.names, cst.ImportStar)
                    and any(id(a) not in dropped for a in small.names)):
                return small
    return None


def _add_type_checking(node: cst.CSTNode) -> cst.CSTNode:
    """``TYPE_CHECKING`` as the first name of the import, laid out as the names already are."""
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return node  # the plan chose a `from typing import a, b` statement
    names = list(node.names)
    if len(names) > 1 and isinstance(names[0].comma, cst.Comma):
        comma = names[0].comma  # the separator between the first two names: ", " or a line break
    elif node.lpar is not None:
        comma = cst.Comma(whitespace_after=node.lpar.whitespace_after)  # `(\n    Any,\n)`
    else:
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return node.with_changes(names=[cst.ImportAlias(name=cst.Name("TYPE_CHECKING"), comma=comma), *names])


def _is_import_line(stmt) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


# ---------------------------------------------------------------------------- quoting (strategy quote)
_UNSAFE_TO_QUOTE = re.compile(r"""['"\\#\n\r]|\b(Annotated|Literal)\b""")


def quotable(text: str) -> bool:
    """Quoting the whole annotation keeps its meaning: no strings, escapes, comments or line breaks
    inside, and no ``Annotated`` metadata or ``Literal`` values (both are runtime data)."""
    return bool(text.strip()) and not _UNSAFE_TO_QUOTE.search(text)


class _Annotations(cst.CSTVisitor):
    """Annotation nodes by the positions of the names inside them."""

    def __init__(self, index: Index) -> None:
        self.starts = index.starts
        self.by_name: Dict[Tuple[int, int], cst.Annotation] = {}
        self._current: List[cst.Annotation] = []
        index.module.visit(self)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._current.append(node)

    def leave_Annotation(self, node: cst.Annotation) -> None:
        self._current.pop()

    def visit_Name(self, node: cst.Name) -> None:
        if self._current:
            pos = self.starts.get(id(node))
            if pos is not None:
                self.by_name[pos] = self._current[0]


def grouped_statement(module: cst.Module, sites: Sequence) -> cst.SimpleStatementLine:
    """One statement importing the aliases of ``sites`` (all from the same statement): the
    statement line itself when every alias of a one-statement line moves, else built anew."""
    small = sites[0].small
    if len(sites) == 1:
        return alias_statement(module, sites[0])
    if len(sites) == len(small.names) and len(sites[0].line.body) == 1:
        alone = small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return sites[0].line.with_changes(leading_lines=(), body=[alone])
    text = f"{import_prefix(module, small)} {', '.join(alias_text(module, s.alias) for s in sites)}"
    return cast(cst.SimpleStatementLine, cst.parse_statement(text + module.default_newline, module.config_for_parsing))


def _quoted(text: str) -> Callable[[cst.CSTNode], cst.CSTNode]:
    """The edit that makes an annotation node's annotation the string ``text``."""
    return lambda node: node.with_changes(annotation=cst.SimpleString(text))


# ---------------------------------------------------------------------------- the plan of one file
class TypeCheckingPlan:
    """Collects the TYPE_CHECKING edits of one file, then adds them to an ``Editor``."""

    def __init__(self, index: Index, strategy: Optional[str] = None, future: bool = False) -> None:
        self.index = index
        self.module = index.module
        self.strategy = strategy
        self.has_future = future
        self.moved_in: List[cst.SimpleStatementLine] = []
        self.moved_texts: set = set()
        self._groups: Dict[int, List] = {}  # id(import statement) -> sites moving in, in order
        self.need_future = False
        self.quotes: Dict[int, str] = {}  # id(Annotation) -> quoted source
        self._annotations: Optional[_Annotations] = None

    # -- IG200 / IG300
    def move_in(self, editor: Editor, line: int, col: int, evaluated_uses: Sequence[Tuple[int, int]] = ()) -> str:
        """Plan moving the alias at (line, col) into the TYPE_CHECKING block; "" when planned,
        else the reason it is not."""
        site = self.index.aliases.get((line, col))
        if site is None:
            return "import not found"
        if site.parents:
            return "not a top-level import"
        if evaluated_uses and not self.has_future:
            if self.strategy is None:
                return "used in annotations Python evaluates (choose --annotation-strategy quote or future)"
            if self.strategy == "future":
                self.need_future = True
            else:
                reason = self._plan_quotes(evaluated_uses)
                if reason:
                    return reason
        text = import_text(self.module, site)
        blocks = top_level_blocks(self.module)
        if not (blocks and text in _block_texts(self.module, blocks[0])) and text not in self.moved_texts:
            self._groups.setdefault(id(site.small), []).append(site)
            self.moved_texts.add(text)
        editor.drop_aliases.add(id(site.alias))
        return ""

    def _plan_quotes(self, uses: Sequence[Tuple[int, int]]) -> str:
        if self._annotations is None:
            self._annotations = _Annotations(self.index)
        planned: Dict[int, str] = {}
        for pos in uses:
            ann = self._annotations.by_name.get(pos)
            if ann is None:
                return f"cannot find the annotation at line {pos[0]} to quote"
            if isinstance(ann.annotation, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            text = self.module.code_for_node(ann.annotation)
            if not quotable(text):
                return f"annotation `{text.strip()}` at line {pos[0]} cannot be quoted safely"
            planned[id(ann)] = '"' + text.strip() + '"'
        self.quotes.update(planned)
        return ""

    def _quote(self, editor: Editor) -> None:
        for key, text in self.quotes.items():
            editor.replace[key] = _quoted(text)

    def finish(self, editor: Editor) -> None:
        self._quote(editor)
        self.moved_in = [grouped_statement(self.module, sites) for sites in self._groups.values()]
        if self.need_future and not self.has_future:
            editor.module_top.append(cst.parse_statement(FUTURE + self.module.default_newline,
                                                         self.module.config_for_parsing))
        if not self.moved_in:
            return
        blocks = top_level_blocks(self.module)
        if blocks:
            editor.add(editor.append, blocks[0], self.moved_in)
            return
        nl = self.module.default_newline
        new: List = []
        if not _binds_type_checking(self.module):
            typing_import = _typing_import(self.module, editor.drop_aliases)
            if typing_import is not None:  # `from typing import Any` -> `from typing import TYPE_CHECKING, Any`
                editor.replace[id(typing_import)] = _add_type_checking
            else:
                new.append(cst.parse_statement("from typing import TYPE_CHECKING" + nl, self.module.config_for_parsing))
        block = cast(cst.If, cst.parse_statement(f"if TYPE_CHECKING:{nl}{self.module.default_indent}pass{nl}",
                                                 self.module.config_for_parsing))
        block = block.with_changes(leading_lines=[cst.EmptyLine()],
                                   body=block.body.with_changes(body=self.moved_in))
        body = self.module.body
        imports = [s for s in body if _is_import_line(s)]
        if imports:
            at = list(body).index(imports[-1]) + 1
            if at < len(body) and not body[at].leading_lines:  # keep the block apart from what follows
                block = block.with_changes(body=block.body.with_changes(footer=[cst.EmptyLine(indent=False)]))
            editor.add(editor.after, imports[-1], [*new, block])
        else:  # no top-level import at all: after the docstring and __future__ imports
            at = top_insert_index(body)
            if at < len(body):
                editor.add(editor.before, body[at], [*new, block.with_changes(leading_lines=())])
            else:
                editor.module_top.extend([*new, block])

    # -- IG201
    def move_out(self, editor: Editor, line: int, col: int) -> str:
        site = self.index.aliases.get((line, col))
        if site is None:
            return "import not found"
        aliases = aliases_of(self.module)
        block = next((p for p in reversed(site.parents)
                      if isinstance(p, cst.If) and is_type_checking_test(p.test, aliases)), None)
        if block is None:
            return "import is not inside `if TYPE_CHECKING:`"
        editor.add(editor.before, block, [alias_statement(self.module, site)])
        editor.drop_aliases.add(id(site.alias))
        return ""

    # -- IG202
    def remove_block(self, editor: Editor, line: int) -> str:
        found = self.index.ifs.get(line)
        if (found is None or not is_type_checking_test(found[0].test, aliases_of(self.module))
                or found[0].orelse is not None):
            return "block not found"
        editor.drop_stmts.add(id(found[0]))
        return ""

    def _without_imports_of(self, first: cst.If, stmts: List) -> List:
        """``stmts`` without the aliases that ``first`` already imports in the same words: a
        merge that copied them would leave a duplicate import (rebound before use), which a
        second ``fix`` would then have to remove."""
        seen: Set[str] = set()
        for stmt in first.body.body if isinstance(first.body, cst.IndentedBlock) else [first.body]:
            for small in getattr(stmt, "body", ()):
                if isinstance(small, IMPORT_TYPES) and not isinstance(small.names, cst.ImportStar):
                    prefix = import_prefix(self.module, small)
                    seen.update(f"{prefix} {alias_text(self.module, a)}" for a in small.names)
        out = []
        for stmt in stmts:
            if not isinstance(stmt, cst.SimpleStatementLine):
                out.append(stmt)
                continue
            smalls = []
            for small in stmt.body:
                if isinstance(small, IMPORT_TYPES) and not isinstance(small.names, cst.ImportStar):
                    prefix = import_prefix(self.module, small)
                    drop = {id(a) for a in small.names if f"{prefix} {alias_text(self.module, a)}" in seen}
                    small = filter_aliases(small, drop) if drop else small
                if small is not None:
                    smalls.append(small)
            if smalls:
                last = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                out.append(stmt.with_changes(body=[*smalls[:-1], last]))
        return out

    def merge_block(self, editor: Editor, line: int) -> str:
        found = self.index.ifs.get(line)
        blocks = top_level_blocks(self.module)
        if found is None or not blocks or found[0] is blocks[0] or found[0] not in blocks:
            return "block not found"
        later, first = found[0], blocks[0]
        if later.orelse is not None or first.orelse is not None:
            return "a block has an `else:` branch"
        stmts: List[Stmt]
        if isinstance(later.body, cst.IndentedBlock):
            stmts = cast(List[Stmt], list(later.body.body))  # a BaseStatement is one of the two
        else:
            suite = cast(cst.SimpleStatementSuite, later.body)  # `if TYPE_CHECKING: import a; import b`
            stmts = [cst.SimpleStatementLine(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
                     for s in suite.body]
        stmts = self._without_imports_of(first, stmts)
        editor.add(editor.append, first, stmts)
        editor.drop_stmts.add(id(later))
        return ""

