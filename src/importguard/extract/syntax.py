"""Syntax predicates over LibCST nodes: dotted names, ``TYPE_CHECKING`` tests and aliases, the
conditions of ``if`` statements (version and platform checks), guarded imports and their
exceptions, and the shapes of blocks.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

from importguard.model import CallEvent, ImportEvent, LoadEvent, StoreEvent, walk_events

# A LibCST node that a function dispatches on with ``t = type(node)`` and ``t is cst.X`` (one call
# per node, on the hot path): type checkers do not narrow that, so its attributes go unchecked.
Dispatched = Any

OTHER = -1  # a binding that is not an import


_SKIP_FIELDS = frozenset(
    {
        "lpar", "rpar", "comma", "semicolon", "dot", "lbracket", "rbracket", "lbrace", "rbrace",
        "colon", "equal", "leading_lines", "lines_after_decorators", "header", "footer",
        "asynchronous", "star", "operator", "whitespace_after_star", "star_tok",
        "whitespace_before_colon", "whitespace_after_colon", "whitespace_before", "whitespace_after",
    }
)


_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _fields(t: type) -> Tuple[str, ...]:
    f = _FIELDS.get(t)
    if f is None:
        f = tuple(x for x in t.FIELDS if x not in _SKIP_FIELDS and not x.startswith("whitespace"))  # type: ignore[attr-defined]
        _FIELDS[t] = f
    return f


def dotted(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is not cst.Name:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _callee(node: cst.CSTNode) -> Optional[str]:
    if type(node) is cst.Call:
        node = node.func
    return dotted(node)


_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(handlers) -> bool:
    for h in handlers:
        if h.type is None:
            return True
        types = h.type.elements if type(h.type) is cst.Tuple else [h.type]
        for t in types:
            value = t.value if type(t) is cst.Element else t
            d = dotted(value)
            if d and d.rsplit(".", 1)[-1] in _IMPORT_ERRORS:
                return True
    return False


_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _plain_string(node: cst.SimpleString) -> Optional[str]:
    """The value of a short text literal, or None (bytes, too long, unreadable)."""
    if len(node.value) > 200 or "b" in node.prefix.lower():
        return None
    try:
        value = node.evaluated_value
    except Exception:  # noqa: BLE001 - an odd literal is simply not a name
        return None
    return value if isinstance(value, str) else None


# context managers under which an exception is the expected outcome
_EXPECTS = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp", "suppress"})


TYPE_CHECKING_MODULES = ("typing", "typing_extensions")


def is_type_checking_import(module: Optional[str], level: int, name: Optional[str]) -> bool:
    """``from typing import TYPE_CHECKING [as X]`` (or from ``typing_extensions``)."""
    return level == 0 and name == "TYPE_CHECKING" and module in TYPE_CHECKING_MODULES


def is_type_checking(test: cst.CSTNode, aliases=()) -> Optional[str]:
    """The spelling of ``test`` when it is ``TYPE_CHECKING`` (else None): the name itself,
    ``<module>.TYPE_CHECKING``, or a name in ``aliases`` (``from typing import TYPE_CHECKING as
    TC``, ``TC = typing.TYPE_CHECKING``; see ``type_checking_alias``). The one test of "this block
    is TYPE_CHECKING" that the facts (and every rule reading them) rely on."""
    d = dotted(test)
    if d and (d == "TYPE_CHECKING" or d.endswith(".TYPE_CHECKING") or d in aliases):
        return d
    return None


def type_checking_alias(node: Dispatched, aliases=()) -> Optional[str]:
    """The name a statement binds to ``TYPE_CHECKING`` under another spelling, or None:
    ``from typing import TYPE_CHECKING as TC``, ``TC = TYPE_CHECKING``, ``TC = typing.TYPE_CHECKING``."""
    t = type(node)
    if t in (cst.ImportFrom, cst.LazyImportFrom):
        if node.relative or node.module is None or type(node.names) is cst.ImportStar:
            return None
        if dotted(node.module) not in TYPE_CHECKING_MODULES:
            return None
        for a in node.names:
            if type(a.name) is cst.Name and a.name.value == "TYPE_CHECKING" and a.asname is not None:
                if type(a.asname.name) is cst.Name and a.asname.name.value != "TYPE_CHECKING":
                    return a.asname.name.value
        return None
    if t is cst.Assign and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
        name = node.targets[0].target.value
        if name != "TYPE_CHECKING" and is_type_checking(node.value, aliases):
            return name
    return None


def type_checking_aliases(module: cst.Module) -> Tuple[str, ...]:
    """Every alias of ``TYPE_CHECKING`` bound by a simple statement at the top of ``module``
    (for fixers, which see the CST but not the facts)."""
    out: List[str] = []
    for stmt in module.body:
        if type(stmt) is cst.SimpleStatementLine:
            for small in stmt.body:
                a = type_checking_alias(small, out)
                if a:
                    out.append(a)
    return tuple(out)


