"""The Admin API client against the local emulator, over real loopback sockets.

Time is injected (a fake clock that ``sleep`` advances) so retries and
deployment waits are checked by what was asked for, never by wall-clock time.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from harness.adminapi import (
    AdminApiError,
    AdminClient,
    AdminClientError,
    AuthenticationError,
    ConflictError,
    Credentials,
    DeploymentFailed,
    DeploymentTimeout,
    Exchange,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    SyncState,
    Target,
    TransportError,
)
from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
    Faults,
)

LOGIN = "/auth/providers/mongodb-cloud/login"
SESSION = "/auth/session"
APP_PATH = f"/groups/{DEFAULT_GROUP_ID}/apps/{DEFAULT_APP_ID}"
WRONG_PRIVATE_KEY = "wrong-private-key-7c1e55aa"
ENABLED_PARTITION = SyncState(
    mode="partition",
    state="enabled",
    database_name="todo",
    partition_key="_partition",
    partition_key_type="string",
)


class FakeTime:
    """A clock that only ``sleep`` moves, recording every requested pause."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


class TokenSpy(httpx.BaseTransport):
    """A real HTTP transport that also remembers the tokens the server hands out,
    so a test can prove they never leak into messages or logs."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.tokens: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if request.url.path.endswith((LOGIN, SESSION)) and request.method == "POST":
            response.read()
            if response.status_code < 300:
                data = json.loads(response.content)
                self.tokens.update(
                    value for key, value in data.items() if key.endswith("_token") and value
                )
        return response

    def close(self) -> None:
        self._inner.close()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def exchanges() -> list[Exchange]:
    return []


MakeClient = Callable[..., AdminClient]


@pytest.fixture
def make_client(
    emulator: Emulator, fake_time: FakeTime, exchanges: list[Exchange]
) -> Iterator[MakeClient]:
    """Clients on a freshly reset emulator (``faults`` chooses how it misbehaves)."""
    clients: list[AdminClient] = []

    def make(
        faults: Faults | None = None,
        *,
        private_key: str = DEFAULT_PRIVATE_KEY,
        base_url: str | None = None,
        app_id: str = DEFAULT_APP_ID,
        **options: Any,
    ) -> AdminClient:
        if faults is not None or not clients:
            emulator.reset(faults or Faults())
        options.setdefault("sleep", fake_time.sleep)
        options.setdefault("clock", fake_time.monotonic)
        options.setdefault("jitter", lambda: 0.0)
        client = AdminClient(
            Target(DEFAULT_GROUP_ID, app_id, base_url or emulator.url),
            Credentials(DEFAULT_PUBLIC_KEY, private_key),
            on_exchange=exchanges.append,
            **options,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def calls(exchanges: list[Exchange]) -> list[tuple[str, str, int | None]]:
    return [(e.method, e.path, e.status) for e in exchanges]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# Reading the app


def test_logs_in_lazily_and_lists_apps(make_client: MakeClient, exchanges: list[Exchange]) -> None:
    client = make_client()
    assert exchanges == []
    apps = client.list_apps()
    assert [app.id for app in apps] == [DEFAULT_APP_ID]
    assert apps[0].name == "realm-app"
    assert apps[0].raw["_id"] == DEFAULT_APP_ID
    assert calls(exchanges) == [
        ("POST", LOGIN, 200),
        ("GET", f"/groups/{DEFAULT_GROUP_ID}/apps", 200),
    ]
    assert client.user_id
    app = client.get_app()
    assert app.client_app_id.startswith("realm-app")
    assert (app.location, app.deployment_model) == ("US-VA", "GLOBAL")
    assert [e.path for e in exchanges].count(LOGIN) == 1


def test_exchange_records_are_relative_paths_with_durations(
    make_client: MakeClient, exchanges: list[Exchange]
) -> None:
    with make_client() as client:
        client.list_services()
    assert exchanges
    for exchange in exchanges:
        assert exchange.path.startswith("/")
        assert "/api/admin/v3.0" not in exchange.path
        assert "?" not in exchange.path
        assert exchange.duration_seconds >= 0


def test_finds_the_linked_cluster_and_reads_its_sync_state(make_client: MakeClient) -> None:
    client = make_client()
    service = client.find_service()
    assert service.type == "mongodb-atlas"
    assert service.name == "mongodb-atlas"
    assert client.get_service_config(service.id)["clusterName"] == "Cluster0"
    assert client.get_sync_state(service.id) == ENABLED_PARTITION


def test_a_missing_service_type_is_a_clear_not_found(make_client: MakeClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        make_client().find_service(type="aws")
    message = str(caught.value)
    assert "ServiceNotFound" in message
    assert "'aws'" in message
    assert "'mongodb-atlas' (mongodb-atlas)" in message


def test_an_unknown_app_is_not_found_with_the_server_text(make_client: MakeClient) -> None:
    client = make_client(app_id="0123456789abcdef01234567")
    with pytest.raises(NotFoundError) as caught:
        client.get_app()
    error = caught.value
    assert (error.status, error.error_code, error.method) == (404, "AppNotFound", "GET")
    assert error.path == f"/groups/{DEFAULT_GROUP_ID}/apps/0123456789abcdef01234567"
    assert "app not found" in str(error)


# The seed procedure: terminate sync through a draft, deploy, re-enable


def test_terminate_sync_in_a_draft_then_deploy(make_client: MakeClient) -> None:
    client = make_client()
    service = client.find_service()
    deployments_before = client.list_deployments()

    draft = client.create_draft()
    assert draft.user_id == client.user_id
    assert draft.app_id == DEFAULT_APP_ID
    client.terminate_sync(service.id)
    assert [d.id for d in client.list_drafts()] == [draft.id]
    diff = client.diff_draft(draft.id)
    assert not diff.is_empty
    assert any("state" in line for line in diff.diffs)

    started = client.deploy_draft(draft.id)
    assert started.status == "created"
    assert started.draft_id == draft.id
    finished = client.wait_for_deployment(started.id, interval=1.0)
    assert finished.status == "successful"
    assert finished.id == started.id

    assert client.get_sync_state(service.id) == SyncState(mode="", state="")
    assert client.list_drafts() == []
    latest = client.list_deployments()
    assert latest[0].id == started.id
    assert len(latest) == len(deployments_before) + 1


def test_wait_polls_at_the_interval(make_client: MakeClient, fake_time: FakeTime) -> None:
    client = make_client()
    draft = client.create_draft()
    client.terminate_sync(client.find_service().id)
    deployment = client.deploy_draft(draft.id, name="terminate sync")
    assert deployment.name == "terminate sync"
    client.wait_for_deployment(deployment.id, interval=2.5)
    assert fake_time.sleeps
    assert set(fake_time.sleeps) == {2.5}


def test_second_draft_conflicts_and_open_draft_reuses_it(make_client: MakeClient) -> None:
    client = make_client()
    first = client.create_draft()
    with pytest.raises(ConflictError) as caught:
        client.create_draft()
    error = caught.value
    assert (error.status, error.error_code) == (409, "DraftAlreadyExists")
    assert str(error).startswith(f"POST {APP_PATH}/drafts -> HTTP 409, DraftAlreadyExists: ")
    assert client.open_draft() == first
    assert client.get_draft(first.id) == first
    with pytest.raises(ConflictError):
        client.open_draft(reuse_existing=False)


def test_open_draft_creates_when_there_is_none(make_client: MakeClient) -> None:
    client = make_client()
    draft = client.open_draft()
    assert client.list_drafts() == [draft]


def test_discarding_a_draft_drops_its_changes(make_client: MakeClient) -> None:
    client = make_client()
    service = client.find_service()
    draft = client.create_draft()
    client.terminate_sync(service.id)
    client.discard_draft(draft.id)
    assert client.list_drafts() == []
    assert client.get_sync_state(service.id) == ENABLED_PARTITION
    with pytest.raises(NotFoundError, match="DraftNotFound"):
        client.get_draft(draft.id)
    with pytest.raises(NotFoundError, match="DraftNotFound"):
        client.diff_draft(draft.id)


def test_re_enable_partition_sync_deploys_at_once_without_a_draft(
    make_client: MakeClient,
) -> None:
    client = make_client(Faults(sync_terminated=True))
    service = client.find_service()
    assert client.get_sync_state(service.id).is_terminated
    before = len(client.list_deployments())
    client.enable_partition_sync(service.id, "todo", "_partition")
    assert client.get_sync_state(service.id) == ENABLED_PARTITION
    deployments = client.list_deployments()
    assert len(deployments) == before + 1
    assert deployments[0].status == "successful"


def test_re_enabling_without_settings_is_refused_with_the_server_reason(
    make_client: MakeClient,
) -> None:
    client = make_client(Faults(sync_terminated=True))
    service = client.find_service()
    with pytest.raises(AdminApiError) as caught:
        client.patch_service_config(service.id, {"sync": {"state": "enabled"}})
    error = caught.value
    assert error.status == 400
    assert error.method == "PATCH"
    assert error.path == f"{APP_PATH}/services/{service.id}/config"
    assert error.error_code
    assert error.message


def test_enable_flexible_sync(make_client: MakeClient) -> None:
    client = make_client(Faults(sync_terminated=True))
    service = client.find_service()
    client.enable_flexible_sync(service.id, "todo", ["owner_id"])
    state = client.get_sync_state(service.id)
    assert (state.mode, state.state, state.database_name, state.queryable_fields) == (
        "flexible",
        "enabled",
        "todo",
        ("owner_id",),
    )
    client.terminate_sync(service.id)
    assert client.get_sync_state(service.id).is_terminated


def test_deploy_config_read_and_change(make_client: MakeClient) -> None:
    client = make_client()
    config = client.get_deploy_config()
    assert (config.ui_drafts_disabled, config.automatic_deployment_enabled) == (False, False)
    client.patch_deploy_config({"ui_drafts_disabled": True})
    assert client.get_deploy_config().ui_drafts_disabled
    assert make_client(Faults(ui_drafts_disabled=True)).get_deploy_config().ui_drafts_disabled


# Deployments that do not succeed


def start_termination_deploy(client: AdminClient) -> str:
    draft = client.create_draft()
    client.terminate_sync(client.find_service().id)
    return client.deploy_draft(draft.id).id


def test_failed_deployment_carries_the_server_reason(make_client: MakeClient) -> None:
    reason = "cluster Cluster0 is paused"
    client = make_client(Faults(fail_deploys=reason))
    deployment_id = start_termination_deploy(client)
    with pytest.raises(DeploymentFailed) as caught:
        client.wait_for_deployment(deployment_id)
    assert caught.value.status_error_message == reason
    assert caught.value.deployment_id == deployment_id
    assert str(caught.value) == f"deployment {deployment_id} failed: {reason}"


def test_stalled_deployment_times_out_at_the_bound(
    make_client: MakeClient, fake_time: FakeTime, exchanges: list[Exchange]
) -> None:
    client = make_client(Faults(stall_deployments=True))
    deployment_id = start_termination_deploy(client)
    with pytest.raises(DeploymentTimeout) as caught:
        client.wait_for_deployment(deployment_id, timeout=5.0, interval=2.0)
    error = caught.value
    assert error.last_status == "pending"
    assert error.waited_seconds == 5.0
    assert fake_time.sleeps == [2.0, 2.0, 1.0]
    polls = [e for e in exchanges if e.path.endswith(f"/deployments/{deployment_id}")]
    assert len(polls) == 4
    assert deployment_id in str(error)
    assert "'pending' after 5.0s" in str(error)


# Sessions


def test_expired_token_is_refreshed_once_mid_session(
    make_client: MakeClient, exchanges: list[Exchange]
) -> None:
    client = make_client(Faults(token_ttl_seconds=0.2))
    client.list_apps()
    time.sleep(0.3)  # let the emulator's access token expire
    assert client.get_app().id == DEFAULT_APP_ID
    assert calls(exchanges) == [
        ("POST", LOGIN, 200),
        ("GET", f"/groups/{DEFAULT_GROUP_ID}/apps", 200),
        ("GET", APP_PATH, 401),
        ("POST", SESSION, 201),
        ("GET", APP_PATH, 200),
    ]


def test_a_revoked_refresh_token_leads_to_a_new_login(
    emulator: Emulator, make_client: MakeClient, exchanges: list[Exchange]
) -> None:
    spy = TokenSpy()
    client = make_client(Faults(token_ttl_seconds=0.2), transport=spy)
    client.list_apps()
    for token in list(spy.tokens):  # log the session out elsewhere; access tokens are refused
        httpx.delete(f"{emulator.url}{SESSION}", headers={"Authorization": f"Bearer {token}"})
    time.sleep(0.3)
    assert client.get_app().id == DEFAULT_APP_ID
    assert calls(exchanges)[2:] == [
        ("GET", APP_PATH, 401),
        ("POST", SESSION, 401),
        ("POST", LOGIN, 200),
        ("GET", APP_PATH, 200),
    ]


def test_still_refused_after_refresh_is_an_authentication_error(make_client: MakeClient) -> None:
    client = make_client(Faults(token_ttl_seconds=0.0))
    with pytest.raises(AuthenticationError) as caught:
        client.get_app()
    assert caught.value.status == 401
    assert caught.value.error_code == "InvalidSession"
    assert "still refused after renewing the session" in str(caught.value)


def test_wrong_key_is_an_authentication_error_without_the_key(make_client: MakeClient) -> None:
    client = make_client(private_key=WRONG_PRIVATE_KEY)
    with pytest.raises(AuthenticationError) as caught:
        client.list_apps()
    error = caught.value
    assert (error.status, error.method, error.path) == (401, "POST", LOGIN)
    assert "MONGODB_ATLAS_PRIVATE_API_KEY" in str(error)
    for text in (str(error), repr(error), "".join(traceback.format_exception(error))):
        assert WRONG_PRIVATE_KEY not in text
        assert DEFAULT_PUBLIC_KEY not in text


# Retries


def test_rate_limit_is_retried_honouring_retry_after(
    make_client: MakeClient, fake_time: FakeTime, exchanges: list[Exchange]
) -> None:
    # A backoff of 5s would be used without the header; the emulator says Retry-After: 0.
    policy = RetryPolicy(backoff_base=5.0, jitter=0.2)
    client = make_client(Faults(throttle_next=2), retry=policy, jitter=lambda: 0.5)
    assert [app.id for app in client.list_apps()] == [DEFAULT_APP_ID]
    assert [e.status for e in exchanges] == [200, 429, 429, 200]
    assert fake_time.sleeps == [pytest.approx(0.1), pytest.approx(0.1)]


def test_unavailable_is_retried_with_exponential_backoff(
    make_client: MakeClient, fake_time: FakeTime, exchanges: list[Exchange]
) -> None:
    client = make_client(Faults(unavailable_next=3), retry=RetryPolicy(backoff_base=0.5))
    client.get_app()
    assert [e.status for e in exchanges] == [200, 503, 503, 503, 200]
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


def test_a_post_is_retried_on_503(
    emulator: Emulator, make_client: MakeClient, exchanges: list[Exchange]
) -> None:
    client = make_client()
    client.login()
    emulator.reset(Faults(unavailable_next=1))  # login sessions survive a reset
    assert client.create_draft().id
    assert calls(exchanges)[-2:] == [
        ("POST", f"{APP_PATH}/drafts", 503),
        ("POST", f"{APP_PATH}/drafts", 201),
    ]


def test_exhausted_rate_limit_retries_raise_rate_limited(
    make_client: MakeClient, exchanges: list[Exchange]
) -> None:
    client = make_client(Faults(throttle_next=10), retry=RetryPolicy(max_attempts=3))
    with pytest.raises(RateLimitedError) as caught:
        client.list_services()
    assert str(caught.value) == (
        f"GET {APP_PATH}/services -> HTTP 429, TooManyRequests: too many requests "
        "(gave up after 3 attempt(s))"
    )
    assert [e.status for e in exchanges] == [200, 429, 429, 429]


def test_exhausted_outage_retries_raise_server_error(make_client: MakeClient) -> None:
    client = make_client(Faults(unavailable_next=10), retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ServerError) as caught:
        client.list_deployments()
    error = caught.value
    assert (error.status, error.error_code) == (503, "ServiceUnavailable")
    assert f"GET {APP_PATH}/deployments" in str(error)
    assert "gave up after 2 attempt(s)" in str(error)


def test_connection_refused_is_a_transport_error_after_retries(
    make_client: MakeClient, fake_time: FakeTime, exchanges: list[Exchange]
) -> None:
    base_url = f"http://127.0.0.1:{closed_port()}/api/admin/v3.0"
    client = make_client(base_url=base_url, retry=RetryPolicy(max_attempts=3, backoff_base=1.0))
    with pytest.raises(TransportError) as caught:
        client.list_apps()
    error = caught.value
    assert error.status is None
    assert error.error_code == "ConnectError"
    assert (error.method, error.path) == ("POST", LOGIN)
    assert f"no answer from {base_url} after 3 attempt(s)" in str(error)
    assert calls(exchanges) == [("POST", LOGIN, None)] * 3
    assert fake_time.sleeps == [1.0, 2.0]


# Secrets


def test_no_key_or_token_reaches_an_error_or_a_log_record(
    emulator: Emulator, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    spy = TokenSpy()
    errors: list[BaseException] = []

    def expect_error(action: Callable[[], object]) -> None:
        with pytest.raises(AdminClientError) as caught:
            action()
        errors.append(caught.value)

    wrong = make_client(private_key=WRONG_PRIVATE_KEY, transport=TokenSpy())
    expect_error(wrong.list_apps)

    faults = Faults(token_ttl_seconds=0.2, throttle_next=2, unavailable_next=1)
    client = make_client(faults, transport=spy, retry=RetryPolicy(max_attempts=4))
    client.list_apps()
    time.sleep(0.3)
    draft = client.create_draft()
    expect_error(client.create_draft)
    expect_error(lambda: client.get_deployment("0" * 24))
    client.discard_draft(draft.id)

    failing = make_client(Faults(fail_deploys="deploy failed"), transport=spy)
    expect_error(lambda: failing.wait_for_deployment(start_termination_deploy(failing)))
    expect_error(make_client(Faults(token_ttl_seconds=0.0), transport=spy).get_app)
    refused = make_client(base_url=f"http://127.0.0.1:{closed_port()}/api/admin/v3.0")
    expect_error(refused.get_app)

    secrets = {DEFAULT_PRIVATE_KEY, WRONG_PRIVATE_KEY, *spy.tokens}
    assert len(spy.tokens) >= 4  # logins and refreshes did happen
    texts = [repr(error) for error in errors]
    texts += ["".join(traceback.format_exception(error)) for error in errors]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    assert len(errors) == 6
    assert any("renewing the session" in record.getMessage() for record in caplog.records)
    assert any("retrying" in record.getMessage() for record in caplog.records)
    leaks = [text for text in texts for secret in secrets if secret in text]
    assert leaks == []
