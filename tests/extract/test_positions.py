"""The positions pass against the plain hook-based pass it replaced (kept here as the oracle):
identical starts, ends, comments and declared names, and identical facts, on edge-case sources
and on generated files; and LibCST's own code generation untouched outside the pass."""
from __future__ import annotations

import inspect
import random
import sys
from typing import Optional

import libcst as cst
import pytest
from libcst._nodes import base
from libcst._nodes.internal import CodegenState
from libcst.metadata import MetadataWrapper, PositionProvider

from importguard.extract import extract, parse_unvalidated
from importguard.extract.positions import _END, _START, positions


class _OracleState(CodegenState):
    """The straightforward pass: LibCST's generic code generation with before/after hooks."""

    __slots__ = ("line", "col", "start", "end", "comments", "own_line", "declared")
    line: int
    col: int
    start: dict
    end: dict
    comments: list
    own_line: int
    declared: Optional[set]

    def add_token(self, value):
        n = value.count("\n")
        if n:
            self.line += n
            self.col = len(value) - value.rfind("\n") - 1
        else:
            self.col += len(value)

    def add_indent_tokens(self):
        for tok in self.indent_tokens:
            self.col += len(tok)

    def before_codegen(self, node):
        t = type(node)
        if t in _START:
            self.start[id(node)] = (self.line, self.col)
        elif t is cst.Comment:
            self.comments.append((self.line, node.value, self.own_line == self.line))
            self.start[id(node)] = (self.line, self.col)
        elif t is cst.EmptyLine:
            self.own_line = self.line
        elif (t is cst.Global or t is cst.Nonlocal) and self.declared is not None:
            self.declared.update(n.name.value for n in node.names)

    def after_codegen(self, node):
        if type(node) in _END:
            self.end[id(node)] = self.line - 1 if self.col == 0 else self.line


def oracle(module, declared=None):
    state = _OracleState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.line, state.col, state.start, state.end, state.comments = 1, 0, {}, {}, []
    state.own_line, state.declared = 0, declared
    module._codegen(state)
    return state.start, state.end, state.comments


EDGE_CASES = [
    "",
    "\n\n\n",
    "# only a comment",
    "# one\n# two\n\n   # indented, alone\n",
    "import os",  # no newline at the end
    "import os, sys as system  # noqa: IG100\nfrom a.b import (c,  # why\n    d as e,\n)\n",
    "from . import x\nfrom ..pkg.mod import *\nimport a.b.c\n",
    "x = 1; import os; y = os  # trailing\n",
    "if True:\n\timport os\n\tif os:\n\t\tpass  # tab\nelse:\n\tpass\n",
    "if a:\n    pass\nelif b:\n    pass\nelse:\n    x = 1\n",
    "x = 1 + \\\n    2\nimport \\\n    os\n",
    "s = ('a' 'b'\n     \"c\")\nt = 'x' f'{y}' r'\\d'\n",
    "f'{a!r:>{width}} {b=} {c[\"k\"]:{d}}' + f\"{ {1: e}[1] }\"\n",
    "f'''\n{x}\n''' ; g = '''\nmulti\nline'''\n",
    "@decorator\n@other.attr(arg, kw=1)  # deco\ndef f(a, /, b=2, *args, c: int = 3, **kw) -> None:\n    return a\n",
    "class A(B, metaclass=M):\n    class C:\n        def m(self):\n            def inner():\n"
    "                nonlocal q\n                global g\n                return (yield)\n",
    "def f():\n    global a, b\n    a = 1\n\n\n# between\ndef g():\n    x = 1\n    def h():\n        nonlocal x\n",
    "\u00e9t\u00e9 = 1\nprint(\u00e9t\u00e9)  # \u00e9\n\u540d\u524d = '\u5024'; \u540d\u524d\n",
    "x = 1\r\nif x:\r\n    import os  # crlf\r\n\r\n# c\r\n",
    "try:\n    import a\nexcept ImportError as e:\n    a = None\nelse:\n    pass\nfinally:\n    pass\n",
    "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "async def f():\n    async with a as b, c:\n        await b\n    async for i in b:\n        pass\n",
    "while x:\n    break\nelse:\n    pass\nfor i in range(3): print(i)\nwith open(p) as fh: pass\n",
    "match cmd:\n    case [x, *rest] if x:\n        pass\n    case {'k': v, **kw}:\n        pass\n"
    "    case Point(x=0) | None:\n        pass\n    case _:\n        match = 1\n",
    "type Alias = list[int]\ndef f[T: int, *Ts, **P](x: T) -> T: ...\nclass C[T]: pass\n",
    "x = (a).b\ny = ((f))(((1)))\nz = (\n    a  # inside\n    + b\n)\n",
    "lambda x, *y: (x, y)\n[i for i in j if i]\n{k: v for k, v in d}\n{s for s in t}\n(g for g in h)\n",
    "a[1:2, ::3, ...]\nb[c](d)[e]\n(n := 10)\nprint(*args, **kwargs, sep='')\n",
    "if TYPE_CHECKING:\n    from typing import List  # type: ignore\nx = []  # type: List[int]\n",
    "def f(a,  # type: int\n      b):\n    # type: (...) -> None\n    pass\n",
    "x = 1\n\x0c\ndef f(): pass\n",
    "class A: x = 1; y = 2\nif a: b = 1\nelse: b = 2\n",
    "lazy import os\nlazy from a import b\n",
    "del a, (b), [c]\nassert x, 'msg'\nraise E from None\nreturn_ = not x\n",
    "x: int = 1\ny: 'List[int]'\nz += 1\n",
    "@property\n\n# comment between decorator and def\ndef p(self): pass\n",
    "def f():\n    pass\n    # trailing comment in body\n\n# dedented comment\n",
    "if x:\n    pass\n        # overindented comment\n",
]


