"""GitHub Actions workflow commands: one ``::error`` annotation per diagnostic.

GitHub shows them on the pull request's changed lines and in the run's summary. File paths are
relative to ``$GITHUB_WORKSPACE`` (see ``_common.repo_relative``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, List

from importguard.report._common import repo_relative, rule_docs, rule_name

if TYPE_CHECKING:
    from importguard.model import Diagnostic


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic, name: str = "") -> str:
    props = [f"file={escape_property(repo_relative(d.path))}", f"line={d.line}", f"col={d.column}"]
    if d.end_line and d.end_line >= d.line:
        props.append(f"endLine={d.end_line}")
        if d.end_line == d.line and d.end_column > d.column:
            props.append(f"endColumn={d.end_column}")
    title = f"importguard {d.code}" + (f" ({name})" if name else "")
    props.append(f"title={escape_property(title)}")
    return f"::error {','.join(props)}::{escape_data(f'{d.code} {d.message}')}"


def render(diagnostics: List[Diagnostic], cycles=(), summary=None, **_) -> str:
    rules = rule_docs()
    lines = [annotation(d, rule_name(d.code, rules)) for d in diagnostics]
    n = len(diagnostics)
    files = (summary or {}).get("files", 0)
    lines.append(f"importguard: {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''} checked")
    return "\n".join(lines) + "\n"
