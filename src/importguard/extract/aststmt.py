"""``fromast``'s statements: blocks and the lines LibCST gives them (leading comment lines, the
footer of an indented block), compound statements, imports and the other simple statements."""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

from importguard.extract.astnodes import BuildState, N, Unsupported, _set, mk, op

_AUGOP = {ast.Add: cst.AddAssign, ast.Sub: cst.SubtractAssign, ast.Mult: cst.MultiplyAssign,
          ast.Div: cst.DivideAssign, ast.FloorDiv: cst.FloorDivideAssign, ast.Mod: cst.ModuloAssign,
          ast.Pow: cst.PowerAssign, ast.LShift: cst.LeftShiftAssign, ast.RShift: cst.RightShiftAssign,
          ast.BitOr: cst.BitOrAssign, ast.BitXor: cst.BitXorAssign, ast.BitAnd: cst.BitAndAssign,
          ast.MatMult: cst.MatrixMultiplyAssign}
_FROM = re.compile(r"from[ \t]+[. \t]*")
_DEF = re.compile(r"(?:async[ \t]+)?def[ \t]+|class[ \t]+")
_POSITIONED = (cst.If, cst.FunctionDef, cst.ClassDef)  # the compound statements LibCST's pass positions
_COMPOUND = (ast.If, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.AsyncFor, ast.While,
             ast.With, ast.AsyncWith, ast.Try) + tuple(
    getattr(ast, n) for n in ("TryStar", "Match") if hasattr(ast, n))


