"""``[tool.importguard]`` of pyproject.toml -> a frozen Config."""
from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, NamedTuple, Optional, Tuple

from importguard.config.peer import peer_per_file_ignores

DEFAULT_RUNTIME_BASES = (
    "pydantic.BaseModel",
    "pydantic.main.BaseModel",
    "pydantic_settings.BaseSettings",
    "sqlalchemy.orm.DeclarativeBase",
    "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlmodel.SQLModel",
)
DEFAULT_RUNTIME_DECORATORS = (
    "attrs.define",
    "attrs.frozen",
    "attrs.mutable",
    "attr.s",
    "attr.attrs",
    "attr.define",
    "attr.frozen",
    "attr.mutable",
    "pydantic.dataclasses.dataclass",
    "pydantic.validate_call",
    "functools.singledispatch",
    "functools.singledispatchmethod",
    "typing.runtime_checkable",
)
DEFAULT_EXEMPT = ("typing", "typing_extensions")
DEFAULT_SELECT = ("IG1", "IG2", "IG300", "IG301", "IG302", "IG5", "IG9")
ALL_CODES = ("IG100", "IG200", "IG201", "IG202", "IG300", "IG301", "IG302", "IG400",
             "IG500", "IG501", "IG502", "IG503", "IG504", "IG900")
# folders never walked, by name. ``venv``, ``env`` and ``build`` are not here: a folder of any name
# is skipped when it is a virtual environment, and ``build/`` when it is a build's output (see
# discovery.py), so that a package or a source folder with one of those names is still checked
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", ".env", "dist",
    "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".importguard_cache", ".eggs", "*.egg-info", "site-packages", "__pypackages__",
)
# of those, the folders that never hold a project's code: skipping them is not worth counting
QUIET_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", "node_modules", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".importguard_cache", ".eggs", "*.egg-info",
)


class ConfigError(Exception):
    """A configuration problem; the CLI prints it and exits with status 2."""


class Config(NamedTuple):
    """The settings of a run, immutable. A named tuple rather than a dataclass: ``dataclasses``
    imports ``inspect`` (with ``ast``, ``dis`` and ``tokenize``), 8 ms of every warm run's start."""

    project_root: Path = Path(".")
    roots: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    select: Tuple[str, ...] = DEFAULT_SELECT
    ignore: Tuple[str, ...] = ()
    side_effect_modules: Tuple[str, ...] = ()
    runtime_evaluated_base_classes: Tuple[str, ...] = DEFAULT_RUNTIME_BASES
    runtime_evaluated_decorators: Tuple[str, ...] = DEFAULT_RUNTIME_DECORATORS
    exempt_modules: Tuple[str, ...] = DEFAULT_EXEMPT
    target_version: Tuple[int, int] = (3, 9)
    # the newest Python the project supports, from ``requires-python``'s upper bound (``<3.13``);
    # None: every version from ``target_version`` on
    newest_version: Optional[Tuple[int, int]] = None
    check_reexports: bool = False
    strict: bool = False
    force_exclude: bool = False  # exclusions apply to files named one by one too (pre-commit)
    baseline: Optional[str] = None
    cache_dir: Optional[str] = None
    annotation_strategy: Optional[str] = None
    min_cost_ms: float = 10.0  # IG400: measured imports cheaper than this are not reported
    # a library (other code imports its modules) or an application; None: not known (application)
    library: Optional[bool] = None
    config_file: Optional[Path] = None
    # ((glob, codes), ...): ``per-file-ignores``, globs relative to the project root
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    # architecture contracts as written, read by ``importguard.contracts.spec.load``:
    # (format, file, payload), () when there are none
    contracts: Tuple[str, ...] = ()
    # what tests inject (``costs``); neither compared nor hashed, and never changed in place
    extra: Dict[str, Any] = {}  # noqa: RUF012

    def __eq__(self, other: object) -> bool:
        return type(other) is Config and tuple.__eq__(self[:-1], other[:-1])

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:-1])

    def enabled(self, code: str) -> bool:
        def match(prefixes):
            return max((len(p) for p in prefixes if code.startswith(p)), default=-1)

        sel, ign = match(self.select), match(self.ignore)
        return sel >= 0 and sel > ign

    def ignored_codes(self, path: str) -> Tuple[str, ...]:
        """The codes and prefixes ``per-file-ignores`` silences in the file at absolute ``path``."""
        if not self.per_file_ignores:
            return ()
        import os

        root = os.path.abspath(str(self.project_root))
        rel = os.path.relpath(path, root).replace(os.sep, "/") if os.path.isabs(path) else path
        name = rel.rsplit("/", 1)[-1]
        out: Tuple[str, ...] = ()
        for pattern, codes in self.per_file_ignores:
            negated = pattern.startswith("!")
            body = pattern[1:] if negated else pattern
            hit = _glob_matches(body, rel, name)
            if hit != negated:
                out += codes
        return out

    def with_options(self, **changes: Any) -> "Config":
        return self._replace(**{k: v for k, v in changes.items() if v is not None})


