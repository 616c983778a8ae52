"""The import-time events the extractor records for the cycle simulation (ModuleFacts.events)."""
from __future__ import annotations

import textwrap

from helpers import check_sources
from importguard.extract import extract
from importguard.model import events_from_plain, events_to_plain, walk_events


def events(src: str):
    """The events of each top-level statement, in the caches' tagged form (short to compare):
    ("i", first, count), ("l", dotted, line, col, annotation), ("f", test, body, orelse) ..."""
    return tuple(map(events_to_plain, extract(textwrap.dedent(src).encode()).events))


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
        (("b", "f"), ("fn", "f", (("i", 3, 1),))),  # the body runs only if a module-level call runs it
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


def test_version_and_platform_tests_are_recorded():
    ev = events("""\
        import os, sys
        from sys import version_info
        if sys.version_info >= (3, 10): pass
        if (3, 10) > sys.version_info: pass
        if sys.version_info[:2] == (3, 9): pass
        if sys.version_info.major == 3 and sys.version_info[1] < 11: pass
        if sys.platform == "win32": pass
        if sys.platform.startswith(("linux", "darwin")): pass
        if not os.name == "nt" or version_info < (3,): pass
        if TYPE_CHECKING or sys.version_info < (3, 11): pass
        if feature(): pass
        if False: pass
    """)
    tests = [next(e[1] for e in stmt if e[0] == "f") for stmt in ev[2:]]
    assert tests == [
        ("v", "full", ">=", (3, 10)),
        ("v", "full", "<", (3, 10)),
        ("v", "s2", "==", (3, 9)),
        ("and", ("v", "major", "==", 3), ("v", "minor", "<", 11)),
        ("p", "==", "win32"),
        ("p", "startswith", ("linux", "darwin")),
        ("or", ("not", ("o", "==", "nt")), ("v", "full", "<", (3,))),
        ("or", 1, ("v", "full", "<", (3, 11))),
        0,
        ("or",),  # False: an empty ``or``
    ]


def test_type_checking_alias_is_type_checking():
    ev = events("from typing import TYPE_CHECKING as TC\nif TC:\n    import pkg.a\nif not TC:\n    pass\n")
    assert [e[:2] for e in ev[1] if e[0] == "f"] == [("f", 1)]
    assert [e[:2] for e in ev[2] if e[0] == "f"] == [("f", -1)]


def test_module_level_calls_and_decorators_of_own_functions():
    ev = events("""\
        from . import b
        def load():
            from .b import y
            return y
        def plain(f):
            return f
        X = load()
        @plain
        def g(): pass
        Y = len([])
    """)
    assert ev[1] == (("b", "load"), ("fn", "load", (("i", 1, 1), ("l", "y", 4, 11, 0))))
    assert ev[2] == (("b", "plain"),)  # its body imports and reads nothing: never worth running
    assert ev[3] == (("k", "load", 7, 4), ("b", "X"))
    assert ev[4] == (("k", "plain", 8, 1), ("b", "g"))
    assert ev[5] == (("b", "Y"),)


def test_typed_events_round_trip_through_the_cache_form():
    src = """\
        import a
        class C(a.Base):
            import b
            try:
                import c
            except ImportError as e:
                c = None
        if TYPE_CHECKING:
            import d
        elif sys.version_info >= (3, 10):
            a.x = 1
        def f():
            import g
        f()
        del C
        """
    typed = extract(textwrap.dedent(src).encode()).events
    plain = tuple(map(events_to_plain, typed))
    assert tuple(map(events_from_plain, plain)) == typed
    kinds = {type(ev).__name__ for stmt in typed for ev in walk_events(stmt)}
    assert kinds == {"ImportEvent", "LoadEvent", "StoreEvent", "BindEvent", "DeleteEvent", "ClassBodyEvent",
                     "IfEvent", "TryEvent", "FunctionEvent", "CallEvent"}
