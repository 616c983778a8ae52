"""One LibCST pass per file: bytes -> ModuleFacts.

A purpose-built binding visitor in the manner of pyflakes: it tracks only what the rules need
(import bindings and every load that can reach them, with Python's scoping), instead of LibCST's
generic ScopeProvider, which resolves every name of the file and costs several times the parse.

Scoping follows CPython: module and class bodies run in order; function and lambda bodies are
walked after the enclosing module (late binding), see enclosing function scopes but never class
scopes; comprehensions have their own scope; ``global``/``nonlocal`` redirect bindings. A
binding made unconditionally replaces the earlier ones; a binding made under ``if``/``try``/loops
is added beside them, so either may be the one a later load sees.
"""
from __future__ import annotations

import ast
import dataclasses
from bisect import bisect_right
import re
from typing import Dict, List, Optional, Tuple

import libcst as cst

from ..model import (
    ANNOTATION,
    DEFERRED,
    IMPORT_TIME,
    RUNTIME,
    TYPING,
    TYPING_EDGE,
    ClassFact,
    FunctionFact,
    ImportFact,
    ModuleFacts,
    Statement,
    TypeCheckingBlock,
    Use,
)
from .positions import positions

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
        f = tuple(
            x.name
            for x in dataclasses.fields(t)
            if x.name not in _SKIP_FIELDS and not x.name.startswith("whitespace")
        )
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



def is_type_checking_import(module: str, level: int, name: Optional[str]) -> bool:
    """``from typing import TYPE_CHECKING [as X]`` (or from ``typing_extensions``)."""
    return level == 0 and name == "TYPE_CHECKING" and module in TYPE_CHECKING_MODULES


def _is_type_checking(test: cst.CSTNode, aliases=()) -> Optional[str]:
    """The spelling of ``test`` when it is ``TYPE_CHECKING`` (else None): the name itself,
    ``<module>.TYPE_CHECKING``, or a name in ``aliases`` (``from typing import TYPE_CHECKING as
    TC``, ``TC = typing.TYPE_CHECKING``; see ``type_checking_alias``). The one test of "this block
    is TYPE_CHECKING" that the facts (and every rule reading them) rely on."""
    d = dotted(test)
    if d and (d == "TYPE_CHECKING" or d.endswith(".TYPE_CHECKING") or d in aliases):
        return d
    return None



def type_checking_alias(node: cst.CSTNode, aliases=()) -> Optional[str]:
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
        if name != "TYPE_CHECKING" and _is_type_checking(node.value, aliases):
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


def _test_kind(test: cst.CSTNode, aliases=()):
    """How the simulation decides an ``if`` test (the ``("f", test, ...)`` event).

    1: ``TYPE_CHECKING``; -1: ``not TYPE_CHECKING``; 2: ``__name__ == "__main__"``; 0: unknown;
    or a tuple that depends on the Python version or the platform (``_condition``).
    """
    if _is_type_checking(test, aliases):
        return 1
    t = type(test)
    if t is cst.UnaryOperation and type(test.operator) is cst.Not and _is_type_checking(test.expression, aliases):
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
_CMP = {cst.Equal: "==", cst.NotEqual: "!=", cst.LessThan: "<", cst.LessThanEqual: "<=",
        cst.GreaterThan: ">", cst.GreaterThanEqual: ">="}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _condition(test: cst.CSTNode, aliases=()):
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
    if _is_type_checking(test, aliases):
        return 1
    if t is cst.Comparison and len(test.comparisons) == 1:
        c = test.comparisons[0]
        op = _CMP.get(type(c.operator))
        if op is None:
            return 0
        got = _compared(test.left, c.comparator, op)
        if got is None:
            got = _compared(c.comparator, test.left, _FLIP[op])
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


def _strings(node: cst.CSTNode) -> Tuple[str, ...]:
    if type(node) is cst.SimpleString:
        v = node.evaluated_value
        return (v,) if isinstance(v, str) else ()
    if type(node) is cst.Tuple:
        out = []
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


def _calls_or_imports(events) -> bool:
    for ev in events:
        op = ev[0]
        if op in ("i", "k", "l", "s"):
            return True
        if op == "f" and (_calls_or_imports(ev[2]) or _calls_or_imports(ev[3])):
            return True
        if op == "c" and _calls_or_imports(ev[1]):
            return True
        if op == "t" and (_calls_or_imports(ev[1]) or any(_calls_or_imports(h) for _, h in ev[2])
                          or _calls_or_imports(ev[3]) or _calls_or_imports(ev[4])):
            return True
    return False


def _small_statements(body):
    """The small statements of a suite (an indented block's lines, or a one-line suite's own),
    or None when it holds a compound statement."""
    out = []
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


