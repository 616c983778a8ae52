"""The import simulation on several processes (``simfork``) gives exactly the outcome of one walk
in one process, field by field, whatever the chunks and whichever process walks them; a worker
that dies, raises or cannot start leaves its chunks to the parent; no process outlives the call."""
from __future__ import annotations

import multiprocessing
import os
import random
import threading
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cyclegen import modules_of, trees
from importguard.analysis import simfork
from importguard.analysis.conditions import World
from importguard.analysis.interpreter import Simulator
from importguard.analysis.prefixwalk import Walk
from importguard.analysis.simulate import Outcome, outcome, simulate
from importguard.analysis.simulation import sorted_order

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo

pytestmark = pytest.mark.skipif(not simfork.can_fork(), reason="forks only on Linux, single-threaded")


def _fields(o: Outcome) -> tuple:
    # the dicts' order too: the failures of one key keep the first in the walk's order
    return (list(o.failed.items()), list(o.failures.items()), o.entries, o.tests, o.ran, o.trace)


def _setup(modules, sorted_imports: bool):
    first_party = {m.split(".", 1)[0] for m in modules}

    def order(name: str) -> List[int]:
        return sorted_order(modules[name], first_party)

    return order if sorted_imports else None


def _below_base(modules, entries, world, order) -> int:
    """How many entries the workers walk when every chunk goes to a worker: those below the
    prefixes all entries share (none when one of those raised)."""
    walk = Walk(Simulator(modules, order=order, world=world), entries)
    base = simfork._descend(walk)
    if base is None:
        return 0
    return sum(1 for e in entries if not base or e.startswith(base + "."))


@pytest.fixture
def forks_at_once(monkeypatch):
    monkeypatch.setattr(simfork, "SEQUENTIAL_SECONDS", 0.0)  # every chunk to a worker


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees(), st.sampled_from([World((3, 9), "linux"), World((3, 13), "win32")]), st.booleans(),
       st.integers(2, 3))
def test_processes_give_the_outcome_of_one_walk(files, world, sorted_imports, jobs):
    modules = modules_of(files)
    entries = sorted(modules)
    order = _setup(modules, sorted_imports)
    one = simulate(modules, entries, world=world, order=order)
    saved = simfork.SEQUENTIAL_SECONDS
    simfork.SEQUENTIAL_SECONDS = 0.0
    try:
        stats: Dict[str, int] = {}
        many = simulate(modules, entries, world=world, order=order, jobs=jobs, stats=stats)
    finally:
        simfork.SEQUENTIAL_SECONDS = saved
    assert _fields(many) == _fields(one)
    walked = _below_base(modules, entries, world, order)
    parallel = stats.get("simulated_in_processes", 0) + stats.get("simulated_alongside", 0)
    assert parallel == (walked if walked >= 2 else 0)
    assert (stats.get("simulated_in_processes", 0) > 0) == (walked >= 2)
    assert not multiprocessing.active_children()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees(), st.booleans(), st.randoms(use_true_random=False))
def test_any_chunks_in_any_order_give_the_outcome_of_one_walk(files, sorted_imports, rnd):
    """In one process: the entries cut anywhere, the chunks walked in a random order by one
    cursor (which keeps the prefixes of one chunk for the next, as a worker does), put together
    in the walk's order."""
    modules = modules_of(files)
    entries = sorted(modules)
    order = _setup(modules, sorted_imports)
    one = simulate(modules, entries, order=order)
    walk = Walk(Simulator(modules, order=order), entries)
    base = simfork._descend(walk)
    if base is not None:
        below = simfork._subtree(walk.children, walk.wanted, base)
        if below and below[0] == base:
            below = below[1:]
        cuts = sorted(rnd.sample(range(1, len(below)), rnd.randint(0, len(below) - 1))) if len(below) > 1 else []
        chunks = [below[i:j] for i, j in zip([0] + cuts, cuts + [len(below)])] if below else []
        cursor = simfork._Cursor(walk, base)
        done = {}
        for k in rnd.sample(range(len(chunks)), len(chunks)):
            done[k] = cursor.run(chunks[k])
        for k in range(len(chunks)):
            fails, visited, ran = done[k]
            walk.fails.extend(fails)
            walk.visited.update(visited)
            walk.ran.update(ran)
    assert _fields(outcome(walk)) == _fields(one)


