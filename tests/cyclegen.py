"""Random packages with cyclic imports, and the real interpreter's verdict on each of their modules.

Shared by tests/analysis/test_simulate.py (a bounded hypothesis run) and benchmarks/cycles_agreement.py (a
long run). Every module defines the same public names, so the only way an import can fail is the
order in which modules run: exactly what IG301 predicts.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

from hypothesis import strategies as st

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.analysis.graph import ModuleInfo

NAMES = ("V0", "V1", "F", "K")
DEFS = {"V0": "V0 = 0", "V1": "V1 = 1", "F": "def F():\n    return 0", "K": "class K:\n    pass"}


def module_names(n_mods: int, with_sub: bool) -> List[str]:
    names = ["pkg"] + [f"pkg.m{i}" for i in range(n_mods)]
    if with_sub:
        names += ["pkg.sub", "pkg.sub.s0", "pkg.sub.s1"]
    return names


def path_of(module: str, packages: set) -> str:
    rel = module.replace(".", "/")
    return rel + "/__init__.py" if module in packages else rel + ".py"


def _relative(src: str, src_is_pkg: bool, target: str) -> Optional[Tuple[str, str]]:
    """``from <rel> import <last>`` spelling of ``target`` from ``src``, when one exists."""
    here = src.split(".") if src_is_pkg else src.split(".")[:-1]
    parent, _, last = target.rpartition(".")
    if not parent:
        return None
    pparts = parent.split(".")
    common = 0
    while common < min(len(here), len(pparts)) and here[common] == pparts[common]:
        common += 1
    if common == 0:
        return None
    up = len(here) - common
    rest = ".".join(pparts[common:])
    return "." * (up + 1) + rest, last


@st.composite
def statement(draw, src: str, src_is_pkg: bool, modules: List[str], k: int) -> str:
    others = [m for m in modules if m != src]
    y = draw(st.sampled_from(others))
    n = draw(st.sampled_from(NAMES))
    parent, _, last = y.rpartition(".")
    kind = draw(st.sampled_from((
        "import", "import_as", "from_parent", "from_name", "rel_name", "rel_module", "access",
        "access_from", "class_import", "class_access", "deferred", "try", "type_checking", "star",
        "main", "store", "multi_from", "multi_import", "annotation", "default", "lambda", "comprehension",
        "suppress", "try_else", "if_true", "nested_class", "version_if", "platform_if", "call", "decorator",
        "alike_modules", "alike_names", "one_world_name", "alike_try", "alike_call", "alike_value",
    )))
    rel = _relative(src, src_is_pkg, y)
    if kind == "import":
        return f"import {y}"
    if kind == "import_as":
        return f"import {y} as _a{k}"
    if kind == "from_parent" and parent:
        return f"from {parent} import {last}"
    if kind == "rel_module" and rel:
        return f"from {rel[0]} import {rel[1]}"
    if kind == "rel_name" and rel:
        dots, lastpart = rel
        target = dots + lastpart if dots.endswith(".") else f"{dots}.{lastpart}"
        return f"from {target} import {n}"
    if kind == "access":
        return f"import {y}\n_v{k} = {y}.{n}"
    if kind == "access_from" and parent:
        return f"from {parent} import {last} as _m{k}\n_v{k} = _m{k}.{n}"
    if kind == "class_import":
        return f"class C{k}:\n    from {y} import {n}\n    a = {n}"
    if kind == "class_access" and parent:
        return f"from {parent} import {last} as _m{k}\nclass C{k}(object):\n    a = _m{k}.{n}"
    if kind == "deferred":
        return f"def g{k}():\n    from {y} import {n}\n    return {n}"
    if kind == "try":
        return f"try:\n    from {y} import {n} as _t{k}\nexcept ImportError:\n    _t{k} = None"
    if kind == "type_checking":
        return f"if TYPE_CHECKING:\n    from {y} import {n}"
    if kind == "star":
        return f"from {y} import *"
    if kind == "main":
        return f"if __name__ == '__main__':\n    from {y} import {n}"
    if kind == "store":
        return f"import {y}\n{y}.EXTRA{k} = 1"
    if kind == "multi_from" and parent:
        z = draw(st.sampled_from(others)).rpartition(".")
        if z[0] == parent:
            return f"from {parent} import {last}, {z[2]}"
        return f"from {y} import {n}, {draw(st.sampled_from(NAMES))}"
    if kind == "multi_import":
        return f"import {y}, {draw(st.sampled_from(others))}"
    if kind == "annotation" and parent:
        return f"from {parent} import {last} as _m{k}\n_x{k}: _m{k}.{n} = 1"
    if kind == "default" and parent:
        return f"from {parent} import {last} as _m{k}\ndef h{k}(a=_m{k}.{n}):\n    return a"
    if kind == "lambda":
        return f"import {y}\n_l{k} = lambda: {y}.{n}"
    if kind == "comprehension" and parent:
        return f"from {parent} import {last} as _m{k}\n_c{k} = [_m{k}.{n} for _ in range(1)]"
    if kind == "suppress":
        return f"import contextlib\nwith contextlib.suppress(ImportError):\n    from {y} import {n} as _s{k}"
    if kind == "try_else":
        return (f"try:\n    import {y}\nexcept ImportError:\n    pass\nelse:\n    _e{k} = {y}.{n}\n"
                f"finally:\n    _f{k} = 1")
    if kind == "if_true":
        return f"if len('x') == 1:\n    from {y} import {n} as _i{k}\nelse:\n    _i{k} = None"
    if kind == "version_if":
        minor = draw(st.integers(8, 14))
        return f"if sys.version_info >= (3, {minor}):\n    from {y} import {n} as _v{k}\nelse:\n    _v{k} = None"
    if kind == "platform_if":
        plat = draw(st.sampled_from(("win32", "linux", "darwin")))
        return f"if sys.platform == {plat!r}:\n    from {y} import {n} as _p{k}"
    if kind == "call":
        return f"def c{k}():\n    from {y} import {n}\n    return {n}\n_r{k} = c{k}()"
    if kind == "decorator":
        return f"def d{k}(f):\n    import {y}\n    _ = {y}.{n}\n    return f\n@d{k}\ndef e{k}():\n    pass"
    # version and platform tests whose branches bind the same names to modules of the standard
    # library, or names nobody reads; and ones whose difference another module can see
    if kind == "alike_modules":
        minor = draw(st.integers(8, 14))
        return f"if sys.version_info >= (3, {minor}):\n    import json as _j{k}\nelse:\n    import pickle as _j{k}"
    if kind == "alike_names":
        plat = draw(st.sampled_from(("win32", "linux", "darwin")))
        return (f"if sys.platform == {plat!r}:\n    import ntpath as _w{k}\n    _n{k} = _w{k}.sep\n"
                f"else:\n    import posixpath as _x{k}\n    from os import sep as _n{k}")
    if kind == "one_world_name":
        minor = draw(st.integers(8, 14))
        return f"if sys.version_info >= (3, {minor}):\n    from json import dumps as {n}"
    if kind == "alike_try":
        plat = draw(st.sampled_from(("win32", "linux", "darwin")))
        return (f"if sys.platform != {plat!r}:\n    try:\n        import json as _z{k}\n    except ImportError:\n"
                f"        _z{k} = None\nelse:\n    _z{k} = None")
    if kind == "alike_call":
        minor = draw(st.integers(8, 14))
        return (f"def v{k}():\n    if sys.version_info >= (3, {minor}):\n        import json as j\n    else:\n"
                f"        import pickle as j\n    return j\n_u{k} = v{k}()")
    if kind == "alike_value":  # a first-party value read as an attribute in one branch
        plat = draw(st.sampled_from(("win32", "linux", "darwin")))
        return (f"from {y} import {n} as _k{k}\nif sys.platform == {plat!r}:\n    _q{k} = _k{k}.__class__\n"
                f"else:\n    _q{k} = None")
    if kind == "nested_class" and parent:
        return f"from {parent} import {last} as _m{k}\nclass D{k}:\n    class E:\n        b = _m{k}.{n}"
    return f"from {y} import {n}"


@st.composite
def packages(draw, max_mods: int = 4, max_stmts: int = 4) -> Dict[str, str]:
    n_mods = draw(st.integers(1, max_mods))
    with_sub = draw(st.booleans())
    modules = module_names(n_mods, with_sub)
    pkgs = {"pkg", "pkg.sub"}
    files: Dict[str, str] = {}
    k = 0
    for m in modules:
        is_pkg = m in pkgs
        stmts = []
        for _ in range(draw(st.integers(0, max_stmts))):
            stmts.append(draw(statement(m, is_pkg, modules, k)))
            k += 1
        for name in NAMES:  # every module defines every name, somewhere
            pos = draw(st.integers(0, len(stmts)))
            stmts.insert(pos, DEFS[name])
        header = "from __future__ import annotations\n" if draw(st.integers(0, 4)) == 0 else ""
        files[path_of(m, pkgs)] = header + "import sys\nfrom typing import TYPE_CHECKING\n" + "\n".join(stmts) + "\n"
    return files


def entries_of(files: Dict[str, str]) -> List[str]:
    out = []
    for rel in files:
        parts = rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        out.append(".".join(parts))
    return sorted(out)


_DRIVER = textwrap.dedent(r'''
    import json, os, sys, traceback
    root = sys.argv[1]
    if os.environ.get("CYCLEGEN_PLATFORM"):  # pretend to be another platform (sys.platform, os.name)
        sys.platform = os.environ["CYCLEGEN_PLATFORM"]
        os.name = "nt" if sys.platform == "win32" else "posix"
    sys.path.insert(0, root)
    sys.dont_write_bytecode = True
    out = {}
    for name in sys.argv[2:]:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                exec("import " + name, {})
                res = None
            except BaseException as e:
                frames = [f for f in traceback.extract_tb(e.__traceback__) if not f.filename.startswith("<")]
                last = frames[-1] if frames else None
                res = [type(e).__name__, os.path.relpath(last.filename, root) if last else "",
                       last.lineno if last else 0, str(e)]
            os.write(w, json.dumps(res).encode())
            os._exit(0)
        os.close(w)
        data = b""
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
        out[name] = json.loads(data)
    print(json.dumps(out))
''')


def real_outcomes(root: Path, entries: List[str], python: str = sys.executable,
                  platform: Optional[str] = None) -> Dict[str, Optional[list]]:
    """``import <entry>`` in a fresh interpreter (a fork of one that imported nothing of ``root``);
    with ``platform``, ``sys.platform`` and ``os.name`` are set to that platform's values first."""
    env = dict(os.environ, CYCLEGEN_PLATFORM=platform or "")
    proc = subprocess.run([python, "-I", "-c", _DRIVER, str(root), *entries], capture_output=True,
                          text=True, timeout=120, env=env)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)


