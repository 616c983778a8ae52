"""``path:line:col: CODE message`` lines (as ruff and flake8 print them) and a summary."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, List

if TYPE_CHECKING:
    from importguard.model import Diagnostic

_BOLD, _RED, _CYAN, _DIM, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[2m", "\033[0m"


def render(diagnostics: List[Diagnostic], cycles=(), summary=None, *, color: bool = False, **_) -> str:
    lines = []
    for d in diagnostics:
        fixable = " [*]" if d.fixable and d.fix is not None and d.fix.applicability == "safe" else ""
        if color:
            lines.append(f"{_BOLD}{d.path}{_RESET}{_CYAN}:{_RESET}{d.line}{_CYAN}:{_RESET}{d.column}{_CYAN}:{_RESET} "
                         f"{_BOLD}{_RED}{d.code}{_RESET}{fixable} {d.message}")
        else:
            lines.append(f"{d.path}:{d.line}:{d.column}: {d.code}{fixable} {d.message}")
    n = len(diagnostics)
    files = (summary or {}).get("files", 0)
    skipped = (summary or {}).get("skipped", 0)  # folders and files skipped by ignore rules
    if n:
        counts = Counter(d.code for d in diagnostics)
        per = ", ".join(f"{c} {k}" for k, c in sorted(counts.items()))
        safe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability == "safe")
        hidden = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability == "unsafe")
        tail = f"Found {n} error{'s' if n != 1 else ''} ({per}) in {files} file{'s' if files != 1 else ''} checked"
        tail += f" ({skipped} skipped by ignore rules)." if skipped else "."
        if safe:
            tail += f"\n[*] {safe} fixable with `importguard fix`."
        if hidden:
            tail += (f"\n{'(' if safe else 'No fixes available ('}{hidden} hidden fix{'es' if hidden != 1 else ''} "
                     f"can be enabled with `--unsafe-fixes`; `importguard explain CODE` says why.)")
        lines.append(tail)
    else:
        more = f", {skipped} skipped by ignore rules" if skipped else ""
        lines.append(f"All checks passed ({files} file{'s' if files != 1 else ''} checked{more}).")
    return "\n".join(lines) + "\n"
