"""The usual ``importguard check`` read without argparse (``commands.quickargs``): the same
namespace as argparse gives for every form it reads, and argparse for everything else."""
from __future__ import annotations

import random
import subprocess
import sys
from typing import List, Optional

import pytest

from importguard.commands.cli import build_parser
from importguard.commands.quickargs import check_args

FORMS = [
    ["check"], ["check", "."], ["check", "-q", "."], ["check", "--jobs", "2", "-q", "."],
    ["check", "--jobs=2", "--no-cache", "a.py", "b/c.py"], ["check", "-j", "3", "--force-exclude", "x.py"],
    ["check", "--format", "json", "--select", "IG1,IG300", "--ignore=IG400", "src"],
    ["check", "--extend-select", "IG5", "--config", "pyproject.toml", "-o", "out.txt", "--baseline", "b.json"],
    ["check", "--output-file=r.sarif", "--format=sarif", "--quiet"], ["check", "--select=", "."],
    ["check", "--jobs", "02", "a=b.py", ""], ["check", "-q", "-q", "--jobs", "1", "--jobs", "4"],
]
OTHERS = [
    ["check", "--help"], ["check", "--no-c", "."], ["check", "a.py", "-q"], ["check", "--", "-x.py"],
    ["check", "-j2"], ["check", "-qj", "2"], ["check", "--jobs", "-1"], ["check", "--jobs", "two"],
    ["check", "--format", "dot"], ["check", "--select", "-x"], ["check", "-"], ["check", "--sort", "cost"],
    ["check", "--color=never"], ["check", "--jobs"], ["fix", "."], ["graph"], [], ["--version"],
    ["check", "--write-baseline", "b.json"], ["check", "--extra-report", "json=r.json"], ["check", "-o=x"],
    ["check", "--jobs", "²"], ["check", "---q"],
]


def _argparse(argv: List[str]) -> Optional[dict]:
    try:
        return vars(build_parser(argv[0] if argv else None).parse_args(argv))
    except SystemExit:
        return None


@pytest.mark.parametrize("argv", FORMS)
def test_the_usual_forms_read_as_argparse_reads_them(argv: List[str]) -> None:
    got = check_args(argv)
    assert got is not None
    assert vars(got) == _argparse(argv)


@pytest.mark.parametrize("argv", OTHERS)
def test_other_forms_go_to_argparse(argv: List[str]) -> None:
    assert check_args(argv) is None


def test_random_command_lines_read_the_same_or_go_to_argparse() -> None:
    rng = random.Random(3)
    words = ["-q", "--quiet", "--no-cache", "--force-exclude", "--jobs", "-j", "2", "0", "--format", "json", "text",
             "github", "--select", "IG1", "--ignore", "IG300", "--config", "--baseline", "-o", "a.py", "src",
             "--jobs=3", "--format=markdown", "--select=IG2", "--", "-", "--sort", "cost", "x=y"]
    read = 0
    for _ in range(3000):
        argv = ["check"] + [rng.choice(words) for _ in range(rng.randrange(0, 7))]
        got = check_args(argv)
        if got is not None:
            read += 1
            assert vars(got) == _argparse(argv), argv
    assert read > 300


def test_a_run_that_finds_nothing_changed_imports_no_argparse(tmp_path) -> None:
    (tmp_path / "m.py").write_text("import os\n")
    code = ("import sys; from importguard.commands.cli import main; main(['check', '-q', '.']); "
            "print('argparse' in sys.modules, 'locale' in sys.modules)")
    for _ in range(2):  # the second finds the first's results
        out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "False False", out.stdout + out.stderr
