"""Extraction: the one place that parses on the check path (bytes -> ModuleFacts), with Python's
own parser (``fromast``) where the tree can be built exactly as LibCST's, else with LibCST's."""
from __future__ import annotations

import os
import sys
import threading
from itertools import accumulate
from typing import TYPE_CHECKING, Callable, Optional

from importguard.model import ModuleFacts, failed_facts

if TYPE_CHECKING:
    import libcst as cst

# Signs, cheap to count at C speed, that a file may be absurdly nested. Such a file is first
# compiled by CPython, which rejects what it cannot handle at once, where LibCST's parser can
# spend many seconds (a 3,000-term sum) or overflow its stack (5,000 nested brackets).
# On Django these counts cost well under 1% of the parse; see docs/reliability.md.
_LONG_LINE = 2000  # bytes in one logical line
_DEEP = 100  # bracket depth (CPython's tokenizer stops at 200)
_GROUP_OPS = 1000  # operator characters inside one bracketed expression
_BRACKETS = b"()[]{}"
_OPS = b"+-*/%|&^@~"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_NOT_OPS = bytes(b for b in range(256) if b not in _OPS)
_NOT_GROUP = bytes(b for b in range(256) if b not in _BRACKETS + _OPS)
_DELTA = [0] * 256
for _c in b"([{":
    _DELTA[_c] = 1
for _c in b")]}":
    _DELTA[_c] = -1

_BIG_STACK = 512 * 1024 * 1024
_DEEP_RECURSION = 200_000


def suspicious(source: bytes) -> bool:
    """True when the file may be nested deeply enough to deserve CPython's opinion first."""
    text = source.replace(b"\\\r\n", b"").replace(b"\\\n", b"") if b"\\" in source else source
    if len(text) >= _LONG_LINE and max(map(len, text.splitlines())) >= _LONG_LINE:
        return True
    brackets = source.translate(None, _NOT_BRACKETS)
    if len(brackets) >= _DEEP and max(accumulate(map(_DELTA.__getitem__, brackets))) >= _DEEP:
        return True
    if len(source.translate(None, _NOT_OPS)) >= _GROUP_OPS:
        return _ops_in_one_group(source.translate(None, _NOT_GROUP)) >= _GROUP_OPS
    return False


def _ops_in_one_group(kept: bytes) -> int:
    """The most operator characters inside one top-level bracketed region."""
    depth = ops = best = 0
    for c in kept:
        if c in b"([{":
            depth += 1
        elif c in b")]}":
            depth -= 1
            if depth <= 0:
                depth = ops = 0
        elif depth:
            ops += 1
            if ops > best:
                best = ops
    return best


