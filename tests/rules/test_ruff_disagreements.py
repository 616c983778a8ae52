"""Every kind of disagreement with ruff found on real code (docs/differential.md), pinned down."""
from helpers import check_sources

FUT = "from __future__ import annotations\n"


def found(src, code="IG100"):
    return [(d.line, d.message) for d in check_sources(src) if d.code == code]


def test_import_rebound_by_def_before_use_is_unused():
    # sympy/geometry/entity.py: ruff says F811 (redefinition) and no F401; rebinding before use makes the import unused
    src = ("from sympy.sets.handlers.union import union_sets\n"
           "@dispatch(A, B)\ndef union_sets(a, b):  # noqa: F811\n    return a\n")
    assert found(src) == [(1, "`sympy.sets.handlers.union.union_sets` imported but unused")]


def test_import_rebound_by_assignment_before_use_is_unused():
    # sympy/parsing/autolev/test-examples: `import math as m` then `m = ...`
    src = "import math as m\nm = 3\nprint(m)\n"
    assert found(src) == [(1, "`math` (as `m`) imported but unused")]


def test_reimport_in_main_block_that_nothing_uses_is_unused():
    # rich/panel.py:305: ruff misses it because an earlier binding of the name is used
    src = ("from box import ROUNDED\nDEFAULT = ROUNDED\n"
           "if __name__ == '__main__':\n    from box import DOUBLE, ROUNDED\n    print(DOUBLE)\n")
    assert found(src) == [(4, "`box.ROUNDED` imported but unused")]


def test_relative_and_absolute_spelling_of_the_same_module_is_one_module():
    # sympy/polys/matrices/domainmatrix.py: ruff compares module paths as written
    files = {
        "sympy/__init__.py": "",
        "sympy/polys/__init__.py": "",
        "sympy/polys/domains.py": "class Domain: ...\nZZ = QQ = 1\n",
        "sympy/polys/matrices/__init__.py": "",
        "sympy/polys/matrices/dm.py": FUT + "from ..domains import Domain\nfrom sympy.polys.domains import ZZ\n"
                                      "X = ZZ\nclass DM:\n    domain: Domain\n",
    }
    assert [d for d in check_sources(files) if d.code == "IG200"] == []


def test_second_type_checking_block_has_no_ruff_equivalent():
    # rich/jupyter.py: ruff's TC005 covers empty blocks only
    src = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import A\n"
           "def f(a: 'A'): ...\nif TYPE_CHECKING:\n    from b import B\ndef g(b: 'B'): ...\n")
    assert [line for line, _ in found(src, "IG202")] == [5]
