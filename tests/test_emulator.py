"""The emulator over real loopback sockets: auth, drafts, deployments, Sync, faults, lifecycle."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
    Faults,
    serve,
)

APP = f"/groups/{DEFAULT_GROUP_ID}/apps/{DEFAULT_APP_ID}"
LOGIN = "/auth/providers/mongodb-cloud/login"
MAX_POLLS = 10

REENABLE = {
    "sync": {
        "state": "enabled",
        "database_name": "tasks",
        "partition": {"key": "owner_id", "type": "string", "permissions": {"read": True}},
    }
}


class ManualClock:
    """A monotonic clock the test moves by hand, so token expiry needs no waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Api:
    """A thin httpx client that logs in with the emulator's keys."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.http = httpx.Client(base_url=emulator.url, timeout=10)
        self.token = ""
        self.refresh_token = ""

    def login(self) -> dict[str, Any]:
        response = self.http.post(
            LOGIN, json={"username": DEFAULT_PUBLIC_KEY, "apiKey": DEFAULT_PRIVATE_KEY}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.token, self.refresh_token = body["access_token"], body["refresh_token"]
        return body

    def request(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> httpx.Response:
        bearer = self.token if token is None else token
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return self.http.request(method, path, json=body, headers=headers)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.request(method, path, body)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def service_id(self) -> str:
        services = self.ok("GET", f"{APP}/services")
        return str(services[0]["_id"])

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.ok("GET", f"{APP}/services/{self.service_id()}/config")
        return config

    def patch_config(self, patch: Any) -> httpx.Response:
        return self.request("PATCH", f"{APP}/services/{self.service_id()}/config", patch)

    def poll(self, deployment_id: str) -> list[str]:
        """Statuses seen until the deployment finishes (bounded by MAX_POLLS)."""
        seen = []
        for _ in range(MAX_POLLS):
            status = self.ok("GET", f"{APP}/deployments/{deployment_id}")["status"]
            seen.append(status)
            if status in ("successful", "failed"):
                break
        return seen

    def deployed_config(self) -> dict[str, Any]:
        """The deployed config as the emulator's debug snapshot shows it (no draft view)."""
        state = httpx.get(f"{self.emulator.root_url}/__emulator/state", timeout=10).json()
        config: dict[str, Any] = state["services"][self.service_id()]
        return config


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def emulator(clock: ManualClock) -> Iterator[Emulator]:
    with Emulator(clock=clock) as running:
        yield running


@pytest.fixture
def api(emulator: Emulator) -> Iterator[Api]:
    emulator.reset()
    client = Api(emulator)
    client.login()
    yield client
    client.http.close()


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "error_code"}
    assert body["error_code"] == code
    assert isinstance(body["error"], str) and body["error"]
    return body


# -- auth ------------------------------------------------------------------------------------


def test_login_answers_tokens_user_and_device(api: Api) -> None:
    first = api.login()
    second = api.login()
    assert set(first) == {"access_token", "refresh_token", "user_id", "device_id"}
    assert first["access_token"] != second["access_token"]
    assert first["user_id"] == second["user_id"]
    assert len(first["user_id"]) == 24


@pytest.mark.parametrize(
    "body",
    [
        {"username": DEFAULT_PUBLIC_KEY, "apiKey": "wrong"},
        {"username": "someone-else", "apiKey": DEFAULT_PRIVATE_KEY},
    ],
)
def test_login_with_a_wrong_key_is_refused(api: Api, body: dict[str, str]) -> None:
    assert_error(api.http.post(LOGIN, json=body), 401, "InvalidPassword")


def test_login_without_the_fields_is_a_bad_request(api: Api) -> None:
    assert_error(api.http.post(LOGIN, json={"username": "x"}), 400, "BadRequest")
    assert_error(api.http.post(LOGIN, content=b"{not json"), 400, "BadRequest")


