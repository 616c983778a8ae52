"""Which files are checked and what their modules are called: .gitignore with git's semantics,
virtual environments, build outputs, and the roots of lib/ and setuptools layouts."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli, write_tree
from importguard.config.settings import Config, load_config
from importguard.discovery.files import discover
from importguard.discovery.roots import resolve_roots

GIT = shutil.which("git")


def found(root: Path, paths=(".",), config=None, stats=None):
    config = config or load_config(root)
    analysed, reported = discover(list(paths), config, cwd=root, stats=stats)
    return sorted(f.display for f in reported)


def modules(root: Path):
    config = load_config(root)
    analysed, _ = discover(["."], config, cwd=root)
    return {f.display: f.module for f in analysed}


def git_checked(root: Path):
    """The .py files git does not ignore (the oracle for the battery below)."""
    assert GIT is not None
    if not (root / ".git").exists() and not any((p / ".git").exists() for p in root.parents):
        subprocess.run([GIT, "init", "-q", str(root)], check=True, capture_output=True)
    out = subprocess.run([GIT, "ls-files", "--others", "--exclude-standard", "--cached"], cwd=str(root),
                         check=True, capture_output=True, text=True).stdout
    return sorted(p for p in out.splitlines() if p.endswith(".py"))


FILES = ["top.py", "a/top.py", "a/b/top.py", "a/x.py", "a/b/x.py", "a/b/c/x.py", "doc/x.py",
         "a/doc/x.py", "logs/y.py", "a/logs/y.py", "keep/k.py", "keep/drop.py", "n/m.py", "n/o.py"]


# (what the .gitignore says, the files git ignores among FILES)
BATTERY = [
    # `*` never crosses `/`: `a/*.py` is a/x.py and a/top.py, not a/b/x.py
    ("a/*.py\n", {"a/top.py", "a/x.py"}),
    # a pattern without `/` matches a name at any depth
    ("x.py\n", {"a/x.py", "a/b/x.py", "a/b/c/x.py", "doc/x.py", "a/doc/x.py"}),
    # a leading `/` anchors to the .gitignore's folder
    ("/top.py\n", {"top.py"}),
    # so does a `/` in the middle
    ("a/b\n", {"a/b/top.py", "a/b/x.py", "a/b/c/x.py"}),
    ("b/x.py\n", set()),
    # `**`
    ("**/doc\n", {"doc/x.py", "a/doc/x.py"}),
    ("a/**/x.py\n", {"a/x.py", "a/b/x.py", "a/b/c/x.py", "a/doc/x.py"}),
    ("a/**\n", {"a/top.py", "a/b/top.py", "a/x.py", "a/b/x.py", "a/b/c/x.py", "a/doc/x.py", "a/logs/y.py"}),
    # a trailing `/` matches folders only
    ("logs/\n", {"logs/y.py", "a/logs/y.py"}),
    ("top.py/\n", set()),
    # negation re-includes a file...
    ("keep/*\n!keep/k.py\n", {"keep/drop.py"}),
    # ... but not inside an ignored folder, and the last matching line wins
    ("keep/\n!keep/k.py\n", {"keep/k.py", "keep/drop.py"}),
    ("!n/m.py\nn/*\n", {"n/m.py", "n/o.py"}),
    # `a/**` ignores what `a` holds, not `a` itself: a file in `a` can be re-included...
    ("a/**\n!a/x.py\n", {"a/top.py", "a/b/top.py", "a/b/x.py", "a/b/c/x.py", "a/doc/x.py", "a/logs/y.py"}),
    # ... but not one in a folder `a/**` ignores
    ("a/**\n!a/b/x.py\n", {"a/top.py", "a/b/top.py", "a/x.py", "a/b/x.py", "a/b/c/x.py", "a/doc/x.py", "a/logs/y.py"}),
    # a whitelist: ignore everything, then re-include folders and Python files
    ("*\n!*/\n!*.py\nlogs/\n", {"logs/y.py", "a/logs/y.py"}),
    ("/*\n!/a/\n", {"top.py", "doc/x.py", "logs/y.py", "keep/k.py", "keep/drop.py", "n/m.py", "n/o.py"}),
    # comments, blank lines, escapes
    ("# top.py\n\n\\#x.py\n", set()),
    ("[ab]/x.py\n", {"a/x.py"}),
    ("?/x.py\n", {"a/x.py"}),
]


@pytest.mark.parametrize("gitignore,ignored", BATTERY)
def test_gitignore_means_what_git_means(tmp_path, gitignore, ignored):
    write_tree(tmp_path, {f: "" for f in FILES})
    (tmp_path / ".gitignore").write_text(gitignore)
    expected = sorted(set(FILES) - ignored)
    assert found(tmp_path) == expected
    if GIT:
        assert git_checked(tmp_path) == expected


def test_nested_gitignore_files(tmp_path):
    write_tree(tmp_path, {f: "" for f in FILES})
    (tmp_path / ".gitignore").write_text("x.py\n")
    (tmp_path / "a" / ".gitignore").write_text("!x.py\n/top.py\n")  # relative to a/
    (tmp_path / "a" / "b" / ".gitignore").write_text("c/\n")
    expected = sorted(set(FILES) - {"doc/x.py", "a/top.py", "a/b/c/x.py"})
    assert found(tmp_path) == expected
    if GIT:
        assert git_checked(tmp_path) == expected
    # a walk that starts below a .gitignore still obeys it
    assert found(tmp_path, ["a/b"]) == ["a/b/top.py", "a/b/x.py"]


def test_git_info_exclude_and_gitignore_above_the_project(tmp_path):
    write_tree(tmp_path, {"proj/pyproject.toml": "", "proj/pkg/__init__.py": "", "proj/pkg/gen.py": "",
                          "proj/pkg/local.py": "", "proj/pkg/ok.py": "", ".gitignore": "gen.py\n",
                          ".git/info/exclude": "local.py\n"})
    stats: dict[str, int] = {}
    assert found(tmp_path / "proj", stats=stats) == ["pkg/__init__.py", "pkg/ok.py"]
    assert stats["skipped"] == 2
    if GIT:
        shutil.rmtree(tmp_path / ".git")
        subprocess.run([GIT, "init", "-q", str(tmp_path)], check=True, capture_output=True)
        (tmp_path / ".git" / "info" / "exclude").write_text("local.py\n")
        assert git_checked(tmp_path / "proj") == ["pkg/__init__.py", "pkg/ok.py"]


def test_a_gitignore_above_the_project_needs_a_repository(tmp_path):
    # outside a git repository, the .gitignore files above the project root are not read
    write_tree(tmp_path, {"proj/pyproject.toml": "", "proj/pkg/__init__.py": "", "proj/pkg/gen.py": "",
                          ".gitignore": "gen.py\n"})
    assert found(tmp_path / "proj") == ["pkg/__init__.py", "pkg/gen.py"]


def test_info_exclude_of_a_git_worktree(tmp_path):
    # a worktree's .git is a file naming its folder in the main repository, whose `commondir`
    # leads to the shared info/exclude
    write_tree(tmp_path, {
        "repo/.git/info/exclude": "a.py\n",
        "repo/.git/worktrees/wt/commondir": "../..\n",
        "wt/.git": f"gitdir: {tmp_path / 'repo/.git/worktrees/wt'}\n",
        "wt/pkg/__init__.py": "", "wt/pkg/a.py": "",
    })
    assert found(tmp_path / "wt") == ["pkg/__init__.py"]


def _imports_pathspec(root: Path, *args: str) -> bool:
    import os
    import sys

    from helpers import SRC

    code = ("import sys; from importguard.commands.cli import main; main(['check', '.', *sys.argv[1:]]); "
            "print('pathspec' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=SRC)
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                         cwd=str(root), timeout=300)
    return out.stdout.strip().splitlines()[-1] == "True"


def test_pathspec_is_imported_only_for_new_ignore_files(tmp_path):
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "", "pkg/gen.py": "import os\n"})
    assert not _imports_pathspec(tmp_path)  # no ignore file
    (tmp_path / ".gitignore").write_text("gen.py\n*.egg-info/\n")
    assert _imports_pathspec(tmp_path, "--no-cache")
    assert _imports_pathspec(tmp_path)  # new lines: translated by pathspec, then kept in the cache
    assert not _imports_pathspec(tmp_path)  # unchanged: the cached translation
    assert found(tmp_path) == ["pkg/__init__.py", "pkg/a.py"]
    (tmp_path / ".gitignore").write_text("gen.py\n*.egg-info/\na.py\n")
    assert _imports_pathspec(tmp_path)


# ---------------------------------------------------------------------------- environments, build/
def test_env_and_venv_are_skipped_only_when_environments(tmp_path):
    write_tree(tmp_path, {
        "env/__init__.py": "", "env/settings.py": "",  # a package named env
        "venv/__init__.py": "",
        "tools/venv/pyvenv.cfg": "home = /usr/bin\n", "tools/venv/lib/site.py": "",
        "myenv/pyvenv.cfg": "", "myenv/bin/activate_this.py": "",
        "conda/conda-meta/history": "", "conda/lib/x.py": "",
    })
    assert found(tmp_path) == ["env/__init__.py", "env/settings.py", "venv/__init__.py"]


@pytest.mark.parametrize("tree,checked", [
    # setuptools' output
    ({"build/lib/pkg/__init__.py": "", "build/bdist.linux-x86_64/x.py": ""}, []),
    ({"build/lib.linux-x86_64-cpython-312/pkg/m.py": ""}, []),
    # no Python file of its own: an output folder (html, wheels...)
    ({"build/html/_static/x.py": ""}, []),
    # Sphinx sources in doc/build (SQLAlchemy's layout)
    ({"doc/build/conf.py": "", "doc/build/ext/role.py": ""}, ["doc/build/conf.py", "doc/build/ext/role.py"]),
    # a package named build
    ({"build/__init__.py": "", "build/steps.py": ""}, ["build/__init__.py", "build/steps.py"]),
    # a source build/ that .gitignore names is skipped all the same
    ({"build/conf.py": "", ".gitignore": "build/\n"}, []),
])
def test_build_folders(tmp_path, tree, checked):
    write_tree(tmp_path, dict(tree, **{"pkg/__init__.py": ""}))
    assert found(tmp_path) == sorted(checked + ["pkg/__init__.py"])


def test_skipped_count_in_the_summary(tmp_path):
    write_tree(tmp_path, {
        "pkg/__init__.py": "", "pkg/a.py": "import os\n", "pkg/gen_a.py": "", "pkg/gen_b.py": "",
        "out/x.py": "", ".gitignore": "gen_*.py\nout/\n", "__pycache__/x.py": "",
        ".venv/pyvenv.cfg": "", ".venv/lib/x.py": "",
    })
    out = run_cli(["check", "--no-cache"], tmp_path).stdout
    # gen_a.py, gen_b.py, out/, .venv/; never the cache folders
    assert "in 2 files checked (4 skipped by ignore rules)." in out, out
    doc = json.loads(run_cli(["check", "--no-cache", "--format", "json"], tmp_path).stdout)
    assert doc["summary"]["files"] == 2 and doc["summary"]["skipped"] == 4
    (tmp_path / "pkg/a.py").write_text("")
    out = run_cli(["check", "--no-cache"], tmp_path).stdout
    assert "All checks passed (2 files checked, 4 skipped by ignore rules)." in out


def test_nothing_skipped_keeps_the_summary_line(tmp_path):
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "import os\n"})
    out = run_cli(["check", "--no-cache"], tmp_path).stdout
    assert "in 2 files checked.\n" in out


# ---------------------------------------------------------------------------- roots
LIB_TREE = {
    "lib/mypkg/__init__.py": "",
    "lib/mypkg/a.py": "from mypkg import b\nprint(b)\n",
    "lib/mypkg/b.py": "import mypkg.a\nprint(mypkg.a)\n",
    "tests/test_a.py": "import mypkg.a\nprint(mypkg.a)\n",
}


def test_lib_layout_is_a_root_without_configuration(tmp_path):
    write_tree(tmp_path, dict(LIB_TREE, **{"pyproject.toml": "[project]\nname = 'mypkg'\n"}))
    assert modules(tmp_path)["lib/mypkg/a.py"] == "mypkg.a"
    doc = json.loads(run_cli(["check", "--no-cache", "--format", "json"], tmp_path).stdout)
    assert [c["modules"] for c in doc["cycles"]] == [["mypkg.a", "mypkg.b"]]


def test_lib_that_is_a_package_is_not_a_root(tmp_path):
    write_tree(tmp_path, {"lib/__init__.py": "", "lib/util.py": "", "app.py": "from lib import util\n"})
    assert modules(tmp_path)["lib/util.py"] == "lib.util"
    write_tree(tmp_path, {"src/__init__.py": "", "src/util.py": ""})
    assert modules(tmp_path)["src/util.py"] == "src.util"


@pytest.mark.parametrize("files", [
    {"pyproject.toml": "[tool.setuptools]\npackage-dir = {'' = 'python'}\n"},
    {"pyproject.toml": "[tool.setuptools.packages.find]\nwhere = ['python']\n"},
    {"pyproject.toml": "[tool.setuptools.package-dir]\nmypkg = 'python/mypkg'\n"},
    {"setup.cfg": "[options]\npackage_dir =\n    =python\n"},
    {"setup.cfg": "[options]\npackage_dir = =python\n"},
    {"setup.cfg": "[options.packages.find]\nwhere = python\n"},
])
def test_setuptools_package_dir_is_a_root(tmp_path, files):
    tree = {k.replace("lib/", "python/"): v for k, v in LIB_TREE.items()}
    write_tree(tmp_path, dict(tree, **files))
    assert modules(tmp_path)["python/mypkg/a.py"] == "mypkg.a"
    assert resolve_roots(load_config(tmp_path))[0] == (tmp_path / "python").resolve()


def test_configured_roots_win(tmp_path):
    write_tree(tmp_path, dict(LIB_TREE, **{"pyproject.toml": "[tool.importguard]\nroots = ['.']\n"}))
    assert modules(tmp_path)["lib/mypkg/a.py"] == "lib.mypkg.a"


def test_without_lib_the_project_root_is_the_root(tmp_path):
    write_tree(tmp_path, {"mypkg/__init__.py": "", "mypkg/a.py": ""})
    assert resolve_roots(Config(project_root=tmp_path)) == (tmp_path.resolve(),)


@pytest.mark.skipif(GIT is None, reason="needs git as the oracle")
def test_lines_git_cannot_read_are_skipped_as_git_skips_them(tmp_path):
    # black ships such files as test data: `!` alone, nested too
    write_tree(tmp_path, {".gitignore": "!\n*.tmp.py\n", "a/.gitignore": "!\n", "a/b.py": "x = 1\n",
                          "c.py": "y = 1\n", "d.tmp.py": "z = 1\n"})
    assert found(tmp_path) == git_checked(tmp_path) == ["a/b.py", "c.py"]
    out = run_cli(["check", "--no-cache", "."], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


# ---------------------------------------------------------------------------- roots the imports show
# ``python/`` holds the package, no configuration says so, and the package imports itself by its own
# name: Python finds ``mypkg`` only with ``python/`` on sys.path, so that folder is a root
SELF_IMPORTING = {
    "python/mypkg/__init__.py": "",
    "python/mypkg/a.py": "from mypkg.b import late\nEARLY = 1\n",
    "python/mypkg/b.py": "from mypkg.a import EARLY\nlate = EARLY\n",
    "tools/run.py": "print('tool')\n",
}


def test_folder_the_imports_show_is_a_root(tmp_path):
    write_tree(tmp_path, SELF_IMPORTING)
    names = modules(tmp_path)
    assert names["python/mypkg/a.py"] == "mypkg.a"
    assert names["tools/run.py"] == "tools.run"  # no package there: the project root names it
    doc = json.loads(run_cli(["check", "--no-cache", "--format", "json"], tmp_path).stdout)
    assert [c["modules"] for c in doc["cycles"]] == [["mypkg.a", "mypkg.b"]]
    ig301 = [d for d in doc["diagnostics"] if d["code"] == "IG301"]
    assert ig301 and "mypkg.a" in ig301[0]["message"]
    # what Python does with that folder on its path: the predicted ImportError happens
    run = subprocess.run([sys.executable, "-c", "import mypkg.a"], cwd=str(tmp_path / "python"),
                         capture_output=True, text=True)
    assert "partially initialized module 'mypkg.a'" in run.stderr


def test_imports_through_the_folder_keep_it_a_plain_folder(tmp_path):
    tree = dict(SELF_IMPORTING)
    tree["python/mypkg/c.py"] = "from python.mypkg import a\n"
    write_tree(tmp_path, tree)
    assert modules(tmp_path)["python/mypkg/a.py"] == "python.mypkg.a"


def test_a_package_two_folders_provide_proves_nothing(tmp_path):
    write_tree(tmp_path, {
        "examples/one/app/__init__.py": "", "examples/one/app/m.py": "from app import n\n",
        "examples/one/app/n.py": "",
        "examples/two/app/__init__.py": "", "examples/two/app/m.py": "from app import n\n",
        "examples/two/app/n.py": "",
    })
    names = modules(tmp_path)
    assert names["examples/one/app/m.py"] == "examples.one.app.m"
    assert names["examples/two/app/m.py"] == "examples.two.app.m"


def test_a_package_of_the_project_root_is_not_shadowed(tmp_path):
    # ``tests/mypkg`` imports ``mypkg``, which the project root provides: no evidence for ``tests/``
    write_tree(tmp_path, {
        "mypkg/__init__.py": "", "mypkg/core.py": "",
        "tests/mypkg/__init__.py": "", "tests/mypkg/test_core.py": "from mypkg import core\n",
    })
    assert modules(tmp_path)["tests/mypkg/test_core.py"] == "tests.mypkg.test_core"
    assert modules(tmp_path)["mypkg/core.py"] == "mypkg.core"


def test_folders_without_imports_of_their_packages_stay_plain(tmp_path):
    write_tree(tmp_path, {"scripts/tool/__init__.py": "", "scripts/tool/main.py": "import os\n"})
    assert modules(tmp_path)["scripts/tool/main.py"] == "scripts.tool.main"
    assert resolve_roots(load_config(tmp_path)) == (tmp_path.resolve(),)


# ---------------------------------------------------------------------------- the evidence kept across runs
@pytest.fixture
def tick(monkeypatch):
    """A file system whose clock is exact: what was changed before a run began is trusted."""
    from importguard.cache import index

    monkeypatch.setattr(index, "RACY_NS", 0)


def _fresh_roots(root: Path, memo: Path):
    """``resolve_roots`` as a new process would run it (no memo of this process), and whether the
    kept evidence answered."""
    from importguard.discovery import roots as R

    R._EVIDENCE.clear()
    R._INFERRED.clear()
    read = []
    real = R.EvidenceMemo.get

    def get(self, folder, key):
        got = real(self, folder, key)
        read.append(got is not None)
        return got

    R.EvidenceMemo.get = get  # type: ignore[method-assign]
    try:
        return resolve_roots(load_config(root), memo), read
    finally:
        R.EvidenceMemo.get = real  # type: ignore[method-assign]


def test_kept_evidence_is_reused_and_follows_every_edit(tmp_path, tick):
    tree = tmp_path / "proj"
    write_tree(tree, SELF_IMPORTING)
    memo = tmp_path / "cache" / "roots.marshal"
    python = (tree / "python").resolve()
    assert _fresh_roots(tree, memo) == ((python, tree.resolve()), [False])
    assert _fresh_roots(tree, memo) == ((python, tree.resolve()), [True])  # nothing read again
    # a file's content changes (the evidence with it): the import now goes through the folder
    (tree / "python/mypkg/b.py").write_text("from python.mypkg.a import EARLY\nlate = EARLY\n")
    assert _fresh_roots(tree, memo) == ((tree.resolve(),), [False])
    assert _fresh_roots(tree, memo) == ((tree.resolve(),), [True])
    # a new file in a folder it listed: that one import through the folder is gone again
    (tree / "python/mypkg/b.py").write_text("from mypkg.a import EARLY\nlate = EARLY\n")
    (tree / "python/mypkg/c.py").write_text("from python.mypkg import a\n")
    assert _fresh_roots(tree, memo) == ((tree.resolve(),), [False])
    (tree / "python/mypkg/c.py").unlink()
    assert _fresh_roots(tree, memo) == ((python, tree.resolve()), [False])


def test_kept_evidence_of_files_changed_within_a_clock_tick_is_not_trusted(tmp_path):
    tree = tmp_path / "proj"
    write_tree(tree, SELF_IMPORTING)
    memo = tmp_path / "cache" / "roots.marshal"
    python = (tree / "python").resolve()
    assert _fresh_roots(tree, memo) == ((python, tree.resolve()), [False])
    # just written (the real two-second tick): an edit of the same size in the same tick of the
    # clock would keep the same signature, so nothing that recent is taken from the memo
    assert _fresh_roots(tree, memo) == ((python, tree.resolve()), [False])


def test_kept_evidence_travels_with_a_moved_checkout(tmp_path, tick):
    tree = tmp_path / "proj"
    write_tree(tree, SELF_IMPORTING)
    memo = tmp_path / "cache" / "roots.marshal"
    assert _fresh_roots(tree, memo)[1] == [False]
    moved = tmp_path / "elsewhere"
    shutil.copytree(str(tree), str(moved))  # new inodes and times: read again, and the answer is the same
    assert _fresh_roots(moved, memo) == (((moved / "python").resolve(), moved.resolve()), [False])
    assert _fresh_roots(moved, memo)[1] == [True]


def test_the_check_keeps_the_evidence_in_its_cache(tmp_path, tick):
    write_tree(tmp_path, SELF_IMPORTING)
    for _ in range(2):
        doc = json.loads(run_cli(["check", "--format", "json"], tmp_path).stdout)
        assert [c["modules"] for c in doc["cycles"]] == [["mypkg.a", "mypkg.b"]]
    assert list((tmp_path / ".importguard_cache").glob("roots-*.marshal"))


def test_kept_evidence_from_a_clock_ahead_is_checked_file_by_file(tmp_path, tick):
    # a cache made on a machine whose clock runs an hour ahead: every file here looks older than
    # the evidence, and only the signatures tell the edited file apart
    import marshal
    import time

    tree = tmp_path / "proj"
    write_tree(tree, SELF_IMPORTING)
    memo = tmp_path / "cache" / "roots.marshal"
    assert _fresh_roots(tree, memo)[1] == [False]
    data = marshal.loads(memo.read_bytes())
    ahead = time.time_ns() + 3600 * 10**9
    memo.write_bytes(marshal.dumps({k: (ahead,) + v[1:] for k, v in data.items()}))
    assert _fresh_roots(tree, memo)[1] == [True]
    (tree / "python/mypkg/b.py").write_text("from python.mypkg.a import EARLY\nlate = EARLY\n")
    assert _fresh_roots(tree, memo) == ((tree.resolve(),), [False])
