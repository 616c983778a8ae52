"""Files -> module names: roots, src layout, namespace packages, exclusions."""
from __future__ import annotations

import fnmatch
import os
import re
import time
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from importguard.config.settings import DEFAULT_EXCLUDE, QUIET_EXCLUDE, Config
from importguard.discovery.roots import NearestRoot, resolve_roots
from importguard.discovery.walkcache import DirSig, FileSig, WalkIndex, file_sig

_INITS = ("__init__.py", "__init__.pyi")


class SourceFile:
    """A file of a run. ``name`` is its absolute path as text; ``path`` the same as a ``Path``,
    made when first asked for (a warm run never needs it: 883 ``Path`` objects cost 2 ms of
    Django's 50 on Python 3.11). Compares and hashes as the tuple of its five fields."""

    __slots__ = ("name", "display", "module", "is_init", "is_package_init", "_path")

    def __init__(self, path: Union[str, Path], display: str, module: str, is_init: bool,
                 is_package_init: bool):
        self.name = path if isinstance(path, str) else str(path)
        self.display = display  # relative to the current directory, with "/"
        self.module = module  # dotted module name ("" when the file is outside every root)
        self.is_init = is_init
        self.is_package_init = is_package_init  # an __init__.py: the module is a package
        self._path = None if isinstance(path, str) else path

    @property
    def path(self) -> Path:
        p = self._path
        if p is None:
            p = self._path = Path(self.name)
        return p

    def _key(self) -> Tuple[str, str, str, bool, bool]:
        return self.name, self.display, self.module, self.is_init, self.is_package_init

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SourceFile) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> Tuple[type, Tuple[str, str, str, bool, bool]]:
        return SourceFile, self._key()

    def __repr__(self) -> str:
        return (f"SourceFile(path={self.name!r}, display={self.display!r}, module={self.module!r}, "
                f"is_init={self.is_init!r}, is_package_init={self.is_package_init!r})")


def display_path(path: Path, cwd: Optional[Path] = None) -> str:
    base = str(cwd or Path.cwd())
    text = str(path)
    if text.startswith(base + os.sep):
        return text[len(base) + 1:].replace(os.sep, "/")
    try:
        return Path(os.path.relpath(text, base)).as_posix()
    except ValueError:
        return path.as_posix()


_BUILD_MARKERS = ("lib", "CMakeCache.txt", "CMakeFiles", "build.ninja", "meson-info", "meson-private")
_BUILD_PREFIXES = ("lib.", "bdist.", "temp.", "scripts-")


def is_build_output(names: Sequence[str]) -> bool:
    """Whether a folder named ``build`` (holding ``names``) is a build's output rather than
    sources: it holds a build tool's folders (``lib/``, ``lib.linux-x86_64-3.12/``, ``bdist.*``,
    ``temp.*``, CMake's or Meson's files), or no Python file of its own. ``doc/build/conf.py``
    (Sphinx sources) and a package ``build/__init__.py`` are sources."""
    if any(n in _BUILD_MARKERS or n.startswith(_BUILD_PREFIXES) for n in names):
        return True
    return not any(n.endswith(".py") for n in names)


def is_environment(names: Sequence[str]) -> bool:
    """A virtual environment (``pyvenv.cfg``) or a conda environment (``conda-meta/``)."""
    return "pyvenv.cfg" in names or "conda-meta" in names


class _Pattern(NamedTuple):
    regex: "re.Pattern[str]"  # matches a file's path relative to the ignore file's folder
    include: bool  # True: ignores; False: a ``!`` pattern, re-includes
    folder: Optional["re.Pattern[str]"]  # for ``name/`` patterns: the pattern without its ``/``


def _self_match(regex: "re.Pattern[str]", rel: str) -> bool:
    """Whether ``regex`` matches the path ``rel`` itself rather than through a folder above it
    (pathspec marks those matches with the group ``ps_d``)."""
    m = regex.search(rel)
    return m is not None and not m.groupdict().get("ps_d")


