"""Where module names start: the roots (configured, declared to setuptools, the usual ``src/``
and ``lib/`` layouts, or folders the project's own absolute imports show to be on ``sys.path``,
then the project root), and a file's dotted module name."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

if TYPE_CHECKING:
    from importguard.cache.facts import Store
    from importguard.config.settings import Config


def resolve_roots(config: Config, memo: Optional[Path] = None) -> Tuple[Path, ...]:
    """The folders module names are counted from: ``roots`` in the configuration; else the folders
    setuptools is told hold the packages (``package-dir``, ``packages.find.where`` in
    pyproject.toml or setup.cfg); else ``src/`` or ``lib/`` when it holds the project's packages;
    then the folders whose packages the project imports by their own names (``inferred_roots``);
    with the project root itself after any of those. ``memo``: a file in the cache folder that keeps
    what the files of each inferred root's candidate showed (``EvidenceMemo``)."""
    base = config.project_root
    if config.roots:
        return tuple((base / r).resolve() for r in config.roots)
    found = [d for d in declared_package_dirs(base) if d.is_dir() and d.resolve() != base.resolve()]
    if not found:
        found = [d for d in (base / "src", base / "lib") if _holds_packages(d, modules_too=d.name == "src")][:1]
    out = tuple(dict.fromkeys(d.resolve() for d in found))
    out += tuple(d for d in inferred_roots(base.resolve(), out, memo) if d not in out)
    return out + (base.resolve(),)


# ---------------------------------------------------------------------------- inferred roots
_NOT_SOURCE = frozenset({"node_modules", "site-packages", "__pypackages__", "dist", "build", "__pycache__"})
_MAX_DEPTH = 3  # how deep below the project root a folder of top-level packages is looked for
_MAX_SCAN = 150  # files read per candidate folder, 16 KiB each at most (imports come first)
_IMPORT = re.compile(rb"^[ \t]*(?:from|import)[ \t]+([A-Za-z_][\w.]*)", re.M)
_EVIDENCE: Dict[tuple, Tuple[Set[str], bool]] = {}  # memos for one process (flake8 asks per file)
_INFERRED: Dict[tuple, List[Path]] = {}


def _listing(folder: str) -> List[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _is_dir(e: os.DirEntry) -> bool:
    try:
        return e.is_dir()
    except OSError:
        return False


def _candidates(base: Path, roots: Sequence[Path]) -> List[Tuple[Path, Tuple[str, ...]]]:
    """Folders below ``base`` that are no package, lie in no package, are no root already and
    hold packages: ``(folder, its packages' names)``."""
    out: List[Tuple[Path, Tuple[str, ...]]] = []
    taken = {str(r) for r in roots}

    def visit(folder: str, depth: int) -> None:
        entries = _listing(folder)
        names = {e.name for e in entries}
        if "pyvenv.cfg" in names or "conda-meta" in names:
            return
        subdirs = [e for e in entries if _is_dir(e) and not e.name.startswith((".", "_"))
                   and e.name not in _NOT_SOURCE and not e.name.endswith(".egg-info")]
        packages = [e.name for e in subdirs if e.name.isidentifier() and any(
            os.path.isfile(os.path.join(e.path, init)) for init in ("__init__.py", "__init__.pyi"))]
        if depth > 0 and packages and folder not in taken:
            out.append((Path(folder), tuple(packages)))
        if depth < _MAX_DEPTH:
            for e in subdirs:
                if e.name not in packages and e.path not in taken:
                    visit(e.path, depth + 1)

    visit(str(base), 0)
    return out


class EvidenceMemo:
    """What ``_evidence`` found below each candidate folder, kept in a file of the cache folder
    across runs (reading up to 150 files per candidate was a fifth of a run that changed nothing
    on a tree with a few such folders). An answer is reused when every folder it listed and every
    file it read has the size, modification and change times and inode recorded, each last
    changed more than two seconds before it was read (an edit in the same tick of the file
    system's clock is never missed: the stat index's rule). Paths are kept relative to the
    candidate, so a cache restored into another checkout is read, and found stale once."""

    def __init__(self, path: Path):
        self.path = path
        self._store: Optional[Store] = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from importguard.cache.facts import Store

            self._store = Store(self.path)
        return self._store

    def get(self, folder: str, key: str) -> Optional[Tuple[Set[str], bool]]:
        from importguard.cache.index import RACY_NS, signature

        kept = self.store.data.get(key)
        if not (isinstance(kept, tuple) and len(kept) == 4):
            return None
        now, stats, seen, through_folder = kept
        try:
            for rel, sig in stats:
                got = signature(os.stat(os.path.join(folder, rel) if rel else folder))
                if got != sig or max(got[1], got[2]) >= now - RACY_NS:
                    return None
        except (OSError, TypeError, ValueError):
            return None
        return set(seen), through_folder

    def put(self, key: str, now: int, stats: List[tuple], seen: Set[str], through_folder: bool) -> None:
        self.store.data[key] = (now, stats, sorted(seen), through_folder)
        self.store.dirty = True

    def save(self) -> None:
        if self._store is not None:
            self._store.save()


def _evidence(folder: Path, packages: Tuple[str, ...], prefix: str,
              memo: Optional[EvidenceMemo] = None) -> Tuple[Set[str], bool]:
    """Which of ``packages`` the files below ``folder`` import absolutely by their own name
    (``import mypkg.a``, ``from mypkg import b``), and whether any of them imports one through
    the folder's own dotted path (``from python.mypkg import b``: the folder is not on the path)."""
    try:
        stamp = os.stat(folder).st_mtime_ns
    except OSError:
        return set(), False
    key = (str(folder), packages, prefix, stamp)
    if key in _EVIDENCE:
        return _EVIDENCE[key]
    memo_key = repr((prefix, packages))
    got = memo.get(str(folder), memo_key) if memo is not None else None
    if got is not None:
        _EVIDENCE[key] = got
        return got
    import time

    from importguard.cache.index import signature

    now = time.time_ns()  # before anything is listed or read
    stats: List[tuple] = []  # (path relative to ``folder``, its signature): each folder listed, file read
    wanted = set(packages)
    seen: Set[str] = set()
    through_folder = False
    budget = _MAX_SCAN
    for dirpath, dirnames, filenames in os.walk(folder):
        if memo is not None:
            try:
                stats.append((os.path.relpath(dirpath, folder) if dirpath != str(folder) else "",
                              signature(os.stat(dirpath))))
            except OSError:
                memo = None
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d not in _NOT_SOURCE)
        for name in sorted(filenames):
            if not name.endswith(".py") or budget <= 0:
                continue
            budget -= 1
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as fh:
                    if memo is not None:
                        stats.append((os.path.relpath(path, folder), signature(os.fstat(fh.fileno()))))
                    data = fh.read(16384)
            except OSError:
                continue
            for m in _IMPORT.finditer(data):
                dotted = m.group(1).decode("ascii", "replace")
                top = dotted.split(".", 1)[0]
                if top in wanted:
                    seen.add(top)
                elif dotted.startswith(prefix + ".") and dotted[len(prefix) + 1:].split(".", 1)[0] in wanted:
                    through_folder = True
        if budget <= 0:
            break
    _EVIDENCE[key] = (seen, through_folder)
    if memo is not None:
        memo.put(memo_key, now, stats, seen, through_folder)
    return seen, through_folder


