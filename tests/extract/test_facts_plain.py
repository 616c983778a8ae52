"""The facts cache's plain form: decoding gives back the very records extraction made."""
from pathlib import Path
from typing import Any

import pytest

from importguard.cache.facts import FactsCache, Store, from_plain, to_plain
from importguard.extract import extract
from importguard.model import LazyEvents

SRC = Path(__file__).resolve().parents[2] / "src" / "importguard"


def same_records(a, b, where="") -> None:
    """Equal values with equal types all the way down (a tuple compares equal to a record); the
    events decoded lazily count as the tuple they stand for."""
    if isinstance(a, LazyEvents):
        a = a.value()
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


def test_events_are_decoded_only_when_read_and_keep_their_plain_form():
    source = b"import os\nif os.name == 'nt':\n    import ntpath\nclass C:\n    x = os.sep\n"
    facts = extract(source)
    plain = to_plain(facts)
    back = from_plain(plain)
    lazy: Any = back.events
    assert type(lazy) is LazyEvents and lazy._value is None
    assert len(lazy) == len(facts.events) and lazy._value is None  # the length needs no decoding
    assert to_plain(back) == plain and lazy._value is None  # nor does writing it back
    assert back == facts and facts == back and lazy._value is not None  # comparing decodes
    same_records(lazy, facts.events)
    assert hash(lazy) == hash(facts.events) and repr(lazy) == repr(facts.events)
    assert list(lazy) == list(facts.events) and lazy[1] == facts.events[1]
    assert to_plain(back) == plain  # and, decoded, it gives the same plain form again


def test_lazy_events_pickle_as_the_tuple_they_stand_for():
    import pickle

    facts = extract(b"import os\nos.getcwd()\n")
    back = pickle.loads(pickle.dumps(from_plain(to_plain(facts))))
    assert type(back.events) is tuple
    same_records(back, facts)


def test_cached_facts_read_lazily_are_the_facts_put(tmp_path):
    from importguard.analysis.graph import LazyInfo, ModuleInfo
    from importguard.cache.facts import FactsRef

    facts = extract(b"import os\nfrom typing import List\nx: List[str] = [os.sep]\n")
    cache = FactsCache(tmp_path, "k")
    cache.put("ab" * 16, facts)
    cache.save()
    again = FactsCache(tmp_path, "k")
    ref = again.lazy("ab" * 16)
    assert isinstance(ref, FactsRef) and again.lazy("cd" * 16) is None
    info = LazyInfo("m", "m.py", False, ref)  # type: ignore[arg-type]  # what modules_from does
    before = FactsRef.decoded
    assert info.path == "m.py" and FactsRef.decoded == before  # nothing decoded yet
    same_records(info.facts, facts)
    assert FactsRef.decoded == before + 1 and info.facts is info.facts  # decoded once
    assert info == ModuleInfo("m", "m.py", False, facts)
    assert info._replace(name="n").facts is info.facts  # a renamed copy shares them


def test_an_unreadable_cached_blob_becomes_a_clear_error_not_a_crash(tmp_path):
    cache = FactsCache(tmp_path, "k")
    cache.put("ab" * 16, extract(b"import os\n"))
    cache._shard("ab" * 16).data["ab" * 16] = b"\x00garbage"
    ref = cache.lazy("ab" * 16)
    assert ref is not None
    assert "cannot be read" in (ref.value().error or "")
    assert cache.get("ab" * 16) is None  # the eager reader says it is not cached
