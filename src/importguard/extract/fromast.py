"""The tree the extractor walks, built from the standard library's ``ast`` instead of LibCST's parser.

LibCST's parser builds every token of a file as a Python object (whitespace, commas, brackets,
each with its own node) and the extractor then needs one more pass to learn where the nodes
are; together about 1.1 times the parse of the same file. ``ast.parse`` runs in C and gives each
node's position: building from it only the LibCST nodes the extractor reads (names, calls,
imports, statements, strings...), with the positions it reads, costs a fraction of that.

The nodes built here are of LibCST's classes (their copies in ``nodes``: LibCST itself is not
imported) with LibCST's structure (the same fields, the same nesting: ``ConcatenatedString`` for
implicit concatenation, ``BooleanOperation`` nested to the left, an ``If`` in ``orelse`` for
``elif``...), their whitespace and punctuation left at shared defaults that nothing reads.
Positions follow LibCST's rules, not ``ast``'s: a node in parentheses starts at its first
parenthesis, a compound statement ends after the comment and blank lines indented under its
block, a statement's leading comment and blank lines count as its own.

Whatever this module is not sure to build exactly as LibCST would raises ``Unsupported``, and
the file is parsed with LibCST instead: syntax the running interpreter's ``ast`` does not know,
type comments, form feeds, a carriage return that ends no line, PEP 695 type parameters,
parenthesized ``with`` items, a name whose position ``ast`` gives elsewhere than its text (inside an f-string
before Python 3.12, an identifier ``ast`` normalizes). A file that Python accepts and LibCST's
parser does not (a few of black's test cases) gets facts this way, where LibCST gave IG900.
The tests hold the facts of both ways equal on every file of their corpora.
"""
from __future__ import annotations

import ast
import keyword
import sys
from bisect import bisect_right
from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from importguard.extract.astexpr import Expressions
from importguard.extract.astnodes import N, Unsupported
from importguard.extract.aststmt import Statements

if TYPE_CHECKING:
    import libcst as cst

__all__ = ["AVAILABLE", "STRICT", "Unsupported", "build", "parse_expression"]

# ``alias`` positions (``import a.b as c``) exist from Python 3.10
AVAILABLE = sys.version_info >= (3, 10)

# any other exception while building is a bug here: the file goes to LibCST, unless this is set
# (the tests set it, so that such a bug fails them)
STRICT = False


class _Builder(Statements, Expressions):
    def __init__(self, text: str):
        self.text = text
        lines = text.split("\n")
        starts = [0]
        total = 0
        for ln in lines:
            total += len(ln) + 1
            starts.append(total)
        if "\r" in text:  # "\r\n" line ends: the lines without their "\r", the offsets with it
            lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
        self.lines = lines
        self.line_start = starts
        self.start: Dict[int, Tuple[int, int]] = {}
        self.end: Dict[int, int] = {}
        self.declared: set = set()
        self.strings: List[Tuple[int, int]] = []  # (start, end) offsets of string literals
        self.maybe_paren: list = []  # (cst node, offset of start, offset of end) to look at again
        self.ascii = text.isascii()

    # ------------------------------------------------------------------ positions
    def col(self, line: int, bcol: int) -> int:
        if self.ascii:
            return bcol
        s = self.lines[line - 1]
        if s.isascii():
            return bcol
        return len(s.encode("utf-8")[:bcol].decode("utf-8", "replace"))

    def offset(self, line: int, bcol: int) -> int:
        return self.line_start[line - 1] + self.col(line, bcol)

    def pos_of(self, offset: int) -> Tuple[int, int]:
        i = bisect_right(self.line_start, offset) - 1
        return i + 1, offset - self.line_start[i]

    def record(self, node: Any, a: Any) -> Tuple[int, int, str]:
        """Position an expression node that LibCST may give parentheses (looked at again once the
        comments are known, when what precedes it could be an opening parenthesis); returns its
        line, column and the line's text."""
        line = a.lineno
        s = self.lines[line - 1]
        c = a.col_offset if self.ascii or s.isascii() else self.col(line, a.col_offset)
        self.start[id(node)] = (line, c)
        j = c - 1
        while j >= 0 and (s[j] == " " or s[j] == "\t"):
            j -= 1
        if j < 0 or s[j] == "(" or s[j] == "\\":
            self.maybe_paren.append((node, self.line_start[line - 1] + c, a))
        return line, c, s

    # ------------------------------------------------------------------ module
    def module(self, tree: Any) -> cst.Module:
        body = self.block(tree.body, 0, top=True)
        return N.Module(body=body)


