"""Results of the cycle computations kept in the results store between runs, each under a digest
of exactly what the computation reads: after an edit of one import, the components it leaves
alone find their results again."""
from __future__ import annotations

from typing import Any, Callable, List, Tuple


class Memo:
    """``get(inputs, compute, *args)`` is ``tuple(compute(*args))``, kept in ``store`` under
    ``prefix`` and a digest of ``repr(inputs)``: ``inputs`` must hold everything ``compute``
    reads, and the result be what the store can keep (strings, numbers, tuples of them). The
    entries that neither this run nor the one before used are dropped (``done``). Without a store,
    ``get`` computes and digests nothing."""

    def __init__(self, store, prefix: str) -> None:
        self.store = store
        self.prefix = prefix
        self.used: List[str] = []
        self.hits = 0

    def get(self, inputs: object, compute: Callable[..., Any], *args: Any) -> Tuple[Any, ...]:
        if self.store is None:
            return tuple(compute(*args))
        import hashlib

        key = self.prefix + hashlib.blake2b(repr(inputs).encode(), digest_size=16).hexdigest()
        self.used.append(key)
        got = self.store.data.get(key)
        if isinstance(got, tuple):
            self.hits += 1
            return got
        value = tuple(compute(*args))
        self.store.data[key] = value
        self.store.dirty = True
        return value

    def done(self) -> None:
        if self.store is not None:
            self.store.forget_old(self.prefix, self.used)