class _Spec(NamedTuple):
    """One ignore file: the folder its patterns are relative to, and the patterns."""
    base: str  # with a trailing separator
    patterns: Tuple[_Pattern, ...]
    quick: Optional["re.Pattern[str]"]  # matches whenever any pattern may match: a fast "no"

    def decide(self, path: str, is_dir: bool) -> Optional[bool]:
        """True: ignored; False: re-included by a ``!`` pattern; None: no pattern matches."""
        if not path.startswith(self.base):
            return None
        rel = path[len(self.base):]
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        if self.quick is not None and self.quick.search(rel) is None:
            return None
        out: Optional[bool] = None
        if is_dir:
            # a folder is matched, as git matches it, by a pattern that matches its own path (the
            # walk never enters a folder an ignore file excludes); ``name/`` patterns match folders
            # only. So ``a/**`` ignores what ``a`` holds but not ``a`` itself
            for p in self.patterns:
                if _self_match(p.folder or p.regex, rel):
                    out = p.include
            return out
        # pathspec's GitIgnoreSpec decision: the last matching pattern wins, except that a
        # pattern matching the file through a folder above it (``ps_d``) does not override an
        # earlier one matching the file itself, unless it ignores
        priority = 0
        for p in self.patterns:
            m = p.regex.search(rel)
            if m is None:
                continue
            dir_mark = m.groupdict().get("ps_d")
            level = 1 if dir_mark else 2
            if (p.include and dir_mark) or level >= priority:
                out, priority = p.include, level
        return out


class _Translations:
    """gitignore lines -> ``(regex, include, folder regex)``, translated by pathspec (whose
    reading of git's wildmatch is the subtle part). Kept in the cache folder, so that a run whose
    ignore files did not change does not import pathspec, which costs about as much as
    importguard's own start-up."""

    def __init__(self, store_path: Optional[Path]):
        self.store = None
        self.data: Dict[str, object] = {}
        if store_path is not None:
            from importguard.cache.facts import Store

            self.store = Store(store_path)
            self.data = self.store.data

    @staticmethod
    def _one(line: str) -> Optional[Tuple[str, bool]]:
        import pathspec

        try:
            pats = pathspec.GitIgnoreSpec.from_lines([line]).patterns
        except ValueError:  # a line git cannot read either (``!`` alone): git skips it
            return None
        p = pats[0] if pats else None
        rx = getattr(p, "regex", None)
        include = getattr(p, "include", None)
        return (rx.pattern, bool(include)) if (include is not None and rx is not None) else None

    def translate(self, lines: Sequence[str]) -> List[Tuple[str, bool, Optional[str]]]:
        missing = [ln for ln in lines if ln not in self.data]
        for ln in missing:
            one = self._one(ln)
            folder = None
            core = ln.rstrip()
            if one is not None and core.endswith("/") and core.strip("!/"):
                stripped = self._one(core[:-1])
                folder = stripped[0] if stripped is not None else None
            self.data[ln] = (one[0], one[1], folder) if one is not None else None
        if missing and self.store is not None:
            self.store.dirty = True
        return [self.data[ln] for ln in lines if self.data[ln] is not None]  # type: ignore[misc]

    def save(self) -> None:
        if self.store is not None:
            self.store.save()


Chain = Tuple[_Spec, ...]


