"""Which import statements an edit added or removed, when that is all it changed of what the
import simulation reads (``simdelta``): the statements of the module's two contents compared, lines
and columns aside."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Sequence

from importguard.model import (
    IMPORT_TIME,
    BindEvent,
    CallEvent,
    ClassBodyEvent,
    DeleteEvent,
    FunctionEvent,
    IfEvent,
    ImportEvent,
    LoadEvent,
    StoreEvent,
    TryEvent,
)

if TYPE_CHECKING:
    from importguard.model import ImportFact, ModuleFacts


def _imp(imp: ImportFact) -> tuple:
    """An import as the simulation reads it, without its place in the file."""
    return (imp.module, imp.level, imp.name, imp.asname, imp.bound, imp.kind, imp.scope, imp.scope_kind,
            imp.top_level, imp.in_type_checking, imp.guarded, imp.lazy, imp.binds_global)


def _events(events: Sequence[Any], facts: ModuleFacts) -> tuple:
    out: List[tuple] = []
    for ev in events:
        kind = type(ev)
        if kind is ImportEvent:
            out.append(("i",) + tuple(_imp(i) for i in facts.imports[ev.first:ev.first + ev.count]))
        elif kind is LoadEvent:
            out.append(("l", ev.dotted, ev.annotation))
        elif kind is StoreEvent:
            out.append(("s", ev.dotted))
        elif kind is BindEvent:
            out.append(("b", ev.name))
        elif kind is DeleteEvent:
            out.append(("d", ev.name))
        elif kind is CallEvent:
            out.append(("c", ev.name))
        elif kind is ClassBodyEvent:
            out.append(("k", _events(ev.body, facts)))
        elif kind is IfEvent:
            out.append(("f", ev.test, _events(ev.body, facts), _events(ev.orelse, facts)))
        elif kind is TryEvent:
            out.append(("t", _events(ev.body, facts), tuple((n, _events(h, facts)) for n, h in ev.handlers),
                        _events(ev.orelse, facts), _events(ev.final, facts)))
        elif kind is FunctionEvent:
            out.append(("u", ev.name, _events(ev.body, facts)))
        else:
            out.append(("?", repr(ev)))
    return tuple(out)


def _statements(facts: ModuleFacts) -> List[tuple]:
    evs = facts.events
    return [(st.kind, st.binds, _events(evs[i], facts) if i < len(evs) else None)
            for i, st in enumerate(facts.statements)]


class Change(List["ImportFact"]):
    """The imports an edit added or removed; ``added``: the indices of the statements of the new
    content that hold them when the edit only added statements (else None)."""

    added: Optional[List[int]] = None


def import_only_change(old: ModuleFacts, new: ModuleFacts) -> Optional[Change]:
    """The imports of the top-level import statements that turn ``old`` into ``new`` (added or
    removed), when nothing else the simulation reads differs (lines and columns aside); else None."""
    import difflib

    if old.all_names != new.all_names or old.future_annotations != new.future_annotations:
        return None
    a, b = _statements(old), _statements(new)
    changed = Change()
    added: Optional[List[int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for facts, indices in ((old, range(i1, i2)), (new, range(j1, j2))):
            for i in indices:
                got = _plain_import_statement(facts, i)
                if got is None:
                    return None
                changed.extend(got)
        if i2 > i1:
            added = None
        elif added is not None:
            added.extend(range(j1, j2))
    changed.added = added or None
    return changed


def _plain_import_statement(facts: ModuleFacts, i: int) -> Optional[List[ImportFact]]:
    """The imports of top-level statement ``i`` when it is a plain, unconditional import statement
    that runs at import time (no star, not lazy, not under TYPE_CHECKING); else None."""
    if facts.statements[i].kind != "import" or i >= len(facts.events):
        return None
    evs = facts.events[i]
    if len(evs) != 1 or type(evs[0]) is not ImportEvent:
        return None
    imps = list(facts.imports[evs[0].first:evs[0].first + evs[0].count])
    for imp in imps:
        if (imp.scope_kind != "module" or not imp.top_level or imp.lazy or imp.in_type_checking or imp.guarded
                or imp.kind != IMPORT_TIME or imp.name == "*" or not imp.bound):
            return None
    return imps or None
