"""The TYPE_CHECKING fixes (IG200, IG201, IG202) as LibCST codemod commands::

    python -m libcst.tool codemod --no-format -x importguard.fixers.type_checking_codemods.TidyTypeChecking src/
    python -m libcst.tool codemod --no-format -x importguard.fixers.type_checking_codemods.MoveToTypeChecking \\
        src/ --annotation-strategy future
"""
from __future__ import annotations

from .codemod import ImportguardCommand


class MoveToTypeChecking(ImportguardCommand):
    DESCRIPTION = "Move typing-only imports into `if TYPE_CHECKING:` (importguard IG200; unsafe)."
    CODES = ("IG200",)


class MoveOutOfTypeChecking(ImportguardCommand):
    DESCRIPTION = "Move TYPE_CHECKING imports used at runtime out of the block (importguard IG201; unsafe)."
    CODES = ("IG201", "IG202")


class TidyTypeChecking(ImportguardCommand):
    DESCRIPTION = "Merge TYPE_CHECKING blocks and remove empty ones (importguard IG202)."
    CODES = ("IG202",)
