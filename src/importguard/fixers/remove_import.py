"""Fix kind ``remove-import`` (IG100, and IG300 when the cycle's import is unused).

Removes the unused aliases; a statement left with no alias goes (its line and trailing comment
with it; comment lines above stay); a block left empty gets ``pass``; semicolons, parentheses
and the comments of remaining lines are kept. The planning is one line in ``apply._plan_one``;
this module is the codemod command::

    python -m libcst.tool codemod --no-format -x importguard.fixers.remove_import.RemoveUnusedImports src/
"""
from __future__ import annotations

from .codemod import ImportguardCommand


class RemoveUnusedImports(ImportguardCommand):
    DESCRIPTION = "Remove unused imports (importguard IG100)."
    CODES = ("IG100",)
