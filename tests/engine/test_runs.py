"""The findings of whole runs kept beside the stat index, one file each: the last ``LIMIT``, the
others' files removed, and what earlier versions kept in the index itself dropped."""
from __future__ import annotations

from typing import TYPE_CHECKING

from importguard.cache import runs
from importguard.cache.facts import Store

if TYPE_CHECKING:
    from pathlib import Path


def test_the_last_runs_are_kept_in_files_of_their_own(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(runs, "LIMIT", 3)
    index = Store(tmp_path / "index.marshal")
    index.data["run:old"] = ([], [], 1, 0)  # an earlier version's, in the index
    kept = runs.Runs(tmp_path / "runs", index)
    for i in range(5):
        kept.put(f"run:{i:032x}", ([("finding", i)], [], i, i))
    index.save()
    again = runs.Runs(tmp_path / "runs", Store(tmp_path / "index.marshal"))  # the next run
    assert [again.get(f"run:{i:032x}") for i in range(5)] == [None, None] + [([("finding", i)], [], i, i)
                                                                            for i in (2, 3, 4)]
    assert sorted(p.name for p in (tmp_path / "runs").glob("*.marshal")) == [f"{i:032x}.marshal" for i in (2, 3, 4)]
    assert "run:old" not in Store(tmp_path / "index.marshal").data
    (tmp_path / "runs" / f"{4:032x}.marshal").unlink()  # removed under a run (a cleaned cache)
    assert again.get(f"run:{4:032x}") is None
