"""Measuring import cost in fresh interpreters: ``python -X importtime`` plus resident memory.

Each measurement runs the interpreter under study (the project's, not necessarily this one) as
a subprocess with a small probe script that imports nothing beyond what the interpreter loads
at start-up (so ``json`` and friends are charged to whoever imports them), prints a start
marker on stderr, imports the module, prints an end marker, and reports the resident set size
(RSS, from ``/proc/self/statm``; ``ru_maxrss`` where there is no ``/proc``) read just before
and just after the import. ``-X importtime`` writes one line per module imported, so the lines
between the markers are exactly what the import cost: the interpreter's own start-up imports
are outside them and never charged to anyone.

Standard library only; ``subprocess`` is imported inside the functions that run one.
"""
from __future__ import annotations

import os
import statistics
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

START, END, RESULT = "importguard-cost-start", "importguard-cost-end", "importguard-cost-result:"
TIMEOUT = 120.0  # seconds for one import in one interpreter

# Runs in the measured interpreter (any Python 3 that has -X importtime, i.e. 3.7+).
PROBE = r'''
import sys, os
def rss_kb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError, AttributeError):
        try:
            import resource
        except ImportError:
            return 0
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r // 1024 if sys.platform == "darwin" else r
rss_kb()
sys.path[:0] = [p for p in os.environ.get("IMPORTGUARD_COST_PATH", "").split(os.pathsep) if p]
name = sys.argv[1]
before = rss_kb()
sys.stderr.write("\n%s\n" % START); sys.stderr.flush()
error = ""
try:
    __import__(name)
except BaseException as exc:
    error = "%s: %s" % (type(exc).__name__, " ".join(str(exc).split())[:200])
sys.stderr.write("\n%s\n" % END); sys.stderr.flush()
after = rss_kb()
sys.stdout.write("\n%s%d %d %s\n" % (RESULT, before, after, error))
sys.stdout.flush()
os._exit(0)
'''.replace("START", repr(START)).replace("END", repr(END)).replace("RESULT", repr(RESULT))

# Resolves which names are modules (without importing them), and who provides them.
RESOLVE = r'''
import sys
preloaded = sorted(sys.modules)
import os, json, importlib.util, importlib.machinery
sys.path[:0] = [p for p in os.environ.get("IMPORTGUARD_COST_PATH", "").split(os.pathsep) if p]
def find(name):
    parts, path = name.split("."), None
    for i in range(len(parts)):
        sub = ".".join(parts[:i + 1])
        if sub in sys.modules:
            path = getattr(sys.modules[sub], "__path__", None)
            continue
        try:
            spec = (importlib.util.find_spec(sub) if i == 0
                    else importlib.machinery.PathFinder.find_spec(sub, path) if path is not None else None)
        except (ImportError, ValueError, AttributeError):
            return None
        if spec is None:
            return None
        path = spec.submodule_search_locations
    return name
def providers():
    import importlib.metadata as md
    out = {}
    for dist in md.distributions():
        try:
            name, version = dist.metadata["Name"], dist.version
            tops = (dist.read_text("top_level.txt") or "").split()
            if not tops:
                tops = {f.parts[0].split(".")[0] for f in (dist.files or ()) if f.parts
                        and not f.parts[0].endswith((".dist-info", ".egg-info", ".pth"))}
        except Exception:
            continue
        for t in tops:
            out.setdefault(t, []).append("%s==%s" % (name, version))
    return {k: sorted(set(v)) for k, v in out.items()}
names = json.loads(sys.stdin.read())
try:
    provided = providers()
except Exception:
    provided = {}
found = [n for n in names if find(n)]
tops = {n.split(".")[0] for n in found}
sys.stdout.write(json.dumps({
    "python": sys.version.split()[0], "implementation": sys.implementation.name,
    "executable": sys.executable, "preloaded": preloaded, "found": found,
    "stdlib": sorted(getattr(sys, "stdlib_module_names", ())),
    "providers": {t: provided.get(t, []) for t in sorted(tops)}}))
'''


class Line(NamedTuple):
    """One ``-X importtime`` line: a module, its nesting level and its times (microseconds)."""

    name: str
    level: int
    self_us: int
    cumulative_us: int


class Sample(NamedTuple):
    self_ms: float
    cumulative_ms: float
    memory_kb: int
    lines: Tuple[Line, ...]
    error: Optional[str]


