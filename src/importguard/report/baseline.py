"""Baselines: record today's findings, then report only new ones.

A finding is matched by content, never by line number: cycles (IG300) by their module set alone,
so the cycle is the same finding wherever the suggested break moves; every other diagnostic by
its path, code and key (the import's text, set by the rules). Identical findings are counted, so a
baseline that holds one ``import os`` in a file still reports a second one added later.

Paths are stored relative to the baseline file's folder, so the baseline works from any current
directory. The file is JSON, sorted, one finding per line: it diffs well in review.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, List, Sequence, Tuple

from importguard.config.settings import ConfigError

if TYPE_CHECKING:
    from importguard.model import Cycle, Diagnostic

VERSION = 1
Entry = Tuple[str, str, str]  # (path relative to the baseline's folder, or "" for cycles; code; key)


def _rel(path: str, base: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        return Path(os.path.relpath(absolute, base)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(absolute).as_posix()


def content_key(d: Diagnostic) -> str:
    """The rule's key; for a rule that sets none, its message with numbers (lines) blanked."""
    return d.key or re.sub(r"\d+", "#", d.message)


def entry(d: Diagnostic, base: Path) -> Entry:
    key = content_key(d)
    if key.startswith("cycle:"):
        return ("", d.code, key)
    return (_rel(d.path, base), d.code, key)


def cycle_key(c: Cycle) -> str:
    return "cycle:" + ",".join(c.modules)


def write_baseline(path: Path, diagnostics: Sequence[Diagnostic], cycles: Sequence[Cycle] = ()) -> None:
    path = Path(path)
    base = path.resolve().parent
    counts = Counter(entry(d, base) for d in diagnostics)
    findings = [{"path": p, "code": c, "key": k, **({"count": n} if n > 1 else {})}
                for (p, c, k), n in sorted(counts.items())]
    reported_cycles = {k for (_, _, k) in counts if k.startswith("cycle:")}
    doc_cycles = sorted(list(c.modules) for c in cycles if cycle_key(c) in reported_cycles)
    lines = ['{', f'  "version": {VERSION},', '  "findings": [']
    lines.append(",\n".join("    " + json.dumps(f, sort_keys=True) for f in findings))
    lines += ['  ],', '  "cycles": [']
    lines.append(",\n".join("    " + json.dumps(m) for m in doc_cycles))
    lines += ['  ]', '}']
    text = "\n".join(line for line in lines if line) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_baseline(path: Path) -> Counter:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"baseline file not found: {path} (create it with --write-baseline)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("findings"), list):
        raise ConfigError(f"baseline {path} is not an importguard baseline (version {VERSION})")
    held: Counter = Counter()
    for f in doc["findings"]:
        try:
            held[(str(f["path"]), str(f["code"]), str(f["key"]))] += int(f.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"baseline {path}: malformed finding {f!r}") from None
    return held


def filter_baseline(path: Path, diagnostics: Iterable[Diagnostic]) -> List[Diagnostic]:
    """The diagnostics the baseline does not hold, in their original order."""
    held = read_baseline(path)
    base = Path(path).resolve().parent
    out = []
    for d in diagnostics:
        e = entry(d, base)
        if held[e] > 0:
            held[e] -= 1
        else:
            out.append(d)
    return out


def filter_cycles(path: Path, cycles: Sequence[Cycle]) -> List[Cycle]:
    """The cycles whose module set the baseline does not hold (for reports that draw cycles)."""
    held = {k for (_, _, k), n in read_baseline(path).items() if n > 0 and k.startswith("cycle:")}
    return [c for c in cycles if cycle_key(c) not in held]