def _top_level_names(folder: Path) -> Set[str]:
    """The modules and packages a folder holds at its top."""
    out = set()
    for e in _listing(str(folder)):
        stem = e.name[:-3] if e.name.endswith(".py") else e.name[:-4] if e.name.endswith(".pyi") else None
        if stem is not None and e.is_file():
            out.add(stem)
        elif _is_dir(e):
            out.add(e.name)
    return out


def inferred_roots(base: Path, roots: Sequence[Path], memo: Optional[Path] = None) -> List[Path]:
    """Folders on ``sys.path`` by the project's own word: a folder that is no package and holds
    packages whose modules import them by their own name (``python/mypkg/a.py`` says
    ``from mypkg import b``), while nothing below it imports them through the folder
    (``python.mypkg``). A package name that another root or another such folder also provides
    proves nothing (which of the two would ``import`` find?). ``memo``: ``EvidenceMemo``'s file."""
    try:
        key: Optional[tuple] = (str(base), tuple(map(str, roots)), os.stat(base).st_mtime_ns)
    except OSError:
        key = None
    if key in _INFERRED:
        return _INFERRED[key]
    kept = EvidenceMemo(memo) if memo is not None else None
    out = _infer(base, roots, kept)
    if kept is not None:
        kept.save()
    if key is not None:
        _INFERRED[key] = out
    return out


def _infer(base: Path, roots: Sequence[Path], memo: Optional[EvidenceMemo] = None) -> List[Path]:
    cands = _candidates(base, roots)
    if not cands:
        return []
    elsewhere: Dict[str, int] = {}
    for root in list(roots) + [base]:
        for name in _top_level_names(root):
            elsewhere[name] = elsewhere.get(name, 0) + 1
    provided: Dict[str, int] = {}
    for _, packages in cands:
        for p in packages:
            provided[p] = provided.get(p, 0) + 1
    out = []
    for folder, packages in cands:
        unique = tuple(p for p in packages if provided[p] == 1 and p not in elsewhere)
        if not unique:
            continue
        prefix = ".".join(folder.relative_to(base).parts)
        seen, through_folder = _evidence(folder, unique, prefix, memo)
        if seen and not through_folder:
            out.append(folder)
    return out


def _holds_packages(folder: Path, modules_too: bool) -> bool:
    """A layout folder: not a package itself, holding a package (or, for ``src/``, a module)."""
    try:
        if not folder.is_dir() or (folder / "__init__.py").is_file():
            return False
        return any((p / "__init__.py").is_file() or (modules_too and p.suffix == ".py" and p.is_file())
                   for p in folder.iterdir())
    except OSError:
        return False


