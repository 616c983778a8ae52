"""Orchestration: files -> facts (cache, parallel extraction) -> graph -> rules -> diagnostics.

No printing here; front ends turn a ``Result`` into output.
"""
from __future__ import annotations

import os
import time
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from importguard.cache import watch
from importguard.cache.facts import FactsCache, default_dir, fingerprint, forget_preloaded
from importguard.collection import resume
from importguard.discovery.files import SourceFile, discover
from importguard.engine import findings, incremental
from importguard.engine.extraction import _cacheable, _few, extract_all
from importguard.engine.filecheck import check_files, keep, rules_with_files
from importguard.engine.incremental import LAST_RUN, file_key, graph_digest
from importguard.engine.leaving import hold
from importguard.engine.reading import Read, read_all, with_data
from importguard.model import Cycle, Diagnostic, Fix, diagnostic_from_plain, diagnostic_to_plain

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.analysis.graph import Edge, ModuleInfo
    from importguard.config.settings import Config
    from importguard.engine.background import Meanwhile, Started
    from importguard.model import ModuleFacts


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


GRAPHS = 16  # the graph states whose repository-wide results the results store keeps


def default_jobs() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # not on every platform
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


# the cache entries of this version (``facts-*`` is ``FactsCache``'s, ``gitignore-*`` discovery's)
def results_name() -> str:
    return f"results-{fingerprint('results', '5')}.marshal"


def parts_name() -> str:
    return f"parts-{fingerprint('parts', '1')}"


def index_name() -> str:
    return f"index-{fingerprint('index')}.marshal"


def runs_name() -> str:
    return f"runs-{fingerprint('index')}"


def sim_name() -> str:
    return f"sim-{fingerprint('sim', '2')}"  # 2: ran keys are sums (``simcache.Keys.packed_key``)


def cache_dir(config: Config) -> Path:
    return default_dir(config.project_root, config.cache_dir)


def load_facts(files: Sequence[SourceFile], config: Config, *, jobs: int = 0, use_cache: bool = True,
               read: Optional[List[Read]] = None, cache: Optional[FactsCache] = None,
               meanwhile: Optional[Meanwhile] = None, lazy: bool = False,
               started: Optional[Started] = None) -> Dict[str, ModuleFacts]:
    """Facts of every file: from the cache by content hash, else extracted (in parallel). With
    ``meanwhile``, a few files to extract are extracted in a forked process while it runs here
    (``background``); it is not called when they are not. With ``lazy``, the cached facts are
    ``FactsRef``s, decoded when first read (``modules_from`` wraps them). ``started``: their
    extraction, forked already (``background.start``)."""
    jobs = jobs or default_jobs()
    if cache is None and use_cache:
        cache = FactsCache(cache_dir(config), fingerprint("facts"))
    out: Dict[str, ModuleFacts] = {}  # by the file's name (``SourceFile.name``)
    todo: List[Read] = []
    sources: List[bytes] = []
    for r in read if read is not None else read_all(files):
        facts: Any = (cache.lazy(r.digest) if lazy else cache.get(r.digest)) if cache and r.ok else None
        if facts is None and r.data is None:
            r = with_data(r)  # the stat index spared reading it, but its facts are not cached
        if not r.ok:
            from importguard.model import failed_facts

            out[r.file.name] = failed_facts(r.error or "cannot read")
            continue
        if facts is not None:
            out[r.file.name] = facts
        elif r.data is not None:
            todo.append(r)
            sources.append(r.data)
    from importguard.engine import progress

    progress.start(len(todo))
    try:
        fresh = None
        if meanwhile is not None and jobs > 1 and sources and _few(sources):
            from importguard.engine.background import extract_beside

            fresh = started.take(sources, meanwhile) if started is not None else extract_beside(sources, meanwhile)
            if fresh is not None:
                LAST_RUN["extracted_beside"] = len(sources)
                progress.advance(len(sources))
        if fresh is None:
            fresh = extract_all(sources, jobs)
    finally:
        progress.finish()
    LAST_RUN["extracted"] = LAST_RUN.get("extracted", 0) + len(todo)
    LAST_RUN["from_cache"] = LAST_RUN.get("from_cache", 0) + (cache.loaded if cache else 0)
    for r, facts in zip(todo, fresh):
        out[r.file.name] = facts
        if cache is not None and _cacheable(facts):
            cache.put(r.digest, facts)
    if cache is not None:
        cache.save()
    return out


