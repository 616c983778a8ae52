"""A module's import-time events as the simulation runs them, without what it cannot observe.

- A statement that only binds names is kept as the tuple of those names (run without a call).
- In a class body, a name the body binds but never reads afterwards (no load, store or call of it
  in the same body) is dropped: the class namespace is read only by the class body itself and is
  thrown away when the body ends (a nested class body sees the module's names, not its outer
  class's), so such a binding changes nothing the simulation can see.
- A version or platform test whose two branches do the same as far as the simulation can see runs
  as what both do, and is not a test the import decided (``alike``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Optional, Sequence, Set, Tuple

from importguard.analysis.alike import Alike
from importguard.model import BindEvent, CallEvent, ClassBodyEvent, IfEvent, LoadEvent, StoreEvent, TryEvent

if TYPE_CHECKING:
    from importguard.analysis.alike import Shared
    from importguard.analysis.graph import ModuleInfo
    from importguard.model import Event

Plan = List[Tuple[int, Optional[Tuple[str, ...]], Sequence["Event"]]]


def plan(name: str, info: ModuleInfo, order: Optional[Callable[[str], Sequence[int]]],
         shared: Optional[Shared] = None) -> Plan:
    """The module's statements in the order they run: (index, the names it binds when it does
    nothing else, its events). With ``shared`` (what the repository tells of every module), tests
    whose branches do alike are replaced by what they do (``alike``)."""
    events = info.facts.events
    out: Plan = []
    alike = Alike(name, info, shared) if shared is not None else None
    for i in (order(name) if order is not None else range(len(events))):
        evs: Tuple[Any, ...] = _prune(events[i])
        if alike is not None:
            evs = alike.collapse(evs)
        only_binds = all(type(ev) is BindEvent for ev in evs)
        out.append((i, tuple(ev.name for ev in evs) if only_binds else None, evs))
    return out


def _prune(events: Sequence[Event], unread: Optional[Set[str]] = None) -> Tuple[Event, ...]:
    """``events`` with the class-body bindings nobody reads dropped; ``unread``: the names bound in
    the class body these events belong to that the body never reads (None outside a class)."""
    out: List[Event] = []
    ev: Any
    for ev in events:
        kind = type(ev)
        if kind is BindEvent and unread is not None and ev.name in unread:
            continue
        if kind is ClassBodyEvent:
            body = ev.body
            ev = ClassBodyEvent(_prune(body, _bound(body) - _read(body)))
        elif kind is IfEvent:
            ev = ev._replace(body=_prune(ev.body, unread), orelse=_prune(ev.orelse, unread))
        elif kind is TryEvent:
            ev = ev._replace(body=_prune(ev.body, unread),
                             handlers=tuple((names, _prune(h, unread)) for names, h in ev.handlers),
                             orelse=_prune(ev.orelse, unread), final=_prune(ev.final, unread))
        out.append(ev)
    return tuple(out)


def _same_scope(events: Sequence[Any]) -> Iterator[Any]:
    """The events of one scope: into ``if`` and ``try`` bodies, not into classes or functions."""
    for ev in events:
        yield ev
        if type(ev) is IfEvent:
            yield from _same_scope(ev.body)
            yield from _same_scope(ev.orelse)
        elif type(ev) is TryEvent:
            yield from _same_scope(ev.body)
            for _, h in ev.handlers:
                yield from _same_scope(h)
            yield from _same_scope(ev.orelse)
            yield from _same_scope(ev.final)


def _bound(events: Sequence[Any]) -> Set[str]:
    return {ev.name for ev in _same_scope(events) if type(ev) is BindEvent}


def _read(events: Sequence[Any]) -> Set[str]:
    """Names the scope looks up: the heads of its loads and stores, the functions it calls."""
    out: Set[str] = set()
    for ev in _same_scope(events):
        if type(ev) in (LoadEvent, StoreEvent):
            out.add(ev.dotted.split(".", 1)[0])
        elif type(ev) is CallEvent:
            out.add(ev.name)
    return out


def module_binds(info: ModuleInfo) -> Set[str]:
    """Names a module's body binds at module level (statements and imports)."""
    got: Set[str] = set()
    for st in info.facts.statements:
        got.update(st.binds)
    got.update(i.bound for i in info.facts.imports if i.scope_kind == "module" and i.bound)
    return got
