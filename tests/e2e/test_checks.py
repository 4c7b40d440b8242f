"""Each check of harness/plugin/operations.py, caught by an edited recording.

Every test changes one recorded answer (or request) of a committed cassette so
that the product, as recorded, contradicts the page in one way, then replays:
the run must fail at the step whose check sees it, with that check's words.
Removing the check makes its test fail (the step would read verified).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_project import Project

SEED = "docs/source/reference/terminating-and-reenabling-realm-sync.txt"
# A page that gives every form value and deploys (test data written here, not a real page:
# the real Get Started page in docs/ names no values and never deploys).
GET_STARTED = "docs/source/sync/enable-with-values.txt"
PAGE_DATA = Path(__file__).parent / "data" / "enable-sync-with-values.txt"
TERMINATE = "cassettes/reference/terminating-and-reenabling-realm-sync/terminate-realm-sync.yaml"
ENABLE = "cassettes/sync/enable-with-values/enable-sync.yaml"

SERVICE_CONFIG = "/services/000000000000000000000001/config"

Body = Any


def _edit(
    project: Project,
    cassette: str,
    method: str,
    path_end: str,
    change: Callable[[Body], Body],
    occurrence: int = -1,
) -> None:
    """Change the JSON answer to the ``occurrence``-th ``method ...path_end`` request."""
    path = project.root / cassette
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = [
        i
        for i in data["interactions"]
        if i["request"]["method"] == method and i["request"]["uri"].endswith(path_end)
    ]
    response = found[occurrence]["response"]
    body = json.dumps(change(json.loads(response["body"]["string"])))
    response["body"]["string"] = body
    response["headers"]["Content-Length"] = [str(len(body.encode()))]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def _replay(project: Project, keyword: str) -> tuple[str, dict[str, Any]]:
    done = project.docharness("run", "-k", keyword)
    assert done.code == 1, done.output
    assert "Traceback" not in done.output
    results = json.loads((project.root / "reports/results.json").read_text(encoding="utf-8"))
    procedures = [proc for page in results["pages"] for proc in page["procedures"]]
    assert len(procedures) == 1
    return done.stdout, procedures[0]


def _failed(procedure: dict[str, Any]) -> tuple[int, str]:
    failed = [
        s for s in (*procedure["preconditions"], *procedure["steps"]) if s["status"] == "failed"
    ]
    assert failed, procedure
    return failed[0]["line"], failed[0]["error"]


@pytest.fixture
def valued(project: Project) -> Project:
    """The project plus the page with values, extracted and recorded against the emulator."""
    (project.root / GET_STARTED).write_text(PAGE_DATA.read_text(encoding="utf-8"), "utf-8")
    assert project.docharness("extract", "docs", "-o", "features").code in (0, 1)
    recorded = project.docharness("run", "--record", "-k", "enable_with_values")
    assert recorded.code == 0, recorded.output
    assert (project.root / ENABLE).is_file()
    return project


def _sync(state: str) -> Callable[[Body], Body]:
    def change(config: Body) -> Body:
        config["sync"] = {**config.get("sync", {}), "state": state}
        return config

    return change


def test_terminate_that_does_not_stage_fails_the_modal_step(project: Project) -> None:
    # the config read after the PATCH (the last one before review) still says enabled
    _edit(project, TERMINATE, "GET", SERVICE_CONFIG, _sync("enabled"), occurrence=2)
    _, procedure = _replay(project, "terminate")
    line, error = _failed(procedure)
    assert (line, error) == (71, "after terminating, the sync state reads 'enabled'")


def test_empty_draft_diff_fails_review(project: Project) -> None:
    _edit(project, TERMINATE, "GET", "/diff", lambda diff: {**diff, "diffs": []})
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 78 and "shows no changes to review" in error


def test_draft_diff_without_this_scenarios_change_fails_review(project: Project) -> None:
    def other_change(diff: Body) -> Body:
        return {
            **diff,
            "diffs": [
                d.replace('+        "state": ""', '+        "state": "disabled"')
                for d in diff["diffs"]
            ],
        }

    _edit(project, TERMINATE, "GET", "/diff", other_change)
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 78 and "does not show this scenario's change" in error
    assert 'state = ""' in error


def test_no_open_draft_fails_review(project: Project) -> None:
    _edit(project, TERMINATE, "GET", "/drafts", lambda drafts: [], occurrence=0)
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 78 and "no draft holds changes" in error


def test_a_draft_other_than_the_staged_one_fails_review(project: Project) -> None:
    def other(drafts: Body) -> Body:
        return [{**drafts[0], "_id": "0000000000000000000000ff"}]

    _edit(project, TERMINATE, "GET", "/drafts", other, occurrence=0)
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 78 and "is gone" in error


def test_outcome_fails_when_this_scenarios_deployment_is_not_successful(project: Project) -> None:
    # the last read of the deployment is the outcome's own
    _edit(
        project,
        TERMINATE,
        "GET",
        "/deployments/000000000000000000000003",
        lambda d: {**d, "status": "failed"},
    )
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 90 and "is 'failed', not successful" in error


def _pulled_sync(change: Callable[[Body], Body]) -> Callable[[Body], Body]:
    def edit(app: Body) -> Body:
        for source in app["data_sources"]:
            source["config"]["sync"] = change(source["config"].get("sync", {}))
        return app

    return edit


def test_outcome_fails_when_the_deployed_sync_state_differs(project: Project) -> None:
    _edit(project, TERMINATE, "GET", "/pull", _pulled_sync(lambda s: {**s, "state": "enabled"}))
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 90 and "deployed sync state is 'enabled'" in error


def test_form_value_not_deployed_fails_its_own_form_step(valued: Project) -> None:
    # the pull the deploy step reads back (the first after the deployment)
    _edit(
        valued,
        ENABLE,
        "GET",
        "/pull",
        _pulled_sync(lambda s: {**s, "database_name": "other"}),
        occurrence=-2,
    )
    stdout, procedure = _replay(valued, "enable_with_values")
    line, error = _failed(procedure)
    assert line == 50
    assert error == (
        "database_name is 'other' in the deployed sync config (GET .../pull) read after "
        "deployment 000000000000000000000005, but the page sets 'todo'"
    )
    statuses = {s["line"]: s["status"] for s in procedure["steps"]}
    assert statuses[69] == "verified" and statuses[72] == "skipped"
    assert f"{GET_STARTED}:50: failed" in stdout


def test_form_values_confirmed_by_the_deployed_config_are_verified(valued: Project) -> None:
    done = valued.docharness("run", "-k", "enable_with_values")
    assert done.code == 0, done.output
    results = json.loads((valued.root / "reports/results.json").read_text(encoding="utf-8"))
    steps = {s["line"]: s for s in results["pages"][0]["procedures"][0]["steps"]}
    for line, value in ((44, "partition_key = '_partition'"), (50, "database_name = 'todo'")):
        assert steps[line]["status"] == "verified"
        assert (
            value in steps[line]["reason"]
            and "sync config (GET .../pull) read" in steps[line]["reason"]
        )
    assert steps[55]["status"] == "verified" and "development_mode = 'true'" in steps[55]["reason"]


def test_enable_that_does_not_stage_fails_the_enable_step(valued: Project) -> None:
    _edit(valued, ENABLE, "GET", SERVICE_CONFIG, _sync(""), occurrence=-1)
    line, error = _failed(_replay(valued, "enable_with_values")[1])
    assert (line, error) == (60, "after enabling, the sync state reads '' (terminated)")


def test_app_without_a_linked_cluster_fails(project: Project) -> None:
    _edit(project, TERMINATE, "GET", "/services", lambda services: [], occurrence=0)
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 66 and "the app has no linked Atlas cluster" in error


def test_drafts_disabled_fails_the_first_change(project: Project) -> None:
    _edit(project, TERMINATE, "GET", "/deploy/config", lambda c: {**c, "ui_drafts_disabled": True})
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 71 and "drafts are disabled" in error


def _rewrite(project: Project, cassette: str, change: Callable[[list[Any]], None]) -> None:
    path = project.root / cassette
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["interactions"])
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_replay_compares_request_bodies(project: Project) -> None:
    def other_body(interactions: list[Any]) -> None:
        patch = next(i for i in interactions if i["request"]["method"] == "PATCH")
        patch["request"]["body"] = json.dumps({"sync": {"state": "disabled"}})

    _rewrite(project, TERMINATE, other_body)
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 71
    assert error.startswith("replay: this step sent PATCH ")
    assert '{"sync": {"state": "disabled"}}' in error  # what was recorded


def test_replay_requires_the_recorded_order(project: Project) -> None:
    def swap(interactions: list[Any]) -> None:
        first = next(
            n for n, i in enumerate(interactions) if i["request"]["uri"].endswith("/deploy/config")
        )
        interactions[first], interactions[first + 1] = interactions[first + 1], interactions[first]

    _rewrite(project, TERMINATE, swap)
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 71
    assert "this step sent GET " in error and "/deploy/config" in error
    assert "the recording's next request (#5 of " in error and "is POST " in error


def test_replay_fails_when_the_recording_runs_out(project: Project) -> None:
    _rewrite(project, TERMINATE, lambda interactions: interactions.__delitem__(slice(9, None)))
    line, error = _failed(_replay(project, "terminate")[1])
    assert line == 78 and "the recording has no more requests (all 9 were played)" in error
