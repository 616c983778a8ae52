"""A changed file whose tokens did not change (a comment, spaces, blank lines at the end) takes the
facts of the earlier content without being parsed, and every comment the extractor reads (``noqa``
in any form, ``type:``) is still seen. The stat index spares reading unchanged files, but never
trusts an entry modified too close to the run that recorded it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from helpers import SRC, run_cli, run_json, write_tree
from importguard.cache.index import RACY_NS, StatIndex, signature
from importguard.config.settings import load_config
from importguard.discovery.files import discover
from importguard.engine import pipeline as engine
from importguard.engine.reading import read_all

if TYPE_CHECKING:
    from pathlib import Path

FILES = {
    "pyproject.toml": '[project]\nname = "app"\n',
    "app/__init__.py": "",
    "app/a.py": "import os\nimport json\nfrom typing import List\nfrom app.b import B\n\nX = B  # type: List[int]\n",
    "app/b.py": "B = 1\n",
}


def _check(root: Path):
    result = engine.check(["."], load_config(root), jobs=1, cwd=root, need_facts=False)
    return sorted((d.path, d.line, d.code, d.message) for d in result.diagnostics), dict(engine.LAST_RUN)


def _cold(root: Path):
    result = engine.check(["."], load_config(root), jobs=1, cwd=root, use_cache=False)
    return sorted((d.path, d.line, d.code, d.message) for d in result.diagnostics)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _prime(path: Path) -> None:
    """A first edit that is no mere tail of comments (a comment at the end of the first line): the
    file is parsed and the digest of its tokens recorded, for the edits that follow."""
    path.write_text(path.read_text().replace("\n", "  # primed\n", 1))


def test_a_second_comment_edit_is_not_parsed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    first, stats = _check(root)
    a = root / "app" / "a.py"
    a.write_text(a.read_text().replace("import os\n", "import os  # first edit\n"))
    # the first change of a file after a cold run: parsed, and its tokens' digest recorded
    assert _check(root) == (first, {"extracted": 1, "from_cache": 0, "reused_by_tokens": 0, "run_cache": 1})
    a.write_text(a.read_text().replace("# first edit", "").replace("import json\n", "import json  # 2nd\n"))
    found, stats = _check(root)
    assert found == first == _cold(root)
    assert stats == {"reused_by_tokens": 1, "run_cache": 1}  # nothing extracted, the run's results reused
    # and the facts found under the new content are those of the earlier one: a run that needs them
    result = engine.check(["."], load_config(root), jobs=1, cwd=root)
    assert sorted((d.path, d.line, d.code, d.message) for d in result.diagnostics) == first
    assert engine.LAST_RUN.get("extracted", 0) == 0


def test_noqa_comments_added_and_removed_are_seen(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    a = root / "app" / "a.py"
    original = a.read_text()
    first, _ = _check(root)
    assert {(d[0], d[1], d[2]) for d in first} >= {("app/a.py", 1, "IG100"), ("app/a.py", 2, "IG100")}
    _prime(a)
    _check(root)  # the digest of this content's tokens is now known
    for edit, gone in [
        (original.replace("import os\n", "import os  # noqa\n"), {1}),
        (original.replace("import os\n", "import os  # NOQA:IG100\n"), {1}),
        (original.replace("import json\n", "import json  # noqa: F401\n"), {2}),
        (original.replace("import json\n", "import json  # noqa: E501\n"), set()),
        (original + "# ruff: noqa: IG100\n", {1, 2}),
        (original + "\n# flake8: noqa\n", {1, 2}),
        (original.replace("\nX = B", "# flake8: noqa\nX = B"), {1, 2}),
        (original + "# two\n", set()),  # removed again
    ]:
        a.write_text(edit)
        found, stats = _check(root)
        assert found == _cold(root), edit
        unused = {d[1] for d in found if d[0] == "app/a.py" and d[2] == "IG100"}
        assert {1, 2} - unused == gone, edit
    assert stats == {"reused_by_tokens": 1, "run_cache": 1}  # the last edit kept every token


def test_a_type_comment_edit_is_seen(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    a = root / "app" / "a.py"
    original = a.read_text()
    first, _ = _check(root)
    assert ("app/a.py", 3, "IG100") not in {d[:3] for d in first}  # List is used by the type comment
    _prime(a)
    _check(root)
    a.write_text(original.replace("# type: List[int]", "# type: os.PathLike"))
    found, stats = _check(root)
    assert found == _cold(root)
    assert ("app/a.py", 3, "IG100") in {d[:3] for d in found} and ("app/a.py", 1, "IG100") not in {d[:3] for d in found}
    assert "reused_by_tokens" in stats and stats["extracted"] == 1


def test_an_indented_comment_after_a_block_is_seen(tmp_path: Path) -> None:
    """LibCST gives an indented comment after a block to that block: the block's last line moves."""
    files = dict(FILES)
    files["app/c.py"] = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import json\n\nY = 1\n"
    root = write_tree(tmp_path / "repo", files)
    c = root / "app" / "c.py"
    original = c.read_text()
    _check(root)
    _prime(c)
    _check(root)
    c.write_text(original.replace("    import json\n\n", "    import json\n    # still the block's\n"))
    found, stats = _check(root)
    assert stats["extracted"] == 1 and found == _cold(root)


