"""Where module names start: the roots (configured, declared to setuptools, or the usual
``src/`` and ``lib/`` layouts, then the project root), and a file's dotted module name."""
from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Iterable, List, Sequence, Tuple

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.config.settings import Config


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


def module_name(path: Path, roots: Sequence[Path]) -> str:
    text = str(path)
    best = ""
    for r in roots:
        rs = str(r)
        if text.startswith(rs + os.sep) and len(rs) > len(best):
            best = rs
    if not best:
        return ""
    parts = text[len(best) + 1:].rsplit(".", 1)[0].split(os.sep)
    if parts and parts[-1] == "__init__":
        parts.pop()
    if not all(p.isidentifier() for p in parts):
        return ""
    return ".".join(parts)
