"""Enabling Sync from the form the page's earlier steps fill: the 2021 "Define Sync
Rules" page's partition key step, and a form value missing because docharness did not run
the step that enters it (never the page's defect) or because the page has no such step
(the page's defect)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.adminapi import AdminClient, Credentials, RetryPolicy, Target
from harness.adminapi.sync import SyncState
from harness.catalog import Bound, bind_step, load_catalog
from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
    Faults,
)
from harness.plugin.operations import ScenarioState
from harness.plugin.scenario import ScenarioInfo, ScenarioRun, StepFailure, StepRef
from harness.results import StepStatus

UI = frozenset({"page:sync/rules", "tab:ui"})
SELECT = (
    "You can enable sync for a single linked cluster in your application. Determine which "
    'cluster you want to use and then select it from the "Select Cluster To Sync" dropdown menu.'
)
PARTITION = (
    "The sync partition key is a field in every synced document that maps each document to a "
    "client-side realm. Sync rules apply at the partition level, so it's particularly important "
    "to consider your data model and access patterns."
)
ENABLE = (
    "Now that you've configured rules for your synced cluster, all that's left to do is turn on "
    'sync for client applications. Click "Enable Sync", take note of any recommendations that '
    "appear, and then confirm your choice."
)
UNBOUND = "Frobnicate the partition widget."


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture
def client(emulator: Emulator) -> Iterator[AdminClient]:
    emulator.reset(Faults(sync_terminated=True))
    with AdminClient(
        Target(DEFAULT_GROUP_ID, DEFAULT_APP_ID, emulator.url),
        Credentials(DEFAULT_PUBLIC_KEY, DEFAULT_PRIVATE_KEY),
        retry=RetryPolicy(max_attempts=1),
        sleep=lambda _: None,
    ) as admin:
        yield admin


def _play(
    client: AdminClient, texts: tuple[str, ...], tmp_path: Path
) -> tuple[ScenarioRun, SyncState]:
    """Perform the steps up to the first failure; the run, and the sync state the caller's
    draft shows before the run cleans up."""
    feature = tmp_path / "rules.feature"
    feature.write_text("Feature: R\n  Scenario: R\n" + "    And a step\n" * 8, encoding="utf-8")
    steps = tuple(
        StepRef("And", text, "action", 2 + line, "rules.txt", 10 + line)
        for line, text in enumerate(texts, 1)
    )
    info = ScenarioInfo("sync/rules/ui", "Define Sync Rules (ui)", UI, feature, 1, steps)
    state = ScenarioState(client=client, deploy_timeout=5.0, poll_interval=0.01)
    run = ScenarioRun(info, load_catalog(), state)
    try:
        for ref in steps:
            try:
                run.perform(ref)
            except StepFailure:
                break
        staged = state.sync_state()
    finally:
        run.cleanup()
    return run, staged


def test_the_2021_partition_key_step_binds_to_the_dropdown_in_the_ui_tab_only() -> None:
    found = bind_step(load_catalog(), PARTITION, "action", UI)
    assert isinstance(found, Bound) and found.entry.id == "sync-partition-key-dropdown"
    other = bind_step(load_catalog(), PARTITION, "action", frozenset({"tab:cli"}))
    assert not (isinstance(other, Bound) and other.entry.id == "sync-partition-key-dropdown")


def test_enable_sync_stages_the_stand_in_key_with_no_database_and_the_page_never_deploys(
    client: AdminClient, tmp_path: Path
) -> None:
    run, staged = _play(client, (SELECT, PARTITION, ENABLE), tmp_path)
    steps = run.result("rules.feature").steps
    assert [s.status for s in steps] == [
        StepStatus.VERIFIED,
        StepStatus.UI_ONLY,
        StepStatus.FAILED,
    ]
    assert "stand-in (partition_key = '_partition')" in steps[1].reason
    assert 'sync.partition.key = "_partition"' in steps[2].error
    assert "no later step of the page deploys it" in steps[2].error
    assert (staged.state, staged.partition_key, staged.database_name) == (
        "enabled",
        "_partition",
        "",
    )


def test_a_missing_value_after_a_step_docharness_did_not_run_is_not_the_pages_defect(
    client: AdminClient, tmp_path: Path
) -> None:
    run, staged = _play(client, (SELECT, UNBOUND, ENABLE), tmp_path)
    steps = run.result("rules.feature").steps
    assert [s.status for s in steps] == [
        StepStatus.VERIFIED,
        StepStatus.UNBOUND,
        StepStatus.UI_ONLY,
    ]
    assert "the form has no partition_key" in steps[2].reason
    assert f"line 12 ({UNBOUND!r}) that could is unbound" in steps[2].reason
    assert staged.state == "", "nothing was staged: Sync stays terminated"


def test_a_missing_value_no_earlier_step_could_enter_fails_the_step(
    client: AdminClient, tmp_path: Path
) -> None:
    run, _ = _play(client, (SELECT, ENABLE), tmp_path)
    steps = run.result("rules.feature").steps
    assert steps[1].status is StepStatus.FAILED
    assert "the form has no partition_key" in steps[1].error
