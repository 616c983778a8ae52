"""The walk index: a warm run reuses the last walk's files only while nothing the walk read changed.

A file system's clock is coarse (a change within the same tick keeps a folder's modification
time), which the index guards against by trusting only walks of folders older than two seconds.
These tests give each change a modification time of its own (a fine clock) and lift the two
seconds, so that they can compare, after every change, the walk the index gives with a fresh walk.
"""
from __future__ import annotations

import os
import random
import time
from typing import TYPE_CHECKING, Dict, List, Tuple

import pytest

from helpers import write_tree
from importguard.config.settings import load_config
from importguard.discovery import walkcache
from importguard.discovery.files import discover

if TYPE_CHECKING:
    from pathlib import Path

    from importguard.config.settings import Config

TREE = {
    "pyproject.toml": '[project]\nname = "app"\n',
    "app/__init__.py": "",
    "app/a.py": "",
    "app/sub/__init__.py": "",
    "app/sub/b.py": "",
    "app/gen/x.py": "",
    "app/locale/fr/LC_MESSAGES/django.po": "",
    ".gitignore": "*.log\n",
    ".git/info/exclude": "\n",
}


class Clock:
    """Modification times a second apart, far in the past: each change is told from the last."""

    def __init__(self) -> None:
        self.t = time.time_ns() - 10_000 * 1_000_000_000

    def stamp(self, path: Path) -> None:
        self.t += 1_000_000_000
        os.utime(path, ns=(self.t, self.t))

    def age(self, root: Path) -> None:
        """Every file and folder of ``root`` changed long ago. The first run with a cache makes
        the cache folder, a change of the project's folder: make it first."""
        run(root, True)
        for d, _dirs, files in os.walk(root):
            for n in files:
                self.stamp(os.path.join(d, n))  # type: ignore[arg-type]
            self.stamp(d)  # type: ignore[arg-type]


def run(root: Path, cache: bool, config: Config | None = None, paths=(".",)) -> Tuple[List[tuple], int]:
    stats: Dict[str, int] = {}
    analysed, reported = discover(list(paths), config or load_config(root), cwd=root, stats=stats,
                                  use_cache=cache)
    rows: List[tuple] = [(f.name, f.display, f.module, f.is_init, f.is_package_init) for f in analysed]
    return rows + [("reported",) + tuple(f.display for f in reported)], stats["skipped"]


@pytest.fixture
def listings(monkeypatch):
    """How many folders the walks list (``os.scandir`` calls), with the two seconds lifted."""
    monkeypatch.setattr(walkcache, "RACY_NS", 0)
    count = [0]
    real = os.scandir

    def counting(path):
        if os.path.basename(path) != "repo":  # the project's folder is also listed to find its roots
            count[0] += 1
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    return count


def test_an_unchanged_tree_is_not_listed_again(tmp_path, listings):
    root = write_tree(tmp_path / "repo", TREE)
    Clock().age(root)
    before = listings[0]
    first = run(root, True)
    walked = listings[0] - before
    assert walked >= 5
    assert run(root, True) == first == run(root, False)
    assert listings[0] == before + 2 * walked  # the cached run listed nothing; the uncached one everything


@pytest.mark.parametrize("change", [
    "new file", "new folder", "removed file", "renamed file", "gitignore edited", "gitignore above",
    "new gitignore above", "info exclude", "environment", "file becomes folder",
])
def test_each_change_is_seen(tmp_path, listings, change):
    base = tmp_path / "repo"
    root = write_tree(base, TREE)
    if change in ("gitignore above", "new gitignore above"):
        root = base / "app/sub"  # a walk of a folder below the top: the ignore files above it apply
        (root / "pyproject.toml").write_text("")
    clock = Clock()
    clock.age(base)
    before = run(root, True)
    assert run(root, True) == before
    touched = []
    if change == "new file":
        write_tree(base, {"app/sub/c.py": ""})
        touched = [base / "app/sub/c.py", base / "app/sub"]
    elif change == "new folder":
        write_tree(base, {"app/locale/fr/LC_MESSAGES/tool.py": ""})
        touched = [base / "app/locale/fr/LC_MESSAGES/tool.py", base / "app/locale/fr/LC_MESSAGES"]
    elif change == "removed file":
        (base / "app/sub/b.py").unlink()
        touched = [base / "app/sub"]
    elif change == "renamed file":
        (base / "app/sub/b.py").rename(base / "app/sub/b2.py")
        touched = [base / "app/sub"]
    elif change == "gitignore edited":  # in place: the folder's modification time does not change
        (base / ".gitignore").write_text("*.log\ngen/\n")
        touched = [base / ".gitignore"]
    elif change == "gitignore above":
        (base / ".gitignore").write_text("b.py\n")
        touched = [base / ".gitignore"]
    elif change == "new gitignore above":  # where there was none: its folder was not listed
        (base / "app/.gitignore").write_text("b.py\n")
        touched = [base / "app/.gitignore", base / "app"]
    elif change == "info exclude":
        (base / ".git/info/exclude").write_text("a.py\n")
        touched = [base / ".git/info/exclude"]
    elif change == "environment":
        write_tree(base, {"app/gen/pyvenv.cfg": "home = /usr\n"})
        touched = [base / "app/gen/pyvenv.cfg", base / "app/gen"]
    elif change == "file becomes folder":
        (base / "app/a.py").unlink()
        write_tree(base, {"app/a.py/__init__.py": ""})
        touched = [base / "app/a.py/__init__.py", base / "app/a.py", base / "app"]
    for p in touched:
        clock.stamp(p)
    after = run(root, True)
    assert after == run(root, False)
    assert after != before