def parse_importtime(stderr: str) -> Tuple[List[Line], List[str]]:
    """The importtime lines between the probe's markers, and the other stderr lines."""
    inside, lines, other = False, [], []
    for raw in stderr.splitlines():
        if raw == START:
            inside = True
            continue
        if raw == END:
            inside = False
            continue
        if raw.startswith("import time:"):
            parts = raw.split("|", 2)
            if len(parts) != 3 or not inside:
                continue
            try:
                self_us = int(parts[0].split(":", 1)[1])
                cum_us = int(parts[1])
            except ValueError:
                continue  # the header line
            text = parts[2][1:] if parts[2].startswith(" ") else parts[2]
            name = text.strip()
            lines.append(Line(name, (len(text) - len(text.lstrip(" "))) // 2, self_us, cum_us))
        elif raw.strip():
            other.append(raw)
    return lines, other


def summarise(module: str, lines: Sequence[Line]) -> Tuple[float, float]:
    """(self ms, cumulative ms) of importing ``module``: the top-level lines add up to the total."""
    total = sum(ln.cumulative_us for ln in lines if ln.level == 0)
    own = next((ln.self_us for ln in lines if ln.name == module), 0)
    return own / 1000.0, total / 1000.0


def probe_env(paths: Sequence[str]) -> Dict[str, str]:
    env = dict(os.environ)
    env["IMPORTGUARD_COST_PATH"] = os.pathsep.join(str(p) for p in paths)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def run_probe(python: str, module: str, cwd: str, env: Dict[str, str]) -> Sample:
    """Import ``module`` once in a fresh ``python``; never raises."""
    import subprocess

    try:
        proc = subprocess.run([python, "-X", "importtime", "-c", PROBE, module], cwd=cwd, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return Sample(0.0, 0.0, 0, (), f"import took more than {TIMEOUT:.0f} s")
    except OSError as exc:
        return Sample(0.0, 0.0, 0, (), f"cannot run {python}: {exc.strerror or exc}")
    result: Optional[Tuple[int, int, Optional[str]]] = None  # memory before and after, error
    for raw in proc.stdout.splitlines():
        if raw.startswith(RESULT):
            before, _, rest = raw[len(RESULT):].partition(" ")
            after, _, error = rest.partition(" ")
            try:
                result = (int(before), int(after), error.strip() or None)
            except ValueError:
                result = None
    lines, other = parse_importtime(proc.stderr)
    if result is None:
        why = (other[-1] if other else f"exit status {proc.returncode}").strip()
        return Sample(0.0, 0.0, 0, tuple(lines), f"the interpreter failed: {why[:200]}")
    self_ms, cum_ms = summarise(module, lines)
    memory_before, memory_after, import_error = result
    return Sample(self_ms, cum_ms, max(0, memory_after - memory_before), tuple(lines), import_error)


def resolve(python: str, names: Sequence[str], cwd: str, env: Dict[str, str]) -> Optional[dict]:
    """Ask ``python`` which names are importable modules, what it preloads, who provides what."""
    import json
    import subprocess

    try:
        proc = subprocess.run([python, "-c", RESOLVE], input=json.dumps(sorted(set(names))), cwd=cwd,
                              env=env, capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
        return json.loads(proc.stdout)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def median_sample(samples: Sequence[Sample]) -> Sample:
    ok = [s for s in samples if s.error is None] or list(samples)
    return Sample(round(statistics.median(s.self_ms for s in ok), 2),
                  round(statistics.median(s.cumulative_ms for s in ok), 2),
                  int(statistics.median(s.memory_kb for s in ok)),
                  ok[0].lines, ok[0].error)


def measure(python: str, modules: Sequence[str], runs: int, cwd: str, paths: Sequence[str] = (),
            progress=None) -> Dict[str, Sample]:
    """Median of ``runs`` fresh imports of each module; the runs are interleaved across modules
    so that a burst of load on the machine spreads over all of them."""
    env = probe_env(paths)
    samples: Dict[str, List[Sample]] = {m: [] for m in modules}
    failed = set()
    for r in range(max(1, runs)):
        for i, m in enumerate(modules):
            if m in failed:
                continue  # a module that fails to import: once is enough
            if progress is not None:
                progress(r, i, m)
            s = run_probe(python, m, cwd, env)
            samples[m].append(s)
            if s.error is not None:
                failed.add(m)
    return {m: median_sample(s) for m, s in samples.items()}