def test_access_token_expires_and_refresh_renews_it(
    emulator: Emulator, api: Api, clock: ManualClock
) -> None:
    emulator.reset(Faults(token_ttl_seconds=60))
    api.login()
    api.ok("GET", f"/groups/{DEFAULT_GROUP_ID}/apps")
    clock.now += 61
    expired = assert_error(
        api.request("GET", f"/groups/{DEFAULT_GROUP_ID}/apps"), 401, "InvalidSession"
    )
    assert expired["error"] == "invalid session: access token expired"
    renewed = api.http.post(
        "/auth/session", headers={"Authorization": f"Bearer {api.refresh_token}"}
    )
    assert renewed.status_code == 201
    assert set(renewed.json()) == {"access_token"}
    api.token = renewed.json()["access_token"]
    apps = api.ok("GET", f"/groups/{DEFAULT_GROUP_ID}/apps")
    assert [app["_id"] for app in apps] == [DEFAULT_APP_ID]


def test_a_shorter_token_lifetime_applies_to_live_sessions_from_the_reset(
    emulator: Emulator, api: Api, clock: ManualClock
) -> None:
    clock.now += 600
    emulator.reset(Faults(token_ttl_seconds=30))
    api.ok("GET", APP)
    clock.now += 31
    assert_error(api.request("GET", APP), 401, "InvalidSession")


def test_unknown_or_missing_token_is_an_invalid_session(api: Api) -> None:
    assert_error(api.request("GET", APP, token="not-a-token"), 401, "InvalidSession")
    assert_error(api.request("GET", APP, token=""), 401, "InvalidSession")


def test_refresh_refuses_access_tokens_and_logged_out_sessions(api: Api) -> None:
    wrong_type = api.http.post("/auth/session", headers={"Authorization": f"Bearer {api.token}"})
    assert "incorrect token type" in assert_error(wrong_type, 401, "InvalidSession")["error"]
    auth = {"Authorization": f"Bearer {api.refresh_token}"}
    assert api.http.delete("/auth/session", headers=auth).status_code == 204
    gone = api.http.post("/auth/session", headers=auth)
    assert "failed to find refresh token" in assert_error(gone, 401, "InvalidSession")["error"]


# -- apps, services, routing -------------------------------------------------------------------


def test_app_and_its_linked_cluster(api: Api) -> None:
    app = api.ok("GET", APP)
    assert (app["_id"], app["client_app_id"], app["name"]) == (
        DEFAULT_APP_ID,
        "realm-app-abcde",
        "realm-app",
    )
    assert (app["location"], app["deployment_model"]) == ("US-VA", "GLOBAL")
    services = api.ok("GET", f"{APP}/services")
    assert [(s["name"], s["type"]) for s in services] == [("mongodb-atlas", "mongodb-atlas")]
    config = api.config()
    assert config["clusterName"] == "Cluster0"
    assert config["sync"]["state"] == "enabled"
    assert config["sync"]["partition"]["key"] == "_partition"


def test_unknown_ids_and_routes_answer_json_errors(api: Api) -> None:
    assert_error(
        api.request("GET", f"/groups/{DEFAULT_GROUP_ID}/apps/{'0' * 24}"), 404, "AppNotFound"
    )
    assert_error(api.request("GET", f"/groups/{'0' * 24}/apps"), 404, "GroupNotFound")
    assert_error(api.request("GET", f"{APP}/services/{'0' * 24}/config"), 404, "ServiceNotFound")
    assert_error(api.request("GET", f"{APP}/deployments/{'0' * 24}"), 404, "DeploymentNotFound")
    assert_error(api.request("DELETE", f"{APP}/drafts/{'0' * 24}"), 404, "DraftNotFound")
    assert_error(api.request("GET", f"{APP}/no-such-thing"), 404, "NotFound")
    assert_error(api.request("PUT", f"{APP}/drafts"), 405, "MethodNotAllowed")


def test_a_body_that_is_not_an_object_is_a_bad_request(api: Api) -> None:
    assert_error(api.patch_config(["sync"]), 400, "BadRequest")
    assert_error(api.patch_config({"sync": "off"}), 400, "InvalidSyncConfiguration")
    assert_error(api.patch_config({"sync": {"state": "paused"}}), 400, "InvalidSyncConfiguration")


# -- drafts and deployments --------------------------------------------------------------------


