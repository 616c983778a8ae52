"""The repository stands alone: no citation of documents its users do not have."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# built from parts so that this file does not match itself
TEXT_SUFFIXES = {".md", ".py", ".json", ".toml", ".yml", ".yaml", ".txt", ""}
CITATION = re.compile(r"\b" + "SP" + r"EC\b|" + "PIT" + "FALLS|" + r"\b" + "STY" + r"LE\b|\b" + "iss" + r"ue #?[0-9]")


def test_no_citation_of_internal_documents():
    files = [ROOT / "README.md", ROOT / "action.yml", ROOT / ".pre-commit-hooks.yaml", ROOT / "pyproject.toml"]
    for folder in ("docs", "src", "tests", "benchmarks", ".ci"):
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES
                  and "fixtures" not in p.parts and "results" not in p.parts]
    found = []
    for p in files:
        if not p.exists():
            continue
        for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if CITATION.search(line):
                found.append(f"{p.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
