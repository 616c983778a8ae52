"""The walk of the import simulation over the prefix tree of its entries (``simulate``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from importguard.analysis.interpreter import SimError

if TYPE_CHECKING:
    from importguard.analysis.interpreter import Failure, Simulator

Fails = List[Tuple[str, Optional["Failure"]]]  # (prefix, its failure) in the order the prefixes ran


class Walk:
    """Depth-first over the prefix tree of the entries: import a prefix on top of its parent's
    state, visit its children, then undo back to the parent's state (``import a.b.c`` imports a,
    a.b, a.b.c). An entry's outcome is that of its prefixes' imports, each from its parent's state
    alone: a subtree walked in another process (from a copy of that state) gives the same."""

    def __init__(self, sim: Simulator, entries: Sequence[str]):
        self.sim = sim
        self.wanted = set(entries)
        self.visited: Dict[str, Set[tuple]] = {}  # prefix -> the tests its own import decided
        self.ran: Dict[str, List[str]] = {}  # prefix -> the modules its own import ran
        self.fails: Fails = []
        children: Dict[str, List[str]] = {}
        for entry in sorted(self.wanted):  # the tree of prefixes: a -> a.b -> a.b.c
            parts = entry.split(".")
            for i in range(1, len(parts) + 1):
                parent, name = ".".join(parts[:i - 1]), ".".join(parts[:i])
                kids = children.setdefault(parent, [])
                if not kids or kids[-1] != name:
                    if name not in kids:
                        kids.append(name)
        self.children = children

    def visit(self, prefix: str) -> Optional[int]:
        """Import ``prefix`` on top of the current state: the undo mark before it, None when it
        raised (its state is then undone and the failure recorded)."""
        sim = self.sim
        mark = len(sim.trail)
        sim.decided = self.visited[prefix] = set()
        sim.ran = self.ran[prefix] = []
        sim.begin()
        try:
            if prefix not in sim.sysmods:
                sim.import_module(prefix)
        except SimError as exc:
            sim.stack = []
            sim.undo(mark)
            self.fails.append((prefix, exc.failure))
            return None
        except RecursionError:
            sim.stack = []
            sim.undo(mark)
            self.fails.append((prefix, None))
            return None
        return mark

    def walk(self, roots: Iterable[str], within: Optional[Set[str]] = None) -> None:
        """Visit ``roots`` and their subtrees (only the prefixes in ``within``, when given), each
        from the current state, which is taken back after each."""
        children = self.children
        todo: List[tuple] = [("visit", name) for name in reversed(list(roots))]
        while todo:
            op, arg = todo.pop()
            if op == "undo":
                self.sim.undo(arg)
                continue
            mark = self.visit(arg)
            if mark is None:
                continue
            todo.append(("undo", mark))
            kids = children.get(arg, ())
            todo.extend(("visit", name) for name in reversed(kids) if within is None or name in within)
