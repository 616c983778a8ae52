"""A repository-wide tally of the items of every module's part, kept between runs and updated
from the parts that changed: after any sequence of changes it counts what a count from every
part counts."""
import hashlib
import random
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

from importguard.analysis.contributions import Contributions, Tally
from importguard.analysis.graph import ModuleInfo
from importguard.cache.facts import Store
from importguard.cache.parts import Parts

Items = List[Tuple[str, str]]


def _run(root: Path, parts: Dict[str, Items]) -> Tuple[Dict[tuple, int], bool]:
    """One run: a results store and parts folder as the pipeline opens them, a tally over
    ``parts`` (module -> its items), saved as the pipeline saves."""
    store = Store(root / "results.marshal")
    store.parts = Parts(root / "parts")  # type: ignore[attr-defined]
    modules = {name: ModuleInfo(name, name.replace(".", "/") + ".py", False, None) for name in parts}  # type: ignore[arg-type]
    digests = {m.path: hashlib.sha1(repr(parts[n]).encode()).hexdigest() for n, m in modules.items()}
    contributions = Contributions(store, digests, modules, "items:")
    made: List[str] = []

    def make(name: str) -> list:
        made.append(name)
        return list(parts[name])

    tally = Tally(contributions, sorted(modules), make, lambda part: [tuple(i) for i in part])
    counts = dict(tally.counts())
    store.save()
    store.parts.save()  # type: ignore[attr-defined]
    return counts, tally.rebuilt


def _count(parts: Dict[str, Items]) -> Dict[tuple, int]:
    return dict(Counter(tuple(i) for items in parts.values() for i in items))


def test_the_tally_after_random_changes_counts_what_every_part_counts(tmp_path: Path) -> None:
    rng = random.Random(7)
    words = [f"w{i}" for i in range(12)]
    parts = {f"pkg.m{i}": [("n", rng.choice(words)) for _ in range(rng.randrange(4))] for i in range(30)}
    counts, rebuilt = _run(tmp_path, parts)
    assert rebuilt and counts == _count(parts)
    for _ in range(25):
        for name in rng.sample(sorted(parts), rng.randrange(1, 4)):
            items = list(parts[name])
            if items and rng.random() < 0.5:
                items.pop(rng.randrange(len(items)))  # the last holder of an item may go
            else:
                items.append(("n", rng.choice(words)))  # the same item twice in one part counts twice
            parts[name] = items
        counts, rebuilt = _run(tmp_path, parts)
        assert counts == _count(parts)
        assert not rebuilt  # updated from the changed parts
        assert 0 not in counts.values()


def test_an_edit_undone_and_a_new_module_set(tmp_path: Path) -> None:
    parts = {"a": [("n", "x")], "b": [("n", "x"), ("n", "y")], "c": []}
    assert _run(tmp_path, parts)[0] == {("n", "x"): 2, ("n", "y"): 1}
    parts["b"] = [("n", "z")]
    assert _run(tmp_path, parts) == ({("n", "x"): 1, ("n", "z"): 1}, False)
    parts["b"] = [("n", "x"), ("n", "y")]  # undone: the part before is still kept
    assert _run(tmp_path, parts) == ({("n", "x"): 2, ("n", "y"): 1}, False)
    parts["d"] = [("n", "y")]  # another module set: counted again from every part
    assert _run(tmp_path, parts) == ({("n", "x"): 2, ("n", "y"): 2}, True)


def test_a_part_no_longer_kept_means_counting_again(tmp_path: Path) -> None:
    parts = {"a": [("n", "x")], "b": [("n", "y")]}
    _run(tmp_path, parts)
    for shard in (tmp_path / "parts" / "items").glob("*.marshal"):
        shard.unlink()  # the parts are gone (a cleaned cache, a concurrent run's write)
    parts["a"] = [("n", "z")]
    assert _run(tmp_path, parts) == ({("n", "y"): 1, ("n", "z"): 1}, True)


def test_a_tally_that_does_not_add_up_is_counted_again(tmp_path: Path) -> None:
    parts = {"a": [("n", "x")], "b": [("n", "y")]}
    _run(tmp_path, parts)
    kept = Store(tmp_path / "parts" / "tally-items.marshal")
    kept.data["counts"] = {}  # not the tally of its parts: taking a's part away goes below zero
    kept.dirty = True
    kept.save()
    parts["a"] = [("n", "z")]
    assert _run(tmp_path, parts) == ({("n", "y"): 1, ("n", "z"): 1}, True)


def _whole(root: Path, parts: Dict[str, Items], edits: Dict[str, int], order: List[str]) -> Tuple[dict, int]:
    """One run of a kept whole index over ``parts`` (first module in ``order`` naming an item
    wins, as ``SafetyIndex.string_names`` builds it); ``edits``: module -> how many times its facts
    changed (its digest changes, its part may not). The index, and how many times it was built."""
    from importguard.analysis.contributions import Whole

    store = Store(root / "results.marshal")
    store.parts = Parts(root / "parts")  # type: ignore[attr-defined]
    modules = {name: ModuleInfo(name, name.replace(".", "/") + ".py", False, None) for name in order}  # type: ignore[arg-type]
    digests = {m.path: hashlib.sha1(repr((parts[n], edits.get(n, 0))).encode()).hexdigest()
               for n, m in modules.items()}
    c = Contributions(store, digests, modules, "items:")
    built: List[int] = []

    def build() -> dict:
        built.append(1)
        out: dict = {}
        for name in order:
            got = c.get(name)
            if got is None:
                got = c.put(name, list(parts[name]))
            for item in got:
                out.setdefault(tuple(item), name)
        c.done()
        return out

    value = Whole(c, list(order), lambda name: list(parts[name]), build).value()
    store.save()
    store.parts.save()  # type: ignore[attr-defined]
    return dict(value), len(built)


def _first(parts: Dict[str, Items], order: List[str]) -> dict:
    out: dict = {}
    for name in order:
        for item in parts[name]:
            out.setdefault(tuple(item), name)
    return out


def test_a_whole_index_is_kept_while_the_changed_parts_stay_equal(tmp_path: Path) -> None:
    rng = random.Random(11)
    words = [f"w{i}" for i in range(8)]
    parts = {f"pkg.m{i}": [("n", rng.choice(words)) for _ in range(rng.randrange(3))] for i in range(20)}
    order = sorted(parts)
    edits: Dict[str, int] = {}
    value, built = _whole(tmp_path, parts, edits, order)
    assert built == 1 and value == _first(parts, order)
    kept = 0
    for step in range(30):
        name = rng.choice(order)
        edits[name] = edits.get(name, 0) + 1  # new facts
        if step % 3 == 0:  # and a new part
            parts[name] = parts[name] + [("n", rng.choice(words))]
        if step % 10 == 9:  # the same modules, in another order: the first to name an item may change
            order = order[1:] + order[:1]
        value, built = _whole(tmp_path, parts, edits, order)
        assert value == _first(parts, order)
        assert built == (1 if step % 3 == 0 or step % 10 == 9 else 0), step
        kept += not built
    assert kept == 18
