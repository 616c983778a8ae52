"""Output formats: adapters from diagnostics to text. Each takes sorted diagnostics."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, List, Sequence

if TYPE_CHECKING:
    from importguard.model import Diagnostic

FORMATS = ("text", "json", "sarif", "github", "markdown")


def formatter(name: str) -> Callable:
    if name == "text":
        from importguard.report.text import render
    elif name == "json":
        from importguard.report.json_format import render
    elif name == "sarif":
        from importguard.report.sarif import render
    elif name == "github":
        from importguard.report.github import render
    elif name == "markdown":
        from importguard.report.markdown import render
    else:
        raise ValueError(name)
    return render


def sort_by_cost(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """``--sort cost``: findings with a measured import cost first, dearest first; the rest keep
    their order."""
    indexed = list(enumerate(diagnostics))
    indexed.sort(key=lambda p: (-(p[1].cost_ms if p[1].cost_ms is not None else -1.0), p[0]))
    return [d for _, d in indexed]