def test_one_draft_per_user(api: Api) -> None:
    draft = api.ok("POST", f"{APP}/drafts", status=201)
    assert draft["user_id"] == api.login()["user_id"]
    assert draft["app"] == {"id": DEFAULT_APP_ID, "name": "realm-app"}
    assert_error(api.request("POST", f"{APP}/drafts"), 409, "DraftAlreadyExists")
    assert api.ok("GET", f"{APP}/drafts") == [draft]


def test_terminate_sync_in_a_draft_then_deploy(api: Api) -> None:
    draft = api.ok("POST", f"{APP}/drafts", status=201)
    assert api.patch_config({"sync": {"state": ""}}).status_code == 204
    assert api.config()["sync"] == {"state": ""}, "the draft's owner sees the draft's view"
    assert api.deployed_config()["sync"]["state"] == "enabled", "nothing deployed yet"

    diff = api.ok("GET", f"{APP}/drafts/{draft['_id']}/diff")
    assert len(diff["diffs"]) == 1
    lines = diff["diffs"][0].splitlines()
    assert "--- data_sources/mongodb-atlas/config.json" in lines
    assert '-        "state": "enabled"' in lines
    assert '+        "state": ""' in lines
    assert diff["hosting_files_diff"] == {"added": [], "deleted": [], "modified": []}

    deployment = api.ok("POST", f"{APP}/drafts/{draft['_id']}/deployment", status=201)
    assert deployment["status"] == "created"
    assert deployment["draft_id"] == draft["_id"]
    assert api.ok("GET", f"{APP}/drafts") == [], "deploying closes the draft"
    assert api.poll(deployment["_id"]) == ["pending", "successful"]

    config = api.config()
    assert config["sync"] == {"state": ""}
    assert "partition" not in json.dumps(config)
    newest = api.ok("GET", f"{APP}/deployments")[0]
    assert (newest["_id"], newest["status"]) == (deployment["_id"], "successful")


def test_deployment_name_defaults_to_its_id(api: Api) -> None:
    first = api.ok("POST", f"{APP}/drafts", status=201)
    unnamed = api.ok("POST", f"{APP}/drafts/{first['_id']}/deployment", status=201)
    assert unnamed["name"] == unnamed["_id"]
    second = api.ok("POST", f"{APP}/drafts", status=201)
    named = api.ok("POST", f"{APP}/drafts/{second['_id']}/deployment", {"name": "v2"}, status=201)
    assert named["name"] == "v2"


def test_discarding_a_draft_drops_its_changes(api: Api) -> None:
    draft = api.ok("POST", f"{APP}/drafts", status=201)
    api.patch_config({"sync": {"state": ""}})
    assert api.request("DELETE", f"{APP}/drafts/{draft['_id']}").status_code == 204
    assert api.config()["sync"]["state"] == "enabled"
    assert api.ok("GET", f"{APP}/drafts") == []


def test_without_a_draft_a_change_deploys_at_once(api: Api) -> None:
    before = api.ok("GET", f"{APP}/deployments")
    assert api.patch_config({"sync": {"state": "disabled"}}).status_code == 204
    after = api.ok("GET", f"{APP}/deployments")
    assert len(after) == len(before) + 1
    assert after[0]["status"] == "successful"
    assert after[0]["origin"] == "API"
    assert "draft_id" not in after[0]
    assert api.deployed_config()["sync"]["state"] == "disabled"
    assert api.deployed_config()["sync"]["database_name"] == "todo", "pausing keeps the settings"


def test_reenabling_a_terminated_sync_needs_its_configuration_again(api: Api) -> None:
    api.patch_config({"sync": {"state": ""}})
    refused = assert_error(
        api.patch_config({"sync": {"state": "enabled"}}), 400, "InvalidSyncConfiguration"
    )
    assert "partition.key" in refused["error"] and "partition.type" in refused["error"]
    assert api.config()["sync"] == {"state": ""}
    assert api.patch_config(REENABLE).status_code == 204
    sync = api.config()["sync"]
    assert (sync["state"], sync["database_name"], sync["partition"]["key"]) == (
        "enabled",
        "tasks",
        "owner_id",
    )


def test_a_terminated_sync_cannot_be_paused(api: Api) -> None:
    api.patch_config({"sync": {"state": ""}})
    assert_error(api.patch_config({"sync": {"state": "disabled"}}), 400, "InvalidSyncConfiguration")


