"""Fix kind ``defer-import``: move a module-level import into the functions that use it.

Used by the IG300 fix (break a cycle at an edge whose uses are all inside functions) and the IG400
fix (defer a costly import). The import goes in as the first statement of each named function,
after its docstring, and leaves the module level (other names of the same statement stay).
"""
from __future__ import annotations

from typing import Sequence, Tuple

import libcst as cst

from importguard.fixers.edits import Editor, Index, alias_statement, apply, import_text


def _already_there(module: cst.Module, func: cst.FunctionDef, text: str) -> bool:
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
    for stmt in body[:4]:
        if isinstance(stmt, cst.SimpleStatementLine) and module.code_for_node(
                stmt.with_changes(leading_lines=(), trailing_whitespace=cst.TrailingWhitespace())).strip() == text:
            return True
    return False


def plan_defer(editor: Editor, index: Index, line: int, col: int, scopes: Sequence[str]) -> bool:
    """Add the move of the alias at (line, col) into ``scopes`` to ``editor``; False when it
    cannot be done (no such module-level import, an unknown function, no function at all)."""
    site = index.aliases.get((line, col))
    funcs = [f for f in (index.functions.get(s) for s in scopes) if f is not None]
    if site is None or not scopes or len(funcs) != len(scopes):
        return False
    if site.parents:
        return False  # only unconditional module-level imports are deferred
    module = index.module
    stmt = alias_statement(module, site)
    text = import_text(module, site)
    for func in dict.fromkeys(funcs):  # ordered, without duplicates
        if not _already_there(module, func, text):
            editor.add(editor.prepend, func, [stmt])
    editor.drop_aliases.add(id(site.alias))
    return True


def apply_defer_import(module: cst.Module, line: int, col: int, scopes: Tuple[str, ...]) -> cst.Module:
    """``module`` with the module-level import alias at (line 1-based, col 0-based) moved into the
    functions named by ``scopes`` (qualified names: ``f``, ``C.m``, ``f.<locals>.g``).

    Returns ``module`` unchanged when the alias or one of the functions is not there.
    """
    editor = Editor()
    if not plan_defer(editor, Index(module), line, col, scopes):
        return module
    return apply(module, editor)
