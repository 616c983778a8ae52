"""The walk's mutable state, declared once, and the one way to change it for a region.

Every mixin of the extractor (``bindings``, ``statements``, ``definitions``, ``control_flow``,
``expressions``) reads and writes these fields; ``Extractor.__init__`` gives them their
starting values. A field that changes only while a node is walked (the scope, the kind of use,
the enclosing function, ``if TYPE_CHECKING:``...) is changed with ``scoped``, which puts the old
values back when the region ends, also when it ends early.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, List, Optional, Set, Tuple

if TYPE_CHECKING:
    import libcst as cst

    from importguard.extract.scopes import Scope, _Imp, _Snapshot
    from importguard.model import ClassFact, FunctionFact, Statement, TypeCheckingBlock


class WalkState:
    # dispatch tables, filled in by ``extractor`` once every handler exists
    STMT_HANDLERS: ClassVar[Dict[type, Callable[..., None]]] = {}
    EXPR_HANDLERS: ClassVar[Dict[type, Callable[..., None]]] = {}

    module: cst.Module
    start: Dict[int, Tuple[int, int]]
    end: Dict[int, int]
    comments: list
    declared: Set[str]  # names some ``global`` / ``nonlocal`` statement declares
    declared_loads: list
    class_attrs: Dict[str, List[Tuple[int, str]]]
    # what the facts are made of
    imports: List[_Imp]
    classes: List[ClassFact]
    functions: List[FunctionFact]
    tc_blocks: List[TypeCheckingBlock]
    statements: List[Statement]
    all_names: Optional[List[str]]
    future_annotations: bool
    events: List[tuple]
    func_events: Dict[str, tuple]
    top_funcs: Dict[str, int]
    dynamic: List[str]
    effects: List[Tuple[str, str, int]]
    expect_fail: List[Tuple[int, int, str]]
    string_refs: List[Tuple[str, str, int]]
    attributes: Set[str]
    tc_aliases: Set[str]
    type_comments: bool
    # where the walk is
    module_scope: Scope
    scope: Scope
    kind: str  # the kind of use a load is (runtime, annotation, typing ...)
    owner: str
    func: str  # qualname of the enclosing function ("" at import time)
    cond: int  # depth of conditional blocks around the statement
    in_tc: bool  # inside ``if TYPE_CHECKING:``
    guarded: bool  # inside ``try`` with an ``ImportError`` handler
    stmt_index: int
    top: bool
    str_pos: Optional[Tuple[int, int]]
    snapshot: Optional[_Snapshot]
    deferred: list
    stmt_binds: List[str]
    main_pass: bool
    late: list
    ev: List[tuple]  # events of the block being walked (main pass only)
    storing: bool  # walking the target of an attribute store
    rec: bool  # record import-time events: the main pass, or a module-level function body
    in_main: bool  # inside ``if __name__ == "__main__":``
    resolved_in: Optional[Scope] = None  # where the last ``resolve`` stopped
    passed: Optional[list] = None  # function scopes still being walked that it looked past
    in_literal = False  # inside ``Literal[...]`` or ``Annotated`` metadata: strings are values
    type_expr = False  # inside a type expression Python evaluates (``X = Union[str, "Foo"]``)

    if TYPE_CHECKING:
        # what one mixin calls on another, for the type checker (each is defined in one mixin)
        def body(self, block) -> None: ...  # statements
        def cond_body(self, block) -> None: ...
        def _load_names(self, names: List[str], pos: Tuple[int, int], kind: str) -> None: ...
        def _effect(self, kind: str, name: Optional[str], node: cst.CSTNode) -> None: ...
        def _target_scope(self, name: str, s: Scope) -> Scope: ...  # bindings
        def bind(self, name: str, bid: int = ..., *, scope: Optional[Scope] = None) -> None: ...
        def unbind(self, name: str) -> None: ...
        def resolve(self, name: str) -> Tuple[int, ...]: ...
        def load(self, name: str, node: Optional[cst.CSTNode], path: str) -> None: ...
        def _qual(self, name: str) -> str: ...  # definitions
        def _defer(self, node, qual: str, parent: Optional[Scope] = None) -> None: ...
        def _call_event(self, func: cst.Name) -> None: ...
        def _capture(self, fn, *args) -> tuple: ...
        @staticmethod
        def _all_params(params: cst.Parameters): ...
        def target(self, t: cst.CSTNode) -> None: ...  # control_flow
        def expr(self, node: cst.CSTNode) -> None: ...  # expressions
        def type_expression(self, node: cst.CSTNode) -> None: ...
        def annotation(self, node: cst.CSTNode, kind: str, owner: str) -> None: ...
        def _first_line(self, node: cst.CSTNode) -> int: ...  # extractor

    def scoped(self, **changes: Any) -> "_Scoped":
        """Set fields for the duration of a ``with`` block, then restore them (also when the block
        ends early). A plain class, not ``contextlib``: it runs for every call and subscript."""
        return _Scoped(self, changes)


class _Scoped:
    __slots__ = ("state", "changes", "saved")

    def __init__(self, state: WalkState, changes: Dict[str, Any]) -> None:
        self.state = state
        self.changes = changes

    def __enter__(self) -> None:
        state = self.state
        d = state.__dict__
        self.saved = [(k, d[k] if k in d else getattr(state, k)) for k in self.changes]
        d.update(self.changes)

    def __exit__(self, *exc: object) -> None:
        self.state.__dict__.update(self.saved)
