"""A Markdown report for GitHub's job summary: a table of findings and a Mermaid diagram per cycle.

Cycles are drawn when their IG300 finding is in the table. Locations link to the file at the commit
when GitHub's variables are set. The table is cut at ``MAX_ROWS`` rows (a job summary holds at
most 1 MiB).
"""
from __future__ import annotations

import os
import re
from collections import Counter
from typing import Dict, List, Optional, Sequence

from importguard.model import IMPORT_TIME, Cycle, Diagnostic
from importguard.report._common import repo_relative

MAX_ROWS = 300
MAX_CYCLES = 20


def cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def blob_url(path: str, line: int) -> Optional[str]:
    server, repo, sha = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if not (server and repo and sha):
        return None
    return f"{server}/{repo}/blob/{sha}/{repo_relative(path)}#L{line}"


def location(d: Diagnostic) -> str:
    text = f"{repo_relative(d.path)}:{d.line}:{d.column}"
    url = blob_url(d.path, d.line)
    return f"[`{cell(text)}`]({url})" if url else f"`{cell(text)}`"


def _node(module: str) -> str:
    return "m_" + re.sub(r"\W", "_", module)


def mermaid(cycle: Cycle) -> str:
    lines = ["```mermaid", "graph LR"]
    for m in cycle.modules:
        lines.append(f'    {_node(m)}["{m}"]')
    for e in cycle.edges:
        arrow = "-->" if e.kind == IMPORT_TIME else "-.->"
        label = f"{repo_relative(e.path)}:{e.line}".replace('"', "'")
        lines.append(f'    {_node(e.source)} {arrow}|"{label}"| {_node(e.target)}')
    lines.append("```")
    return "\n".join(lines)


def contracts_section(diagnostics: List[Diagnostic]) -> List[str]:
    """IG5xx: each broken contract with its number of illegal chains and the first one."""
    by_contract: Dict[str, List[Diagnostic]] = {}
    for d in diagnostics:
        if d.contract:
            by_contract.setdefault(d.contract, []).append(d)
    if not by_contract:
        return []
    out = ["", f"### Broken contracts ({len(by_contract)})", "", "| Contract | Code | Chains | First chain |",
           "| --- | --- | --- | --- |"]
    for name, found in sorted(by_contract.items()):
        first = found[0]
        chain = " → ".join([f"`{first.chain[0][0]}`"] + [f"`{b}`" for _, b, _, _ in first.chain]) if first.chain else ""
        out.append(f"| {cell(name)} | {first.code} | {len(found)} | {cell(chain)} ({location(first)}) |")
    return out


def render(diagnostics: List[Diagnostic], cycles: Sequence[Cycle] = (), summary=None, **_) -> str:
    summary = summary or {}
    n, files = len(diagnostics), summary.get("files", 0)
    out = ["## importguard", ""]
    if not diagnostics:
        out.append(f"All checks passed ({files} file{'s' if files != 1 else ''} checked).")
    else:
        per = ", ".join(f"{c} {k}" for k, c in sorted(Counter(d.code for d in diagnostics).items()))
        out += [f"**{n} finding{'s' if n != 1 else ''}** ({per}) in {files} file{'s' if files != 1 else ''} checked.",
                "", "| Code | Location | Message |", "| --- | --- | --- |"]
        for d in diagnostics[:MAX_ROWS]:
            out.append(f"| {d.code} | {location(d)} | {cell(d.message)} |")
        if n > MAX_ROWS:
            out += ["", f"... and {n - MAX_ROWS} more (see the annotations or the SARIF report)."]
    out += contracts_section(diagnostics)
    reported = {d.key for d in diagnostics if d.key.startswith("cycle:")}
    shown = [c for c in cycles if c.kind == IMPORT_TIME and "cycle:" + ",".join(c.modules) in reported]
    if shown:
        out += ["", f"### Import cycles ({len(shown)})"]
        for c in shown[:MAX_CYCLES]:
            path = " → ".join(f"`{m}`" for m in c.path)
            out += ["", f"**{len(c.modules)} modules:** {path}", "", mermaid(c)]
        if len(shown) > MAX_CYCLES:
            out += ["", f"... and {len(shown) - MAX_CYCLES} more cycles (`importguard graph --cycles-only`)."]
    return "\n".join(out) + "\n"