def _check(source: str) -> None:
    data = source.encode("utf-8")
    module = parse_unvalidated(data)
    want_declared: set = set()
    got_declared: set = set()
    want = oracle(module, want_declared)
    got = positions(module, got_declared)
    assert got == want
    assert got_declared == want_declared


@pytest.mark.parametrize("source", EDGE_CASES)
def test_positions_match_the_plain_pass(source):
    _check(source)


@pytest.mark.parametrize("source", EDGE_CASES)
def test_positions_match_with_crlf_and_tabs(source):
    _check(source.replace("\r\n", "\n").replace("\n", "\r\n"))
    _check(source.replace("    ", "\t"))


def test_facts_match_the_plain_pass(monkeypatch):
    import importguard.extract as extract_module

    monkeypatch.setattr(extract_module, "LIBCST_ONLY", True)  # the pass over LibCST's tree, not ``fromast``
    sources = EDGE_CASES + _generated(40, seed=7)
    new = [extract(s.encode("utf-8")) for s in sources]
    import importguard.extract.positions as positions_module

    monkeypatch.setattr(positions_module, "positions", oracle)
    old = [extract(s.encode("utf-8")) for s in sources]
    assert [f.error for f in new if f.error] == []
    assert new == old


_SNIPPETS = [
    "import {a}", "from {a} import {b} as {c}", "{a} = {b}.{c}({a}, k={b})  # {c}", "# {a}: noqa",
    "{a}: '{b}' = '{c}' \\\n    '{a}'", "if {a}:\n    {b} = f'{{{c}!r}}'\nelse:\n    pass",
    "def {a}({b}, *{c}):\n    global {a}\n    return ({b})", "class {a}({b}):\n    {c} = 1; {a} = 2",
    "@{a}\ndef {b}(): pass", "try:\n    import {a}\nexcept ImportError:\n    {a} = None",
    "", "{a}[{b}:{c}] = (\n    {a},  # {b}\n)",
]
_NAMES = ["os", "x", "\u00e9t\u00e9", "typing", "\u540d", "long_name_here", "_", "match", "case", "type"]


def _generated(n: int, seed: int) -> list:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        lines = []
        for _ in range(rnd.randint(1, 12)):
            text = rnd.choice(_SNIPPETS).format(a=rnd.choice(_NAMES), b=rnd.choice(_NAMES), c=rnd.choice(_NAMES))
            lines.append(text)
        source = "\n".join(lines) + rnd.choice(["", "\n", "\n\n# end\n"])
        out.append(source.replace("\n", "\r\n") if rnd.random() < 0.3 else source)
    return out


@pytest.mark.parametrize("source", _generated(150, seed=1))
def test_positions_match_on_generated_files(source):
    _check(source)


def test_libcst_code_generation_is_its_own_again_after_a_pass():
    original = base.CSTNode._codegen
    module = parse_unvalidated(b"@deco\ndef f(a=(1)):  # c\n    return (a).b\n")
    positions(module)
    assert base.CSTNode._codegen is original


def test_libcst_code_generation_is_its_own_again_after_a_pass_that_failed():
    """A file nested too deeply for the recursion limit: ``extract`` walks it again with a larger
    stack, and LibCST's own code generation must be back in between."""
    original = base.CSTNode._codegen
    deep = parse_unvalidated(("x = a" + " + a" * 300 + "\n").encode())
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 200)
    try:
        with pytest.raises(RecursionError):
            positions(deep)
    finally:
        sys.setrecursionlimit(limit)
    assert base.CSTNode._codegen is original
    assert positions(deep) == oracle(deep)


def test_other_code_generation_during_a_pass_is_unchanged(monkeypatch):
    """A code generation that is not this pass (``module.code``, LibCST's metadata positions, as
    another thread may run them) while the pass's replacements are installed gives what LibCST
    alone gives."""
    from importguard.extract import positions as positions_module

    source = "f'''\n{x}\n''' ; g = '''\nmulti'''\nx = (a).b\ny = ((f))(((1)))  # c\n"
    module = parse_unvalidated(source.encode())
    plain = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    original = base.CSTNode._codegen
    real = positions_module._FAST[cst.Name]
    seen: list = []

    def spy_name(node, state, kw):
        if not seen:  # the pass's first name: generate code the ordinary way meanwhile
            seen.append(base.CSTNode._codegen is not original)
            seen.append(module.code)
            seen.append(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))
        real(node, state, kw)

    monkeypatch.setitem(positions_module._FAST, cst.Name, spy_name)
    got = positions(module)
    assert seen[0]  # the replacement was installed while the other generation ran
    assert seen[1] == source
    assert seen[2] == plain
    assert got == oracle(module)
