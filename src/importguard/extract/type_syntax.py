"""Type expressions in code that is not an annotation: the typing constructs whose arguments are
types, PEP 484 type comments, and the names a string that holds a type mentions.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, List, Optional, Union

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

# Subscripting these makes a type expression: a string inside is a forward reference
_TYPE_MODULES = ("typing", "typing_extensions", "collections.abc", "mypy_extensions")


_TYPE_CONSTRUCTS = frozenset({
    "builtins.list", "builtins.dict", "builtins.tuple", "builtins.set", "builtins.frozenset",
    "builtins.type", "collections.deque", "collections.defaultdict", "collections.OrderedDict",
    "collections.Counter", "collections.ChainMap", "re.Pattern", "re.Match", "os.PathLike",
    "contextlib.AbstractContextManager", "contextlib.AbstractAsyncContextManager",
    "queue.Queue", "weakref.ref", "weakref.WeakKeyDictionary", "weakref.WeakValueDictionary",
    "weakref.WeakSet",
})


def _is_type_construct(qualified: str) -> bool:
    if qualified in _TYPE_CONSTRUCTS:
        return True
    return any(qualified.startswith(m + ".") for m in _TYPE_MODULES)


# typing calls whose arguments are types: positions (from 0) and keywords that hold a type
_TYPE_ARGS = {
    "cast": ((0,), ("typ",)),
    "NewType": ((1,), ("tp",)),
    "TypeAliasType": ((1,), ("value",)),
    "ForwardRef": ((0,), ("arg",)),
}


_TYPE_VARS = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple"})  # args after the name; bound=, default=


_TYPE_COMMENT = re.compile(r"#\s*type:\s*(?P<text>.*)$")


_TYPE_IGNORE = re.compile(r"ignore(\[[^\]]*\])?\s*($|#)")


def _type_comment(text: str) -> Optional[str]:
    """The type of a PEP 484 type comment (``# type: List[int]``), or None (``# type: ignore``)."""
    m = _TYPE_COMMENT.match(text)
    if m is None:
        return None
    body = m.group("text")
    if _TYPE_IGNORE.match(body):
        return None
    body = body.split("#", 1)[0].strip()  # a type comment followed by another comment
    return body or None


def _literal_text(node: cst.CSTNode) -> Optional[str]:
    """The value of a plain string literal (implicit concatenation included, no f-strings)."""
    text: Union[str, bytes]
    if type(node) is cst.ConcatenatedString:
        parts: List[Any] = []  # the literals, checked below to be plain strings
        n: cst.BaseExpression = node
        while type(n) is cst.ConcatenatedString:
            parts.append(n.left)
            n = n.right
        parts.append(n)
        if any(type(p) is not cst.SimpleString or "b" in p.prefix.lower() for p in parts):
            return None
        try:
            text = "".join(p.evaluated_value for p in parts)
        except Exception:
            return None
    elif type(node) is cst.SimpleString:
        if "b" in node.prefix.lower():
            return None
        try:
            text = node.evaluated_value
        except Exception:
            return None
    else:
        return None
    return text if isinstance(text, str) else None


def _ast_loads(tree: ast.AST, typing: bool) -> List[str]:
    """Dotted names a parsed string or type comment loads. With ``typing``, strings inside are
    forward references too (except in ``Literal[...]`` and ``Annotated`` metadata)."""
    out: List[str] = []
    stack = [tree]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Name, ast.Attribute)) and isinstance(n.ctx, ast.Load):
            parts: List[str] = []
            base: ast.expr = n
            while isinstance(base, ast.Attribute):
                parts.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name):
                parts.append(base.id)
                out.append(".".join(reversed(parts)))
                continue
            stack.append(base)
            continue
        if typing and isinstance(n, ast.Subscript):
            head = n.value
            short = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
            stack.append(head)
            if short == "Literal":
                continue
            if short == "Annotated":
                if isinstance(n.slice, ast.Tuple) and n.slice.elts:
                    stack.append(n.slice.elts[0])
                    continue
            stack.append(n.slice)
            continue
        if typing and isinstance(n, ast.Constant) and isinstance(n.value, str):
            try:
                stack.append(ast.parse(n.value.strip(), mode="eval"))
            except (SyntaxError, ValueError):
                pass
            continue
        stack.extend(ast.iter_child_nodes(n))
    return out
