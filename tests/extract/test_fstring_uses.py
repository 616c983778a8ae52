"""Names used inside f-strings that are part of an implicit string concatenation are uses."""
import pytest

from helpers import check_sources
from importguard.extract import extract


@pytest.mark.parametrize("src", [
    'from m import f\nx = ("a"\n     f"{f(1)}")\n',
    'from m import f\nx = f"{f(1):>3}" "b"\n',
    'from m import f\nx = "a" "b" f"{f(1)}"\n',
    'from m import f\ndef g(w):\n    return (f"{1:>{w}}"\n            f"{f(2)}")\n',
])
def test_fstring_in_concatenation_uses_the_name(src):
    (imp,) = extract(src.encode()).imports
    assert len(imp.uses) == 1
    assert [d for d in check_sources(src) if d.code == "IG100"] == []


def test_string_annotation_made_of_plain_parts_is_still_one_use():
    src = 'from typing import List\nx: "Li" "st[int]" = []\n'
    (imp,) = extract(src.encode()).imports
    assert len(imp.uses) == 1


@pytest.mark.parametrize("src", [
    'import sys\nprint(f"{sys.argv}" f"y")\n',  # as in click's tests/test_chain.py
    'import sys\nprint("a" f"{sys.argv}")\n',
    'import sys\ndef g():\n    return (f"{sys.argv}"\n            "b")\n',
])
def test_names_in_concatenated_fstrings_are_uses(src):
    (imp,) = extract(src.encode()).imports
    assert len(imp.uses) == 1