def write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def modules_of(files: Dict[str, str]) -> Dict[str, ModuleInfo]:
    """The facts of each file (its text dedented), named as Python names its module."""
    from importguard.analysis.graph import ModuleInfo
    from importguard.extract import extract

    out = {}
    for rel, text in files.items():
        name = ".".join(p for p in rel[:-3].split("/") if p != "__init__")
        out[name] = ModuleInfo(name, rel, rel.endswith("__init__.py"), extract(textwrap.dedent(text).encode()))
    return out


def predicted(files: Dict[str, str], version: Tuple[int, int] = sys.version_info[:2], platform: str = sys.platform):
    """The simulator's verdict for each entry on that Python and platform: None, or (error, path,
    line, message)."""
    from importguard.analysis.conditions import World
    from importguard.analysis.simulate import simulate

    modules = modules_of(files)
    out = simulate(modules, sorted(modules), eager_annotations=version < (3, 14), world=World(version, platform),
                   read_elsewhere=reads_of(modules))
    verdict: Dict[str, Optional[Tuple[str, str, int, str]]] = {}
    for name in modules:
        if name in out.failed:
            f = out.failed[name]
            verdict[name] = ("?", "", 0, "") if f is None else (f.error, f.path, f.line, f.message)
        else:
            verdict[name] = None
    return verdict


