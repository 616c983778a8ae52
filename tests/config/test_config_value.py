"""``Config`` is an immutable value: compared and hashed by its settings, not by what tests inject."""
from pathlib import Path

import pytest

from importguard.config.settings import Config


def test_equal_settings_are_equal_whatever_is_injected():
    a, b = Config(strict=True), Config(strict=True, extra={"costs": {"m": 1.0}})
    assert a == b and not a != b and hash(a) == hash(b)
    assert a != Config(strict=False) and a != tuple(a)
    assert len({a, b, Config()}) == 2


def test_changed_options_make_a_new_value():
    a = Config(project_root=Path("/p"))
    b = a.with_options(strict=True, baseline=None)
    assert b.strict and not a.strict and b.project_root == Path("/p") and b.baseline is None
    with pytest.raises(AttributeError):
        a.strict = True  # type: ignore[misc]
    assert Config().extra == {} and Config().extra is not None
