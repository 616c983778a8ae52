"""The repository's modules and facts, as both ``cost`` commands need them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from importguard.config.settings import Config


def load_modules(paths: Sequence[str], config: Config, use_cache: bool, jobs: int = 0):
    """The first-party modules of ``paths`` with their facts (from the cache when allowed)."""
    from importguard.discovery.files import discover
    from importguard.engine.pipeline import load_facts, modules_from

    analysed, _ = discover(paths or ["."], config)
    facts = load_facts(analysed, config, jobs=jobs, use_cache=use_cache)
    return modules_from(analysed, facts)