def reads_of(modules):
    """What the repository's code reads of each module's names (``read_elsewhere``), as IG301 asks
    it: a version or platform test that binds a name only in some worlds runs as if it bound it
    in all when nothing reads it."""
    from importguard.analysis.graph import namespace_packages
    from importguard.analysis.simrepo import Repository

    return Repository(modules, {m.split(".", 1)[0] for m in modules}, namespace_packages(modules)).read_elsewhere


def compare(files: Dict[str, str], real: Dict[str, Optional[list]], sim) -> List[str]:
    """Mismatches between the interpreter and the simulation, as readable lines."""
    problems = []
    for entry in sorted(real):
        r, s = real[entry], sim[entry]
        if (r is None) != (s is None):
            problems.append(f"{entry}: real={r} predicted={s}")
        elif r is not None and (r[0], r[1], r[2]) != (s[0], s[1], s[2]):
            problems.append(f"{entry}: real={r} predicted={s}")
    return problems


def _grow(draw, prefix: str, depth: int, names: List[str], pkgs: Set[str]) -> None:
    for i in range(draw(st.integers(1 if depth == 1 else 0, 3))):
        name = f"{prefix}.m{i}"
        names.append(name)
        if depth < 3 and draw(st.booleans()):
            pkgs.add(name)
            _grow(draw, name, depth + 1, names, pkgs)


@st.composite
def trees(draw) -> Dict[str, str]:
    """One or two top-level packages with subpackages up to three deep, importing each other in
    every way ``cyclegen`` knows (cycles, version and platform branches, calls, star imports)."""
    names: List[str] = []
    pkgs: Set[str] = set()
    for top in ("a", "b")[:draw(st.integers(1, 2))]:
        names.append(top)
        pkgs.add(top)
        _grow(draw, top, 1, names, pkgs)
    files: Dict[str, str] = {}
    k = 0
    for m in names:
        stmts = []
        for _ in range(draw(st.integers(0, 3))):
            stmts.append(draw(statement(m, m in pkgs, names, k)))
            k += 1
        for name in NAMES:
            stmts.insert(draw(st.integers(0, len(stmts))), DEFS[name])
        files[path_of(m, pkgs)] = "import sys\nfrom typing import TYPE_CHECKING\n" + "\n".join(stmts) + "\n"
    return files
