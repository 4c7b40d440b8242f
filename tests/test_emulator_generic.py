"""The spec-driven part of the emulator: generic resources, the draft overlay, pull and push,
the documented sync schema, and bodies no API should accept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
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
)
from harness.emulator.contract import load_spec, validate_interaction
from harness.emulator.deviations import DEVIATIONS
from harness.emulator.openapi import SPEC_PATH, resources
from harness.emulator.routes import _HAND_WRITTEN, MAX_BODY_BYTES, MAX_BODY_DEPTH

APP = f"/groups/{DEFAULT_GROUP_ID}/apps/{DEFAULT_APP_ID}"
FUNCTION = {"name": "hello", "source": "exports = () => 'hi'", "private": False}
VALUE = {"name": "answer", "value": 42, "private": False, "from_secret": False}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    emulator.reset()
    with httpx.Client(base_url=emulator.url, timeout=30) as client:
        login = {"username": DEFAULT_PUBLIC_KEY, "apiKey": DEFAULT_PRIVATE_KEY}
        token = client.post("/auth/providers/mongodb-cloud/login", json=login).json()
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        yield client


def names(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["name"] for item in answer.json()]


def pulled(http: httpx.Client) -> dict[str, Any]:
    answer = http.get(f"{APP}/pull")
    assert answer.status_code == 200, answer.text
    config: dict[str, Any] = answer.json()
    return config


def deploy(http: httpx.Client, draft_id: str) -> None:
    deployment = http.post(f"{APP}/drafts/{draft_id}/deployment").json()
    for _ in range(10):
        if http.get(f"{APP}/deployments/{deployment['_id']}").json()["status"] == "successful":
            return
    raise AssertionError("the deployment did not succeed")


def service_id(http: httpx.Client) -> str:
    return str(http.get(f"{APP}/services").json()[0]["_id"])


# -- the draft overlay, once for every drafted resource ---------------------------------------


def test_without_a_draft_a_change_deploys_at_once(http: httpx.Client) -> None:
    before = len(http.get(f"{APP}/deployments").json())
    created = http.post(f"{APP}/functions", json=FUNCTION)
    assert created.status_code == 201
    assert len(created.json()["_id"]) == 24 and int(created.json()["_id"], 16)
    deployments = http.get(f"{APP}/deployments").json()
    assert len(deployments) == before + 1 and deployments[0]["status"] == "successful"
    assert [f["name"] for f in pulled(http)["functions"]] == ["hello"]


def test_with_a_draft_a_change_waits_for_the_deployment(http: httpx.Client) -> None:
    draft = http.post(f"{APP}/drafts").json()
    http.post(f"{APP}/functions", json=FUNCTION)
    assert names(http.get(f"{APP}/functions")) == ["hello"], "the author sees their draft"
    assert pulled(http)["functions"] == [], "pull shows the deployed app only"
    diff = http.get(f"{APP}/drafts/{draft['_id']}/diff").json()["diffs"]
    assert len(diff) == 1 and "functions.json" in diff[0] and "hello" in diff[0]
    deploy(http, draft["_id"])
    assert [f["name"] for f in pulled(http)["functions"]] == ["hello"]


def test_a_discarded_draft_changes_nothing(http: httpx.Client) -> None:
    draft = http.post(f"{APP}/drafts").json()
    http.post(f"{APP}/values", json=VALUE)
    http.delete(f"{APP}/drafts/{draft['_id']}")
    assert names(http.get(f"{APP}/values")) == []


def test_runtime_resources_change_at_once_without_a_deployment(http: httpx.Client) -> None:
    http.post(f"{APP}/drafts")
    before = len(http.get(f"{APP}/deployments").json())
    user = http.post(f"{APP}/users", json={"email": "a@example.com", "password": "secret1"})
    assert user.status_code == 201, user.text
    assert len(http.get(f"{APP}/users").json()) == 1
    assert len(http.get(f"{APP}/deployments").json()) == before


def test_items_update_replace_act_and_delete(http: httpx.Client) -> None:
    made = http.post(f"{APP}/api_keys", json={"name": "ci"}).json()
    item = f"{APP}/api_keys/{made['_id']}"
    assert http.put(f"{item}/disable").status_code == 204
    assert http.get(item).json()["disabled"] is True
    assert http.put(f"{item}/enable").status_code == 204
    assert http.get(item).json()["disabled"] is False
    assert http.delete(item).status_code == 204
    gone = http.get(item)
    assert gone.status_code == 404 and gone.json()["error_code"] == "ApiKeyNotFound"


def test_a_redeploy_brings_back_what_a_deployment_deployed(
    http: httpx.Client, emulator: Emulator
) -> None:
    created = http.post(f"{APP}/values", json=VALUE).json()
    with_value = http.get(f"{APP}/deployments").json()[0]["_id"]
    http.delete(f"{APP}/values/{created['_id']}")
    assert names(http.get(f"{APP}/values")) == []
    assert http.post(f"{APP}/deployments/{with_value}/redeploy").status_code == 204
    assert names(http.get(f"{APP}/values")) == ["answer"]
    assert http.get(f"{APP}/deployments").json()[0]["status"] == "successful"


def test_only_a_successful_deployment_is_redeployed(http: httpx.Client, emulator: Emulator) -> None:
    emulator.reset(Faults(fail_deploys="broken"))
    http.post(f"{APP}/values", json=VALUE)
    failed = http.get(f"{APP}/deployments").json()[0]
    assert failed["status"] == "failed"
    answer = http.post(f"{APP}/deployments/{failed['_id']}/redeploy")
    assert answer.status_code == 400 and answer.json()["error_code"] == "InvalidDeployment"
    missing = http.post(f"{APP}/deployments/{'0' * 24}/redeploy")
    assert missing.status_code == 404
    export = http.get(f"{APP}/export", params={"deployment": failed["_id"]})
    assert export.status_code == 400 and export.json()["error_code"] == "InvalidDeployment"


def test_a_secret_value_is_never_answered(http: httpx.Client) -> None:
    created = http.post(f"{APP}/secrets", json={"name": "key", "value": "s3cr3t-value"})
    assert created.status_code == 201 and "s3cr3t-value" not in created.text
    listed = http.get(f"{APP}/secrets")
    assert [s["name"] for s in listed.json()] == ["key"] and "s3cr3t-value" not in listed.text


def test_children_of_a_missing_parent_are_not_found(http: httpx.Client) -> None:
    answer = http.get(f"{APP}/services/{'0' * 24}/rules")
    assert answer.status_code == 404 and answer.json()["error_code"] == "ServiceNotFound"


def test_a_body_the_spec_rejects_is_refused(http: httpx.Client) -> None:
    answer = http.post(f"{APP}/values", json={"name": 7})
    assert answer.status_code == 400 and answer.json()["error_code"] == "BadRequest"
    assert "$.name" in answer.json()["error"] and "7" not in answer.json()["error"]


def test_required_query_parameters_are_required(http: httpx.Client) -> None:
    assert http.get(f"{APP}/metrics").status_code == 400
    query = {"start": "2024-01-01T00:00:00Z", "end": "2024-01-02T00:00:00Z", "granularity": "P1D"}
    assert http.get(f"{APP}/metrics", params=query).status_code == 200


# -- apps ---------------------------------------------------------------------------------------


def test_a_new_app_has_its_own_state(http: httpx.Client) -> None:
    apps = f"/groups/{DEFAULT_GROUP_ID}/apps"
    created = http.post(apps, json={"name": "second", "deployment_model": "LOCAL"})
    assert created.status_code == 201, created.text
    other = f"{apps}/{created.json()['_id']}"
    assert created.json()["deployment_model"] == "LOCAL"
    assert sorted(a["name"] for a in http.get(apps).json()) == ["realm-app", "second"]
    http.post(f"{other}/functions", json=FUNCTION)
    assert names(http.get(f"{other}/functions")) == ["hello"]
    assert names(http.get(f"{APP}/functions")) == [], "apps do not share configuration"
    assert http.get(f"{other}/services").json() == [], "a new app has no data source"
    assert len(http.get(f"{other}/deployments").json()) == 2
    assert http.delete(other).status_code == 204
    assert http.get(other).json()["error_code"] == "AppNotFound"
    assert [a["name"] for a in http.get(apps).json()] == ["realm-app"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "realm-app"}, 409, "DuplicateAppName"),
        ({"name": "1app"}, 400, "InvalidAppName"),
        ({"name": "a b"}, 400, "InvalidAppName"),
        ({}, 400, "InvalidAppName"),
    ],
    ids=["duplicate", "leading-digit", "space", "no-name"],
)
def test_app_names_are_checked(http: httpx.Client, body: Any, status: int, code: str) -> None:
    answer = http.post(f"/groups/{DEFAULT_GROUP_ID}/apps", json=body)
    assert answer.status_code == status and answer.json()["error_code"] == code


# -- hosting assets ---------------------------------------------------------------------------

ASSETS = f"{APP}/hosting/assets"
PAGE = {"path": "/index.html"}
UPLOAD = {"meta": {"path": "/index.html", "attrs": []}, "file": "<h1>hi</h1>"}


def test_an_upload_in_a_draft_is_listed_as_an_added_file(http: httpx.Client) -> None:
    draft = http.post(f"{APP}/drafts").json()
    assert http.put(f"{ASSETS}/asset", params=PAGE, json=UPLOAD).status_code == 204
    diff = http.get(f"{APP}/drafts/{draft['_id']}/diff").json()
    assert diff["hosting_files_diff"] == {"added": ["/index.html"], "deleted": [], "modified": []}
    assert diff["diffs"] == []
    deploy(http, draft["_id"])
    meta = http.get(f"{ASSETS}/asset", params=PAGE).json()
    assert meta["size"] == 11 and meta["hash"] == "8097d38e49cc85c6e16e47e447a12142"


def test_assets_move_copy_and_take_attributes(http: httpx.Client) -> None:
    http.put(f"{ASSETS}/asset", params=PAGE, json=UPLOAD)
    attributes = [{"name": "Content-Type", "value": "text/html"}]
    http.patch(f"{ASSETS}/asset", params=PAGE, json={"attributes": attributes})
    assert http.get(f"{ASSETS}/asset", params=PAGE).json()["attrs"] == attributes
    http.post(ASSETS, json={"copy_from": "/index.html", "copy_to": "/a.html"})
    http.post(ASSETS, json={"move_from": "/a.html", "move_to": "/b.html"})
    assert [a["path"] for a in http.get(ASSETS).json()] == ["/b.html", "/index.html"]
    assert [a["path"] for a in http.get(ASSETS, params={"prefix": "/b"}).json()] == ["/b.html"]
    gone = http.get(f"{ASSETS}/asset", params={"path": "/a.html"})
    assert gone.status_code == 404 and gone.json()["error_code"] == "AssetNotFound"


@pytest.mark.parametrize("path", ["index.html", "/a/../../etc", "//x", ""])
def test_asset_paths_are_checked(http: httpx.Client, path: str) -> None:
    answer = http.put(f"{ASSETS}/asset", params={"path": path}, json=UPLOAD)
    assert answer.status_code == 400 and answer.json()["error_code"] == "BadRequest"


# -- pull and push ----------------------------------------------------------------------------


def test_push_then_pull_round_trips_and_keeps_ids(http: httpx.Client) -> None:
    sid = service_id(http)
    config = pulled(http)
    config["values"] = [VALUE]
    config["data_sources"][0]["config"]["sync"]["database_name"] = "pushed"
    assert http.patch(f"{APP}/push", json=config).status_code == 204
    again = pulled(http)
    assert again["values"][0]["value"] == 42
    assert service_id(http) == sid, "the linked cluster keeps its id"
    assert http.get(f"{APP}/services/{sid}/config").json()["sync"]["database_name"] == "pushed"


def test_push_with_a_draft_open_goes_into_the_draft(http: httpx.Client) -> None:
    draft = http.post(f"{APP}/drafts").json()
    config = pulled(http)
    config["values"] = [VALUE]
    assert http.patch(f"{APP}/push", json=config).status_code == 204
    assert pulled(http)["values"] == []
    assert any(
        "values.json" in d for d in http.get(f"{APP}/drafts/{draft['_id']}/diff").json()["diffs"]
    )


def test_push_refuses_what_is_not_an_app_config(http: httpx.Client) -> None:
    answer = http.patch(f"{APP}/push", json={"banana": 1})
    assert answer.status_code == 400 and "required property" in answer.json()["error"]


# -- the documented sync schema (issue 8, item 11) --------------------------------------------


@pytest.mark.parametrize(
    "patch",
    [
        {"banana": 1},
        {"sync": {"state": "enabled", "banana": 1}},
        {"sync": {"state": "paused"}},
        {"sync": {"state": "enabled", "partition": {"key": 1, "type": "string"}}},
        {"flexible_sync": {"state": "enabled", "queryable_fields_names": "name"}},
    ],
    ids=["unknown-field", "unknown-sync-field", "bad-state", "bad-key", "bad-fields"],
)
def test_a_malformed_sync_config_is_refused(http: httpx.Client, patch: dict[str, Any]) -> None:
    path = f"{APP}/services/{service_id(http)}/config"
    before = http.get(path).json()
    answer = http.patch(path, json=patch)
    assert answer.status_code == 400, answer.text
    sync = any(key in patch for key in ("sync", "flexible_sync"))
    assert answer.json()["error_code"] == ("InvalidSyncConfiguration" if sync else "BadRequest")
    assert http.get(path).json() == before


def test_the_documented_sync_fields_are_accepted(http: httpx.Client) -> None:
    path = f"{APP}/services/{service_id(http)}/config"
    patch = {
        "sync": {
            "state": "enabled",
            "database_name": "todo",
            "partition": {"key": "owner_id", "type": "string", "permissions": {"read": True}},
            "development_mode_enabled": True,
        }
    }
    assert http.patch(path, json=patch).status_code == 204
    assert http.get(path).json()["sync"]["partition"]["key"] == "owner_id"


def test_without_the_sync_deviation_the_spec_accepts_a_banana() -> None:
    """The deviation is what rejects it: the spec as written has no check to fail."""
    path = f"{APP}/services/{'0' * 24}/config"
    others = tuple(d for d in DEVIATIONS if d.name != "service-config-documented-sync")
    body = json.dumps({"banana": 1})
    assert validate_interaction(load_spec(SPEC_PATH, others), "PATCH", path, 204, body, None) == []
    assert validate_interaction(load_spec(SPEC_PATH), "PATCH", path, 204, body, None) != []


# -- bodies no API should accept (issue 12, item 11) ------------------------------------------


def _value_body(raw_value: bytes) -> bytes:
    """A values body that is valid in every way but the raw JSON of its value."""
    return b'{"name": "x", "private": false, "from_secret": false, "value": ' + raw_value + b"}"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "BadRequest"),
        (_value_body(b'{"a":' * MAX_BODY_DEPTH + b"1" + b"}" * MAX_BODY_DEPTH), "BadRequest"),
        (_value_body(b"1e400"), "BadRequest"),
        (_value_body(b"-1e400"), "BadRequest"),
        (_value_body(b"NaN"), "BadRequest"),
        (_value_body(b"Infinity"), "BadRequest"),
        (_value_body(b"1" + b"0" * 5000), "BadRequest"),
        (_value_body(b'"\xff"'), "BadRequest"),
    ],
    ids=["100k-deep", "too-deep", "1e400", "-1e400", "NaN", "Infinity", "huge-int", "not-utf8"],
)
def test_extreme_bodies_get_a_400_in_the_error_shape(
    http: httpx.Client, raw: bytes, code: str
) -> None:
    answer = http.post(f"{APP}/values", content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"error": answer.json()["error"], "error_code": code}
    assert names(http.get(f"{APP}/values")) == []


def test_the_same_bodies_with_ordinary_values_are_taken(http: httpx.Client) -> None:
    """The control: only the extreme part makes the bodies above fail."""
    for raw in (b"1e300", b'{"a": 1}', b"10", b'"ok"'):
        answer = http.post(
            f"{APP}/values", content=_value_body(raw), headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 201, answer.text


def test_a_body_over_the_limit_gets_a_413(http: httpx.Client) -> None:
    raw = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    answer = http.post(f"{APP}/values", content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error_code"] == "RequestEntityTooLarge"
    assert names(http.get(f"{APP}/values")) == []


def test_a_deep_but_allowed_body_is_taken(http: httpx.Client) -> None:
    nested: Any = 1
    for _ in range(MAX_BODY_DEPTH - 1):
        nested = {"a": nested}
    answer = http.post(f"{APP}/values", json={**VALUE, "value": nested})
    assert answer.status_code == 201, answer.text


# -- the data stays consistent ----------------------------------------------------------------


def test_the_hand_written_list_in_data_matches_the_code() -> None:
    assert resources().hand_written == set(_HAND_WRITTEN)


def test_the_vendored_spec_is_the_shared_one(shared_dir: Path) -> None:
    shared = shared_dir / "openapi" / "admin-v3.yaml"
    assert SPEC_PATH.read_bytes() == shared.read_bytes(), "refresh harness/emulator/admin-v3.yaml"


def test_an_emulator_bug_still_answers_in_the_error_shape(
    http: httpx.Client, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault inside the emulator (simulated here) is a JSON 500, never a plain-text one."""

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(emulator.store, "pull", broken)
    answer = http.get(f"{APP}/pull")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": "the emulator failed: RuntimeError",
        "error_code": "InternalServerError",
    }
