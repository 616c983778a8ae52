"""The worlds a simulation assumes, and what an ``if`` test on ``sys.version_info``,
``sys.platform`` or ``os.name`` decides in one (the tests ``extract.syntax`` encodes)."""
from __future__ import annotations

from typing import NamedTuple, Optional, Tuple


class World(NamedTuple):
    """The Python version and platform one simulation assumes, for ``if sys.version_info ...`` and
    ``if sys.platform ...`` tests; None: unknown (the test's first branch runs)."""

    version: Optional[Tuple[int, int]] = None
    platform: Optional[str] = None


_CMP_FUNCS = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def decide(test, world: World) -> Optional[bool]:
    """The value of an ``if`` test (``("f", test, ...)`` event) in ``world``; None: unknown."""
    if type(test) is int:
        return {1: False, -1: True, 2: False}.get(test)
    op = test[0]
    if op == "not":
        r = decide(test[1], world)
        return None if r is None else not r
    if op in ("and", "or"):
        results = [decide(t, world) for t in test[1:]]
        stop = op == "or"  # the value that decides the whole expression
        if stop in results:
            return stop
        return None if None in results else not stop
    if op == "v":
        if world.version is None:
            return None
        _, left, cmp, value = test
        major, minor = world.version
        fn = _CMP_FUNCS[cmp]
        if left == "major":
            return fn(major, value)
        if left == "minor":
            return fn(minor, value)
        if left == "s1":
            return fn((major,), value)
        if left == "s2":
            return fn((major, minor), value)
        # the whole ``sys.version_info`` (major, minor, micro, releaselevel, serial)
        head = (major, minor)[:len(value)]
        if head != tuple(value[:2]):
            return fn(head, tuple(value[:2]))
        if len(value) > 2:
            return None  # depends on the micro version
        return fn((0, 1), (0, 0))  # equal prefix: the longer tuple is the greater
    if op in ("p", "o"):
        if world.platform is None:
            return None
        value = world.platform
        if op == "o":
            value = "nt" if world.platform == "win32" else "posix"
        if test[1] == "startswith":
            return value.startswith(tuple(test[2]))
        return _CMP_FUNCS[test[1]](value, test[2])
    return None
