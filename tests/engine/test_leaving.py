"""The command line's check leaves the run's objects unfreed (``engine.leaving``): it ends with
``os._exit``, so freeing them one by one as the functions return would only delay its answer. A
program that calls the engine and lives on gets them back."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

from helpers import HUB_AND_CYCLE, write_tree
from importguard.config.settings import load_config
from importguard.engine import leaving, pipeline as engine

if TYPE_CHECKING:
    from pathlib import Path

# run in a fresh interpreter: at the end, what the run left held (the repository context of the
# analysis, the check's own locals with every file's facts, the result)
_PROBE = textwrap.dedent("""
    import gc, os, sys
    from importguard.engine import leaving

    def report():
        held = [o for objects in leaving._HELD for o in objects]
        kinds = sorted({type(o).__name__ for o in held})
        print("held", " ".join(kinds), "facts" if any(isinstance(o, dict) and "facts" in o for o in held) else "",
              "gc-on" if gc.isenabled() else "gc-off", flush=True)

    real_exit = os._exit
    def leave(code):
        report()
        real_exit(code)
    os._exit = leave
    sys.argv = ["importguard"] + sys.argv[1:]
    if os.environ.get("PROBE_GC"):  # the collector's state while files are parsed, and during the analysis
        import importguard.extract as ex
        from importguard.engine import pipeline
        seen = []
        def watched(real, what):
            def call(*a, **k):
                seen.append(what + ("-on" if gc.isenabled() else "-off"))
                return real(*a, **k)
            return call
        import importguard.analysis.simcache as sc
        ex.extract = watched(ex.extract, "parse")
        pipeline.analyse = watched(pipeline.analyse, "analyse")
        sc.simulate = watched(sc.simulate, "simulate")
        inner = report
        def report():
            print("seen", " ".join(sorted(set(seen))), flush=True)
            inner()
    from importguard.commands.cli import main, run
    if "--main" in sys.argv:
        sys.argv.remove("--main")
        main(sys.argv[1:])
        report()
    else:
        run()
""")


def _probe(root: Path, *argv: str, gc_seen: bool = False) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    if gc_seen:
        env["PROBE_GC"] = "1"
    out = subprocess.run([sys.executable, "-c", _PROBE, *argv], cwd=root, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode in (0, 1), out.stderr
    return out.stdout


def test_the_console_script_frees_nothing_of_its_run(tmp_path: Path) -> None:
    root = write_tree(tmp_path, HUB_AND_CYCLE)
    out = _probe(root, "check", "-q", ".")
    assert "IG300" in out  # the run analysed the tree
    held = out.splitlines()[-1].split()
    assert held[0] == "held" and {"RepoContext", "Result", "dict", "facts", "gc-off"} <= set(held), out
    out = _probe(root, "check", "-q", "--no-cache", ".")
    held = out.splitlines()[-1].split()
    assert {"RepoContext", "Result", "list", "gc-off"} <= set(held), out


def test_the_console_script_collects_only_while_parsing(tmp_path: Path) -> None:
    """Its analysis runs without the garbage collector (it makes next to no cyclic garbage, and
    each collection scans the stores and facts just read); parsing and the import simulation,
    which do, collect."""
    root = write_tree(tmp_path, HUB_AND_CYCLE)
    # a run with the cache, which parses a few files (all of this tree), then one without, which
    # parses every file and collects throughout (as a first run of a large tree does)
    for extra, analyse in (([], "analyse-off"), (["--no-cache"], "analyse-on")):
        out = _probe(root, "check", "-q", "--jobs", "1", *extra, ".", gc_seen=True)
        seen = [line.split() for line in out.splitlines() if line.startswith("seen")][-1]
        assert seen == ["seen", analyse, "parse-on", "simulate-on"], out
    out = _probe(root, "--main", "check", "-q", "--jobs", "1", "--no-cache", ".", gc_seen=True)
    seen = [line.split() for line in out.splitlines() if line.startswith("seen")][-1]
    assert seen == ["seen", "analyse-on", "parse-on", "simulate-on"], out


def test_main_called_from_python_frees_the_run(tmp_path: Path) -> None:
    root = write_tree(tmp_path, HUB_AND_CYCLE)
    for extra in ([], ["--no-cache"]):
        out = _probe(root, "--main", "check", "-q", *extra, ".")
        assert "IG300" in out
        assert out.splitlines()[-1].split() == ["held", "gc-on"], out


def test_the_engine_called_from_python_holds_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path, HUB_AND_CYCLE)
    before = list(leaving._HELD)
    result = engine.check([str(root)], load_config(root), jobs=1, use_cache=True, cwd=root)
    assert any(d.code == "IG300" for d in result.diagnostics)
    assert leaving._HELD == before
    assert gc.isenabled()


def test_hold_keeps_only_when_on(monkeypatch) -> None:
    monkeypatch.setattr(leaving, "_HELD", [])
    leaving.hold(object())
    assert leaving._HELD == []
    monkeypatch.setattr(leaving, "ON", True)
    thing = object()
    leaving.hold(thing)
    assert leaving._HELD == [(thing,)]
