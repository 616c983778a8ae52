"""Progress of a long run on a terminal: files parsed of total, rate and time left, on stderr.

The command line turns it on for ``check``, ``fix`` and ``graph`` (``reporting``); the engine
reports through the module functions, which do nothing otherwise. Nothing is shown when stderr
is not a terminal, with ``--quiet``, under pre-commit (``PRE_COMMIT`` set) or in the flake8
plugin (which never turns it on), nor during the first second of a run. The line is erased when
parsing ends, before any output.
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import IO, Iterator, Optional

DELAY = 1.0  # seconds into a run before anything is shown
REFRESH = 0.1  # seconds between redraws


def wanted(quiet: bool, stream: Optional[IO[str]] = None) -> bool:
    stream = stream if stream is not None else sys.stderr
    if quiet or os.environ.get("PRE_COMMIT"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Reporter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.total = self.done = 0
        self.parse_started = self.started
        self.last = 0.0
        self.shown = False

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self.parse_started = time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.started < DELAY or (now - self.last < REFRESH and self.done < self.total):
            return
        self.last = now
        elapsed = max(now - self.parse_started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        line = (f"importguard: {self.done}/{self.total} files parsed, {rate:.0f} files/s, "
                f"{_duration(left)} left")
        self._write("\r" + line + "\x1b[K")
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self._write("\r\x1b[K")
            self.shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


_active: Optional[_Reporter] = None


@contextmanager
def reporting(enabled: bool) -> Iterator[None]:
    """Show progress during the block when ``enabled`` (see ``wanted``)."""
    global _active
    if not enabled:
        yield
        return
    _active = _Reporter(sys.stderr)
    try:
        yield
    finally:
        _active.finish()
        _active = None


def start(total: int) -> None:
    if _active is not None:
        _active.start(total)


def advance(n: int = 1) -> None:
    if _active is not None:
        _active.advance(n)


def finish() -> None:
    if _active is not None:
        _active.finish()
