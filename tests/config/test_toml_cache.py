"""Parsed TOML files kept by their signature: taken back only while the file is unchanged."""
from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

import pytest

from importguard.cache import index
from importguard.config import settings, tomlcache

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def cache_on(monkeypatch):
    """The cache on, a fresh store per test, and the two seconds lifted (the files of a test
    are seconds old at most: each change is given a modification time of its own instead)."""
    monkeypatch.setattr(tomlcache, "ON", True)
    monkeypatch.setattr(tomlcache, "_stores", {})
    monkeypatch.setattr(index, "RACY_NS", 0)
    parsed = []
    real = settings._parse_toml

    def counting(path):
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(settings, "_parse_toml", counting)
    return parsed


def write(path: Path, text: str, age_s: int) -> None:
    path.write_text(text)
    t = time.time_ns() - age_s * 1_000_000_000
    os.utime(path, ns=(t, t))


def test_an_unchanged_file_is_not_parsed_again(tmp_path, cache_on):
    (tmp_path / ".importguard_cache").mkdir()
    p = tmp_path / "pyproject.toml"
    write(p, '[tool.importguard]\nroots = ["src"]\n', 100)
    assert settings._load_toml(p) == {"tool": {"importguard": {"roots": ["src"]}}}
    assert settings._load_toml(p) == {"tool": {"importguard": {"roots": ["src"]}}}
    assert len(cache_on) == 1
    tomlcache._stores.clear()  # as a new process: read back from the file
    assert settings._load_toml(p)["tool"]["importguard"]["roots"] == ["src"]
    assert len(cache_on) == 1
    write(p, '[tool.importguard]\nroots = ["lib"]\n', 50)  # the same size, another time

    # a change time after the parse would do it alone: only the signature guards here
    with pytest.MonkeyPatch.context() as m:
        m.setattr(index, "RACY_NS", -3600 * 1_000_000_000)
        assert settings._load_toml(p)["tool"]["importguard"]["roots"] == ["lib"]
    assert len(cache_on) == 2


def test_a_fresh_file_is_parsed_every_time(tmp_path, cache_on, monkeypatch):
    monkeypatch.setattr(index, "RACY_NS", 10 * 1_000_000_000)
    (tmp_path / ".importguard_cache").mkdir()
    p = tmp_path / "pyproject.toml"
    write(p, "[project]\nname = 'x'\n", 0)
    settings._load_toml(p)
    settings._load_toml(p)
    assert len(cache_on) == 2


def test_dates_and_projects_without_a_cache_folder_are_not_kept(tmp_path, cache_on):
    p = tmp_path / "pyproject.toml"
    write(p, "[project]\nname = 'x'\n", 100)
    settings._load_toml(p)
    settings._load_toml(p)
    assert not (tmp_path / ".importguard_cache").exists()  # no folder made for it
    (tmp_path / "dated").mkdir()
    (tmp_path / "dated" / ".importguard_cache").mkdir()
    q = tmp_path / "dated" / "pyproject.toml"
    write(q, "[tool.x]\nwhen = 2026-12-05\n", 100)
    first = settings._load_toml(q)
    assert settings._load_toml(q) == first
    assert len(cache_on) == 4


def test_invalid_toml_is_an_error_every_time(tmp_path, cache_on):
    (tmp_path / ".importguard_cache").mkdir()
    p = tmp_path / "pyproject.toml"
    write(p, "[tool.importguard\n", 100)
    for _ in range(2):
        with pytest.raises(settings.ConfigError):
            settings._load_toml(p)


def test_the_cli_uses_it_only_with_the_cache(tmp_path, monkeypatch):
    from importguard.commands import cli

    monkeypatch.setattr(tomlcache, "ON", False)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "m.py").write_text("")
    monkeypatch.chdir(tmp_path)
    cli.main(["check", "-q", "--no-cache", "."])
    assert tomlcache.ON is False
    cli.main(["check", "-q", "."])
    assert tomlcache.ON is True