class _GitIgnore:
    """``.gitignore`` files with git's semantics: the files in each folder from the repository's
    top (or the project root outside git) down, the deepest deciding first and the last matching
    line of a file winning; then ``.git/info/exclude``. Each walked folder gets the chain of ignore
    files that apply to it."""

    def __init__(self, project_root: Path, translations: _Translations):
        self.translations = translations
        self.chains: Dict[str, Chain] = {}
        self.consulted: Dict[str, FileSig] = {}  # every ignore file read or looked for (``WalkIndex``)
        self.exclude: Optional[_Spec] = None
        self.top = self._git_top(project_root)
        self.ceiling = str(self.top or project_root)
        if self.top is not None:
            info = self._git_dir(self.top)
            if info is not None:
                self.exclude = self._compile(info / "info" / "exclude", str(self.top))

    @staticmethod
    def _git_top(start: Path) -> Optional[Path]:
        for d in (start, *start.parents):
            if os.path.exists(os.path.join(d, ".git")):
                return d
        return None

    @staticmethod
    def _git_dir(top: Path) -> Optional[Path]:
        """``.git`` itself, or the common folder a worktree's ``.git`` file points to."""
        dot = top / ".git"
        if dot.is_dir():
            return dot
        try:
            text = dot.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        if not text.startswith("gitdir:"):
            return None
        gitdir = (top / text[len("gitdir:"):].strip()).resolve()
        try:
            common = (gitdir / "commondir").read_text(encoding="utf-8").strip()
            return (gitdir / common).resolve()
        except OSError:
            return gitdir

    def _compile(self, path: Path, base: str) -> Optional[_Spec]:
        self.consulted[str(path)] = file_sig(str(path))  # before reading: a change after it is seen
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = [ln for ln in fh.read().splitlines() if ln.strip() and not ln.startswith("#")]
        except OSError:
            return None
        triples = self.translations.translate(lines)
        if not triples:
            return None
        patterns = tuple(_Pattern(re.compile(rx), include, re.compile(folder) if folder else None)
                         for rx, include, folder in triples)
        alternatives = [rx for rx, _, _ in triples] + [folder for _, _, folder in triples if folder]
        try:
            quick: Optional["re.Pattern[str]"] = re.compile(
                "|".join(f"(?:{rx.replace('(?P<ps_d>', '(?:')})" for rx in alternatives))
        except re.error:
            quick = None
        return _Spec(base.rstrip(os.sep) + os.sep, patterns, quick)

    def _under_ceiling(self, folder: str) -> bool:
        return folder == self.ceiling or folder.startswith(self.ceiling.rstrip(os.sep) + os.sep)

    def chain(self, folder: str, names: Optional[Iterable[str]] = None) -> Chain:
        """The ignore files that apply inside ``folder`` (``names``: what it holds, when known)."""
        got = self.chains.get(folder)
        if got is None:
            parent = os.path.dirname(folder)
            if parent != folder and self._under_ceiling(parent):
                got = self.chain(parent)
            else:
                got = ()
            if names is None:
                has = os.path.isfile(os.path.join(folder, ".gitignore"))
                if not has:
                    self.consulted[os.path.join(folder, ".gitignore")] = None
            else:
                has = ".gitignore" in names
            if has and self._under_ceiling(folder):
                spec = self._compile(Path(folder) / ".gitignore", folder)
                if spec is not None:
                    got = got + (spec,)
            self.chains[folder] = got
        return got

    def ignored(self, path: str, is_dir: bool, chain: Chain) -> bool:
        for spec in reversed(chain):
            decision = spec.decide(path, is_dir)
            if decision is not None:
                return decision
        if self.exclude is not None:
            return bool(self.exclude.decide(path, is_dir))
        return False


