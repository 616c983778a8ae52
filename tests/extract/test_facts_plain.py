"""The facts cache's plain form: decoding gives back the very records extraction made."""
from pathlib import Path

import pytest

from importguard.cache.facts import FactsCache, Store, from_plain, to_plain
from importguard.extract import extract

SRC = Path(__file__).resolve().parents[2] / "src" / "importguard"


def same_records(a, b, where="") -> None:
    """Equal values with equal types all the way down (a tuple compares equal to a record)."""
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            same_records(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_round_trip_keeps_every_record_type_on_real_code():
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 50
    for path in files:
        facts = extract(path.read_bytes())
        same_records(from_plain(to_plain(facts)), facts, str(path))


def test_facts_of_another_shape_are_refused(tmp_path):
    plain = to_plain(extract(b"import os\nos.getcwd()\n"))
    with pytest.raises(ValueError):
        from_plain(plain[:-1])
    cache = FactsCache(tmp_path, "k")
    cache.put("ab" * 16, extract(b"import os\n"))
    cache._shard("ab" * 16).data["ab" * 16] = plain[:-1]  # written by another schema
    assert cache.get("ab" * 16) is None  # so the file is extracted again


def test_store_reads_back_what_it_saved_and_ignores_a_torn_file(tmp_path):
    store = Store(tmp_path / "s.marshal")
    store.data["k"] = ("v", [1, 2], {"x": b"y"})
    store.dirty = True
    store.save()
    assert Store(tmp_path / "s.marshal").data == {"k": ("v", [1, 2], {"x": b"y"})}
    raw = (tmp_path / "s.marshal").read_bytes()
    (tmp_path / "s.marshal").write_bytes(raw[: len(raw) // 2])
    assert Store(tmp_path / "s.marshal").data == {}
