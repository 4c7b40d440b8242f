"""Cucumber JSON for cucumber dashboards (cucumber-reporting, Allure and the like).

Where pytest-bdd's own cucumber JSON points at the .feature and drops steps it
could not bind, this one points at the documentation: a feature's ``uri`` is the
page's doc file, a step's ``line`` is its doc line and ``match.location`` its
``path:line`` (a step followed into another page keeps that page's file there).
A scenario's ``line`` is its first step's line, in the file that step's
``match.location`` names.

Status mapping:
    verified -> passed      failed -> failed      skipped -> skipped
    unbound  -> undefined   (the cucumber word for "no step definition matches");
                skipped under --allow-unbound, where the run's verdict ignores it
    ui-only  -> passed, with "UI only: ..." in the step's ``output``.
    external -> passed, with "External: ..." in the step's ``output``, for the same
                reason: it never fails its procedure either.
    failed or skipped, accepted by docs/known-findings.toml -> skipped, with
                "Known finding (file:line): ..." in the ``output``: the run's verdict
                does not count it, and a known finding is never shown as passed.
    Cucumber consumers sum a scenario up from its steps: any "pending" or
    "skipped" step makes the scenario, the feature and the dashboard read "not
    passed", so a passing run (exit code 0) would show 0 passed scenarios. A
    ui-only step does not fail its procedure, so it maps to the status that
    agrees with the run's verdict; what it is stays visible in its ``output``,
    and the HTML report and ``docharness report --coverage`` count only
    verified steps as verified.
Preconditions lead each scenario as its first steps, in the same way.
"""

from __future__ import annotations

import json
import re
from typing import Any

from harness.report.status import UNBOUND_ADVICE, checked_steps, location
from harness.results import PageResult, ProcedureResult, RunResult, StepResult, StepStatus

CUCUMBER_STATUS: dict[StepStatus, str] = {
    StepStatus.VERIFIED: "passed",
    StepStatus.UI_ONLY: "passed",
    StepStatus.UNBOUND: "undefined",
    StepStatus.FAILED: "failed",
    StepStatus.SKIPPED: "skipped",
    StepStatus.EXTERNAL: "passed",  # outside the Admin API, never failing: as ui-only
}

_NOT_ID = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    return _NOT_ID.sub("-", text.lower()).strip("-")


def _step(step: StepResult, allow_unbound: bool) -> dict[str, Any]:
    status = CUCUMBER_STATUS[step.status]
    if step.status is StepStatus.UNBOUND and allow_unbound:
        status = "skipped"
    if step.known:
        status = "skipped"
    result: dict[str, Any] = {
        "status": status,
        "duration": round(step.duration_ms * 1_000_000),
    }
    if step.status is StepStatus.FAILED:
        result["error_message"] = step.error or "failed"
    elif step.status is StepStatus.UNBOUND:
        result["error_message"] = "\n".join(filter(None, (UNBOUND_ADVICE, step.reason)))
    entry: dict[str, Any] = {
        "keyword": f"{step.keyword} ",
        "name": step.text,
        "line": step.line,
        "match": {"location": location(step)},
        "result": result,
    }
    if step.known:
        entry["output"] = [f"Known finding ({step.known}): {step.error or step.reason}".strip()]
    if step.status is StepStatus.EXTERNAL:
        entry["output"] = [f"External: outside the Admin API, not run. {step.reason}".strip()]
    if step.status is StepStatus.UI_ONLY:
        entry["output"] = [
            f"UI only: no Admin API call can observe this step. {step.reason}".strip()
        ]
    return entry


def _scenario(feature_id: str, procedure: ProcedureResult, allow_unbound: bool) -> dict[str, Any]:
    name = f"{procedure.title} ({procedure.tab})" if procedure.tab else procedure.title
    tags = [{"name": f"@id:{procedure.id}", "line": procedure.feature_line}]
    if procedure.tab:
        tags.append({"name": f"@tab:{procedure.tab}", "line": procedure.feature_line})
    return {
        "id": f"{feature_id};{_slug(procedure.id)}",
        "keyword": "Scenario",
        "type": "scenario",
        "name": name,
        "description": "",
        "line": procedure.steps[0].line if procedure.steps else 1,
        "tags": tags,
        "steps": [_step(step, allow_unbound) for step in checked_steps(procedure)],
    }


def _feature(page: PageResult, allow_unbound: bool) -> dict[str, Any]:
    feature_id = _slug(page.page)
    return {
        "uri": page.path,
        "id": feature_id,
        "keyword": "Feature",
        "name": page.title or page.page,
        "description": "",
        "line": 1,
        "tags": [{"name": f"@page:{page.page}", "line": 1}],
        "elements": [
            _scenario(feature_id, procedure, allow_unbound) for procedure in page.procedures
        ],
    }


def render_cucumber(result: RunResult) -> str:
    return (
        json.dumps(
            [_feature(page, result.run.allow_unbound) for page in result.pages],
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
