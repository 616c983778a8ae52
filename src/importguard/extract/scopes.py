"""The scope model of the walk: namespaces, the module scope's bindings over time (so a function
sees them as they were where it was defined), and the mutable record of one import binding.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

if TYPE_CHECKING:
    from importguard.model import Use


class Scope:
    """A namespace: "module", "class", "function" (also lambdas), "comprehension", or
    "typeparams" (the annotation scope of PEP 695 type parameters)."""

    __slots__ = ("kind", "qualname", "parent", "live", "globals", "nonlocals", "bound", "done", "passed")

    def __init__(self, kind: str, qualname: str, parent: Optional["Scope"]):
        self.kind = kind
        self.qualname = qualname
        self.parent = parent
        self.live: Dict[str, Tuple[int, ...]] = {}
        self.globals: set = set()
        self.nonlocals: set = set()
        # function scopes: every name bound anywhere in the body is local to the whole body
        # (``bound``, complete once ``done``); ``passed`` holds the loads that looked past this
        # scope before its body was fully walked, to take back when the name turns out local
        self.bound: set = set()
        self.done = False
        self.passed: list = []


class _ModuleLive(dict):
    """The module scope's bindings, recording each change, so that a function can later see them
    as they were where it was defined (``snapshot()``) without a copy per function: copies made
    a module of 40,000 functions (2.4 MB) cost 23 GB, quadratic in the number of functions."""

    __slots__ = ("history", "version")

    def __init__(self) -> None:
        super().__init__()
        self.history: Dict[str, Tuple[List[int], list]] = {}  # name -> (versions, values)
        self.version = 0

    def _record(self, name: str, value) -> None:
        self.version += 1
        versions, values = self.history.setdefault(name, ([], []))
        versions.append(self.version)
        values.append(value)

    def __setitem__(self, name: str, value: Tuple[int, ...]) -> None:
        super().__setitem__(name, value)
        self._record(name, value)

    def pop(self, name: str, *default):
        value = super().pop(name, *default)
        self._record(name, None)
        return value

    def snapshot(self) -> "_Snapshot":
        return _Snapshot(self, self.version)


class _Snapshot:
    """The module scope's bindings at one moment (a read-only view of ``_ModuleLive``)."""

    __slots__ = ("live", "version")

    def __init__(self, live: _ModuleLive, version: int) -> None:
        self.live = live
        self.version = version

    def get(self, name: str, default: Tuple[int, ...] = ()) -> Tuple[int, ...]:
        entry = self.live.history.get(name)
        if entry is None:
            return default
        i = bisect_right(entry[0], self.version) - 1
        value = entry[1][i] if i >= 0 else None
        return default if value is None else value


class _Imp:
    """Mutable record of one import binding while the walk is running."""

    __slots__ = ("fields", "uses", "submodule", "tc", "fallback", "target")

    def __init__(self, fields: dict, submodule: Optional[str], tc: bool):
        self.fields = fields
        self.uses: List[Use] = []
        self.submodule = submodule  # "a.b" for a plain ``import a.b``
        self.tc = tc
        self.fallback = False  # see ``ImportFact.fallback_used``
        self.target: Optional[Scope] = None  # the other scope a ``global``/``nonlocal`` name lands in
