"""Cucumber JSON: doc file and lines, unbound steps present as "undefined"."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from test_report_fixtures import (
    GET_STARTED,
    PARTITION_SENTENCE,
    SEED,
    failing_result,
    seed_result,
    unbound_result,
)

from harness.report.cucumber import render_cucumber
from harness.results import dumps, loads


def _scenario(text: str, name: str) -> dict[str, Any]:
    features = json.loads(text)
    return next(s for f in features for s in f["elements"] if s["name"] == name)


def test_features_are_pages_and_point_at_the_doc_files() -> None:
    features = json.loads(render_cucumber(seed_result()))
    assert [f["uri"] for f in features] == [SEED, GET_STARTED]
    assert features[0]["name"] == "Terminating & Re-enabling Realm Sync"
    assert features[0]["keyword"] == "Feature"
    terminate = features[0]["elements"][0]
    assert terminate["name"] == "Terminate Realm Sync" and terminate["keyword"] == "Scenario"
    assert terminate["line"] == 66
    assert [s["line"] for s in terminate["steps"]] == [18, 66, 71, 78, 84, 90]
    assert terminate["steps"][1]["match"] == {"location": f"{SEED}:66"}
    assert terminate["steps"][1]["keyword"] == "When "
    reenable = features[0]["elements"][1]
    assert reenable["steps"][1]["match"]["location"] == f"{GET_STARTED}:39"


def test_statuses_map_to_cucumber_words() -> None:
    steps = _scenario(render_cucumber(seed_result()), "Terminate Realm Sync")["steps"]
    # ui-only maps to passed (a passing run must not read "0 passed"); its output says what it is
    assert [s["result"]["status"] for s in steps] == ["passed"] * 6
    assert steps[1]["output"][0].startswith("UI only: no Admin API call can observe this step.")
    assert steps[2]["result"]["duration"] == 113_000_000  # 52 ms + 61 ms, in nanoseconds


def test_unbound_steps_are_present_as_undefined() -> None:
    steps = _scenario(render_cucumber(unbound_result()), "Re-enable Realm Sync")["steps"]
    assert len(steps) == 9  # precondition + 7 steps + outcome: none dropped
    undefined = [s for s in steps if s["result"]["status"] == "undefined"]
    assert [(s["name"], s["line"]) for s in undefined] == [(PARTITION_SENTENCE, 44)]
    assert "catalog.toml" in undefined[0]["result"]["error_message"]
    assert [s["result"]["status"] for s in steps[3:]] == ["skipped"] * 6


def test_unbound_steps_are_skipped_when_the_run_allowed_them() -> None:
    result = unbound_result()
    allowed = replace(result, run=replace(result.run, allow_unbound=True))
    steps = _scenario(render_cucumber(allowed), "Re-enable Realm Sync")["steps"]
    statuses = [s["result"]["status"] for s in steps]
    assert "undefined" not in statuses and statuses[2] == "skipped"


def test_a_failed_step_carries_its_error() -> None:
    steps = _scenario(render_cucumber(failing_result()), "Terminate Realm Sync")["steps"]
    failed = steps[4]
    assert failed["result"]["status"] == "failed" and failed["line"] == 84
    assert "cluster Cluster0 is paused" in failed["result"]["error_message"]


def test_same_results_give_the_same_bytes() -> None:
    result = unbound_result()
    assert render_cucumber(result) == render_cucumber(loads(dumps(result)))


def _with_step(result: Any, index: int, **changes: Any) -> Any:
    """``result`` with step ``index`` of its first procedure changed."""
    page = result.pages[0]
    procedure = page.procedures[0]
    steps = list(procedure.steps)
    steps[index] = replace(steps[index], **changes)
    procedures = (replace(procedure, steps=tuple(steps)), *page.procedures[1:])
    return replace(result, pages=(replace(page, procedures=procedures), *result.pages[1:]))


def test_an_external_step_reads_passed_with_a_note_as_ui_only_does() -> None:
    from harness.results import StepStatus

    result = _with_step(seed_result(), 0, status=StepStatus.EXTERNAL, reason="client SDK code")
    assert result.passed  # an external step never fails its procedure
    steps = _scenario(render_cucumber(result), "Terminate Realm Sync")["steps"]
    assert steps[1]["result"]["status"] == "passed"
    assert steps[1]["output"] == ["External: outside the Admin API, not run. client SDK code"]


def test_a_known_finding_is_skipped_with_its_entry_never_passed() -> None:
    from harness.report.junit import render_junit
    from harness.results import StepStatus

    result = _with_step(
        seed_result(),
        4,
        status=StepStatus.FAILED,
        error="never deployed",
        known="docs/known-findings.toml:10",
    )
    assert result.passed
    steps = _scenario(render_cucumber(result), "Terminate Realm Sync")["steps"]
    assert steps[5]["result"]["status"] == "skipped"
    assert steps[5]["output"] == ["Known finding (docs/known-findings.toml:10): never deployed"]
    junit = render_junit(result)
    assert 'failures="0"' in junit and "<failure" not in junit
    assert "known finding (docs/known-findings.toml:10)" in junit and 'skipped="1"' in junit
    unaccepted = _with_step(result, 4, known="")
    assert not unaccepted.passed and "<failure" in render_junit(unaccepted)
