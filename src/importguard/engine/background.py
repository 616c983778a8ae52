"""The extraction of a run's few changed files in a forked process, while this one loads the rest.

A run after an edit extracts one or two files, and most of that time is LibCST's import (about
0.25 s: the dataclass processing of its node classes), not the parse. The run then loads the facts
of every other file and the results store, which the extraction does not need. On a machine with a
second core the two overlap: a forked copy of this process imports LibCST and extracts, and sends
the facts back (``marshal`` of their plain form), while this process does ``meanwhile``.

Only where forking is safe (``simfork.can_fork``: Linux, one thread, not a daemonic worker) and
for sources that cannot crash the parser (``extract.suspicious`` ones go through the isolating
path). A child that dies, raises or sends something unreadable changes nothing: the files are
extracted here, as without it.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Iterable, List, Optional, Tuple

if TYPE_CHECKING:
    from importguard.model import ModuleFacts

# what this process does while the child extracts: it returns optional steps, taken one by one
# while the child has not answered yet (reading ahead what the run may need)
Meanwhile = Callable[[], Optional[Iterable[Callable[[], None]]]]


def extract_beside(sources: List[bytes], meanwhile: Meanwhile) -> Optional[List[ModuleFacts]]:
    """The facts of ``sources`` extracted in a forked process while ``meanwhile()`` runs here; None
    (``meanwhile`` not called) when no process can be forked or a source needs the isolating path."""
    job = start(sources)
    return None if job is None else job.take(sources, meanwhile)


class Started:
    """An extraction forked before this process knows which of its files it needs: a run forks it
    before tokenizing the changed files (``reading.reuse_by_tokens``), which may find that a file
    only changed in comments and needs no parse; the parse of the others has then begun."""

    def __init__(self, pid: int, fd: int, sources: List[bytes]):
        self.pid, self.fd, self.sources = pid, fd, sources
        self.done = False

    def take(self, sources: List[bytes], meanwhile: Meanwhile) -> Optional[List[ModuleFacts]]:
        """The facts of ``sources`` (some of those it was started with), once ``meanwhile()`` has
        run here; None when the child failed (``meanwhile`` has run all the same)."""
        self.done = True
        try:
            for step in meanwhile() or ():  # optional steps, while the child has not answered yet
                if _ready(self.fd):
                    break
                step()
        finally:
            got = _receive(self.fd, self.pid)
        if got is None:
            return None
        by_source = dict(zip(self.sources, got))
        if not all(s in by_source for s in sources):
            return None
        return [by_source[s] for s in sources]

    def cancel(self) -> None:
        """Stop the child when its facts are not needed (every file matched an earlier content)."""
        if self.done:
            return
        self.done = True
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def start(sources: List[bytes]) -> Optional[Started]:
    """Fork a process that extracts ``sources`` and sends their facts back; None when no process
    can be forked here or a source needs the isolating path."""
    from importguard.analysis.simfork import can_fork
    from importguard.extract import suspicious

    if not sources or not can_fork() or any(map(suspicious, sources)):
        return None
    got = fork_sending(lambda: _extract(sources))
    return None if got is None else Started(got[0], got[1], sources)


def _extract(sources: List[bytes]) -> List[tuple]:
    from importguard.engine.extraction import _extract_many

    return _extract_many(sources)


def done_beside(work: Callable[[], None]) -> Optional[Callable[[], bool]]:
    """``work`` started in a forked copy of this process (it writes files: the simulation's
    shards); returns a function that waits for the copy and says whether the work was done (False:
    do it here). None when no process can be forked here."""
    from importguard.analysis.simfork import can_fork

    def done() -> bool:
        work()
        return True

    got = fork_sending(done) if can_fork() else None
    if got is None:
        return None
    pid, fd = got
    return lambda: received(fd, pid) is True


def fork_sending(make: Callable[[], Any]) -> Optional[Tuple[int, int]]:
    """(pid, read end of a pipe) of a forked copy of this process that sends ``make()`` back
    (``marshal``) and leaves without running anything of the parent's (``os._exit``); None when
    no pipe or process can be made. A crash in the child is the parent's to handle: it reads
    nothing (``received``) and does the work itself."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child
        code = 1
        try:
            import faulthandler
            import marshal

            os.close(read_end)
            faulthandler.disable()
            data = memoryview(marshal.dumps(make()))
            while data:
                data = data[os.write(write_end, data):]
            os.close(write_end)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def received(fd: int, pid: int) -> Any:
    """What the child ``fork_sending`` started sent, once it has left; None when it failed."""
    import marshal

    chunks = []
    try:
        with os.fdopen(fd, "rb") as fh:
            chunks.append(fh.read())
    except OSError:
        chunks = []
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = -1
    if status != 0 or not chunks:
        return None
    try:
        return marshal.loads(b"".join(chunks))
    except (ValueError, TypeError, EOFError):
        return None


def _ready(fd: int) -> bool:
    """Has the child written (or closed) its end of the pipe?"""
    import select

    try:
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _receive(fd: int, pid: int) -> Optional[List[ModuleFacts]]:
    from importguard.cache.facts import from_plain

    raw = received(fd, pid)
    if raw is None:
        return None
    try:
        return [from_plain(t) for t in raw]
    except (ValueError, TypeError):
        return None
