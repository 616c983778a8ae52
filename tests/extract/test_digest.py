"""The semantic digest (``extract.digest``): two contents with equal digests have equal facts, and
every comment, space or blank line the extractor reads changes the digest."""
from __future__ import annotations

import random
from pathlib import Path
from typing import List

import pytest

from helpers import corpus
from importguard.cache.facts import to_plain
from importguard.extract import extract
from importguard.extract.digest import semantic_digest

BASE = (
    "import os\n"
    "from typing import TYPE_CHECKING, List\n"
    "\n"
    "if TYPE_CHECKING:\n"
    "    import json\n"
    "\n"
    "def f():\n"
    "    x = []  # type: List[int]\n"
    "    return x\n"
    "\n"
    "@decorator\n"
    "def g():\n"
    "    pass\n"
)


def _variant(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


SAME = [  # edits no part of the facts can see
    BASE + "# appended\n",
    BASE + "\n\n# appended after blank lines\n\n",
    BASE + "\n",
    _variant("import os\n", "import os  # a reason\n"),
    _variant("import os\n", "import os   \n"),
    _variant("    return x\n", "    return x\t\n"),
    _variant("    x = []", "    x =\t[]"),
]

DIFFERENT = [  # edits the facts see, or may see
    _variant("import os\n", "import os  # noqa\n"),
    _variant("import os\n", "import os  # NOQA:F401\n"),
    BASE + "# flake8: noqa\n",
    BASE + "# ruff: noqa: IG100\n",
    _variant("List[int]", "List[os.PathLike]"),
    _variant("  # type: List[int]", ""),
    # an indented comment or whitespace-only line after a block is part of the block (its last line)
    _variant("    import json\n\n", "    import json\n    # still in the block\n"),
    _variant("    import json\n\n", "    import json\n    \n"),
    BASE + "    # indented: the last function's\n",
    BASE + "    \n",
    # a comment at column 0 ends the block; a blank line would not
    _variant("    import json\n\n", "    import json\n# after the block\n"),
    # the lines before a decorator count
    _variant("\n@decorator", "# above\n@decorator"),
    _variant("import os\n", "import os\n\n"),  # every later token moves
    "# -*- coding: latin-1 -*-\n" + BASE,
    # a comment line where a blank line was: some would be harmless, the digest does not tell which
    _variant("\ndef f", "# about f\ndef f"),
]


def test_equal_digests_where_the_facts_are_equal() -> None:
    base = semantic_digest(BASE.encode())
    assert base is not None
    for text in SAME:
        assert semantic_digest(text.encode()) == base, text
        assert to_plain(extract(text.encode())) == to_plain(extract(BASE.encode())), text


def test_every_edit_the_extractor_may_read_changes_the_digest() -> None:
    base = semantic_digest(BASE.encode())
    for text in DIFFERENT:
        assert semantic_digest(text.encode()) != base, text


def test_what_it_cannot_vouch_for_has_no_digest() -> None:
    assert semantic_digest(b"x = (1,\n") is None  # the tokenizer gives up
    assert semantic_digest(b"x = 1\x00\n") is None
    assert semantic_digest(b"x = 1\ry = 2\n") is None  # a lone carriage return
    assert semantic_digest("x = 'é'\n".encode("latin-1")) is None  # not UTF-8, no coding comment
    assert semantic_digest(b"x = 1\r\ny = 2\r\n") is not None


def _keep_tokens(rng: random.Random, text: bytes) -> bytes:
    """One edit that may or may not keep the digest: comments, blank lines and spaces only."""
    lines = text.split(b"\n")
    i = rng.randrange(len(lines))
    kind = rng.randrange(7)
    if kind == 0:
        return text + rng.choice([b"\n# x\n", b"# y\n", b"    # z\n", b"\n    \n", b"# ruff: noqa\n"])
    if kind == 1:
        lines[i] += rng.choice([b"  # why", b"  # noqa", b"  # type: int", b" ", b"\t"])
    elif kind == 2:
        lines.insert(i, rng.choice([b"# c", b"    # c", b"", b"    ", b"        # c"]))
    elif kind == 3:
        blanks = [k for k, line in enumerate(lines) if not line.strip()]
        if blanks:
            lines[rng.choice(blanks)] = rng.choice([b"# c", b"    # c", b"    ", b"\t# c", b"  "])
    elif kind == 4:
        comments = [k for k, line in enumerate(lines) if line.lstrip().startswith(b"#")]
        if comments:
            k = rng.choice(comments)
            lines[k] = rng.choice([b"", b"    ", b"        "]) + lines[k].lstrip() + b" more"
    elif kind == 5:
        lines[i] = lines[i].replace(b" = ", b" =\t", 1)
    else:
        marked = [k for k, line in enumerate(lines) if b"#" in line]
        if marked:
            k = rng.choice(marked)
            lines[k] = lines[k].split(b"#")[0].rstrip()
    return b"\n".join(lines)


def _property(files: List[Path], seed: int, edits: int) -> int:
    rng = random.Random(seed)
    same = 0
    for path in files:
        text = path.read_bytes()
        facts = extract(text)
        digest = semantic_digest(text)
        if facts.error or digest is None:
            continue
        for _ in range(edits):
            edited = _keep_tokens(rng, text)
            if semantic_digest(edited) == digest:
                same += 1
                assert to_plain(extract(edited)) == to_plain(facts), (path, edited)
    return same


def test_random_comment_and_space_edits_of_our_own_source() -> None:
    files = sorted((Path(__file__).resolve().parents[2] / "src" / "importguard").rglob("*.py"))
    assert len(files) > 50
    rng = random.Random(7)
    assert _property(rng.sample(files, 25), 1, 6) > 20  # many edits kept the digest, and the facts


@pytest.mark.slow
def test_random_comment_and_space_edits_of_django() -> None:
    files = sorted((corpus("django") / "django").rglob("*.py"))
    rng = random.Random(11)
    assert _property(rng.sample(files, 120), 2, 6) > 100
