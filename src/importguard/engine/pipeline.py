"""Orchestration: files -> facts (cache, parallel extraction) -> graph -> rules -> diagnostics.

No printing here; front ends turn a ``Result`` into output.
"""
from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from importguard.cache.facts import FactsCache, default_dir, fingerprint
from importguard.discovery.files import SourceFile, discover
from importguard.engine import findings, incremental
from importguard.engine.filecheck import check_files, keep
from importguard.engine.incremental import LAST_RUN, file_key, graph_digest
from importguard.engine.reading import Read, read_all, with_data
from importguard.model import (
    Cycle,
    Diagnostic,
    Fix,
    ModuleFacts,
    diagnostic_from_plain,
    diagnostic_to_plain,
    failed_facts,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess
    from pathlib import Path

    from importguard.analysis.graph import Edge, ModuleInfo
    from importguard.config.settings import Config


class Result(NamedTuple):
    diagnostics: List[Diagnostic]
    cycles: List[Cycle]
    modules: Dict[str, ModuleInfo]
    edges: List[Edge]
    files: int
    seconds: float
    reported_paths: Tuple[str, ...]
    module_count: int = 0
    edge_count: int = 0
    skipped: int = 0  # folders and Python files the ignore rules skipped


# ---------------------------------------------------------------------------- extraction
def _extract_many(sources: List[bytes]) -> List[tuple]:
    from importguard.cache.facts import to_plain
    from importguard.extract import extract

    return [to_plain(extract(s)) for s in sources]


def _worker_init() -> None:
    import gc

    gc.freeze()  # the parser's trees are short-lived; skip scanning what is already loaded
    gc.set_threshold(50_000, 20, 100)  # CST trees hold no reference cycles: collect rarely
    import libcst  # noqa: F401  (warm the parser once per worker)


def extract_all(sources: List[bytes], jobs: int) -> List[ModuleFacts]:
    """Facts of each source, in order, using ``jobs`` processes when it pays off."""
    from importguard.cache.facts import from_plain

    if not sources:
        return []
    total = sum(len(s) for s in sources)
    if jobs <= 1 or len(sources) < 8 or total < 200_000:
        from importguard.engine import progress
        from importguard.extract import extract, suspicious

        out = []
        for s in sources:
            # a file that may be nested absurdly runs in its own process: a parser crash costs that file only
            out.append(from_plain(_isolated(s)) if suspicious(s) else extract(s))
            progress.advance(1)
        return out
    return [from_plain(t) for t in _extract_parallel(sources, jobs)]


# LibCST needs ~1.5 KB of memory per byte of source while parsing (sympy's 346 KB test_spin.py
# peaks at 610 MB): files above this size go to one chunk, parsed one after the other, so that
# two of them never fill memory at the same time.
HUGE = 120_000


def _chunks(sources: List[bytes], jobs: int) -> List[List[int]]:
    """Work units, largest first, dealt round the chunks so that chunks finish together."""
    order = sorted(range(len(sources)), key=lambda i: -len(sources[i]))
    huge = [i for i in order if len(sources[i]) > HUGE]
    rest = [i for i in order if len(sources[i]) <= HUGE]
    n = max(jobs * 4, 1)
    chunks: List[List[int]] = [[] for _ in range(min(n, len(rest)))]
    for k, i in enumerate(rest):
        chunks[k % len(chunks)].append(i)
    return ([huge] if huge else []) + chunks


def _worker_loop(conn) -> None:
    """A worker process: extract each chunk it is sent, until it is sent None."""
    import faulthandler

    # a worker that dies in the parser is an IG900, reported by the parent: no traceback dump on
    # the user's terminal, even when the parent runs with PYTHONFAULTHANDLER or under pytest
    faulthandler.disable()
    _worker_init()
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        conn.send(_extract_many(chunk))


def _run_chunks(sources: List[bytes], chunks: List[List[int]], jobs: int, on_done=None
                ) -> Tuple[Dict[int, tuple], List[List[int]]]:
    """Run ``chunks`` on ``jobs`` worker processes; return the results and the chunks whose worker
    died. Plain processes and pipes rather than ProcessPoolExecutor, whose handling of a worker
    killed by a signal can deadlock on Python 3.9: a dead worker is seen through its sentinel,
    its chunk is set aside and a fresh worker takes the next one."""
    import multiprocessing
    from multiprocessing.connection import wait

    results: Dict[int, tuple] = {}
    crashed: List[List[int]] = []
    todo = list(chunks)
    busy: Dict[Connection, Tuple[BaseProcess, Connection, List[int]]] = {}  # conn -> (process, conn, chunk)

    def start(chunk: List[int]) -> None:
        parent, child = multiprocessing.Pipe()
        proc = multiprocessing.Process(target=_worker_loop, args=(child,), daemon=True)
        proc.start()
        child.close()
        parent.send([sources[i] for i in chunk])
        busy[parent] = (proc, parent, chunk)

    try:
        while todo and len(busy) < jobs:
            start(todo.pop(0))
        while busy:
            ready = wait(list(busy) + [p.sentinel for p, _, _ in busy.values()])
            for conn in list(busy):
                proc, _, chunk = busy[conn]
                if conn in ready or proc.sentinel in ready:
                    try:
                        if not conn.poll():
                            raise EOFError
                        out = conn.recv()
                    except (EOFError, OSError):
                        del busy[conn]
                        conn.close()
                        proc.join(1)
                        crashed.append(chunk)
                        if todo:
                            start(todo.pop(0))
                        continue
                    results.update(zip(chunk, out))
                    if on_done is not None:
                        on_done(len(chunk))
                    if todo:
                        nxt = todo.pop(0)
                        conn.send([sources[i] for i in nxt])
                        busy[conn] = (proc, conn, nxt)
                    else:
                        del busy[conn]
                        conn.send(None)
                        conn.close()
                        proc.join(5)
    finally:
        for proc, conn, _ in busy.values():
            proc.kill()
            conn.close()
    return results, crashed


def _extract_parallel(sources: List[bytes], jobs: int) -> List[tuple]:
    from importguard.cache.facts import to_plain

    try:
        from importguard.engine import progress

        done, crashed = _run_chunks(sources, _chunks(sources, jobs), jobs, on_done=progress.advance)
    except OSError:  # no processes to be had here (sandbox, resource limits): analyse in-process
        return _extract_many(sources)
    results: List[Optional[tuple]] = [done.get(i) for i in range(len(sources))]
    suspects = sorted(i for chunk in crashed for i in chunk)
    for i, plain in _one_worker(sources, suspects):  # a worker died: find the file that kills it
        results[i] = plain
    return [r if r is not None else to_plain(failed_facts("analysis crashed")) for r in results]


def _one_worker(sources: List[bytes], todo: List[int]) -> List[Tuple[int, tuple]]:
    """Each file of ``todo`` alone, one worker at a time: when the worker dies, the file it was on
    is the culprit (IG900) and a fresh worker goes on with the next."""
    from importguard.cache.facts import to_plain

    if not todo:
        return []
    try:
        done, crashed = _run_chunks(sources, [[i] for i in todo], 1)
    except OSError:
        return [(i, _extract_many([sources[i]])[0]) for i in todo]
    out = [(i, plain) for i, plain in done.items()]
    out.extend((chunk[0], to_plain(failed_facts(_CRASHED))) for chunk in crashed)
    return out


_CRASHED = "the parser crashed on this file (stack overflow or similar)"
# failures that may not happen again (a worker killed for memory): never cached by content hash
_TRANSIENT = (_CRASHED, "analysis crashed", "out of memory")


def _cacheable(facts: ModuleFacts) -> bool:
    return not (facts.error and facts.error.startswith(_TRANSIENT))


def _isolated(source: bytes) -> tuple:
    return _one_worker([source], [0])[0][1]


def default_jobs() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # not on every platform
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


def cache_dir(config: Config) -> Path:
    return default_dir(config.project_root, config.cache_dir)


def load_facts(files: Sequence[SourceFile], config: Config, *, jobs: int = 0, use_cache: bool = True,
               read: Optional[List[Read]] = None, cache: Optional[FactsCache] = None) -> Dict[Path, ModuleFacts]:
    """Facts of every file: from the cache by content hash, else extracted (in parallel)."""
    jobs = jobs or default_jobs()
    if cache is None and use_cache:
        cache = FactsCache(cache_dir(config), fingerprint("facts"))
    out: Dict[Path, ModuleFacts] = {}
    todo: List[Read] = []
    sources: List[bytes] = []
    for r in read if read is not None else read_all(files):
        facts = cache.get(r.digest) if cache and r.ok else None
        if facts is None and r.data is None:
            r = with_data(r)  # the stat index spared reading it, but its facts are not cached
        if not r.ok:
            out[r.file.path] = failed_facts(r.error or "cannot read")
            continue
        if facts is not None:
            out[r.file.path] = facts
        elif r.data is not None:
            todo.append(r)
            sources.append(r.data)
    from importguard.engine import progress

    progress.start(len(todo))
    try:
        fresh = extract_all(sources, jobs)
    finally:
        progress.finish()
    LAST_RUN["extracted"] = LAST_RUN.get("extracted", 0) + len(todo)
    LAST_RUN["from_cache"] = LAST_RUN.get("from_cache", 0) + (cache.loaded if cache else 0)
    for r, facts in zip(todo, fresh):
        out[r.file.path] = facts
        if cache is not None and _cacheable(facts):
            cache.put(r.digest, facts)
    if cache is not None:
        cache.save()
    return out


# ---------------------------------------------------------------------------- the whole check
def modules_from(files: Sequence[SourceFile], facts: Dict[Path, ModuleFacts]) -> Dict[str, ModuleInfo]:
    from importguard.analysis.graph import ModuleInfo

    modules: Dict[str, ModuleInfo] = {}
    for f in files:
        name = f.module
        if not name or name in modules:
            name = f"<{f.display}>"  # outside every root, or a duplicate name: no graph edges
        modules[name] = ModuleInfo(name, f.display, f.is_package_init, facts[f.path])
    return modules


def analyse(modules: Dict[str, ModuleInfo], config: Config, reported: Optional[Iterable[str]] = None,
            store=None, cwd: Optional[Path] = None, graph_parts: Optional[Dict[str, str]] = None,
            file_digests: Optional[Dict[str, str]] = None,
            contents=None, jobs: int = 1, sims=None) -> Tuple[List[Diagnostic], List[Cycle], List[Edge]]:
    """Rules over facts: the pure core (tests call it with facts made from strings).

    ``store`` (a cache Store) keeps the results that depend only on the graph (cycles and the
    repository rules) under the graph's digest, so a run where no import changed imports
    neither networkx nor the simulation. ``cwd`` is the folder the modules' paths are relative
    to (for ``per-file-ignores``; the current directory by default). With ``file_digests`` (display
    path -> facts digest) too, each file's findings are kept in ``store`` under a key of everything
    they can depend on (``_file_keys``), and only the files whose key changed are checked again.
    The import simulation may use ``jobs`` processes, and keeps each entry's outcomes in ``sims`` (a
    ``simstore.SimStore``, with ``store``)."""
    from importguard.analysis.context import RepoContext, Watched, ignored_by_path, suppressed
    from importguard.analysis.graph import build_edges, cycles as find_cycles
    from importguard.contracts import check as check_contracts
    from importguard.rules import RULES

    graph_modules = {k: v for k, v in modules.items() if not k.startswith("<")}
    parts = None
    if store is not None and file_digests:
        from importguard.analysis.contributions import Contributions

        parts = Contributions(store, file_digests, graph_modules, "edges:")
    edges = build_edges(graph_modules, parts)
    rules = [r() for r in RULES if config.enabled(r.code)]
    repo = RepoContext(config, Watched(modules) if store is not None else modules, edges,
                       costs=findings.known_costs(config))
    repo.store, repo.sims, repo.jobs = store, sims, jobs  # the simulation keeps each entry's outcome, may fork
    repo.graph_parts = graph_parts  # module -> digest of its simulated facts, when the cache knows it
    repo.file_digests = file_digests  # display path -> facts digest: per-module parts of indexes are kept
    if contents is not None:  # ``incremental.contents``: for the simulation's outcomes across edits
        repo.contents, repo.part_of, repo.facts_of = contents
    # every module, those without an importable name too: contracts count their imports
    digest = graph_digest(modules, edges, config, graph_parts, cwd) if store is not None else ""
    cached = store.data.get("graph:" + digest) if store is not None else None
    if cached is not None:
        from importguard.cache.facts import cycles_from_plain

        LAST_RUN["graph_cache"] = 1
        cycles = cycles_from_plain(cached[0])
        repo_diags = [diagnostic_from_plain(d) for d in cached[1]]
    else:
        cycles = find_cycles(graph_modules, edges) if edges else []
        repo.cycles = cycles
        repo_diags = [d for rule in rules if rule.scope == "repo" for d in rule.check_repo(repo)]
        repo_diags += check_contracts(config, modules)
        if repo.simulation_stats:
            LAST_RUN.update(repo.simulation_stats)
        if store is not None:
            from importguard.cache.facts import cycles_to_plain

            store.data["graph:" + digest] = (
                cycles_to_plain(cycles),
                [diagnostic_to_plain(d) for d in repo_diags])
            store.dirty = True
    repo.cycles = cycles
    cwd_text = str(cwd) if cwd is not None else None
    report_paths = set(reported) if reported is not None else {m.path for m in modules.values()}
    by_path = {m.path: m for m in modules.values()}
    file_rules = [r for r in rules if r.scope == "file"]
    out: List[Diagnostic] = check_files(repo, modules, file_rules, report_paths, store, cwd, file_digests)
    reported_modules = {m.name for m in modules.values() if m.path in report_paths}
    moves: Dict[str, Dict[Tuple[int, int], Fix]] = {}
    for d in repo_diags:
        owner = by_path.get(d.path)
        in_scope = d.path in report_paths or (
            d.key.startswith("cycle:") and set(d.key[6:].split(",")) & reported_modules)
        if owner is not None and in_scope:
            d = findings.contract_move(d, owner, repo, moves)
            out.extend(keep(owner, [d], suppressed, ignored_by_path(config, owner.path, cwd_text)))
    out.sort(key=Diagnostic.sort_key)
    return out, cycles, edges


def _load_new(read: List[Read], digests: Dict[str, Tuple[str, str]], quick, index, root: str,
              config: Config, jobs: int) -> Dict[Path, ModuleFacts]:
    """The facts of the contents ``digests`` does not know, and their digests added to it: reused
    when a changed file's tokens match an earlier content's (``reading.reuse_by_tokens``), else
    from the facts cache or extracted."""
    from importguard.cache.facts import facts_digest, graph_part_digest
    from importguard.engine.reading import index_key, remember_sems, reuse_by_tokens

    new = [r for r in read if r.ok and r.digest not in digests]
    if not new:
        return {}
    got = quick.data.get("sems")
    sems: Dict[str, str] = got if isinstance(got, dict) else {}  # semantic digest -> content hash
    cache = FactsCache(cache_dir(config), fingerprint("facts"))
    before = [index.previous_entry(index_key(r.file.path, root)) for r in new]
    todo, computed = reuse_by_tokens(new, digests, sems, before, cache)
    LAST_RUN["reused_by_tokens"] = len(new) - len(todo)
    facts = load_facts([r.file for r in todo], config, jobs=jobs, read=todo, cache=cache) if todo else {}
    if not todo:
        cache.save()
    extracted = []
    for r in todo:
        f = facts[r.file.path]
        if _cacheable(f):
            digests[r.digest] = (facts_digest(f), graph_part_digest(f))
            if f.error is None:
                extracted.append(r.digest)
    if remember_sems(sems, computed, extracted, digests) or got is None:
        quick.data["sems"] = sems
        quick.dirty = True
    return facts


def check(paths: Sequence[str], config: Config, *, jobs: int = 0, use_cache: bool = True,
          cwd: Optional[Path] = None, need_facts: bool = True) -> Result:
    """The whole check. With ``need_facts=False`` (the CLI's check), a run whose files' facts,
    config and version all match a previous run returns that run's results without loading the
    other files' facts: only the files whose content is new are extracted (a comment appended to a
    file changes its content, not its facts, and costs the extraction of that file alone)."""
    started, jobs = time.perf_counter(), jobs or default_jobs()
    now = time.time_ns()  # before any file is read: the stat index's reference time
    stats: Dict[str, int] = {}
    analysed, reported = discover(paths or ["."], config, cwd, stats, use_cache=use_cache)
    skipped = stats.get("skipped", 0)
    reported_paths = tuple(f.display for f in reported)
    LAST_RUN.clear()
    if not use_cache:
        read = read_all(analysed)
        modules = modules_from(analysed, load_facts(analysed, config, jobs=jobs, use_cache=False, read=read))
        diagnostics, cycles, edges = analyse(modules, config, reported_paths, cwd=cwd, jobs=jobs)
        return Result(diagnostics, cycles, modules, edges, len(reported), time.perf_counter() - started,
                      reported_paths, len(modules), len(edges), skipped)
    from importguard import __version__
    from importguard.analysis.simstore import SimStore
    from importguard.cache.costs import costs_digest
    from importguard.cache.facts import Store, config_key, cycles_from_plain, cycles_to_plain, run_digest
    from importguard.cache.index import StatIndex

    # the little a run needs when nothing changed (the stat index, each content's digests, the runs'
    # results), apart from what only a run that analyses reads (the results of each file, the graph)
    quick = Store(cache_dir(config) / f"index-{fingerprint('index')}.marshal")
    index = StatIndex(quick.data, now)
    root = str(config.project_root.resolve())
    read = read_all(analysed, index, root)
    known = quick.data.get("digests")
    # content hash -> (facts digest, graph part digest), for the files of the last runs
    digests: Dict[str, Tuple[str, str]] = known if isinstance(known, dict) else {}
    facts = _load_new(read, digests, quick, index, root, config, jobs)

    # every input of the results: the tool, the configuration, the costs the messages and IG400
    # read (``importguard cost`` rewrites them), the files reported and every analysed file's facts
    run_key = run_digest(__version__, config_key(config, cwd), costs_digest(config), reported_paths,
                         [(r.file.display, r.file.module, r.file.is_package_init, file_key(r, digests)) for r in read])
    incremental.remember_digests(quick, digests, read)
    if index.save_into(quick.data):
        quick.dirty = True
    hit = quick.data.get(run_key) if not need_facts else None
    if hit is not None:
        LAST_RUN["run_cache"] = 1
        quick.save()
        incremental.report_stats()
        diags = [diagnostic_from_plain(d) for d in hit[0]]
        return Result(diags, cycles_from_plain(hit[1]), {}, [], len(reported),
                      time.perf_counter() - started, reported_paths, hit[2], hit[3], skipped)
    results = Store(cache_dir(config) / f"results-{fingerprint('results', '3')}.marshal")
    # the simulation's outcomes, in shards of their own: read as looked up, only the changed rewritten
    sims = SimStore(cache_dir(config) / f"sim-{fingerprint('sim', '1')}")
    rest = [r for r in read if r.file.path not in facts]
    facts.update(load_facts([r.file for r in rest], config, jobs=jobs, read=rest))
    modules = modules_from(analysed, facts)
    file_digests = {r.file.display: digests[r.digest][0] for r in read if r.ok and r.digest in digests}
    graph_parts, contents = incremental.contents(read, modules, digests, FactsCache(cache_dir(config),
                                                                                    fingerprint("facts")))
    diagnostics, cycles, edges = analyse(modules, config, reported_paths, store=results, cwd=cwd, jobs=jobs,
                                         graph_parts=graph_parts, file_digests=file_digests, contents=contents,
                                         sims=sims)
    if all(map(_cacheable, facts.values())):
        quick.remember(run_key, ([diagnostic_to_plain(d) for d in diagnostics],
                                 cycles_to_plain(cycles), len(modules), len(edges)))
    results.save()
    sims.save()
    quick.save()
    incremental.report_stats()
    return Result(diagnostics, cycles, modules, edges, len(reported), time.perf_counter() - started,
                  reported_paths, len(modules), len(edges), skipped)
