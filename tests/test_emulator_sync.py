"""The Sync state machine of the emulated service config, as pure functions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.emulator.errors import ApiError
from harness.emulator.syncconfig import apply_config_patch, document_diff

ENABLED = {
    "state": "enabled",
    "database_name": "todo",
    "partition": {"key": "_partition", "type": "string"},
}
CONFIG = {"clusterName": "Cluster0", "readPreference": "primary", "sync": ENABLED}
PARTITION = {"key": "_partition", "type": "string"}
DEV_MODE = {"development_mode_enabled": True}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
sync_settings = st.dictionaries(st.text(min_size=1, max_size=12), json_values, max_size=5)


@given(current=sync_settings, extra=sync_settings)
def test_terminating_keeps_nothing_of_the_sync_settings(
    current: dict[str, Any], extra: dict[str, Any]
) -> None:
    config = {**CONFIG, "sync": {**current, "state": "enabled"}}
    after = apply_config_patch(config, {"sync": {**extra, "state": ""}})
    assert after["sync"] == {"state": ""}
    assert {k: v for k, v in after.items() if k != "sync"} == {
        k: v for k, v in config.items() if k != "sync"
    }


@given(config=st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_an_unchanged_config_has_no_diff(config: dict[str, Any]) -> None:
    assert document_diff("data_sources/mongodb-atlas/config.json", config, dict(config)) == []


def test_the_input_is_never_modified() -> None:
    before = {**CONFIG, "sync": dict(ENABLED)}
    apply_config_patch(before, {"sync": {"state": "disabled"}, "readPreference": "nearest"})
    assert before == {**CONFIG, "sync": ENABLED}


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        ({"sync": {"state": "enabled", "database_name": "x"}}, ["partition.key", "partition.type"]),
        (
            {"sync": {**DEV_MODE, "state": "enabled", "partition": PARTITION}},
            ["database_name"],
        ),
        ({"sync": {"state": "disabled"}}, ["not enabled"]),
        ({"flexible_sync": {"state": "enabled"}}, ["queryable_fields_names"]),
        (
            {"flexible_sync": {"state": "enabled", "queryable_fields_names": [1]}},
            ["queryable_fields_names"],
        ),
    ],
)
def test_terminated_sync_refuses_incomplete_changes(
    patch: dict[str, Any], words: list[str]
) -> None:
    terminated = {**CONFIG, "sync": {"state": ""}}
    with pytest.raises(ApiError) as raised:
        apply_config_patch(terminated, patch)
    assert raised.value.status == 400
    assert raised.value.error_code == "InvalidSyncConfiguration"
    assert all(word in raised.value.error for word in words)


def test_resuming_a_paused_sync_needs_only_the_state() -> None:
    paused = apply_config_patch(CONFIG, {"sync": {"state": "disabled"}})
    resumed = apply_config_patch(paused, {"sync": {"state": "enabled"}})
    assert resumed["sync"] == ENABLED


def test_partition_sync_without_development_mode_needs_no_database() -> None:
    terminated = {**CONFIG, "sync": {"state": ""}}
    after = apply_config_patch(
        terminated, {"sync": {"state": "enabled", "database_name": "", "partition": PARTITION}}
    )
    assert after["sync"]["state"] == "enabled"
