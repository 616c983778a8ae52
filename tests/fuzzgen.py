"""Generators of Python programs for fuzzing importguard (tests/robustness/test_fuzz.py, benchmarks/fuzz.py).

``program()`` builds a small package whose modules import standard-library names and use them in
every way Python's scoping allows (module, class and function scopes, closures, comprehensions,
lambdas, annotations evaluated or not, string annotations, TYPE_CHECKING, ImportError guards,
rebinding, ``global``, ``__all__``, relative imports). Every use is *executed*: the module records
``type(name).__name__`` of what each use sees in ``_seen`` and prints it, so running the package
before and after a fix shows whether the fix changed behaviour (a NameError, a different object).

``mutate()`` damages a valid source (bytes inserted, deleted, swapped) for crash fuzzing.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

from hypothesis import strategies as st

# (statement, names it binds): standard library only, cheap to import
IMPORTS: List[Tuple[str, Tuple[str, ...]]] = [
    ("import os", ("os",)),
    ("import os.path", ("os",)),
    ("import sys", ("sys",)),
    ("import json as js", ("js",)),
    ("import collections.abc", ("collections",)),
    ("import math, itertools", ("math", "itertools")),
    ("from decimal import Decimal", ("Decimal",)),
    ("from decimal import Decimal as D", ("D",)),
    ("from fractions import Fraction", ("Fraction",)),
    ("from collections import OrderedDict, deque", ("OrderedDict", "deque")),
    ("from collections import (\n    Counter,  # counts\n    ChainMap,\n)", ("Counter", "ChainMap")),
    ("from math import pi as PI", ("PI",)),
    ("from itertools import chain", ("chain",)),
    ("from typing import Optional", ("Optional",)),
    ("from . import helper", ("helper",)),
    ("from .helper import VALUE", ("VALUE",)),
    ("from .helper import Base", ("Base",)),
]

# {n}: a bound name, {i}: a unique number. Each template records what it sees at run time.
USES: List[str] = [
    "_seen.append(type({n}).__name__)",
    "def f_{i}():\n    _seen.append(type({n}).__name__)\n_calls.append(f_{i})",
    "def g_{i}(a: {n} = None) -> {n}:\n    _seen.append('g_{i}')\n_calls.append(g_{i})",
    "def s_{i}(a: '{n}' = None):\n    v: {n} = None\n    _seen.append('s_{i}')\n_calls.append(s_{i})",
    "h_{i}: '{n}' = None",
    "k_{i}: {n} = None",
    "class C_{i}:\n    attr: {n} = None\n    kind = type({n}).__name__\n_seen.append(C_{i}.kind)",
    "class M_{i}:\n    {n} = 1\n    def m(self):\n        return type({n}).__name__\n_seen.append(M_{i}().m())",
    "_seen.extend(type({n}).__name__ for _ in range(1))",
    "_seen.append([type({n}).__name__ for _ in range(1)][0])",
    "l_{i} = lambda: type({n}).__name__\n_calls.append(lambda: _seen.append(l_{i}()))",
    "def o_{i}():\n    def inner():\n        return type({n}).__name__\n    _seen.append(inner())\n"
    "_calls.append(o_{i})",
    "def r_{i}():\n    {n} = 0\n    _seen.append(type({n}).__name__)\n_calls.append(r_{i})",
    "def gl_{i}():\n    global {n}\n    _seen.append(type({n}).__name__)\n_calls.append(gl_{i})",
    "{n} = None",
    "__all__ = ['{n}']",
    "_seen.append(isinstance(0, type({n})))",
    "if type({n}):\n    _seen.append('if_{i}')",
    "try:\n    _seen.append(type({n}).__name__)\nexcept NameError:\n    _seen.append('nameerror')",
    "def d_{i}(x={n}):\n    _seen.append(type(x).__name__)\n_calls.append(d_{i})",
    "cast_{i} = __import__('typing').cast('{n}', 0)",
    "def t_{i}():\n    import typing\n    typing.cast('{n}', 0)\n    _seen.append('t_{i}')\n_calls.append(t_{i})",
]

WRAPS = ["plain", "plain", "plain", "tc", "guard", "func", "class", "if"]

HELPER = "VALUE = 1\n\n\nclass Base:\n    pass\n"


def _indent(text: str) -> str:
    return "".join(f"    {ln}\n" if ln else "\n" for ln in text.splitlines())


def _wrap(stmt: str, how: str, names: Tuple[str, ...], i: int) -> Tuple[str, Tuple[str, ...]]:
    """The import statement placed somewhere; returns it and the names usable at module level."""
    if how == "tc":
        return "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n" + _indent(stmt), ()
    if how == "guard":
        fallback = "".join(f"    {n} = None\n" for n in names)
        return f"try:\n{_indent(stmt)}except ImportError:\n{fallback}", names
    if how == "func":
        body = _indent(stmt) + "".join(f"    _seen.append(type({n}).__name__)\n" for n in names)
        return f"def imp_{i}():\n{body}_calls.append(imp_{i})", ()
    if how == "class":
        return f"class Holder_{i}:\n{_indent(stmt)}", ()
    if how == "if":
        return f"if len(_seen) >= 0:\n{_indent(stmt)}", names
    return stmt, names


@st.composite
def module(draw, number: int = 0) -> str:
    parts: List[str] = []
    if draw(st.booleans()):
        parts.append('"""Generated module."""')
    future = draw(st.booleans())
    if future:
        parts.append("from __future__ import annotations")
    parts.append("_seen = []\n_calls = []")
    visible: set = set()
    typing_only: set = set()
    chosen = draw(st.lists(st.sampled_from(IMPORTS), min_size=1, max_size=5))
    for k, (stmt, names) in enumerate(chosen):
        how = draw(st.sampled_from(WRAPS))
        text, seen = _wrap(stmt, how, names, k)
        parts.append(text)
        visible.update(seen)
        if how == "tc":
            typing_only.update(names)  # usable where Python does not evaluate it
    tc_only = typing_only - visible
    pool = sorted(visible | typing_only) or ["len"]
    uses = draw(st.lists(st.tuples(st.sampled_from(pool), st.sampled_from(USES)), max_size=8))
    for i, (name, template) in enumerate(uses):
        if name in tc_only and "'{n}'" not in template:
            continue  # a TYPE_CHECKING name is only ever used where Python does not evaluate it
        parts.append(template.format(n=name, i=f"{number}_{i}"))
    parts.append("for _f in _calls:\n    _f()\nprint(__name__, _seen)")
    sep = draw(st.sampled_from(["\n", "\n\n", "\n# a comment\n"]))
    text = sep.join(parts) + "\n"
    return text


@st.composite
def program(draw) -> Dict[str, bytes]:
    """A package: ``pkg/__init__.py``, ``pkg/helper.py`` and one to three generated modules."""
    count = draw(st.integers(1, 3))
    files: Dict[str, bytes] = {"pkg/__init__.py": b"", "pkg/helper.py": HELPER.encode()}
    for k in range(count):
        text = draw(module(k))
        newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
        data = text.replace("\n", newline).encode()
        if draw(st.integers(0, 5)) == 0:
            data = b"\xef\xbb\xbf" + data
        files[f"pkg/m{k}.py"] = data
    return files


@st.composite
def mutate(draw, source: bytes) -> bytes:
    """Damage ``source`` with a few random byte edits."""
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "insert":
            data[pos:pos] = draw(st.sampled_from([b"(", b")", b"[", b":", b"\n", b"    ", b"\t", b"\\", b"'",
                                                   b'"""', b"import ", b"\x00", b"\xff", b"\r", b"#", b"lambda "]))
        elif op == "delete" and data:
            del data[pos:pos + draw(st.integers(1, 8))]
        elif op == "replace" and data:
            data[pos] = draw(st.integers(0, 255))
        elif data:
            end = pos + draw(st.integers(1, 40))
            data[pos:pos] = data[pos:end]
    return bytes(data)
