"""The operations' guards and the scenario's bookkeeping, against a real local emulator.

Each test drives one operation (or a ScenarioRun) into the situation its check
exists for; removing the check makes the test fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.adminapi import AdminClient, Credentials, RetryPolicy, Target
from harness.catalog import load_catalog
from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
    Faults,
)
from harness.plugin.operations import (
    OPERATIONS,
    CheckFailed,
    ScenarioState,
    deploy_draft,
    review_draft,
    stage_enable_sync,
    stage_terminate_sync,
)
from harness.plugin.scenario import ScenarioInfo, ScenarioRun, StepRef
from harness.results import StepStatus


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    server = Emulator().start()
    yield server
    server.stop()


class FailingDeletes(httpx.BaseTransport):
    """The network, except that the first ``count`` DELETEs get a 503 (a flaky service)."""

    def __init__(self, count: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.left = count

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE" and self.left > 0:
            self.left -= 1
            return httpx.Response(503, json={"error": "unavailable", "error_code": "Unavailable"})
        return self.inner.handle_request(request)


def _client(emulator: Emulator, transport: httpx.BaseTransport | None = None) -> AdminClient:
    return AdminClient(
        Target(DEFAULT_GROUP_ID, DEFAULT_APP_ID, emulator.url),
        Credentials(DEFAULT_PUBLIC_KEY, DEFAULT_PRIVATE_KEY),
        transport=transport,
        retry=RetryPolicy(max_attempts=1),
        sleep=lambda _: None,
    )


def _state(client: AdminClient) -> ScenarioState:
    return ScenarioState(client=client, deploy_timeout=5.0, poll_interval=0.01)


def test_terminating_a_sync_that_is_not_enabled_fails_before_changing_anything(
    emulator: Emulator,
) -> None:
    emulator.reset(Faults(sync_terminated=True))
    with _client(emulator) as client:
        state = _state(client)
        with pytest.raises(CheckFailed, match="terminates an enabled Sync, but the sync state"):
            stage_terminate_sync(state, {})
        assert client.list_drafts() == []


def test_enable_needs_partition_mode_and_the_form_values(emulator: Emulator) -> None:
    with _client(emulator) as client:
        state = _state(client)
        state.form.update(mode="flexible")
        with pytest.raises(CheckFailed, match="sync mode 'flexible' is not supported"):
            stage_enable_sync(state, {})
        state.form.update(mode="partition")
        with pytest.raises(CheckFailed, match="the form has no partition_key"):
            stage_enable_sync(state, {})
        state.form.update(partition_key="_partition", development_mode="true")
        with pytest.raises(CheckFailed, match="the form has no database_name"):
            stage_enable_sync(state, {})
        assert client.list_drafts() == []


def test_enable_without_development_mode_needs_no_database_name(emulator: Emulator) -> None:
    emulator.reset(Faults(sync_terminated=True))
    with _client(emulator) as client:
        state = _state(client)
        state.form.update(mode="partition", partition_key="owner_id")
        stage_enable_sync(state, {})
        staged = state.sync_state()
        assert (staged.state, staged.partition_key, staged.database_name) == (
            "enabled",
            "owner_id",
            "",
        )


def test_review_of_a_draft_this_scenario_did_not_stage_fails(emulator: Emulator) -> None:
    with _client(emulator) as client:
        other = _state(client)
        stage_terminate_sync(other, {})  # someone else's change sits in the draft
        state = _state(client)
        with pytest.raises(CheckFailed, match="no earlier step of this scenario staged one"):
            review_draft(state, {})


def test_deploy_needs_a_staged_and_reviewed_draft(emulator: Emulator) -> None:
    with _client(emulator) as client:
        state = _state(client)
        with pytest.raises(CheckFailed, match="there is no draft to deploy"):
            deploy_draft(state, {})
        stage_terminate_sync(state, {})
        with pytest.raises(CheckFailed, match="was not reviewed"):
            deploy_draft(state, {})
        assert client.list_deployments()[0].draft_id != state.draft_id


def test_outcome_without_a_deployment_of_this_scenario_fails(emulator: Emulator) -> None:
    with _client(emulator) as client:
        state = _state(client)
        # the app's history has a successful deployment: it is not this scenario's
        assert client.list_deployments()[0].status == "successful"
        with pytest.raises(CheckFailed, match="no step of this scenario deployed a change"):
            OPERATIONS["expect_deployed_sync_state"].run(state, {"state": "enabled"})


def test_outcome_reads_the_deployed_config_not_the_open_draft(emulator: Emulator) -> None:
    with _client(emulator) as client:
        state = _state(client)
        stage_terminate_sync(state, {})
        review_draft(state, {})
        deploy_draft(state, {})
        # a later change of this user sits in a new draft: the deployed state is still ""
        other = _state(client)
        other.form.update(mode="partition", partition_key="_partition", database_name="todo")
        stage_enable_sync(other, {})
        assert client.get_sync_state(state.linked_cluster()).state == "enabled"  # draft view
        message = OPERATIONS["expect_deployed_sync_state"].run(state, {"state": ""})
        assert "deployed sync state is ''" in message


def _run(client: AdminClient) -> ScenarioRun:
    info = ScenarioInfo("x/y", "Y", frozenset(), Path("x.feature"), 1, ())
    return ScenarioRun(info, load_catalog(), _state(client))


def test_cleanup_retries_a_failing_discard(emulator: Emulator) -> None:
    with _client(emulator, FailingDeletes(2)) as client:
        run = _run(client)
        stage_terminate_sync(run.state, {})
        run.cleanup()
        assert run.undiscarded_drafts == []
        assert client.list_drafts() == []


def test_cleanup_reports_a_draft_it_could_not_discard(emulator: Emulator) -> None:
    with _client(emulator, FailingDeletes(100)) as client:
        run = _run(client)
        stage_terminate_sync(run.state, {})
        run.cleanup()
        assert run.undiscarded_drafts == [run.state.draft_id]
        assert run.result("x.feature").undiscarded_drafts == (run.state.draft_id,)


def test_failed_precondition_skips_steps_that_change_the_app(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.reset(Faults(sync_terminated=True))
    with _client(emulator) as client:
        catalog = load_catalog()
        steps = (
            StepRef(
                "When",
                'in the "Sync" tab, click the red "Terminate Sync" button.',
                "action",
                3,
                "p.txt",
                10,
            ),
            StepRef(
                "And",
                'check the "I want to terminate Sync" checkbox and then click the '
                '"Terminate Sync" button on the modal.',
                "action",
                4,
                "p.txt",
                11,
            ),
        )
        tags = frozenset({"label:terminating-realm-sync"})
        feature = tmp_path / "x.feature"  # a step's code is read from its feature file
        feature.write_text("Feature: X\n", encoding="utf-8")
        info = ScenarioInfo("x/y", "Y", tags, feature, 1, steps)
        run = ScenarioRun(info, catalog, _state(client))
        run.establish_preconditions(catalog.preconditions_for(tags))
        for ref in steps:
            run.perform(ref)
        assert run.blocked.startswith("precondition 'sync-is-enabled' does not hold")
        assert [r.status for r in run.results] == [StepStatus.UI_ONLY, StepStatus.SKIPPED]
        assert client.list_drafts() == []
