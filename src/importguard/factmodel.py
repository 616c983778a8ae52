"""The facts extracted from a file: its imports and their uses, its classes and functions, its
``TYPE_CHECKING`` blocks, its statements and the import-time events the simulation replays.

Plain data, as ``model`` (which names them too): strings, ints, bools and tuples
(``NamedTuple``). Kept apart from ``model`` because a run that finds every result in the cache
never reads a fact: creating these 17 classes is 2 ms of such a run's start.

No ``from __future__ import annotations`` here: ``typing.NamedTuple`` would compile each string
annotation into a ``ForwardRef``.
"""

from collections.abc import Sequence
from functools import partial
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional, Tuple, Union


class Use(NamedTuple):
    """One load of an import-bound name."""

    dotted: str  # the attribute chain as written, from the bound name: ``a.b.c``
    line: int
    col: int  # 0-based
    kind: str  # RUNTIME / ANNOTATION / TYPING
    scope: str  # qualified name of the enclosing function; "" when it runs at import time
    owner: str  # for ANNOTATION uses: the class (body annotations) or function (signature)


class ImportFact(NamedTuple):
    """One name bound by an import statement (one per alias)."""

    module: str  # the module as written, without leading dots: ``a.b`` (``""`` for ``from . import x``)
    level: int  # number of leading dots of a relative import
    name: Optional[str]  # the imported name of ``from m import name``; None for ``import m``
    asname: Optional[str]
    bound: str  # the local name it binds ("" for a star import)
    line: int  # position of the alias (1-based line, 0-based column)
    col: int
    end_line: int
    end_col: int
    stmt_line: int  # first and last line of the whole statement
    stmt_end_line: int
    stmt_index: int  # index of the enclosing top-level statement of the module
    kind: str  # IMPORT_TIME / DEFERRED / TYPING_EDGE
    scope: str  # qualified name of the scope that holds the binding ("" = module, "C", "f.<locals>")
    scope_kind: str  # "module", "class" or "function"
    top_level: bool  # the statement sits directly in the module body
    in_type_checking: bool
    guarded: bool  # inside ``try:`` whose handler catches ImportError / ModuleNotFoundError
    lazy: bool  # PEP 810 ``lazy import``
    text: str  # source text of the alias, for baselines and messages (``a.b as c``)
    # under TYPE_CHECKING: a runtime load type checkers credit to this import is answered at
    # runtime by another binding (a fallback of the name in ``else:``, ``if not TYPE_CHECKING:``
    # or ``try``/``except``; for ``import a.b.c``, another binding of ``a``/``a.b``), so the
    # import is used (IG100) although no runtime use reaches it (IG201)
    fallback_used: bool
    binds_global: bool  # inside a function, under ``global name``: it binds the module's global
    uses: Tuple[Use, ...]  # every load this binding can reach

    @property
    def is_star(self) -> bool:
        return self.name == "*"

    @property
    def is_future(self) -> bool:
        return self.module == "__future__" and self.level == 0

    @property
    def redundant_alias(self) -> bool:
        """``import x as x`` / ``from m import y as y``: an explicit re-export (PEP 484)."""
        if self.asname is None:
            return False
        return self.asname == (self.name if self.name is not None else self.module)

    @property
    def target(self) -> str:
        """The full dotted name this binding refers to (``a.b`` for ``import a.b``)."""
        if self.name is None:
            return self.module
        base = "." * self.level + self.module
        return f"{base}.{self.name}" if self.module else f"{base}{self.name}"


class ClassFact(NamedTuple):
    qualname: str
    line: int
    bases: Tuple[str, ...]  # dotted names as written (``pydantic.BaseModel``)
    decorators: Tuple[str, ...]  # dotted names of decorators (call decorators: the callee)


class FunctionFact(NamedTuple):
    qualname: str
    line: int
    decorators: Tuple[str, ...]


class TypeCheckingBlock(NamedTuple):
    line: int
    end_line: int
    col: int
    stmt_index: int
    top_level: bool
    empty: bool  # only ``pass`` / ``...``
    has_else: bool
    test: str  # ``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``
    only_imports: bool = False  # nothing but imports (and ``pass``/``...``/docstrings): safe to merge


class Statement(NamedTuple):
    """A top-level statement, for simulating import order (IG301/IG302)."""

    index: int  # type: ignore[assignment]  # a field that hides tuple.index, never called on it
    line: int
    end_line: int
    kind: str  # "import", "def", "class", "assign", "if", "try", "other"
    binds: Tuple[str, ...]  # names bound at module level by this statement


# ---------------------------------------------------------------------------- import-time events
# What a top-level statement does when the module is imported, as the simulation of IG301/IG302
# replays it. Bodies nest: a class body, both branches of an ``if``, each part of a ``try``.
class ImportEvent(NamedTuple):
    """An import statement: ``facts.imports[first:first + count]``."""

    first: int
    count: int  # type: ignore[assignment]  # a field that hides tuple.count, never called on it


class LoadEvent(NamedTuple):
    """A load of an import-bound name (``dotted``: the attribute path read)."""

    dotted: str
    line: int
    col: int
    annotation: bool  # an annotation Python evaluates, unless ``from __future__ import annotations``


