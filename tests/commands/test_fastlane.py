"""The fast lane: a ``check`` whose inputs are all as the same command's last run found them prints
what that run printed, and any change to an input (a source, a folder, an ignore file, the
configuration, the baseline, the environment, the command) runs the check again.

Every test runs the console script in a fresh interpreter, as users do. A record is written only
for inputs last changed more than two seconds before the run: the fixtures are made first, then one
wait, then each scenario runs on its own copy.
"""
from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING, Dict, List, Tuple

import pytest

from importguard.commands import fastlane

if TYPE_CHECKING:
    from pathlib import Path

PROJECT = {
    # roots given: the project root is not listed to infer them, only stat-ed by the walk index
    "pyproject.toml": '[project]\nname = "app"\n\n[tool.importguard]\nselect = ["IG1", "IG3"]\nroots = ["."]\n',
    ".gitignore": "build/\n",
    ".git/info/exclude": "*.bak\n",
    "app/__init__.py": "",
    "app/core.py": "import os\nimport json\n\nprint(json.dumps({}))\n",
    "app/util.py": "from app import core\n\nVALUE = core\n",
    "app/data/README.txt": "not code\n",
    "baseline.json": '{"version": 1, "findings": [], "cycles": []}\n',
}
RUN = "import sys; from importguard.commands.cli import run; sys.argv[0] = 'importguard'; run()"


