"""Module names of files under roots: the per-folder shortcut discovery uses agrees with the
plain rule on many generated paths, including roots nested in roots, folders that are no
identifiers, ``__init__`` files and files outside every root."""
import os
import random
from pathlib import Path

import pytest

from importguard.discovery.roots import NearestRoot, module_name

PARTS = ["pkg", "sub", "src", "a.b", "with-dash", "__init__", "x1", "1x", "_p", "mod", "été"]
NAMES = ["mod.py", "__init__.py", "__init__.pyi", "m.pyi", "a.b.py", "1st.py", "x-y.py", "__main__.py",
         "été.py", "noext"]


def _tree(rng: random.Random):
    base = os.sep + os.path.join("work", "proj")
    roots = [Path(base)]
    for _ in range(rng.randint(0, 3)):
        depth = rng.randint(1, 3)
        roots.append(Path(os.path.join(base, *rng.choices(PARTS, k=depth))))
    files = []
    for _ in range(300):
        where = rng.choice([base, os.sep + "elsewhere", str(rng.choice(roots))])
        parts = rng.choices(PARTS, k=rng.randint(0, 3))
        files.append(os.path.join(where, *parts, rng.choice(NAMES)))
    return roots, files


@pytest.mark.parametrize("seed", range(12))
def test_per_folder_names_equal_the_plain_rule(seed):
    roots, files = _tree(random.Random(seed))
    nearest = NearestRoot(roots)
    for text in files:
        assert nearest.module(text) == module_name(text, roots), (text, roots)


def test_examples():
    base = os.sep + os.path.join("w", "p")
    nearest = NearestRoot([Path(base), Path(os.path.join(base, "src"))])
    assert nearest.module(os.path.join(base, "src", "pkg", "__init__.py")) == "pkg"
    assert nearest.module(os.path.join(base, "src", "pkg", "m.py")) == "pkg.m"
    assert nearest.module(os.path.join(base, "top.py")) == "top"
    assert nearest.module(os.path.join(base, "__init__.py")) == ""
    assert nearest.module(os.path.join(base, "a-b", "m.py")) == ""
    assert nearest.module(os.path.join(base, "pkg", "a.b.py")) == ""
    assert nearest.module(os.sep + os.path.join("other", "m.py")) == ""


def test_source_file_is_a_value():
    import pickle

    from importguard.discovery.files import SourceFile

    name = os.sep + os.path.join("w", "p", "m.py")
    a = SourceFile(name, "m.py", "m", False, False)
    b = SourceFile(Path(name), "m.py", "m", False, False)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != SourceFile(name, "m.py", "m", True, True)
    assert a.path == Path(name) and a.path is a.path  # made once, when asked for
    c = pickle.loads(pickle.dumps(a))
    assert c == a and c.path == a.path and c.name == name
    assert "m.py" in repr(a)
