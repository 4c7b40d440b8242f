"""Coverage: the verified share of steps, and every unbound sentence with its doc line."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_report_fixtures import (
    GET_STARTED,
    PARTITION_SENTENCE,
    SEED,
    failing_result,
    seed_result,
    unbound_result,
)

from harness.report.coverage import format_coverage, measure
from harness.results import RunResult, StepStatus


def test_verified_share_is_verified_steps_over_all_steps() -> None:
    coverage = measure(seed_result())
    assert coverage.steps.total == 21
    assert coverage.steps.count(StepStatus.VERIFIED) == 14
    assert coverage.steps.count(StepStatus.UI_ONLY) == 7
    assert coverage.verified_share == pytest.approx(100 * 14 / 21)
    assert coverage.below(66.7) and not coverage.below(66.6)


def test_ui_only_steps_make_a_procedure_partly_verified_never_fully() -> None:
    coverage = measure(seed_result())
    assert coverage.procedures.total == 3
    assert coverage.procedures.count(StepStatus.UI_ONLY) == 3
    assert coverage.procedures.count(StepStatus.VERIFIED) == 0


def test_a_page_counts_under_its_worst_procedure() -> None:
    coverage = measure(failing_result())
    assert coverage.pages.count(StepStatus.FAILED) == 1
    assert coverage.pages.count(StepStatus.UI_ONLY) == 1
    assert coverage.steps.count(StepStatus.FAILED) == 1
    assert coverage.steps.count(StepStatus.SKIPPED) == 1


def test_unbound_sentences_are_listed_once_with_path_and_line() -> None:
    result = unbound_result()
    twice = replace(result, pages=(*result.pages, result.pages[0]))
    coverage = measure(twice)
    assert coverage.steps.count(StepStatus.UNBOUND) == 2
    assert [(s.path, s.line) for s in coverage.unbound] == [(GET_STARTED, 44)]
    text = format_coverage(coverage)
    assert f"  {GET_STARTED}:44: {PARTITION_SENTENCE}\n" in text
    assert "Unbound sentences (1)" in text


def test_the_text_report_states_the_figure_and_its_definition() -> None:
    text = format_coverage(measure(seed_result()))
    assert "Verified share of steps: 66.7% (14 of 21)" in text
    assert "verified steps / all steps" in text
    steps_row = next(line for line in text.splitlines() if line.startswith("steps"))
    assert steps_row.split()[:4] == ["steps", "21", "14", "(66.7%)"]
    assert SEED not in text  # nothing unbound, so no sentence is listed


def test_no_steps_means_nothing_verified() -> None:
    empty = RunResult(run=seed_result().run, pages=())
    coverage = measure(empty)
    assert coverage.verified_share == 0.0
    assert coverage.below(0.1) and not coverage.below(0)
