"""The cache written after the run has answered: by a detached copy of the process.

A run that analysed a large tree ends by writing what it learned (the results store, the index
parts, the stat index, the simulation's shards: 0.07 to 0.2 s on a tree of 6,000 files). The
command line's user (a pre-commit hook, a terminal) waits for none of it: its answer is printed
already. So the command line (``commands.cli.run``) lets a forked copy write it while the process
itself leaves.

The next run must not read the cache before that copy is done (it would find the state before
this run, and could do this run's work again): the copy holds an exclusive lock on a file in the
cache folder (``flock``) from before the fork until it ends, and every run that reads the cache
takes a shared lock on that file first (``wait``), waiting for a copy still writing (up to
``WAIT`` seconds; then it reads the cache as it is: every reader takes a missing or torn file as
empty, and every store is replaced whole). A copy that fails leaves the cache as it was before
the run: the next run does this run's work again, and nothing else.

Only where forking is safe (``simfork.can_fork``), and not for a program that calls the engine
and lives on (a copy nobody waits for stays a zombie until its parent ends): the command line
turns it on (``ON``).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from pathlib import Path

ON = False  # the command line sets it: the process ends right after the run
LOCK = "saving.lock"
WAIT = 30.0  # seconds a run waits for an earlier run's copy still writing the cache


def wait(directory: Path) -> None:
    """Return once no detached copy writes the cache in ``directory`` (or after ``WAIT`` seconds)."""
    try:
        fd = os.open(os.path.join(directory, LOCK), os.O_RDONLY)
    except OSError:  # no run has written the cache this way yet
        return
    try:
        import fcntl
        import time

        deadline = time.monotonic() + WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return  # released when the file is closed
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.002)
            except OSError:  # a file system without locks: nothing to wait for
                return
    finally:
        os.close(fd)


def detach(directory: Path, work: Callable[[], None]) -> Optional[int]:
    """Run ``work`` (writing the cache in ``directory``) in a forked copy of this process that
    nothing waits for, holding the lock ``wait`` takes; its pid, or None (``work`` not run) when no
    copy can be made: then the caller writes the cache itself."""
    from importguard.analysis.simfork import can_fork

    if not ON or not can_fork():
        return None
    try:
        import fcntl

        os.makedirs(directory, exist_ok=True)
        fd = os.open(os.path.join(directory, LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # (a copy of an earlier run still writing: after it)
        pid = os.fork()
    except OSError:
        os.close(fd)
        return None
    if pid == 0:  # the copy: it holds the lock until it ends
        try:
            # nothing of it reaches this run's output: a reader of that output (pre-commit, a
            # pipe) sees its end when the run leaves, not when the copy does
            null = os.open(os.devnull, os.O_RDWR)
            for std in (0, 1, 2):
                os.dup2(null, std)
            import faulthandler

            faulthandler.disable()
            work()
        finally:
            os._exit(0)
    os.close(fd)  # the lock stays with the copy's descriptor
    return pid