# ---------------------------------------------------------------------------- a fixed repository
def _repo() -> Dict[str, ModuleInfo]:
    """Two packages whose modules import the package first (a cycle through every ``__init__``);
    some entries fail (``app.c`` reads ``app.d.D`` before ``app.d`` defines it)."""
    files = {"app/__init__.py": "from app import base\n", "app/base.py": "import app\nBASE = 1\n",
             "lib/__init__.py": "", "lib/x.py": "from app.base import BASE\nX = BASE\n"}
    for i in range(12):
        files[f"app/m{i}.py"] = f"from app.base import BASE\nimport app.m{(i + 1) % 12}\nM{i} = BASE\n"
    files["app/c.py"] = "import app.d\nC = 1\n"
    files["app/d.py"] = "import app.c\nD = 1\nfrom app.c import C\n"
    files["app/e.py"] = "from app.f import F\nE = 1\n"
    files["app/f.py"] = "from app.e import E\nF = 1\n"
    return modules_of(files)


def _one_and_many(**kw) -> Tuple[Outcome, Outcome, Dict[str, int]]:
    modules = _repo()
    entries = sorted(modules)
    stats: Dict[str, int] = {}
    return simulate(modules, entries), simulate(modules, entries, jobs=2, stats=stats, **kw), stats


def test_the_fixed_repository_is_walked_by_workers(forks_at_once):
    one, many, stats = _one_and_many()
    assert one.failed  # the cycles fail: the outcome is not trivially empty
    assert _fields(many) == _fields(one)
    # no prefix shared by every entry: all of them walked once the worker started, some by it
    assert stats["simulated_in_processes"] + stats["simulated_alongside"] == len(_repo())
    assert stats["simulated_in_processes"] > 0
    assert not multiprocessing.active_children()


def test_this_process_walks_a_share_beside_jobs_minus_one_workers(monkeypatch, forks_at_once):
    """--jobs 2: one worker and this process walk (two processes busy, not three alive with one
    of them waiting); the worker's results are taken while this process walks its own chunks."""
    started = []
    real_start = multiprocessing.process.BaseProcess.start

    def start(self) -> None:
        started.append(self)
        real_start(self)

    answered = []
    real_run = simfork._Cursor.run

    def run(self, chunk, tick=None):
        def counted() -> None:
            answered.append(1)
            tick()
        return real_run(self, chunk, counted if tick is not None else None)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    monkeypatch.setattr(simfork._Cursor, "run", run)
    one, many, stats = _one_and_many()
    assert _fields(many) == _fields(one)
    assert len(started) == 1
    assert stats["simulated_alongside"] > 0 and stats["simulated_in_processes"] > 0
    assert answered  # this process looked at its worker between two of its own prefixes
    assert not multiprocessing.active_children()


def test_a_slow_start_walks_everything_here(monkeypatch):
    monkeypatch.setattr(simfork, "SEQUENTIAL_SECONDS", 3600.0)
    one, many, stats = _one_and_many()
    assert _fields(many) == _fields(one)
    assert "simulated_in_processes" not in stats  # below the threshold: no process started


def _in_children_only(monkeypatch, action, after: int = 0) -> None:
    """``_Cursor.run`` does ``action`` in a forked worker (after ``after`` chunks there)."""
    parent = os.getpid()
    real = simfork._Cursor.run
    count = {"n": 0}

    def run(self, chunk, tick=None):
        if os.getpid() != parent:
            count["n"] += 1
            if count["n"] > after:
                action()
        return real(self, chunk, tick)

    monkeypatch.setattr(simfork._Cursor, "run", run)


def test_a_worker_that_dies_leaves_its_chunks_to_the_parent(monkeypatch, forks_at_once):
    _in_children_only(monkeypatch, lambda: os._exit(3))
    one, many, stats = _one_and_many()
    assert _fields(many) == _fields(one)
    assert "simulated_in_processes" not in stats
    assert not multiprocessing.active_children()


