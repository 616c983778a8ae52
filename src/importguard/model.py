"""Plain data shared by every stage: diagnostics, fixes, cycles; and the facts extracted from
files (defined in ``factmodel``, and named here too).

Everything here is made of strings, ints, bools and tuples (``NamedTuple``), so facts compare in
tests, serialise to the cache with ``marshal`` and never hold a CST node. Standard library only.

No ``from __future__ import annotations`` here: ``typing.NamedTuple`` would compile each string
annotation into a ``ForwardRef``, half a millisecond of every run's start.
"""

from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Tuple

# Kinds of use of a name.
RUNTIME = "runtime"  # evaluated whenever the code around it runs
ANNOTATION = "annotation"  # an annotation Python evaluates eagerly (unless deferred by PEP 563/649)
TYPING = "typing"  # never evaluated: string annotation, local annotation, TYPE_CHECKING, type alias

# Kinds of import statements / graph edges, weakest first.
IMPORT_TIME = "import-time"
DEFERRED = "deferred"
TYPING_EDGE = "typing"
EDGE_KINDS = (IMPORT_TIME, DEFERRED, TYPING_EDGE)


if TYPE_CHECKING:  # the facts' names (``__getattr__`` below), as type checkers see them
    from importguard.factmodel import (
        BindEvent as BindEvent,
        CallEvent as CallEvent,
        ClassBodyEvent as ClassBodyEvent,
        ClassFact as ClassFact,
        DeleteEvent as DeleteEvent,
        Event as Event,
        FunctionEvent as FunctionEvent,
        FunctionFact as FunctionFact,
        IfEvent as IfEvent,
        ImportEvent as ImportEvent,
        ImportFact as ImportFact,
        LazyEvents as LazyEvents,
        LoadEvent as LoadEvent,
        ModuleFacts as ModuleFacts,
        Statement as Statement,
        StoreEvent as StoreEvent,
        TryEvent as TryEvent,
        TypeCheckingBlock as TypeCheckingBlock,
        Use as Use,
        bodies as bodies,
        events_from_plain as events_from_plain,
        events_to_plain as events_to_plain,
        failed_facts as failed_facts,
        walk_events as walk_events,
    )


def __getattr__(name: str) -> Any:
    """The facts' names, from ``factmodel`` when first asked for: a run that finds every result
    in the cache never creates those classes."""
    if not name.startswith("_"):
        from importguard import factmodel

        if hasattr(factmodel, name):
            value = globals()[name] = getattr(factmodel, name)
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Fix(NamedTuple):
    """What a fixer should do about a diagnostic; the codemods in ``fixers/`` apply it."""

    kind: str  # "remove-import", "move-to-type-checking", "move-out-of-type-checking",
    #           "merge-type-checking", "remove-type-checking", "defer-import"
    safe: bool
    title: str  # imperative: "Remove unused import"
    line: int = 0  # the import alias (or block) the fix acts on
    col: int = 0
    name: str = ""  # the bound name
    scopes: Tuple[str, ...] = ()  # functions to move an import into
    reason: str = ""  # why the fix is not safe (empty for a safe fix)
    advice: bool = False  # advice only: never applied, not even with ``--unsafe-fixes``

    @property
    def applicability(self) -> str:
        """``safe`` (applied by ``importguard fix``), ``unsafe`` (only with ``--unsafe-fixes``) or
        ``advice`` (shown, never applied)."""
        if self.advice:
            return "advice"
        return "safe" if self.safe else "unsafe"


class Diagnostic(NamedTuple):
    path: str
    line: int
    column: int  # 1-based
    code: str
    message: str
    end_line: int = 0
    end_column: int = 0
    fixable: bool = False
    entries: Tuple[str, ...] = ()
    key: str = ""  # content key for baselines (no line numbers)
    fix: Optional[Fix] = None
    cost_ms: Optional[float] = None  # the measured import cost the message states (``--sort cost``)
    contract: str = ""  # IG5xx: the name of the broken contract
    # IG5xx: the illegal chain, one link per import: (importer, imported, importer's path, lines)
    chain: Tuple[Tuple[str, str, str, Tuple[int, ...]], ...] = ()

    def sort_key(self):
        return (self.path, self.line, self.column, self.code, self.message)


class CycleEdge(NamedTuple):
    source: str
    target: str
    path: str
    line: int
    kind: str


class Cycle(NamedTuple):
    modules: Tuple[str, ...]
    kind: str
    path: Tuple[str, ...]
    edges: Tuple[CycleEdge, ...]


def diagnostic_to_plain(d: Diagnostic) -> tuple:
    """A diagnostic as nested tuples of plain values (for ``marshal`` in the results caches)."""
    return tuple(d._replace(fix=tuple(d.fix) if d.fix else None))  # type: ignore[arg-type]  # plain: a tuple


def diagnostic_from_plain(t: tuple) -> Diagnostic:
    d = Diagnostic(*t)
    return d._replace(fix=Fix(*d.fix)) if d.fix else d


# ---------------------------------------------------------------------------- measured import costs
class CostRecord(NamedTuple):
    module: str
    cumulative_ms: float  # importing it in a fresh interpreter, with everything it pulls in
    self_ms: float  # the module's own body
    memory_kb: int  # resident memory added by the import
    runs: int
    python: str  # the interpreter measured
    python_version: str
    providers: Tuple[str, ...]  # "name==version" of the distributions providing the top package
    error: Optional[str] = None  # the import failed (the times are then those of the failure)
    preloaded: bool = False  # already imported when the interpreter starts: free


def format_ms(ms: float) -> str:
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    return f"{ms:.2f}"


def cost_note(record: Optional[CostRecord]) -> str:
    """`` (import cost 12.3 ms)`` for IG100/IG200 messages, or "" when not measured."""
    if record is None or record.preloaded:
        return ""
    return f" (import cost {format_ms(record.cumulative_ms)} ms)"
