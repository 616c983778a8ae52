"""Progress on a terminal: shown on stderr for check, fix and graph once a run passes about a
second; never when stderr is not a terminal, with --quiet, under pre-commit or in flake8."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from typing import List, Optional

import pytest

from helpers import SRC, write_tree

# the one-second delay is set to 0 so that a small project shows progress
RUN = ("import sys\nimport importguard.engine.progress as p\np.DELAY = 0\np.REFRESH = 0\n"
       "from importguard.commands.cli import main\nsys.exit(main(sys.argv[1:]))\n")


@pytest.fixture
def repo(tmp_path):
    files = {"pyproject.toml": "[project]\nname = 'demo'\n", "pkg/__init__.py": ""}
    for i in range(20):
        files[f"pkg/m{i}.py"] = "import os\n\n\ndef f():\n    return 1\n"
    return write_tree(tmp_path, files)


def run(args: List[str], cwd, *, tty: bool = True, env: Optional[dict] = None, script: str = RUN):
    """Run with stderr on a pseudo-terminal (or a pipe); return (returncode, stdout, stderr)."""
    e = dict(os.environ, PYTHONPATH=SRC)
    e.pop("PRE_COMMIT", None)
    e.update(env or {})
    if not tty:
        proc = subprocess.run([sys.executable, "-c", script, *args], cwd=str(cwd), env=e, capture_output=True,
                              text=True, timeout=300)
        return proc.returncode, proc.stdout, proc.stderr
    master, slave = pty.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-c", script, *args], cwd=str(cwd), env=e,
                                 stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            err += chunk
        assert child.stdout is not None
        out = child.stdout.read()
        child.wait(timeout=300)
    finally:
        os.close(master)
    return child.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("command", [["check"], ["fix", "--diff"], ["graph", "--format", "json"]])
def test_progress_on_a_terminal(repo, command):
    rc, out, err = run([*command, "--no-cache", "--jobs", "1", "."], repo)
    assert rc in (0, 1), err
    assert "1/21 files parsed" in err and "21/21 files parsed" in err, err
    assert "files/s" in err and " left" in err
    last = err.rindex("files parsed")
    assert "\r\x1b[K" in err[last:]  # the line is erased before anything else is printed
    assert "importguard:" not in err[err.index("\r\x1b[K", last):]
    assert "files parsed" not in out


def test_progress_in_parallel_counts_every_file(tmp_path):
    # enough code for the worker processes (200 kB)
    files = {"pyproject.toml": "[project]\nname = 'demo'\n", "pkg/__init__.py": ""}
    for i in range(20):
        files[f"pkg/m{i}.py"] = "import os\n" + "x = 1\n" * 1800
    repo = write_tree(tmp_path, files)
    rc, out, err = run(["check", "--no-cache", "--jobs", "2", "."], repo)
    assert rc == 1 and out.count(": IG100") == 20
    assert "21/21 files parsed" in err, err


@pytest.mark.parametrize("how", ["quiet", "pre-commit", "pipe"])
def test_no_progress(repo, how):
    args = ["check", "--no-cache", "--jobs", "1", "."]
    if how == "quiet":
        args.insert(1, "--quiet")
    rc, out, err = run(args, repo, tty=how != "pipe", env={"PRE_COMMIT": "1"} if how == "pre-commit" else None)
    assert rc == 1 and "IG100" in out
    assert "files parsed" not in err and "\x1b[K" not in err


def test_no_progress_before_the_delay(repo):
    script = RUN.replace("p.DELAY = 0", "p.DELAY = 3600")
    rc, out, err = run(["check", "--no-cache", "--jobs", "1", "."], repo, script=script)
    assert rc == 1 and "files parsed" not in err
    from importguard.engine import progress

    assert progress.DELAY == 1.0


def test_no_progress_in_the_flake8_plugin(repo):
    pytest.importorskip("flake8")
    script = ("import sys\nimport importguard.engine.progress as p\np.DELAY = 0\np.REFRESH = 0\n"
              "from flake8.main.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    rc, out, err = run(["--select", "IG", "-j", "1", "."], repo, script=script)
    assert rc == 1 and "IG100" in out, out + err
    assert "files parsed" not in err
