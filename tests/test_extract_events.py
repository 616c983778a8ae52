"""The import-time events the extractor records for the cycle simulation (ModuleFacts.events)."""
from __future__ import annotations

import textwrap

from importguard.extract import extract
from helpers import check_sources


def events(src: str):
    return extract(textwrap.dedent(src).encode()).events


def test_order_binds_loads_and_imports():
    ev = events("""\
        import pkg.a
        from . import b as bb, c
        x = pkg.a.f
        bb.y = 3
        def f():
            import pkg.late
        del x
    """)
    assert ev == (
        (("i", 0, 1),),
        (("i", 1, 2),),
        (("l", "pkg.a.f", 3, 4, 0), ("b", "x")),
        (("s", "bb.y", 4, 0),),
        (("b", "f"),),  # the function body never runs at import time
        (("d", "x"),),
    )


def test_class_body_try_if_and_suppress_are_nested():
    ev = events("""\
        from pkg import b
        class C(b.Base):
            q = b.w
        try:
            from .d import e
        except (ImportError, AttributeError):
            e = None
        if TYPE_CHECKING:
            from .q import r
        elif __name__ == "__main__":
            pass
        with suppress(ImportError):
            import pkg.s
    """)
    assert ev[1] == (("l", "b.Base", 2, 8, 0), ("c", (("l", "b.w", 3, 8, 0), ("b", "q"))), ("b", "C"))
    assert ev[2] == (("t", (("i", 1, 1),), ((("ImportError", "AttributeError"), (("b", "e"),)),), (), ()),)
    assert ev[3] == (("f", 1, (("i", 2, 1),), (("f", 2, (), ()),)),)
    assert ev[4] == (("t", (("i", 3, 1),), ((("ImportError",), ()),), (), ()),)


def test_annotations_are_flagged():
    ev = events("from pkg import b\nv: b.T = 1\ndef f(x: b.U) -> 'b.V':\n    pass\n")
    assert ev[1] == (("l", "b.T", 2, 3, 1), ("b", "v"))
    assert ev[2] == (("l", "b.U", 3, 9, 1), ("b", "f"))  # the string annotation is never evaluated


def test_names_in_concatenated_fstrings_are_uses():
    # regression: the f-string parts of an implicitly concatenated string were never walked, so the
    # import looked unused (IG100) and the fix would have removed it
    assert check_sources('from m import g\nx = ("a" f"{g(1)}")\n', select=("IG100",)) == []
    assert check_sources('from m import g\nx = (f"a {g}"\n     f"b")\n', select=("IG100",)) == []
