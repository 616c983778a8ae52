"""Extraction of many files: in-process for a few, else on worker processes, with a worker that
dies in the parser (a stack overflow on absurd nesting) costing only the file it was on (IG900).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from importguard.collection import collecting

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from importguard.model import ModuleFacts


def _extract_many(sources: List[bytes]) -> List[tuple]:
    from importguard.cache.facts import to_plain
    from importguard.extract import extract

    with collecting():
        return [to_plain(extract(s)) for s in sources]


def _worker_init() -> None:
    import gc

    gc.enable()  # (forked from a run that turned it off)
    gc.freeze()  # the parser's trees are short-lived; skip scanning what is already loaded
    gc.set_threshold(50_000, 20, 100)  # CST trees hold no reference cycles: collect rarely
    from importguard.extract import extract

    extract(b"import os\n")  # (warm the extractor once per worker; LibCST is imported when a file needs it)


def extract_all(sources: List[bytes], jobs: int) -> List[ModuleFacts]:
    """Facts of each source, in order, using ``jobs`` processes when it pays off."""
    from importguard.cache.facts import from_plain

    if not sources:
        return []
    if jobs <= 1 or _few(sources):
        from importguard.engine import progress
        from importguard.extract import extract, suspicious

        out = []
        with collecting():
            for s in sources:
                # a file that may be nested absurdly runs in its own process: a parser crash costs that file only
                out.append(from_plain(_isolated(s)) if suspicious(s) else extract(s))
                progress.advance(1)
        return out
    return [from_plain(t) for t in _extract_parallel(sources, jobs)]


def _few(sources: List[bytes]) -> bool:
    """Too little to share out among worker processes (they would cost more than they save)."""
    return len(sources) < 8 or sum(map(len, sources)) < 200_000


# LibCST needs ~1.5 KB of memory per byte of source while parsing (sympy's 346 KB test_spin.py
# peaks at 610 MB): files above this size go to one chunk, parsed one after the other, so that
# two of them never fill memory at the same time. A worker does not give that memory back to the
# system once the parse is done: the worker that parsed them exits, and a fresh one goes on.
HUGE = 120_000


def _chunks(sources: List[bytes], jobs: int) -> List[List[int]]:
    """Work units, largest first, dealt round the chunks so that chunks finish together."""
    order = sorted(range(len(sources)), key=lambda i: -len(sources[i]))
    huge = [i for i in order if len(sources[i]) > HUGE]
    rest = [i for i in order if len(sources[i]) <= HUGE]
    n = max(jobs * 4, 1)
    chunks: List[List[int]] = [[] for _ in range(min(n, len(rest)))]
    for k, i in enumerate(rest):
        chunks[k % len(chunks)].append(i)
    return ([huge] if huge else []) + chunks


def _worker_loop(conn) -> None:
    """A worker process: extract each chunk it is sent, until it is sent None."""
    import faulthandler

    # a worker that dies in the parser is an IG900, reported by the parent: no traceback dump on
    # the user's terminal, even when the parent runs with PYTHONFAULTHANDLER or under pytest
    faulthandler.disable()
    _worker_init()
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        conn.send(_extract_many(chunk))


def _run_chunks(sources: List[bytes], chunks: List[List[int]], jobs: int, on_done=None
                ) -> Tuple[Dict[int, tuple], List[List[int]]]:
    """Run ``chunks`` on ``jobs`` worker processes; return the results and the chunks whose worker
    died. Plain processes and pipes rather than ProcessPoolExecutor, whose handling of a worker
    killed by a signal can deadlock on Python 3.9: a dead worker is seen through its sentinel,
    its chunk is set aside and a fresh worker takes the next one."""
    import multiprocessing
    from multiprocessing.connection import wait

    results: Dict[int, tuple] = {}
    crashed: List[List[int]] = []
    todo = list(chunks)
    busy: Dict[Connection, Tuple[BaseProcess, Connection, List[int]]] = {}  # conn -> (process, conn, chunk)

    def start(chunk: List[int]) -> None:
        parent, child = multiprocessing.Pipe()
        proc = multiprocessing.Process(target=_worker_loop, args=(child,), daemon=True)
        proc.start()
        child.close()
        parent.send([sources[i] for i in chunk])
        busy[parent] = (proc, parent, chunk)

    try:
        while todo and len(busy) < jobs:
            start(todo.pop(0))
        while busy:
            ready = wait(list(busy) + [p.sentinel for p, _, _ in busy.values()])
            for conn in list(busy):
                proc, _, chunk = busy[conn]
                if conn in ready or proc.sentinel in ready:
                    try:
                        if not conn.poll():
                            raise EOFError
                        out = conn.recv()
                    except (EOFError, OSError):
                        del busy[conn]
                        conn.close()
                        proc.join(1)
                        crashed.append(chunk)
                        if todo:
                            start(todo.pop(0))
                        continue
                    results.update(zip(chunk, out))
                    if on_done is not None:
                        on_done(len(chunk))
                    if todo and any(len(sources[i]) > HUGE for i in chunk):  # its heap stays that large
                        del busy[conn]
                        conn.send(None)
                        conn.close()
                        proc.join(5)
                        start(todo.pop(0))
                    elif todo:
                        nxt = todo.pop(0)
                        conn.send([sources[i] for i in nxt])
                        busy[conn] = (proc, conn, nxt)
                    else:
                        del busy[conn]
                        conn.send(None)
                        conn.close()
                        proc.join(5)
    finally:
        for proc, conn, _ in busy.values():
            proc.kill()
            conn.close()
    return results, crashed


def _extract_parallel(sources: List[bytes], jobs: int) -> List[tuple]:
    from importguard.cache.facts import to_plain

    try:
        from importguard.engine import progress

        done, crashed = _run_chunks(sources, _chunks(sources, jobs), jobs, on_done=progress.advance)
    except OSError:  # no processes to be had here (sandbox, resource limits): analyse in-process
        return _extract_many(sources)
    results: List[Optional[tuple]] = [done.get(i) for i in range(len(sources))]
    suspects = sorted(i for chunk in crashed for i in chunk)
    for i, plain in _one_worker(sources, suspects):  # a worker died: find the file that kills it
        results[i] = plain
    from importguard.model import failed_facts

    return [r if r is not None else to_plain(failed_facts("analysis crashed")) for r in results]


def _one_worker(sources: List[bytes], todo: List[int]) -> List[Tuple[int, tuple]]:
    """Each file of ``todo`` alone, one worker at a time: when the worker dies, the file it was on
    is the culprit (IG900) and a fresh worker goes on with the next."""
    from importguard.cache.facts import to_plain

    if not todo:
        return []
    try:
        done, crashed = _run_chunks(sources, [[i] for i in todo], 1)
    except OSError:
        return [(i, _extract_many([sources[i]])[0]) for i in todo]
    out = [(i, plain) for i, plain in done.items()]
    from importguard.model import failed_facts

    out.extend((chunk[0], to_plain(failed_facts(_CRASHED))) for chunk in crashed)
    return out


_CRASHED = "the parser crashed on this file (stack overflow or similar)"
# failures that may not happen again (a worker killed for memory): never cached by content hash
_TRANSIENT = (_CRASHED, "analysis crashed", "out of memory")


def _cacheable(facts: ModuleFacts) -> bool:
    return not (facts.error and facts.error.startswith(_TRANSIENT))


def _isolated(source: bytes) -> tuple:
    return _one_worker([source], [0])[0][1]
