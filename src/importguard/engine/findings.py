"""What the engine adds to the rules' findings: the measured import costs their messages quote,
and IG200's fix on a contract finding at a typing-only import."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Tuple

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo
    from importguard.config.settings import Config
    from importguard.model import CostRecord, Diagnostic, Fix


def known_costs(config: Config) -> Dict[str, CostRecord]:
    """The import costs ``importguard cost`` measured (the rules put them in their messages)."""
    from importguard.cache.costs import load_costs

    try:
        return load_costs(config)
    except Exception:  # a broken cost file never breaks a check
        return {}


def contract_move(d: Diagnostic, info: ModuleInfo, repo, moves: Dict[str, Dict[Tuple[int, int], Fix]]) -> Diagnostic:
    """An IG5xx finding whose contract leaves typing imports out, at an import IG200 finds
    typing-only, gets IG200's fix (unsafe): under ``TYPE_CHECKING`` the import leaves the chain.
    ``moves`` keeps IG200's fixes per file for the run."""
    fx = d.fix
    if not d.contract or fx is None or fx.kind != "move-to-type-checking" or not fx.advice:
        return d
    if info.path not in moves:
        from importguard.analysis.context import FileContext
        from importguard.rules.ig200_typing_only_import import TypingOnlyImport

        moves[info.path] = {(t.fix.line, t.fix.col): t.fix for t in TypingOnlyImport().check(FileContext(repo, info))
                            if t.fix is not None}
    found = moves[info.path].get((fx.line, fx.col))
    if found is not None:
        return d._replace(fix=found, fixable=True)
    return d._replace(fix=fx._replace(kind="contract"))
