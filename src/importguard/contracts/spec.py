"""Contracts as plain data, read from ``[tool.importguard] contracts`` or an import-linter file.

A ``ContractSet`` is what a run checks: the contracts, and the graph options import-linter sets
once per file (its root packages and whether external packages are in the graph). Parsing only
checks what can be checked without the graph (types, keys, expressions); a module that does not
exist is found when the contracts run.
"""
from __future__ import annotations

import configparser
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from importguard.config.settings import ConfigError

FORBIDDEN, LAYERS, INDEPENDENCE, PROTECTED, ACYCLIC = (
    "forbidden", "layers", "independence", "protected", "acyclic-siblings")
TYPES = (FORBIDDEN, LAYERS, INDEPENDENCE, PROTECTED, ACYCLIC)
CODES = {FORBIDDEN: "IG500", LAYERS: "IG501", INDEPENDENCE: "IG502", PROTECTED: "IG503", ACYCLIC: "IG504"}
ALERT_LEVELS = ("none", "warn", "error")

_EXPRESSION = re.compile(r"^(\w+|\*{1,2})(\.(\w+|\*{1,2}))*$")


class Layer(tuple):
    """``(tails, independent)``: the modules of one layer (relative to each container), each
    ``(name, optional)``, and whether they may import each other (``:``) or not (``|``)."""

    __slots__ = ()

    def __new__(cls, tails: Tuple[Tuple[str, bool], ...], independent: bool = True) -> "Layer":
        return tuple.__new__(cls, (tuple(tails), independent))

    @property
    def tails(self) -> Tuple[Tuple[str, bool], ...]:
        return self[0]

    @property
    def independent(self) -> bool:
        return self[1]

    def __repr__(self) -> str:  # part of the cache key through Config's repr
        return f"Layer({self[0]!r}, {self[1]!r})"


@dataclass(frozen=True)
class Contract:
    """One contract. Module lists hold expressions (``pkg.*``, ``pkg.**.models``)."""

    id: str
    name: str
    type: str
    # forbidden
    source_modules: Tuple[str, ...] = ()
    forbidden_modules: Tuple[str, ...] = ()
    allow_indirect_imports: bool = False
    as_packages: bool = True
    # layers
    layers: Tuple[Layer, ...] = ()
    containers: Tuple[str, ...] = ()
    exhaustive: bool = False
    exhaustive_ignores: Tuple[str, ...] = ()
    # independence
    modules: Tuple[str, ...] = ()
    # protected
    protected_modules: Tuple[str, ...] = ()
    allowed_importers: Tuple[str, ...] = ()
    # acyclic-siblings
    ancestors: Tuple[str, ...] = ()
    depth: int = 10
    skip_descendants: Tuple[str, ...] = ()
    # every type
    ignore_imports: Tuple[Tuple[str, str], ...] = ()
    unmatched_ignore_imports_alerting: str = "error"
    exclude_type_checking: bool = False  # leave imports under ``if TYPE_CHECKING:`` out
    import_time_only: bool = False  # count only imports that run when the module is imported
    guidance: str = ""

    @property
    def code(self) -> str:
        return CODES[self.type]


@dataclass(frozen=True)
class ContractSet:
    contracts: Tuple[Contract, ...]
    source: str  # the file the contracts came from, for messages
    root_packages: Tuple[str, ...] = ()  # empty: every first-party top-level package
    include_external_packages: bool = True


# --------------------------------------------------------------------------- field readers
def _where(source: str, ident: str) -> str:
    return f"{source}: contract {ident!r}"


