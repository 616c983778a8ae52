"""The order a module's statements run in once its imports are sorted (isort / ruff I001): the
reordered world the simulation runs for IG302, and where an added import runs in it (``simdelta``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Set, Tuple

if TYPE_CHECKING:
    from importguard.analysis.graph import ModuleInfo


def sorted_order(info: ModuleInfo, first_party: Set[str]) -> List[int]:
    """Statement order after isort / ruff I001 with every top-level import moved to the top.

    Sections: ``__future__``, standard library and third party (their order does not matter here:
    they never run first-party code), first party, then relative imports furthest first; within a
    section ``import x`` lines come before ``from x import`` lines, each sorted by module.
    """
    facts = info.facts
    first_imp: Dict[int, int] = {}
    for idx, imp in enumerate(facts.imports):
        if imp.top_level and imp.scope_kind == "module" and imp.stmt_index not in first_imp:
            first_imp[imp.stmt_index] = idx
    keyed: List[Tuple[tuple, int]] = []
    rest: List[int] = []
    for i, st in enumerate(facts.statements):
        if st.kind == "import" and i in first_imp and i < len(facts.events):
            imp = facts.imports[first_imp[i]]
            keyed.append((_sort_key(imp, info, first_party), i))
        else:
            rest.append(i)
    keyed.sort()
    order = [i for _, i in keyed] + rest
    return [i for i in order if i < len(facts.events)]


def _sort_key(imp, info: ModuleInfo, first_party: Set[str]) -> tuple:
    if imp.level == 0 and imp.module == "__future__":
        return (0, 0, "", 0)
    is_from = 0 if imp.name is None else 1
    if imp.level:
        return (3, -imp.level, is_from, imp.module.lower())
    top = imp.module.split(".", 1)[0]
    section = 2 if top in first_party else 1
    return (section, 0, is_from, imp.module.lower())
