"""Parallel extraction finds exactly what a single process finds, also after a worker crash."""
import json
import random

from helpers import run_cli, write_tree


def _repo(tmp_path, n=60, seed=7):
    rnd = random.Random(seed)
    files = {"pkg/__init__.py": ""}
    pad = "# padding line to make the run big enough for worker processes\n" * 80
    for i in range(n):
        lines = ["import os", "import json"]
        for j in rnd.sample(range(n), 3):
            if j != i:
                lines.append(f"from pkg import m{j}")
        lines.append("print(json.dumps(1))")
        files[f"pkg/m{i}.py"] = "\n".join(lines) + "\n" + pad
    return write_tree(tmp_path, files)


def _doc(tmp_path, jobs):
    proc = run_cli(["check", "--no-cache", "--format", "json", "--jobs", str(jobs)], tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    doc["summary"].pop("seconds")
    return doc


def test_jobs_do_not_change_findings(tmp_path):
    _repo(tmp_path)
    one, two = _doc(tmp_path, 1), _doc(tmp_path, 2)
    assert one == two
    assert sum(d["message"] == "`os` imported but unused" for d in one["diagnostics"]) == 60
    assert any(c["kind"] == "import-time" for c in one["cycles"])
    assert _doc(tmp_path, 2) == two  # and the same again: deterministic


# ---------------------------------------------------------------------------- the simulation's processes
def _cyclic(root, n=10):
    files = {"pyproject.toml": '[project]\nname = "app"\n', "app/__init__.py": "from app import base\n",
             "app/base.py": "import app\nBASE = 1\n", "app/c.py": "import app.d\nC = 1\n",
             "app/d.py": "import app.c\nD = 1\nfrom app.c import C\n", "tools/__init__.py": "",
             "tools/x.py": "from app.base import BASE\nX = BASE\n"}
    for i in range(n):
        files[f"app/sub{i % 3}/__init__.py"] = "from app import base\n"
        files[f"app/sub{i % 3}/m{i}.py"] = f"from app.base import BASE\nimport app.sub{(i + 1) % 3}.m{(i + 1) % n}\n"
    return write_tree(root, files)


def _run(root, jobs, use_cache):
    from importguard.config.settings import load_config
    from importguard.engine import pipeline as engine

    result = engine.check(["."], load_config(root), jobs=jobs, cwd=root, use_cache=use_cache)
    return sorted(tuple(d) for d in result.diagnostics), dict(engine.LAST_RUN)


def _sim_records(root):
    from importguard.cache.facts import Store

    (path,) = (root / ".importguard_cache").glob("results-*.marshal")
    return {k: v for k, v in Store(path).data.items() if k.startswith("sim")}


def test_the_simulation_uses_the_jobs_processes(tmp_path, monkeypatch):
    from importguard.analysis import simfork

    forks = simfork.can_fork()  # Linux: the simulation forks; elsewhere it stays in one process
    monkeypatch.setattr(simfork, "SEQUENTIAL_SECONDS", 0.0)  # forks however small the repository
    one, two = _cyclic(tmp_path / "one"), _cyclic(tmp_path / "two")
    for use_cache in (False, True):
        found1, stats1 = _run(one, 1, use_cache)
        found2, stats2 = _run(two, 2, use_cache)
        assert found1 == found2
        assert any(f[3] == "IG301" for f in found1)
        assert "simulated_in_processes" not in stats1  # --jobs 1: one process
        assert (stats2.get("simulated_in_processes", 0) > 0) == forks
        assert stats1["simulated"] == stats2["simulated"]
    assert _sim_records(one) == _sim_records(two)  # the same outcomes kept, under the same keys


def test_the_worker_that_parsed_the_huge_files_is_replaced(monkeypatch):
    """The memory a parse of a huge file takes stays with its process: after the chunk of huge
    files, a fresh worker parses the rest (each chunk's results say which process made them)."""
    import os

    from importguard.engine import extraction

    monkeypatch.setattr(extraction, "HUGE", 50)
    monkeypatch.setattr(extraction, "_extract_many", lambda chunk: [(os.getpid(), len(s)) for s in chunk])
    sources = [b"x = 1\n" * 20, b"y = 2\n", b"z = 3\n", b"w = 4\n"]
    chunks = extraction._chunks(sources, 1)
    assert chunks[0] == [0]  # the huge file first, alone in its chunk
    done, crashed = extraction._run_chunks(sources, chunks, 1)
    assert not crashed
    assert sorted(done) == [0, 1, 2, 3] and all(done[i][1] == len(sources[i]) for i in done)
    pids = {i: done[i][0] for i in done}
    assert pids[0] != os.getpid() and pids[1] != os.getpid()
    assert pids[0] not in {pids[1], pids[2], pids[3]}
    assert len({pids[1], pids[2], pids[3]}) == 1  # without huge files, one worker goes on