def test_other_settings_do_not_share_a_walk(tmp_path, listings):
    root = write_tree(tmp_path / "repo", TREE)
    Clock().age(root)
    config = load_config(root)
    run(root, True, config)
    excluding = config.with_options(exclude=("app/gen",))
    assert run(root, True, excluding) == run(root, False, excluding) != run(root, True, config)


def test_a_fresh_tree_is_listed_again(tmp_path, monkeypatch):
    # with the two seconds in force, a tree changed just now is never taken from the index
    root = write_tree(tmp_path / "repo", TREE)
    run(root, True)  # makes the cache folder
    first = run(root, True)
    count = [0]
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: (count.__setitem__(0, count[0] + 1), real(p))[1])
    assert run(root, True) == first
    assert count[0] >= 6
    old = time.time_ns() - 3 * walkcache.RACY_NS  # the same tree, old enough: listed once more, then not
    for d, _, files in os.walk(root):
        for p in [d] + [os.path.join(d, n) for n in files]:
            os.utime(p, ns=(old, old))
    monkeypatch.setattr(walkcache, "RACY_NS", 0)  # its change times are still fresh
    run(root, True)
    count[0] = 0
    assert run(root, True) == first
    assert count[0] == 0


@pytest.mark.parametrize("seed", range(6))
def test_random_changes_walk_as_a_fresh_walk(tmp_path, listings, seed):
    rnd = random.Random(seed)
    base = write_tree(tmp_path / "repo", TREE)
    clock = Clock()
    clock.age(base)
    folders = ["app", "app/sub", "app/gen", "app/locale/fr/LC_MESSAGES", "app/sub/deep", "build", "venv"]
    hits = 0
    for step in range(25):
        d = base / rnd.choice(folders)
        op = rnd.choice(["add", "add", "remove", "ignore", "unignore", "exclude", "env", "build", "nothing"])
        touched = []
        if op == "add":
            d.mkdir(parents=True, exist_ok=True)
            p = d / rnd.choice(["m.py", "n.py", "gen.py", "s.pyi", "__init__.py"])
            p.write_text("")
            touched = [p, d, d.parent]
        elif op == "remove":
            files = [p for p in d.glob("*.py*")] if d.is_dir() else []
            if files:
                victim = rnd.choice(files)
                victim.unlink()
                touched = [d]
        elif op in ("ignore", "unignore") and d.is_dir():
            p = d / ".gitignore"
            new = not p.exists()
            p.write_text(rnd.choice(["gen.py\n", "deep/\n", "*.pyi\n", "!gen.py\n"]) if op == "ignore" else "")
            touched = [p, d] if new else [p]
        elif op == "exclude":
            p = base / ".git/info/exclude"
            p.write_text(rnd.choice(["m.py\n", "\n", "sub/\n"]))
            touched = [p]
        elif op == "env" and d.is_dir() and d != base / "app":
            p = d / "pyvenv.cfg"
            if p.exists():
                p.unlink()
            else:
                p.write_text("")
            touched = [d]
        elif op == "build":
            (base / "build").mkdir(exist_ok=True)
            (base / "build/setup_helper.py").write_text("")
            touched = [base / "build/setup_helper.py", base / "build", base]
        for p in touched:
            if p.exists():
                clock.stamp(p)
        before = listings[0]
        cached = run(base, True)
        hits += listings[0] == before
        assert cached == run(base, False), (seed, step, op)
    assert hits > 0  # some runs were answered by the index


def test_real_runs_keep_the_walk_and_see_a_new_file(tmp_path):
    # real clock, real processes: the first run makes the cache folder; once the tree is two
    # seconds old a run keeps its walk and the next takes it; a new file is still found
    import json
    import marshal

    from helpers import run_cli

    root = write_tree(tmp_path / "repo", {"pyproject.toml": "", "app/__init__.py": "", "app/a.py": "import os\n"})
    stats = tmp_path / "stats.jsonl"

    def check() -> tuple:
        # the walk index is what this measures: not the fast lane, which answers before any walk
        out = run_cli(["check", "."], root, env={"IMPORTGUARD_STATS_FILE": str(stats), "IMPORTGUARD_FAST": "0"}).stdout
        last = json.loads(stats.read_text().splitlines()[-1])
        return out, last.get("walks_from_index", 0)

    assert "IG100" in check()[0]
    time.sleep(2.2)
    assert check()[1] == 0  # this one keeps its walk
    assert check()[1] == 1  # and this one takes it
    [index] = (root / ".importguard_cache").glob("walks-*.marshal")
    kept = marshal.loads(index.read_bytes())
    assert [os.path.basename(k) for k in kept] == ["repo"]
    assert sorted(f.replace(os.sep, "/") for f in kept[next(iter(kept))][3]) == ["/app/__init__.py", "/app/a.py"]
    (root / "app" / "b.py").write_text("import sys\n")
    out, hits = check()
    assert hits == 0 and "app/b.py:1:8: IG100" in out and "app/a.py:1:8: IG100" in out


def test_files_named_alone_walk_the_project_through_the_index(tmp_path, listings):
    # pre-commit names files; the whole project is walked for the graph, through the index too
    root = write_tree(tmp_path / "repo", TREE)
    Clock().age(root)
    named = ["app/a.py", "app/sub/b.py"]
    first = run(root, True, paths=named)
    before = listings[0]
    assert run(root, True, paths=named) == first == run(root, False, paths=named)
    assert listings[0] - before == first_listings(root)  # the cached run listed nothing
    assert first[0][-1] == ("reported", "app/a.py", "app/sub/b.py")


def first_listings(root: Path) -> int:
    """How many folders below the project's a fresh walk lists (what the uncached run above did)."""
    return sum(1 for d, _, _ in os.walk(root) if ".git" not in d and ".importguard_cache" not in d) - 1