def test_workers_that_die_midway_keep_what_they_sent(monkeypatch, forks_at_once):
    _in_children_only(monkeypatch, lambda: os._exit(3), after=2)
    one, many, stats = _one_and_many()
    assert _fields(many) == _fields(one)
    assert 0 < stats["simulated_in_processes"] < len(_repo())


def test_a_worker_that_raises_leaves_its_chunks_to_the_parent(monkeypatch, forks_at_once, capfd):
    def boom() -> None:
        raise RuntimeError("worker bug")

    _in_children_only(monkeypatch, boom, after=1)
    one, many, stats = _one_and_many()
    assert _fields(many) == _fields(one)
    assert 0 < stats["simulated_in_processes"] < len(_repo())
    assert "worker bug" not in capfd.readouterr().err  # quietly: the parent walks the chunk


@pytest.mark.parametrize("error", [OSError("no processes here"), AssertionError("daemonic processes are not "
                                                                                "allowed to have children")])
def test_no_worker_started_walks_everything_here(monkeypatch, forks_at_once, error):
    def start(self) -> None:
        raise error

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    one, many, stats = _one_and_many()
    assert _fields(many) == _fields(one)
    assert "simulated_in_processes" not in stats


def _in_daemon(conn) -> None:
    simfork.SEQUENTIAL_SECONDS = 0.0
    simfork.can_fork = lambda: True  # as if the check missed it: ``start`` refuses
    one, many, stats = _one_and_many()
    conn.send((_fields(many) == _fields(one), stats))


def test_a_daemonic_process_simulates_alone():
    """A ``flake8 -j`` worker is a daemonic process: multiprocessing refuses it children."""
    ctx = multiprocessing.get_context("fork")
    mine, theirs = ctx.Pipe()
    proc = ctx.Process(target=_in_daemon, args=(theirs,), daemon=True)
    proc.start()
    try:
        assert mine.poll(60)
        same, stats = mine.recv()
    finally:
        proc.join(10)
    assert same
    assert "simulated_in_processes" not in stats


def test_no_process_outlives_an_interrupted_call(monkeypatch, forks_at_once):
    started: List[multiprocessing.process.BaseProcess] = []
    real_start = multiprocessing.process.BaseProcess.start

    def start(self) -> None:
        real_start(self)
        started.append(self)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    monkeypatch.setattr(multiprocessing.connection, "wait", interrupted)
    modules = _repo()
    with pytest.raises(KeyboardInterrupt):
        simulate(modules, sorted(modules), jobs=2)
    assert len(started) == 1  # --jobs 2: one worker beside this process
    for proc in started:
        assert proc.exitcode is not None and proc.pid is not None  # ended and reaped
        with pytest.raises(ProcessLookupError):
            os.kill(proc.pid, 0)
    assert not multiprocessing.active_children()


def test_another_thread_keeps_it_in_one_process(forks_at_once):
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        one, many, stats = _one_and_many()
    finally:
        stop.set()
        t.join()
    assert _fields(many) == _fields(one)
    assert "simulated_in_processes" not in stats


def test_one_job_never_forks(monkeypatch, forks_at_once):
    def refuse(*args, **kwargs) -> None:
        raise AssertionError("walked in processes with jobs=1")

    monkeypatch.setattr(simfork, "walk_in_processes", refuse)
    modules = _repo()
    simulate(modules, sorted(modules), jobs=1)


def test_chunks_follow_the_walk(forks_at_once):
    """The chunks are contiguous in the walk's order: the result's failures of one key keep the
    first in that order (checked above); here, the order itself."""
    modules = _repo()
    walk = Walk(Simulator(modules), sorted(modules))
    assert simfork._subtree(walk.children, walk.wanted, "") == sorted(modules)
    rnd = random.Random(1)
    names = ["p", "p.a", "p.a.b", "p.ab", "p.a_", "p.a.b.c", "q", "p.a0"]
    rnd.shuffle(names)
    walk = Walk(Simulator({}), names)
    got: Optional[List[str]] = simfork._subtree(walk.children, walk.wanted, "")
    assert got == ["p", "p.a", "p.a.b", "p.a.b.c", "p.a0", "p.a_", "p.ab", "q"]
