"""Real ``--format json`` output against the published JSON Schema and its documentation."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from helpers import run_cli, write_tree

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = json.loads((DOCS / "importguard-output.schema.json").read_text(encoding="utf-8"))

REPO = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "pkg/__init__.py": "",
    # IG100, IG202, IG301 and an IG300 cycle pkg.a <-> pkg.b
    "pkg/a.py": ("import os\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n"
                 "from pkg.b import g\nF = 1\nprint(g)\n"),
    "pkg/b.py": "from pkg.a import F\ndef g(): ...\nprint(F)\n",
    # IG200
    "pkg/c.py": "from __future__ import annotations\nfrom decimal import Decimal\ndef f(x: Decimal) -> None: ...\n",
    # a typing-only cycle
    "pkg/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.e import E\ndef f(x: 'E'): ...\n",
    "pkg/e.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.d import f\n"
                 "E = 1\ndef h(x: 'f'): ...\n"),
    # IG900
    "pkg/bad.py": "import @@@\n",
}


@pytest.fixture(scope="module")
def check_doc(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("schema"), REPO)
    proc = run_cli(["check", "--format", "json", "--no-cache", "."], root)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_check_output_validates(check_doc):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(check_doc, SCHEMA, cls=jsonschema.Draft202012Validator)
    codes = {d["code"] for d in check_doc["diagnostics"]}
    assert {"IG100", "IG200", "IG202", "IG300", "IG301", "IG900"} <= codes
    assert {c["kind"] for c in check_doc["cycles"]} == {"import-time", "typing"}
    assert all(d["entries"] for d in check_doc["diagnostics"] if d["code"] == "IG301")


def test_fix_output_validates(tmp_path):
    root = write_tree(tmp_path, REPO)
    proc = run_cli(["fix", "--format", "json", "--no-cache", "."], root)
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert doc["summary"]["fixed"] > 0


def test_schema_rejects_a_broken_document(check_doc):
    broken = json.loads(json.dumps(check_doc))
    del broken["diagnostics"][0]["line"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA, cls=jsonschema.Draft202012Validator)


def _fields(obj, prefix=""):
    out = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.add(prefix + k)
            out |= _fields(v, prefix + k + ".")
    elif isinstance(obj, list):
        for v in obj:
            out |= _fields(v, prefix[:-1] + "[]." if prefix else "")
    return out


def test_every_field_emitted_is_in_the_schema_and_the_docs(check_doc, tmp_path):
    # a field added to the output must be added to the schema and to docs/json-format.md
    doc_text = (DOCS / "json-format.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+)`", doc_text))

    def schema_props(schema):
        props = set(schema.get("properties", {}))
        for sub in SCHEMA["$defs"].values():
            props |= set(sub.get("properties", {}))
        return props

    known = schema_props(SCHEMA)
    root = write_tree(tmp_path, REPO)
    fixed = json.loads(run_cli(["fix", "--format", "json", "--no-cache", "."], root).stdout)
    for name in {f.rsplit(".", 1)[-1] for f in _fields(check_doc) | _fields(fixed)}:
        assert name in known, f"{name} is missing from docs/importguard-output.schema.json"
        assert name in documented, f"{name} is missing from docs/json-format.md"
