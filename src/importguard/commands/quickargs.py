"""The options of the usual ``importguard check`` read without ``argparse``.

A pre-commit hook runs ``importguard check [options] FILE...`` on every commit, and a run that
finds nothing changed takes about 50 ms on Django: ``argparse`` (with ``gettext``, which looks
for message catalogues and imports ``locale`` for each parser it builds) and building the
parser cost 5 to 6 ms of it. The common forms are read here into the namespace ``argparse``
would give; anything else (another command, ``--help``, an abbreviation, ``--``, a value that
looks like an option, options after the paths, an option this module does not know) returns
None and goes to ``argparse``, which reads it, or explains what is wrong with it. A test holds
the two to the same namespace over every form read here.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

FORMATS = ("text", "json", "sarif", "github", "markdown")  # check's ``--format`` choices (``cli``)
FLAGS = {"--quiet": "quiet", "-q": "quiet", "--no-cache": "no_cache", "--force-exclude": "force_exclude"}
VALUES = {"--jobs": "jobs", "-j": "jobs", "--format": "format", "--select": "select", "--ignore": "ignore",
          "--extend-select": "extend_select", "--config": "config", "--output-file": "output_file",
          "--output": "output_file", "-o": "output_file", "--baseline": "baseline"}


def defaults() -> Dict[str, object]:
    """What ``argparse`` gives ``check`` when no option is given (``cli.build_parser``)."""
    return {"command": "check", "paths": [], "format": "text", "output_file": None, "config": None,
            "no_cache": False, "jobs": 0, "quiet": False, "force_exclude": False, "select": None, "ignore": None,
            "extend_select": None, "target_version": None, "annotation_strategy": None, "baseline": None,
            "write_baseline": None, "extra_report": [], "sort": "path", "color": "auto"}


def check_args(argv: Sequence[str]) -> Optional[object]:
    """The namespace of ``argv`` (without the program's name) when it is a plain ``check``; else
    None."""
    if not argv or argv[0] != "check":
        return None
    got = defaults()
    paths: List[str] = []
    i = 1
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-"):
            paths.append(arg)
            i += 1
            continue
        if paths or arg == "-" or arg.startswith("---"):
            return None  # options after the paths, or ``-``: as argparse reads them
        name, eq, value = arg.partition("=")
        if name in FLAGS and not eq:
            got[FLAGS[name]] = True
            i += 1
            continue
        if name not in VALUES or (eq and not name.startswith("--")):
            return None
        if not eq:
            if i + 1 >= len(argv):
                return None
            value = argv[i + 1]
            i += 1
            if value.startswith("-"):
                return None  # (argparse takes it for an option, or a negative number)
        i += 1
        key = VALUES[name]
        if key == "jobs":
            if not value.isdigit() or not value.isascii():
                return None
            got[key] = int(value)
        elif key == "format":
            if value not in FORMATS:
                return None
            got[key] = value
        else:
            got[key] = value
    got["paths"] = paths
    from types import SimpleNamespace

    return SimpleNamespace(**got)
