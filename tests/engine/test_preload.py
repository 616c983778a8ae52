"""A store file read ahead (while a forked process parses) is what the run's ``Store`` of that path
takes, once; a write of that path, or the end of the run, drops what was read ahead."""
from __future__ import annotations

import marshal
from typing import TYPE_CHECKING

from importguard.cache import facts
from importguard.cache.facts import Store, forget_preloaded, preload

if TYPE_CHECKING:
    from pathlib import Path


def test_a_store_takes_what_was_read_ahead_once(tmp_path: Path) -> None:
    path = tmp_path / "s.marshal"
    path.write_bytes(marshal.dumps({"k": 1}))
    preload(path)
    path.write_bytes(marshal.dumps({"k": 2}))  # changed on disk after the read ahead
    assert Store(path).data == {"k": 1}  # as if read when it was read ahead
    assert Store(path).data == {"k": 2}  # taken once: the next store reads the file


def test_a_write_or_the_end_of_a_run_drops_it(tmp_path: Path) -> None:
    path = tmp_path / "s.marshal"
    path.write_bytes(marshal.dumps({"k": 1}))
    preload(path)
    mine = Store(tmp_path / "s.marshal", read=False)
    mine.data, mine.dirty = {"k": 3}, True
    mine.save()
    assert Store(path).data == {"k": 3}
    preload(path)
    preload(tmp_path / "missing.marshal")  # nothing to read: nothing kept
    forget_preloaded()
    assert facts._preloaded == {}
