"""Suppressions a project already wrote for ruff or flake8, read as importguard's own.

A project that silences ``F401`` in its ``compat.py`` through ruff's or flake8's
``per-file-ignores`` has said that the file's imports are there on purpose (for code outside the
repository to import); importguard honours that, as it honours ``# noqa: F401`` comments. Only the
codes that have an importguard counterpart are read; the rest are left to those tools.

Files the project keeps away from those linters altogether (ruff's ``exclude`` /
``extend-exclude``, flake8's ``exclude`` / ``extend-exclude``) are test data, formatter or lexer
inputs with expected outputs, or deliberately broken code: importguard reports nothing in them
either (every ``IG`` code is silenced there), but keeps them in the import graph, so the names
they import from the package still count as used.
Standard library only: this runs on every start.
"""
from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple

if TYPE_CHECKING:
    from pathlib import Path

PerFileIgnores = Tuple[Tuple[str, Tuple[str, ...]], ...]

# ruff / flake8-type-checking codes (and ruff's rule names) -> the importguard codes they silence
_CODES: Dict[str, Tuple[str, ...]] = {
    "F401": ("IG100",), "unused-import": ("IG100",),
    "TC001": ("IG200",), "typing-only-first-party-import": ("IG200",),
    "TC002": ("IG200",), "typing-only-third-party-import": ("IG200",),
    "TC003": ("IG200",), "typing-only-standard-library-import": ("IG200",),
    "TC004": ("IG201",), "runtime-import-in-type-checking-block": ("IG201",),
    "TC005": ("IG202",), "empty-type-checking-block": ("IG202",),
}
_ALL = ("IG100", "IG200", "IG201", "IG202")


def translate(selector: str) -> Tuple[str, ...]:
    """The importguard codes a ruff/flake8 selector silences: a code (``F401``), a prefix of one
    (``F``, ``F4``, ``TC``), ruff's legacy ``TCH`` spelling, a rule name, or ``ALL``."""
    s = selector.strip()
    if not s:
        return ()
    if s == "ALL":
        return _ALL
    if s in _CODES:
        return _CODES[s]
    if s.upper().startswith("TCH"):
        s = "TC" + s[3:]
    s = s.upper()
    out: List[str] = []
    for code, ours in _CODES.items():
        if code[0].isupper() and code.startswith(s):
            out.extend(c for c in ours if c not in out)
    return tuple(out)


def _table(data: Any, *keys: str) -> Optional[dict]:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, dict) else None


def _from_tables(tables: Iterable[Optional[dict]]) -> PerFileIgnores:
    out = []
    for table in tables:
        for pattern, selectors in (table or {}).items():
            if not isinstance(pattern, str) or not isinstance(selectors, list):
                continue  # ruff itself reports a malformed table; not ours to judge
            codes = tuple(c for s in selectors if isinstance(s, str) for c in translate(s))
            if codes:
                out.append((pattern, tuple(dict.fromkeys(codes))))
    return tuple(out)


def _ruff_tables(data: dict, prefix: Tuple[str, ...]) -> List[Optional[dict]]:
    return [_table(data, *prefix, *path, key)
            for path in (("lint",), ())
            for key in ("per-file-ignores", "extend-per-file-ignores")]


# what a peer's exclusion silences: every importguard code
EXCLUDED = ("IG",)


def exclusion_patterns(pattern: str) -> Tuple[str, ...]:
    """A ruff or flake8 ``exclude`` entry as ``per-file-ignores`` globs: a name without ``/``
    (``build``, ``*_pb2.py``) excludes every file or folder of that name anywhere; a path
    (``tests/examplefiles``, ``./docs/*.py``) that file or folder under the project root. Both
    exclude everything inside a folder they match."""
    p = pattern.strip().replace("\\", "/").rstrip("/")
    anchored = "/" in p
    while p.startswith("./"):
        p = p[2:]
    if not p or p in (".", "*"):
        return ()  # the whole project: a setting for another tool's run, not a statement about files
    if not anchored:
        return (p, f"**/{p}/*")  # ``_glob_matches`` also tries the bare file name
    return (p, f"{p}/*")


