"""An entry's import trace, as the simulation records it (each first-party module as its import
starts, and again as it finishes), and the questions asked of it across edits (``simdelta``): did
these modules finish before that one started, where did a module start and finish, how often.
A trace is a sequence of names (``"m"`` started, ``"/m"`` finished) or, as the cache keeps it, a
``PackedTrace`` read in place.
"""
from __future__ import annotations

import struct
from typing import Dict, Iterable, Optional, Sequence, Tuple, Union

EVENT = struct.Struct("=i")  # one event as ``array("i")`` stores it (native order, 4 bytes)


def find(raw: bytes, event: int, start: int = 0, end: Optional[int] = None) -> int:
    """The first place (in events) of ``event`` in the packed events ``raw[start:end]``, -1 when
    none: a search of the bytes (``array.index`` compares each event as a Python int, five times
    slower), a match that does not start an event skipped."""
    pattern = EVENT.pack(event)
    stop = len(raw) if end is None else end * 4
    at = raw.find(pattern, start * 4, stop)
    while at > 0 and at % 4:
        at = raw.find(pattern, at + 1, stop)
    return at // 4 if at >= 0 else -1


def occurrences(raw: bytes, event: int) -> int:
    """How many times ``event`` is in the packed events ``raw``."""
    n, at = 0, find(raw, event)
    while at >= 0:
        n += 1
        at = find(raw, event, at + 1)
    return n


class PackedTrace:
    """A packed trace (``simcache.Keys.pack_trace``: module i started is i + 1, finished is -i - 1,
    ``array("i")`` bytes) read in place: where a module started, whether another finished before
    that."""

    __slots__ = ("raw", "where")

    def __init__(self, raw: bytes, where: Dict[str, int]):
        self.raw, self.where = raw, where

    def index(self, module: str) -> int:
        i = self.where.get(module)
        at = -1 if i is None else find(self.raw, i + 1)
        if at < 0:
            raise ValueError(module)
        return at

    def finished(self, before: int, module: str) -> bool:
        i = self.where.get(module)
        return i is not None and find(self.raw, -i - 1, 0, before) >= 0

    def span(self, module: str) -> Tuple[int, int]:
        """Where ``module`` started and where it finished (-1: never)."""
        i = self.where.get(module)
        if i is None:
            return -1, -1
        return find(self.raw, i + 1), find(self.raw, -i - 1)

    def count(self, module: str) -> Tuple[int, int]:
        """How many times ``module`` started, and finished, in the trace."""
        i = self.where.get(module)
        return (0, 0) if i is None else (occurrences(self.raw, i + 1), occurrences(self.raw, -i - 1))


def count(trace: Union[Sequence[str], PackedTrace], module: str) -> Tuple[int, int]:
    if type(trace) is PackedTrace or not isinstance(trace, Sequence):  # (the cache's, asked most)
        return trace.count(module)
    return trace.count(module), trace.count("/" + module)


def span(trace: Union[Sequence[str], PackedTrace], module: str) -> Tuple[int, int]:
    if type(trace) is PackedTrace or not isinstance(trace, Sequence):
        return trace.span(module)
    done = "/" + module
    return (trace.index(module) if module in trace else -1), (trace.index(done) if done in trace else -1)


def finished(trace: Union[Sequence[str], PackedTrace], start: int, module: str) -> bool:
    if type(trace) is PackedTrace or not isinstance(trace, Sequence):
        return trace.finished(start, module)
    return "/" + module in trace[:start]


def finished_before(trace: Union[Sequence[str], PackedTrace], module: str, targets: Iterable[str]) -> bool:
    """In ``trace``, did every one of ``targets`` finish importing before ``module``'s import
    started (and did it start)?"""
    try:
        start = trace.index(module)
    except ValueError:
        return False
    if not isinstance(trace, Sequence):  # a packed trace (``PackedTrace``) answers itself
        return all(trace.finished(start, t) for t in targets)
    head = trace[:start]
    return all("/" + t in head for t in targets)
