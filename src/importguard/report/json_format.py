"""The stable, versioned JSON document (``--format json``), described in ``docs/json-format.md``.

Version 1: fields may be added, never removed or changed in meaning.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, List, Sequence

if TYPE_CHECKING:
    from importguard.model import Cycle, Diagnostic


def fix_dict(d: Diagnostic):
    """What the fix of a finding would do and how safe it is; None when there is no fix.

    ``applicability`` is ``safe`` (``importguard fix`` applies it), ``unsafe`` (only with
    ``--unsafe-fixes``) or ``advice`` (shown, never applied); ``reason`` says why it is not safe.
    """
    fx = d.fix
    if fx is None:
        return None
    return {"applicability": fx.applicability, "title": fx.title, "reason": fx.reason}


def diagnostic_dict(d: Diagnostic) -> dict:
    out = {"code": d.code, "message": d.message, "path": d.path, "line": d.line, "column": d.column,
           "end_line": d.end_line or d.line, "end_column": d.end_column or d.column, "fixable": d.fixable,
           "fix": fix_dict(d)}
    if d.code == "IG301":
        out["entries"] = list(d.entries)
    if d.contract:
        out["contract"] = d.contract
        out["chain"] = chain_list(d)
    return out


def chain_list(d: Diagnostic) -> list:
    """IG5xx: the illegal chain, one object per import from the first to the last."""
    return [{"from": a, "to": b, "path": path, "line": lines[0] if lines else d.line, "lines": list(lines)}
            for a, b, path, lines in d.chain]


def cycle_dict(c: Cycle) -> dict:
    return {"modules": list(c.modules), "kind": c.kind, "path": list(c.path),
            "edges": [{"from": e.source, "to": e.target, "path": e.path, "line": e.line, "kind": e.kind}
                      for e in c.edges]}


def render(diagnostics: List[Diagnostic], cycles: Sequence[Cycle] = (), summary=None, **_) -> str:
    doc = {"version": 1, "diagnostics": [diagnostic_dict(d) for d in diagnostics],
           "cycles": [cycle_dict(c) for c in cycles], "summary": dict(summary or {})}
    return json.dumps(doc, indent=2) + "\n"