def test_flexible_sync_beside_partition_sync(api: Api) -> None:
    flexible = {
        "flexible_sync": {
            "state": "enabled",
            "database_name": "todo",
            "queryable_fields_names": ["owner_id"],
        }
    }
    both = assert_error(api.patch_config(flexible), 400, "InvalidSyncConfiguration")
    assert "terminate one" in both["error"]
    api.patch_config({"sync": {"state": ""}})
    assert_error(
        api.patch_config({"flexible_sync": {"state": "enabled", "database_name": "todo"}}),
        400,
        "InvalidSyncConfiguration",
    )
    assert api.patch_config(flexible).status_code == 204
    assert api.config()["flexible_sync"]["queryable_fields_names"] == ["owner_id"]
    assert api.patch_config({"flexible_sync": {"state": "disabled"}}).status_code == 204
    assert api.config()["flexible_sync"]["queryable_fields_names"] == ["owner_id"]
    assert api.patch_config({"flexible_sync": {"state": ""}}).status_code == 204
    assert api.config()["flexible_sync"] == {"state": ""}


def test_deploy_config_reads_and_changes(api: Api) -> None:
    path = f"{APP}/deploy/config"
    assert api.ok("GET", path) == {
        "ui_drafts_disabled": False,
        "automatic_deployment": {"enabled": False},
    }
    api.ok(
        "PATCH",
        path,
        {"ui_drafts_disabled": True, "automatic_deployment": {"enabled": False}},
        status=204,
    )
    assert api.ok("GET", path)["ui_drafts_disabled"] is True
    assert_error(api.request("PATCH", path, {"ui_drafts_disabled": "yes"}), 400, "BadRequest")


# -- faults ------------------------------------------------------------------------------------


def test_failing_deploys_end_failed_with_the_message(emulator: Emulator, api: Api) -> None:
    emulator.reset(Faults(fail_deploys="cluster is paused"))
    draft = api.ok("POST", f"{APP}/drafts", status=201)
    api.patch_config({"sync": {"state": ""}})
    deployment = api.ok("POST", f"{APP}/drafts/{draft['_id']}/deployment", status=201)
    assert api.poll(deployment["_id"]) == ["pending", "failed"]
    failed = api.ok("GET", f"{APP}/deployments/{deployment['_id']}")
    assert failed["status_error_message"] == "cluster is paused"
    assert api.deployed_config()["sync"]["state"] == "enabled", (
        "a failed deployment changes nothing"
    )


def test_stalled_deployments_stay_pending(emulator: Emulator, api: Api) -> None:
    emulator.reset(Faults(stall_deployments=True))
    draft = api.ok("POST", f"{APP}/drafts", status=201)
    api.patch_config({"sync": {"state": ""}})
    deployment = api.ok("POST", f"{APP}/drafts/{draft['_id']}/deployment", status=201)
    assert api.poll(deployment["_id"]) == ["pending"] * MAX_POLLS
    assert api.deployed_config()["sync"]["state"] == "enabled"


def test_throttling_answers_429_with_retry_after_then_recovers(
    emulator: Emulator, api: Api
) -> None:
    emulator.reset(Faults(throttle_next=2))
    api.login()  # login is not throttled
    for _ in range(2):
        response = api.request("GET", APP)
        assert_error(response, 429, "TooManyRequests")
        assert response.headers["Retry-After"] == "0"
    assert api.ok("GET", APP)["_id"] == DEFAULT_APP_ID


def test_unavailable_answers_503_then_recovers(emulator: Emulator, api: Api) -> None:
    emulator.reset(Faults(unavailable_next=1))
    assert_error(api.request("GET", APP), 503, "ServiceUnavailable")
    assert api.ok("GET", APP)["_id"] == DEFAULT_APP_ID


def test_starting_with_sync_terminated_and_drafts_disabled(emulator: Emulator, api: Api) -> None:
    emulator.reset(Faults(sync_terminated=True, ui_drafts_disabled=True))
    assert api.config()["sync"] == {"state": ""}
    assert api.ok("GET", f"{APP}/deploy/config")["ui_drafts_disabled"] is True


