"""Output formats: adapters from diagnostics to text. Each takes sorted diagnostics."""
from __future__ import annotations

from typing import Callable

FORMATS = ("text", "json", "sarif", "github", "markdown")


def formatter(name: str) -> Callable:
    if name == "text":
        from .text import render
    elif name == "json":
        from .json_format import render
    elif name == "sarif":
        from .sarif import render
    elif name == "github":
        from .github import render
    elif name == "markdown":
        from .markdown import render
    else:
        raise ValueError(name)
    return render