# ---------------------------------------------------------------------------- comments, parentheses
def _comments(b: _Builder) -> Tuple[List[Tuple[int, str, bool]], Dict[int, int]]:
    """Every comment as ``(line, text, alone on its line)``, and line -> column of its comment."""
    text = b.text
    spans = sorted(b.strings)
    starts = [s for s, _ in spans]
    out: List[Tuple[int, str, bool]] = []
    where: Dict[int, int] = {}
    p = text.find("#")
    while p >= 0:
        i = bisect_right(starts, p) - 1
        if i >= 0 and p < spans[i][1]:
            p = text.find("#", spans[i][1])
            continue
        line, c = b.pos_of(p)
        eol = text.find("\n", p)
        if eol < 0:
            eol = len(text)
        out.append((line, text[p:eol].rstrip("\r"), not b.lines[line - 1][:c].strip(" \t")))
        where[line] = c
        p = text.find("#", eol)
    return out, where


def _parens(b: _Builder, where: Dict[int, int]) -> None:
    """Move the start of each node in parentheses to its first ``(``, as LibCST does."""
    text = b.text
    n = len(text)

    crossed = [False]

    def back(p: int) -> int:  # the offset of the code character before ``p``, or -1
        p -= 1
        crossed[0] = False
        while p >= 0:
            ch = text[p]
            if ch in " \t\r":
                p -= 1
            elif ch == "\n":
                crossed[0] = True
                line, _ = b.pos_of(p)
                c = where.get(line)
                p = (b.line_start[line - 1] + c - 1) if c is not None else p - 1
            elif ch == "\\" and p + 1 < n and text[p + 1] in "\r\n":
                p -= 1
            else:
                return p
        return -1

    def fwd(p: int) -> int:
        while p < n:
            ch = text[p]
            if ch in " \t\r\n" or (ch == "\\" and p + 1 < n and text[p + 1] in "\r\n"):
                p += 1
            elif ch == "#":
                eol = text.find("\n", p)
                p = n if eol < 0 else eol
            else:
                return p
        return n

    for node, s, a in b.maybe_paren:
        first = None
        e = -1
        while True:
            p = back(s)
            if p < 0 or text[p] != "(":
                break
            if e < 0:
                e = b.offset(a.end_lineno, a.end_col_offset)
            q = fwd(e)
            if q >= n or text[q] != ")":
                break
            before = back(p)
            if before >= 0 and not crossed[0]:  # (a line break before ``(``: no call in practice)
                ch = text[before]
                if ch in ")]\"'" or ch.isalnum() or ch == "_":
                    # a call's, a class's or a def's parenthesis, unless after a keyword
                    if ch.isalnum() or ch == "_":
                        k = before
                        while k >= 0 and (text[k].isalnum() or text[k] == "_"):
                            k -= 1
                        if not keyword.iskeyword(text[k + 1:before + 1]):
                            break
                    else:
                        break
            first = p
            s, e = p, q + 1
        if first is not None:
            b.start[id(node)] = b.pos_of(first)


def parse_expression(text: str) -> Any:
    """The expression ``text`` (a string annotation) as a tree of ``nodes``; raises when it is not
    one (SyntaxError, ``Unsupported``)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text, mode="eval")
    return _Builder(text).expr(tree.body)


def build(source: bytes) -> Tuple[cst.Module, Dict[int, Tuple[int, int]], Dict[int, int],
                                  List[Tuple[int, str, bool]], set]:
    """(module, starts, ends, comments, declared) as ``positions`` gives them for LibCST's tree."""
    import io
    import tokenize
    import warnings

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        text = source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise Unsupported("encoding") from exc
    if text.startswith("\ufeff"):
        raise Unsupported("bom")
    if "\f" in text or ("\r" in text and text.count("\r") != text.count("\r\n")):
        raise Unsupported("whitespace")  # form feeds, and a carriage return that ends no line
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise Unsupported("ast") from exc
    b = _Builder(text)
    try:
        module = b.module(tree)
    except RecursionError as exc:
        raise Unsupported("deep") from exc
    comments, where = _comments(b)
    from importguard.extract.type_syntax import _type_comment

    if any("type" in c and _type_comment(c) for _, c, _alone in comments):
        raise Unsupported("type comments")
    _parens(b, where)
    return module, b.start, b.end, comments, b.declared
