"""IG400's fix for Python 3.15+: turn a module-level import into a PEP 810 ``lazy import``.

``import x`` becomes ``lazy import x`` and ``from x import y`` becomes ``lazy from x import y``:
the name is bound at once, the module is loaded on first use. Only the aliases a diagnostic
names are made lazy; when a statement also imports other names, it is split in two lines, the
lazy one first. PEP 810 allows ``lazy`` only at module level, outside ``try``/``with``/classes,
and never with ``*``: the fix touches only statements directly in the module body, so a
position that points anywhere else is left alone (``plan_lazy`` says why). Comments and formatting of the statement are
kept (a trailing comment stays with the last line of the split).
"""
from __future__ import annotations

from typing import List, Sequence, Set, Tuple, Union

import libcst as cst
import libcst.helpers

_Import = Union[cst.Import, cst.ImportFrom]


def _aliases(aliases: Sequence[cst.ImportAlias], parens: bool) -> List[cst.ImportAlias]:
    """Commas for a new list of aliases: between every two; after the last only inside parens
    (where it may carry the newline before ``)``)."""
    out = []
    for i, a in enumerate(aliases):
        if i < len(aliases) - 1:
            if not isinstance(a.comma, cst.Comma):
                a = a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        elif not parens:
            a = a.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        out.append(a)
    return out


def _close(node: cst.ImportFrom, names: List[cst.ImportAlias]):
    """(names, rpar): when the last name's comma now ends its line, ``)`` needs no newline."""
    last, rpar = names[-1], node.rpar
    if rpar is not None and isinstance(last.comma, cst.Comma) and \
            isinstance(last.comma.whitespace_after, cst.ParenthesizedWhitespace):
        ws = last.comma.whitespace_after.with_changes(indent=False, last_line=cst.SimpleWhitespace(""))
        names[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=ws))
        rpar = rpar.with_changes(whitespace_before=cst.SimpleWhitespace(""))
    return names, rpar


def _lazy(node: _Import, aliases: Sequence[cst.ImportAlias]) -> cst.BaseSmallStatement:
    if isinstance(node, cst.Import):
        return cst.LazyImport(names=_aliases(aliases, False), semicolon=node.semicolon,
                              whitespace_after_import=node.whitespace_after_import)
    names, rpar = _close(node, _aliases(aliases, node.lpar is not None))
    return cst.LazyImportFrom(
        module=node.module, names=names, relative=node.relative,
        lpar=node.lpar, rpar=rpar, semicolon=node.semicolon,
        whitespace_after_from=node.whitespace_after_from,
        whitespace_before_import=node.whitespace_before_import,
        whitespace_after_import=node.whitespace_after_import,
    )


def _eager(node: _Import, aliases: Sequence[cst.ImportAlias]) -> cst.BaseSmallStatement:
    if isinstance(node, cst.Import):
        return node.with_changes(names=_aliases(aliases, False))
    names, rpar = _close(node, _aliases(aliases, node.lpar is not None))
    return node.with_changes(names=names, rpar=rpar)


def _is_future(small: cst.BaseSmallStatement) -> bool:
    return (isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None
            and libcst.helpers.get_full_name_for_node(small.module) == "__future__")


def make_lazy(line: cst.SimpleStatementLine, chosen: Set[Tuple[int, int]]):
    """``line`` (a module-level statement line) with the aliases at (statement index, alias
    index) in ``chosen`` made lazy: one line, or two (lazy first) when a statement keeps names."""
    body: List[cst.BaseSmallStatement] = []
    extra: List[cst.BaseSmallStatement] = []  # eager remainders, on their own line after
    for i, small in enumerate(line.body):
        picked = [j for (k, j) in chosen if k == i]
        if (not picked or not isinstance(small, (cst.Import, cst.ImportFrom))
                or isinstance(small.names, cst.ImportStar) or _is_future(small)):
            body.append(small)
            continue
        lazy = [a for j, a in enumerate(small.names) if j in picked]
        rest = [a for j, a in enumerate(small.names) if j not in picked]
        body.append(_lazy(small, lazy))
        if rest:
            extra.append(_eager(small, rest))
    first = line.with_changes(body=_fix_semicolons(body))
    if not extra:
        return first
    second = cst.SimpleStatementLine(body=_fix_semicolons(extra), trailing_whitespace=line.trailing_whitespace)
    first = first.with_changes(trailing_whitespace=cst.TrailingWhitespace())
    return cst.FlattenSentinel([first, second])


def _fix_semicolons(body: List[cst.BaseSmallStatement]) -> List[cst.BaseSmallStatement]:
    """The last statement of a line carries no semicolon; the others keep theirs (or get one)."""
    out = []
    for i, s in enumerate(body):
        if i == len(body) - 1:
            out.append(s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT))
        elif not isinstance(s.semicolon, cst.Semicolon):
            out.append(s.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" "))))
        else:
            out.append(s)
    return out


def plan_lazy(editor, index, line: int, col: int) -> str:
    """Add "make the alias at (line, col) lazy" to the fix loop's ``Editor`` plan (see
    ``fixers.edits``); "" when planned, else why not. Every alias of one statement line that the
    plan makes lazy goes through one replacement of that line."""
    site = index.aliases.get((line, col))
    if site is None:
        return "import not found"
    if isinstance(site.small, (cst.LazyImport, cst.LazyImportFrom)):
        return ""  # already lazy
    if site.parents or not isinstance(site.line, cst.SimpleStatementLine) or _is_future(site.small):
        return "PEP 810 allows `lazy` only on imports directly in the module body"
    i = next(k for k, s in enumerate(site.line.body) if s is site.small)
    j = next(k for k, a in enumerate(site.small.names) if a is site.alias)
    plans = editor.__dict__.setdefault("lazy_lines", {})
    chosen = plans.setdefault(id(site.line), set())
    chosen.add((i, j))
    editor.replace[id(site.line)] = lambda node, chosen=chosen: make_lazy(node, chosen)
    return ""
