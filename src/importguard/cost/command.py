"""``importguard cost``: what the imports of a repository cost at start-up.

For every standard-library and third-party module the repository imports at runtime, the median
over ``--runs`` fresh interpreters of the import time (self and cumulative, from ``python -X
importtime``) and of the resident memory the import adds (see ``cost.measure``), measured with
the project's own interpreter and cached by interpreter and library versions (``cache.costs``).
``--entry MODULE`` measures one entry point instead (``cost.entry``).

"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from importguard.cache.costs import (
    CostRecord,
    CostStore,
    cache_file,
    load_costs,
    record_key,
)
from importguard.config.settings import Config, ConfigError

__all__ = ["run_cost", "load_costs", "CostRecord", "find_interpreter", "Target"]

NEVER_IMPORT = frozenset({"antigravity", "this", "__main__", "__future__", "__phello__", "idlelib.idle"})


class Target(NamedTuple):
    """A module the repository imports, and where."""

    module: str
    candidates: Tuple[str, ...]  # ("m.n", "m") for ``from m import n``: the first that is a module
    where: Tuple[str, ...]  # "path:line"


# ---------------------------------------------------------------------------- the interpreter
def find_interpreter(explicit: Optional[str], project_root: Path) -> str:
    """``--python``, else the project's virtual environment, else the running interpreter."""
    if explicit:
        p = Path(explicit)
        if not p.exists():
            import shutil

            found = shutil.which(explicit)
            if not found:
                raise ConfigError(f"--python: no interpreter at {explicit}")
            return found
        return str(p if p.is_absolute() else p.resolve())
    bindir, exe = ("Scripts", "python.exe") if os.name == "nt" else ("bin", "python")
    candidates = [project_root / ".venv" / bindir / exe, project_root / "venv" / bindir / exe]
    if os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]) / bindir / exe)
    for c in candidates:
        if c.exists():
            return str(c.absolute())
    return sys.executable


# ---------------------------------------------------------------------------- what is imported
def collect_targets(modules, config: Config) -> List[Target]:
    """Standard-library and third-party modules imported at runtime, with where they are imported."""
    from importguard.analysis.context import RepoContext
    from importguard.analysis.graph import absolute_module

    repo = RepoContext(config, modules, [])
    found: Dict[Tuple[str, ...], List[str]] = {}
    for name, info in modules.items():
        mod_name = "" if name.startswith("<") else name
        for imp in info.facts.imports:
            if imp.in_type_checking or imp.is_future or imp.level > 0:
                continue
            src = absolute_module(imp, mod_name, info.is_package)
            if not src or repo.origin(src) == "first party":
                continue
            if imp.name is None or imp.name == "*":
                cands: Tuple[str, ...] = (src,)
            else:
                cands = (f"{src}.{imp.name}", src)
            if cands[-1] in NEVER_IMPORT or cands[0] in NEVER_IMPORT:
                continue
            found.setdefault(cands, []).append(f"{info.path}:{imp.line}")
    return [Target(c[0], c, tuple(sorted(set(w), key=_where_key))) for c, w in sorted(found.items())]


def _where_key(where: str):
    path, _, line = where.rpartition(":")
    return (path, int(line) if line.isdigit() else 0)


# ---------------------------------------------------------------------------- measuring with cache
class Row(NamedTuple):
    record: CostRecord
    where: Tuple[str, ...]
    cached: bool


def _unit_of(target: Target, found: set) -> str:
    for c in target.candidates:
        if c in found:
            return c
    return target.candidates[-1]


def measure_targets(targets: Sequence[Target], python: str, runs: int, config: Config, *,
                    use_cache: bool = True, progress=None) -> Tuple[List[Row], dict]:
    from importguard.cost.measure import measure, resolve

    cwd = str(config.project_root)
    names = {c for t in targets for c in t.candidates}
    from importguard.cost.measure import probe_env

    info = resolve(python, sorted(names), cwd, probe_env(())) or {}
    found, preloaded = set(info.get("found", ())), set(info.get("preloaded", ()))
    version = info.get("python", "?")
    providers = info.get("providers", {})
    where: Dict[str, List[str]] = {}
    for t in targets:
        where.setdefault(_unit_of(t, found), []).extend(t.where)
    store = CostStore(cache_file(config))
    rows: List[Row] = []
    todo: List[str] = []
    keys: Dict[str, str] = {}
    for unit in sorted(where):
        prov = tuple(providers.get(unit.split(".")[0], ()))
        keys[unit] = record_key(python, version, unit, prov)
        if unit in preloaded:
            rows.append(Row(CostRecord(unit, 0.0, 0.0, 0, 0, python, version, prov, None, True), (), False))
            continue
        if unit not in found:
            err = "not found by this interpreter (not installed?)" if info else "the interpreter could not be run"
            rows.append(Row(CostRecord(unit, 0.0, 0.0, 0, 0, python, version, prov, err), (), False))
            continue
        cached = store.get(keys[unit]) if use_cache else None
        if cached is not None:
            store.mark_latest(keys[unit], unit)
            rows.append(Row(cached, (), True))
        else:
            todo.append(unit)
    samples = measure(python, todo, runs, cwd, progress=progress) if todo else {}
    for unit, s in samples.items():
        prov = tuple(providers.get(unit.split(".")[0], ()))
        rec = CostRecord(unit, s.cumulative_ms, s.self_ms, s.memory_kb, runs, python, version, prov, s.error)
        rows.append(Row(rec, (), False))
        if s.error is None:
            store.put(keys[unit], rec)
    if use_cache and (samples or rows):
        for r in rows:
            if r.record.preloaded:
                store.put(keys[r.record.module], r.record)
        store.save()
    rows = [r._replace(where=tuple(sorted(set(where.get(r.record.module, ())), key=_where_key))) for r in rows]
    rows.sort(key=lambda r: (r.record.error is not None, -r.record.cumulative_ms, r.record.module))
    return rows, {"python": python, "python_version": version, "runs": runs}


