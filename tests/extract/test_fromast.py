"""The tree built from ``ast`` gives the facts LibCST's parser gives, file for file.

``extract`` reads a file with ``ast`` where it can (``extract.fromast``) and with LibCST's parser
where that cannot be done exactly. LibCST's path is the oracle: every source here goes both ways
and the facts must be equal, position for position.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import pytest
from hypothesis import HealthCheck, given, settings

import importguard.extract as extract_module
from importguard.extract import extract, fromast
from importguard.extract.extractor import Extractor

if TYPE_CHECKING:
    from importguard.model import ModuleFacts

ROOT = Path(__file__).resolve().parents[2]
needs_ast = pytest.mark.skipif(not fromast.AVAILABLE, reason="alias positions come with Python 3.10")


def by_libcst(source: bytes) -> ModuleFacts:
    old = extract_module.LIBCST_ONLY
    extract_module.LIBCST_ONLY = True
    try:
        return extract(source)
    finally:
        extract_module.LIBCST_ONLY = old


def by_ast(source: bytes) -> Optional[ModuleFacts]:
    """The facts from the built tree, or None where the builder leaves the file to LibCST."""
    try:
        built = fromast.build(source)
    except fromast.Unsupported:
        return None
    return Extractor(built[0], built[1:]).run()


def same(source: str) -> ModuleFacts:
    data = textwrap.dedent(source).encode()
    got = by_ast(data)
    assert got is not None, "the builder left this file to LibCST"
    ref = by_libcst(data)
    assert ref.error is None
    for field in ref._fields:
        assert tuple(getattr(got, field)) == tuple(getattr(ref, field)) if field == "events" \
            else getattr(got, field) == getattr(ref, field), field
    return got


CASES = {
    "imports": """
        import os, os.path as p
        from .. import a as b
        from .x.y import (  # why
            z,
            w as v,
        )
        from m import *
    """,
    "leading lines and footers": """
        # header comment

        import a
        # about f

        @a.deco
        # between
        def f(x=a.b):
            return x
            # indented under f

        # not f's
        class C(a.Base, metaclass=a.Meta):
            '''doc'''
            if a:
                pass
                    # deeper
            # at the class body's level

        x = 1
    """,
    "if elif else and try": """
        import typing
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            import json
        elif typing.TYPE_CHECKING:
            pass
        else:
            json = None
        try:
            import yaml
        except (ImportError, OSError) as exc:
            yaml = exc
        else:
            pass
        finally:
            del exc
        for i in range(3):
            continue
        else:
            pass
        while False:
            break
        with open("f") as fh, open("g"): pass
    """,
    "parentheses": """
        import a, b
        x = (a)
        y = (
            # leading
            b.c
        )
        z = ((a.f)(b))
        w = [(a), (b)]
        print((a))
        (  # a comment
            a
        )
        if (a and
                b):
            pass
        return_ = (a.g(
            b))
    """,
    "strings": '''
        import a
        x: "a.T" = "a" "b"
        y = ("one"  # noqa: E501
             "two" f"{a.f(1)!r:>{a.w}}"
             )
        z = f"{a}" 'plain' Rf"\\x{a.b}"
        b = rb"\\x00" b'1'
        s = """# not a comment"""  # a comment
        t = f"{'#'}"  # noqa
        u = a.patch("a.b.c")
    ''',
    "expressions": """
        import a
        b = a.x if a.y else a.z
        c = [i for i in a.it if i for j in i]
        d = {k: v for k, v in a.items()}
        e = {*a.s, *()}
        f = {**a.m, 1: 2}
        g = lambda q, *r, s=a.d, **t: q
        h = not a.n and a.m or -a.k < a.j <= 3 is not None
        i = a.arr[1:2, ::3, a.idx]
        j = a.f(*a.args, key=a.v, **a.kw)
        k = (x := a.w)
        m = a.f(a.g(), *a.h, k=1, *a.i)
        async def co():
            await a.co()
            async for x in a.ai:
                yield x
            async with a.ctx() as c:
                pass
            [x async for x in a.ai]
        def gen():
            yield from a.g()
        x, *y = a.t
        a.attr = 1
        a.counter += 1
        del a.attr, x
        assert a.ok, a.msg
        raise a.E from a.cause
        global G
    """,
    "semicolons and one-line suites": """
        import a; import b
        if a: b.x(); a.y()
        def f(): return a
        class C: x = b
    """,
    "decorated and nested functions": """
        import pytest, functools
        @pytest.mark.xfail
        # why it fails
        def test_x():
            @functools.wraps(test_x)
            def inner(*a, **k):
                nonlocal_ = 1
                return inner
            return inner
    """,
}


@needs_ast
@pytest.mark.parametrize("name", sorted(CASES))
def test_same_facts_as_libcst(name: str) -> None:
    same(CASES[name])


@needs_ast
@pytest.mark.skipif(sys.version_info < (3, 10), reason="match")
def test_match_statement() -> None:
    facts = same("""
        import a
        match a.value:
            case [1, *rest] | (2, 3):
                pass
            case {"k": a.K, **others}:
                pass
            case a.Point(x=0, y=yy) as p if p:
                pass
            case None | True:
                pass
            case _:
                pass
            # the match's
        x = 1
    """)
    assert facts.imports[0].uses


@needs_ast
def test_a_parenthesized_name_starts_at_its_parenthesis() -> None:
    facts = same("import a\nx = (\n    a\n)\n")
    use = facts.imports[0].uses[0]
    assert (use.line, use.col) == (2, 4)  # LibCST's node starts at "(", and so does the use


@needs_ast
def test_tabs_and_crlf_line_ends() -> None:
    source = "import a\r\nif a:\r\n\tx = (  # c\r\n\t\ta.b)\r\n\t# mine\r\n\r\ny = \"\"\"\r\n\"\"\"  # noqa\r\n"
    facts = same(source)
    assert facts.noqa == ((8, None),) and facts.statements[1].end_line == 5


@needs_ast
def test_a_block_ends_after_its_indented_comments() -> None:
    facts = same("if True:\n    import a\n    # mine\n\n        # mine too, after a blank line\n"
                 "  # not mine: less indented\nx = 1\n")
    assert facts.statements[0].end_line == 5


@needs_ast
@pytest.mark.parametrize("source, why", [
    ("x = 1  # type: int\n", "type comments"),
    ("if x:\n\x0c    pass\n", "form feeds"),
    ("x = 1\ry = 2\r", "carriage returns that end no line"),
    ("print 'python 2'\n", "not Python"),
    ("with (open('a') as f, open('b') as g):\n    pass\n", "parenthesized with"),
])
def test_what_it_leaves_to_libcst(source: str, why: str) -> None:
    assert by_ast(source.encode()) is None, why
    assert extract(source.encode()) == by_libcst(source.encode())  # and extract takes LibCST's facts


@needs_ast
def test_an_identifier_ast_normalizes_is_left_to_libcst() -> None:
    source = "import a\nx = a.\uff41ttr\n".encode()  # a fullwidth letter: ast gives "attr"
    assert by_ast(source) is None
    assert extract(source).attributes == ("\uff41ttr",)


@needs_ast
def test_a_file_python_accepts_and_libcst_rejects_gets_facts() -> None:
    source = b"import os\nclass Plotter:\n\\\n    x = os.sep\n"
    assert by_libcst(source).error is not None
    facts = extract(source)
    assert facts.error is None and [c.qualname for c in facts.classes] == ["Plotter"]
    assert facts.imports[0].uses


@needs_ast
def test_every_python_file_of_this_repository() -> None:
    """Our own 250 files: real code written by hand, none of it tuned for this."""
    files = sorted(p for d in ("src", "tests", "benchmarks") for p in (ROOT / d).rglob("*.py"))
    assert len(files) > 200
    built = 0
    for path in files:
        data = path.read_bytes()
        got = by_ast(data)
        if got is None:
            continue
        built += 1
        assert got == by_libcst(data), path
    assert built >= 0.97 * len(files)


@needs_ast
def test_the_edge_cases_of_the_positions_pass() -> None:
    """Sources made for LibCST's positions (unicode names, soft keywords, continuation lines...)."""
    from test_positions import EDGE_CASES, _generated  # (beside this file)

    sources = EDGE_CASES + _generated(300, seed=11)
    built = 0
    for source in sources:
        data = source.encode("utf-8")
        got = by_ast(data)
        if got is not None:
            built += 1
            assert got == by_libcst(data), source
    assert built >= 0.9 * len(sources)  # (the rest: type comments, syntax of a newer Python)


@needs_ast
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(__import__("fuzzgen").program())
def test_generated_programs(package: dict) -> None:
    for data in package.values():
        got = by_ast(data)
        assert got is not None
        assert got == by_libcst(data)