def _exclusions(patterns: Iterable[Any]) -> PerFileIgnores:
    out: List[Tuple[str, Tuple[str, ...]]] = []
    for pattern in patterns:
        if isinstance(pattern, str):
            out.extend((glob, EXCLUDED) for glob in exclusion_patterns(pattern))
    return tuple(out)


def _ruff_excludes(data: dict) -> PerFileIgnores:
    found: List[Any] = []
    lint = data.get("lint")
    for table, key in ((data, "exclude"), (data, "extend-exclude"), (lint, "exclude")):
        value = table.get(key) if isinstance(table, dict) else None  # ``lint.exclude``: from the linter only
        if isinstance(value, list):
            found.extend(value)
    return _exclusions(found)


def _load_toml(path: Path) -> Optional[dict]:
    """A peer's TOML file, or None when it cannot be read (that tool reports it, not us)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.9/3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, ValueError):
        return None


def _flake8_entries(value: str) -> List[Tuple[str, List[str]]]:
    """flake8's ``per-file-ignores`` value: ``glob: codes`` pairs, codes separated by commas or
    spaces, pairs by whitespace or newlines (flake8's own grammar)."""
    out: List[Tuple[str, List[str]]] = []
    tokens = re.findall(r"[^\s:,]+|:", value)
    for i, tok in enumerate(tokens):
        if tok == ":":
            continue
        if i + 1 < len(tokens) and tokens[i + 1] == ":":
            out.append((tok, []))  # a glob: the codes follow its colon
        elif out:
            out[-1][1].append(tok)
    return [(pattern, codes) for pattern, codes in out if codes]


def _flake8(path: Path) -> PerFileIgnores:
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error, UnicodeDecodeError):
        return ()
    if not parser.has_section("flake8"):
        return ()
    out: List[Tuple[str, Tuple[str, ...]]] = []
    for key in ("exclude", "extend-exclude"):
        if parser.has_option("flake8", key):
            out.extend(_exclusions(re.split(r"[\s,]+", parser.get("flake8", key))))
    if not parser.has_option("flake8", "per-file-ignores"):
        return tuple(out)
    value = parser.get("flake8", "per-file-ignores")
    for pattern, selectors in _flake8_entries(value):
        codes = tuple(dict.fromkeys(c for s in selectors for c in translate(s)))
        if codes:
            out.append((pattern, codes))
    return tuple(out)


def peer_per_file_ignores(root: Path, pyproject: Optional[dict] = None) -> PerFileIgnores:
    """``per-file-ignores`` of ruff (``ruff.toml``, ``.ruff.toml`` or ``[tool.ruff]``) and flake8
    (``.flake8``, ``setup.cfg``, ``tox.ini``) in the project root, as importguard codes, and their
    ``exclude`` / ``extend-exclude`` entries as globs that silence every importguard code. Ruff
    reads the first of its files that exists, as ruff does; flake8 the first with a ``[flake8]``
    section."""
    out: PerFileIgnores = ()
    for name in ("ruff.toml", ".ruff.toml"):
        path = root / name
        if path.is_file():
            data = _load_toml(path) or {}
            out += _from_tables(_ruff_tables(data, ())) + _ruff_excludes(data)
            break
    else:
        if pyproject is None and (root / "pyproject.toml").is_file():
            pyproject = _load_toml(root / "pyproject.toml")
        ruff = _table(pyproject or {}, "tool", "ruff")
        if ruff:
            out += _from_tables(_ruff_tables(ruff, ())) + _ruff_excludes(ruff)
    for name in (".flake8", "setup.cfg", "tox.ini"):
        path = root / name
        if path.is_file():
            found = _flake8(path)
            if found:
                out += found
                break
    return out
