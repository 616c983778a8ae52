"""The import simulation's walk over the prefix tree of the entries, on several processes.

Each prefix is imported on top of its parent's state alone (``prefixwalk.Walk``), so subtrees of the
tree can be walked in forked copies of this process, each from a copy of the state of the prefix
they share, and their results (per prefix: the failure, the tests decided, the modules run) put
together in the order one walk would have made them: the outcome is the same, field by field.

How: the chain of prefixes every entry shares (``django``) is imported here once; the entries below
it are cut into chunks of about equal numbers of entries, contiguous in the walk's order. This
process walks the chunks itself for ``SEQUENTIAL_SECONDS`` first (a repository whose simulation
takes less never forks: a fork and the results sent back cost more than they save); the chunks left
are then walked by ``jobs - 1`` forked worker processes and by this process, one chunk at a time,
each going through a run of neighbouring chunks (they share prefixes, which it keeps imported).
This process answers its workers between two prefixes of its own chunks (a worker waiting for its
next chunk waits a few milliseconds, not a chunk). Walking here rather than waiting keeps the memory
of the run at this process plus ``jobs - 1`` copies instead of ``jobs`` copies (a worker's pages
become its own as it walks). A worker that cannot be
started (no ``fork``, a daemonic process such as a ``flake8 -j`` worker, a sandbox without
processes), that dies or that raises leaves its chunk to this process. Only on Linux, in a process
with no other thread (``fork`` copies one thread: a lock another thread holds would stay held in
the copy).
"""
from __future__ import annotations

import sys
import time
from collections import deque
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set, Tuple

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from importguard.analysis.prefixwalk import Fails, Walk

SEQUENTIAL_SECONDS = 0.05  # this process walks the chunks alone this long before any fork
CHUNKS_PER_JOB = 32  # about how many chunks the subtrees are cut into, per process
ANSWER_SECONDS = 0.005  # while walking a chunk, this process answers its workers this often

Chunk = List[str]  # entries, contiguous in the walk's order
Walked = Tuple["Fails", Dict[str, Set[tuple]], Dict[str, List[str]]]  # a chunk's fails, visited, ran


