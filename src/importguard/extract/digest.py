"""A file's *semantic digest*: equal for two contents whose facts are equal, cheap to compute.

Before a changed file is parsed with LibCST, the engine computes this digest with the standard
library's tokenizer; when it equals the digest of a content whose facts the cache holds, those
facts are reused and LibCST is neither imported nor run. So the digest must change whenever
anything the extractor reads changes:

- every token except comments and blank-line markers, with its exact start and end (the facts
  record lines and columns of names, imports and statements); ``NEWLINE`` keeps its line only (a
  comment or spaces at the end of a line move it), ``DEDENT`` and ``ENDMARKER`` no position (they
  sit at the next token, or at the end of the file);
- every line that holds no token (blank, comment-only, a lone ``\\``): its line number, its
  indentation and whether it is a comment. LibCST gives an indented comment or an indented
  whitespace-only line after a block to that block, whose last line the facts record; a comment at
  column 0 ends the block. Only the run of unindented blank and comment lines at the very end of
  the file is left out: it belongs to no block (a comment appended to a file keeps the digest);
- the text and position of every comment the extractor may read: ``noqa`` in every form, the
  file-level ``flake8: noqa`` / ``ruff: noqa``, PEP 484 ``type:`` comments, and, to be safe, any
  comment naming importguard or a coding. A comment that names none of these (``_READ`` below) is
  read by no part of the extractor (``extract/noqa.py``, ``extract/type_syntax.py``).

Whatever the digest cannot vouch for gives ``None`` (the file is parsed): a content the tokenizer
rejects or reports an error token in, NUL bytes, a carriage return that does not end a line.
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import List, Optional, Set, Tuple

from importguard.cache.facts import blake2b

VERSION = 1  # part of the cache key of the digests: change it when the digest changes meaning

# comments whose text the extractor may read (matched case-insensitively anywhere in the comment)
_READ = re.compile(r"noqa|type|importguard|flake8|ruff|coding", re.I)

_SKIP = frozenset({tokenize.COMMENT, tokenize.NL})
_NO_POSITION = frozenset({tokenize.DEDENT, tokenize.ENDMARKER})
_NOT_CODE = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                       tokenize.ENDMARKER, tokenize.ENCODING})


def semantic_digest(data: bytes) -> Optional[str]:
    """The digest of what the extractor reads in ``data``, or None when it cannot be vouched for."""
    if b"\x00" in data or (b"\r" in data and b"\r" in data.replace(b"\r\n", b"")):
        return None
    tokens: List[tuple] = []
    read: List[tuple] = []
    covered: Set[int] = set()
    add, cover = tokens.append, covered.add
    comment, newline, error = tokenize.COMMENT, tokenize.NEWLINE, tokenize.ERRORTOKEN
    try:
        for tok in tokenize.tokenize(io.BytesIO(data).readline):
            t = tok[0]
            if t in _SKIP:
                if t == comment and _READ.search(tok[1]):
                    read.append((tok[2], tok[1]))
            elif t in _NOT_CODE:
                if t in _NO_POSITION:
                    add((t,))
                elif t == newline:
                    add((t, tok[1], tok[2][0]))
                else:
                    add(tok[:4])
            elif t == error:
                return None
            else:
                add(tok[:4])
                first, last = tok[2][0], tok[3][0]
                if first == last:
                    cover(first)
                else:
                    covered.update(range(first, last + 1))
    except (SyntaxError, tokenize.TokenError, UnicodeDecodeError, LookupError, ValueError):
        return None
    lines = data.split(b"\n")
    end = len(lines)
    while end > 0 and end not in covered and (lines[end - 1][:1] in (b"", b"#", b"\r")):
        end -= 1  # the unindented blank and comment lines that end the file
    bare: List[Tuple[int, bytes, bytes]] = []
    for n in range(1, end + 1):
        if n in covered:
            continue
        line = lines[n - 1]
        rest = line.lstrip(b" \t\f")
        if rest.startswith(b"#"):
            bare.append((n, line[:len(line) - len(rest)], b"#"))
        else:
            bare.append((n, line, b""))
    raw = repr((VERSION, tokens, bare, read)).encode("utf-8", "surrogatepass")
    return blake2b(raw, digest_size=16).hexdigest()


def appended_comments(data: bytes, old_size: int, old_hash: str) -> bool:
    """Whether ``data`` is the content of ``old_hash`` (``old_size`` bytes, ending with a newline)
    followed by nothing but blank lines and comments at column 0 that the extractor does not read:
    the run of lines ``semantic_digest`` leaves out, so the facts are those of the old content. It
    needs no tokenizer: a comment appended to a file after a cold run costs a hash of its bytes."""
    from importguard.cache.facts import content_hash

    if not 0 < old_size < len(data) or data[old_size - 1:old_size] != b"\n":
        return False
    for line in data[old_size:].split(b"\n"):
        line = line[:-1] if line.endswith(b"\r") else line
        if not line:
            continue
        if not line.startswith(b"#") or b"\r" in line or b"\x00" in line:
            return False
        try:
            if _READ.search(line.decode("utf-8")):
                return False
        except UnicodeDecodeError:
            return False
    return content_hash(data[:old_size]) == old_hash
