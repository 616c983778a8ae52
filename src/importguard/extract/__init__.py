"""Extraction: the one place that parses with LibCST on the check path (bytes -> ModuleFacts)."""
from __future__ import annotations

import sys
import threading

from ..model import ModuleFacts, failed_facts

# Lines longer than this make CPython's own parser check the file first: it rejects absurd nesting
# at once, where LibCST's parser can spend many seconds before giving up.
_LONG_LINE = 2000


def _precheck(source: bytes) -> str | None:
    if len(source) < _LONG_LINE or max(map(len, source.splitlines() or [b""])) < _LONG_LINE:
        return None
    try:
        compile(source, "<importguard>", "exec", 0x400, dont_inherit=True)  # PyCF_ONLY_AST
    except RecursionError:
        return "too deeply nested for CPython's parser"
    except MemoryError:
        return "too deeply nested for CPython's parser"
    except SyntaxError as exc:
        msg = str(exc.msg)
        if "too many" in msg or "too complex" in msg or "nested" in msg:
            return f"CPython rejects it: {msg} (line {exc.lineno})"
    except Exception:
        return None
    return None


def _extract(source: bytes) -> ModuleFacts:
    import libcst as cst

    from .extractor import Extractor

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return failed_facts(f"syntax error: {str(exc.message).strip()} (line {exc.raw_line}, column {exc.raw_column + 1})")
    return Extractor(module).run()


def extract(source: bytes) -> ModuleFacts:
    """Facts of one file's bytes. Never raises: a file it cannot analyse gets ``error`` set."""
    if b"\x00" in source:
        return failed_facts("source contains NUL bytes")
    reason = _precheck(source)
    if reason:
        return failed_facts(reason)
    try:
        return _extract(source)
    except RecursionError:
        return _extract_deep(source)
    except UnicodeDecodeError as exc:
        return failed_facts(f"not valid in its declared encoding: {exc.reason} at byte {exc.start}")
    except (LookupError, SyntaxError) as exc:
        return failed_facts(f"cannot decode: {exc}")
    except Exception as exc:  # LibCST's native parser raises plain exceptions on odd input
        return failed_facts(f"cannot parse: {type(exc).__name__}: {exc}")


def _extract_deep(source: bytes) -> ModuleFacts:
    """Retry a deeply nested file in a thread with a large stack and recursion limit."""
    result: list = []

    def work() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(200_000)
        try:
            result.append(_extract(source))
        except RecursionError:
            result.append(failed_facts("too deeply nested to analyse"))
        except Exception as exc:
            result.append(failed_facts(f"cannot parse: {type(exc).__name__}: {exc}"))
        finally:
            sys.setrecursionlimit(old)

    old_size = threading.stack_size()
    threading.stack_size(512 * 1024 * 1024)
    try:
        t = threading.Thread(target=work, name="importguard-deep")
        t.start()
        t.join()
    finally:
        threading.stack_size(old_size)
    return result[0] if result else failed_facts("too deeply nested to analyse")
