"""The expression walk: loads, calls (typing constructs, dynamic namespace access, string
references), comprehensions and lambdas, strings that hold types, and annotations.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, List, Optional, Union

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

from importguard.extract.fromast import parse_expression
from importguard.extract.scopes import Scope
from importguard.extract.state import WalkState
from importguard.extract.syntax import _DOTTED, _fields, _plain_string, dotted
from importguard.extract.type_syntax import _TYPE_ARGS, _TYPE_VARS, _ast_loads, _is_type_construct, _literal_text
from importguard.model import RUNTIME, TYPING, Use

if TYPE_CHECKING:
    from importguard.extract.syntax import Dispatched


class Expressions(WalkState):
    def expr(self, node: Dispatched) -> None:
        stack = [node]
        handlers = self.EXPR_HANDLERS
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
                        self.attributes.add(base.attr.value)
                        base = base.value
                    self.load(base.value, base, d)
                    continue
                self.attributes.add(n.attr.value)
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
        with self.scoped(type_expr=False):  # the arguments of a call are ordinary values, unless said below
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
            elif name.endswith(("mark.skipif", "mark.xfail")):
                # pytest evaluates a string condition in the test module's globals
                for i, arg in enumerate(args):
                    kw = arg.keyword.value if arg.keyword is not None else None
                    if (kw is None and not arg.star and (i == 0 or short == "skipif")) or kw == "condition":
                        if type(arg.value) in (cst.Name, cst.Attribute) and self.main_pass:
                            # may name a string: its names are read without being named here
                            self.dynamic.append(f"a condition of `{name}` given by name, which pytest runs "
                                                f"as code when it is a string (line {self._first_line(node)})")
                        else:
                            self._eval_literal("eval", arg.value)
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

    def _fields_of(self, v: Dispatched) -> None:
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
        with self.scoped(type_expr=True, in_literal=False):
            self.expr(node)

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
                s = s.parent  # type: ignore[assignment]  # a comprehension's scope always has a parent
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



    # ------------------------------------------------------------------ annotations
    def annotation(self, node: cst.CSTNode, kind: str, owner: str) -> None:
        with self.scoped(kind=kind, owner=owner):
            self.expr(node)

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
        head = (dotted(node.value) or "").rsplit(".", 1)[-1]
        for i, el in enumerate(node.slice):
            # ``Literal[...]`` holds values; so does the metadata of ``Annotated[T, ...]``, unless
            # a type construct inside says otherwise
            literal = head == "Literal" or (head == "Annotated" and i > 0)
            with self.scoped(type_expr=True, in_literal=literal):
                self.expr(el.slice)

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
        text: Union[str, bytes]
        if type(node) is cst.ConcatenatedString:
            parts: List[Any] = []  # the literals, checked below to be plain strings
            n: cst.BaseExpression = node
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
            parsed = parse_expression(text.strip())
        except Exception:
            return
        pos = self.str_pos if self.str_pos is not None else self.start.get(id(node), (0, 0))
        with self.scoped(kind=TYPING, str_pos=pos):
            self.expr(parsed)