def _caught(handler) -> Tuple[str, ...]:
    """Short names of the exceptions an ``except`` clause catches; "*" for anything broad."""
    return ("*",) if handler.type is None else _exception_names(handler.type)


def _exception_names(node: cst.CSTNode) -> Tuple[str, ...]:
    types = node.elements if type(node) is cst.Tuple else [node]
    out = []
    for t in types:
        d = dotted(t.value if type(t) is cst.Element else t)
        short = d.rsplit(".", 1)[-1] if d else "*"
        out.append("*" if short in ("Exception", "BaseException") else short)
    return tuple(out)


def _expects_import_error(item: cst.CSTNode) -> bool:
    """``with pytest.raises(ImportError)``, ``with self.assertRaises(ModuleNotFoundError)``,
    ``with contextlib.suppress(ImportError)`` (or a base class of them): the imports in the body
    are availability checks, or the very thing under test."""
    if type(item) is not cst.Call:
        return False
    short = (dotted(item.func) or "").rsplit(".", 1)[-1]
    if short not in _EXPECTS:
        return False
    if short == "suppress":
        args = [a.value for a in item.args if a.keyword is None and not a.star]
    else:  # the expected exception: the first positional argument, or ``expected_exception=``
        args = [a.value for a in item.args[:1] if a.keyword is None and not a.star]
        args += [a.value for a in item.args if a.keyword is not None and a.keyword.value == "expected_exception"]
    for value in args:
        for t in (value.elements if type(value) is cst.Tuple else [value]):
            d = dotted(t.value if type(t) is cst.Element else t)
            if d and d.rsplit(".", 1)[-1] in _IMPORT_ERRORS:
                return True
    return False


def _suppressed(item: cst.CSTNode) -> Tuple[str, ...]:
    """Exceptions a ``with contextlib.suppress(...)`` item swallows."""
    if type(item) is not cst.Call or (_callee(item.func) or "").rsplit(".", 1)[-1] != "suppress":
        return ()
    return tuple(n for a in item.args for n in _exception_names(a.value)) or ("*",)


def _extends_all(value: cst.CSTNode) -> bool:
    """``__all__ + [...]`` (``__all__ = __all__ + [...]`` keeps the names already listed)."""
    while type(value) is cst.BinaryOperation:
        if type(value.right) is cst.Name and value.right.value == "__all__":
            return True
        value = value.left
    return type(value) is cst.Name and value.value == "__all__"


def _test_kind(test: Dispatched, aliases=()):
    """How the simulation decides an ``if`` test (the ``("f", test, ...)`` event).

    1: ``TYPE_CHECKING``; -1: ``not TYPE_CHECKING``; 2: ``__name__ == "__main__"``; 0: unknown;
    or a tuple that depends on the Python version or the platform (``_condition``).
    """
    if is_type_checking(test, aliases):
        return 1
    t = type(test)
    if t is cst.UnaryOperation and type(test.operator) is cst.Not and is_type_checking(test.expression, aliases):
        return -1
    if t is cst.Comparison and dotted(test.left) == "__name__" and len(test.comparisons) == 1:
        c = test.comparisons[0]
        if type(c.operator) is cst.Equal and type(c.comparator) is cst.SimpleString:
            if c.comparator.value.strip("'\"") == "__main__":
                return 2
    cond = _condition(test, aliases)
    return cond if type(cond) is tuple else 0


# ``if`` tests the simulation can decide from the target Python and platform:
#   ("v", left, op, value)   ``sys.version_info`` compared: left "full" (the whole tuple), "s1" /
#                            "s2" (``[:1]`` / ``[:2]``), "major" / "minor" (``.major``, ``[0]``...)
#   ("p", op, value)         ``sys.platform`` == / != a string; op "startswith": value is a tuple
#   ("o", op, value)         ``os.name`` == / != a string
#   ("not", c), ("and", c, ...), ("or", c, ...); ints as in ``_test_kind`` inside them
_CMP: Dict[type, str] = {cst.Equal: "==", cst.NotEqual: "!=", cst.LessThan: "<", cst.LessThanEqual: "<=",
        cst.GreaterThan: ">", cst.GreaterThanEqual: ">="}


