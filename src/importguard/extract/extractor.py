"""One pass per file over its tree (``nodes``: from ``ast``, or copied from LibCST's) -> ModuleFacts.

A purpose-built binding visitor in the manner of pyflakes: it tracks only what the rules need
(import bindings and every load that can reach them, with Python's scoping), instead of LibCST's
generic ScopeProvider, which resolves every name of the file and costs several times the parse.

Scoping follows CPython: module and class bodies run in order; function and lambda bodies are
walked after the enclosing module (late binding), see enclosing function scopes but never class
scopes; comprehensions have their own scope; ``global``/``nonlocal`` redirect bindings. A
binding made unconditionally replaces the earlier ones; a binding made under ``if``/``try``/loops
is added beside them, so either may be the one a later load sees.

The walk is split by concern: ``syntax``, ``noqa`` and ``type_syntax`` read nodes; ``scopes``
holds the scope model; the mixins ``bindings``, ``statements``, ``definitions``, ``control_flow``
and ``expressions`` walk; this module drives them and assembles the facts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Tuple

if TYPE_CHECKING:  # LibCST's classes; the walk runs on their copies without LibCST (``nodes``)
    import libcst as cst
else:
    from importguard.extract import nodes as cst

from importguard.extract.bindings import Bindings
from importguard.extract.control_flow import ControlFlow
from importguard.extract.definitions import Definitions
from importguard.extract.expressions import Expressions
from importguard.extract.noqa import parse_noqa
from importguard.extract.scopes import Scope, _Imp, _ModuleLive, _Snapshot
from importguard.extract.statements import Statements
from importguard.extract.syntax import _calls_or_imports, _fields
from importguard.extract.type_syntax import _type_comment
from importguard.model import (
    RUNTIME,
    ClassFact,
    FunctionEvent,
    FunctionFact,
    ImportFact,
    ModuleFacts,
    Statement,
    TypeCheckingBlock,
)

if TYPE_CHECKING:
    from importguard.extract.syntax import Dispatched


class Extractor(Bindings, Statements, Definitions, ControlFlow, Expressions):
    def __init__(self, module: cst.Module, built: tuple):
        """``module``: a tree of ``nodes`` (built by ``fromast``, or copied from LibCST's by
        ``from_libcst``); ``built``: its starts and ends (by node ``id``), comments and the names
        ``global``/``nonlocal`` declare."""
        self.module = module
        self.start, self.end, self.comments, self.declared = built
        # loads of declared names: (name, scope it resolved in, use), for the imports that bind
        # them from inside a function (``global x; import x``), which any of them may see
        self.declared_loads: list = []
        # class-body imports (class attributes): bound name -> [(import id, class name)]
        self.class_attrs: Dict[str, List[Tuple[int, str]]] = {}
        self.imports: List[_Imp] = []
        self.classes: List[ClassFact] = []
        self.functions: List[FunctionFact] = []
        self.tc_blocks: List[TypeCheckingBlock] = []
        self.statements: List[Statement] = []
        self.all_names: Optional[List[str]] = None
        self.future_annotations = False
        self.module_scope = Scope("module", "", None)
        self.module_scope.live = _ModuleLive()
        self.scope = self.module_scope
        self.kind = RUNTIME
        self.owner = ""
        self.func = ""  # qualname of the enclosing function ("" at import time)
        self.cond = 0
        self.in_tc = False
        self.guarded = False
        self.stmt_index = -1
        self.top = False
        self.str_pos: Optional[Tuple[int, int]] = None
        self.snapshot: Optional[_Snapshot] = None
        self.deferred: list = []
        self.stmt_binds: List[str] = []
        self.main_pass = True
        self.late: list = []
        self.events: List[tuple] = []  # per top-level statement: what runs at import time
        self.ev: List[tuple] = []  # events of the block being walked (main pass only)
        self.storing = False  # walking the target of an attribute store
        self.tc_aliases: set = set()  # names ``TYPE_CHECKING`` was imported as
        self.rec = True  # record import-time events: the main pass, or a module-level function body
        self.top_funcs: Dict[str, int] = {}  # module-level ``def`` name -> its top-level statement
        self.func_events: Dict[str, tuple] = {}  # module-level ``def`` name -> its body's events
        self.dynamic: List[str] = []  # dynamic namespace access (ModuleFacts.dynamic)
        self.effects: List[Tuple[str, str, int]] = []  # ModuleFacts.effects
        self.expect_fail: List[Tuple[int, int, str]] = []  # ModuleFacts.expect_fail
        self.string_refs: List[Tuple[str, str, int]] = []  # ModuleFacts.string_refs
        self.attributes: Set[str] = set()  # ModuleFacts.attributes
        self.in_main = False  # inside ``if __name__ == "__main__":``
        # any PEP 484 type comment in the file (most have none: then statements are not searched)
        self.type_comments = any("type" in text and _type_comment(text) for _, text, _alone in self.comments)

    @classmethod
    def from_libcst(cls, module: Any) -> "Extractor":
        """The extractor of a tree LibCST's parser made: its positions, then its copy in ``nodes``."""
        from importguard.extract.nodes import to_mirror
        from importguard.extract.positions import positions

        declared: set = set()
        start, end, comments = positions(module, declared)
        new_start: Dict[int, Tuple[int, int]] = {}
        new_end: Dict[int, int] = {}
        copy = to_mirror(module, start, end, new_start, new_end)
        return cls(copy, (new_start, new_end, comments, declared))

    # ------------------------------------------------------------------ driver
    def run(self) -> ModuleFacts:
        for i, stmt in enumerate(self.module.body):
            self.stmt_index = i
            self.top = True
            self.stmt_binds = []
            self.ev = []
            self.stmt(stmt)
            self.events.append(tuple(self.ev))
            self.statements.append(self._statement_fact(i, stmt))
        self.top = self.main_pass = self.rec = False
        self._resolve_late()
        while self.deferred:
            batch, self.deferred = self.deferred, []
            for job in batch:
                self._run_deferred(*job)
        self._credit_remote_bindings()
        self._credit_submodules()
        self._function_events()
        return self._facts()

    def _function_events(self) -> None:
        """A ``FunctionEvent`` at the end of the statement that defines a module-level
        function whose body imports, calls or reads imported names: a module-level call (or a
        decorator) runs it at import time."""
        for name, events in self.func_events.items():
            i = self.top_funcs.get(name)
            if i is not None and _calls_or_imports(events):
                self.events[i] = self.events[i] + (FunctionEvent(name, events),)

    def _statement_fact(self, i: int, stmt: Dispatched) -> Statement:
        line = self._stmt_line(stmt)
        end = self.end.get(id(stmt), line)
        t = type(stmt)
        if t is cst.SimpleStatementLine:
            kinds = {type(s) for s in stmt.body}
            if kinds & {cst.Import, cst.ImportFrom, cst.LazyImport, cst.LazyImportFrom}:
                kind = "import"
            elif kinds & {cst.Assign, cst.AnnAssign, cst.AugAssign}:
                kind = "assign"
            else:
                kind = "other"
        else:
            kind = _COMPOUND_KIND.get(t, "other")
        return Statement(i, line, end, kind, tuple(dict.fromkeys(self.stmt_binds)))

    def _stmt_line(self, stmt: cst.CSTNode) -> int:
        if type(stmt) is cst.SimpleStatementLine:
            first = stmt.body[0] if stmt.body else None
            if first is not None and id(first) in self.start:
                return self.start[id(first)][0]
        pos = self.start.get(id(stmt))
        if pos is not None:
            return pos[0] + len(getattr(stmt, "leading_lines", ()))
        # find the first positioned node inside
        name = getattr(stmt, "name", None)
        if name is not None and id(name) in self.start:
            return self.start[id(name)][0]
        return self._first_line(stmt)

    def _first_line(self, node: cst.CSTNode) -> int:
        stack = [node]
        while stack:
            n = stack.pop()
            p = self.start.get(id(n))
            if p is not None and type(n) is cst.Name:
                return p[0]
            for f in reversed(_fields(type(n))):
                v = getattr(n, f)
                if isinstance(v, cst.CSTNode):
                    stack.append(v)
                elif isinstance(v, (list, tuple)):
                    stack.extend(reversed([x for x in v if isinstance(x, cst.CSTNode)]))
        return 1

    def _facts(self) -> ModuleFacts:
        imports = []
        for imp in self.imports:
            imports.append(ImportFact(fallback_used=imp.fallback, uses=tuple(imp.uses), **imp.fields))
        return ModuleFacts(
            imports=tuple(imports),
            classes=tuple(self.classes),
            functions=tuple(self.functions),
            type_checking=tuple(self.tc_blocks),
            statements=tuple(self.statements),
            all_names=tuple(self.all_names) if self.all_names is not None else None,
            future_annotations=self.future_annotations,
            noqa=parse_noqa(self.comments),
            error=None,
            events=tuple(self.events),
            dynamic=tuple(dict.fromkeys(self.dynamic)),
            effects=tuple(dict.fromkeys(self.effects)),
            expect_fail=tuple(self.expect_fail),
            string_refs=tuple(dict.fromkeys(self.string_refs)),
            attributes=tuple(sorted(self.attributes)),
        )


