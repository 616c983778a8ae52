"""The per-module parts of the repository-wide indexes, kept apart from the results store in
shards by module name: a new import in one module rewrites one shard of each index."""
import marshal
import zlib
from pathlib import Path
from typing import Dict

from helpers import write_tree
from importguard.cache import parts
from importguard.config.settings import load_config
from importguard.engine import pipeline as engine

PYPROJECT = '[project]\nname = "parts"\nrequires-python = ">=3.9"\n'


def _run(root: Path, use_cache: bool = True):
    result = engine.check([str(root)], load_config(root), jobs=1, use_cache=use_cache, cwd=root, need_facts=True)
    return [tuple(d) for d in result.diagnostics]


def _shards(root: Path) -> Dict[str, bytes]:
    folder = engine.cache_dir(load_config(root)) / engine.parts_name()
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.marshal"))}


def test_a_new_import_rewrites_the_shard_of_the_changed_module_only(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files = {"pyproject.toml": PYPROJECT, "pkg/__init__.py": ""}
    for i in range(40):
        files[f"pkg/m{i}.py"] = f"import json\nfrom pkg import m{(i + 1) % 40}\nVALUE = {i}\n"
    write_tree(root, files)
    _run(root)
    before = _shards(root)
    assert any(k.startswith("edges2/") for k in before)
    (root / "pkg/m7.py").write_text("import json\nimport os\nfrom pkg import m8\nVALUE = 7\n")
    assert _run(root) == _run(root, False)
    _run(root)  # the cached run again (the run without the cache wrote nothing)
    after = _shards(root)
    # (an index the first run did not build, such as what an import-only edit scans, is new)
    changed = sorted(k for k in after if k in before and before[k] != after[k])
    mine = "%02x.marshal" % (zlib.crc32(b"pkg.m7") % parts.SHARDS)
    # the shard of the changed module in each index, and the tallies kept whole (``Tally``)
    assert changed and all(k.endswith("/" + mine) or k.startswith("tally-") for k in changed), changed
    assert "edges2/" + mine in changed


def test_the_part_a_change_replaced_is_dropped_two_runs_later(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"pyproject.toml": PYPROJECT, "pkg/__init__.py": "", "pkg/a.py": "import json\n",
                  "pkg/b.py": "from pkg import a\n"})
    _run(root)
    shard = engine.cache_dir(load_config(root)) / engine.parts_name() / "edges2" / (
        "%02x.marshal" % (zlib.crc32(b"pkg.b") % parts.SHARDS))

    def keys() -> set:
        return {k for k in marshal.loads(shard.read_bytes())}

    first = keys()
    for text in ("from pkg import a\nimport os\n", "from pkg import a\nimport os\nimport re\n",
                 "from pkg import a\nimport os\nimport re\nimport sys\n"):
        (root / "pkg/b.py").write_text(text)
        _run(root)
    # each run keeps the parts it and the run before used: the first ones are gone
    assert not (first & keys())
    assert _run(root) == _run(root, False)
