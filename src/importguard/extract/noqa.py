"""``noqa`` comments: per line (``noqa`` alone, or with codes: ``noqa: F401,IG100``) and per file
(flake8's and ruff's file-level forms: a comment alone on its line that names the tool).
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)


# file-level exemptions as flake8 and ruff read them: a comment alone on its line, the tool's name,
# ``:`` (flake8 also accepts ``=``), ``noqa``, and for ruff optionally ``:`` and codes
_FILE_NOQA = re.compile(r"#\s*(?:flake8|ruff)\s*[:=]\s*noqa(?P<rest>.*)", re.I)


_FILE_CODES = re.compile(r"\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.I)


def parse_noqa(comments) -> Tuple[Tuple[int, Optional[Tuple[str, ...]]], ...]:
    """``(line, codes)`` per noqa comment, codes None for a bare ``# noqa``. A file-level
    ``# flake8: noqa`` / ``# ruff: noqa[: codes]`` is recorded at line 0."""
    out: List[Tuple[int, Optional[Tuple[str, ...]]]] = []
    for line, text, alone in comments:
        if alone:
            f = _FILE_NOQA.match(text)
            if f:
                m = _FILE_CODES.match(f.group("rest"))
                if m:
                    out.append((0, tuple(c.upper() for c in re.split(r"[,\s]+", m.group("codes").strip()) if c)))
                else:
                    out.append((0, None))
                continue
        m = _NOQA.search(text)
        if not m:
            continue
        codes = m.group("codes")
        if codes:
            out.append((line, tuple(c.upper() for c in re.split(r"[,\s]+", codes.strip()) if c)))
        else:
            out.append((line, None))
    return tuple(out)