class Statements(BuildState):

    if TYPE_CHECKING:
        def expr(self, e: Optional[Any]) -> Any: ...
        def target(self, e: Any) -> Any: ...
        def parameters(self, a: Any) -> Any: ...
        def _keyword(self, k: Any) -> Any: ...

    def block(self, stmts: List[Any], header_line: int, top: bool = False) -> list:
        """Statements of one block, small ones on a line joined by ``;`` into one
        ``SimpleStatementLine``; ``header_line``: the line before the first statement's leading
        lines (the module has none: its header takes them)."""
        out: list = []
        prev_end = header_line
        i = 0
        n = len(stmts)
        while i < n:
            s = stmts[i]
            if isinstance(s, _COMPOUND):
                node, first, last = self.compound(s)
                lead = 0 if (top and not out) else max(0, first - prev_end - 1)
                if lead:
                    _set(node, "leading_lines", (None,) * lead)
                if type(node) in _POSITIONED:  # LibCST's pass positions these compound statements only
                    self.start[id(node)] = (first - lead, 0)
                self.end[id(node)] = last
                out.append(node)
                prev_end = last
                i += 1
                continue
            small = [s]
            while i + 1 < n and not isinstance(stmts[i + 1], _COMPOUND) and self._semicolon_after(small[-1]):
                i += 1
                small.append(stmts[i])
            i += 1
            line = N.SimpleStatementLine(body=[self.small(x) for x in small])
            last = small[-1].end_lineno
            self.end[id(line)] = last
            out.append(line)
            prev_end = last
        return out

    def _semicolon_after(self, s: Any) -> bool:
        line = s.end_lineno
        rest = self.lines[line - 1][self.col(line, s.end_col_offset):]
        return rest.lstrip(" \t").startswith(";")

    def suite(self, stmts: List[Any]) -> Tuple[Any, int]:
        """The body of a compound statement, and its last line (an indented block's footer
        included)."""
        first = stmts[0]
        header_line = self._def_header_line(stmts)
        if first.lineno == header_line and not isinstance(first, _COMPOUND):
            small = [self.small(x) for x in stmts]
            return N.SimpleStatementSuite(body=small), stmts[-1].end_lineno
        body = self.block(stmts, header_line)
        indent_line = self.lines[first.lineno - 1]
        indent = indent_line[: len(indent_line) - len(indent_line.lstrip(" \t"))]
        last = self._footer(self.end[id(body[-1])], indent)
        return N.IndentedBlock(body=body), last

    def _footer(self, last: int, indent: str) -> int:
        """The last line of an indented block: after its last statement, the run of blank and
        comment lines up to the last one that starts with the block's indentation."""
        lines = self.lines
        end = last
        for i in range(last, len(lines)):  # (index ``last``: the line after line ``last``)
            s = lines[i]
            stripped = s.strip(" \t")
            if stripped and not stripped.startswith("#"):
                break
            if s.startswith(indent):  # (after the last line break, "": never indented)
                end = i + 1
        return end

    def compound(self, s: Any) -> Tuple[Any, int, int]:
        """(node, first line (decorators included), last line)."""
        t = type(s)
        if t is ast.If:
            node, last = self._if(s)
            return node, s.lineno, last
        if t in (ast.FunctionDef, ast.AsyncFunctionDef):
            return self._function(s)
        if t is ast.ClassDef:
            return self._class(s)
        if t in (ast.For, ast.AsyncFor):
            body, last = self.suite(s.body)
            orelse, last = self._else(s.orelse, last)
            node = N.For(target=self.expr(s.target), iter=self.expr(s.iter), body=body, orelse=orelse,
                      asynchronous=N.Asynchronous() if t is ast.AsyncFor else None)
            self.end[id(node)] = last
            return node, s.lineno, last
        if t is ast.While:
            body, last = self.suite(s.body)
            orelse, last = self._else(s.orelse, last)
            node = N.While(test=self.expr(s.test), body=body, orelse=orelse)
            return node, s.lineno, last
        if t in (ast.With, ast.AsyncWith):
            items = s.items
            last_item = items[-1].optional_vars or items[-1].context_expr
            hl = last_item.end_lineno
            if self.lines[hl - 1][self.col(hl, last_item.end_col_offset):].lstrip(" \t").startswith(")"):
                raise Unsupported("parenthesized with")
            witems = []
            for it in items:
                asname = N.AsName(name=self.target(it.optional_vars)) if it.optional_vars is not None else None
                witems.append(N.WithItem(item=self.expr(it.context_expr), asname=asname))
            body, last = self.suite(s.body)
            node = N.With(items=witems, body=body,
                      asynchronous=N.Asynchronous() if t is ast.AsyncWith else None)
            return node, s.lineno, last
        if t is ast.Try or t.__name__ == "TryStar":
            return self._try(s)
        if t.__name__ == "Match":
            return self._match(s)
        raise Unsupported(t.__name__)

    def _else(self, orelse: List[Any], last: int) -> Tuple[Any, int]:
        if not orelse:
            return None, last
        body, end = self.suite(orelse)
        node = N.Else(body=body)
        self.end[id(node)] = end
        return node, end

    def _if(self, s: Any) -> Tuple[Any, int]:
        body, last = self.suite(s.body)
        orelse = None
        if s.orelse:
            nxt = s.orelse[0]
            after = self.lines[nxt.lineno - 1] if type(nxt) is ast.If else ""
            if type(nxt) is ast.If and len(s.orelse) == 1 and after.lstrip(" \t").startswith("elif") \
                    and self.col(nxt.lineno, nxt.col_offset) == len(after) - len(after.lstrip(" \t")):
                orelse, end = self._if(nxt)
                self.start[id(orelse)] = (last + 1, 0)
                self.end[id(orelse)] = end
                last = end
            else:
                orelse, last = self._else(s.orelse, last)
        node = N.If(test=self.expr(s.test), body=body, orelse=orelse)
        self.end[id(node)] = last
        return node, last

    def _try(self, s: Any) -> Tuple[Any, int, int]:
        star = type(s).__name__ == "TryStar"
        body, last = self.suite(s.body)
        handlers = []
        for h in s.handlers:
            hbody, last = self.suite(h.body)
            name = None
            if h.name is not None:
                name = N.AsName(name=self._name_at(h.name, h.type.end_lineno if h.type is not None else h.lineno))
            handlers.append(mk(cst.ExceptStarHandler if star else cst.ExceptHandler, body=hbody,
                               type=self.expr(h.type) if h.type is not None else None, name=name))
        orelse, last = self._else(s.orelse, last)
        final = None
        if s.finalbody:
            fbody, last = self.suite(s.finalbody)
            final = N.Finally(body=fbody)
        node = mk(cst.TryStar if star else cst.Try, body=body, handlers=handlers, orelse=orelse, finalbody=final)
        return node, s.lineno, last

    def _match(self, s: Any) -> Tuple[Any, int, int]:
        subject = self.expr(s.subject)
        if any(x[0] is subject for x in self.maybe_paren):
            raise Unsupported("match subject")  # (``match (x):`` would look like a call here)
        cases = []
        last = s.lineno
        for c in s.cases:
            pattern = self.pattern(c.pattern)
            guard = self.expr(c.guard) if c.guard is not None else None
            body, last = self.suite(c.body)
            cases.append(N.MatchCase(pattern=pattern, body=body, guard=guard))
        first = s.cases[0].pattern
        text = self.lines[first.lineno - 1]
        last = self._footer(last, text[: len(text) - len(text.lstrip(" "))])
        return N.Match(subject=subject, cases=cases), s.lineno, last

    def pattern(self, p: Any) -> Any:
        t = type(p).__name__
        if t == "MatchValue":
            return N.MatchValue(value=self.expr(p.value))
        if t == "MatchSingleton":
            return N.MatchSingleton(value=N.Name(value=str(p.value)))
        if t == "MatchSequence":
            elems = [N.MatchStar(name=self._end_name(x.name, x) if x.name else None)
                     if type(x).__name__ == "MatchStar" else N.MatchSequenceElement(value=self.pattern(x))
                     for x in p.patterns]
            opening = self.text[self.offset(p.lineno, p.col_offset)]
            return mk(cst.MatchList if opening == "[" else cst.MatchTuple, patterns=elems)
        if t == "MatchMapping":
            elems = [N.MatchMappingElement(key=self.expr(k), pattern=self.pattern(v))
                     for k, v in zip(p.keys, p.patterns)]
            rest = N.Name(value=p.rest) if p.rest else None
            return N.MatchMapping(elements=elems, rest=rest)
        if t == "MatchClass":
            pats = [N.MatchSequenceElement(value=self.pattern(x)) for x in p.patterns]
            kwds = [N.MatchKeywordElement(key=N.Name(value=k), pattern=self.pattern(v))
                    for k, v in zip(p.kwd_attrs, p.kwd_patterns)]
            return N.MatchClass(cls=self.expr(p.cls), patterns=pats, kwds=kwds)
        if t == "MatchStar":
            return N.MatchStar(name=self._end_name(p.name, p) if p.name else None)
        if t == "MatchAs":
            inner = self.pattern(p.pattern) if p.pattern is not None else None
            return N.MatchAs(pattern=inner, name=self._end_name(p.name, p) if p.name else None)
        if t == "MatchOr":
            return N.MatchOr(patterns=[N.MatchOrElement(pattern=self.pattern(x)) for x in p.patterns])
        raise Unsupported(t)

    def _end_name(self, name: str, p: Any) -> Any:
        """The name that ends the pattern ``p`` (``case [*rest]``, ``case x``, ``case A() as y``)."""
        line = p.end_lineno
        c = self.col(line, p.end_col_offset) - len(name)
        if not self.lines[line - 1].startswith(name, c):
            raise Unsupported("pattern name")
        node = N.Name(value=name)
        self.start[id(node)] = (line, c)
        return node

    def _name_at(self, name: str, line: int) -> Any:
        s = self.lines[line - 1]
        m = re.search(r"\bas[ \t]+(%s)\b" % re.escape(name), s)
        if m is None:
            raise Unsupported("name")
        node = N.Name(value=name)
        self.start[id(node)] = (line, m.start(1))
        return node

    def _decorators(self, s: Any) -> list:
        out = []
        for d in s.decorator_list:
            out.append(N.Decorator(decorator=self.expr(d)))
        return out

    def _def_name(self, s: Any) -> Any:
        line = s.lineno
        c = self.col(line, s.col_offset)
        m = _DEF.match(self.lines[line - 1], c)
        if m is None:
            raise Unsupported("def")
        node = N.Name(value=s.name)
        if not self.lines[line - 1].startswith(s.name, m.end()):
            raise Unsupported("def name")
        self.start[id(node)] = (line, m.end())
        return node

    def _first_line(self, s: Any) -> int:
        if s.decorator_list:
            return s.decorator_list[0].lineno
        return s.lineno

    def _function(self, s: Any) -> Tuple[Any, int, int]:
        decorators = self._decorators(s)
        name = self._def_name(s)
        tparams = self._type_params(s)
        params = self.parameters(s.args)
        returns = N.Annotation(annotation=self.expr(s.returns)) if s.returns is not None else None
        body, last = self.suite(s.body)
        node = N.FunctionDef(name=name, params=params, body=body, decorators=decorators, returns=returns,
                  asynchronous=N.Asynchronous() if type(s) is ast.AsyncFunctionDef else None,
                  type_parameters=tparams)
        return node, self._first_line(s), last

    def _def_header_line(self, body: List[Any]) -> int:
        """The line of a header's colon: the body's first line when the body is on it, else the
        last line of code above the body (its comment and blank lines are the body's)."""
        first = body[0]
        line = first.lineno
        # the body starts on the header line (``def f(): pass``), or the header ends on a line
        # above; search upwards for the line whose code (outside comments) ends with ``:``
        text = self.lines[line - 1]
        c = self.col(line, first.col_offset)
        if text[:c].strip(" \t"):
            return line
        i = line - 1
        while i >= 1:
            s2 = self.lines[i - 1].strip(" \t")
            if s2 and not s2.startswith("#"):
                return i
            i -= 1
        raise Unsupported("def header")

    def _class(self, s: Any) -> Tuple[Any, int, int]:
        decorators = self._decorators(s)
        name = self._def_name(s)
        tparams = self._type_params(s)
        bases = [N.Arg(value=self.expr(b)) for b in s.bases]
        keywords = [self._keyword(k) for k in s.keywords]
        if any(type(b) is ast.Starred for b in s.bases):
            raise Unsupported("class star")
        body, last = self.suite(s.body)
        node = N.ClassDef(name=name, body=body, bases=bases, keywords=keywords, decorators=decorators,
                  type_parameters=tparams)
        return node, self._first_line(s), last

    def _type_params(self, s: Any) -> Any:
        if getattr(s, "type_params", None):
            raise Unsupported("type params")
        return None

    def small(self, s: Any) -> Any:
        t = type(s)
        if getattr(s, "type_comment", None):
            raise Unsupported("type comment")
        if t is ast.Expr:
            return N.Expr(value=self.expr(s.value))
        if t is ast.Assign:
            targets = [N.AssignTarget(target=self.target(x)) for x in s.targets]
            return N.Assign(targets=targets, value=self.expr(s.value))
        if t is ast.Import or t is ast.ImportFrom:
            return self._import(s)
        if t is ast.Return:
            return N.Return(value=self.expr(s.value) if s.value is not None else None)
        if t is ast.AnnAssign:
            return N.AnnAssign(target=self.target(s.target),
                      annotation=N.Annotation(annotation=self.expr(s.annotation)),
                      value=self.expr(s.value) if s.value is not None else None)
        if t is ast.AugAssign:
            return N.AugAssign(target=self.target(s.target), operator=op(_AUGOP[type(s.op)]),
                      value=self.expr(s.value))
        if t is ast.Pass:
            return N.Pass()
        if t is ast.Raise:
            cause = N.From(item=self.expr(s.cause)) if s.cause is not None else None
            return N.Raise(exc=self.expr(s.exc) if s.exc is not None else None, cause=cause)
        if t is ast.Break:
            return N.Break()
        if t is ast.Continue:
            return N.Continue()
        if t is ast.Delete:
            targets = s.targets
            if len(targets) == 1:
                return N.Del(target=self.target(targets[0]))
            return N.Del(target=N.Tuple(elements=[N.Element(value=self.target(x)) for x in targets]))
        if t is ast.Assert:
            return N.Assert(test=self.expr(s.test), msg=self.expr(s.msg) if s.msg is not None else None)
        if t is ast.Global or t is ast.Nonlocal:
            self.declared.update(s.names)
            return mk(cst.Global if t is ast.Global else cst.Nonlocal, names=self._declared_names(s))
        raise Unsupported(t.__name__)

    def _declared_names(self, s: Any) -> list:
        """The names of ``global a, b``, positioned (all on the statement's line)."""
        text = self.lines[s.lineno - 1]
        c = self.col(s.lineno, s.col_offset) + (6 if type(s) is ast.Global else 8)
        out = []
        for n in s.names:
            m = re.compile(r"[ \t,]*(%s)\b" % re.escape(n)).match(text, c)
            if m is None:
                raise Unsupported("global")
            name = N.Name(value=n)
            self.start[id(name)] = (s.lineno, m.start(1))
            c = m.end()
            out.append(N.NameItem(name=name))
        return out

    def _import(self, s: Any) -> Any:
        names = []
        line = s.lineno
        for a in s.names:
            if a.name == "*":
                node = N.ImportFrom(module=self._from_module(s),
                          names=N.ImportStar(), relative=[N.Dot()] * s.level)
                self._stmt_pos(node, s)
                return node
            alias = N.ImportAlias(name=self._dotted_at(a.name, a),
                       asname=N.AsName(name=self._asname(a)) if a.asname else None)
            self.start[id(alias)] = (a.lineno, self.col(a.lineno, a.col_offset))
            names.append(alias)
        if type(s) is ast.Import:
            node = N.Import(names=names)
        else:
            node = N.ImportFrom(module=self._from_module(s), names=names,
                      relative=[N.Dot()] * s.level)
        del line
        self._stmt_pos(node, s)
        return node

    def _stmt_pos(self, node: Any, s: Any) -> None:
        self.start[id(node)] = (s.lineno, self.col(s.lineno, s.col_offset))
        self.end[id(node)] = s.end_lineno

    def _asname(self, a: Any) -> Any:
        line = a.end_lineno
        c = self.col(line, a.end_col_offset) - len(a.asname)
        node = N.Name(value=a.asname)
        if self.lines[line - 1][c:c + len(a.asname)] != a.asname:
            raise Unsupported("asname")
        self.start[id(node)] = (line, c)
        return node

    def _from_module(self, s: Any) -> Any:
        if not s.module:
            return None
        line = s.lineno
        m = _FROM.match(self.lines[line - 1], self.col(line, s.col_offset))
        if m is None:
            raise Unsupported("from")
        return self._dotted(s.module, line, m.end())

    def _dotted_at(self, dotted: str, a: Any) -> Any:
        return self._dotted(dotted, a.lineno, self.col(a.lineno, a.col_offset))

    def _dotted(self, dotted: str, line: int, c: int) -> Any:
        """``a.b.c`` at (line, column) as LibCST's Attribute chain of positioned names."""
        if not self.lines[line - 1].startswith(dotted, c):
            raise Unsupported("dotted import")  # spaces or a line break inside the name
        node: Any = None
        for p in dotted.split("."):
            name = N.Name(value=p)
            self.start[id(name)] = (line, c)
            c += len(p) + 1
            node = name if node is None else N.Attribute(value=node, attr=name)
        return node

    # ------------------------------------------------------------------ expressions