def can_fork() -> bool:
    """Is forking this process safe and allowed? Linux, one thread, not a daemonic worker."""
    if not sys.platform.startswith("linux"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    mp = sys.modules.get("multiprocessing")
    return not (mp is not None and mp.current_process().daemon)


def walk_in_processes(walk: Walk, jobs: int, stats: Dict[str, int]) -> None:
    """``walk.walk`` over the whole tree, with chunks of it walked by up to ``jobs`` processes;
    ``stats["simulated_in_processes"]`` counts the entries other processes simulated,
    ``stats["simulated_alongside"]`` those this process simulated once they had started."""
    base = _descend(walk)
    if base is None:
        return
    order = _subtree(walk.children, walk.wanted, base)
    if order and order[0] == base:
        order = order[1:]  # its outcome is that of the prefixes imported already
    n = jobs * CHUNKS_PER_JOB
    size = max(1, -(-len(order) // n))
    chunks = [order[k:k + size] for k in range(0, len(order), size)]
    cursor = _Cursor(walk, base)
    done: Dict[int, Walked] = {}
    started = time.perf_counter()
    i = 0
    while i < len(chunks) and (time.perf_counter() - started < SEQUENTIAL_SECONDS or len(chunks) - i < 2):
        done[i] = cursor.run(chunks[i])
        i += 1
    if i < len(chunks):
        _in_processes(cursor, chunks, list(range(i, len(chunks))), jobs, done, stats)
    for k in range(len(chunks)):
        got = done.get(k)
        if got is None:  # a worker that died, raised or never started: walked here
            got = cursor.run(chunks[k])
        fails, visited, ran = got
        walk.fails.extend(fails)
        walk.visited.update(visited)
        walk.ran.update(ran)


def _descend(walk: Walk) -> Optional[str]:
    """Import the prefixes every entry shares, here: the deepest of them (""  when none), or None
    when one of them raised (every entry fails with it)."""
    node = ""
    while True:
        kids = walk.children.get(node, ())
        if len(kids) != 1:
            return node
        node = kids[0]
        if walk.visit(node) is None:
            return None


def _subtree(children: Dict[str, List[str]], wanted: Set[str], node: str) -> List[str]:
    """The entries at and below ``node``, in the walk's order."""
    out: List[str] = []
    todo = [node]
    while todo:
        n = todo.pop()
        if n in wanted:
            out.append(n)
        todo.extend(reversed(children.get(n, ())))
    return out


class _Cursor:
    """Walks chunks, in any order, from the state of ``base``; the prefixes of the last entry
    stay imported (``path``), so a chunk that shares prefixes with the one before it (the next
    entries in the walk's order, or the ones before) imports them once. Before each prefix's
    import, the state is taken back to that of its parent, as in the one walk."""

    def __init__(self, walk: Walk, base: str):
        self.walk = walk
        self.skip = len(base) + 1 if base else 0  # the prefixes of an entry below ``base`` start here
        self.path: List[Tuple[str, int]] = []  # the prefixes imported, from the top: (prefix, undo mark)
        self.names: Set[str] = set()  # the prefixes on ``path``

    def run(self, chunk: Chunk, tick: Optional[Callable[[], None]] = None) -> Walked:
        """Walk the prefixes of ``chunk``'s entries; what they did (those already imported on the
        path did it in an earlier chunk). ``tick`` is called after each prefix."""
        walk = self.walk
        saved = walk.fails, walk.visited, walk.ran
        walk.fails, walk.visited, walk.ran = [], {}, {}
        try:
            path, names = self.path, self.names
            seen: Set[str] = set()
            dead = ""
            for entry in chunk:
                dots = [k for k in range(self.skip, len(entry)) if entry[k] == "."] + [len(entry)]
                for k in dots:
                    node = entry[:k]
                    if node in names or node in seen:
                        continue  # imported for an earlier entry and still in place, or done
                    seen.add(node)
                    if dead and node.startswith(dead):
                        continue  # below a prefix that raised: it failed with it
                    while path and not node.startswith(path[-1][0] + "."):  # back to its parent's state
                        names.discard(path[-1][0])
                        walk.sim.undo(path.pop()[1])
                    mark = walk.visit(node)
                    if tick is not None:
                        tick()
                    if mark is None:
                        dead = node + "."
                    else:
                        path.append((node, mark))
                        names.add(node)
            return walk.fails, walk.visited, walk.ran
        finally:
            walk.fails, walk.visited, walk.ran = saved


def _worker(cursor: _Cursor, chunks: List[Chunk], conn: Connection) -> None:
    """A forked process: walk each chunk it is sent (by index) and send back what it did."""
    import gc
    import os

    gc.enable()  # (forked from a run that turned it off: its walks make cyclic garbage)
    gc.freeze()  # the parent's objects: never scanned here (a scan would copy every page they are on)
    try:
        while True:
            try:
                i = conn.recv()
            except EOFError:
                break
            if i is None:
                break
            conn.send(cursor.run(chunks[i]))
    except BaseException:  # the parent walks the chunk again and meets the same error, if any
        os._exit(1)


def _in_processes(cursor: _Cursor, chunks: List[Chunk], todo: List[int], jobs: int, done: Dict[int, Walked],
                  stats: Dict[str, int]) -> None:
    """Walk the chunks ``todo`` here and in up to ``jobs - 1`` forked processes, into ``done``; the
    chunks of a worker that cannot start, dies or raises are left out. Each process starts on its
    own run of contiguous chunks (they share prefixes), and one done with its run takes the last
    chunk of the longest run left. ``stats["simulated_in_processes"]`` counts the entries the
    workers walked, ``stats["simulated_alongside"]`` those walked here while workers ran."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")  # the default is no longer fork from Python 3.14 on
    for stream in (sys.stdout, sys.stderr):  # a fork copies what is buffered, and flushes it again
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    width = min(jobs, len(todo))
    runs = [deque(todo[len(todo) * w // width:len(todo) * (w + 1) // width]) for w in range(width)]
    here = width - 1  # the run this process walks; the others go to workers

    def next_chunk(w: int) -> Optional[int]:
        if runs[w]:
            return runs[w].popleft()
        longest = max(runs, key=len)
        return longest.pop() if longest else None

    procs: List[BaseProcess] = []
    busy: Dict[Connection, Tuple[BaseProcess, int, int]] = {}  # conn -> (process, its run, its chunk)

    def answer(timeout: Optional[float]) -> None:
        """Take what the workers sent (waiting up to ``timeout``) and send each its next chunk."""
        ready = set(wait(list(busy) + [p.sentinel for p, _, _ in busy.values()], timeout))
        for conn in list(busy):
            proc, w, k = busy[conn]
            if conn not in ready and proc.sentinel not in ready:
                continue
            del busy[conn]
            try:
                if not conn.poll():
                    raise EOFError
                done[k] = conn.recv()
                stats["simulated_in_processes"] = stats.get("simulated_in_processes", 0) + len(chunks[k])
                nxt = next_chunk(w)
                conn.send(nxt)
            except Exception:  # died (EOFError, OSError) or sent what cannot be read
                conn.close()
                continue
            if nxt is None:
                conn.close()
            else:
                busy[conn] = (proc, w, nxt)

    due = [0.0]

    def tick() -> None:  # between two prefixes of a chunk walked here
        now = time.perf_counter()
        if busy and now >= due[0]:
            due[0] = now + ANSWER_SECONDS
            answer(0)

    clean = False
    try:
        for w in range(width - 1):
            mine, theirs = ctx.Pipe()
            try:
                proc: BaseProcess = ctx.Process(target=_worker, args=(cursor, chunks, theirs), daemon=True)
                proc.start()
            except Exception:  # OSError, AssertionError in a daemonic process: walked here
                mine.close()
                theirs.close()
                break
            procs.append(proc)
            theirs.close()
            k = runs[w].popleft()
            busy[mine] = (proc, w, k)
            mine.send(k)
        while True:
            own = next_chunk(here)
            if own is None:
                break
            done[own] = cursor.run(chunks[own], tick)
            if procs:
                stats["simulated_alongside"] = stats.get("simulated_alongside", 0) + len(chunks[own])
        while busy:
            answer(None)
        clean = True
    finally:
        for conn in busy:
            conn.close()
        for proc in procs:
            if clean:
                proc.join(1)  # sent None: exiting
            if proc.is_alive():
                proc.kill()
            proc.join()
