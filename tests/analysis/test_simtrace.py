"""Searching packed traces as bytes (``simtrace.find``): the events found are the array's, never a
match of bytes that straddles two events."""
from __future__ import annotations

import random
import sys
from array import array
from typing import Any, List

from importguard.analysis.simtrace import find, occurrences


def _values(rng: random.Random) -> list:
    # events made of the bytes 0, 1 and 2 (and their negatives): a value's bytes often appear
    # across the boundary of two others
    out = []
    for _ in range(rng.randrange(0, 40)):
        v = int.from_bytes(bytes(rng.choice((0, 1, 2)) for _ in range(4)), "little") % (1 << 24)
        out.append(v if rng.random() < 0.5 else -v - 1)
    return out


def test_find_and_occurrences_are_the_arrays_index_and_count() -> None:
    rng = random.Random(7)
    straddled = 0
    for _ in range(3000):
        values = _values(rng)
        raw = array("i", values).tobytes()
        for v in set(values[:5]) | {rng.choice(values) if values else 0, 513, 1, 65536}:
            start = rng.randrange(0, len(values) + 1)
            end = rng.randrange(start, len(values) + 1)
            expected = values.index(v, start, end) if v in values[start:end] else -1
            assert find(raw, v, start, end) == expected, (values, v, start, end)
            assert find(raw, v) == (values.index(v) if v in values else -1)
            assert occurrences(raw, v) == values.count(v)
            pattern = array("i", [v]).tobytes()
            straddled += raw.count(pattern) > values.count(v)
    assert straddled > 100  # the byte search did meet matches that are not events


def test_a_match_across_two_events_is_skipped() -> None:
    v = int.from_bytes(b"\x01\x02\x00\x00", sys.byteorder)
    raw = array("i", [int.from_bytes(b"\x00\x00\x01\x02", sys.byteorder), 0, v]).tobytes()
    assert raw.find(array("i", [v]).tobytes()) == 2  # the bytes match inside the first two events
    assert find(raw, v) == 2 and occurrences(raw, v) == 1  # the third event


def _bracketed_reference(events: list, i: int, ids: list):
    events = [e for e in events if e not in {k + 1 for k in ids} | {-k - 1 for k in ids}]
    if events.count(i + 1) != 1 or events.count(-i - 1) != 1:
        return None
    start, end = events.index(i + 1), events.index(-i - 1)
    if end < start:
        return None
    return (events[:start + 1] + [k + 1 for k in ids] + events[start + 1:end] + [-k - 1 for k in reversed(ids)]
            + events[end:])


def test_bracketing_new_modules_in_a_packed_trace() -> None:
    from importguard.analysis.simcache import _bracketed

    class Keys:  # what ``_bracketed`` reads of ``simcache.Keys``
        trace_index = {f"m{k}": k for k in range(300)}

    keys: Any = Keys()

    rng = random.Random(3)
    kept = 0
    for _ in range(2000):
        pool = rng.sample(range(300), rng.randrange(2, 12))
        events: List[int] = []
        for k in pool:  # each started and finished, some twice, some never finished
            events.insert(rng.randrange(len(events) + 1), k + 1)
            if rng.random() < 0.9:
                events.insert(rng.randrange(events.index(k + 1) + 1, len(events) + 1), -k - 1)
            if rng.random() < 0.05:
                events.append(rng.choice([k + 1, -k - 1]))
        module = pool[0]
        ids = rng.sample([k for k in range(300) if k != module], rng.randrange(1, 3))
        if rng.random() < 0.5:
            ids[0] = pool[-1] if pool[-1] != module else ids[0]  # a module that ran elsewhere
        expected = _bracketed_reference(events, module, ids)
        got = _bracketed(keys, array("i", events).tobytes(), f"m{module}", [f"m{k}" for k in ids])
        assert got == (None if expected is None else array("i", expected).tobytes()), (events, module, ids)
        kept += expected is not None
    assert 500 < kept < 1900
