"""importguard's fixes as ordinary LibCST codemod commands.

Each command runs importguard's rules for its codes on one file at a time (no repository graph:
``python -m libcst.tool codemod`` hands files over one by one) and applies the same fixes as
``importguard fix``, until nothing fixable is left::

    python -m libcst.tool codemod --no-format -x importguard.fixers.codemods.RemoveUnusedImports src/
    python -m libcst.tool codemod --no-format -x importguard.fixers.codemods.TidyTypeChecking src/
    python -m libcst.tool codemod --no-format -x importguard.fixers.codemods.MoveOutOfTypeChecking src/
    python -m libcst.tool codemod --no-format -x importguard.fixers.codemods.MoveToTypeChecking \\
        src/ --annotation-strategy future
    python -m libcst.tool codemod --no-format -x importguard.fixers.codemods.DeferCostlyImports src/

Running a command is the opt-in: the unsafe IG200/IG201 commands need no ``--unsafe-fixes``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, Tuple

from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from importguard.analysis.graph import ModuleInfo
from importguard.config.settings import load_config
from importguard.extract import extract
from importguard.fixers.apply import KINDS, fix_module

if TYPE_CHECKING:
    import argparse

    import libcst as cst

MAX_ROUNDS = 8


def fix_single_module(module: cst.Module, config, path: str = "mod.py", unsafe: bool = True) -> cst.Module:
    """``module`` with every fix of the enabled rules applied, analysed as a file on its own."""
    from importguard.engine.pipeline import analyse

    name = f"<{path}>"
    for _ in range(MAX_ROUNDS):
        facts = extract(module.bytes)
        if facts.error:
            return module
        info = ModuleInfo(name, path, path.endswith("__init__.py"), facts)
        diags, _, _ = analyse({name: info}, config)
        todo = [d for d in diags
                if d.fix is not None and d.fix.kind in KINDS and not d.fix.advice and (d.fix.safe or unsafe)]
        if not todo:
            return module
        out = fix_module(module, todo, facts, strategy=config.annotation_strategy,
                         target_version=config.target_version)
        if out.module is None:
            return module
        module = out.module
    return module


class ImportguardCommand(CodemodCommand):
    """Base: apply importguard's fixes for ``CODES`` to each file."""

    CODES: Tuple[str, ...] = ()
    DESCRIPTION = "Apply importguard fixes."

    def __init__(self, context: CodemodContext, annotation_strategy: Optional[str] = None) -> None:
        super().__init__(context)
        self.annotation_strategy = annotation_strategy

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--annotation-strategy", choices=("quote", "future"), default=None,
                                help="make evaluated annotations safe by quoting them or with "
                                     "`from __future__ import annotations` (IG200)")

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        path = self.context.filename or "mod.py"
        start = Path(path).resolve().parent if self.context.filename else Path.cwd()
        config = load_config(start).with_options(select=self.CODES, ignore=(),
                                                 annotation_strategy=self.annotation_strategy)
        new = fix_single_module(tree, config, Path(path).name)
        if new is tree:
            raise SkipFile("nothing to fix")
        return new


class RemoveUnusedImports(ImportguardCommand):
    DESCRIPTION = "Remove unused imports (importguard IG100)."
    CODES = ("IG100",)


class MoveToTypeChecking(ImportguardCommand):
    DESCRIPTION = "Move typing-only imports into `if TYPE_CHECKING:` (importguard IG200; unsafe)."
    CODES = ("IG200",)


class MoveOutOfTypeChecking(ImportguardCommand):
    DESCRIPTION = "Move TYPE_CHECKING imports used at runtime out of the block (importguard IG201; unsafe)."
    CODES = ("IG201", "IG202")


class TidyTypeChecking(ImportguardCommand):
    DESCRIPTION = "Merge TYPE_CHECKING blocks and remove empty ones (importguard IG202)."
    CODES = ("IG202",)


class DeferCostlyImports(ImportguardCommand):
    """Moves each module-level import used only inside functions into those functions, or makes
    it a ``lazy import`` when the project's target Python (``requires-python``) is 3.15 or newer."""

    DESCRIPTION = "Defer imports used only inside functions (importguard IG400)."
    CODES = ("IG400",)