class _Ignore:
    """What the walk skips: folders by name, config globs, virtual environments, build outputs
    and what the ignore files say. ``skipped`` counts the folders and Python files skipped, but
    for version control and cache folders."""

    def __init__(self, config: Config, store_path: Optional[Path] = None):
        self.base = config.project_root.resolve()
        self.base_str = str(self.base)
        self.exact = frozenset(n for n in DEFAULT_EXCLUDE if not any(c in n for c in "*?["))
        self.names = tuple(n for n in DEFAULT_EXCLUDE if n not in self.exact)
        self.quiet = frozenset(QUIET_EXCLUDE)
        self.globs = tuple(p.rstrip("/") for p in config.exclude)
        self.translations = _Translations(store_path)
        self.git = _GitIgnore(self.base, self.translations)
        self.skipped = 0

    def _default(self, name: str, is_dir: bool) -> bool:
        if name in self.exact:
            return is_dir
        for pat in self.names:
            if fnmatch.fnmatchcase(name, pat):
                return is_dir or pat.endswith(".py")
        return False

    def excluded(self, path: str, name: str, is_dir: bool, chain: Chain = ()) -> bool:
        """``path`` is an absolute path string, ``name`` its last part, ``chain`` the ignore files
        of its folder."""
        if self._default(name, is_dir):
            if name not in self.quiet and not name.endswith(".egg-info"):
                self.skipped += 1
            return True
        if self.globs:
            base = self.base_str
            rel = path[len(base) + 1:] if path.startswith(base + os.sep) else name
            rel = rel.replace(os.sep, "/")
            for pat in self.globs:
                if (fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(name, pat)
                        or rel.startswith(pat + "/") or rel == pat):
                    self.skipped += 1
                    return True
        if (chain or self.git.exclude is not None) and self.git.ignored(path, is_dir, chain):
            self.skipped += 1
            return True
        return False