def _compile_verdict(source: bytes) -> Optional[str]:
    """Why CPython refuses this file for its nesting, or None (a plain SyntaxError is LibCST's to judge:
    the running interpreter may be older than the code)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<importguard>", "exec", dont_inherit=True)
    except (RecursionError, MemoryError) as exc:
        return f"too deeply nested for CPython: {type(exc).__name__}: {exc}"
    except SyntaxError as exc:
        msg = str(exc.msg)
        if "too many" in msg or "too complex" in msg or "nested" in msg:
            return f"CPython rejects it: {msg} (line {exc.lineno})"
    except Exception:
        return None
    return None


def _precheck(source: bytes) -> Optional[str]:
    if not suspicious(source):
        return None
    # CPython 3.9/3.10 have no depth limit in their parser: give compile() a large C stack
    return on_big_stack(_compile_verdict, source, raise_limit=False)


def on_big_stack(fn: Callable, arg, raise_limit: bool = True):
    """Run ``fn(arg)`` in a thread with a large stack (and recursion limit); exceptions propagate.

    Where no such thread can be had (a platform that refuses the size, an address-space limit),
    a smaller one is tried, and last the caller's own thread with its own recursion limit.
    """
    result: list = []
    error: list = []

    def work(limit: int) -> None:
        old = sys.getrecursionlimit()
        if limit:
            sys.setrecursionlimit(max(old, limit))
        try:
            result.append(fn(arg))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)
        finally:
            sys.setrecursionlimit(old)

    old_size = threading.stack_size()
    for size, limit in ((_BIG_STACK, _DEEP_RECURSION), (64 * 1024 * 1024, 20_000)):
        try:
            threading.stack_size(size)
            t = threading.Thread(target=work, args=(limit if raise_limit else 0,), name="importguard-deep")
            t.start()
        except (ValueError, RuntimeError, MemoryError):
            continue
        finally:
            threading.stack_size(old_size)
        t.join()
        break
    else:
        work(0)
    if error:
        raise error[0]
    return result[0]


class _Parsed:
    """The parse, kept across a retry so that a deep file is parsed only once."""

    __slots__ = ("source", "module")

    def __init__(self, source: bytes):
        self.source = source
        self.module: Optional[cst.Module] = None


def parse_unvalidated(source: bytes):
    """``libcst.parse_module`` without re-validating every node the parser builds.

    LibCST validates each node in ``CSTNode.__post_init__``; for trees its own parser builds,
    that only costs time (a seventh of the parse on Django; the trees are ``deep_equals`` and
    round-trip to the same bytes). Validation is switched off for this call only, in this
    thread; fixers, which build nodes of their own, always run with it.
    """
    import libcst as cst
    from libcst._nodes import base

    cls = base.CSTNode
    original = cls.__dict__.get("__post_init__")
    if original is None or threading.current_thread() is not threading.main_thread():
        return cst.parse_module(source)
    cls.__post_init__ = _no_validation  # type: ignore[method-assign]  # for this parse only
    try:
        return cst.parse_module(source)
    finally:
        cls.__post_init__ = original  # type: ignore[method-assign]


def _no_validation(self) -> None:
    return None


def _extract(state: _Parsed) -> ModuleFacts:
    import libcst as cst

    from importguard.extract.extractor import Extractor

    if state.module is None:
        try:
            state.module = parse_unvalidated(state.source)
        except cst.ParserSyntaxError as exc:
            return failed_facts(_syntax_error(state.source, exc))
    return Extractor.from_libcst(state.module).run()


def _syntax_error(source: bytes, exc) -> str:
    """CPython's message where it rejects the file too: it names the real place and cause ("'(' was
    never closed", line 1), where LibCST lists the tokens it expected at a later line."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<importguard>", "exec", 0x400, dont_inherit=True)  # PyCF_ONLY_AST
    except SyntaxError as err:
        return f"syntax error: {err.msg} (line {err.lineno}, column {err.offset})"
    except Exception:  # noqa: BLE001 - CPython's opinion is only a better message
        pass
    return f"LibCST cannot parse it: {str(exc.message).strip()} (line {exc.raw_line}, column {exc.raw_column + 1})"


# ``IMPORTGUARD_PARSER=libcst``: every file through LibCST's parser (the tree ``fromast`` builds
# is checked against it in the tests; this is the way to compare on a user's own code)
LIBCST_ONLY = os.environ.get("IMPORTGUARD_PARSER", "").lower() == "libcst"


def _from_ast(source: bytes) -> Optional[ModuleFacts]:
    """The facts from the tree ``fromast`` builds, or None where it leaves the file to LibCST."""
    from importguard.extract import fromast

    if LIBCST_ONLY or not fromast.AVAILABLE:
        return None
    from importguard.extract.extractor import Extractor

    try:
        built = fromast.build(source)
        return Extractor(built[0], built[1:]).run()
    except (fromast.Unsupported, RecursionError):
        return None
    except Exception:
        if fromast.STRICT:
            raise
        return None


def extract(source: bytes) -> ModuleFacts:
    """Facts of one file's bytes. Never raises: a file it cannot analyse gets ``error`` set."""
    if b"\x00" in source:
        return failed_facts("source contains NUL bytes")
    reason = _precheck(source)
    if reason:
        return failed_facts(reason)
    try:
        got = _from_ast(source)
    except MemoryError:
        got = None
    if got is not None:
        return got
    state = _Parsed(source)
    try:
        try:
            return _extract(state)
        except RecursionError:
            # deep but valid code (sympy's resolvent_lookup.py): walk it again with room to recurse
            try:
                return on_big_stack(_extract, state)
            except RecursionError:
                return failed_facts("too deeply nested to analyse")
    except UnicodeDecodeError as exc:
        return failed_facts(f"not valid in its declared encoding: {exc.reason} at byte {exc.start}")
    except (LookupError, SyntaxError) as exc:
        return failed_facts(f"cannot decode: {exc}")
    except MemoryError:
        return failed_facts("out of memory while parsing")
    except Exception as exc:  # LibCST's native parser raises plain exceptions on odd input
        return failed_facts(f"cannot parse: {type(exc).__name__}: {exc}")