# ---------------------------------------------------------------------------- output
def render_json(rows: Sequence[Row], meta: dict) -> str:
    import json

    out = []
    for r in rows:
        rec = r.record
        item = {"module": rec.module, "cumulative_ms": rec.cumulative_ms, "self_ms": rec.self_ms,
                "memory_kb": rec.memory_kb,
                "imported_by": sorted({w.rpartition(":")[0] for w in r.where}),
                "locations": list(r.where), "cached": r.cached, "preloaded": rec.preloaded}
        if rec.error:
            item["error"] = rec.error
        out.append(item)
    return json.dumps({"version": 1, **meta, "modules": out}, indent=2) + "\n"


def _memory(kb: int) -> str:
    return f"{kb / 1024:.1f} MB" if kb >= 1024 else f"{kb} kB"


def render_text(rows: Sequence[Row], meta: dict) -> str:
    from importguard.model import format_ms

    lines = [f"Import cost: median of {meta['runs']} fresh interpreter(s) of {meta['python']} "
             f"(Python {meta['python_version']})", ""]
    width = max([len(r.record.module) for r in rows] + [6])
    lines.append(f"{'cumulative':>12} {'self':>10} {'memory':>9}  {'module':<{width}}  imported by")
    for r in rows:
        rec = r.record
        where = r.where[0] + (f" (+{len(r.where) - 1})" if len(r.where) > 1 else "") if r.where else ""
        if rec.error:
            lines.append(f"{'-':>12} {'-':>10} {'-':>9}  {rec.module:<{width}}  {where}  [{rec.error}]")
            continue
        note = "  (loaded at interpreter start-up)" if rec.preloaded else ("  *" if r.cached else "")
        lines.append(f"{format_ms(rec.cumulative_ms) + ' ms':>12} {format_ms(rec.self_ms) + ' ms':>10} "
                     f"{_memory(rec.memory_kb):>9}  {rec.module:<{width}}  {where}{note}")
    failed = sum(1 for r in rows if r.record.error)
    lines.append("")
    lines.append(f"{len(rows) - failed} module(s), {sum(r.cached for r in rows)} from the cache (*; --no-cache "
                 f"to measure again){f', {failed} not importable' if failed else ''}. Each row is the module "
                 "imported alone into a fresh interpreter: shared dependencies count in every row.")
    return "\n".join(lines) + "\n"


def _emit(text: str, args) -> None:
    out = getattr(args, "output_file", None)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _progress(total: int, runs: int):
    if not sys.stderr.isatty():
        return None

    def show(r: int, i: int, module: str) -> None:
        sys.stderr.write(f"\rmeasuring run {r + 1}/{runs}, module {i + 1}/{total}: {module[:40]:<40}")
        if r + 1 == runs and i + 1 == total:
            sys.stderr.write("\r" + " " * 80 + "\r")
        sys.stderr.flush()

    return show


def run_cost(args, config: Config) -> int:
    runs = getattr(args, "runs", 5) or 5
    if runs < 1:
        raise ConfigError("--runs must be at least 1")
    python = find_interpreter(getattr(args, "python", None), config.project_root)
    use_cache = not getattr(args, "no_cache", False)
    fmt = getattr(args, "format", "text")
    if getattr(args, "entry", None):
        from importguard.cost.entry import run_entry

        return run_entry(args, config, python, runs, _emit)
    from importguard.cost.inventory import load_modules

    modules = load_modules(getattr(args, "paths", None) or ["."], config, use_cache, getattr(args, "jobs", 0) or 0)
    targets = collect_targets(modules, config)
    progress = _progress(len({t.module for t in targets}), runs)
    rows, meta = measure_targets(targets, python, runs, config, use_cache=use_cache, progress=progress)
    _emit(render_json(rows, meta) if fmt == "json" else render_text(rows, meta), args)
    return 0
