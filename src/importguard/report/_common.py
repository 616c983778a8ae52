"""Helpers shared by the CI-facing formats (github, sarif, markdown)."""
from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Tuple

if TYPE_CHECKING:
    from importguard.model import Diagnostic



def repo_relative(path: str) -> str:
    """``path`` (relative to the current folder) relative to the repository GitHub checked out.

    Annotations and SARIF locations must be relative to ``$GITHUB_WORKSPACE``; when importguard
    runs in a subfolder of it, the subfolder is prefixed. Outside GitHub the path is unchanged.
    """
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, os.path.abspath(workspace))
    except ValueError:
        return path
    if rel == ".." or rel.startswith(".." + os.sep):
        return path
    return Path(rel).as_posix()


def fingerprints(diagnostics: Iterable[Diagnostic]) -> List[str]:
    """A stable identity per diagnostic that ignores line numbers (as baselines do).

    Cycles are identified by their module set; other findings by path, code and the import's
    text, plus an occurrence number for identical findings in one file.
    """
    seen: Counter = Counter()
    out = []
    for d in diagnostics:
        key = d.key or re.sub(r"\d+", "#", d.message)
        where = "" if key.startswith("cycle:") else repo_relative(d.path)
        ident: Tuple[str, str, str] = (where, d.code, key)
        seen[ident] += 1
        raw = "\x1f".join((*ident, str(seen[ident])))
        out.append(hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32])
    return out


def rule_docs() -> Dict[str, type]:
    from importguard.rules import by_code

    return by_code()


def section(doc: str, heading: str) -> str:
    """The text under ``## heading`` in a rule's docstring."""
    m = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", doc, re.S | re.M)
    return m.group(1).strip() if m else ""


def summary_line(doc: str) -> str:
    first = doc.strip().split("\n\n", 1)[0]
    return " ".join(first.split())


def rule_name(code: str, rules: Optional[Dict[str, type]] = None) -> str:
    rules = rules if rules is not None else rule_docs()
    rule = rules.get(code)
    return getattr(rule, "name", "") if rule is not None else ""
