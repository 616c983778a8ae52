"""ruff's and flake8's ``per-file-ignores``, read as importguard's own for the codes it mirrors."""
import pytest

from helpers import run_cli, write_tree
from importguard.config.peer import _flake8_entries, translate
from importguard.config.settings import load_config

COMPAT = "import json\nfrom os import path\n"


@pytest.mark.parametrize("selector,codes", [
    ("F401", ("IG100",)),
    ("unused-import", ("IG100",)),
    ("F", ("IG100",)),
    ("F4", ("IG100",)),
    ("F403", ()),
    ("E501", ()),
    ("TC003", ("IG200",)),
    ("TCH004", ("IG201",)),
    ("TC", ("IG200", "IG201", "IG202")),
    ("empty-type-checking-block", ("IG202",)),
    ("ALL", ("IG100", "IG200", "IG201", "IG202")),
])
def test_translate(selector, codes):
    assert translate(selector) == codes


def test_flake8_grammar():
    value = "\n  src/a.py:F401,E402\n  tests/*: F401 E501\n  b.py:F4 c.py:E1"
    assert _flake8_entries(value) == [("src/a.py", ["F401", "E402"]), ("tests/*", ["F401", "E501"]),
                                      ("b.py", ["F4"]), ("c.py", ["E1"])]


def _unused(tmp_path, files):
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": COMPAT, "pkg/other.py": COMPAT, **files})
    out = run_cli(["check", "--no-cache", "--select", "IG100", "--format", "json", "."], tmp_path)
    import json
    return sorted({d["path"] for d in json.loads(out.stdout)["diagnostics"]})


@pytest.mark.parametrize("files", [
    {"pyproject.toml": '[tool.ruff.lint.per-file-ignores]\n"pkg/compat.py" = ["F401"]\n'},
    {"pyproject.toml": '[tool.ruff.per-file-ignores]\n"compat.py" = ["unused-import", "E402"]\n'},
    {"pyproject.toml": '[tool.ruff.lint.extend-per-file-ignores]\n"pkg/compat.py" = ["F"]\n'},
    {"ruff.toml": '[lint.per-file-ignores]\n"pkg/compat.py" = ["F401"]\n'},
    {".ruff.toml": '[per-file-ignores]\n"**/compat.py" = ["ALL"]\n'},
    {"setup.cfg": "[flake8]\nper-file-ignores =\n    pkg/compat.py: F401,E402\n"},
    {"tox.ini": "[flake8]\nper-file-ignores = pkg/compat.py:F401\n"},
    {".flake8": "[flake8]\nmax-line-length = 100\nper-file-ignores =\n    pkg/compat.py:F401\n"},
])
def test_peer_ignores_silence_the_file(tmp_path, files):
    assert _unused(tmp_path, files) == ["pkg/other.py"]


def test_ruff_toml_wins_over_pyproject_as_in_ruff(tmp_path):
    files = {"ruff.toml": "line-length = 100\n",
             "pyproject.toml": '[tool.ruff.lint.per-file-ignores]\n"pkg/compat.py" = ["F401"]\n'}
    assert _unused(tmp_path, files) == ["pkg/compat.py", "pkg/other.py"]


def test_other_codes_are_not_ours(tmp_path):
    files = {"pyproject.toml": '[tool.ruff.lint.per-file-ignores]\n"pkg/compat.py" = ["E402", "F403"]\n'}
    assert _unused(tmp_path, files) == ["pkg/compat.py", "pkg/other.py"]


def test_switched_off(tmp_path):
    files = {"pyproject.toml": '[tool.importguard]\npeer-per-file-ignores = false\n'
                               '[tool.ruff.lint.per-file-ignores]\n"pkg/compat.py" = ["F401"]\n'}
    assert _unused(tmp_path, files) == ["pkg/compat.py", "pkg/other.py"]


