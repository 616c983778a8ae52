"""The extractor's copies of LibCST's node classes (``extract.nodes``) against LibCST itself."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from importguard.extract import fromast, nodes

ROOT = Path(__file__).resolve().parents[2]


def _libcst_classes() -> dict:
    return {name: c for name in dir(cst) if isinstance(c := getattr(cst, name), type) and issubclass(c, cst.CSTNode)
            and dataclasses.is_dataclass(c) and not getattr(c, "__abstractmethods__", None)}


def test_every_class_with_libcsts_fields_in_libcsts_order() -> None:
    real = _libcst_classes()
    assert set(nodes.CLASSES) == set(real)
    for name, kind in real.items():
        assert nodes.CLASSES[name].FIELDS == tuple(f.name for f in dataclasses.fields(kind)), name  # type: ignore[attr-defined]


def test_the_defaults_nothing_sets() -> None:
    """Where LibCST's default is a plain value (or ``MaybeSentinel.DEFAULT``), the copy's is the same."""
    for name, kind in _libcst_classes().items():
        for f, mine in zip(dataclasses.fields(kind), nodes.CLASSES[name].DEFAULTS):  # type: ignore[attr-defined]
            if f.default is cst.MaybeSentinel.DEFAULT:
                assert mine is nodes.MaybeSentinel.DEFAULT, (name, f.name)
            elif isinstance(f.default, (str, bool, int)) or f.default is None:
                assert mine == f.default, (name, f.name)


def test_the_abstract_classes_the_walk_tests_for() -> None:
    for name, kind in _libcst_classes().items():
        for base in ("BaseSmallStatement", "MatchSequence"):
            assert issubclass(kind, getattr(cst, base)) == issubclass(nodes.CLASSES[name], getattr(nodes, base)), name


def _same(real: object, mine: object, where: str = "") -> None:
    if isinstance(real, cst.CSTNode):
        assert type(mine).__name__ == type(real).__name__, where
        for f in dataclasses.fields(real):
            _same(getattr(real, f.name), getattr(mine, f.name), f"{where}.{f.name}")
    elif isinstance(real, (list, tuple)):
        assert isinstance(mine, tuple) and len(mine) == len(real), where
        for i, (a, b) in enumerate(zip(real, mine)):
            _same(a, b, f"{where}[{i}]")
    elif real is cst.MaybeSentinel.DEFAULT:
        assert mine is nodes.MaybeSentinel.DEFAULT, where
    else:
        assert mine == real, where


def test_a_copy_keeps_every_field_and_position() -> None:
    from importguard.extract.positions import positions

    for path in sorted((ROOT / "src" / "importguard" / "extract").glob("*.py"))[:8]:
        module = cst.parse_module(path.read_bytes())
        start, end, _ = positions(module)
        new_start: dict = {}
        new_end: dict = {}
        copy = nodes.to_mirror(module, start, end, new_start, new_end)
        _same(module, copy, path.name)
        assert sorted(new_start.values()) == sorted(start.values())
        assert sorted(new_end.values()) == sorted(end.values())


def test_string_values_as_libcst_reads_them() -> None:
    for text in ['"a"', "'b'", 'b"\\x00"', "rb'\\d'", "'''x\ny'''", 'U"é"', "'{x}'"]:
        real: Any = cst.parse_expression(text)
        mine = nodes.to_mirror(real)
        assert (mine.prefix, mine.evaluated_value) == (real.prefix, real.evaluated_value), text


@pytest.mark.skipif(not fromast.AVAILABLE, reason="files are read with LibCST before Python 3.10")
def test_a_file_read_with_ast_never_imports_libcst() -> None:
    """``import libcst`` costs 0.2 s: the run that extracts one changed file must not pay it."""
    code = ("import sys\nfrom importguard.extract import extract\n"
            "f = extract(b'import os\\nx: \"os.PathLike\" = os.sep\\n')\n"
            "assert f.imports and 'libcst' not in sys.modules, sorted(m for m in sys.modules if 'cst' in m)\n"
            "extract(b'x = 1  # type: int\\n')\n"  # a type comment: LibCST reads this one
            "assert 'libcst' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                   env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


def test_a_class_a_newer_libcst_adds_is_copied_all_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not an IG900 for every file using the new syntax: the copy learns the class from LibCST."""
    monkeypatch.delitem(nodes.CLASSES, "Ellipsis")  # as if the table did not know it
    copy = nodes.to_mirror(cst.parse_expression("f(..., x)"))
    learned = type(copy.args[0].value)
    assert learned.__name__ == "Ellipsis" and learned is not nodes.Ellipsis
    assert learned.FIELDS == tuple(f.name for f in dataclasses.fields(cst.Ellipsis))
