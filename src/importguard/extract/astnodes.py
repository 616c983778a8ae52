"""Building nodes for ``fromast``: a node of one of LibCST's classes (their copies in ``nodes``)
with the given fields, every other field at its default, shared (nothing reads or changes them)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Tuple


class Unsupported(Exception):
    """This file is parsed by LibCST instead."""


_new = object.__new__
_set = object.__setattr__


def _maker(kind: type) -> Any:
    """A function that builds a ``kind`` from keyword arguments, every field set (generated: a
    loop over the fields costs twice as much, and this runs for every node)."""
    fields = kind.FIELDS  # type: ignore[attr-defined]
    params = ", ".join(f"{name}=_d{i}" for i, name in enumerate(fields))
    sets = "".join(f"    _set(o, {name!r}, {name})\n" for name in fields)
    ns: Dict[str, Any] = {"_new": _new, "_set": _set, "_kind": kind}
    ns.update((f"_d{i}", default) for i, default in enumerate(kind.DEFAULTS))  # type: ignore[attr-defined]
    exec(f"def make({params}):\n    o = _new(_kind)\n{sets}    return o\n", ns)
    return ns["make"]


class _Makers:
    """``N.Name(value="x")``: the maker of each LibCST class, made when first asked for."""

    def __getattr__(self, name: str) -> Any:
        from importguard.extract import nodes

        made = _maker(nodes.CLASSES[name])
        setattr(self, name, made)
        return made


N: Any = _Makers()
_BY_KIND: Dict[type, Any] = {}


def mk(kind: type, /, **kw: Any) -> Any:
    """A ``kind`` node with the given fields (for a kind chosen at run time; else ``N.<kind>``)."""
    made = _BY_KIND.get(kind)
    if made is None:
        made = _BY_KIND[kind] = _maker(kind)
    return made(**kw)


_OPS: Dict[type, Any] = {}


def op(kind: type) -> Any:
    """The one shared instance of an operator node (``+``, ``and``, ``==``...)."""
    got = _OPS.get(kind)
    if got is None:
        got = _OPS[kind] = mk(kind)
    return got


class BuildState:
    """What the builder's parts (``aststmt``, ``astexpr``, ``fromast``) share: the text, its lines,
    the positions found so far."""

    text: str
    lines: List[str]
    line_start: List[int]
    start: Dict[int, Tuple[int, int]]
    end: Dict[int, int]
    declared: set
    strings: List[Tuple[int, int]]
    maybe_paren: list

    if TYPE_CHECKING:  # (the builder's other parts)
        def col(self, line: int, bcol: int) -> int: ...
        def offset(self, line: int, bcol: int) -> int: ...
        def pos_of(self, offset: int) -> Tuple[int, int]: ...
        def record(self, node: Any, a: Any) -> Tuple[int, int, str]: ...
