"""The extraction of a run's few changed files in a forked process, while this one loads the rest.

A run after an edit extracts one or two files (Python's parser and the extractor's walk, about
0.1 s for Django's 2,700-line ``query.py``; LibCST's import, 0.2 s more, only for a file only LibCST
can read). The run then loads the facts of every other file and the results store, which the
extraction does not need. On a machine with a second core the two overlap: a forked copy of this
process extracts and sends the facts back (``marshal`` of their plain form), while this process
does ``meanwhile``.

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


_PREPARED: List[Tuple[int, int, int, int]] = []  # (pid, its facts' read end, its sources' write end, room)


def prepare() -> None:
    """Start, at the beginning of a run on a large tree, a process that imports the extractor (and
    extracts a line: its first extraction costs more) and then waits for the sources of the changed
    files (``start``), if any: their extraction no longer waits for those imports, which overlap
    the walk of the tree instead. ``release`` stops it when the run needs no extraction.

    A new interpreter (``posix_spawn``: the run's own path to the modules), not a fork: a forked
    copy shares the run's memory, and each page the run writes while the copy lives is copied
    (10 ms of a 0.15 s run that changed nothing)."""
    import sys

    _reap()
    if _PREPARED or not sys.executable or not hasattr(os, "posix_spawn") or not sys.platform.startswith("linux"):
        return
    fds: List[int] = []
    try:
        sources_r, sources_w = os.pipe()
        fds += [sources_r, sources_w]
        facts_r, facts_w = os.pipe()
        fds += [facts_r, facts_w]
        room = _widen(sources_w)
        os.set_inheritable(sources_r, True)
        os.set_inheritable(facts_w, True)
        code = ("import sys; sys.path[:] = %r; from importguard.engine.background import serve; serve(%d, %d)"
                % (sys.path, sources_r, facts_w))
        quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]  # nothing of it shows
        pid = os.posix_spawn(sys.executable, [sys.executable, "-S", "-c", code], os.environ, file_actions=quiet)
    except OSError:
        for fd in fds:
            os.close(fd)
        return
    os.close(sources_r)
    os.close(facts_w)
    _PREPARED.append((pid, facts_r, sources_w, room))


_STOPPED: List[int] = []  # prepared processes stopped and not yet reaped


def release() -> None:
    """Stop the process ``prepare`` started, if no extraction took it. It is not waited for (its
    end takes 2 ms): the next ``prepare`` reaps it, or this process's own end."""
    import signal

    while _PREPARED:
        pid, fd, sources_w, _ = _PREPARED.pop()
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.close(fd)
        os.close(sources_w)
        _STOPPED.append(pid)


def _reap() -> None:
    for pid in list(_STOPPED):
        try:
            done = os.waitpid(pid, os.WNOHANG)[0] != 0
        except ChildProcessError:
            done = True
        if done:
            _STOPPED.remove(pid)


def _widen(fd: int) -> int:
    """The bytes a pipe holds before a write to it waits for the reader: widened to 1 MB (Linux)."""
    import fcntl

    for op, arg in ((getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20), (getattr(fcntl, "F_GETPIPE_SZ", 1032), 0)):
        try:
            return fcntl.fcntl(fd, op, arg)
        except OSError:
            pass
    return 0


def serve(sources_r: int, facts_w: int) -> None:
    """(the prepared process) Send the facts of the sources the run sends, once the extractor is
    imported; nothing when the run closes the pipe first. The sources come after their size (8 bytes)."""
    import marshal

    try:
        os.nice(5)  # the run's own walk first, when both want the same core
    except OSError:
        pass
    _extract([b"import os\n"])
    data = b""
    size = None
    while size is None or len(data) < size + 8:
        got = os.read(sources_r, 1 << 20)
        if not got:
            return
        data += got
        if size is None and len(data) >= 8:
            size = int.from_bytes(data[:8], "little")
    out = memoryview(marshal.dumps(_extract(marshal.loads(data[8:]))))
    while out:
        out = out[os.write(facts_w, out):]
    os.close(facts_w)


def start(sources: List[bytes]) -> Optional[Started]:
    """A process that extracts ``sources`` and sends their facts back: the prepared one
    (``prepare``) when there is one and the sources fit in its pipe, else one forked now; None when
    no process can be forked here or a source needs the isolating path."""
    import marshal

    from importguard.analysis.simfork import can_fork
    from importguard.extract import suspicious

    if not sources or any(map(suspicious, sources)):
        return None
    if _PREPARED:
        pid, fd, sources_w, room = _PREPARED[-1]
        data = marshal.dumps(sources)
        data = len(data).to_bytes(8, "little") + data
        if len(data) <= room:  # written at once, the child busy with its imports or not
            _PREPARED.pop()
            try:
                os.write(sources_w, data)
            except OSError:
                pass  # the child is gone: it sends nothing, and the files are extracted here
            os.close(sources_w)
            return Started(pid, fd, sources)
        release()
    if not can_fork():
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
