"""Before/after tests of the ``defer-import`` codemod (``apply_defer_import``)."""
from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from importguard.fixers.defer_import import apply_defer_import


def defer(src: str, line: int, col: int, scopes) -> str:
    return apply_defer_import(cst.parse_module(textwrap.dedent(src)), line, col, tuple(scopes)).code


def test_moves_into_each_function_after_docstring():
    before = '''\
        """Doc."""
        import os, sys  # keep this comment

        def f():
            """Doc of f."""
            return os.sep

        class C:
            def m(self): return os.sep
        '''
    after = '''\
        """Doc."""
        import sys  # keep this comment

        def f():
            """Doc of f."""
            import os
            return os.sep

        class C:
            def m(self):
                import os
                return os.sep
        '''
    assert defer(before, 2, 7, ["f", "C.m"]) == textwrap.dedent(after)


def test_whole_statement_moves_with_its_comment_and_nested_function():
    before = '''\
        # header
        from pkg import helper  # noqa: IG300

        x = 1

        def outer():
            def inner():
                return helper()
            return inner
        '''
    after = '''\
        # header

        x = 1

        def outer():
            def inner():
                from pkg import helper  # noqa: IG300
                return helper()
            return inner
        '''
    assert defer(before, 2, 16, ["outer.<locals>.inner"]) == textwrap.dedent(after)


def test_parenthesised_alias_and_relative_import():
    before = '''\
        from .models import (
            A,  # about A
            B,
        )

        def f():
            return A
        '''
    after = '''\
        from .models import (
            B,
        )

        def f():
            from .models import A
            return A
        '''
    assert defer(before, 2, 4, ["f"]) == textwrap.dedent(after)


def test_not_duplicated_when_already_in_function():
    before = "import os\n\ndef f():\n    import os\n    return os.sep\n"
    assert defer(before, 1, 7, ["f"]) == "\ndef f():\n    import os\n    return os.sep\n"


@pytest.mark.parametrize("line,col,scopes", [(1, 7, ["nope"]), (9, 0, ["f"]), (1, 7, [])])
def test_unknown_target_leaves_module_unchanged(line, col, scopes):
    src = "import os\n\ndef f():\n    return os.sep\n"
    assert defer(src, line, col, scopes) == src


def test_function_level_import_is_not_moved():
    src = "def g():\n    import os\n    return 1\n\ndef f():\n    return os.sep\n"
    assert defer(src, 2, 11, ["f"]) == src


def test_keeps_crlf_and_result_parses():
    src = "import os\r\n\r\ndef f():\r\n    return os.sep\r\n"
    out = apply_defer_import(cst.parse_module(src), 1, 7, ("f",)).code
    assert out == "\r\ndef f():\r\n    import os\r\n    return os.sep\r\n"
    compile(out, "x.py", "exec")
