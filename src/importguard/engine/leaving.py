"""What a run leaves unfreed when the process ends right after it.

The command line leaves with ``os._exit`` once its output is flushed (``commands.cli.run``), so the
interpreter never frees the run's objects one by one. The functions of a run free their own,
though, as they return: after an import changed in a hub module of a 6,000-file tree, the facts of
every file, the repository's context and its memos took 0.08 s to free, after the findings were
known and before they were printed. ``hold`` keeps such objects until the process ends.

Only the command line turns it on (``ON``): a program that calls the engine and lives on
(``engine.check`` from Python, the flake8 plugin, the tests) must get that memory back.
"""
from __future__ import annotations

from typing import List

ON = False  # the command line sets it: the process ends with ``os._exit`` right after the run
_HELD: List[object] = []


def hold(*objects: object) -> None:
    """Keep ``objects`` alive until the process ends (when ``ON``), not freed as a function returns."""
    if ON:
        _HELD.append(objects)
