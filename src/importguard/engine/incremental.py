"""Incremental runs: the keys under which a run finds the previous runs' results, and what each
run took from the cache (``LAST_RUN``)."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.analysis.graph import Edge, ModuleInfo
    from importguard.config.settings import Config
    from importguard.engine.reading import Read

# what the last ``check`` in this process did: files extracted, facts taken from the cache
LAST_RUN: Dict[str, int] = {}


def graph_digest(graph_modules: Dict[str, ModuleInfo], edges: List[Edge], config: Config,
                  parts: Optional[Dict[str, str]] = None, cwd: Optional[Path] = None,
                  edge_sums: Optional[Dict[str, str]] = None) -> str:
    """What repository rules depend on: edges, module-level statements and imports, config.
    ``parts`` (module -> ``graph_part_digest``, from the cache) saves hashing the facts again;
    ``edge_sums`` (module -> a digest of its edges, ``build_edges``), hashing the edges."""
    import hashlib

    from importguard.cache.facts import config_key, graph_part_digest

    h = hashlib.blake2b(digest_size=16)
    h.update(config_key(config, cwd).encode())
    if edge_sums is not None:  # every module's, in the order of the names, as the edges are
        from importguard.analysis.graphdelta import sums_text

        h.update(("sums" + sums_text(edge_sums)).encode())
    else:
        h.update(repr([tuple(e) for e in edges]).encode())
    parts = parts or {}
    # one text of every module (a hash update per module cost twice as much on 6,000 modules)
    h.update(repr([(name, info.path, info.is_package, parts.get(name) or graph_part_digest(info.facts))
                   for name, info in sorted(dict.items(graph_modules))]).encode())
    return h.hexdigest()


def file_keys(modules: Dict[str, ModuleInfo], edges: List[Edge], config: Config, cwd: Optional[Path],
               file_digests: Dict[str, str], links: Sequence[Tuple[str, str]] = (), components: bool = True
               ) -> Dict[str, Tuple[str, Optional[str]]]:
    """module -> (a key of its own inputs, a key of its component's inputs; None with
    ``components=False``).

    A file rule reads the file's facts, the configuration, the measured costs and the set of
    module names (the first key holds these), and, through the repository, the facts of modules
    joined to it by imports in either direction or by being a package and its submodule: at most
    its component of the undirected graph of imports and packages, and of ``links`` (a module and
    one it names in a string, as ``mock.patch("pkg.mod.name")`` does, without importing it: the
    second key holds every file of it). The findings kept under the first key are valid while what the check recorded
    reading still holds (``analyse``); those under the second, while the component is unchanged.
    The facts of the modules outside every root (no graph edges, but they may import anything)
    are in both."""
    import hashlib

    from importguard.analysis.graph import components as components_of
    from importguard.cache.costs import costs_digest
    from importguard.cache.facts import config_key

    outside = sorted((n, file_digests.get(modules[n].path)) for n in modules if n.startswith("<"))
    every = sorted((n, m.path, m.is_package) for n, m in modules.items())
    common = hashlib.blake2b(repr((config_key(config, cwd), costs_digest(config), every, outside)).encode(),
                             digest_size=16).digest()
    keys: Dict[str, Tuple[str, Optional[str]]] = {}
    if not components:
        for n, info in modules.items():
            digest = file_digests.get(info.path)
            if digest is not None:
                own = hashlib.blake2b(common + repr((n, info.path, info.is_package, digest)).encode(), digest_size=16)
                keys[n] = ("file:" + own.hexdigest(), None)
        return keys
    for names in components_of(modules, edges, links):
        digests = [(n, modules[n].path, modules[n].is_package, file_digests.get(modules[n].path))
                   for n in sorted(names)]
        if any(d[3] is None for d in digests):
            continue  # a file whose facts are not cached (a transient failure): check the component again
        comp = hashlib.blake2b(common + repr(digests).encode(), digest_size=16).digest()
        for n, path, is_package, digest in digests:
            own = hashlib.blake2b(common + repr((n, path, is_package, digest)).encode(), digest_size=16)
            mine = hashlib.blake2b(comp + n.encode(), digest_size=16)
            keys[n] = ("file:" + own.hexdigest(), "file:" + mine.hexdigest())
    # a module outside every root (a stub beside its module, a file of no package) has no
    # component: its check may read any module. Its findings are kept under its own key with what
    # the check read, or under a key of every file's facts (an unchanged repository)
    whole: Optional[bytes] = None
    for n, digest in outside:
        if digest is None:
            continue
        if whole is None:
            whole = hashlib.blake2b(common + repr(sorted(file_digests.items())).encode(), digest_size=16).digest()
        info = modules[n]
        own = hashlib.blake2b(common + repr((n, info.path, info.is_package, digest)).encode(), digest_size=16)
        mine = hashlib.blake2b(whole + n.encode(), digest_size=16)
        keys[n] = ("file:" + own.hexdigest(), "file:" + mine.hexdigest())
    return keys


def contents(read, modules: Dict[str, ModuleInfo], digests: Dict[str, Tuple[str, str]], facts_cache
             ) -> Tuple[Dict[str, str], tuple]:
    """Module -> its graph part digest (``graph_parts``); and what the simulation needs to keep
    outcomes through an edit of imports only: module -> its content hash, a content hash -> its
    graph part digest (None when forgotten), and -> its facts (the facts cache keeps earlier
    contents)."""
    by_path = {r.file.display: r.digest for r in read if r.ok}
    current = {name: by_path[info.path] for name, info in modules.items() if info.path in by_path}
    parts = {name: digests[h][1] for name, h in current.items() if h in digests}

    def part_of(content: str) -> Optional[str]:
        got = digests.get(content)
        return got[1] if got else None

    return parts, (current, part_of, facts_cache.get)


def forget_old(store, prefix: str, used: List[str]) -> None:
    """Keep the entries under ``prefix`` that this run and the run before used; drop the others."""
    store.forget_old(prefix, used)


def report_stats() -> None:
    """With ``IMPORTGUARD_STATS_FILE`` set, append what this run took from the cache and what it
    extracted, one JSON line per run (and per process: ``flake8 -j N``)."""
    target = os.environ.get("IMPORTGUARD_STATS_FILE")
    if not target:
        return
    import json

    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(dict(LAST_RUN, pid=os.getpid()), sort_keys=True) + "\n")
    except OSError:
        pass


def file_key(r, digests: Dict[str, Tuple[str, str]]) -> str:
    """What a read file (``reading.Read``) contributes to a run's key: its facts digest."""
    if not r.ok:
        return "unreadable: " + (r.error or "")
    got = digests.get(r.digest)
    return got[0] if got else "not cacheable"


def remember_digests(results, digests: Dict[str, Tuple[str, str]], read: Sequence) -> None:
    """Keep the digests of this run's files, and older ones up to as many again (a file restored to
    an earlier content finds its digests without loading its facts)."""
    current = {r.digest: digests[r.digest] for r in read if r.ok and r.digest in digests}
    limit = 2 * len(current) + 1000
    for k, v in digests.items():
        if len(current) >= limit:
            break
        current.setdefault(k, v)
    if current != results.data.get("digests"):
        results.data["digests"] = current
        results.dirty = True


def changed_since(read: Sequence[Read], index, root: str) -> Dict[str, str]:
    """Module -> its content hash in the run before (the stat index's entries), for the files
    read again whose content changed since."""
    from importguard.engine.reading import index_key

    out = {}
    for r in read:
        if r.data is not None and r.file.module:  # not read again: unchanged
            entry = index.previous_entry(index_key(r.file.name, root))
            if entry is not None and entry[-1] != r.digest:
                out[r.file.module] = entry[-1]
    return out
