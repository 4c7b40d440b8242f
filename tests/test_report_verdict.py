"""The run's verdict and what cleanup left behind, as results.json and the summary state them."""

from __future__ import annotations

from dataclasses import replace

from test_report_fixtures import _with_procedure, seed_result

from harness.cli.run import summary, total
from harness.report.html import render_html
from harness.report.status import page_status, procedure_status
from harness.results import StepStatus, dumps, loads


def test_an_undiscarded_draft_is_in_results_and_summary() -> None:
    result = seed_result()
    procedure = replace(result.pages[0].procedures[0], undiscarded_drafts=("d1",))
    dirty = loads(dumps(_with_procedure(result, 0, 0, procedure)))
    assert dirty.pages[0].procedures[0].undiscarded_drafts == ("d1",)
    assert "draft d1 could not be discarded" in summary(dirty)


def test_allowed_unbound_steps_pass_the_run_and_its_report() -> None:
    result = seed_result()
    procedure = result.pages[0].procedures[0]
    steps = (replace(procedure.steps[0], status=StepStatus.UNBOUND), *procedure.steps[1:])
    strict = _with_procedure(result, 0, 0, replace(procedure, steps=steps))
    allowed = replace(strict, run=replace(strict.run, allow_unbound=True))
    assert not strict.passed and loads(dumps(allowed)).passed
    assert "FAILED" in summary(strict) and "FAILED" not in summary(allowed)
    assert '<h2 id="verdict-title">Failed</h2>' in render_html(strict)
    assert '<h2 id="verdict-title">Passed</h2>' in render_html(allowed)


def test_a_known_finding_never_makes_a_page_or_procedure_badge_failed() -> None:
    result = seed_result()
    procedure = result.pages[0].procedures[0]
    failed = replace(procedure.steps[1], status=StepStatus.FAILED, error="never deployed")
    known = replace(failed, known="docs/known-findings.toml:10")
    for step, verdict in ((known, True), (failed, False)):
        steps = (procedure.steps[0], step, *procedure.steps[2:])
        changed = _with_procedure(result, 0, 0, replace(procedure, steps=steps))
        assert changed.passed is verdict
        page = changed.pages[0]
        assert (procedure_status(page.procedures[0]) is StepStatus.FAILED) is not verdict
        assert (page_status(page) is StepStatus.FAILED) is not verdict


def test_the_summary_counts_steps_as_the_html_report_does() -> None:
    result = seed_result()
    procedures = [proc for page in result.pages for proc in page.procedures]
    steps = sum(len(proc.steps) for proc in procedures)
    preconditions = sum(len(proc.preconditions) for proc in procedures)
    assert preconditions  # the seed's scenarios have them, so the two counts differ
    line = total(result)
    assert f"; {steps} steps: " in line and f"; {preconditions} preconditions: " in line
    assert f"{steps} steps" in render_html(result)
