"""LibCST's node classes, without LibCST: the same names, the same fields in the same order.

``import libcst`` costs 0.2 s (it creates some 200 dataclasses): a run that extracts one
changed file paid it before the parse. The extractor walks trees of these classes instead:
``fromast`` builds them from ``ast``, and a file only LibCST can read is parsed by LibCST and
copied into them (``to_mirror``), its positions carried over. Type checkers see LibCST's own
classes (the extractor's modules import them under ``TYPE_CHECKING``); a test holds this table
equal to the installed LibCST's classes.

Each line (an indented one goes on with the line above): a class and its fields; ``=D`` is
``MaybeSentinel.DEFAULT``, ``=...`` a literal default, a field without one defaults to None
(LibCST's whitespace nodes, which nothing here reads).
"""
from __future__ import annotations

from ast import literal_eval
from typing import Any, Dict, Optional, Tuple

TABLE = r"""
Add: whitespace_before whitespace_after
AddAssign: whitespace_before whitespace_after
And: whitespace_before whitespace_after
AnnAssign: target annotation value equal=D semicolon=D
Annotation: annotation whitespace_before_indicator=D whitespace_after_indicator
Arg: value keyword equal=D comma=D star='' whitespace_after_star whitespace_after_arg
AsName: name whitespace_before_as whitespace_after_as
Assert: test msg comma=D whitespace_after_assert semicolon=D
Assign: targets value semicolon=D
AssignEqual: whitespace_before whitespace_after
AssignTarget: target whitespace_before_equal whitespace_after_equal
Asynchronous: whitespace_after
Attribute: value attr dot lpar=() rpar=()
AugAssign: target operator value semicolon=D
Await: expression lpar=() rpar=() whitespace_after_await
BinaryOperation: left operator right lpar=() rpar=()
BitAnd: whitespace_before whitespace_after
BitAndAssign: whitespace_before whitespace_after
BitInvert: whitespace_after
BitOr: whitespace_before whitespace_after
BitOrAssign: whitespace_before whitespace_after
BitXor: whitespace_before whitespace_after
BitXorAssign: whitespace_before whitespace_after
BooleanOperation: left operator right lpar=() rpar=()
Break: semicolon=D
Call: func args=() lpar=() rpar=() whitespace_after_func whitespace_before_args
ClassDef: name body bases=() keywords=() decorators=() lpar=D rpar=D leading_lines=() lines_after_decorators=()
    whitespace_after_class whitespace_after_name whitespace_before_colon type_parameters
    whitespace_after_type_parameters
Colon: whitespace_before whitespace_after
Comma: whitespace_before whitespace_after
Comment: value
CompFor: target iter ifs=() inner_for_in asynchronous whitespace_before whitespace_after_for whitespace_before_in
    whitespace_after_in
CompIf: test whitespace_before whitespace_before_test
Comparison: left comparisons lpar=() rpar=()
ComparisonTarget: operator comparator
ConcatenatedString: left right lpar=() rpar=() whitespace_between
Continue: semicolon=D
Decorator: decorator leading_lines=() whitespace_after_at trailing_whitespace
Del: target whitespace_after_del semicolon=D
Dict: elements lbrace rbrace lpar=() rpar=()
DictComp: key value for_in lbrace rbrace lpar=() rpar=() whitespace_before_colon whitespace_after_colon
DictElement: key value comma=D whitespace_before_colon whitespace_after_colon
Divide: whitespace_before whitespace_after
DivideAssign: whitespace_before whitespace_after
Dot: whitespace_before whitespace_after
Element: value comma=D
Ellipsis: lpar=() rpar=()
Else: body leading_lines=() whitespace_before_colon
EmptyLine: indent=True whitespace comment newline
Equal: whitespace_before whitespace_after
ExceptHandler: body type name leading_lines=() whitespace_after_except whitespace_before_colon
ExceptStarHandler: body type name leading_lines=() whitespace_after_except whitespace_after_star
    whitespace_before_colon
Expr: value semicolon=D
Finally: body leading_lines=() whitespace_before_colon
Float: value lpar=() rpar=()
FloorDivide: whitespace_before whitespace_after
FloorDivideAssign: whitespace_before whitespace_after
For: target iter body orelse asynchronous leading_lines=() whitespace_after_for whitespace_before_in
    whitespace_after_in whitespace_before_colon
FormattedString: parts start='f"' end='"' lpar=() rpar=()
FormattedStringExpression: expression conversion format_spec whitespace_before_expression
    whitespace_after_expression equal
FormattedStringText: value
From: item whitespace_before_from=D whitespace_after_from
FunctionDef: name params body decorators=() returns asynchronous leading_lines=() lines_after_decorators=()
    whitespace_after_def whitespace_after_name whitespace_before_params whitespace_before_colon type_parameters
    whitespace_after_type_parameters
GeneratorExp: elt for_in lpar=() rpar=()
Global: names whitespace_after_global semicolon=D
GreaterThan: whitespace_before whitespace_after
GreaterThanEqual: whitespace_before whitespace_after
If: test body orelse leading_lines=() whitespace_before_test whitespace_after_test
IfExp: test body orelse lpar=() rpar=() whitespace_before_if whitespace_after_if whitespace_before_else
    whitespace_after_else
Imaginary: value lpar=() rpar=()
Import: names semicolon=D whitespace_after_import
ImportAlias: name asname comma=D
ImportFrom: module names relative=() lpar rpar semicolon=D whitespace_after_from whitespace_before_import
    whitespace_after_import
ImportStar:
In: whitespace_before whitespace_after
IndentedBlock: body header indent footer=()
Index: value star whitespace_after_star
Integer: value lpar=() rpar=()
Is: whitespace_before whitespace_after
IsNot: whitespace_before whitespace_between whitespace_after
Lambda: params body colon lpar=() rpar=() whitespace_after_lambda=D
LazyImport: names semicolon=D whitespace_after_lazy whitespace_after_import
LazyImportFrom: module names relative=() lpar rpar semicolon=D whitespace_after_lazy whitespace_after_from
    whitespace_before_import whitespace_after_import
LeftCurlyBrace: whitespace_after
LeftParen: whitespace_after
LeftShift: whitespace_before whitespace_after
LeftShiftAssign: whitespace_before whitespace_after
LeftSquareBracket: whitespace_after
LessThan: whitespace_before whitespace_after
LessThanEqual: whitespace_before whitespace_after
List: elements lbracket rbracket lpar=() rpar=()
ListComp: elt for_in lbracket rbracket lpar=() rpar=()
Match: subject cases leading_lines=() whitespace_after_match whitespace_before_colon whitespace_after_colon indent
    footer=()
MatchAs: pattern name whitespace_before_as=D whitespace_after_as=D lpar=() rpar=()
MatchCase: pattern body guard leading_lines=() whitespace_after_case whitespace_before_if whitespace_after_if
    whitespace_before_colon
MatchClass: cls patterns=() kwds=() whitespace_after_cls whitespace_before_patterns whitespace_after_kwds lpar=()
    rpar=()
MatchKeywordElement: key pattern comma=D whitespace_before_equal whitespace_after_equal
MatchList: patterns lbracket rbracket lpar=() rpar=()
MatchMapping: elements=() lbrace rbrace rest whitespace_before_rest trailing_comma lpar=() rpar=()
MatchMappingElement: key pattern comma=D whitespace_before_colon whitespace_after_colon
MatchOr: patterns lpar=() rpar=()
MatchOrElement: pattern separator=D
MatchSequenceElement: value comma=D
MatchSingleton: value
MatchStar: name comma=D whitespace_before_name
MatchTuple: patterns lpar=() rpar=()
MatchValue: value
MatrixMultiply: whitespace_before whitespace_after
MatrixMultiplyAssign: whitespace_before whitespace_after
Minus: whitespace_after
Module: body header=() footer=() encoding='utf-8' default_indent='\x20\x20\x20\x20' default_newline='\n'
    has_trailing_newline=True
Modulo: whitespace_before whitespace_after
ModuloAssign: whitespace_before whitespace_after
Multiply: whitespace_before whitespace_after
MultiplyAssign: whitespace_before whitespace_after
Name: value lpar=() rpar=()
NameItem: name comma=D
NamedExpr: target value lpar=() rpar=() whitespace_before_walrus whitespace_after_walrus
Newline: value
Nonlocal: names whitespace_after_nonlocal semicolon=D
Not: whitespace_after
NotEqual: value='!=' whitespace_before whitespace_after
NotIn: whitespace_before whitespace_between whitespace_after
Or: whitespace_before whitespace_after
Param: name annotation equal=D default comma=D star=D whitespace_after_star whitespace_after_param
ParamSlash: comma=D whitespace_after
ParamSpec: name whitespace_after_star
ParamStar: comma
Parameters: params=() star_arg=D kwonly_params=() star_kwarg posonly_params=() posonly_ind=D
ParenthesizedWhitespace: first_line empty_lines=() indent=False last_line
Pass: semicolon=D
Plus: whitespace_after
Power: whitespace_before whitespace_after
PowerAssign: whitespace_before whitespace_after
Raise: exc cause whitespace_after_raise=D semicolon=D
Return: value whitespace_after_return=D semicolon=D
RightCurlyBrace: whitespace_before
RightParen: whitespace_before
RightShift: whitespace_before whitespace_after
RightShiftAssign: whitespace_before whitespace_after
RightSquareBracket: whitespace_before
Semicolon: whitespace_before whitespace_after
Set: elements lbrace rbrace lpar=() rpar=()
SetComp: elt for_in lbrace rbrace lpar=() rpar=()
SimpleStatementLine: body leading_lines=() trailing_whitespace
SimpleStatementSuite: body leading_whitespace trailing_whitespace
SimpleString: value lpar=() rpar=()
SimpleWhitespace: value
Slice: lower upper step first_colon second_colon=D
StarredDictComp: value for_in lbrace rbrace lpar=() rpar=() whitespace_before_value
StarredDictElement: value comma=D whitespace_before_value
StarredElement: value comma=D lpar=() rpar=() whitespace_before_value
Subscript: value slice lbracket rbracket lpar=() rpar=() whitespace_after_value
SubscriptElement: slice comma=D
Subtract: whitespace_before whitespace_after
SubtractAssign: whitespace_before whitespace_after
TemplatedString: parts start='t"' end='"' lpar=() rpar=()
TemplatedStringExpression: expression conversion format_spec whitespace_before_expression
    whitespace_after_expression equal
TemplatedStringText: value
TrailingWhitespace: whitespace comment newline
Try: body handlers=() orelse finalbody leading_lines=() whitespace_before_colon
TryStar: body handlers orelse finalbody leading_lines=() whitespace_before_colon
Tuple: elements lpar=() rpar=()
TypeAlias: name value type_parameters whitespace_after_type whitespace_after_name=D
    whitespace_after_type_parameters=D whitespace_after_equals semicolon=D
TypeParam: param comma=D equal=D star='' whitespace_after_star default
TypeParameters: params=() lbracket rbracket
TypeVar: name bound colon=D
TypeVarTuple: name whitespace_after_star
UnaryOperation: operator expression lpar=() rpar=()
While: test body orelse leading_lines=() whitespace_after_while whitespace_before_colon
With: items body asynchronous leading_lines=() lpar=D rpar=D whitespace_after_with whitespace_before_colon
WithItem: item asname comma=D
Yield: value lpar=() rpar=() whitespace_after_yield=D
"""


