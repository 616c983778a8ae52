"""Building LibCST nodes without their parser, for ``fromast``: a node of LibCST's own class with
the given fields, every other field at its default, shared (nothing reads or changes them)."""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, Tuple


class Unsupported(Exception):
    """This file is parsed by LibCST instead."""


_new = object.__new__
_set = object.__setattr__
_DEFAULTS: Dict[type, Tuple[Tuple[str, Any], ...]] = {}


def _defaults(cls: type) -> Tuple[Tuple[str, Any], ...]:
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out.append((f.name, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            out.append((f.name, f.default_factory()))  # shared: nothing mutates
        else:
            out.append((f.name, None))
    got = _DEFAULTS[cls] = tuple(out)
    return got


def _maker(kind: type) -> Any:
    """A function that builds a ``kind`` from keyword arguments, every field set (generated: a
    loop over the fields costs twice as much, and this runs for every node)."""
    fields = _DEFAULTS.get(kind) or _defaults(kind)
    params = ", ".join(f"{name}=_d{i}" for i, (name, _) in enumerate(fields))
    sets = "".join(f"    _set(o, {name!r}, {name})\n" for name, _ in fields)
    ns: Dict[str, Any] = {"_new": _new, "_set": _set, "_kind": kind}
    ns.update((f"_d{i}", default) for i, (_, default) in enumerate(fields))
    exec(f"def make({params}):\n    o = _new(_kind)\n{sets}    return o\n", ns)
    return ns["make"]


class _Makers:
    """``N.Name(value="x")``: the maker of each LibCST class, made when first asked for."""

    def __getattr__(self, name: str) -> Any:
        import libcst as cst

        made = _maker(getattr(cst, name))
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