def _env(stats: Path, **extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPORTGUARD_")}
    env.update(PYTHONPATH=os.pathsep.join(sys.path), IMPORTGUARD_STATS_FILE=str(stats), **extra)
    return env


def _check(root: Path, *args: str, **env: str) -> Tuple[int, str, bool]:
    """Exit status, stdout, and whether the fast lane answered."""
    project = next(p for p in (root, *root.parents) if (p / ".importguard_cache").is_dir())
    stats = project.parent / (project.name + ".stats")  # outside the project: no input of the run
    stats.unlink(missing_ok=True)
    out = subprocess.run([sys.executable, "-c", RUN, "check", *args], cwd=root, env=_env(stats, **env),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1) and "Traceback" not in out.stderr, out.stderr
    lines = [json.loads(line) for line in stats.read_text().splitlines()] if stats.exists() else []
    return out.returncode, out.stdout, any(line.get("fast_lane") for line in lines)


def _make(root: Path, files: Dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / ".importguard_cache").mkdir(exist_ok=True)
    return root


def _records(root: Path) -> List[tuple]:
    path = root / fastlane.NAME
    if not path.exists():
        return []
    with open(path, "rb") as fh:
        header = marshal.load(fh)
        return [(k, marshal.loads(fh.read(n))) for k, n in header]


def _append(path: Path, text: str) -> None:
    """An edit in place: the folder's listing does not change."""
    with open(path, "a") as fh:
        fh.write(text)


def _same_size_and_time(root: Path) -> None:
    """An edit that keeps the size and sets the modification time back: only the change time,
    which no tool can set, tells."""
    path = root / "app/core.py"
    st = os.stat(path)
    path.write_text(path.read_text().replace("import os", "import re"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (os.stat(path).st_size, os.stat(path).st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def _measured(root: Path) -> None:
    """Costs measured as ``importguard cost`` writes them, in the cache folder: the IG100 message
    says what the unused import costs."""
    from importguard.cache.costs import CostRecord, CostStore, cache_file
    from importguard.config.settings import load_config

    store = CostStore(cache_file(load_config(root)))
    store.put("/py|3.11|os|15.0", CostRecord("os", 15.0, 7.5, 100, 3, "/py", "3.11", (), None, False))
    store.save()


# each change: what it does to a copy of PROJECT (``--baseline`` given for every run)
CHANGES = {
    "comment": lambda r: _append(r / "app/core.py", "# a comment\n"),
    "unused import": lambda r: _append(r / "app/util.py", "import sys\n"),
    "new file in a folder without code": lambda r: (r / "app/data/extra.py").write_text("import re\n"),
    "file removed": lambda r: (r / "app/core.py").unlink(),
    "measured costs": _measured,
    "new module at the top": lambda r: (r / "script.py").write_text("import re\n"),
    "same size, modification time set back": _same_size_and_time,
    "configuration": lambda r: _append(r / "pyproject.toml", 'ignore = ["IG100"]\n'),
    "ignore file": lambda r: _append(r / ".gitignore", "app/core.py\n"),
    "git's exclude file": lambda r: _append(r / ".git/info/exclude", "app/core.py\n"),
    "baseline": lambda r: (r / "baseline.json").write_text(json.dumps({"version": 1, "findings": [
        {"code": "IG100", "key": "os", "path": "app/core.py"}], "cycles": []})),
    "project marker in a folder checked alone": lambda r: (r / "app/pyproject.toml").write_text(
        "[tool.importguard]\nignore = [\"IG100\"]\n"),
}


@pytest.fixture(scope="module")
def aged(tmp_path_factory) -> Dict[str, Path]:
    """A copy of the project a scenario, all two seconds old."""
    base = tmp_path_factory.mktemp("fast")
    names = ["same", "env", "argv", "git", "sub", "files", *CHANGES]
    roots = {name: _make(base / f"p{i}", PROJECT) for i, name in enumerate(names)}
    time.sleep(2.2)
    return roots


def test_an_unchanged_project_is_answered_by_the_record(aged) -> None:
    root = aged["same"]
    first = _check(root, "--baseline", "baseline.json")
    assert not first[2] and first[0] == 1 and "IG100" in first[1]
    assert len(_records(root)) == 1
    for _ in range(2):
        assert _check(root, "--baseline", "baseline.json") == (first[0], first[1], True)
    assert _check(root, "--baseline", "baseline.json", "--no-cache")[:2] == first[:2]


def test_a_replay_imports_nothing_of_the_engine(aged) -> None:
    root = aged["same"]
    _check(root, "-q")
    _check(root, "-q")  # recorded by now
    stats = root.parent / (root.name + ".stats")  # the environment of the record's command
    stats.unlink()
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", RUN, "check", "-q"], cwd=root,
                         env=_env(stats), capture_output=True, text=True, timeout=120)
    assert "fast_lane" in stats.read_text()
    bare = subprocess.run([sys.executable, "-X", "importtime", "-c", "pass"], env=_env(stats), capture_output=True,
                          text=True, timeout=120)

    def modules(stderr: str) -> set:
        return {line.split("|")[-1].strip() for line in stderr.splitlines() if "|" in line}

    loaded = modules(out.stderr) - modules(bare.stderr)  # what the interpreter's start loads (``.pth`` files)
    assert "importguard.commands.fastlane" in loaded
    heavy = ("importguard.engine", "importguard.config", "importguard.cache.facts", "pathlib", "typing", "re")
    assert not {m for m in loaded if m.startswith(heavy)}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_any_change_of_an_input_runs_the_check_again(aged, name: str) -> None:
    root = aged[name]
    args = ["app"] if "folder checked alone" in name else []
    before = _check(root, "--baseline", "baseline.json", *args)
    (root / fastlane.NAME).unlink()  # recorded again by a run that reads its caches, not the files
    assert _check(root, "--baseline", "baseline.json", *args) == (before[0], before[1], False)
    assert _check(root, "--baseline", "baseline.json", *args)[2], "recorded and replayed before the change"
    CHANGES[name](root)
    after = _check(root, "--baseline", "baseline.json", *args)
    assert not after[2]
    assert after[:2] == _check(root, "--baseline", "baseline.json", "--no-cache", *args)[:2]
    if name != "comment":
        assert after[:2] != before[:2], "the change was meant to change the output"


def test_another_environment_or_command_is_not_answered_by_the_record(aged) -> None:
    root = aged["env"]
    _check(root)
    assert _check(root)[2]
    assert not _check(root, NO_COLOR="1")[2]
    assert not _check(root, IMPORTGUARD_FAST="0")[2]
    root = aged["argv"]
    _check(root)
    assert not _check(root, "--select", "IG100")[2]
    assert not _check(root, "--format", "json")[2]
    assert not _check(root, "--format", "json")[2], "a report with the run's time is not recorded"
    assert _check(root)[2], "the other commands' records did not push it out"


def test_what_git_writes_in_its_folder_changes_nothing(aged) -> None:
    root = aged["git"]
    first = _check(root)
    assert _check(root)[2]
    (root / ".git/index.lock").write_text("")  # as every git command does: .git's times change
    (root / ".git/index.lock").unlink()
    assert _check(root) == (first[0], first[1], True)


def test_a_check_run_from_a_folder_below_the_project(aged) -> None:
    root = aged["sub"]
    first = _check(root / "app", ".")
    assert not first[2] and _check(root / "app", ".") == (first[0], first[1], True)
    _append(root / "pyproject.toml", 'ignore = ["IG100"]\n')  # the project's configuration, above
    after = _check(root / "app", ".")
    assert not after[2] and after[:2] == _check(root / "app", ".", "--no-cache")[:2] != first[:2]


def test_files_named_alone_are_checked_against_the_whole_project(aged) -> None:
    """As pre-commit runs it: the other files are read too, and watched."""
    root = aged["files"]
    first = _check(root, "app/util.py")
    assert _check(root, "app/util.py")[2]
    _append(root / "app/core.py", "from app import util\n")  # a cycle through the file named
    after = _check(root, "app/util.py")
    assert not after[2] and after[:2] == _check(root, "app/util.py", "--no-cache")[:2]
    assert "IG300" in after[1] and after[1] != first[1]


def test_inputs_changed_within_two_seconds_are_not_recorded(tmp_path: Path) -> None:
    root = _make(tmp_path / "p", PROJECT)
    _check(root)
    assert _records(root) == []
    assert not _check(root)[2]


def _audited_run(root: Path, *args: str) -> Tuple[set, set]:
    """The files a cold run opens and the folders it lists, below ``root``'s parent."""
    probe = textwrap.dedent(f"""
        import os, sys
        seen = set()
        def hook(event, args):
            if event in ("open", "os.scandir", "os.listdir") and args and isinstance(args[0], (str, os.PathLike)):
                seen.add((event == "open", os.path.abspath(os.fsdecode(args[0]))))
        sys.addaudithook(hook)
        real = os._exit
        def leave(code):
            with open({str(root.parent / 'audit.json')!r}, "w") as fh:
                import json
                json.dump(sorted(seen), fh)
            real(code)
        os._exit = leave
        {RUN}
    """)
    subprocess.run([sys.executable, "-c", probe, "check", *args], cwd=root, env=_env(root.parent / "a.stats"),
                   capture_output=True, timeout=120)
    seen = json.loads((root.parent / "audit.json").read_text())
    under = str(root.parent) + os.sep
    cache = str(root / ".importguard_cache")
    kept = [(f, p) for f, p in seen if p.startswith(under) and not p.startswith(cache) and "audit" not in p]
    return {p for f, p in kept if f}, {p for f, p in kept if not f}


def test_the_record_names_everything_a_cold_run_reads(tmp_path: Path) -> None:
    files = {k: v for k, v in PROJECT.items() if not k.startswith(".git/")}
    files["pyproject.toml"] = files["pyproject.toml"].replace('roots = ["."]\n', "")  # inferred: read below
    files.update({
        ".importlinter": "[importlinter]\nroot_package = app\n\n[importlinter:contract:1]\nname = c\n"
                     "type = forbidden\nsource_modules = app.core\nforbidden_modules = app.util\n",
        "scripts/tool/__init__.py": "", "scripts/tool/run.py": "import tool\n",  # an inferred root
        "app/sub/.gitignore": "*.tmp\n", "app/sub/__init__.py": "", "app/sub/m.py": "import os\n",
    })
    outer = tmp_path / "outer"
    root = _make(outer / "proj", files)
    (outer / ".gitignore").write_text("*.log\n")  # the repository's top is above the project
    (outer / ".git/info").mkdir(parents=True)
    (outer / ".git/info/exclude").write_text("*.bak\n")
    opened, listed = _audited_run(root, "--no-cache")
    assert str(root / "app/core.py") in opened and str(root / "app/data") in listed
    time.sleep(2.2)
    _check(root, "--baseline", "baseline.json")  # the caches written (the record of a run that read it all)
    (root / fastlane.NAME).unlink()
    _check(root, "--baseline", "baseline.json")  # recorded by a run that reads its caches, not the files
    (key, (top, names, sigs, text, code)), = _records(root)
    recorded = {n if n.startswith(os.sep) else os.path.join(top, n) for n in names.split("\0")}
    missing = sorted((opened | listed) - recorded)
    assert not missing, f"read by a cold run, not watched by the record: {missing}"
    assert str(outer / ".gitignore") in opened and str(outer / ".git/info/exclude") in opened
    assert str(root / ".importlinter") in opened and str(root / "scripts/tool/run.py") in opened


def test_tests_of_existence_are_seen_however_they_are_made(tmp_path: Path) -> None:
    """``Path.is_file()``, ``os.path.exists`` and ``os.lstat``, with ``pathlib`` imported before the
    watch starts (as a ``.pth`` file may do), and a file opened without a ``stat``."""
    probe = textwrap.dedent("""
        import os, pathlib, sys
        from importguard.cache import watch
        watch.start()
        base = pathlib.Path(sys.argv[1])
        (base / "there").write_text("x")
        pathlib.Path(base / "absent").is_file()
        pathlib.Path(base / "there").is_file()
        os.path.exists(os.path.join(str(base), "gone"))
        os.lstat(os.path.join(str(base), "there"))
        open(os.path.join(str(base), "there")).close()
        os.listdir(str(base))
        seen = {os.path.basename(p): v for p, v in watch.SEEN.items() if p.startswith(str(base))}
        import json
        print(json.dumps([seen, sorted(os.path.basename(p) for p in watch.LISTED if p.startswith(str(base)))]))
    """)
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], env=_env(tmp_path / "s"),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen, listed = json.loads(out.stdout)
    assert seen == {"absent": False, "gone": False, "there": True, tmp_path.name: None}  # written: not read
    assert listed == [tmp_path.name]


def _entry(root: Path, names: List[str], text: str = "stale\n", code: int = 0) -> bytes:
    sigs: List[int] = []
    for n in names:
        st = os.stat(root / n)
        sigs += [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    return marshal.dumps((str(root), "\0".join(names), sigs, text, code))


def test_a_record_in_process_answers_and_a_damaged_one_is_ignored(tmp_path: Path, monkeypatch, capsys) -> None:
    root = _make(tmp_path / "p", PROJECT)
    monkeypatch.chdir(root)
    monkeypatch.delenv("IMPORTGUARD_FAST", raising=False)
    path = root / fastlane.NAME
    key = fastlane.key(["check"], str(root))
    good = _entry(root, ["app/core.py", "app"], "recorded\n", 1)
    path.write_bytes(marshal.dumps([(key, len(good))]) + good)
    assert fastlane.replay(["check"]) == 1 and capsys.readouterr().out == "recorded\n"
    assert fastlane.replay(["check", "-q"]) is None  # another command
    short = marshal.dumps((str(root), "app/core.py\0app", [1, 2], "stale\n", 0))  # too few numbers
    for data in (marshal.dumps([(key, 100)]) + b"\x00" * 10, b"\xff" * 64, marshal.dumps([(key, len(short))]) + short,
                 marshal.dumps([(key, 3)]) + marshal.dumps((1, 2, 3))):
        path.write_bytes(data)
        assert fastlane.replay(["check"]) is None
    assert capsys.readouterr().out == ""
