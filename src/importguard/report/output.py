"""Writing a finished report: to a file, or to stdout whatever its encoding."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional


def emit(text: str, output_file: Optional[str] = None) -> None:
    """Write a report to ``output_file``, or to stdout. File names that are not valid UTF-8 reach
    here as surrogates: their original bytes are written back as they were."""
    if output_file:
        Path(output_file).write_bytes(text.encode("utf-8", "surrogateescape"))
        return
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        data = text.encode(sys.stdout.encoding or "utf-8", _register_bytes_or_escape())
        sys.stdout.flush()
        sys.stdout.buffer.write(data)


def _register_bytes_or_escape() -> str:
    """An encoding error handler: a file name's raw bytes back as they were, anything else escaped."""
    import codecs

    def handler(exc: UnicodeError):
        if not isinstance(exc, UnicodeEncodeError):
            raise exc
        bad = exc.object[exc.start:exc.end]
        if all("\udc80" <= c <= "\udcff" for c in bad):
            return bytes(ord(c) - 0xDC00 for c in bad), exc.end
        return codecs.backslashreplace_errors(exc)

    codecs.register_error("importguard-bytes", handler)
    return "importguard-bytes"