_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _condition(test: Dispatched, aliases=()):
    t = type(test)
    if t is cst.UnaryOperation and type(test.operator) is cst.Not:
        inner = _condition(test.expression, aliases)
        return ("not", inner) if type(inner) is tuple else (-inner if inner in (1, -1) else 0)
    if t is cst.BooleanOperation:
        parts, node = [], test
        op = type(test.operator)
        while type(node) is cst.BooleanOperation and type(node.operator) is op:
            parts.append(node.right)
            node = node.left
        parts.append(node)
        conds = [_condition(p, aliases) for p in reversed(parts)]
        if not any(type(c) is tuple for c in conds):
            return 0
        return ("and" if op is cst.And else "or",) + tuple(conds)
    if is_type_checking(test, aliases):
        return 1
    if t is cst.Comparison and len(test.comparisons) == 1:
        c = test.comparisons[0]
        cmp = _CMP.get(type(c.operator))
        if cmp is None:
            return 0
        got = _compared(test.left, c.comparator, cmp)
        if got is None:
            got = _compared(c.comparator, test.left, _FLIP[cmp])
        return got or 0
    if t is cst.Call and type(test.func) is cst.Attribute and test.func.attr.value == "startswith":
        if _platform(test.func.value) and len(test.args) == 1 and test.args[0].keyword is None:
            values = _strings(test.args[0].value)
            if values:
                return ("p", "startswith", values)
    if t is cst.Name and test.value in ("True", "False"):
        return ("and",) if test.value == "True" else ("or",)
    return 0


def _platform(node: cst.CSTNode) -> bool:
    return dotted(node) in ("sys.platform", "platform")


def _strings(node: Dispatched) -> Tuple[str, ...]:
    if type(node) is cst.SimpleString:
        v = node.evaluated_value
        return (v,) if isinstance(v, str) else ()
    if type(node) is cst.Tuple:
        out: List[str] = []
        for e in node.elements:
            got = _strings(e.value)
            if len(got) != 1:
                return ()
            out.extend(got)
        return tuple(out)
    return ()


def _ints(node: cst.CSTNode) -> Optional[Tuple[int, ...]]:
    if type(node) is cst.Integer:
        return (int(node.value, 0),)
    if type(node) is cst.Tuple and node.elements:
        out = []
        for e in node.elements:
            if type(e.value) is not cst.Integer:
                return None
            out.append(int(e.value.value, 0))
        return tuple(out)
    return None


def _version_left(node: cst.CSTNode) -> Optional[str]:
    d = dotted(node)
    if d in ("sys.version_info", "version_info"):
        return "full"
    if d in ("sys.version_info.major", "version_info.major"):
        return "major"
    if d in ("sys.version_info.minor", "version_info.minor"):
        return "minor"
    if type(node) is cst.Subscript and dotted(node.value) in ("sys.version_info", "version_info") \
            and len(node.slice) == 1:
        sl = node.slice[0].slice
        if type(sl) is cst.Index and type(sl.value) is cst.Integer:
            return {"0": "major", "1": "minor"}.get(sl.value.value)
        if type(sl) is cst.Slice and sl.lower is None and sl.step is None and type(sl.upper) is cst.Integer:
            return {"1": "s1", "2": "s2"}.get(sl.upper.value)
    return None


def _compared(left: cst.CSTNode, right: cst.CSTNode, op: str):
    kind = _version_left(left)
    if kind is not None:
        value = _ints(right)
        if value is None:
            return None
        if kind in ("major", "minor"):
            return ("v", kind, op, value[0]) if type(right) is cst.Integer else None
        return ("v", kind, op, value)
    if op in ("==", "!="):
        d = dotted(left)
        values = _strings(right)
        if len(values) == 1:
            if _platform(left):
                return ("p", op, values[0])
            if d == "os.name":
                return ("o", op, values[0])
    return None


_RUNS_SOMETHING = (ImportEvent, CallEvent, LoadEvent, StoreEvent)


def _calls_or_imports(events) -> bool:
    return any(type(ev) in _RUNS_SOMETHING for ev in walk_events(events))


def _small_statements(body):
    """The small statements of a suite (an indented block's lines, or a one-line suite's own),
    or None when it holds a compound statement."""
    out: List[cst.BaseSmallStatement] = []
    for stmt in body:
        if type(stmt) is cst.SimpleStatementLine:
            out.extend(stmt.body)
        elif isinstance(stmt, cst.BaseSmallStatement):
            out.append(stmt)
        else:
            return None
    return out


def _only_pass(body) -> bool:
    smalls = _small_statements(body)
    if smalls is None:
        return False
    for small in smalls:
        if type(small) is cst.Pass:
            continue
        if type(small) is cst.Expr and type(small.value) is cst.Ellipsis:
            continue
        return False
    return True


_IMPORTS = (cst.Import, cst.ImportFrom, cst.LazyImport, cst.LazyImportFrom, cst.Pass)


def _only_imports(body) -> bool:
    smalls = _small_statements(body)
    if smalls is None:
        return False
    for small in smalls:
        if isinstance(small, _IMPORTS):
            continue
        if type(small) is cst.Expr and type(small.value) in (cst.Ellipsis, cst.SimpleString):
            continue
        return False
    return True
