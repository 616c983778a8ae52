"""Each subcommand takes only the options that mean something to it, and its help says the truth."""
from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from importguard.commands.cli import build_parser


def _help(command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    return out.getvalue()


def _options(command: str) -> set:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    return {s for a in sub._actions for s in a.option_strings}


@pytest.mark.parametrize("command, default, choices", [
    ("check", "text", {"text", "json", "sarif", "github", "markdown"}),
    ("fix", "text", {"text", "json"}),
    ("graph", "dot", {"dot", "mermaid", "json", "html"}),
    ("cost", "text", {"text", "json"}),
])
def test_format_default_is_one_of_the_choices(command, default, choices):
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    fmt = next(a for a in sub._actions if a.dest == "format")
    assert set(fmt.choices) == choices and fmt.default == default
    assert f"(default: {default})" in " ".join(_help(command).split())


RULE_OPTIONS = {"--select", "--ignore", "--extend-select", "--target-version", "--annotation-strategy"}


@pytest.mark.parametrize("command", ["graph", "cost"])
def test_graph_and_cost_refuse_options_that_mean_nothing_there(command, capsys):
    opts = _options(command)
    assert not opts & (RULE_OPTIONS | {"--baseline", "--write-baseline", "--color", "--sort", "--extra-report"})
    for bad in (["--select", "IG1"], ["--baseline", "b.json"], ["--annotation-strategy", "quote"]):
        with pytest.raises(SystemExit) as exc:
            build_parser().parse_args([command, *bad])
        assert exc.value.code == 2
        assert "unrecognized arguments" in capsys.readouterr().err


def test_check_and_fix_keep_their_options():
    assert RULE_OPTIONS | {"--baseline", "--color", "--sort", "--extra-report"} <= _options("check")
    assert RULE_OPTIONS | {"--diff", "--unsafe-fixes"} <= _options("fix")
    assert "--baseline" not in _options("fix")  # fix fixes every finding, a baseline hides nothing there
    for command in ("check", "fix", "graph", "cost"):
        common = {"--format", "--output-file", "--config", "--no-cache", "--quiet", "--force-exclude"}
        assert common <= _options(command)


@pytest.mark.parametrize("command", ["check", "fix", "graph", "explain", "cost"])
def test_the_parser_of_one_command_is_that_of_all(command):
    # a run builds the parser of its command alone: the same options, defaults and help
    def shape(parser):
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
        return [(a.option_strings, a.dest, a.default, a.choices, a.help, a.nargs) for a in sub._actions]

    assert shape(build_parser(command)) == shape(build_parser())
    alone = next(a for a in build_parser(command)._actions if isinstance(a, argparse._SubParsersAction))
    assert set(alone.choices) == {command}


def test_the_help_without_a_command_lists_every_command():
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    for command in ("check", "fix", "graph", "explain", "cost"):
        assert f"    {command} " in out.getvalue()