_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)
# file-level exemptions as flake8 (``# flake8: noqa``, also ``flake8=``) and ruff (``# ruff: noqa``,
# ``# ruff: noqa: F401``) read them: a comment alone on its line
_FILE_NOQA = re.compile(r"#\s*(?:flake8|ruff)\s*[:=]\s*noqa(?P<rest>.*)", re.I)
_FILE_CODES = re.compile(r"\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.I)


def parse_noqa(comments) -> Tuple[Tuple[int, Optional[Tuple[str, ...]]], ...]:
    """``(line, codes)`` per noqa comment, codes None for a bare ``# noqa``. A file-level
    ``# flake8: noqa`` / ``# ruff: noqa[: codes]`` is recorded at line 0."""
    out = []
    for line, text, alone in comments:
        if alone:
            f = _FILE_NOQA.match(text)
            if f:
                m = _FILE_CODES.match(f.group("rest"))
                if m:
                    out.append((0, tuple(c.upper() for c in re.split(r"[,\s]+", m.group("codes").strip()) if c)))
                else:
                    out.append((0, None))
                continue
        m = _NOQA.search(text)
        if not m:
            continue
        codes = m.group("codes")
        if codes:
            out.append((line, tuple(c.upper() for c in re.split(r"[,\s]+", codes.strip()) if c)))
        else:
            out.append((line, None))
    return tuple(out)


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
    body = body.split("#", 1)[0].strip()  # ``# type: int  # noqa``
    return body or None


def _literal_text(node: cst.CSTNode) -> Optional[str]:
    """The value of a plain string literal (implicit concatenation included, no f-strings)."""
    if type(node) is cst.ConcatenatedString:
        parts, n = [], node
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
            parts, base = [], n
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


class Scope:
    """A namespace: "module", "class", "function" (also lambdas), "comprehension", or
    "typeparams" (the annotation scope of PEP 695 type parameters)."""

    __slots__ = ("kind", "qualname", "parent", "live", "globals", "nonlocals", "bound", "done", "passed")

    def __init__(self, kind: str, qualname: str, parent: Optional["Scope"]):
        self.kind = kind
        self.qualname = qualname
        self.parent = parent
        self.live: Dict[str, Tuple[int, ...]] = {}
        self.globals: set = set()
        self.nonlocals: set = set()
        # function scopes: every name bound anywhere in the body is local to the whole body
        # (``bound``, complete once ``done``); ``passed`` holds the loads that looked past this
        # scope before its body was fully walked, to take back when the name turns out local
        self.bound: set = set()
        self.done = False
        self.passed: list = []


class _ModuleLive(dict):
    """The module scope's bindings, recording each change, so that a function can later see them
    as they were where it was defined (``snapshot()``) without a copy per function: copies made
    a module of 40,000 functions (2.4 MB) cost 23 GB, quadratic in the number of functions."""

    __slots__ = ("history", "version")

    def __init__(self) -> None:
        super().__init__()
        self.history: Dict[str, Tuple[List[int], list]] = {}  # name -> (versions, values)
        self.version = 0

    def _record(self, name: str, value) -> None:
        self.version += 1
        versions, values = self.history.setdefault(name, ([], []))
        versions.append(self.version)
        values.append(value)

    def __setitem__(self, name: str, value: Tuple[int, ...]) -> None:
        super().__setitem__(name, value)
        self._record(name, value)

    def pop(self, name: str, *default):
        value = super().pop(name, *default)
        self._record(name, None)
        return value

    def snapshot(self) -> "_Snapshot":
        return _Snapshot(self, self.version)


class _Snapshot:
    """The module scope's bindings at one moment (a read-only view of ``_ModuleLive``)."""

    __slots__ = ("live", "version")

    def __init__(self, live: _ModuleLive, version: int) -> None:
        self.live = live
        self.version = version

    def get(self, name: str, default: Tuple[int, ...] = ()) -> Tuple[int, ...]:
        entry = self.live.history.get(name)
        if entry is None:
            return default
        i = bisect_right(entry[0], self.version) - 1
        value = entry[1][i] if i >= 0 else None
        return default if value is None else value


class _Imp:
    """Mutable record of one import binding while the walk is running."""

    __slots__ = ("fields", "uses", "submodule", "tc", "fallback", "target")

    def __init__(self, fields: dict, submodule: Optional[str], tc: bool):
        self.fields = fields
        self.uses: List[Use] = []
        self.submodule = submodule  # "a.b" for a plain ``import a.b``
        self.tc = tc
        self.fallback = False  # see ``ImportFact.fallback_used``
        self.target: Optional[Scope] = None  # the other scope a ``global``/``nonlocal`` name lands in


class Extractor:
    def __init__(self, module: cst.Module):
        self.module = module
        self.declared: set = set()  # names some ``global`` / ``nonlocal`` statement declares
        self.start, self.end, self.comments = positions(module, self.declared)
        # loads of declared names: (name, scope it resolved in, use), for the imports that bind
        # them from inside a function (``global x; import x``), which any of them may see
        self.declared_loads: list = []
        # class-body imports (class attributes): bound name -> [(import id, class name)]
        self.class_attrs: Dict[str, List[Tuple[int, str]]] = {}
        self.imports: List[_Imp] = []
        self.classes: List[ClassFact] = []
        self.functions: List[FunctionFact] = []
        self.tc_blocks: List[TypeCheckingBlock] = []
        self.statements: List[Statement] = []
        self.all_names: Optional[List[str]] = None
        self.future_annotations = False
        self.module_scope = Scope("module", "", None)
        self.module_scope.live = _ModuleLive()
        self.scope = self.module_scope
        self.kind = RUNTIME
        self.owner = ""
        self.func = ""  # qualname of the enclosing function ("" at import time)
        self.cond = 0
        self.in_tc = False
        self.guarded = False
        self.stmt_index = -1
        self.top = False
        self.str_pos: Optional[Tuple[int, int]] = None
        self.snapshot: Optional[_Snapshot] = None
        self.deferred: list = []
        self.stmt_binds: List[str] = []
        self.stmt_loads: List[str] = []
        self.main_pass = True
        self.late: list = []
        self.events: List[tuple] = []  # per top-level statement: what runs at import time
        self.ev: List[tuple] = []  # events of the block being walked (main pass only)
        self.storing = False  # walking the target of an attribute store
        self.tc_aliases: set = set()  # names ``TYPE_CHECKING`` was imported as
        self.rec = True  # record import-time events: the main pass, or a module-level function body
        self.top_funcs: Dict[str, int] = {}  # module-level ``def`` name -> its top-level statement
        self.func_events: Dict[str, tuple] = {}  # module-level ``def`` name -> its body's events
        self.dynamic: List[str] = []  # dynamic namespace access (ModuleFacts.dynamic)
        self.effects: List[Tuple[str, str, int]] = []  # ModuleFacts.effects
        self.expect_fail: List[Tuple[int, int, str]] = []  # ModuleFacts.expect_fail
        self.string_refs: List[Tuple[str, str, int]] = []  # ModuleFacts.string_refs
        self.in_main = False  # inside ``if __name__ == "__main__":``
        # any PEP 484 type comment in the file (most have none: then statements are not searched)
        self.type_comments = any("type" in text and _type_comment(text) for _, text, _alone in self.comments)

    # ------------------------------------------------------------------ driver
    def run(self) -> ModuleFacts:
        for i, stmt in enumerate(self.module.body):
            self.stmt_index = i
            self.top = True
            self.stmt_binds = []
            self.stmt_loads = []
            self.ev = []
            self.stmt(stmt)
            self.events.append(tuple(self.ev))
            self.statements.append(self._statement_fact(i, stmt))
        self.top = self.main_pass = self.rec = False
        self._resolve_late()
        while self.deferred:
            batch, self.deferred = self.deferred, []
            for job in batch:
                self._run_deferred(*job)
        self._credit_remote_bindings()
        self._credit_submodules()
        self._function_events()
        return self._facts()

    def _function_events(self) -> None:
        """``("fn", name, events)`` at the end of the statement that defines a module-level
        function whose body imports, calls or reads imported names: a module-level call (or a
        decorator) runs it at import time."""
        for name, events in self.func_events.items():
            i = self.top_funcs.get(name)
            if i is not None and _calls_or_imports(events):
                self.events[i] = self.events[i] + (("fn", name, events),)

    def _statement_fact(self, i: int, stmt: cst.CSTNode) -> Statement:
        line = self._stmt_line(stmt)
        end = self.end.get(id(stmt), line)
        t = type(stmt)
        if t is cst.SimpleStatementLine:
            kinds = {type(s) for s in stmt.body}
            if kinds & {cst.Import, cst.ImportFrom, cst.LazyImport, cst.LazyImportFrom}:
                kind = "import"
            elif kinds & {cst.Assign, cst.AnnAssign, cst.AugAssign}:
                kind = "assign"
            else:
                kind = "other"
        else:
            kind = {
                cst.FunctionDef: "def", cst.ClassDef: "class", cst.If: "if",
                cst.Try: "try", cst.TryStar: "try",
            }.get(t, "other")
        return Statement(i, line, end, kind, tuple(dict.fromkeys(self.stmt_binds)),
                         tuple(dict.fromkeys(self.stmt_loads)))

    def _stmt_line(self, stmt: cst.CSTNode) -> int:
        if type(stmt) is cst.SimpleStatementLine:
            first = stmt.body[0] if stmt.body else None
            if first is not None and id(first) in self.start:
                return self.start[id(first)][0]
        pos = self.start.get(id(stmt))
        if pos is not None:
            return pos[0] + len(getattr(stmt, "leading_lines", ()))
        # find the first positioned node inside
        name = getattr(stmt, "name", None)
        if name is not None and id(name) in self.start:
            return self.start[id(name)][0]
        return self._first_line(stmt)

    def _first_line(self, node: cst.CSTNode) -> int:
        stack = [node]
        while stack:
            n = stack.pop()
            p = self.start.get(id(n))
            if p is not None and type(n) is cst.Name:
                return p[0]
            for f in reversed(_fields(type(n))):
                v = getattr(n, f)
                if isinstance(v, cst.CSTNode):
                    stack.append(v)
                elif isinstance(v, (list, tuple)):
                    stack.extend(reversed([x for x in v if isinstance(x, cst.CSTNode)]))
        return 1

    def _facts(self) -> ModuleFacts:
        imports = []
        for imp in self.imports:
            imports.append(ImportFact(fallback_used=imp.fallback, uses=tuple(imp.uses), **imp.fields))
        return ModuleFacts(
            imports=tuple(imports),
            classes=tuple(self.classes),
            functions=tuple(self.functions),
            type_checking=tuple(self.tc_blocks),
            statements=tuple(self.statements),
            all_names=tuple(self.all_names) if self.all_names is not None else None,
            future_annotations=self.future_annotations,
            noqa=parse_noqa(self.comments),
            error=None,
            events=tuple(self.events),
            dynamic=tuple(dict.fromkeys(self.dynamic)),
            effects=tuple(dict.fromkeys(self.effects)),
            expect_fail=tuple(self.expect_fail),
            string_refs=tuple(dict.fromkeys(self.string_refs)),
        )

    # ------------------------------------------------------------------ bindings
    def _target_scope(self, name: str, s: Scope) -> Scope:
        """The scope a binding of ``name`` made in ``s`` lands in (``global`` / ``nonlocal``)."""
        if name in s.globals:
            return self.module_scope
        if name in s.nonlocals:
            p = s.parent
            while p is not None and (p.kind != "function" or (name not in p.bound and name not in p.live)):
                p = p.parent
            return p or self.module_scope
        return s

    def bind(self, name: str, bid: int = OTHER, *, scope: Optional[Scope] = None) -> None:
        s = scope or self.scope
        additive = self.cond > 0
        t = self._target_scope(name, s)
        if t is not s:
            s = t
            additive = True
        s.bound.add(name)
        if additive:
            s.live[name] = s.live.get(name, ()) + (bid,)
        else:
            s.live[name] = (bid,)
        if self.main_pass and s is self.module_scope:
            self.stmt_binds.append(name)
        if self.rec and bid == OTHER and s.kind != "comprehension":
            self.ev.append(("b", name))

    def unbind(self, name: str) -> None:
        s = self._target_scope(name, self.scope)
        s.bound.add(name)  # ``del x`` makes ``x`` local too
        if self.cond == 0:
            s.live.pop(name, None)
        if self.rec:
            self.ev.append(("d", name))

    resolved_in: Optional[Scope] = None  # where the last ``resolve`` stopped
    passed: Optional[list] = None  # function scopes still being walked that it looked past

    def resolve(self, name: str) -> Tuple[int, ...]:
        s = self.scope
        see_class = True  # a class body is visible to itself and to its type parameters' scope only
        self.passed = None
        while s is not None:
            kind = s.kind
            if kind == "class" and not see_class:
                s = s.parent
                continue
            if name in s.globals:
                s = self.module_scope
            if s is self.module_scope:
                self.resolved_in = s
                found = s.live.get(name, ())
                if self.snapshot is not None:
                    extra = self.snapshot.get(name, ())
                    if extra and extra != found:
                        found = found + tuple(b for b in extra if b not in found)
                return found
            if name in s.live:
                self.resolved_in = s
                return s.live[name]
            if kind == "function":
                if s.done:
                    if name in s.bound:  # local to that function, but unbound here
                        self.resolved_in = s
                        return ()
                elif self.passed is None:
                    self.passed = [s]
                else:
                    self.passed.append(s)
            if kind != "typeparams":
                see_class = False
            s = s.parent
        return ()

    def load(self, name: str, node: cst.CSTNode, path: str) -> None:
        found = self.resolve(name)
        late = self.kind != RUNTIME and self.main_pass and self.resolved_in.kind != "typeparams"
        declared = name in self.declared
        attrs = self.class_attrs and "." in path
        if not found and not late and not declared and not attrs:
            return
        pos = self.str_pos or self.start.get(id(node), (0, 0))
        kind = TYPING if self.in_tc else self.kind
        use = Use(path, pos[0], pos[1], kind, self.func, self.owner if kind == ANNOTATION else "")
        if attrs:
            self._class_attribute(path, use)
        if declared:
            self.declared_loads.append((name, self.resolved_in, use))
        if not found and not late:
            return
        done = self._attribute(found, path, use)
        if done and self.passed and kind == RUNTIME:  # (annotations may be resolved elsewhere later)
            for s in self.passed:
                s.passed.append((name, done, use))
        if late:
            # annotations may be evaluated lazily (PEP 563/649, get_type_hints): the names bound
            # by the end of the module can be the ones they see
            self.late.append((name, path, use, done))
        if done and self.rec:
            if self.func == "" and kind == RUNTIME and self.main_pass:
                self.stmt_loads.append(path)
            if kind != TYPING:  # ordered import-time events, for the cycle simulation
                if self.storing:
                    self.ev.append(("s", path, pos[0], pos[1]))
                else:
                    self.ev.append(("l", path, pos[0], pos[1], 1 if kind == ANNOTATION else 0))

    def _attribute(self, found: Tuple[int, ...], path: str, use: Use) -> Tuple[int, ...]:
        ids = [b for b in found if b >= 0]
        if not ids:
            return ()
        imps = self.imports
        if len(found) > 1:
            pref = [
                b for b in ids
                if imps[b].submodule and (path == imps[b].submodule or path.startswith(imps[b].submodule + "."))
            ]
            if pref:
                ids = pref + [b for b in ids if not imps[b].submodule]
            if use.kind == RUNTIME:
                # a runtime binding (import or not) covers this use: TYPE_CHECKING ones do not,
                # but type checkers see them (the runtime one is their fallback): still used
                rt = [b for b in ids if not imps[b].tc]
                if rt or OTHER in found:
                    for b in ids:
                        if imps[b].tc:
                            imps[b].fallback = True
                    ids = rt
        for b in ids:
            imps[b].uses.append(use)
        return tuple(ids)

    def _class_attribute(self, path: str, use: Use) -> None:
        """``self.x``, ``cls.x``, ``C.x``: a load of the class attribute a class-body import binds."""
        parts = path.split(".")
        for i in range(1, len(parts)):
            entries = self.class_attrs.get(parts[i])
            if not entries:
                continue
            head = parts[i - 1]
            for b, cname in entries:
                if head == cname or (i == 1 and head in ("self", "cls")):
                    self.imports[b].uses.append(use._replace(dotted=".".join(parts[i:])))

    def _credit_remote_bindings(self) -> None:
        """An import under ``global x`` (or ``nonlocal x``) binds the name of another scope, where
        every load of ``x`` may run after it: credit them all, whatever order they were walked in."""
        if not self.declared_loads:
            return
        for imp in self.imports:
            target = imp.target
            if target is None:
                continue
            name = imp.fields["bound"]
            have = {(u.line, u.col) for u in imp.uses}
            for n, scope, use in self.declared_loads:
                if n == name and scope is target and (use.line, use.col) not in have:
                    have.add((use.line, use.col))
                    imp.uses.append(use)

    def _credit_submodules(self) -> None:
        """``import a.b.c`` makes ``c`` an attribute of ``a.b`` for every binding of ``a`` or
        ``a.b``: a load that reaches ``a.b.c`` through another import's binding (``from a import
        b`` then ``b.c.x``; a function's own ``import a.d`` then ``a.b.c.x``) uses it too."""
        subs: Dict[str, List[int]] = {}
        for i, imp in enumerate(self.imports):
            f = imp.fields
            if f["name"] is None and "." in f["module"]:
                subs.setdefault(f["module"], []).append(i)
        if not subs:
            return
        imps = self.imports
        for i, imp in enumerate(imps):
            f = imp.fields
            if f["level"] or not f["bound"] or not imp.uses:
                continue
            if f["name"] is None:
                base = f["module"] if f["asname"] else f["bound"]
            else:
                base = f"{f['module']}.{f['name']}"
            depth = base.count(".") + 1
            bound = f["bound"]
            for use in list(imp.uses):
                rest = use.dotted[len(bound):]
                if not rest:
                    continue
                parts = (base + rest).split(".")
                for n in range(depth + 1, len(parts) + 1):
                    sub = ".".join(parts[:n])
                    for b in subs.get(sub, ()):
                        if b == i:
                            continue
                        other = imps[b]
                        ob = other.fields["bound"]
                        dotted_name = (ob + "." + ".".join(parts[n:])).rstrip(".") if other.fields["asname"] \
                            else ".".join(parts)
                        if other.tc and use.kind == RUNTIME:
                            other.fallback = True  # type checkers see it; at runtime it may be absent
                        elif not any((u.line, u.col) == (use.line, use.col) for u in other.uses):
                            other.uses.append(use._replace(dotted=dotted_name))

    def _resolve_late(self) -> None:
        live = self.module_scope.live
        for name, path, use, done in self.late:
            found = tuple(b for b in live.get(name, ()) if b not in done)
            if found:
                self._attribute(found, path, use)
        self.late = []

    # ------------------------------------------------------------------ statements
    def stmt(self, node: cst.CSTNode) -> None:
        handler = _STMT.get(type(node))
        t = type(node)
        if self.type_comments and t is not cst.SimpleStatementLine:
            self._header_type_comments(node)
        if handler is not None:
            handler(self, node)
        else:
            self.expr(node)
        if self.type_comments and t is cst.SimpleStatementLine:
            self._type_comment(node.trailing_whitespace.comment)

    def _header_type_comments(self, node: cst.CSTNode) -> None:
        """Type comments of a compound statement, read in the scope around it: ``for x in y:  #
        type: T``, ``with a as b:  # type: T``, a function's signature comment (after the colon or
        alone on the next line) and per-argument comments, a one-line body's comment."""
        suite = getattr(node, "body", None)
        if type(suite) is cst.SimpleStatementSuite:
            self._type_comment(suite.trailing_whitespace.comment)
        elif type(suite) is cst.IndentedBlock and type(node) in (cst.For, cst.With, cst.FunctionDef):
            self._type_comment(suite.header.comment)
            if type(node) is cst.FunctionDef:
                if suite.body:
                    for line in getattr(suite.body[0], "leading_lines", ()):
                        self._type_comment(line.comment)
                stack = [node.params]  # ``def f(a,  # type: int``
                while stack:
                    n = stack.pop()
                    if type(n) is cst.Comment:
                        self._type_comment(n)
                        continue
                    for f in dataclasses.fields(n):
                        v = getattr(n, f.name)
                        if isinstance(v, cst.CSTNode):
                            stack.append(v)
                        elif isinstance(v, (list, tuple)):
                            stack.extend(x for x in v if isinstance(x, cst.CSTNode))

    def _type_comment(self, comment: Optional[cst.Comment]) -> None:
        """A PEP 484 type comment: typing uses of its names, as type checkers read them."""
        if comment is None:
            return
        text = _type_comment(comment.value)
        if text is None:
            return
        if "->" not in text:
            text = text.lstrip("*").lstrip()  # ``*args,  # type: *Any`` (a starred parameter's comment)
        try:
            tree = ast.parse(text, mode="func_type" if "->" in text else "eval")
        except (SyntaxError, ValueError):
            return
        self._load_names(_ast_loads(tree, True), self.start.get(id(comment), (0, 0)), TYPING)

    def _load_names(self, names: List[str], pos: Tuple[int, int], kind: str) -> None:
        """Loads of dotted names found outside the code's own names (a string, a comment)."""
        saved = self.kind, self.str_pos
        self.kind, self.str_pos = kind, pos
        for d in names:
            self.load(d.split(".", 1)[0], None, d)
        self.kind, self.str_pos = saved

    def body(self, block) -> None:
        """A suite (IndentedBlock / SimpleStatementSuite) or a list of statements."""
        stmts = block.body if hasattr(block, "body") and not isinstance(block, list) else block
        top, self.top = self.top, False
        for s in stmts:
            self.stmt(s)
        self.top = top

    def cond_body(self, block) -> None:
        self.cond += 1
        self.body(block)
        self.cond -= 1

    def s_simple_line(self, node: cst.SimpleStatementLine) -> None:
        top = self.top
        for small in node.body:
            self.stmt(small)
            self.top = top

    def s_import(self, node) -> None:
        self._import(node, False)

    def s_lazy(self, node) -> None:
        self._import(node, True)

    def _import(self, node, lazy: bool) -> None:
        is_from = type(node) in (cst.ImportFrom, cst.LazyImportFrom)
        start = self.start.get(id(node), (0, 0))
        stmt_line, stmt_end = start[0], self.end.get(id(node), start[0])
        if is_from:
            level = len(node.relative)
            module = dotted(node.module) if node.module is not None else ""
            if module == "__future__" and level == 0 and type(node.names) is not cst.ImportStar:
                for a in node.names:
                    if a.name.value == "annotations":
                        self.future_annotations = True
        else:
            level, module = 0, ""
        kind = TYPING_EDGE if self.in_tc else (DEFERRED if self.func else IMPORT_TIME)
        common = dict(
            stmt_line=stmt_line, stmt_end_line=stmt_end, stmt_index=self.stmt_index, kind=kind,
            scope=self.scope.qualname, scope_kind=self.scope.kind, top_level=self.top,
            in_type_checking=self.in_tc, guarded=self.guarded, lazy=lazy,
        )
        first = len(self.imports)
        if is_from and type(node.names) is cst.ImportStar:
            self._add_import(dict(module=module, level=level, name="*", asname=None, bound="",
                                  line=stmt_line, col=start[1], end_line=stmt_line, end_col=start[1],
                                  text="*", binds_global=False, **common), None, bind=False)
            self._import_event(first, lazy)
            return
        for alias in node.names:
            full = dotted(alias.name) or ""
            asname = alias.asname.name.value if alias.asname is not None else None
            if is_from:
                name, mod, bound = full, module, asname or full
            else:
                name, mod, bound = None, full, asname or full.split(".", 1)[0]
            pos = self.start.get(id(alias), start)
            text = full + (f" as {asname}" if asname else "")
            if asname and is_from and is_type_checking_import(module, level, full):
                self.tc_aliases.add(asname)
            sub = full if (not is_from and asname is None and "." in full) else None
            self._add_import(dict(module=mod, level=level, name=name, asname=asname, bound=bound,
                                  line=pos[0], col=pos[1], end_line=pos[0], end_col=pos[1] + len(text),
                                  text=text, binds_global=self.scope.kind == "function" and bound in self.scope.globals,
                                  **common), sub, bind=True)
        self._import_event(first, lazy)

    def _import_event(self, first: int, lazy: bool) -> None:
        if not self.rec:
            return
        if lazy:  # PEP 810: nothing is imported until the name is used
            self.ev.extend(("b", self.imports[i].fields["bound"]) for i in range(first, len(self.imports)))
        else:
            self.ev.append(("i", first, len(self.imports) - first))

    def _add_import(self, fields: dict, sub: Optional[str], bind: bool) -> None:
        bid = len(self.imports)
        self.imports.append(_Imp(fields, sub, self.in_tc))
        if not bind:
            return
        name = fields["bound"]
        target = self._target_scope(name, self.scope)
        if target is not self.scope:
            self.imports[bid].target = target
        elif self.scope.kind == "class":  # a class attribute too: ``self.name``, ``Cls.name``
            self.class_attrs.setdefault(name, []).append((bid, self.scope.qualname.rsplit(".", 1)[-1]))
        plain = fields["name"] is None and fields["asname"] is None
        # ``import a``, ``import a.b`` and ``import a.c`` all bind the same module object ``a``:
        # none of them replaces the others
        keep = ()
        if plain and not self.cond:
            imps = self.imports
            keep = tuple(b for b in self._live_in_target(name)
                         if b >= 0 and imps[b].fields["name"] is None and imps[b].fields["asname"] is None
                         and imps[b].fields["module"] != fields["module"])
        self.bind(name, bid)
        if keep:
            s = self._binding_scope(name)
            s.live[name] = keep + tuple(b for b in s.live[name] if b not in keep)

    def _binding_scope(self, name: str) -> Scope:
        return self._target_scope(name, self.scope)

    def _live_in_target(self, name: str) -> Tuple[int, ...]:
        return self._binding_scope(name).live.get(name, ())

    def s_assign(self, node: cst.Assign) -> None:
        self.expr(node.value)
        for t in node.targets:
            self.target(t.target)
        alias = type_checking_alias(node, self.tc_aliases)
        if alias:  # ``TC = typing.TYPE_CHECKING``
            self.tc_aliases.add(alias)
        if self.top and self.scope is self.module_scope:
            for t in node.targets:
                if type(t.target) is cst.Name and t.target.value == "__all__":
                    self._dunder_all(node.value, reset=not _extends_all(node.value))

    def s_ann_assign(self, node: cst.AnnAssign) -> None:
        if self.scope.kind == "function":
            self.annotation(node.annotation.annotation, TYPING, "")
        else:
            owner = self.scope.qualname if self.scope.kind == "class" else ""
            self.annotation(node.annotation.annotation, ANNOTATION, owner)
        if node.value is not None:
            if (dotted(node.annotation.annotation) or "").rsplit(".", 1)[-1] == "TypeAlias":
                self.type_expression(node.value)  # ``X: TypeAlias = "Foo"``
            else:
                self.expr(node.value)
            self.target(node.target)
            if self.top and type(node.target) is cst.Name and node.target.value == "__all__":
                self._dunder_all(node.value, reset=not _extends_all(node.value))
        elif type(node.target) is not cst.Name:
            self.expr(node.target)

    def s_aug_assign(self, node: cst.AugAssign) -> None:
        self.expr(node.target)
        self.expr(node.value)
        self.target(node.target)
        if self.top and type(node.target) is cst.Name and node.target.value == "__all__":
            self._dunder_all(node.value, reset=False)

    def _effect(self, kind: str, name: Optional[str], node: cst.CSTNode) -> None:
        """An import-time action on an import-bound name (ModuleFacts.effects)."""
        if not name or not self.main_pass or self.func or self.in_main:
            return
        if any(b >= 0 for b in self.resolve(name.split(".", 1)[0])):
            self.effects.append((kind, name, self._first_line(node)))

    def s_expr(self, node: cst.Expr) -> None:
        v = node.value
        if type(v) is cst.Call:
            self._effect("call", dotted(v.func), v)
        if self.top and type(v) is cst.Call and type(v.func) is cst.Attribute:
            if dotted(v.func.value) == "__all__" and v.func.attr.value in ("append", "extend"):
                for arg in v.args:
                    self._dunder_all(arg.value, reset=False)
        self.expr(v)

    def _dunder_all(self, value: cst.CSTNode, reset: bool) -> None:
        names = [] if reset or self.all_names is None else self.all_names
        stack = [value]
        while stack:
            v = stack.pop()
            t = type(v)
            if t in (cst.List, cst.Tuple, cst.Set):
                for e in v.elements:
                    stack.append(e.value)
            elif t is cst.BinaryOperation:
                stack.extend((v.right, v.left))
            elif t is cst.SimpleString:
                s = v.evaluated_value
                if isinstance(s, bytes):
                    s = s.decode("latin-1")
                names.append(s)
        self.all_names = names

    def s_del(self, node: cst.Del) -> None:
        self.expr(node.target)
        for t in self._flat_targets(node.target):
            if type(t) is cst.Name:
                self.unbind(t.value)

    def _flat_targets(self, t):
        if type(t) in (cst.Tuple, cst.List):
            out = []
            for e in t.elements:
                out.extend(self._flat_targets(e.value))
            return out
        return [t]

    def s_global(self, node) -> None:
        target = self.scope.globals if type(node) is cst.Global else self.scope.nonlocals
        for item in node.names:
            target.add(item.name.value)

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
        outer = self.scope
        if node.type_parameters is not None:
            self.scope = self._type_params(node.type_parameters)
        self._params(node.params, qual)
        if node.returns is not None:
            self.annotation(node.returns.annotation, ANNOTATION, qual)
        inner, self.scope = self.scope, outer
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
            snap = self.module_scope.live.snapshot()
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
            self.ev.append(("k", func.value, pos[0], pos[1]))

    def s_class(self, node: cst.ClassDef) -> None:
        decorators = self._decorators(node)
        self._decorator_calls(node)
        outer = self.scope
        if node.type_parameters is not None:
            self.scope = self._type_params(node.type_parameters)
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
        self.scope = Scope("class", qual, self.scope)
        top, cond = self.top, self.cond
        self.cond = 0
        body = self._capture(self.body, node.body)
        self.scope, self.top, self.cond = outer, top, cond
        if self.rec:
            self.ev.append(("c", body))
        self.bind(name)

    def _capture(self, fn, *args) -> tuple:
        """Run ``fn`` and return the import-time events it emitted instead of emitting them."""
        saved, self.ev = self.ev, []
        fn(*args)
        out, self.ev = tuple(self.ev), saved
        return out

    def _type_params(self, tp: cst.TypeParameters) -> Scope:
        """PEP 695: the annotation scope holding the type parameters (``def f[T]``, ``class
        C[T]``, ``type X[T] = ...``), where they shadow outer names; returns it."""
        scope = Scope("typeparams", self.scope.qualname, self.scope)
        for p in tp.params:
            scope.live[p.param.name.value] = (OTHER,)
            scope.bound.add(p.param.name.value)
        outer, self.scope = self.scope, scope
        kind, self.kind = self.kind, TYPING
        for p in tp.params:
            bound = getattr(p.param, "bound", None)
            if bound is not None:
                self.expr(bound)
            if p.default is not None:
                self.expr(p.default)
        self.kind, self.scope = kind, outer
        return scope

    def s_type_alias(self, node) -> None:
        outer = self.scope
        if node.type_parameters is not None:
            self.scope = self._type_params(node.type_parameters)
        kind, self.kind = self.kind, TYPING
        self.expr(node.value)
        self.kind, self.scope = kind, outer
        self.bind(node.name.value)

    def s_if(self, node: cst.If) -> None:
        self.expr(node.test)
        saved, self.ev = self.ev, []
        self._if(node)
        body, self.ev = tuple(self.ev), saved
        orelse = ()
        if node.orelse is not None:
            orelse = self._capture(self._orelse, node.orelse)
        if self.rec:
            self.ev.append(("f", _test_kind(node.test, self.tc_aliases), body, orelse))

    def _if(self, node: cst.If) -> None:
        tc = _is_type_checking(node.test, self.tc_aliases)
        if tc:
            start = self.start.get(id(node), (0, 0))
            line = start[0] + len(node.leading_lines)
            self.tc_blocks.append(TypeCheckingBlock(
                line, self.end.get(id(node), line), start[1], self.stmt_index,
                self.top and self.scope is self.module_scope, _only_pass(node.body.body),
                node.orelse is not None, tc, _only_imports(node.body.body)))
            was = self.in_tc
            self.in_tc = True
            self.cond_body(node.body)
            self.in_tc = was
        elif _test_kind(node.test) == 2:  # ``if __name__ == "__main__":`` does not run on import
            was = self.in_main
            self.in_main = True
            self.cond_body(node.body)
            self.in_main = was
        else:
            self.cond_body(node.body)

    def _orelse(self, orelse) -> None:
        if orelse is not None:
            if type(orelse) is cst.If:
                self.cond += 1
                top, self.top = self.top, False
                self.s_if(orelse)
                self.top = top
                self.cond -= 1
            else:
                self.cond_body(orelse.body)

    def s_try(self, node) -> None:
        guarded = self.guarded
        if _catches_import_error(node.handlers):
            self.guarded = True
        body = self._capture(self.cond_body, node.body)
        self.guarded = guarded
        handlers = tuple((_caught(h), self._capture(self._guarded_handler, h)) for h in node.handlers)
        orelse = self._capture(self.cond_body, node.orelse.body) if node.orelse is not None else ()
        final = self._capture(self.cond_body, node.finalbody.body) if node.finalbody is not None else ()
        if self.rec:
            self.ev.append(("t", body, handlers, orelse, final))

    def _guarded_handler(self, h) -> None:
        """An ``except ImportError:`` handler is the fallback half of an availability check."""
        guarded = self.guarded
        if _catches_import_error([h]):
            self.guarded = True
        self._handler(h)
        self.guarded = guarded

    def _handler(self, h) -> None:
        if h.type is not None:
            self.expr(h.type)
        self.cond += 1
        name = h.name.name.value if h.name is not None and type(h.name.name) is cst.Name else None
        if name is None:
            self.body(h.body)
        else:
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
                self.ev.append(("d", name))
        self.cond -= 1

    def s_for(self, node) -> None:
        self.expr(node.iter)
        self.cond += 1
        self.target(node.target)
        self.body(node.body)
        if node.orelse is not None:
            self.body(node.orelse.body)
        self.cond -= 1

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
        guarded = self.guarded
        if any(_expects_import_error(item.item) for item in node.items):
            self.guarded = True
        if caught and self.rec:  # ``with suppress(ImportError):`` works like a ``try``
            self.ev.append(("t", self._capture(self.body, node.body), ((caught, ()),), (), ()))
        else:
            self.body(node.body)
        self.guarded = guarded

    def s_match(self, node) -> None:
        self.expr(node.subject)
        self._capture(self._cases, node)  # which case runs is unknown: its events are dropped

    def _cases(self, node) -> None:
        self.cond += 1
        for case in node.cases:
            self.pattern(case.pattern)
            if case.guard is not None:
                self.expr(case.guard)
            self.body(case.body)
        self.cond -= 1

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
    def target(self, t: cst.CSTNode) -> None:
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
            self.storing = True
            self.expr(t)
            self.storing = False
        else:  # subscript: loads
            if tt is cst.Subscript:
                self._effect("store", dotted(t.value), t)
            self.expr(t)

    def expr(self, node: cst.CSTNode) -> None:
        stack = [node]
        handlers = _EXPR
        while stack:
            n = stack.pop()
            t = type(n)
            if t is cst.Name:
                self.load(n.value, n, n.value)
                continue
            if t is cst.Attribute:
                d = dotted(n)
                if d is not None:
                    base = n
                    while type(base) is cst.Attribute:
                        base = base.value
                    self.load(base.value, base, d)
                    continue
                stack.append(n.value)
                continue
            h = handlers.get(t)
            if h is not None:
                h(self, n)
                continue
            for f in _fields(t):
                v = getattr(n, f)
                if isinstance(v, cst.CSTNode):
                    stack.append(v)
                elif type(v) in (list, tuple):
                    for x in reversed(v):
                        if isinstance(x, cst.CSTNode):
                            stack.append(x)

    def e_arg(self, node: cst.Arg) -> None:
        self.expr(node.value)

    def e_call(self, node: cst.Call) -> None:
        saved = self.type_expr
        self.type_expr = False  # the arguments of a call are ordinary values, unless said below
        self.expr(node.func)
        name = dotted(node.func) or ""
        short = name.rsplit(".", 1)[-1]
        args = node.args
        if short in _TYPE_ARGS or short in _TYPE_VARS or short in ("NamedTuple", "TypedDict"):
            self._typing_call(short, args)
        else:
            for arg in args:
                self.expr(arg.value)
        if self.rec and type(node.func) is cst.Name:
            self._call_event(node.func)
        if self.main_pass or self.func:
            self._dynamic_call(name, args, node)
            if args:
                self._string_refs(args, node, name)
        if name in ("eval", "exec") and args and not self.resolve(name):
            self._eval_literal(name, args[0].value)
        self.type_expr = saved
        if short == "locals" and not args and self.scope.kind != "module":
            for ids in self.scope.live.values():
                for b in ids:
                    if b >= 0:
                        self.imports[b].uses.append(Use(self.imports[b].fields["bound"], 0, 0, RUNTIME, self.func, ""))

    def _typing_call(self, short: str, args) -> None:
        """``cast(T, v)``, ``TypeVar("T", A, bound=B)``, ``NewType("N", T)``, ``NamedTuple("N", [("a",
        T)])``, ``TypedDict("D", {"a": T})``...: the arguments that are types are type expressions."""
        positions, keywords = _TYPE_ARGS.get(short, ((), ()))
        for i, arg in enumerate(args):
            v = arg.value
            if arg.keyword is not None:
                kw = arg.keyword.value
                is_type = kw in keywords or (short in _TYPE_VARS and kw in ("bound", "default")) or (
                    short in ("NamedTuple", "TypedDict") and kw not in ("total", "closed", "extra_items"))
            elif arg.star:
                is_type = False
            elif short in _TYPE_VARS:
                is_type = i > 0
            elif short in ("NamedTuple", "TypedDict") and i == 1:
                self._fields_of(v)
                continue
            else:
                is_type = i in positions
            if is_type:
                self.type_expression(v)
            else:
                self.expr(v)

    def _fields_of(self, v: cst.CSTNode) -> None:
        """The field list of ``NamedTuple("N", [("a", T)])`` or dict of ``TypedDict("D", {"a": T})``."""
        if type(v) in (cst.List, cst.Tuple):
            for el in v.elements:
                pair = el.value
                if type(pair) is cst.Tuple and len(pair.elements) == 2:
                    self.expr(pair.elements[0].value)
                    self.type_expression(pair.elements[1].value)
                else:
                    self.expr(pair)
        elif type(v) is cst.Dict:
            for el in v.elements:
                if type(el) is cst.DictElement:
                    self.expr(el.key)
                    self.type_expression(el.value)
                else:
                    self.expr(el.value)
        else:
            self.expr(v)

    def type_expression(self, node: cst.CSTNode) -> None:
        """A type Python evaluates at runtime (an alias value, ``cast``'s first argument): names are
        loaded where they are, strings in it are forward references (typing uses)."""
        saved = self.type_expr, self.in_literal
        self.type_expr, self.in_literal = True, False
        self.expr(node)
        self.type_expr, self.in_literal = saved

    def _eval_literal(self, name: str, code: cst.CSTNode) -> None:
        """``eval``/``exec`` of a literal string: the names it loads are runtime uses here."""
        text = _literal_text(code)
        if text is None:
            return  # not a literal: recorded in ``dynamic``
        try:
            tree = ast.parse(text.strip() if name == "eval" else text, mode="eval" if name == "eval" else "exec")
        except (SyntaxError, ValueError):
            return  # it raises when it runs: no name of the module is used
        pos = self.str_pos or self.start.get(id(code), (0, 0))
        self._load_names(_ast_loads(tree, False), pos, RUNTIME)

    def _dynamic_call(self, name: str, args, node: cst.Call) -> None:
        """Record calls that reach the module's names without naming them (ModuleFacts.dynamic)."""
        if name not in ("eval", "exec", "globals", "vars", "locals"):
            return
        if self.resolve(name):  # a local or imported function of that name, not the builtin
            return
        line = self.str_pos[0] if self.str_pos else self._first_line(node)
        if name in ("eval", "exec"):
            first = args[0].value if args else None
            if first is None or _literal_text(first) is None:  # f-strings and bytes included
                self.dynamic.append(f"non-literal `{name}` (line {line})")
        elif name == "globals":
            self.dynamic.append(f"`globals()` (line {line})")
        elif name in ("vars", "locals") and not args and self.scope is self.module_scope:
            self.dynamic.append(f"`{name}()` at module level (line {line})")

    def _string_refs(self, args, node: cst.Call, callee: str) -> None:
        """Names given to a call as strings (ModuleFacts.string_refs); ``getattr(mod, name)``
        with a name computed at runtime is recorded as (object, "*", line)."""
        first = args[0].value
        if type(first) is cst.SimpleString:
            text = _plain_string(first)
            if text and "." in text and _DOTTED.fullmatch(text):
                self.string_refs.append(("", text, self._first_line(node)))
        elif len(args) >= 2 and type(args[1].value) is cst.SimpleString:
            obj = dotted(first)
            text = _plain_string(args[1].value)
            if obj and text and text.isidentifier():
                self.string_refs.append((obj, text, self._first_line(node)))
        elif len(args) >= 2 and callee in ("getattr", "hasattr") and not self.resolve(callee):
            obj = dotted(first)
            if obj and type(args[1].value) not in (cst.ConcatenatedString, cst.FormattedString):
                self.string_refs.append((obj, "*", self._first_line(node)))

    def _module_self(self, node: cst.Subscript) -> None:
        """``sys.modules[__name__]``: the module object itself, read or written by name."""
        value = dotted(node.value) or ""
        if value.rsplit(".", 1)[-1] != "modules" or len(node.slice) != 1:
            return
        index = node.slice[0].slice
        if type(index) is cst.Index and dotted(index.value) == "__name__":
            line = self.str_pos[0] if self.str_pos else self._first_line(node)
            self.dynamic.append(f"`sys.modules[__name__]` (line {line})")

    def e_lambda(self, node: cst.Lambda) -> None:
        for p in self._all_params(node.params):
            if p.default is not None:
                self.expr(p.default)
        self._defer(node, self._qual("<lambda>"))

    def e_comp(self, node) -> None:
        comp = node.for_in
        self.expr(comp.iter)
        outer = self.scope
        self.scope = Scope("comprehension", outer.qualname, outer)
        first = True
        while comp is not None:
            if not first:
                self.expr(comp.iter)
            first = False
            self.target(comp.target)
            for cond in comp.ifs:
                self.expr(cond.test)
            comp = comp.inner_for_in
        if type(node) is cst.DictComp:
            self.expr(node.key)
            self.expr(node.value)
        else:
            self.expr(node.elt)
        self.scope = outer

    def e_named(self, node: cst.NamedExpr) -> None:
        self.expr(node.value)
        if type(node.target) is cst.Name:
            s = self.scope
            while s.kind == "comprehension":
                s = s.parent
            self.bind(node.target.value, scope=s)

    def e_string(self, node) -> None:
        if (self.kind != RUNTIME or self.type_expr) and not self.in_literal:
            self.string_annotation(node)
        n = node  # f-strings inside an implicit concatenation (``"a" f"{x}"``) load names too
        while type(n) is cst.ConcatenatedString:
            if type(n.left) is not cst.SimpleString:
                self.expr(n.left)
            n = n.right
        if n is not node and type(n) is not cst.SimpleString:
            self.expr(n)

    in_literal = False  # inside ``Literal[...]`` or ``Annotated`` metadata: strings are values
    type_expr = False  # inside a type expression Python evaluates (``X = Union[str, "Foo"]``)

    # ------------------------------------------------------------------ annotations
    def annotation(self, node: cst.CSTNode, kind: str, owner: str) -> None:
        saved = self.kind, self.owner
        self.kind, self.owner = kind, owner
        self.expr(node)
        self.kind, self.owner = saved

    def e_subscript(self, node: cst.Subscript) -> None:
        self.expr(node.value)
        if self.main_pass or self.func:
            self._module_self(node)
        if (self.kind == RUNTIME and not self.type_expr) or self.in_literal:
            # a plain subscript (``x["key"]``) unless its value is a typing construct
            q = self._qualified(node.value)
            if q is None or not _is_type_construct(q):
                for el in node.slice:
                    self.expr(el.slice)
                return
        saved = self.type_expr, self.in_literal
        self.type_expr, self.in_literal = True, False
        head = (dotted(node.value) or "").rsplit(".", 1)[-1]
        if head == "Literal":
            self.in_literal = True
            for el in node.slice:
                self.expr(el.slice)
        elif head == "Annotated":
            for i, el in enumerate(node.slice):
                self.in_literal = i > 0  # metadata: values, unless a type construct inside
                self.expr(el.slice)
        else:
            for el in node.slice:
                self.expr(el.slice)
        self.type_expr, self.in_literal = saved

    def _qualified(self, node: cst.CSTNode) -> Optional[str]:
        """The full name a Name/Attribute chain refers to through this module's imports
        (``t.List`` -> ``typing.List`` after ``import typing as t``); ``builtins.x`` for a name
        bound nowhere; None when not known."""
        d = dotted(node)
        if d is None:
            return None
        head, _, rest = d.partition(".")
        found = self.resolve(head)
        if not found:
            return "builtins." + d
        for b in found:
            if b < 0:
                continue
            f = self.imports[b].fields
            if f["level"]:
                continue
            if f["name"] is None:  # ``import a.b`` binds ``a``; ``import a.b as c`` binds ``a.b``
                base = f["module"] if f["asname"] else head
            else:
                base = f"{f['module']}.{f['name']}"
            return base + ("." + rest if rest else "")
        return None

    def string_annotation(self, node) -> None:
        if type(node) is cst.ConcatenatedString:
            parts, n = [], node
            while type(n) is cst.ConcatenatedString:
                parts.append(n.left)
                n = n.right
            parts.append(n)
            if any(type(p) is not cst.SimpleString for p in parts):
                return
            try:
                text = "".join(p.evaluated_value for p in parts)
            except Exception:
                return
        elif type(node) is cst.SimpleString:
            if "b" in node.prefix.lower():
                return
            try:
                text = node.evaluated_value
            except Exception:
                return
        else:
            return
        if not isinstance(text, str) or not text.strip():
            return
        try:
            parsed = cst.parse_expression(text.strip())
        except Exception:
            return
        saved = self.kind, self.str_pos
        self.kind = TYPING
        if self.str_pos is None:
            self.str_pos = self.start.get(id(node), (0, 0))
        self.expr(parsed)
        self.kind, self.str_pos = saved


_STMT = {
    cst.SimpleStatementLine: Extractor.s_simple_line,
    cst.Import: Extractor.s_import,
    cst.ImportFrom: Extractor.s_import,
    cst.LazyImport: Extractor.s_lazy,
    cst.LazyImportFrom: Extractor.s_lazy,
    cst.Assign: Extractor.s_assign,
    cst.AnnAssign: Extractor.s_ann_assign,
    cst.AugAssign: Extractor.s_aug_assign,
    cst.Expr: Extractor.s_expr,
    cst.Del: Extractor.s_del,
    cst.Global: Extractor.s_global,
    cst.Nonlocal: Extractor.s_global,
    cst.FunctionDef: Extractor.s_function,
    cst.ClassDef: Extractor.s_class,
    cst.If: Extractor.s_if,
    cst.Try: Extractor.s_try,
    cst.TryStar: Extractor.s_try,
    cst.For: Extractor.s_for,
    cst.While: Extractor.s_while,
    cst.With: Extractor.s_with,
    cst.Match: Extractor.s_match,
    cst.TypeAlias: Extractor.s_type_alias,
    cst.Pass: lambda self, node: None,
    cst.Break: lambda self, node: None,
    cst.Continue: lambda self, node: None,
}
_EXPR = {
    cst.Arg: Extractor.e_arg,
    cst.Call: Extractor.e_call,
    cst.Lambda: Extractor.e_lambda,
    cst.ListComp: Extractor.e_comp,
    cst.SetComp: Extractor.e_comp,
    cst.GeneratorExp: Extractor.e_comp,
    cst.DictComp: Extractor.e_comp,
    cst.NamedExpr: Extractor.e_named,
    cst.SimpleString: Extractor.e_string,
    cst.ConcatenatedString: Extractor.e_string,
    cst.Subscript: Extractor.e_subscript,
}