class MaybeSentinel:
    """LibCST's ``MaybeSentinel``: ``DEFAULT`` where a comma, an ``=`` or a star may be."""

    DEFAULT: "MaybeSentinel"

    def __repr__(self) -> str:
        return "MaybeSentinel.DEFAULT"


MaybeSentinel.DEFAULT = MaybeSentinel()


class CSTNode:
    __slots__ = ()
    FIELDS: Tuple[str, ...] = ()
    DEFAULTS: Tuple[Any, ...] = ()

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f, None)!r}" for f in self.FIELDS if not f.startswith("whitespace"))
        return f"{type(self).__name__}({inner})"


class BaseExpression(CSTNode):
    __slots__ = ()


class _String(BaseExpression):
    __slots__ = ()

    @property
    def prefix(self) -> str:
        value: str = self.value  # type: ignore[attr-defined]
        return value[: len(value) - len(value.lstrip("rRbBuUfFtT"))].lower()

    @property
    def evaluated_value(self) -> Any:
        return literal_eval(self.value)  # type: ignore[attr-defined]


class _Number(BaseExpression):
    __slots__ = ()

    @property
    def evaluated_value(self) -> Any:
        return literal_eval(self.value)  # type: ignore[attr-defined]


class BaseSmallStatement(CSTNode):  # LibCST's abstract classes the walk tests for
    __slots__ = ()