def declared_package_dirs(base: Path) -> List[Path]:
    """Folders that pyproject.toml's ``[tool.setuptools]`` or setup.cfg's ``[options]`` name as
    holding the top-level packages: ``package-dir = {"" = "lib"}``, ``packages.find.where``, or a
    package mapped to a folder of its own name (``{"mypkg" = "lib/mypkg"}`` gives ``lib``)."""
    found: List[str] = []

    def mapping(items: Iterable[Tuple[str, str]]) -> None:
        for name, folder in items:
            name, folder = name.strip(), folder.strip().rstrip("/")
            if not folder:
                continue
            if not name:
                found.append(folder)
            elif "." not in name and folder.rsplit("/", 1)[-1] == name and "/" in folder:
                found.append(folder.rsplit("/", 1)[0])

    pyproject = base / "pyproject.toml"
    if pyproject.is_file():
        from importguard.config.settings import ConfigError, _load_toml

        try:
            tool = _load_toml(pyproject).get("tool", {}).get("setuptools", {})
        except ConfigError:
            tool = {}
        if isinstance(tool, dict):
            pd = tool.get("package-dir")
            if isinstance(pd, dict):
                mapping((k, v) for k, v in pd.items() if isinstance(k, str) and isinstance(v, str))
            packages = tool.get("packages")
            find = packages.get("find") if isinstance(packages, dict) else None
            where = find.get("where") if isinstance(find, dict) else None
            if isinstance(where, list):
                found.extend(w for w in where if isinstance(w, str))
    setup_cfg = base / "setup.cfg"
    if setup_cfg.is_file():
        import configparser

        parser = configparser.RawConfigParser()
        try:
            parser.read(setup_cfg, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            parser = configparser.RawConfigParser()
        if parser.has_option("options", "package_dir"):
            lines = [ln for ln in re.split(r"[\n;]", parser.get("options", "package_dir")) if "=" in ln]
            mapping((name, folder) for name, _, folder in (ln.partition("=") for ln in lines))
        if parser.has_option("options.packages.find", "where"):
            found.extend(w for w in re.split(r"[\s,]+", parser.get("options.packages.find", "where")) if w)
    out = []
    for folder in found:
        folder = folder.strip().strip("/") or "."
        if folder not in (".", "") and ".." not in folder.split("/"):
            out.append(base / folder)
    return out


# build outputs: what setuptools/distutils, CMake, Meson and Ninja leave in a ``build/`` folder


def module_name(path: Union[Path, str], roots: Sequence[Path], nearest: Optional["NearestRoot"] = None) -> str:
    """The module a file is under the longest root it is in ("" when none, or when a part of its
    path is no identifier); ``nearest`` (for ``roots``) finds that root once per folder."""
    text = str(path)
    if nearest is not None:
        best = nearest.of(os.path.dirname(text))
    else:
        best = ""
        for r in roots:
            rs = str(r)
            if text.startswith(rs + os.sep) and len(rs) > len(best):
                best = rs
    if not best:
        return ""
    parts = text[len(best) + 1:].split(os.sep)
    parts[-1] = parts[-1].rsplit(".", 1)[0]  # the extension of the file, never a dot of a folder
    if parts[-1] == "__init__":
        parts.pop()
    if not all(p.isidentifier() for p in parts):
        return ""
    return ".".join(parts)


class NearestRoot:
    """The longest of ``roots`` that is a folder or an ancestor folder of a given folder, once
    per folder: a tree of 6,000 files in 40 roots asked each file about each root."""

    def __init__(self, roots: Sequence[Path]):
        self.roots = {str(r) for r in roots if not str(r).endswith(os.sep)}  # as ``module_name``: never "/"
        self.memo: Dict[str, str] = {}
        self.prefixes: Dict[str, Optional[str]] = {}

    def module(self, text: str) -> str:
        """``module_name(text, roots)``, the folder's part worked out once per folder."""
        folder, _, base = text.rpartition(os.sep)
        try:
            prefix = self.prefixes[folder]
        except KeyError:
            best = self.of(folder)
            prefix = None
            if best:
                parts = folder[len(best) + 1:].split(os.sep) if folder != best else []
                prefix = ".".join(parts) if all(p.isidentifier() for p in parts) else None
            self.prefixes[folder] = prefix
        if prefix is None:
            return ""
        stem = base.rsplit(".", 1)[0]
        if stem == "__init__":
            return prefix
        if not stem.isidentifier():
            return ""
        return f"{prefix}.{stem}" if prefix else stem

    def of(self, folder: str) -> str:
        got = self.memo.get(folder)
        if got is None:
            if folder in self.roots:
                got = folder
            else:
                parent = os.path.dirname(folder)
                got = "" if parent == folder else self.of(parent)
            self.memo[folder] = got
        return got
