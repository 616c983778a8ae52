"""An entry's import trace, as the simulation records it (each first-party module as its import
starts, and again as it finishes), and the questions asked of it across edits (``simdelta``): did
these modules finish before that one started, where did a module start and finish, how often.
A trace is a sequence of names (``"m"`` started, ``"/m"`` finished) or, as the cache keeps it, a
``PackedTrace`` read in place.
"""
from __future__ import annotations

from typing import Dict, Iterable, Sequence, Tuple, Union


class PackedTrace:
    """A packed trace (``simcache.Keys.pack_trace``: module i started is i + 1, finished is -i - 1) read in
    place: where a module started, whether another finished before that."""

    __slots__ = ("events", "where")

    def __init__(self, events, where: Dict[str, int]):
        self.events, self.where = events, where

    def index(self, module: str) -> int:
        i = self.where.get(module)
        if i is None:
            raise ValueError(module)
        return self.events.index(i + 1)

    def finished(self, before: int, module: str) -> bool:
        i = self.where.get(module)
        return i is not None and -i - 1 in self.events[:before]

    def span(self, module: str) -> Tuple[int, int]:
        """Where ``module`` started and where it finished (-1: never)."""
        i = self.where.get(module)
        if i is None:
            return -1, -1
        events = self.events
        return (events.index(i + 1) if i + 1 in events else -1), (events.index(-i - 1) if -i - 1 in events else -1)

    def count(self, module: str) -> Tuple[int, int]:
        """How many times ``module`` started, and finished, in the trace."""
        i = self.where.get(module)
        return (0, 0) if i is None else (self.events.count(i + 1), self.events.count(-i - 1))


def count(trace: Union[Sequence[str], PackedTrace], module: str) -> Tuple[int, int]:
    if not isinstance(trace, Sequence):
        return trace.count(module)
    return trace.count(module), trace.count("/" + module)


def span(trace: Union[Sequence[str], PackedTrace], module: str) -> Tuple[int, int]:
    if not isinstance(trace, Sequence):
        return trace.span(module)
    done = "/" + module
    return (trace.index(module) if module in trace else -1), (trace.index(done) if done in trace else -1)


def finished(trace: Union[Sequence[str], PackedTrace], start: int, module: str) -> bool:
    if not isinstance(trace, Sequence):
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
