"""``fromast``'s expressions: LibCST's shape of each (``BooleanOperation`` nested to the left,
``ConcatenatedString`` for implicit concatenation, ``Arg`` in source order...), parameters, and the
patterns of ``match``."""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, List, Optional

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

from importguard.extract.astnodes import BuildState, N, Unsupported, mk, op

_BINOP = {ast.Add: cst.Add, ast.Sub: cst.Subtract, ast.Mult: cst.Multiply, ast.Div: cst.Divide,
          ast.FloorDiv: cst.FloorDivide, ast.Mod: cst.Modulo, ast.Pow: cst.Power, ast.LShift: cst.LeftShift,
          ast.RShift: cst.RightShift, ast.BitOr: cst.BitOr, ast.BitXor: cst.BitXor, ast.BitAnd: cst.BitAnd,
          ast.MatMult: cst.MatrixMultiply}
_UNARY = {ast.Not: cst.Not, ast.USub: cst.Minus, ast.UAdd: cst.Plus, ast.Invert: cst.BitInvert}
_CMP = {ast.Eq: cst.Equal, ast.NotEq: cst.NotEqual, ast.Lt: cst.LessThan, ast.LtE: cst.LessThanEqual,
        ast.Gt: cst.GreaterThan, ast.GtE: cst.GreaterThanEqual, ast.Is: cst.Is, ast.IsNot: cst.IsNot,
        ast.In: cst.In, ast.NotIn: cst.NotIn}

# one string literal: prefix, then a triple- or single-quoted body
_STRING = re.compile(
    r"""[rRuUbBfFtT]{0,2}(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""",
    re.S,
)
_BETWEEN = re.compile(r"(?:[ \t\r\n]|\\\r?\n|#[^\r\n]*)*")


