"""The docharness pytest plugin: run generated features against the Admin API.

Registered through the ``pytest11`` entry point, so ``pytest features/`` and
``docharness run`` behave the same. It collects ``.feature`` files that carry
docharness' generated header, binds every step through the catalog with
three generic step definitions, and records one result per step for the
reports (``reports/results.json``).

Modes: ``replay`` (default; cassettes, network blocked), ``record`` (talk to
``--api-url`` and write cassettes), ``live`` (talk to ``--api-url``, write
nothing but results).
"""

from __future__ import annotations

from pytest_bdd import given, then, when

from harness.plugin.collect import (
    pytest_bdd_apply_tag,
    pytest_collect_file,
    pytest_collection_modifyitems,
)
from harness.plugin.fixtures import docharness_client, docharness_mode, docharness_scenario
from harness.plugin.gather import pytest_sessionfinish, pytest_testnodedown
from harness.plugin.options import pytest_addoption, pytest_unconfigure
from harness.plugin.steps import (
    ANY_SENTENCE,
    pytest_bdd_before_step,
    step_given,
    step_then,
    step_when,
)

given(ANY_SENTENCE)(step_given)
when(ANY_SENTENCE)(step_when)
then(ANY_SENTENCE)(step_then)

# pytest finds hooks, fixtures and step definitions among this module's names.
__all__ = [
    "docharness_client",
    "docharness_mode",
    "docharness_scenario",
    "pytest_addoption",
    "pytest_bdd_apply_tag",
    "pytest_bdd_before_step",
    "pytest_collect_file",
    "pytest_collection_modifyitems",
    "pytest_sessionfinish",
    "pytest_testnodedown",
    "pytest_unconfigure",
    "step_given",
    "step_then",
    "step_when",
]
