"""Every rule's VALID and INVALID examples, and its documentation headings."""
import pytest

from helpers import check_sources
from importguard.config.settings import ALL_CODES, Config
from importguard.rules import RULES
from importguard.rules.base import DOC_HEADINGS

ALL = Config(select=("IG",))


def _cases(kind):
    for rule in RULES:
        for i, ex in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, ex, id=f"{rule.code}-{kind.lower()}-{i}")


@pytest.mark.parametrize("rule,example", list(_cases("VALID")))
def test_valid_examples_report_nothing_for_their_rule(rule, example):
    assert [d for d in check_sources(example, ALL) if d.code == rule.code] == []


@pytest.mark.parametrize("rule,example", list(_cases("INVALID")))
def test_invalid_examples_report_their_rule(rule, example):
    assert any(d.code == rule.code for d in check_sources(example, ALL))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_docs_have_every_heading(rule):
    doc = rule.doc()
    for heading in DOC_HEADINGS:
        assert f"## {heading}" in doc, f"{rule.code} lacks '## {heading}'"
    assert rule.code in ALL_CODES