class StoreEvent(NamedTuple):
    """An attribute store ``a.b.c = ...`` on an import-bound name."""

    dotted: str
    line: int
    col: int


class BindEvent(NamedTuple):
    """A binding that is not an import."""

    name: str


class DeleteEvent(NamedTuple):
    """``del name`` (also the implicit one at the end of ``except E as name:``)."""

    name: str


class ClassBodyEvent(NamedTuple):
    """A class body: runs at once, in its own namespace."""

    body: Tuple["Event", ...]


class IfEvent(NamedTuple):
    """``if``. ``test``: 1 = ``TYPE_CHECKING``, -1 = ``not TYPE_CHECKING``, 2 = ``__name__ ==
    "__main__"``, 0 = unknown, or a tuple on ``sys.version_info`` / ``sys.platform`` / ``os.name``
    (``extract.syntax._condition`` writes it, ``analysis.conditions.decide`` reads it)."""

    test: Any
    body: Tuple["Event", ...]
    orelse: Tuple["Event", ...]


class TryEvent(NamedTuple):
    """``try`` (and ``with suppress(...)``); handlers are (caught names, "*" = everything; body)."""

    body: Tuple["Event", ...]
    handlers: Tuple[Tuple[Tuple[str, ...], Tuple["Event", ...]], ...]
    orelse: Tuple["Event", ...]
    final: Tuple["Event", ...]


class FunctionEvent(NamedTuple):
    """A module-level function whose body imports, calls or loads imported names: the body runs
    when a module-level call (``CallEvent``) runs it."""

    name: str
    body: Tuple["Event", ...]


class CallEvent(NamedTuple):
    """A call (or decorator) of a module-level function at import time."""

    name: str
    line: int
    col: int


Event = Union[ImportEvent, LoadEvent, StoreEvent, BindEvent, DeleteEvent, ClassBodyEvent, IfEvent, TryEvent,
              FunctionEvent, CallEvent]
# the tag of each kind in the caches' plain form: (tag, *fields), nested bodies likewise
_EVENT_TAG = {ImportEvent: "i", LoadEvent: "l", StoreEvent: "s", BindEvent: "b", DeleteEvent: "d",
              ClassBodyEvent: "c", IfEvent: "f", TryEvent: "t", FunctionEvent: "fn", CallEvent: "k"}
_EVENT_KIND = {tag: kind for kind, tag in _EVENT_TAG.items()}
_tuple_new = tuple.__new__
_NESTED = (ClassBodyEvent, IfEvent, TryEvent, FunctionEvent)


def bodies(ev: Event) -> Iterator[Tuple[Event, ...]]:
    """The nested bodies of one event (none for simple events)."""
    if isinstance(ev, IfEvent):
        yield ev.body
        yield ev.orelse
    elif isinstance(ev, TryEvent):
        yield ev.body
        for _, handler in ev.handlers:
            yield handler
        yield ev.orelse
        yield ev.final
    elif isinstance(ev, (ClassBodyEvent, FunctionEvent)):
        yield ev.body


def walk_events(events: Iterable[Event]) -> Iterator[Event]:
    """Every event of ``events``, nested ones included, outer first."""
    stack = list(reversed(tuple(events)))
    while stack:
        ev = stack.pop()
        yield ev
        if type(ev) in _NESTED:
            for body in reversed(tuple(bodies(ev))):
                stack.extend(reversed(body))


def events_to_plain(events: Iterable[Event]) -> tuple:
    out: List[tuple] = []
    for ev in events:
        if isinstance(ev, IfEvent):
            out.append(("f", ev.test, events_to_plain(ev.body), events_to_plain(ev.orelse)))
        elif isinstance(ev, TryEvent):
            out.append(("t", events_to_plain(ev.body), tuple((n, events_to_plain(h)) for n, h in ev.handlers),
                        events_to_plain(ev.orelse), events_to_plain(ev.final)))
        elif isinstance(ev, ClassBodyEvent):
            out.append(("c", events_to_plain(ev.body)))
        elif isinstance(ev, FunctionEvent):
            out.append(("fn", ev.name, events_to_plain(ev.body)))
        else:
            out.append((_EVENT_TAG[type(ev)], *ev))
    return tuple(out)


def events_from_plain(raw: Iterable[tuple]) -> Tuple[Event, ...]:
    out: List[Event] = []
    for r in raw:
        tag = r[0]
        if tag == "f":
            out.append(IfEvent(r[1], events_from_plain(r[2]), events_from_plain(r[3])))
        elif tag == "t":
            out.append(TryEvent(events_from_plain(r[1]), tuple((n, events_from_plain(h)) for n, h in r[2]),
                                events_from_plain(r[3]), events_from_plain(r[4])))
        elif tag == "c":
            out.append(ClassBodyEvent(events_from_plain(r[1])))
        elif tag == "fn":
            out.append(FunctionEvent(r[1], events_from_plain(r[2])))
        else:
            out.append(_tuple_new(_EVENT_KIND[tag], r[1:]))  # no Python frame per event
    return tuple(out)


