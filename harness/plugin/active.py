"""The heavy half of the plugin: registered only once a run collects a docharness feature.

pytest loads :mod:`harness.plugin` in every project where docharness is
installed, so that module stays light; this one brings pytest-bdd, the catalog,
the Admin API client and vcrpy. :func:`activate` registers it with pytest's
plugin manager, which then finds its fixtures, step definitions and hooks as it
does a conftest's.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, then, when
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness.plugin import collect
from harness.plugin.collect import FeatureModule
from harness.plugin.fixtures import docharness_client, docharness_mode, docharness_scenario
from harness.plugin.shard import assign, parse_shard
from harness.plugin.steps import (
    ANY_SENTENCE,
    pytest_bdd_before_step,
    step_given,
    step_then,
    step_when,
)

PLUGIN_NAME = "docharness-active"

given(ANY_SENTENCE)(step_given)
when(ANY_SENTENCE)(step_when)
then(ANY_SENTENCE)(step_then)

# pytest finds hooks, fixtures and step definitions among this module's names.
__all__ = [
    "FeatureModule",
    "activate",
    "docharness_client",
    "docharness_mode",
    "docharness_scenario",
    "pytest_bdd_apply_tag",
    "pytest_bdd_before_step",
    "pytest_collection_modifyitems",
    "step_given",
    "step_then",
    "step_when",
]


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> Any:
    """Ahead of pytest-bdd's own, which would make every data tag an unknown mark."""
    return collect.pytest_bdd_apply_tag(tag, function)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep only this shard's scenarios (--docharness-shard), then resolve the run settings."""
    spec = config.getoption("docharness_shard")
    if spec:
        try:
            index, count = parse_shard(spec)
        except ValueError as error:
            raise pytest.UsageError(f"docharness: --docharness-shard: {error}") from None
        kept, dropped = _shard(items, index, count, config.rootpath)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    collect.pytest_collection_modifyitems(config, items)


def _shard(
    items: list[pytest.Item], index: int, count: int, root: Path
) -> tuple[list[pytest.Item], list[pytest.Item]]:
    """(kept, dropped): a page is its feature file (named from the root, so that every
    machine names it alike); its weight, its scenarios' steps."""

    def page(item: pytest.Item) -> str:
        path = item.path
        return (path.relative_to(root) if path.is_relative_to(root) else path).as_posix()

    weights: dict[str, int] = {}
    for item in items:
        if isinstance(item.parent, FeatureModule):
            function = getattr(item, "function", None)
            templated = scenario_wrapper_template_registry.get(function) if function else None
            steps = len(templated.steps) if templated is not None else 1
            weights[page(item)] = weights.get(page(item), 0) + steps
    shard_of = assign(weights, count)
    kept = [i for i in items if shard_of.get(page(i), index) == index]
    dropped = [i for i in items if shard_of.get(page(i), index) != index]
    return kept, dropped


def activate(config: pytest.Config) -> None:
    """Register this module with the run (once)."""
    if not config.pluginmanager.has_plugin(PLUGIN_NAME):
        config.pluginmanager.register(sys.modules[__name__], PLUGIN_NAME)
