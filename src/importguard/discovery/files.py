"""Files -> module names: roots, src layout, namespace packages, exclusions."""
from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from importguard.config.settings import DEFAULT_EXCLUDE, QUIET_EXCLUDE, Config


class SourceFile(NamedTuple):
    path: Path  # absolute
    display: str  # relative to the current directory, with "/"
    module: str  # dotted module name ("" when the file is outside every root)
    is_init: bool
    is_package_init: bool  # an __init__.py: the module is a package


def display_path(path: Path, cwd: Optional[Path] = None) -> str:
    base = str(cwd or Path.cwd())
    text = str(path)
    if text.startswith(base + os.sep):
        return text[len(base) + 1:].replace(os.sep, "/")
    try:
        return Path(os.path.relpath(text, base)).as_posix()
    except ValueError:
        return path.as_posix()


def resolve_roots(config: Config) -> Tuple[Path, ...]:
    """The folders module names are counted from: ``roots`` in the configuration; else the folders
    setuptools is told hold the packages (``package-dir``, ``packages.find.where`` in
    pyproject.toml or setup.cfg); else ``src/`` or ``lib/`` when it holds the project's packages;
    with the project root itself after any of those."""
    base = config.project_root
    if config.roots:
        return tuple((base / r).resolve() for r in config.roots)
    found = [d for d in declared_package_dirs(base) if d.is_dir() and d.resolve() != base.resolve()]
    if not found:
        found = [d for d in (base / "src", base / "lib") if _holds_packages(d, modules_too=d.name == "src")][:1]
    out = tuple(dict.fromkeys(d.resolve() for d in found))
    return out + (base.resolve(),)


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
            where = packages.get("find", {}).get("where") if isinstance(packages, dict) and isinstance(packages.get("find"), dict) else None
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
            mapping(tuple(ln.split("=", 1)) for ln in lines)  # type: ignore[misc]
        if parser.has_option("options.packages.find", "where"):
            found.extend(w for w in re.split(r"[\s,]+", parser.get("options.packages.find", "where")) if w)
    out = []
    for folder in found:
        folder = folder.strip().strip("/") or "."
        if folder not in (".", "") and ".." not in folder.split("/"):
            out.append(base / folder)
    return out


# build outputs: what setuptools/distutils, CMake, Meson and Ninja leave in a ``build/`` folder
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
                if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(name, pat) or rel.startswith(pat + "/") or rel == pat:
                    self.skipped += 1
                    return True
        if (chain or self.git.exclude is not None) and self.git.ignored(path, is_dir, chain):
            self.skipped += 1
            return True
        return False


def _walk(top: Path, ignore: _Ignore, out: List[Path]) -> None:
    """Python files under ``top``. Symlinked folders are not followed, so links cannot loop;
    a virtual environment (``pyvenv.cfg``) and a build's output in ``build/`` are skipped."""
    top_str = str(top)
    git = ignore.git
    parent_top = os.path.dirname(top_str)
    above = git.chain(parent_top) if parent_top != top_str and git._under_ceiling(parent_top) else ()
    stack: List[Tuple[str, str, Chain]] = [(top_str, "", above)]  # (folder, its name, parent's chain)
    while stack:
        d, name, chain = stack.pop()
        try:
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
            elif e.name.endswith(".py") and not ignore.excluded(e.path, e.name, False, chain):
                out.append(Path(e.path))
        stack.extend(reversed(subdirs))


def module_name(path: Path, roots: Sequence[Path]) -> str:
    text = str(path)
    best = ""
    for r in roots:
        rs = str(r)
        if text.startswith(rs + os.sep) and len(rs) > len(best):
            best = rs
    if not best:
        return ""
    parts = text[len(best) + 1:-3].split(os.sep)
    if parts and parts[-1] == "__init__":
        parts.pop()
    if not all(p.isidentifier() for p in parts):
        return ""
    return ".".join(parts)


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
    cwd = cwd or Path.cwd()
    roots = resolve_roots(config)
    store = None
    if use_cache:
        from importguard.cache.facts import default_dir, fingerprint

        store = default_dir(config.project_root, config.cache_dir) / f"gitignore-{fingerprint('gitignore')}.marshal"
    ignore = _Ignore(config, store)
    dir_files: List[Path] = []
    single: List[Path] = []
    skipped = 0
    for raw in paths:
        p = Path(raw)
        p = (cwd / p) if not p.is_absolute() else p
        if p.is_dir():
            before = ignore.skipped
            _walk(p.resolve(), ignore, dir_files)
            skipped += ignore.skipped - before
        elif not (config.force_exclude and _excluded_file(Path(os.path.abspath(p)), ignore)):
            single.append(Path(os.path.abspath(p)))
        else:
            skipped += 1
    if stats is not None:
        stats["skipped"] = skipped
    analysed_paths = list(dir_files)
    if single:
        whole: List[Path] = []
        _walk(config.project_root.resolve(), ignore, whole)
        analysed_paths.extend(whole)
        analysed_paths.extend(single)
    ignore.translations.save()
    uniq = sorted(dict.fromkeys(analysed_paths))
    make = lambda p: SourceFile(p, display_path(p, cwd), module_name(p, roots), p.name == "__init__.py", p.name == "__init__.py")
    analysed = [make(p) for p in uniq]
    reported_set = set(dir_files) | set(single)
    reported = [f for f in analysed if f.path in reported_set]
    return analysed, reported
