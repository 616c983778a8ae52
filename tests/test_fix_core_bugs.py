"""Core bugs found while running the fixer on real code (each one broke a fixed project)."""
from __future__ import annotations

import pytest

from importguard.extract import extract


@pytest.mark.parametrize("src", [
    'import sys\nprint(f"{sys.argv}" f"y")\n',  # click tests/test_chain.py: implicit concatenation
    'import sys\nprint("a" f"{sys.argv}")\n',
    'import sys\ndef g():\n    return (f"{sys.argv}"\n            "b")\n',
])
def test_names_in_concatenated_fstrings_are_uses(src):
    (imp,) = extract(src.encode()).imports
    assert len(imp.uses) == 1
