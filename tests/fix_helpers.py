"""Run ``importguard fix`` in-process on small trees written to a temporary folder."""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Dict, Mapping, Union

from importguard.commands.cli import main

if TYPE_CHECKING:
    from pathlib import Path


def fix_tree(tmp_path: Path, files: Mapping[str, Union[str, bytes]], *args: str) -> Dict[str, bytes]:
    """Write ``files``, run ``importguard fix <args> .`` in ``tmp_path``; return every file's bytes."""
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode())
    import os

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        main(["fix", "--no-cache", "--jobs", "1", "-q", *args, "."])
    finally:
        os.chdir(old)
    return {rel: (tmp_path / rel).read_bytes() for rel in files}


def fix_one(tmp_path: Path, src: Union[str, bytes], *args: str) -> str:
    out = fix_tree(tmp_path, {"mod.py": src}, *args)["mod.py"]
    return out.decode("utf-8")


def dd(text: str) -> str:
    return textwrap.dedent(text)
