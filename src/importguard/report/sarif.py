"""SARIF 2.1.0, as GitHub code scanning reads it (``github/codeql-action/upload-sarif``).

Rules carry their metadata and help from the rule docstrings (the text ``importguard explain``
prints); results carry repository-relative URIs against ``%SRCROOT%`` and a line-independent
fingerprint, so a finding keeps its identity (and its dismissal) when code moves above it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List
from urllib.parse import quote

from importguard import __version__
from importguard.report._common import fingerprints, repo_relative, rule_docs, section, summary_line

if TYPE_CHECKING:
    from importguard.model import Diagnostic

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://pypi.org/project/importguard/"
FINGERPRINT = "importguard/v1"
_ERRORS = {"IG301"}  # fails at import time today


def level(code: str) -> str:
    return "error" if code in _ERRORS else "warning"


def rule_descriptor(code: str, rule) -> dict:
    if rule is None:
        return {"id": code, "shortDescription": {"text": code}, "defaultConfiguration": {"level": level(code)}}
    doc = rule.doc()
    what = " ".join(section(doc, "What it does").split()) or summary_line(doc)
    text = f"{rule.code} {rule.name}\n\n{doc}"
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": summary_line(doc)},
        "fullDescription": {"text": what},
        "help": {"text": text, "markdown": f"# {rule.code} {rule.name}\n\n{doc}"},
        "defaultConfiguration": {"level": level(code)},
        "properties": {"tags": ["maintainability", "imports"], "precision": "very-high",
                       "problem.severity": level(code)},
    }


def _uri(path: str) -> str:
    return quote(repo_relative(path), safe="/")


def _region(d: Diagnostic) -> dict:
    region = {"startLine": max(d.line, 1), "startColumn": max(d.column, 1)}
    if d.end_line and d.end_line >= d.line:
        region["endLine"] = d.end_line
        if d.end_column and (d.end_line > d.line or d.end_column > d.column):
            region["endColumn"] = d.end_column
    return region


def _src_root() -> str:
    base = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
    uri = Path(os.path.abspath(base)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _contract_properties(d: Diagnostic) -> dict:
    """IG5xx: the contract and its chain, and each import of the chain as a related location."""
    from .json_format import chain_list

    chain = chain_list(d)
    related = [{"id": i, "message": {"text": f"{link['from']} -> {link['to']}"},
                "physicalLocation": {"artifactLocation": {"uri": _uri(link["path"]), "uriBaseId": "%SRCROOT%"},
                                     "region": {"startLine": link["line"]}}}
               for i, link in enumerate(chain) if link["path"]]
    out: dict = {"properties": {"contract": d.contract, "chain": chain}}
    if related:
        out["relatedLocations"] = related
    return out


def render(diagnostics: List[Diagnostic], cycles=(), summary=None, **_) -> str:
    rules = rule_docs()
    codes = sorted(set(rules) | {d.code for d in diagnostics})
    index: Dict[str, int] = {c: i for i, c in enumerate(codes)}
    results = []
    for d, fp in zip(diagnostics, fingerprints(diagnostics)):
        result = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": level(d.code),
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(d.path), "uriBaseId": "%SRCROOT%"},
                "region": _region(d)}}],
            # GitHub matches alerts across runs on primaryLocationLineHash (with path and rule);
            # ours ignores line numbers and whitespace edits, like baselines
            "partialFingerprints": {FINGERPRINT: fp, "primaryLocationLineHash": fp},
        }
        if d.entries:
            result["properties"] = {"entries": list(d.entries)}
        if d.contract:
            result.update(_contract_properties(d))
        results.append(result)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "importguard", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFO_URI,
                                "rules": [rule_descriptor(c, rules.get(c)) for c in codes]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _src_root()}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2) + "\n"
