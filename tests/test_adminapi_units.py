"""The Admin API client's pure parts: settings, retry timing, sync parsing, deviations, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from harness.adminapi import (
    AdminApiError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    Credentials,
    DeploymentFailed,
    DeploymentTimeout,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    SyncState,
    Target,
    TransportError,
    from_env,
    parse_retry_after,
    sync_state_from_config,
)
from harness.adminapi.deviations import object_list, single_object
from harness.adminapi.errors import error_for_status
from harness.adminapi.sync import flexible_sync_patch, partition_sync_patch, terminate_patch

PUBLIC = "pub-key-unit-test"
PRIVATE = "priv-key-unit-test-5f3c9a"
GROUP = "5f0a1b2c3d4e5f6a7b8c9d01"
APP = "5f0a1b2c3d4e5f6a7b8c9d02"
FULL_ENV = {
    "MONGODB_ATLAS_PUBLIC_API_KEY": PUBLIC,
    "MONGODB_ATLAS_PRIVATE_API_KEY": PRIVATE,
    "MONGODB_ATLAS_PROJECT_ID": GROUP,
    "DOCHARNESS_APP_ID": APP,
}

# Settings


def test_credentials_repr_hides_the_private_key() -> None:
    credentials = Credentials(PUBLIC, PRIVATE)
    assert PRIVATE not in repr(credentials)
    assert PRIVATE not in str(credentials)
    assert PUBLIC in repr(credentials)


def test_credentials_must_not_be_empty() -> None:
    with pytest.raises(ConfigurationError):
        Credentials(PUBLIC, "")


def test_from_env_reads_the_atlas_cli_names() -> None:
    target, credentials = from_env(FULL_ENV)
    assert credentials == Credentials(PUBLIC, PRIVATE)
    assert target == Target(group_id=GROUP, app_id=APP)
    assert target.base_url == "https://services.cloud.mongodb.com/api/admin/v3.0"
    assert target.app_path == f"/groups/{GROUP}/apps/{APP}"


def test_from_env_names_every_missing_variable_and_no_value() -> None:
    with pytest.raises(ConfigurationError) as caught:
        from_env({"MONGODB_ATLAS_PUBLIC_API_KEY": PUBLIC, "DOCHARNESS_APP_ID": "  "})
    message = str(caught.value)
    assert "MONGODB_ATLAS_PRIVATE_API_KEY" in message
    assert "MONGODB_ATLAS_PROJECT_ID (or DOCHARNESS_GROUP_ID)" in message
    assert "DOCHARNESS_APP_ID" in message
    assert "MONGODB_ATLAS_PUBLIC_API_KEY" not in message
    assert PUBLIC not in message


def test_credentials_from_env_names_only_the_missing_half() -> None:
    environ = {"MONGODB_ATLAS_PRIVATE_API_KEY": PRIVATE}
    with pytest.raises(ConfigurationError) as caught:
        Credentials.from_env(environ)
    assert "MONGODB_ATLAS_PUBLIC_API_KEY" in str(caught.value)
    assert "MONGODB_ATLAS_PRIVATE_API_KEY" not in str(caught.value)
    assert PRIVATE not in str(caught.value)


def test_harness_group_variable_wins_and_values_are_stripped() -> None:
    other_group = "aaaaaaaaaaaaaaaaaaaaaaaa"
    environ = {**FULL_ENV, "DOCHARNESS_GROUP_ID": f" {other_group}\n"}
    target = Target.from_env(environ, base_url="http://127.0.0.1:1/api/admin/v3.0")
    assert target.group_id == other_group
    assert target.base_url == "http://127.0.0.1:1/api/admin/v3.0"


def test_a_client_app_id_is_refused_with_a_hint() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Target.from_env({**FULL_ENV, "DOCHARNESS_APP_ID": "realm-app-abcde"})
    assert "client App ID" in str(caught.value)
    assert "realm-app-abcde" not in str(caught.value)


# Retry timing


NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 0 ", 0.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        ("Wed, 01 May 2024 12:00:45", 45.0),
        ("-1", None),
        ("soon", None),
        ("1.5", None),
        ("²", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_backoff_doubles_up_to_its_cap_and_adds_scaled_jitter() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0, jitter=0.2)
    assert [policy.delay(n, None, 0.0) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.delay(1, None, 0.5) == pytest.approx(0.6)


def test_retry_after_replaces_the_backoff() -> None:
    policy = RetryPolicy(backoff_base=10.0, jitter=0.0)
    assert policy.delay(3, 2.0, 0.9) == 2.0


def test_only_statuses_the_server_did_not_act_on_repeat_a_post() -> None:
    policy = RetryPolicy()
    assert policy.should_retry_status("POST", 429)
    assert policy.should_retry_status("POST", 503)
    assert not policy.should_retry_status("POST", 502)
    assert policy.should_retry_status("GET", 502)
    assert policy.should_retry_status("patch", 504)
    assert not policy.should_retry_status("GET", 500)
    assert not policy.should_retry_status("GET", 404)


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(jitter=-1.0)


# Sync settings


def test_partition_sync_state() -> None:
    config = {
        "clusterName": "Cluster0",
        "sync": {
            "state": "disabled",
            "database_name": "todo",
            "partition": {"key": "_partition", "type": "string", "permissions": {}},
            "development_mode_enabled": True,
        },
    }
    assert sync_state_from_config(config) == SyncState(
        mode="partition",
        state="disabled",
        database_name="todo",
        partition_key="_partition",
        partition_key_type="string",
        development_mode=True,
    )


def test_flexible_sync_state() -> None:
    config = {
        "sync": {"state": ""},
        "flexible_sync": {
            "state": "enabled",
            "database_name": "todo",
            "queryable_fields_names": ["owner_id", 3, "status"],
        },
    }
    state = sync_state_from_config(config)
    assert (state.mode, state.state, state.queryable_fields) == (
        "flexible",
        "enabled",
        ("owner_id", "status"),
    )
    assert state.is_enabled


@pytest.mark.parametrize(
    "config",
    [{}, {"sync": {"state": ""}}, {"sync": None, "flexible_sync": {"state": ""}}, {"sync": []}],
)
def test_terminated_sync_reads_as_empty(config: dict[str, object]) -> None:
    state = sync_state_from_config(config)
    assert state == SyncState(mode="", state="")
    assert state.is_terminated


def test_sync_patches() -> None:
    assert terminate_patch(SyncState("flexible", "enabled")) == {"flexible_sync": {"state": ""}}
    assert terminate_patch(SyncState("", "")) == {"sync": {"state": ""}}
    assert partition_sync_patch("todo", "_partition", "string", False, {"read": True}) == {
        "sync": {
            "state": "enabled",
            "database_name": "todo",
            "partition": {"key": "_partition", "type": "string", "permissions": {"read": True}},
            "development_mode_enabled": False,
        }
    }
    assert flexible_sync_patch("todo", ("a",)) == {
        "flexible_sync": {
            "state": "enabled",
            "database_name": "todo",
            "queryable_fields_names": ["a"],
        }
    }


# Spec deviations


def test_object_answers_accept_the_spec_array_shape() -> None:
    assert single_object({"a": 1}) == {"a": 1}
    assert single_object([{"a": 1}]) == {"a": 1}
    assert single_object([{"a": 1}, {"b": 2}]) is None
    assert single_object("text") is None


def test_list_answers_accept_the_spec_object_shape() -> None:
    assert object_list([{"_id": "d1"}]) == [{"_id": "d1"}]
    assert object_list({"_id": "d1"}) == [{"_id": "d1"}]
    assert object_list({}) == []
    assert object_list(None) == []
    assert object_list([1]) is None


# Errors


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, AuthenticationError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitedError),
        (503, ServerError),
        (400, AdminApiError),
    ],
)
def test_error_type_follows_the_status(status: int, kind: type[AdminApiError]) -> None:
    error = error_for_status(status, "Code", "text", "GET", "/x")
    assert type(error) is kind


def test_error_messages_name_the_request_and_the_server_text() -> None:
    error = ConflictError(
        409, "DraftAlreadyExists", "a draft already exists", "POST", "/groups/g/apps/a/drafts"
    )
    assert str(error) == (
        "POST /groups/g/apps/a/drafts -> HTTP 409, DraftAlreadyExists: a draft already exists"
    )
    no_answer = TransportError(None, "ConnectError", "refused", "GET", "/x", hint="after 3")
    assert str(no_answer) == "GET /x -> ConnectError: refused (after 3)"


def test_deployment_errors_explain_themselves() -> None:
    failed = DeploymentFailed("d1", "")
    assert "d1" in str(failed)
    assert "no status_error_message" in str(failed)
    timeout = DeploymentTimeout("d2", "pending", 12.34, 10.0)
    assert "d2" in str(timeout)
    assert "'pending'" in str(timeout)
    assert "12.3s" in str(timeout)
    assert "bound 10s" in str(timeout)
