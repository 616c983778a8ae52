"""The rules, one module each. Rules read facts (model.py) and never see a CST node."""
from __future__ import annotations

from typing import Dict, List, Type

from importguard.rules.base import Rule
from importguard.rules.ig100_unused_import import UnusedImport
from importguard.rules.ig200_typing_only_import import TypingOnlyImport
from importguard.rules.ig201_runtime_type_checking_import import RuntimeTypeCheckingImport
from importguard.rules.ig202_type_checking_block import TypeCheckingBlockHygiene
from importguard.rules.ig300_import_cycle import ImportCycle
from importguard.rules.ig301_failing_cycle import FailingImportCycle
from importguard.rules.ig302_order_fragile_cycle import OrderFragileCycle
from importguard.rules.ig400_deferrable_import import DeferrableImport
from importguard.rules.ig900_unparsable import CannotAnalyse

RULES: List[Type[Rule]] = [
    UnusedImport,
    TypingOnlyImport,
    RuntimeTypeCheckingImport,
    TypeCheckingBlockHygiene,
    ImportCycle,
    FailingImportCycle,
    OrderFragileCycle,
    DeferrableImport,
    CannotAnalyse,
]


def by_code() -> Dict[str, Type[Rule]]:
    """Every code's documentation: the rules, and the contract codes (IG5xx)."""
    from importguard.contracts.codes import CONTRACT_CODES

    out: Dict[str, type] = {r.code: r for r in RULES}
    out.update((c.code, c) for c in CONTRACT_CODES)
    return out