class LazyEvents(Sequence):
    """A module's events (one tuple per top-level statement) decoded from their plain form when
    first read. A changed import makes a run load the facts of every file, but only the modules
    the import simulation runs read their events: the others are never decoded (about 1 s on a
    tree of 6,000 files). Compares, hashes and prints as the tuple it stands for."""

    __slots__ = ("_raw", "_value")

    def __init__(self, raw: tuple):
        self._raw: Optional[tuple] = raw
        self._value: Optional[Tuple[Tuple[Event, ...], ...]] = None

    def value(self) -> Tuple[Tuple[Event, ...], ...]:
        got = self._value
        if got is None:
            got = self._value = tuple(map(events_from_plain, self._raw or ()))
            self._raw = None
        return got

    def plain(self) -> tuple:
        """The plain form (``events_to_plain`` of each statement's events), without decoding."""
        raw = self._raw
        return raw if raw is not None else tuple(map(events_to_plain, self.value()))

    def __len__(self) -> int:
        raw = self._raw
        return len(raw) if raw is not None else len(self.value())

    def __getitem__(self, i):
        return self.value()[i]

    def __iter__(self):
        return iter(self.value())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyEvents):
            other = other.value()
        return self.value() == other

    def __hash__(self) -> int:
        return hash(self.value())

    def __repr__(self) -> str:
        return repr(self.value())

    def __reduce__(self):
        return (tuple, (self.value(),))


class ModuleFacts(NamedTuple):
    imports: Tuple[ImportFact, ...]
    classes: Tuple[ClassFact, ...]
    functions: Tuple[FunctionFact, ...]
    type_checking: Tuple[TypeCheckingBlock, ...]
    statements: Tuple[Statement, ...]
    all_names: Optional[Tuple[str, ...]]  # names in ``__all__``; None when there is none
    future_annotations: bool
    noqa: Tuple[Tuple[int, Optional[Tuple[str, ...]]], ...]  # (line, codes or None for all)
    error: Optional[str]  # set when the file could not be analysed (IG900)
    # What runs at import time, in order: the events of each top-level statement (IG301/IG302)
    events: Tuple[Tuple[Event, ...], ...] = ()
    # Dynamic access to the module's namespace the binding analysis cannot follow, one reason
    # each (non-literal ``eval``/``exec``, ``globals()``, module-level ``vars()``,
    # ``sys.modules[__name__]``, a module-level ``__getattr__``/``__dir__``): a name nobody
    # loads by name may still be read.
    dynamic: Tuple[str, ...] = ()
    # What the module does to other modules while it is imported (outside ``if __name__ ==
    # "__main__":``): ("call", callee, line) an expression-statement call of an import-bound
    # callable (``admin.site.register(M)``, ``signal.connect(f)``), ("store", target, line) an
    # attribute or item store on an import-bound name, ("decorator", name, line) an import-bound
    # decorator of a module- or class-level ``def``/``class``.
    effects: Tuple[Tuple[str, str, int], ...] = ()
    # Code that expects an exception: (first line, last line, what) of ``with pytest.raises(...)``,
    # ``self.assertRaises(...)``, ``contextlib.suppress(...)`` bodies and ``xfail`` functions.
    expect_fail: Tuple[Tuple[int, int, str], ...] = ()
    # Names given as strings to calls: ("", "pkg.mod.name", line) for a dotted first argument
    # (``mock.patch("pkg.mod.name")``, ``monkeypatch.setattr("pkg.mod.name", v)``) and
    # (object, "name", line) for ``patch.object(mod, "name")``, ``getattr(mod, "name")``
    string_refs: Tuple[Tuple[str, str, int], ...] = ()
    # Every attribute name the module reads (``x.name``, ``f().name``): a class-body import is a
    # class attribute that code in other modules may read through an instance or a subclass.
    attributes: Tuple[str, ...] = ()


def failed_facts(reason: str) -> ModuleFacts:
    return ModuleFacts((), (), (), (), (), None, False, (), reason)


# the records are built with ``tuple.__new__`` over ``map``: no Python frame per record (a changed
# import makes a run load the facts of every file; this halves their decoding). The plain tuples
# come from ``cache.facts.to_plain`` under the schema's fingerprint, so their fields are in the
# records' order.
_new = tuple.__new__
_use, _class, _function = partial(_new, Use), partial(_new, ClassFact), partial(_new, FunctionFact)
_block, _statement = partial(_new, TypeCheckingBlock), partial(_new, Statement)
_FIELDS = len(ModuleFacts._fields)


def _import(i: tuple) -> ImportFact:
    return _new(ImportFact, i[:-1] + (tuple(map(_use, i[-1])),))


def facts_from_plain(t: tuple) -> ModuleFacts:
    if len(t) != _FIELDS:
        raise ValueError("facts of another schema")
    return _new(ModuleFacts, (tuple(map(_import, t[0])), tuple(map(_class, t[1])), tuple(map(_function, t[2])),
                              tuple(map(_block, t[3])), tuple(map(_statement, t[4])), t[5], t[6], t[7], t[8],
                              LazyEvents(t[9]), *t[10:]))  # decoded when first read