class MatchSequence(CSTNode):
    __slots__ = ()


_BASES = {"SimpleString": _String, "Integer": _Number, "Float": _Number, "Imaginary": _Number,
          "MatchList": MatchSequence, "MatchTuple": MatchSequence}
_BASES.update(dict.fromkeys(("AnnAssign", "Assert", "Assign", "AugAssign", "Break", "Continue", "Del", "Expr", "Global",
                             "Import", "ImportFrom", "LazyImport", "LazyImportFrom", "Nonlocal", "Pass", "Raise",
                             "Return", "TypeAlias"), BaseSmallStatement))
CLASSES: Dict[str, type] = {}


_SEEN: Dict[str, Any] = {"D": MaybeSentinel.DEFAULT, "()": ()}  # the few defaults there are, each read once


def _default(code: str) -> Any:
    got = _SEEN.get(code, _SEEN)
    if got is _SEEN:
        got = _SEEN[code] = literal_eval(code)
    return got


def _make_classes() -> None:
    for line in TABLE.strip().replace("\n    ", " ").splitlines():  # (indented: the line above goes on)
        name, _, spec = line.partition(":")
        fields, defaults = [], []
        for f in spec.split():
            field, eq, code = f.partition("=")
            fields.append(field)
            defaults.append(_default(code) if eq else None)
        CLASSES[name] = type(name, (_BASES.get(name, BaseExpression),), {
            "__slots__": tuple(fields), "FIELDS": tuple(fields), "DEFAULTS": tuple(defaults),
            "__module__": __name__})