# ---------------------------------------------------------------------------- the whole check
def modules_from(files: Sequence[SourceFile], facts: Dict[str, ModuleFacts]) -> Dict[str, ModuleInfo]:
    """The modules of ``files``, with their facts (``facts``: by each file's name)."""
    from importguard.analysis.graph import LazyInfo, ModuleInfo
    from importguard.cache.facts import FactsRef

    modules: Dict[str, ModuleInfo] = {}
    for f in files:
        name = f.module
        if not name or name in modules:
            name = f"<{f.display}>"  # outside every root, or a duplicate name: no graph edges
        got: Any = facts[f.name]  # a ``FactsRef`` from ``load_facts(lazy=True)``
        modules[name] = (LazyInfo if type(got) is FactsRef else ModuleInfo)(name, f.display, f.is_package_init, got)
    return modules


def analyse(modules: Dict[str, ModuleInfo], config: Config, reported: Optional[Iterable[str]] = None,
            store=None, cwd: Optional[Path] = None, graph_parts: Optional[Dict[str, str]] = None,
            file_digests: Optional[Dict[str, str]] = None,
            contents=None, jobs: int = 1, sims=None, ruled: Optional[Callable[[], None]] = None,
            previous: Optional[Dict[str, str]] = None) -> Tuple[List[Diagnostic], List[Cycle], List[Edge]]:
    """Rules over facts: the pure core (tests call it with facts made from strings).

    ``store`` (a cache Store) keeps the results that depend only on the graph (cycles and the
    repository rules) under the graph's digest, so a run where no import changed imports
    neither networkx nor the simulation. ``cwd`` is the folder the modules' paths are relative
    to (for ``per-file-ignores``; the current directory by default). With ``file_digests`` (display
    path -> facts digest) too, each file's findings are kept in ``store`` under a key of everything
    they can depend on (``_file_keys``), and only the files whose key changed are checked again.
    The import simulation may use ``jobs`` processes, and keeps each entry's outcomes in ``sims`` (a
    ``simstore.SimStore``, with ``store``); ``ruled`` is called once the repository rules ran here.
    ``previous``: module -> its content hash in the run before, for the modules changed since
    (``cyclekeep``: the cycles kept across new imports that close none)."""
    from importguard.analysis.context import RepoContext, Watched, ignored_by_path, suppressed
    from importguard.analysis.graph import build_edges
    from importguard.analysis.graphdelta import Kept, before as graph_before, graph_state
    from importguard.engine.cyclekeep import cycles_of, remember as remember_cycles
    from importguard.rules import RULES

    graph_modules = {k: v for k, v in modules.items() if not k.startswith("<")}
    parts = None
    if store is not None and file_digests:
        from importguard.analysis.contributions import Contributions

        parts = Contributions(store, file_digests, graph_modules, "edges2:")  # each module's edges, with their digest
        if "edges:previous" in store.data:  # kept without their digest by earlier versions: dropped once
            for k in [k for k in store.data if k.startswith("edges:")]:
                del store.data[k]
            store.dirty = True
        if store.data.pop("entrybase1:", None) is not None:  # the entries as names (now a bitmap): 200 KB
            store.dirty = True
    sums: Optional[Dict[str, str]] = {} if parts is not None else None  # module -> digest of its edges
    edges = build_edges(graph_modules, parts, sums)
    rules = [r() for r in RULES if config.enabled(r.code)]
    repo = RepoContext(config, Watched(modules) if store is not None else modules, edges,
                       costs=findings.known_costs(config))
    repo.store, repo.sims, repo.jobs = store, sims, jobs  # the simulation keeps each entry's outcome, may fork
    repo.graph_parts = graph_parts  # module -> digest of its simulated facts, when the cache knows it
    repo.file_digests = file_digests  # display path -> facts digest: per-module parts of indexes are kept
    if contents is not None:  # ``incremental.contents``: for the simulation's outcomes across edits
        repo.contents, repo.part_of, repo.facts_of = contents
    # every module, those without an importable name too: contracts count their imports
    digest = graph_digest(modules, edges, config, graph_parts, cwd, sums) if store is not None else ""
    cached = store.data.get("graph:" + digest) if store is not None else None
    report_paths = set(reported) if reported is not None else {m.path for m in modules.values()}
    file_rules = [r for r in rules if r.scope == "file"]
    out: Optional[List[Diagnostic]] = None
    if cached is not None:
        from importguard.cache.facts import cycles_from_plain

        LAST_RUN["graph_cache"] = 1
        kept = [k for k in store.data if k.startswith("graph:")]
        if "graph:" + digest in kept[:-GRAPHS // 2]:  # used again: among the newest (the state before an edit)
            store.remember("graph:" + digest, cached, GRAPHS)
        cycles = cycles_from_plain(cached[0])
        repo_diags = [diagnostic_from_plain(d) for d in cached[1]]
        if sums is not None:  # what is kept of this graph for the runs after an edit (``graphdelta``)
            state = graph_state(sums)
            remember_cycles(store, state, cached[0])
            for kind, value in (cached[2] if len(cached) > 2 and isinstance(cached[2], dict) else {}).items():
                Kept(store, kind).put(state, value)
    else:
        if sums is not None:  # the graph now, and the one before an edit that only added imports
            repo.graph_state = graph_state(sums)
            if previous and contents is not None:
                repo.graph_before = graph_before(graph_modules, sums, previous, contents[2])
        cycles = cycles_of(graph_modules, edges, store, sums, repo.graph_state, repo.graph_before)
        repo.cycles = cycles
        out, repo_diags = rules_with_files(repo, rules, file_rules, modules, report_paths, store, cwd, file_digests,
                                           jobs, ruled)
        if repo.simulation_stats:
            LAST_RUN.update(repo.simulation_stats)
        if store is not None:
            from importguard.cache.facts import cycles_to_plain

            store.remember("graph:" + digest, (cycles_to_plain(cycles), [diagnostic_to_plain(d) for d in repo_diags],
                                               repo.with_graph), GRAPHS)
    repo.cycles = cycles
    cwd_text = str(cwd) if cwd is not None else None
    by_path = {m.path: m for m in modules.values()}
    if out is None:
        out = check_files(repo, modules, file_rules, report_paths, store, cwd, file_digests)
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
    hold(repo, parts, by_path)  # the repository's context and memos (``leaving``)
    return out, cycles, edges


def _load_new(read: List[Read], digests: Dict[str, Tuple[str, str]], quick, index, root: str,
              config: Config, jobs: int, meanwhile: Optional[Meanwhile] = None
              ) -> Dict[str, ModuleFacts]:
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
    before = [index.previous_entry(index_key(r.file.name, root)) for r in new]
    started = None
    sources = [r.data for r in new if r.data is not None]
    if meanwhile is not None and jobs > 1 and len(sources) == len(new) and _few(sources):
        from importguard.engine.background import start

        started = start(sources)  # the parse begins while the tokenizer decides whether it is needed
    try:
        todo, computed = reuse_by_tokens(new, digests, sems, before, cache, tokens=started is None)
        LAST_RUN["reused_by_tokens"] = len(new) - len(todo)
        facts = load_facts([r.file for r in todo], config, jobs=jobs, read=todo, cache=cache,
                           meanwhile=meanwhile, started=started) if todo else {}
    finally:
        if started is not None:
            started.cancel()  # not needed after all (or taken: then nothing to do)
    if not todo:
        cache.save()
    extracted = []
    for r in todo:
        f = facts[r.file.name]
        if _cacheable(f):
            digests[r.digest] = (facts_digest(f), graph_part_digest(f))
            if f.error is None:
                extracted.append(r.digest)
    if remember_sems(sems, computed, extracted, digests) or got is None:
        quick.data["sems"] = sems
        quick.dirty = True
    return facts


LARGE = 200_000  # bytes of the stat index of a tree of about a thousand files


def _prepare(config: Config) -> bool:
    """On a large tree (its stat index is), start the extraction of the changed files before the
    walk (``background.prepare``): on a small one the process costs more of a run that changed
    nothing than it saves in one that did. Whether it was started."""
    try:
        large = os.stat(cache_dir(config) / index_name()).st_size >= LARGE
    except OSError:
        return False
    if large:
        from importguard.engine.background import prepare

        prepare()
    return large


def _sweep(config: Config) -> None:
    """Remove the caches other versions left behind (``cache.sweep``); this version's are kept."""
    from importguard.cache.sweep import sweep

    keep = {f"facts-{fingerprint('facts')}", results_name(), parts_name(), index_name(), sim_name(), runs_name(),
            *(f"{kind}-{fingerprint(kind)}.marshal" for kind in ("gitignore", "walks", "roots", "toml"))}
    sweep(cache_dir(config), keep)


def _results_store(config: Config):
    from importguard.cache.facts import Store
    from importguard.cache.parts import Parts

    store = Store(cache_dir(config) / results_name())
    store.parts = Parts(cache_dir(config) / parts_name())  # type: ignore[attr-defined]
    return store


def _load_early(read: List[Read], digests: Dict[str, Tuple[str, str]], config: Config, into: Dict[str, Any]
                ) -> List[Callable[[], None]]:
    """The results store and the facts of every file whose content an earlier run saw, loaded while
    a forked process extracts the changed files: a run that extracts a file almost always goes on
    to analyse, and then needs them. Returns what to read ahead while the child has not answered
    yet (a large file's parse outlasts the above): the simulation's kept states and outcome shards,
    which a run after a change to a module many imports run reads."""
    cache = FactsCache(cache_dir(config), fingerprint("facts"))
    got = {}
    for r in read:
        if r.ok and r.digest in digests:
            f = cache.lazy(r.digest)
            if f is not None:
                got[r.file.name] = f
    into["facts"], into["loaded"] = got, cache.loaded
    into["results"] = store = _results_store(config)
    # the graph's edges and the simulation's indexes (kept whole: ``contributions.Tally``)
    store.parts.preload(("edges2:",))
    store.parts.tally("reads:"), store.parts.tally("tests:")
    from importguard.analysis.simlast import SLOTS
    from importguard.analysis.simstore import SHARDS
    from importguard.cache.facts import preload
    from importguard.cache.parts import SHARDS as PART_SHARDS

    sim = cache_dir(config) / sim_name()
    # the most needed first (the child may answer before all are read): the index an edit's simulation asks
    # (30 ms to decode on 6,000 files), the last run's state, the outcomes and traces (1 ms a shard)
    ahead = [store.parts.tally_path("delta2:")]
    ahead += [sim / f"last-{i}.head" for i in range(SLOTS)] + [sim / f"last-{i}.marshal" for i in range(SLOTS)]
    ahead += [sim / kind / ("%02x.marshal" % i) for i in range(SHARDS) for kind in ("outcomes", "traces")]
    # then what the checks of the changed files read (a forked process runs them on a large tree)
    ahead += [store.parts.tally_path("imported:")] + [store.parts.directory / kind / ("%02x.marshal" % i)
                                                     for kind in ("strings", "observe") for i in range(PART_SHARDS)]
    return [partial(preload, path) for path in ahead]


def check(paths: Sequence[str], config: Config, *, jobs: int = 0, use_cache: bool = True,
          cwd: Optional[Path] = None, need_facts: bool = True) -> Result:
    """The whole check. With ``need_facts=False`` (the CLI's check), a run whose files' facts,
    config and version all match a previous run returns that run's results without loading the
    other files' facts: only the files whose content is new are extracted (a comment appended to a
    file changes its content, not its facts, and costs the extraction of that file alone)."""
    started, jobs = time.perf_counter(), jobs or default_jobs()
    now = time.time_ns()  # before any file is read: the stat index's reference time
    prepared = use_cache and jobs > 1 and _prepare(config)
    stats: Dict[str, int] = {}
    analysed, reported = discover(paths or ["."], config, cwd, stats, use_cache=use_cache)
    skipped = stats.get("skipped", 0)
    reported_paths = tuple(f.display for f in reported)
    LAST_RUN.clear()
    if stats.get("walks_from_index"):
        LAST_RUN["walks_from_index"] = stats["walks_from_index"]
    forget_preloaded()  # a run before in this process that stopped midway
    if not use_cache:
        resume()  # (it parses every file and simulates every entry: ``collection``)
        read = read_all(analysed)
        modules = modules_from(analysed, load_facts(analysed, config, jobs=jobs, use_cache=False, read=read))
        diagnostics, cycles, edges = analyse(modules, config, reported_paths, cwd=cwd, jobs=jobs)
        hold(read)
        return Result(diagnostics, cycles, modules, edges, len(reported), time.perf_counter() - started,
                      reported_paths, len(modules), len(edges), skipped)
    from importguard import __version__
    from importguard.cache.costs import costs_digest
    from importguard.cache.facts import FactsRef, Store, config_key, cycles_from_plain, cycles_to_plain, run_digest
    from importguard.cache.index import StatIndex
    from importguard.cache.runs import Runs

    # (what a run needs when nothing changed: the stat index, each content's digests, the runs' results)
    from importguard.engine.saving import ON as detaching, detach, wait as wait_saved

    wait_saved(cache_dir(config))  # an earlier run's detached copy still writing the cache (``saving``)
    detaching = detaching and prepared  # a large tree: writing its cache takes a while
    quick = Store(cache_dir(config) / index_name())
    index = StatIndex(quick.data, now)
    root = str(config.project_root.resolve())
    read = read_all(analysed, index, root)
    known = quick.data.get("digests")
    # content hash -> (facts digest, graph part digest), for the files of the last runs
    digests: Dict[str, Tuple[str, str]] = known if isinstance(known, dict) else {}
    early: Dict[str, Any] = {}  # what a run that extracts loads while it does (``_load_early``)
    facts = _load_new(read, digests, quick, index, root, config, jobs,
                      lambda: _load_early(read, digests, config, early))
    resume(len(facts))  # (a first run parses many files, and simulates every entry: ``collection``)
    if prepared:  # the prepared extraction, if no changed file took it
        from importguard.engine.background import release

        release()

    # every input of the results: the tool, the configuration, the costs the messages and IG400
    # read (``importguard cost`` rewrites them), the files reported and every analysed file's facts
    run_key = run_digest(__version__, config_key(config, cwd), costs_digest(config), reported_paths,
                         [(r.file.display, r.file.module, r.file.is_package_init, file_key(r, digests)) for r in read])
    incremental.remember_digests(quick, digests, read)
    if index.save_into(quick.data):
        quick.dirty = True
    runs = Runs(cache_dir(config) / runs_name(), quick)
    hit = runs.get(run_key) if not need_facts else None
    if hit is not None:
        LAST_RUN["run_cache"] = 1
        watch.WHOLE = True
        quick.save()
        forget_preloaded()
        incremental.report_stats()
        diags = [diagnostic_from_plain(d) for d in hit[0]]
        return Result(diags, cycles_from_plain(hit[1]), {}, [], len(reported),
                      time.perf_counter() - started, reported_paths, hit[2], hit[3], skipped)
    decoded_before = FactsRef.decoded
    results = early.get("results") or _results_store(config)
    for path, f in early.get("facts", {}).items():
        facts.setdefault(path, f)
    LAST_RUN["from_cache"] = LAST_RUN.get("from_cache", 0) + early.get("loaded", 0)
    # the simulation's outcomes, in shards of their own: read as looked up, only the changed rewritten
    from importguard.analysis.simstore import SimStore
    from importguard.engine.background import done_beside

    sims = SimStore(cache_dir(config) / sim_name())
    rest = [r for r in read if r.file.name not in facts]
    facts.update(load_facts([r.file for r in rest], config, jobs=jobs, read=rest, lazy=True))
    modules = modules_from(analysed, facts)
    file_digests = {r.file.display: digests[r.digest][0] for r in read if r.ok and r.digest in digests}
    graph_parts, contents = incremental.contents(read, modules, digests, FactsCache(cache_dir(config),
                                                                                    fingerprint("facts")))
    saving: List[Callable[[], bool]] = []

    def ruled() -> None:
        """The simulation's shards are final: written by a forked copy (after an import changed in a
        module many imports run: 0.1 s) while this process takes the file checks' findings and
        writes the rest; not after a run that loaded no facts (a first run: its copy would hold
        every page of the largest heap a while longer)."""
        if detaching:  # written with the rest after the run (``saving``)
            return
        got = done_beside(sims.save) if jobs > 1 and early.get("loaded") and sims.outcomes.dirty() else None
        saving.extend([got] if got is not None else [])

    diagnostics, cycles, edges = analyse(modules, config, reported_paths, store=results, cwd=cwd, jobs=jobs,
                                         graph_parts=graph_parts, file_digests=file_digests, contents=contents,
                                         sims=sims, ruled=ruled, previous=incremental.changed_since(read, index, root))
    held: Dict[str, Any] = facts  # the cached ones are ``FactsRef``s, and cacheable: the cache held them
    cacheable = all(_cacheable(f) for f in held.values() if type(f) is not FactsRef)
    watch.WHOLE = cacheable

    def save() -> None:
        if cacheable:
            runs.put(run_key, ([diagnostic_to_plain(d) for d in diagnostics], cycles_to_plain(cycles),
                               len(modules), len(edges)))
        try:
            results.save()
            results.parts.save()
            quick.save()
        finally:
            if not saving or not saving[0]():
                sims.save()
        _sweep(config)

    if not (detaching and detach(cache_dir(config), save) is not None):
        save()
    forget_preloaded()
    LAST_RUN["facts_decoded"] = FactsRef.decoded - decoded_before
    incremental.report_stats()
    hold(locals())  # every file's facts, the stores: not freed before the findings are printed
    return Result(diagnostics, cycles, modules, edges, len(reported), time.perf_counter() - started,
                  reported_paths, len(modules), len(edges), skipped)
