"""Three generic step definitions: the catalog, not Python, decides what a sentence means.

They match any sentence (:data:`ANY_SENTENCE`) and are bound with pytest-bdd's
``given``/``when``/``then`` in :mod:`harness.plugin`, the module pytest loads,
because pytest-bdd registers a step definition in the module that binds it.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import parsers

from harness.plugin.scenario import ScenarioRun, StepFailure

_CURRENT_STEP = pytest.StashKey[int]()  # feature line of the step being run
ANY_SENTENCE = parsers.re(r"(?P<sentence>.+)")


def step_given(request: pytest.FixtureRequest, docharness_scenario: ScenarioRun) -> None:
    _perform(docharness_scenario, request.node.stash[_CURRENT_STEP])


def step_when(request: pytest.FixtureRequest, docharness_scenario: ScenarioRun) -> None:
    _perform(docharness_scenario, request.node.stash[_CURRENT_STEP])


def step_then(request: pytest.FixtureRequest, docharness_scenario: ScenarioRun) -> None:
    _perform(docharness_scenario, request.node.stash[_CURRENT_STEP])


def _perform(run: ScenarioRun, feature_line: int) -> None:
    ref = next(s for s in run.info.steps if s.feature_line == feature_line)
    try:
        run.perform(ref)
    except StepFailure as failure:
        message = str(failure)
    else:
        return
    pytest.fail(message, pytrace=False)  # outside the except: the reason is shown once


def pytest_bdd_before_step(request: pytest.FixtureRequest, step: Any, **_: Any) -> None:
    request.node.stash[_CURRENT_STEP] = step.line_number