_make_classes()
globals().update(CLASSES)




def __getattr__(name: str) -> Any:  # (for type checkers: the classes above are module attributes)
    raise AttributeError(name)


def _learn(real: type) -> type:
    """A copy of a class a newer LibCST has and the table does not (its fields, no defaults)."""
    import dataclasses

    fields = tuple(f.name for f in dataclasses.fields(real))
    made = CLASSES[real.__name__] = type(real.__name__, (BaseExpression,), {
        "__slots__": fields, "FIELDS": fields, "DEFAULTS": (None,) * len(fields), "__module__": __name__})
    return made


def to_mirror(node: Any, start: Optional[Dict[int, Any]] = None, end: Optional[Dict[int, Any]] = None,
              new_start: Optional[Dict[int, Any]] = None, new_end: Optional[Dict[int, Any]] = None) -> Any:
    """A copy of a LibCST tree in these classes; with ``start``/``end`` (positions keyed by the
    ``id`` of LibCST's nodes), the same positions keyed by the copies' in ``new_start``/``new_end``."""
    from libcst import CSTNode as Real, MaybeSentinel as RealSentinel

    new = object.__new__
    put = object.__setattr__
    classes = CLASSES
    default = MaybeSentinel.DEFAULT
    starts = start if start is not None else {}
    ends = end if end is not None else {}
    to_start = new_start if new_start is not None else {}
    to_end = new_end if new_end is not None else {}

    def copy(v: Any) -> Any:
        if isinstance(v, Real):
            kind = classes.get(type(v).__name__) or _learn(type(v))
            out: Any = new(kind)
            for f in kind.FIELDS:  # type: ignore[attr-defined]
                put(out, f, copy(getattr(v, f)))
            i = id(v)
            if i in starts:
                to_start[id(out)] = starts[i]
            if i in ends:
                to_end[id(out)] = ends[i]
            return out
        if isinstance(v, (list, tuple)):
            return tuple([copy(x) for x in v])
        if isinstance(v, RealSentinel):
            return default
        return v

    return copy(node)
