"""Property: over generated import blocks and uses, a fixed file parses, a second fix changes
nothing, and no fixable finding remains."""
from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from importguard.commands.cli import build_parser, main, make_config
from importguard.engine.pipeline import check

MODULES = ["os", "sys", "json", "decimal", "fractions", "collections.abc"]
FROMS = [("decimal", ["Decimal", "localcontext"]), ("fractions", ["Fraction"]),
         ("collections", ["OrderedDict", "deque", "Counter"]), ("typing", ["Optional", "List"])]


@st.composite
def import_stmt(draw):
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(MODULES), min_size=1, max_size=3, unique=True))
        alias = draw(st.sampled_from(["", " as m1", " as m2"])) if len(names) == 1 else ""
        return f"import {', '.join(names)}{alias}"
    mod, pool = draw(st.sampled_from(FROMS))
    names = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
    style = draw(st.sampled_from(["flat", "paren", "multiline"]))
    if style == "flat":
        return f"from {mod} import {', '.join(names)}"
    if style == "paren":
        return f"from {mod} import ({', '.join(names)})"
    inner = "".join(f"    {n},{'  # about ' + n if i % 2 == 0 else ''}\n" for i, n in enumerate(names))
    return f"from {mod} import (  # block\n{inner})"


def bound_names(stmt: str):
    out = []
    body = stmt.split("import ", 1)[1] if stmt.startswith("import ") else stmt.split(" import ", 1)[1]
    body = body.replace("(", "").replace(")", "")
    for part in body.replace("\n", ",").split(","):
        part = part.split("#")[0].strip()
        if not part:
            continue
        if " as " in part:
            out.append(part.split(" as ")[1].strip())
        elif stmt.startswith("import "):
            out.append(part.split(".")[0])
        else:
            out.append(part)
    return out


USES = [
    "print({n})",
    "def use_{i}(a: {n}) -> None: ...",
    "x_{i}: '{n}' = None",
    "def run_{i}():\n    return {n}",
    "def local_{i}():\n    v: {n} = None\n    return v",
]


@st.composite
def module_source(draw):
    lines = []
    if draw(st.booleans()):
        lines.append('"""Module docstring."""')
    if draw(st.booleans()):
        lines.append("from __future__ import annotations")
    stmts = draw(st.lists(import_stmt(), min_size=1, max_size=5))
    names = []
    for s in stmts:
        where = draw(st.sampled_from(["top", "top", "semicolon", "tc", "func"]))
        if where == "semicolon":
            lines.append(f"{s.splitlines()[0]}; flag = 1" if "\n" not in s else s)
        elif where == "tc":
            lines.append("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n" + "".join(
                f"    {ln}\n" for ln in s.splitlines()).rstrip("\n"))
        elif where == "func":
            lines.append("def holder():\n" + "".join(f"    {ln}\n" for ln in s.splitlines()).rstrip("\n"))
            continue
        names.extend(bound_names(s))
    for i, n in enumerate(sorted(set(names))):
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(USES)).format(n=n, i=i))
    return "\n".join(lines) + "\n"


def run(root: Path, *args: str) -> None:
    old = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main(["fix", "--no-cache", "--jobs", "1", "-q", *args, "."])
    finally:
        os.chdir(old)


def fixable_left(root: Path, *args: str):
    ns = build_parser().parse_args(["fix", *args, str(root)])
    config = make_config(ns)
    unsafe = "--unsafe-fixes" in args
    result = check([str(root)], config, jobs=1, use_cache=False)
    return [d for d in result.diagnostics if d.fix is not None and (d.fix.safe or unsafe)]


OPTIONS = st.sampled_from([(), ("--unsafe-fixes",), ("--unsafe-fixes", "--annotation-strategy", "future"),
                           ("--unsafe-fixes", "--annotation-strategy", "quote")])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(module_source(), OPTIONS)
def test_fix_parses_is_stable_and_complete(src, options):
    compile(src, "generated.py", "exec")  # the generator makes valid code
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "generated.py"
        path.write_text(src)
        run(root, *options)
        once = path.read_text()
        compile(once, "generated.py", "exec")
        run(root, *options)
        assert path.read_text() == once, f"second fix changed:\n{src}\n---\n{once}"
        left = fixable_left(root, *options)
        refusable = {"move-to-type-checking", "move-out-of-type-checking"}  # may be refused with a reason
        assert [d for d in left if d.fix.kind not in refusable] == [], f"{src}\n---\n{once}\n{left}"
