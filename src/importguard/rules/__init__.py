"""The rules, one module each. Rules read facts (model.py) and never see a CST node."""
from __future__ import annotations

from typing import Dict, List, Type

from .base import Rule
from .ig100_unused_import import UnusedImport
from .ig200_typing_only_import import TypingOnlyImport
from .ig201_runtime_type_checking_import import RuntimeTypeCheckingImport
from .ig202_type_checking_block import TypeCheckingBlockHygiene
from .ig300_import_cycle import ImportCycle
from .ig301_failing_cycle import FailingImportCycle
from .ig302_order_fragile_cycle import OrderFragileCycle
from .ig400_deferrable_import import DeferrableImport
from .ig900_unparsable import CannotAnalyse

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
    return {r.code: r for r in RULES}