def _walk(top: Path, ignore: _Ignore, out: List[str], listed: Optional[List[DirSig]] = None) -> None:
    """Python files under ``top``. Symlinked folders are not followed, so links cannot loop;
    a virtual environment (``pyvenv.cfg``) and a build's output in ``build/`` are skipped.
    ``listed`` receives the signature of each folder listed (``WalkIndex``)."""
    top_str = str(top)
    n = len(top_str)
    git = ignore.git
    parent_top = os.path.dirname(top_str)
    above = git.chain(parent_top) if parent_top != top_str and git._under_ceiling(parent_top) else ()
    stack: List[Tuple[str, str, Chain]] = [(top_str, "", above)]  # (folder, its name, parent's chain)
    while stack:
        d, name, chain = stack.pop()
        try:
            if listed is not None:  # before the listing: a change after it is seen next time
                st = os.stat(d)
                listed.append((d[n:], st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
            with os.scandir(d) as it:
                entries = list(it)
        except OSError:
            continue  # unreadable folder, vanished, or not a folder
        names = [e.name for e in entries]
        if name:  # not the folder the walk starts from
            if is_environment(names) or (name == "build" and is_build_output(names)):
                ignore.skipped += 1
                continue
        if ".gitignore" in names and git._under_ceiling(d):
            spec = git._compile(Path(d) / ".gitignore", d)
            if spec is not None:
                chain = chain + (spec,)
        entries.sort(key=lambda e: e.name)
        subdirs = []
        for e in entries:
            try:
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if not ignore.excluded(e.path, e.name, True, chain):
                    subdirs.append((e.path, e.name, chain))
            elif e.name.endswith((".py", ".pyi")) and not ignore.excluded(e.path, e.name, False, chain):
                out.append(e.path)
        stack.extend(reversed(subdirs))


def _walk_known(top: Path, ignore: _Ignore, out: List[str], walks: Optional[WalkIndex]) -> None:
    """``_walk``, or its last result when no folder it listed and no ignore file it read changed."""
    if walks is None:
        _walk(top, ignore, out)
        return
    top_str = str(top)
    known = walks.files(top_str)
    if known is not None:
        out.extend(known[0])
        ignore.skipped += known[1]
        return
    start, before, listed = len(out), ignore.skipped, []  # type: Tuple[int, int, List[DirSig]]
    _walk(top, ignore, out, listed)
    out[start:] = sorted(out[start:], key=_parts)  # kept in the order ``discover`` gives
    walks.put(top_str, listed, ignore.git.consulted, out[start:], ignore.skipped - before)


def _excluded_file(path: Path, ignore: _Ignore) -> bool:
    """Whether a file named on the command line sits where a folder walk would not go."""
    git = ignore.git
    if ignore.excluded(str(path), path.name, False, git.chain(str(path.parent))):
        return True
    base = ignore.base_str
    for parent in path.parents:
        text = str(parent)
        if not text.startswith(base + os.sep):
            break
        if ignore.excluded(text, parent.name, True, git.chain(os.path.dirname(text))):
            return True
        try:
            names = os.listdir(text)
        except OSError:
            continue
        if is_environment(names) or (parent.name == "build" and is_build_output(names)):
            return True
    return False


def discover(paths: Iterable[str], config: Config, cwd: Optional[Path] = None,
             stats: Optional[Dict[str, int]] = None, use_cache: bool = False
             ) -> Tuple[List[SourceFile], List[SourceFile]]:
    """Return ``(analysed, reported)``.

    Directories given on the command line are analysed whole and reported whole. Single files
    (as pre-commit passes them) are reported alone, while the whole project is analysed so the
    graph and the cycles through those files are complete. ``stats["skipped"]`` receives how many
    folders and Python files the ignore rules skipped in the folders given. With ``use_cache``,
    the translation of .gitignore lines is kept in the cache folder.
    """
    now = time.time_ns()  # before any folder is listed: the walk index's reference time
    cwd = cwd or Path.cwd()
    store = walks = None
    if use_cache:
        from importguard.cache.facts import default_dir, fingerprint

        folder = default_dir(config.project_root, config.cache_dir)
        store = folder / f"gitignore-{fingerprint('gitignore')}.marshal"
    roots = resolve_roots(config, folder / f"roots-{fingerprint('roots')}.marshal" if use_cache else None)
    ignore = _Ignore(config, store)
    if use_cache:
        key = repr((sorted(ignore.exact), ignore.names, ignore.globs, sorted(ignore.quiet), ignore.base_str,
                    ignore.git.ceiling, str(ignore.git.top)))
        walks = WalkIndex(folder / f"walks-{fingerprint('walks')}.marshal", key, now)
    dir_files: List[str] = []
    single: List[str] = []
    skipped = 0
    paths = list(paths)
    for raw in paths:
        p = Path(raw)
        p = (cwd / p) if not p.is_absolute() else p
        if p.is_dir():
            before = ignore.skipped
            _walk_known(p.resolve(), ignore, dir_files, walks)
            skipped += ignore.skipped - before
        elif not (config.force_exclude and _excluded_file(Path(os.path.abspath(p)), ignore)):
            single.append(os.path.abspath(p))
        else:
            skipped += 1
    if stats is not None:
        stats["skipped"] = skipped
        if walks is not None and walks.hits:
            stats["walks_from_index"] = walks.hits
    analysed_paths = list(dir_files)
    if single:
        whole: List[str] = []
        _walk_known(config.project_root.resolve(), ignore, whole, walks)
        analysed_paths.extend(whole)
        analysed_paths.extend(single)
    ignore.translations.save()
    if walks is not None:
        walks.save()
    # in the order of paths (by their parts); a stub (``m.pyi``) sorts after its module (``m.py``),
    # which keeps the module name; a stub without a module (a compiled extension's, or a stub-only
    # package) is the module
    if walks is not None and len(paths) == 1 and not single:
        uniq = analysed_paths  # one walk, from the walk index or sorted when kept there
    else:
        uniq = sorted(set(analysed_paths), key=_parts)
    nearest = NearestRoot(roots)
    base = str(cwd) + os.sep
    analysed = []
    for text in uniq:
        display = text[len(base):].replace(os.sep, "/") if text.startswith(base) else display_path(Path(text), cwd)
        init = os.path.basename(text) in _INITS
        analysed.append(SourceFile(text, display, nearest.module(text), init, init))
    if not single:
        return analysed, list(analysed)
    reported_set = set(dir_files + single)
    return analysed, [f for f in analysed if f.name in reported_set]


def _parts(text: str) -> List[str]:
    """The sort key of ``Path(text)``: its parts, case-folded where paths are case-insensitive."""
    return (text.lower() if os.sep == "\\" else text).split(os.sep)