def test_added_to_our_own(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.importguard.per-file-ignores]\n"a.py" = ["IG2"]\n'
                                            '[tool.ruff.lint.per-file-ignores]\n"b.py" = ["F401"]\n'})
    cfg = load_config(tmp_path)
    assert cfg.per_file_ignores == (("a.py", ("IG2",)), ("b.py", ("IG100",)))


def test_bad_peer_file_is_not_our_error(tmp_path):
    write_tree(tmp_path, {"ruff.toml": "this is = = not toml\n", "setup.cfg": "[flake8\nbroken"})
    assert load_config(tmp_path).per_file_ignores == ()


def test_not_a_bool(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.importguard]\npeer-per-file-ignores = "no"\n'})
    out = run_cli(["check", "."], tmp_path)
    assert out.returncode == 2 and "peer-per-file-ignores" in out.stderr


# Files a project keeps away from ruff or flake8 altogether: lexer and formatter inputs with
# expected outputs (pygments' tests/examplefiles, black's tests/data). Editing them breaks the
# project's own tests, so importguard reports nothing there and `fix` leaves them alone.
FIXTURE = "import os.path\nfrom os import path\n"


@pytest.mark.parametrize("config", [
    {"pyproject.toml": '[tool.ruff]\nextend-exclude = ["tests/examplefiles"]\n'},
    {"pyproject.toml": '[tool.ruff]\nexclude = ["./tests/examplefiles/"]\n'},
    {"pyproject.toml": '[tool.ruff]\nextend-exclude = ["examplefiles"]\n'},
    {"ruff.toml": 'extend-exclude = ["tests/examplefiles/*.py"]\n'},
    # ruff's lint-only exclusion (networkx: `[tool.ruff.lint] exclude = ['doc/conf.py', ...]`)
    {"pyproject.toml": '[tool.ruff.lint]\nexclude = ["tests/examplefiles/python/continuation.py"]\n'},
    {"ruff.toml": '[lint]\nexclude = ["examplefiles"]\n'},
    {"setup.cfg": "[flake8]\nexclude = .git,tests/examplefiles\n"},
    {".flake8": "[flake8]\nextend-exclude =\n    build,\n    examplefiles\n"},
])
def test_peer_exclusions_are_not_reported_nor_fixed(tmp_path, config):
    fixture = tmp_path / "tests" / "examplefiles" / "python" / "continuation.py"
    assert _unused(tmp_path, {**config, "tests/examplefiles/python/continuation.py": FIXTURE}) == [
        "pkg/compat.py", "pkg/other.py"]
    out = run_cli(["fix", "--no-cache", "--select", "IG100", "."], tmp_path)
    assert out.returncode in (0, 1), out.stderr
    assert fixture.read_text() == FIXTURE
    assert (tmp_path / "pkg" / "other.py").read_text() != COMPAT  # the fix did run


def test_an_excluded_file_still_uses_what_it_imports(tmp_path):
    # kept in the import graph: the package name it imports is a re-export in use
    files = {"pyproject.toml": '[tool.ruff]\nextend-exclude = ["tests/data"]\n',
             "pkg/compat.py": "from json import loads\n",
             "tests/data/case.py": "from pkg.compat import loads\n"}
    assert _unused(tmp_path, files) == ["pkg/other.py"]


def test_peer_exclusions_switched_off(tmp_path):
    files = {"pyproject.toml": '[tool.importguard]\npeer-per-file-ignores = false\n'
                               '[tool.ruff]\nextend-exclude = ["tests/examplefiles"]\n',
             "tests/examplefiles/x.py": FIXTURE}
    assert _unused(tmp_path, files) == ["pkg/compat.py", "pkg/other.py", "tests/examplefiles/x.py"]


@pytest.mark.parametrize("pattern,globs", [
    ("build", ("build", "**/build/*")),
    ("./docs/", ("docs", "docs/*")),
    ("src/pkg/_vendor", ("src/pkg/_vendor", "src/pkg/_vendor/*")),
    (".", ()),
    ("", ()),
])
def test_exclusion_patterns(pattern, globs):
    from importguard.config.peer import exclusion_patterns

    assert exclusion_patterns(pattern) == globs