def _strings(value: Any, key: str, where: str) -> Tuple[str, ...]:
    """A list of strings; an INI value is one string with one item per line."""
    if isinstance(value, str):
        value = value.strip().split("\n") if "\n" in value.strip() else [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings, got {value!r}")
    return tuple(v.strip() for v in value if v.strip())


def _expression(text: str, key: str, where: str) -> str:
    parts = text.split(".")
    bad = not _EXPRESSION.match(text) or any(
        a == "**" and b in ("*", "**") or a == "*" and b == "**" for a, b in zip(parts, parts[1:]))
    if bad:
        raise ConfigError(f"{where}: `{key}`: {text!r} is not a module expression "
                          "(dotted names, `*` for one component, `**` for any number)")
    return text


def _expressions(value: Any, key: str, where: str) -> Tuple[str, ...]:
    return tuple(_expression(v, key, where) for v in _strings(value, key, where))


def _bool(value: Any, key: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ConfigError(f"{where}: `{key}` must be true or false, got {value!r}")


def _int(value: Any, key: str, where: str) -> int:
    try:
        number = int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0:
        raise ConfigError(f"{where}: `{key}` must be a whole number >= 0, got {value!r}")
    return number


def _ignore_imports(value: Any, key: str, where: str) -> Tuple[Tuple[str, str], ...]:
    out = []
    for item in _strings(value, key, where):
        importer, _, imported = item.partition("->")
        if not (importer.strip() and imported.strip()):
            raise ConfigError(f"{where}: `{key}`: {item!r} must read \"importer -> imported\"")
        out.append((_expression(importer.strip(), key, where), _expression(imported.strip(), key, where)))
    return tuple(dict.fromkeys(out))


def _layer(text: str, where: str) -> Layer:
    if "|" in text and ":" in text:
        raise ConfigError(f"{where}: layer {text!r} mixes independent `|` and non-independent `:` siblings")
    sep = "|" if "|" in text else ":" if ":" in text else None
    raw = [t.strip() for t in text.split(sep)] if sep else [text.strip()]
    tails: List[Tuple[str, bool]] = []
    for t in raw:
        optional = t.startswith("(") and t.endswith(")")
        name = t[1:-1].strip() if optional else t
        if name in (n for n, _ in tails):
            raise ConfigError(f"{where}: module {name!r} repeated in layer {text!r}")
        tails.append((_expression(name, "layers", where), optional))
    names = [n for n, _ in tails]
    for a in names:
        for b in names:
            if b.startswith(a + "."):
                raise ConfigError(f"{where}: modules cannot contain each other in a layer: {a!r} contains {b!r}")
    return Layer(tuple(tails), sep != ":")


def _layers(value: Any, where: str) -> Tuple[Layer, ...]:
    layers = tuple(_layer(t, where) for t in _strings(value, "layers", where))
    seen: List[str] = []
    for layer in layers:
        for name, _ in layer.tails:
            if name in seen:
                raise ConfigError(f"{where}: module {name!r} is in more than one layer")
            seen.append(name)
    for a in seen:
        for b in seen:
            if b.startswith(a + "."):
                raise ConfigError(f"{where}: layers cannot contain other layers: {a!r} contains {b!r}")
    return layers


# key (snake_case, as import-linter spells it) -> (attribute, reader)
_FIELDS = {
    "source_modules": ("source_modules", _expressions),
    "forbidden_modules": ("forbidden_modules", _expressions),
    "allow_indirect_imports": ("allow_indirect_imports", _bool),
    "as_packages": ("as_packages", _bool),
    "containers": ("containers", _expressions),
    "exhaustive": ("exhaustive", _bool),
    "exhaustive_ignores": ("exhaustive_ignores", _strings),
    "modules": ("modules", _expressions),
    "protected_modules": ("protected_modules", _expressions),
    "allowed_importers": ("allowed_importers", _expressions),
    "ancestors": ("ancestors", _expressions),
    "depth": ("depth", _int),
    "skip_descendants": ("skip_descendants", _expressions),
    "ignore_imports": ("ignore_imports", _ignore_imports),
    "exclude_type_checking": ("exclude_type_checking", _bool),
    "exclude_type_checking_imports": ("exclude_type_checking", _bool),
    "import_time_only": ("import_time_only", _bool),
    "broken_contract_guidance": ("guidance", lambda v, k, w: v if isinstance(v, str) else str(v)),
}
_REQUIRED = {
    FORBIDDEN: ("source_modules", "forbidden_modules"),
    LAYERS: ("layers",),
    INDEPENDENCE: ("modules",),
    PROTECTED: ("protected_modules", "allowed_importers"),
    ACYCLIC: ("ancestors",),
}
_ALLOWED = {
    FORBIDDEN: {"source_modules", "forbidden_modules", "allow_indirect_imports", "as_packages"},
    LAYERS: {"layers", "containers", "exhaustive", "exhaustive_ignores"},
    INDEPENDENCE: {"modules"},
    PROTECTED: {"protected_modules", "allowed_importers", "as_packages"},
    ACYCLIC: {"ancestors", "depth", "skip_descendants"},
}
_COMMON = {"ignore_imports", "unmatched_ignore_imports_alerting", "exclude_type_checking",
           "exclude_type_checking_imports", "import_time_only", "broken_contract_guidance"}


def parse_contract(raw: Dict[str, Any], source: str, default_id: str) -> Contract:
    """One contract from a table (TOML) or section (INI); keys in kebab-case or snake_case."""
    data = {str(k).replace("-", "_"): v for k, v in raw.items()}
    ident = str(data.pop("id", default_id))
    name = data.pop("name", None)
    where = _where(source, ident)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: every contract needs a `name`")
    kind = str(data.pop("type", "")).replace("_", "-")
    if kind not in TYPES:
        raise ConfigError(f"{where}: unknown contract type {kind!r} (known: {', '.join(TYPES)})")
    values: Dict[str, Any] = {}
    for key, value in data.items():
        if key not in _ALLOWED[kind] and key not in _COMMON:
            known = sorted(k.replace("_", "-") for k in _ALLOWED[kind] | _COMMON)
            raise ConfigError(f"{where}: unknown key `{key}` for a {kind} contract; known: {', '.join(known)}")
        if key == "layers":
            values["layers"] = _layers(value, where)
        elif key == "unmatched_ignore_imports_alerting":
            if str(value).lower() not in ALERT_LEVELS:
                raise ConfigError(f"{where}: `{key}` must be one of {', '.join(ALERT_LEVELS)}, got {value!r}")
            values[key] = str(value).lower()
        else:
            attr, reader = _FIELDS[key]
            values[attr] = reader(value, key, where)
    for key in _REQUIRED[kind]:
        if key not in data:
            raise ConfigError(f"{where}: a {kind} contract needs `{key.replace('_', '-')}`")
    if kind == LAYERS and values.get("exhaustive") and not values.get("containers"):
        raise ConfigError(f"{where}: `exhaustive` needs `containers`")
    return Contract(ident, name.strip(), kind, **values)


def _check_ids(contracts: List[Contract], source: str) -> Tuple[Contract, ...]:
    seen = set()
    for c in contracts:
        if c.id in seen:
            raise ConfigError(f"{source}: two contracts have the id {c.id!r}")
        seen.add(c.id)
    return tuple(contracts)


def from_importguard(tables: Any, source: str) -> ContractSet:
    """``[[tool.importguard.contracts]]`` tables (as read from TOML)."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{source}: `contracts` must be an array of tables ([[tool.importguard.contracts]])")
    contracts = [parse_contract(t, source, str(i + 1)) for i, t in enumerate(tables)]
    return ContractSet(_check_ids(contracts, source), source)


def _session(options: Dict[str, Any], source: str) -> Tuple[Tuple[str, ...], bool, bool]:
    roots = options.get("root_packages", options.get("root_package"))
    if roots is None:
        raise ConfigError(f"{source}: [importlinter] needs `root_package` or `root_packages`")
    roots_t = _strings(roots, "root_packages", source)
    external = _bool(options.get("include_external_packages", False), "include_external_packages", source)
    typing = _bool(options.get("exclude_type_checking_imports", False), "exclude_type_checking_imports", source)
    return roots_t, external, typing


def _with_session(contracts: List[Contract], exclude_typing: bool) -> List[Contract]:
    from dataclasses import replace

    return [replace(c, exclude_type_checking=True) if exclude_typing else c for c in contracts]


def from_importlinter_ini(text: str, source: str) -> Optional[ContractSet]:
    """``.importlinter`` or ``setup.cfg``: ``[importlinter]`` and ``[importlinter:contract:ID]``."""
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source)
    except configparser.Error as exc:
        raise ConfigError(f"{source}: cannot read: {exc}") from None
    if "importlinter" not in parser.sections():
        return None
    roots, external, typing = _session(dict(parser["importlinter"]), source)
    contracts = []
    for section in parser.sections():
        if section.startswith("importlinter:"):
            contracts.append(parse_contract(dict(parser[section]), source, section.split(":")[-1]))
    return ContractSet(_check_ids(_with_session(contracts, typing), source), source, roots, external)


def from_importlinter_toml(section: Dict[str, Any], source: str) -> ContractSet:
    """``[tool.importlinter]`` with ``[[tool.importlinter.contracts]]``."""
    options = dict(section)
    tables = options.pop("contracts", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{source}: `contracts` in [tool.importlinter] must be an array of tables")
    roots, external, typing = _session(options, source)
    contracts = [parse_contract(t, source, str(t.get("id", i + 1))) for i, t in enumerate(tables)]
    return ContractSet(_check_ids(_with_session(contracts, typing), source), source, roots, external)


def load(raw: Tuple[str, str, str]) -> Optional[ContractSet]:
    """The contracts of a run from what the configuration holds: ``(format, file, payload)``,
    where the payload is the TOML value as JSON, or the text of an import-linter INI file."""
    if not raw:
        return None
    fmt, source, payload = raw
    if fmt == "importguard":
        return from_importguard(json.loads(payload), source)
    if fmt == "importlinter-toml":
        return from_importlinter_toml(json.loads(payload), source)
    return from_importlinter_ini(payload, source)