def test_the_cli_does_not_import_libcst_when_nothing_is_parsed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    a = root / "app" / "a.py"
    stats_file = tmp_path / "stats.jsonl"
    env = dict(os.environ, PYTHONPATH=SRC, IMPORTGUARD_STATS_FILE=str(stats_file))

    def cli(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *flags, "-m", "importguard", "check", "-q", "."], cwd=str(root),
                              env=env, capture_output=True, text=True, timeout=600)

    cli()
    _prime(a)
    cli()
    _append(a, "# two\n")
    proc = cli("-X", "importtime")
    last = json.loads(stats_file.read_text().splitlines()[-1])
    assert last.get("reused_by_tokens") == 1 and "extracted" not in last
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "importguard.engine.pipeline" in imported  # the measure works
    assert not {"libcst", "networkx", "importguard.extract.extractor"} & imported


def test_fix_works_on_a_file_whose_facts_were_reused(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    twin = write_tree(tmp_path / "twin", FILES)
    a = root / "app" / "a.py"
    _check(root)
    _prime(a)
    _check(root)
    _append(a, "# two\n")
    assert _check(root)[1]["reused_by_tokens"] == 1
    (twin / "app" / "a.py").write_text(a.read_text())
    assert run_cli(["fix", "."], root).returncode in (0, 1)
    assert run_cli(["fix", "--no-cache", "."], twin).returncode in (0, 1)
    assert a.read_text() == (twin / "app" / "a.py").read_text()
    assert "import os" not in a.read_text() and a.read_text().endswith("]\n# two\n")
    assert run_json(["check", "."], root)["diagnostics"] == run_json(["check", "--no-cache", "."], twin)["diagnostics"]


def test_a_stat_entry_too_fresh_is_not_trusted(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    config = load_config(root)
    files, _ = discover(["."], config, root)
    target = next(f for f in files if f.display == "app/b.py")
    sig = signature(os.stat(target.path))
    written = max(sig[1], sig[2])
    data = {"stat": {"app/b.py": sig + ("a wrong hash",)}}

    def digest_of_b(ref: int) -> str:
        index = StatIndex(dict(data, ref=ref), time.time_ns())
        got = read_all([target], index, str(root.resolve()))[0]
        return got.digest

    real = read_all([target])[0].digest
    assert digest_of_b(written + RACY_NS + 1) == "a wrong hash"  # old enough: the hint is taken as is
    assert digest_of_b(written + RACY_NS - 1) == real  # modified within the racy window: read again
    assert digest_of_b(written) == real


def test_an_edit_keeping_size_and_mtime_is_seen(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    b = root / "app" / "b.py"
    b.write_text("B = 1\nimport os\n")
    before, _ = _check(root)
    st = os.stat(b)
    b.write_text("B = 1\nimport re\n")  # the same size; the modification time put back
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns))
    found, _ = _check(root)
    assert found == _cold(root) != before


def test_entries_of_unseen_files_are_kept_only_when_old_enough() -> None:
    ref = 100 * RACY_NS
    old = {"old.py": (1, ref - 2 * RACY_NS, ref - 2 * RACY_NS, 7, "h1"),
           "fresh.py": (1, ref - 1, ref - 1, 8, "h2")}  # hashed in its clock tick: may have changed unseen
    index = StatIndex({"stat": old, "ref": ref}, ref + 10 * RACY_NS)
    index.record("seen.py", (1, ref, ref, 9), "h3")
    data: dict = {}
    assert index.save_into(data)
    assert set(data["stat"]) == {"old.py", "seen.py"} and data["ref"] == ref + 10 * RACY_NS
    # under the new reference time a fresh entry would look old enough: that is why it was dropped
    again = StatIndex(data, ref + 20 * RACY_NS)
    assert again.trusted("seen.py", (1, ref, ref, 9)) == "h3"
    assert again.trusted("fresh.py", (1, ref - 1, ref - 1, 8)) is None


def test_comments_appended_after_a_cold_run_are_not_parsed(tmp_path: Path) -> None:
    # the earlier content is a prefix of the new one, and what follows it is blank lines and
    # comments at column 0: its facts, without a tokenizer or LibCST, even the first time
    root = write_tree(tmp_path / "repo", FILES)
    first, _ = _check(root)
    a = root / "app" / "a.py"
    _append(a, "\n# appended\n#\n\n")
    assert _check(root) == (first, {"reused_by_tokens": 1, "run_cache": 1})
    assert _cold(root) == first
    # and what is not such a tail is parsed: code, an indented comment, a comment the extractor reads
    for tail, changes in [("x = 1\n", False), ("    # indented\n", False), ("# flake8: noqa\n", True),
                          ("# type: ignore\n", False)]:
        _append(a, tail)
        found, stats = _check(root)
        assert stats.get("extracted") == 1, (tail, stats)
        assert found == _cold(root)
        assert (found != first) == changes, tail
        a.write_text(FILES["app/a.py"])
        _check(root)


def test_appended_comments_is_exact() -> None:
    from importguard.cache.facts import content_hash
    from importguard.extract import extract
    from importguard.extract.digest import appended_comments

    old = b"def f():\n    return 1\n"
    h = content_hash(old)
    assert appended_comments(old + b"# c\n\n#\r\n", len(old), h)
    assert appended_comments(old + b"# c", len(old), h)  # no newline at the very end
    for new in [old + b"x = 1\n", old + b" # c\n", old + b"# noqa\n", old + b"# type: int\n",
                b"def g():\n    return 1\n# c\n", old]:
        assert not appended_comments(new, len(old), h), new
    assert not appended_comments(b"x = 1" + b"# c\n", 5, content_hash(b"x = 1"))  # no newline before
    # the claim: such a tail leaves the facts alone
    for text in [old, b"class A:\n    x: int = 1\n", b"if x:\n    import os\n"]:
        assert extract(text + b"# c\n\n# d\n") == extract(text)
