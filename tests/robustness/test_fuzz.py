"""Fuzzing (bounded): generated programs through ``check`` and ``fix``.

Properties: nothing raises; every fixed file compiles; a second fix changes nothing; the fixed
package prints exactly what it printed before (every import use in the generated code runs);
a damaged file is reported, never written. ``benchmarks/fuzz.py`` runs the same for longer.
"""
from __future__ import annotations

import ast
import contextlib
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict

import libcst
import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from fuzzgen import mutate, program
from importguard.commands.cli import main
from importguard.commands.fix import FIX_FAILED
from importguard.config.settings import Config
from importguard.engine.pipeline import check
from importguard.extract import extract

OPTIONS = [("--unsafe-fixes",), ("--unsafe-fixes", "--annotation-strategy", "future"),
           ("--unsafe-fixes", "--annotation-strategy", "quote"), ()]
SETTINGS: Dict[str, Any] = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                database=None)


def write(root: Path, files: Dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def read(root: Path, files) -> Dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in files}


def compiles(data: bytes) -> bool:
    try:
        compile(data, "<fuzz>", "exec", dont_inherit=True)
        return True
    except (SyntaxError, ValueError):
        return False


def fix(root: Path, *options: str) -> int:
    old = os.getcwd()
    os.chdir(root)
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            status = main(["fix", "--no-cache", "--jobs", "1", *options, "."])
    finally:
        os.chdir(old)
    assert FIX_FAILED not in err.getvalue(), err.getvalue()  # the run survives it, the test must not
    return status


def run_package(root: Path, files) -> str:
    mods = sorted(rel[:-3].replace("/", ".") for rel in files if "/m" in rel)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", "; ".join(f"import {m}" for m in mods)], cwd=str(root),
                          env=env, capture_output=True, text=True, timeout=120)
    return proc.stdout + (proc.stderr.strip().splitlines() or [""])[-1]


def fix_and_verify(files: Dict[str, bytes], options) -> int:
    """The properties, on one generated package (raises AssertionError with the evidence); returns
    how many files the fix changed."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root, files)
        before = run_package(root, files)
        result = check([str(root)], Config(project_root=root), jobs=1, use_cache=False, cwd=root)
        assert not [d for d in result.diagnostics if d.code == "IG900"], result.diagnostics
        fix(root, *options)
        fixed = read(root, files)
        for rel, data in fixed.items():
            compile(data, rel, "exec", dont_inherit=True)
        assert run_package(root, files) == before, {k: v.decode("utf-8", "replace") for k, v in fixed.items()}
        fix(root, *options)
        assert read(root, files) == fixed  # idempotent
        return sum(fixed[k] != files[k] for k in files)


@settings(max_examples=40, **SETTINGS)
@given(program(), st.sampled_from(OPTIONS))
def test_generated_packages_fix_safely(files, options):
    for rel, data in files.items():
        compile(data, rel, "exec", dont_inherit=True)  # the generator makes valid code
    fix_and_verify(files, options)


@settings(max_examples=60, **SETTINGS)
@given(program(), st.data())
def test_damaged_sources_are_reported_never_written(files, data):
    target = data.draw(st.sampled_from(sorted(k for k in files if "/m" in k)))
    damaged = data.draw(mutate(files[target]))
    facts = extract(damaged)  # never raises
    files = dict(files, **{target: damaged})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root, files)
        result = check([str(root)], Config(project_root=root), jobs=1, use_cache=False, cwd=root)
        ig900 = {d.path for d in result.diagnostics if d.code == "IG900"}
        assert (target in ig900) == (facts.error is not None)
        fix(root, "--unsafe-fixes")
        fixed = read(root, files)
        if facts.error is not None:
            assert fixed[target] == damaged
        for rel, out in fixed.items():
            if out != files[rel] and compiles(files[rel]):
                compile(out, rel, "exec", dont_inherit=True)  # what compiled still compiles


# bytes that often parse: a few statements' worth of tokens, as well as any bytes at all
PYTHONISH = st.lists(st.sampled_from(["import os", "from a import b as c", "x", " = ", "(", ")", ", ", ".", ":", "\n",
                                      "    ", "def f", "if ", "else", "'s'", "#", "\\", "\r", "\xe9", "1"]),
                     max_size=40).map(lambda parts: "".join(parts).encode("utf-8"))


@settings(max_examples=200, **SETTINGS)
@given(st.one_of(st.binary(max_size=400), PYTHONISH))
@example(b"import os\nx = os.sep\n")
@example(b"import os\nif x\n")
@example(b"\\\r\n")
def test_extract_never_raises_on_bytes(data):
    """Nothing raises; the facts have no error when LibCST's own parser reads the bytes (a crash of
    the walk that follows the parse would be reported as an unparsable file), and an error when
    neither LibCST nor Python reads them. Bytes only Python reads (a line continuation, then a CRLF
    at the end of the file) are analysed from Python's parser, or reported unreadable where that
    path declines them: either is right."""
    facts = extract(data)  # an exception fails the test
    nul = b"\x00" in data  # importguard refuses NUL bytes before parsing
    try:
        libcst.parse_module(data)
        parses = not nul
    except Exception:
        parses = False
    try:
        compile(data, "<fuzz>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        python_reads = not nul
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        python_reads = False
    if parses:
        assert facts.error is None, (facts.error, data)
    elif not python_reads:
        assert isinstance(facts.error, str) and facts.error, data


try:
    import hypothesmith
except ImportError:  # it is in the [test] extra; without it only this test is skipped
    hypothesmith = None  # type: ignore[assignment]  # the test that needs it is skipped


def _with_imports(src: str, tail: str) -> bytes:
    try:
        data = (src + tail).encode("utf-8")
        compile(data, "<generated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeEncodeError, RecursionError, MemoryError):
        assume(False)
    return data


LIBCST_REFUSES = "LibCST cannot parse it"
TAILS = ["\nimport os\n", "\nimport os, sys\nprint(sys)\n", "\nfrom decimal import Decimal\nx: Decimal = 1\n",
         "\ndef _f():\n    import json\n"]


@pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed (pip install -e '.[test]')")
@settings(max_examples=40, **SETTINGS)
@given(hypothesmith.from_node() if hypothesmith else st.nothing(), st.sampled_from(TAILS), st.sampled_from(OPTIONS))
def test_hypothesmith_programs(src, tail, options):
    data = _with_imports(src, tail)
    facts = extract(data)
    # valid code LibCST 1.9 refuses (a lone backslash line before `except`/`else`): IG900, no write
    assert facts.error is None or facts.error.startswith(LIBCST_REFUSES), (facts.error, data)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "mod.py").write_bytes(data)
        fix(root, *options)
        fixed = (root / "mod.py").read_bytes()
        assert facts.error is None or fixed == data
        compile(fixed, "mod.py", "exec", dont_inherit=True)
        fix(root, *options)
        assert (root / "mod.py").read_bytes() == fixed