# -- reset and control ---------------------------------------------------------------------------


def test_reset_restores_the_state_and_restarts_ids(emulator: Emulator, api: Api) -> None:
    service_id = api.service_id()
    initial_deployments = api.ok("GET", f"{APP}/deployments")
    initial_config = api.config()
    draft = api.ok("POST", f"{APP}/drafts", status=201)
    api.patch_config({"sync": {"state": ""}})
    api.ok("POST", f"{APP}/drafts/{draft['_id']}/deployment", status=201)

    emulator.reset()
    assert api.service_id() == service_id
    assert api.ok("GET", f"{APP}/deployments") == initial_deployments
    assert api.config() == initial_config
    assert api.ok("GET", f"{APP}/drafts") == []
    assert api.ok("POST", f"{APP}/drafts", status=201)["_id"] == draft["_id"], "ids restart"


def test_reset_over_http_takes_faults(emulator: Emulator, api: Api) -> None:
    control = f"{emulator.root_url}/__emulator"
    api.patch_config({"sync": {"state": ""}})
    assert httpx.post(f"{control}/reset", timeout=10).status_code == 204
    assert api.config()["sync"]["state"] == "enabled", "the session survives a reset"
    assert (
        httpx.post(f"{control}/reset", json={"sync_terminated": True}, timeout=10).status_code
        == 204
    )
    state = httpx.get(f"{control}/state", timeout=10).json()
    assert state["faults"]["sync_terminated"] is True
    assert api.config()["sync"] == {"state": ""}
    assert api.token not in json.dumps(state), "the snapshot holds no tokens"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"fail_deploy": "x"}, "fail_deploy"),
        ({"throttle_next": "2"}, "throttle_next"),
        ([1], "object"),
    ],
)
def test_reset_with_bad_faults_is_refused_by_name(
    emulator: Emulator, body: Any, named: str
) -> None:
    response = httpx.post(f"{emulator.root_url}/__emulator/reset", json=body, timeout=10)
    assert named in assert_error(response, 400, "InvalidFaults")["error"]


def test_control_api_refuses_callers_that_are_not_loopback(emulator: Emulator) -> None:
    """Served wider by mistake (here: called in-process as from 10.1.2.3), control still says no."""

    async def from_elsewhere() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=emulator.app, client=("10.1.2.3", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as remote:
            return [await remote.post("/__emulator/reset"), await remote.get("/__emulator/state")]

    for response in asyncio.run(from_elsewhere()):
        assert_error(response, 403, "Forbidden")


# -- serving -------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "localhost", "::"])
def test_binding_anything_but_loopback_is_refused(host: str) -> None:
    with pytest.raises(ValueError, match=r"only binds 127\.0\.0\.1"):
        Emulator(host=host)
    with pytest.raises(ValueError, match=r"only binds 127\.0\.0\.1"):
        serve(0, host=host)


def serving_threads(port: int) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"docharness-emulator-{port}"]


def test_repeated_start_and_stop_reuse_the_port_and_leak_no_threads() -> None:
    baseline = set(threading.enumerate())
    emulator = Emulator()
    ports = set()
    for _ in range(3):
        assert emulator.start() is emulator
        assert emulator.start() is emulator, "starting a running emulator changes nothing"
        ports.add(emulator.url)
        response = httpx.post(
            emulator.url + LOGIN,
            json={"username": DEFAULT_PUBLIC_KEY, "apiKey": DEFAULT_PRIVATE_KEY},
            timeout=10,
        )
        assert response.status_code == 200
        emulator.stop()
        emulator.stop()
        with pytest.raises(httpx.ConnectError):
            httpx.get(emulator.url + "/groups", timeout=10)
    assert len(ports) == 1
    assert serving_threads(int(emulator.root_url.rsplit(":", 1)[1])) == []
    assert set(threading.enumerate()) <= baseline


def test_start_fails_clearly_when_the_port_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            Emulator(port=port).start()
    assert serving_threads(port) == []


def test_url_needs_a_started_emulator() -> None:
    with pytest.raises(RuntimeError, match="start"):
        _ = Emulator().url
