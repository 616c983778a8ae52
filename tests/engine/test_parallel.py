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