_COMPOUND_KIND: Dict[type, str] = {
    cst.FunctionDef: "def", cst.ClassDef: "class", cst.If: "if", cst.Try: "try", cst.TryStar: "try",
}
_STMT: Dict[type, Callable[..., None]] = {
    cst.SimpleStatementLine: Extractor.s_simple_line,
    cst.Import: Extractor.s_import,
    cst.ImportFrom: Extractor.s_import,
    cst.LazyImport: Extractor.s_lazy,
    cst.LazyImportFrom: Extractor.s_lazy,
    cst.Assign: Extractor.s_assign,
    cst.AnnAssign: Extractor.s_ann_assign,
    cst.AugAssign: Extractor.s_aug_assign,
    cst.Expr: Extractor.s_expr,
    cst.Del: Extractor.s_del,
    cst.Global: Extractor.s_global,
    cst.Nonlocal: Extractor.s_global,
    cst.FunctionDef: Extractor.s_function,
    cst.ClassDef: Extractor.s_class,
    cst.If: Extractor.s_if,
    cst.Try: Extractor.s_try,
    cst.TryStar: Extractor.s_try,
    cst.For: Extractor.s_for,
    cst.While: Extractor.s_while,
    cst.With: Extractor.s_with,
    cst.Match: Extractor.s_match,
    cst.TypeAlias: Extractor.s_type_alias,
    cst.Pass: lambda self, node: None,
    cst.Break: lambda self, node: None,
    cst.Continue: lambda self, node: None,
}
_EXPR: Dict[type, Callable[..., None]] = {
    cst.Arg: Extractor.e_arg,
    cst.Call: Extractor.e_call,
    cst.Lambda: Extractor.e_lambda,
    cst.ListComp: Extractor.e_comp,
    cst.SetComp: Extractor.e_comp,
    cst.GeneratorExp: Extractor.e_comp,
    cst.DictComp: Extractor.e_comp,
    cst.NamedExpr: Extractor.e_named,
    cst.SimpleString: Extractor.e_string,
    cst.ConcatenatedString: Extractor.e_string,
    cst.Subscript: Extractor.e_subscript,
}
Extractor.STMT_HANDLERS = _STMT
Extractor.EXPR_HANDLERS = _EXPR