class Expressions(BuildState):

    def parameters(self, a: Any) -> Any:
        def param(arg: Any, default: Optional[Any] = None, star: Any = cst.MaybeSentinel.DEFAULT) -> Any:
            name = N.Name(value=arg.arg)
            c = self.col(arg.lineno, arg.col_offset)
            if not self.lines[arg.lineno - 1].startswith(arg.arg, c):
                raise Unsupported("parameter")
            self.start[id(name)] = (arg.lineno, c)
            ann = N.Annotation(annotation=self.expr(arg.annotation)) if arg.annotation is not None else None
            return N.Param(name=name, annotation=ann, default=self.expr(default) if default is not None else None,
                      star=star)

        if getattr(a, "type_comment", None):
            raise Unsupported("type comment")
        positional = a.posonlyargs + a.args
        defaults: List[Optional[Any]] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        posonly = [param(x, d) for x, d in zip(a.posonlyargs, defaults)]
        params = [param(x, d) for x, d in zip(a.args, defaults[len(a.posonlyargs):])]
        star_arg: Any = cst.MaybeSentinel.DEFAULT
        if a.vararg is not None:
            star_arg = param(a.vararg, star="*")
        elif a.kwonlyargs:
            star_arg = N.ParamStar()
        kwonly = [param(x, d) for x, d in zip(a.kwonlyargs, a.kw_defaults)]
        star_kwarg = param(a.kwarg, star="**") if a.kwarg is not None else None
        return N.Parameters(params=params, star_arg=star_arg, kwonly_params=kwonly, star_kwarg=star_kwarg,
                  posonly_params=posonly, posonly_ind=N.ParamSlash() if posonly else cst.MaybeSentinel.DEFAULT)

    # ------------------------------------------------------------------ small statements
    def target(self, e: Any) -> Any:
        return self.expr(e)

    def expr(self, e: Optional[Any]) -> Any:
        if e is None:
            return None
        f = _EXPR.get(type(e))
        if f is None:
            raise Unsupported(type(e).__name__)
        return f(self, e)

    def e_name(self, e: Any) -> Any:
        name = e.id
        node = N.Name(value=name)
        _, c, text = self.record(node, e)
        if not text.startswith(name, c):
            raise Unsupported("name position")  # (inside an f-string before Python 3.12; NFKC)
        return node

    def e_attribute(self, e: Any) -> Any:
        value = self.expr(e.value)
        attr = N.Name(value=e.attr)
        line = e.end_lineno
        c = self.col(line, e.end_col_offset) - len(e.attr)
        if not self.lines[line - 1].startswith(e.attr, c):
            raise Unsupported("attribute")  # (``ast`` gives the NFKC form of an identifier)
        self.start[id(attr)] = (line, c)
        return N.Attribute(value=value, attr=attr)

    def e_call(self, e: Any) -> Any:
        func = self.expr(e.func)
        arg = N.Arg
        args = [arg(value=self.expr(a.value), star="*") if type(a) is ast.Starred else arg(value=self.expr(a))
                for a in e.args]
        keywords = e.keywords
        if keywords:
            if e.args and (e.args[-1].lineno, e.args[-1].col_offset) > (keywords[0].lineno, keywords[0].col_offset):
                # ``f(a=1, *b)``: LibCST keeps the source order, ``ast`` puts positional arguments first
                items = [((a.lineno, a.col_offset), x) for a, x in zip(e.args, args)]
                items += [((k.lineno, k.col_offset), self._keyword(k)) for k in keywords]
                items.sort(key=lambda x: x[0])
                args = [x[1] for x in items]
            else:
                args += [self._keyword(k) for k in keywords]
        node = N.Call(func=func, args=args)
        self.record(node, e)
        return node

    def _keyword(self, k: Any) -> Any:
        if k.arg is None:
            return N.Arg(value=self.expr(k.value), star="**")
        name = N.Name(value=k.arg)
        c = self.col(k.lineno, k.col_offset)
        if not self.lines[k.lineno - 1].startswith(k.arg, c):
            raise Unsupported("keyword")
        self.start[id(name)] = (k.lineno, c)
        return N.Arg(value=self.expr(k.value), keyword=name)

    def e_constant(self, e: Any) -> Any:
        v = e.value
        if isinstance(v, (str, bytes)):
            return self._string(e)
        if v is None or v is True or v is False:
            node = N.Name(value=str(v))
            self.record(node, e)
            return node
        if v is Ellipsis:
            return N.Ellipsis()
        text = self._segment(e)
        if isinstance(v, int):
            return N.Integer(value=text)
        if isinstance(v, float):
            return N.Float(value=text)
        if isinstance(v, complex):
            return N.Imaginary(value=text)
        raise Unsupported("constant")

    def _segment(self, e: Any) -> str:
        a = self.offset(e.lineno, e.col_offset)
        b = self.offset(e.end_lineno, e.end_col_offset)
        return self.text[a:b]

    def _string(self, e: Any) -> Any:
        a = self.offset(e.lineno, e.col_offset)
        b = self.offset(e.end_lineno, e.end_col_offset)
        text = self.text
        m = _STRING.match(text, a)
        if m is None:
            raise Unsupported("string")
        self.strings.append((a, m.end()))
        if m.end() == b:
            one = self._one_string(m.group(), e)
            self.record(one, e)
            return one
        parts = [(m.start(), m.group())]
        p = m.end()
        while p < b:
            p = _BETWEEN.match(text, p).end()  # type: ignore[union-attr]  # (it matches the empty string)
            m = _STRING.match(text, p)
            if m is None:
                raise Unsupported("string part")
            parts.append((m.start(), m.group()))
            self.strings.append((m.start(), m.end()))
            p = m.end()
        if p != b:
            raise Unsupported("string end")
        node: Any = None
        fstrings = type(e) is not ast.Constant
        for off, tok in reversed(parts):
            if fstrings and tok[: len(tok) - len(tok.lstrip("rRbBuUfFtT"))].lower().count("f"):
                part = self._one_string(tok, self._sub_parse(tok, off))
            else:
                part = N.SimpleString(value=tok)
            self.start[id(part)] = self.pos_of(off)
            if node is None:
                node = part
            else:
                node = N.ConcatenatedString(left=part, right=node)
                self.start[id(node)] = self.pos_of(off)
        self.record(node, e)
        return node

    def _sub_parse(self, tok: str, off: int) -> Any:
        """One f-string of an implicit concatenation, parsed alone, its positions moved to where
        the token is in the file."""
        try:
            tree = ast.parse(tok, mode="eval").body
        except SyntaxError as exc:
            raise Unsupported("f-string part") from exc
        line, c = self.pos_of(off)
        shift = len(self.lines[line - 1][:c].encode("utf-8"))
        n: Any
        for n in ast.walk(tree):
            if hasattr(n, "lineno"):
                if n.lineno == 1:
                    n.col_offset += shift
                if getattr(n, "end_lineno", None) == 1:
                    n.end_col_offset += shift
                n.lineno += line - 1
                if getattr(n, "end_lineno", None) is not None:
                    n.end_lineno += line - 1
        return tree

    def _one_string(self, tok: str, e: Any) -> Any:
        if type(e) is ast.Constant:
            return N.SimpleString(value=tok)
        quote = tok.lstrip("rRbBuUfFtT")
        prefix = tok[: len(tok) - len(quote)]
        q = quote[:3] if quote[:3] in ('"""', "'''") else quote[0]
        parts = []
        for v in e.values:
            if type(v) is ast.Constant:
                parts.append(N.FormattedStringText(value=v.value))
            elif type(v) is ast.FormattedValue:
                parts.append(self._fexpr(v))
            else:
                raise Unsupported("f-string part")
        return N.FormattedString(parts=parts, start=prefix + q, end=q)

    def _fexpr(self, v: Any) -> Any:
        spec = None
        if v.format_spec is not None:
            spec = []
            for p in v.format_spec.values:
                if type(p) is ast.Constant:
                    spec.append(N.FormattedStringText(value=p.value))
                else:
                    spec.append(self._fexpr(p))
        conv = {-1: None, 115: "s", 114: "r", 97: "a"}[v.conversion]
        return N.FormattedStringExpression(expression=self.expr(v.value), conversion=conv, format_spec=spec)

    def e_joined(self, e: Any) -> Any:
        return self._string(e)

    def e_binop(self, e: Any) -> Any:
        return N.BinaryOperation(left=self.expr(e.left), operator=op(_BINOP[type(e.op)]),
                  right=self.expr(e.right))

    def e_boolop(self, e: Any) -> Any:
        operator = op(cst.And if type(e.op) is ast.And else cst.Or)
        values = e.values
        node = self.expr(values[0])
        for v in values[1:]:
            node = N.BooleanOperation(left=node, operator=operator, right=self.expr(v))
        return node

    def e_unary(self, e: Any) -> Any:
        return N.UnaryOperation(operator=op(_UNARY[type(e.op)]), expression=self.expr(e.operand))

    def e_compare(self, e: Any) -> Any:
        comps = [N.ComparisonTarget(operator=op(_CMP[type(o)]), comparator=self.expr(c))
                 for o, c in zip(e.ops, e.comparators)]
        return N.Comparison(left=self.expr(e.left), comparisons=comps)

    def e_ifexp(self, e: Any) -> Any:
        body = self.expr(e.body)
        test = self.expr(e.test)
        return N.IfExp(test=test, body=body, orelse=self.expr(e.orelse))

    def e_lambda(self, e: Any) -> Any:
        return N.Lambda(params=self.parameters(e.args), body=self.expr(e.body))

    def _elements(self, elts: List[Any]) -> list:
        out = []
        for x in elts:
            if type(x) is ast.Starred:
                out.append(N.StarredElement(value=self.expr(x.value)))
            else:
                out.append(N.Element(value=self.expr(x)))
        return out

    def e_tuple(self, e: Any) -> Any:
        return N.Tuple(elements=self._elements(e.elts))

    def e_list(self, e: Any) -> Any:
        return N.List(elements=self._elements(e.elts))

    def e_set(self, e: Any) -> Any:
        return N.Set(elements=self._elements(e.elts))

    def e_dict(self, e: Any) -> Any:
        out = []
        for k, v in zip(e.keys, e.values):
            if k is None:
                out.append(N.StarredDictElement(value=self.expr(v)))
            else:
                out.append(N.DictElement(key=self.expr(k), value=self.expr(v)))
        return N.Dict(elements=out)

    def _for_in(self, gens: List[Any]) -> Any:
        node = None
        for g in reversed(gens):
            node = N.CompFor(target=self.target(g.target), iter=self.expr(g.iter),
                      ifs=[N.CompIf(test=self.expr(x)) for x in g.ifs], inner_for_in=node,
                      asynchronous=N.Asynchronous() if g.is_async else None)
        return node

    def _comp(self, cls: type, e: Any) -> Any:
        # the element is walked after the ``for`` clauses in both trees; build in source order
        elt = self.expr(e.elt)
        return mk(cls, elt=elt, for_in=self._for_in(e.generators))

    def e_listcomp(self, e: Any) -> Any:
        return self._comp(cst.ListComp, e)

    def e_setcomp(self, e: Any) -> Any:
        return self._comp(cst.SetComp, e)

    def e_genexp(self, e: Any) -> Any:
        return self._comp(cst.GeneratorExp, e)

    def e_dictcomp(self, e: Any) -> Any:
        key = self.expr(e.key)
        value = self.expr(e.value)
        return N.DictComp(key=key, value=value, for_in=self._for_in(e.generators))

    def e_subscript(self, e: Any) -> Any:
        value = self.expr(e.value)
        s = e.slice
        if type(s) is ast.Tuple and not self._segment(s).startswith("("):
            elems = [self._subscript_element(x) for x in s.elts]
        else:
            elems = [self._subscript_element(s)]
        return N.Subscript(value=value, slice=elems)

    def _subscript_element(self, s: Any) -> Any:
        if type(s) is ast.Slice:
            inner = N.Slice(lower=self.expr(s.lower), upper=self.expr(s.upper), step=self.expr(s.step))
        elif type(s) is ast.Starred:
            inner = N.Index(value=self.expr(s.value), star="*")
        else:
            inner = N.Index(value=self.expr(s))
        return N.SubscriptElement(slice=inner)

    def e_starred(self, e: Any) -> Any:
        return N.StarredElement(value=self.expr(e.value))

    def e_await(self, e: Any) -> Any:
        return N.Await(expression=self.expr(e.value))

    def e_yield(self, e: Any) -> Any:
        return N.Yield(value=self.expr(e.value))

    def e_yieldfrom(self, e: Any) -> Any:
        return N.Yield(value=N.From(item=self.expr(e.value)))

    def e_named(self, e: Any) -> Any:
        return N.NamedExpr(target=self.expr(e.target), value=self.expr(e.value))


_EXPR = {
    ast.Name: Expressions.e_name, ast.Attribute: Expressions.e_attribute, ast.Call: Expressions.e_call,
    ast.Constant: Expressions.e_constant, ast.JoinedStr: Expressions.e_joined, ast.BinOp: Expressions.e_binop,
    ast.BoolOp: Expressions.e_boolop, ast.UnaryOp: Expressions.e_unary, ast.Compare: Expressions.e_compare,
    ast.IfExp: Expressions.e_ifexp, ast.Lambda: Expressions.e_lambda, ast.Tuple: Expressions.e_tuple,
    ast.List: Expressions.e_list, ast.Set: Expressions.e_set, ast.Dict: Expressions.e_dict,
    ast.ListComp: Expressions.e_listcomp, ast.SetComp: Expressions.e_setcomp, ast.GeneratorExp: Expressions.e_genexp,
    ast.DictComp: Expressions.e_dictcomp, ast.Subscript: Expressions.e_subscript, ast.Starred: Expressions.e_starred,
    ast.Await: Expressions.e_await, ast.Yield: Expressions.e_yield, ast.YieldFrom: Expressions.e_yieldfrom,
    ast.NamedExpr: Expressions.e_named,
}
