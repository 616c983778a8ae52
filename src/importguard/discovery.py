"""Files -> module names: roots, src layout, namespace packages, exclusions."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, List, NamedTuple, Optional, Sequence, Tuple

from .config import DEFAULT_EXCLUDE, Config


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
    base = config.project_root
    if config.roots:
        return tuple((base / r).resolve() for r in config.roots)
    src = base / "src"
    if src.is_dir() and any((p / "__init__.py").is_file() or p.suffix == ".py" for p in src.iterdir()):
        return (src.resolve(), base.resolve())
    return (base.resolve(),)


class _Ignore:
    """Exclusion by directory name, config glob, and the project's .gitignore (simple patterns)."""

    def __init__(self, config: Config):
        self.base = config.project_root.resolve()
        self.base_str = str(self.base)
        self.exact = frozenset(n for n in DEFAULT_EXCLUDE if not any(c in n for c in "*?["))
        self.names = tuple(n for n in DEFAULT_EXCLUDE if n not in self.exact)
        self.globs = tuple(p.rstrip("/") for p in config.exclude)
        self.git: List[Tuple[str, bool, bool]] = []  # (pattern, dir_only, anchored)
        gi = self.base / ".gitignore"
        try:
            lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#") or line.startswith("!"):
                continue
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            self.git.append((line.lstrip("/"), dir_only, anchored))

    def excluded(self, path: str, name: str, is_dir: bool) -> bool:
        """``path`` is an absolute path string, ``name`` its last part."""
        if name in self.exact:
            return is_dir
        for pat in self.names:
            if fnmatch.fnmatchcase(name, pat):
                return is_dir or pat.endswith(".py")
        if not (self.globs or self.git):
            return False
        base = self.base_str
        rel = path[len(base) + 1:] if path.startswith(base + os.sep) else name
        rel = rel.replace(os.sep, "/")
        for pat in self.globs:
            if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(name, pat) or rel.startswith(pat + "/") or rel == pat:
                return True
        for pat, dir_only, anchored in self.git:
            if dir_only and not is_dir:
                continue
            if anchored:
                if fnmatch.fnmatchcase(rel, pat):
                    return True
            elif fnmatch.fnmatchcase(name, pat):
                return True
        return False


def _walk(top: Path, ignore: _Ignore, out: List[Path]) -> None:
    """Python files under ``top``. Symlinked folders are not followed, so links cannot loop;
    a folder holding ``pyvenv.cfg`` is a virtual environment and is skipped."""
    stack = [str(top)]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = list(it)
        except OSError:
            continue  # unreadable folder, vanished, or not a folder
        if any(e.name == "pyvenv.cfg" for e in entries) and d != str(top):
            continue
        entries.sort(key=lambda e: e.name)
        subdirs = []
        for e in entries:
            try:
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if not ignore.excluded(e.path, e.name, True):
                    subdirs.append(e.path)
            elif e.name.endswith(".py") and not ignore.excluded(e.path, e.name, False):
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
    if ignore.excluded(str(path), path.name, False):
        return True
    base = ignore.base_str
    for parent in path.parents:
        text = str(parent)
        if not text.startswith(base + os.sep):
            break
        if ignore.excluded(text, parent.name, True):
            return True
    return False


def discover(paths: Iterable[str], config: Config, cwd: Optional[Path] = None) -> Tuple[List[SourceFile], List[SourceFile]]:
    """Return ``(analysed, reported)``.

    Directories given on the command line are analysed whole and reported whole. Single files
    (as pre-commit passes them) are reported alone, while the whole project is analysed so the
    graph and the cycles through those files are complete.
    """
    cwd = cwd or Path.cwd()
    roots = resolve_roots(config)
    ignore = _Ignore(config)
    dir_files: List[Path] = []
    single: List[Path] = []
    for raw in paths:
        p = Path(raw)
        p = (cwd / p) if not p.is_absolute() else p
        if p.is_dir():
            _walk(p.resolve(), ignore, dir_files)
        elif not (config.force_exclude and _excluded_file(Path(os.path.abspath(p)), ignore)):
            single.append(Path(os.path.abspath(p)))
    analysed_paths = list(dir_files)
    if single:
        whole: List[Path] = []
        _walk(config.project_root.resolve(), ignore, whole)
        analysed_paths.extend(whole)
        analysed_paths.extend(single)
    uniq = sorted(dict.fromkeys(analysed_paths))
    make = lambda p: SourceFile(p, display_path(p, cwd), module_name(p, roots), p.name == "__init__.py", p.name == "__init__.py")
    analysed = [make(p) for p in uniq]
    reported_set = set(dir_files) | set(single)
    reported = [f for f in analysed if f.path in reported_set]
    return analysed, reported