@lru_cache(maxsize=None)
def _glob_regex(pattern: str) -> "re.Pattern[str]":
    """A ``per-file-ignores`` glob as ruff reads it (the globset crate's defaults): ``*`` and ``?``
    also match ``/``, ``**/`` matches any number of folders (none included), ``[...]`` and
    ``[!...]`` are classes, ``{a,b}`` alternatives, ``\\`` escapes."""
    out, i, n, depth = [], 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
            continue
        if c == "*":
            while i + 1 < n and pattern[i + 1] == "*":
                i += 1
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = pattern.find("]", i + 2)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        elif c == "{":
            out.append("(?:")
            depth += 1
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
        elif c == "," and depth:
            out.append("|")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise re.error("unclosed `{`")
    return re.compile("".join(out) + r"\Z", re.S)


def _glob_matches(pattern: str, rel: str, name: str) -> bool:
    """Like ruff: the glob matches the path relative to the project root, or the file's name."""
    while pattern.startswith("./"):
        pattern = pattern[2:]
    regex = _glob_regex(pattern)
    return bool(regex.match(rel) or regex.match(name))


def _per_file_ignores(where: Path, key: str, value: Any) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `{key}` must be a table of glob = [codes], such as "
                          f"[tool.importguard.{key}] \"tests/**\" = [\"IG2\"]; got {value!r}")
    out = []
    for pattern, codes in value.items():
        if not pattern.strip("!"):
            raise ConfigError(f"{where}: `{key}`: empty glob")
        if not isinstance(codes, list):
            raise ConfigError(f"{where}: `{key}`: the value of {pattern!r} must be a list of rule codes "
                              f"or prefixes such as [\"IG100\"], got {codes!r}")
        try:
            out.append((pattern, parse_codes(key, codes)))
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc} (for {pattern!r})") from None
        try:
            _glob_regex(pattern[1:] if pattern.startswith("!") else pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: `{key}`: cannot read the glob {pattern!r}: {exc}") from None
    return tuple(out)


def _str_list(key: str, value: Any) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of strings, got {value!r}")
    return tuple(value)


def parse_codes(key: str, value: Any) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    codes = _str_list(key, value)
    for c in codes:
        if c.upper() == "ALL":
            continue
        if not re.fullmatch(r"IG\d{0,3}", c.upper()) or not any(a.startswith(c.upper()) for a in ALL_CODES):
            raise ConfigError(f"`{key}`: unknown rule code or prefix {c!r} (known: {', '.join(ALL_CODES)})")
    return tuple("IG" if c.upper() == "ALL" else c.upper() for c in codes)


def parse_version(key: str, value: Any) -> Tuple[int, int]:
    if not isinstance(value, str):
        raise ConfigError(f"`{key}` must be a string such as \"py311\" or \"3.11\", got {value!r}")
    m = re.fullmatch(r"(?:py)?3\.?(\d{1,2})", value.strip().lower())
    if not m:
        raise ConfigError(f"`{key}`: cannot read {value!r} as a Python version (\"py311\" or \"3.11\")")
    return (3, int(m.group(1)))


def requires_python_floor(spec: str) -> Optional[Tuple[int, int]]:
    """The lower bound of a ``requires-python`` specifier, e.g. ``>=3.10,<4`` -> (3, 10)."""
    floors = [(3, int(m.group(1))) for m in re.finditer(r"(?:>=|==|~=|>)\s*3\.(\d+)", spec)]
    return max(floors) if floors else None


def requires_python_ceiling(spec: str) -> Optional[Tuple[int, int]]:
    """The newest minor version a ``requires-python`` specifier allows, or None when it allows
    every later 3.x: ``<3.13`` -> (3, 12), ``<=3.12`` / ``<3.12.5`` / ``==3.12.*`` / ``~=3.12.1`` ->
    (3, 12); ``<4``, ``~=3.10`` and ``!=3.11`` set none."""
    ceilings = []
    for clause in spec.split(","):
        clause = clause.strip().replace(" ", "")
        m = re.fullmatch(r"(<=|<|==|~=)3\.(\d+)((?:\.\d+)*)(\.\*)?", clause)
        if not m:
            continue
        op, minor, rest = m.group(1), int(m.group(2)), m.group(3)
        if op == "<":
            patch_above_zero = any(int(x) for x in rest.strip(".").split(".") if x)
            ceilings.append((3, minor if patch_above_zero else minor - 1))
        elif op in ("<=", "==") or rest:  # ``~=3.12.1`` stays within 3.12; ``~=3.12`` within 3.x
            ceilings.append((3, minor))
    return min(ceilings) if ceilings else None


_KEYS = {
    "roots": "roots",
    "exclude": "exclude",
    "extend-exclude": "exclude",
    "select": "select",
    "ignore": "ignore",
    "side-effect-modules": "side_effect_modules",
    "runtime-evaluated-base-classes": "runtime_evaluated_base_classes",
    "runtime-evaluated-decorators": "runtime_evaluated_decorators",
    "exempt-modules": "exempt_modules",
    "target-version": "target_version",
    "check-reexports": "check_reexports",
    "strict": "strict",
    "force-exclude": "force_exclude",
    "baseline": "baseline",
    "cache-dir": "cache_dir",
    "annotation-strategy": "annotation_strategy",
    "per-file-ignores": "per_file_ignores",
    "peer-per-file-ignores": "peer_per_file_ignores",
    "min-cost-ms": "min_cost_ms",
    "library": "library",
    "contracts": "contracts",
}


def _load_toml(path: Path) -> dict:
    from importguard.config import tomlcache

    return tomlcache.load(path, _parse_toml)


def _parse_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.9/3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


PROJECT_MARKERS = ("setup.cfg", "setup.py", "tox.ini", ".flake8")
VCS_MARKERS = (".git", ".hg")


def find_project_root(start: Path, cwd: Optional[Path] = None) -> Tuple[Path, Optional[Path]]:
    """The project root of ``start`` (a file or folder) and its ``pyproject.toml`` (or None).

    Every front end (CLI, flake8 plugin, pre-commit hooks, codemods) calls this one function, so
    they agree on module names and on the graph: the folder of the nearest ``pyproject.toml`` at or
    above ``start``; else of the nearest ``setup.cfg``, ``setup.py``, ``tox.ini`` or ``.flake8``;
    else the version-control root (``.git`` or ``.hg``); else the working directory ``cwd`` when
    ``start`` is inside it, else ``start`` itself.
    """
    start = start.resolve()
    if start.is_file() or not start.exists():
        start = start.parent
    chain = (start, *start.parents)
    for d in chain:
        candidate = d / "pyproject.toml"
        if candidate.is_file():
            return d, candidate
    for markers in (PROJECT_MARKERS, VCS_MARKERS):
        for d in chain:
            if any((d / m).exists() for m in markers):
                return d, None
    cwd = (cwd or Path.cwd()).resolve()
    if cwd == start or cwd in start.parents:
        return cwd, None
    return start, None


def load_config(start: Path, config_file: Optional[Path] = None, cwd: Optional[Path] = None) -> Config:
    pyproject: Optional[Path]
    if config_file is not None:
        root, pyproject = config_file.resolve().parent, config_file
        if not config_file.is_file():
            raise ConfigError(f"config file not found: {config_file}")
    else:
        root, pyproject = find_project_root(start, cwd)
    if pyproject is None:
        return Config(project_root=root, library=looks_like_library(root, {}),
                      per_file_ignores=peer_per_file_ignores(root), contracts=importlinter_source(root, {}))
    data = _load_toml(pyproject)
    section = data.get("tool", {}).get("importguard", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{pyproject}: [tool.importguard] must be a table")
    values: Dict[str, Any] = {"project_root": root, "config_file": pyproject}
    requires = data.get("project", {}).get("requires-python")
    if isinstance(requires, str):
        floor = requires_python_floor(requires)
        if floor:
            values["target_version"] = floor
        ceiling = requires_python_ceiling(requires)
        if ceiling and ceiling >= (floor or (3, 0)):
            values["newest_version"] = ceiling
    extend_exclude: Tuple[str, ...] = ()
    for key, value in section.items():
        attr = _KEYS.get(key)
        if attr is None:
            hint = ""
            if key.replace("_", "-") in _KEYS:
                hint = f" (did you mean `{key.replace('_', '-')}`?)"
            raise ConfigError(f"{pyproject}: unknown key `{key}` in [tool.importguard]{hint}; "
                              f"known keys: {', '.join(sorted(_KEYS))}")
        if attr in ("select", "ignore"):
            values[attr] = parse_codes(key, value)
        elif attr == "target_version":
            version = parse_version(key, value)
            if "target_version" not in values:  # requires-python, when present, wins
                values[attr] = version
        elif attr in ("check_reexports", "strict", "force_exclude", "library", "peer_per_file_ignores"):
            if not isinstance(value, bool):
                raise ConfigError(f"{pyproject}: `{key}` must be true or false, got {value!r}")
            values[attr] = value
        elif attr in ("baseline", "cache_dir"):
            if not isinstance(value, str):
                raise ConfigError(f"{pyproject}: `{key}` must be a string path, got {value!r}")
            values[attr] = value
        elif attr == "annotation_strategy":
            if value not in ("quote", "future"):
                raise ConfigError(f"{pyproject}: `{key}` must be \"quote\" or \"future\", got {value!r}")
            values[attr] = value
        elif attr == "per_file_ignores":
            values[attr] = _per_file_ignores(pyproject, key, value)
        elif attr == "min_cost_ms":
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not number or not 0 <= value < float("inf"):
                raise ConfigError(f"{pyproject}: `{key}` must be a number of milliseconds >= 0, got {value!r}")
            values[attr] = float(value)
        elif attr == "contracts":
            import json

            values[attr] = ("importguard", str(pyproject), json.dumps(value, sort_keys=True, default=str))
        elif key == "extend-exclude":
            extend_exclude = _str_list(key, value)
        else:
            try:
                values[attr] = _str_list(key, value)
            except ConfigError as exc:
                raise ConfigError(f"{pyproject}: {exc}") from None
    if extend_exclude:
        values["exclude"] = values.get("exclude", ()) + extend_exclude
    if "library" not in values:
        values["library"] = looks_like_library(root, data)
    if "contracts" not in values:
        values["contracts"] = importlinter_source(root, data, pyproject)
    if values.pop("peer_per_file_ignores", True):
        values["per_file_ignores"] = values.get("per_file_ignores", ()) + peer_per_file_ignores(root, data)
    return Config(**values)


def importlinter_source(root: Path, pyproject: dict, pyproject_path: Optional[Path] = None) -> Tuple[str, ...]:
    """An import-linter configuration, read as it is when ``[tool.importguard]`` has no
    ``contracts``: ``setup.cfg`` or ``.importlinter`` with an ``[importlinter]`` section (in that
    order, as import-linter looks), else ``[tool.importlinter]`` in ``pyproject.toml``."""
    for name in ("setup.cfg", ".importlinter"):
        path = root / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if re.search(r"^\s*\[importlinter\]", text, re.M):
            return ("importlinter-ini", str(path), text)
    section = pyproject.get("tool", {}).get("importlinter")
    if isinstance(section, dict) and section:
        import json

        return ("importlinter-toml", str(pyproject_path or root / "pyproject.toml"),
                json.dumps(section, sort_keys=True, default=str))
    return ()


def looks_like_library(root: Path, pyproject: dict) -> bool:
    """A project others install and import: a ``[project]`` table with a name, a ``setup.py`` or
    ``setup.cfg``, or packages under ``src/``. ``library = true|false`` in config decides instead."""
    project = pyproject.get("project")
    if isinstance(project, dict) and isinstance(project.get("name"), str) and project["name"].strip():
        return True
    if (root / "setup.py").is_file() or (root / "setup.cfg").is_file():
        return True
    try:
        return any((d / "__init__.py").is_file() for d in (root / "src").iterdir() if d.is_dir())
    except OSError:
        return False
