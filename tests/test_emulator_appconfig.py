"""Pull and push carry the app's environment values and environment tag, as the app
directory does (environments/<name>.json, realm_config.json's "environment"), and they
are the same data the /environment_values and /environment operations read and write."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.commands import apply_to_pull, locate
from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
)
from harness.emulator.contract import load_spec, validate_interaction
from harness.emulator.openapi import SPEC_PATH

APP = f"/groups/{DEFAULT_GROUP_ID}/apps/{DEFAULT_APP_ID}"
ENVIRONMENTS = ["none", "development", "testing", "qa", "production"]  # AllEnvironmentValues


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


def _conforms(answer: httpx.Response) -> None:
    request = answer.request
    problems = validate_interaction(
        load_spec(SPEC_PATH),
        request.method,
        str(request.url),
        answer.status_code,
        request.content or None,
        answer.content or None,
    )
    assert problems == [], problems


def pulled(http: httpx.Client) -> dict[str, Any]:
    answer = http.get(f"{APP}/pull")
    assert answer.status_code == 200, answer.text
    _conforms(answer)
    config: dict[str, Any] = answer.json()
    return config


def push(http: httpx.Client, config: dict[str, Any]) -> None:
    answer = http.patch(f"{APP}/push", json=config)
    assert answer.status_code == 204, answer.text
    _conforms(answer)


def test_pull_lists_every_environment_of_the_spec_with_no_values(http: httpx.Client) -> None:
    environments = pulled(http)["environments"]["values"]
    assert list(environments) == ENVIRONMENTS
    assert all(defined == {"values": {}} for defined in environments.values())


def test_pushed_environment_files_are_the_environment_values_and_pull_them_back(
    http: httpx.Client,
) -> None:
    config = pulled(http)
    config["environments"]["values"]["production"] = {"values": {"baseUrl": "https://example.com"}}
    config["environments"]["values"]["development"] = {"values": {"baseUrl": "https://dev.ex"}}
    push(http, config)
    listed = http.get(f"{APP}/environment_values")
    assert listed.status_code == 200
    _conforms(listed)
    (record,) = listed.json()
    one = http.get(f"{APP}/environment_values/{record['_id']}").json()
    assert one["name"] == "baseUrl"
    assert one["values"] == {"production": "https://example.com", "development": "https://dev.ex"}
    again = pulled(http)["environments"]["values"]
    assert again["production"] == {"values": {"baseUrl": "https://example.com"}}
    assert again["development"] == {"values": {"baseUrl": "https://dev.ex"}}
    assert again["qa"] == {"values": {}}


def test_a_round_trip_keeps_the_value_id_and_a_removed_value_is_deleted(
    http: httpx.Client,
) -> None:
    config = pulled(http)
    config["environments"]["values"]["qa"] = {"values": {"a": 1, "b": 2}}
    push(http, config)
    ids = {r["name"]: r["_id"] for r in http.get(f"{APP}/environment_values").json()}
    config = pulled(http)
    del config["environments"]["values"]["qa"]["values"]["b"]
    push(http, config)
    after = {r["name"]: r["_id"] for r in http.get(f"{APP}/environment_values").json()}
    assert after == {"a": ids["a"]}


def test_a_value_made_through_the_api_is_in_its_environments_files(http: httpx.Client) -> None:
    body = {"name": "limit", "values": {"testing": 5, "none": 1}}
    made = http.post(f"{APP}/environment_values", json=body)
    assert made.status_code == 201, made.text
    environments = pulled(http)["environments"]["values"]
    assert environments["testing"] == {"values": {"limit": 5}}
    assert environments["none"] == {"values": {"limit": 1}}
    assert environments["production"] == {"values": {}}


def test_the_environment_values_deploy_with_the_push_not_before(http: httpx.Client) -> None:
    draft = http.post(f"{APP}/drafts")
    assert draft.status_code == 201, draft.text
    config = pulled(http)
    config["environments"]["values"]["production"] = {"values": {"x": "y"}}
    push(http, config)
    assert pulled(http)["environments"]["values"]["production"] == {"values": {}}
    deployed = http.post(f"{APP}/drafts/{draft.json()['_id']}/deployment")
    assert deployed.status_code == 201, deployed.text
    status = ""
    for _ in range(10):
        status = http.get(f"{APP}/deployments/{deployed.json()['_id']}").json()["status"]
        if status == "successful":
            break
    assert status == "successful"
    assert pulled(http)["environments"]["values"]["production"] == {"values": {"x": "y"}}


def test_a_pushed_environment_tag_is_the_apps_environment(http: httpx.Client) -> None:
    config = pulled(http)
    assert "environment" not in config, "a new app has no environment tag"
    config["environment"] = "development"
    push(http, config)
    assert pulled(http)["environment"] == "development"
    app = http.get(APP)
    _conforms(app)
    assert app.json()["environment"] == "development"


def test_the_environment_set_through_the_api_is_pulled(http: httpx.Client) -> None:
    answer = http.put(f"{APP}/environment", json={"environment": "qa"})
    assert answer.status_code == 200, answer.text
    _conforms(answer)
    assert (answer.json()["_id"], answer.json()["environment"]) == (DEFAULT_APP_ID, "qa")
    assert pulled(http)["environment"] == "qa"
    assert http.get(APP).json()["environment"] == "qa"
    http.put(f"{APP}/environment", json={"environment": ""})
    assert "environment" not in pulled(http), "an empty tag is no tag"


def test_a_push_without_a_tag_keeps_the_apps_environment(http: httpx.Client) -> None:
    http.put(f"{APP}/environment", json={"environment": "production"})
    config = pulled(http)
    del config["environment"]
    push(http, config)
    assert pulled(http)["environment"] == "production"


def test_a_push_with_an_environment_the_spec_does_not_know_is_refused(
    http: httpx.Client,
) -> None:
    config = pulled(http)
    config["environment"] = "staging"
    answer = http.patch(f"{APP}/push", json=config)
    assert answer.status_code == 400, answer.text
    assert "environment" not in pulled(http)


def test_the_export_has_one_file_per_environment(http: httpx.Client) -> None:
    config = pulled(http)
    config["environments"]["values"]["production"] = {"values": {"baseUrl": "https://example.com"}}
    config["environment"] = "production"
    push(http, config)
    archive = zipfile.ZipFile(io.BytesIO(http.get(f"{APP}/export").content))
    names = set(archive.namelist())
    assert {f"environments/{n}.json" for n in ("development", "testing", "qa", "production")} <= (
        names
    )
    assert "environments/no-environment.json" in names
    assert "environments.json" not in names
    production = json.loads(archive.read("environments/production.json"))
    assert production == {"values": {"baseUrl": "https://example.com"}}
    assert json.loads(archive.read("realm_config.json"))["environment"] == "production"


def test_an_edited_environment_file_is_pushed_to_that_environment(http: httpx.Client) -> None:
    assert locate("environments/no-environment.json") == ("environments", "values", "none")
    config = pulled(http)
    for file, value in (("no-environment", 1), ("qa", 2)):
        config = apply_to_pull(config, f"environments/{file}.json", {"values": {"n": value}})
    push(http, config)
    (record,) = http.get(f"{APP}/environment_values").json()
    one = http.get(f"{APP}/environment_values/{record['_id']}").json()
    assert one["values"] == {"none": 1, "qa": 2}


def test_a_push_to_an_environment_the_spec_does_not_list_is_refused(http: httpx.Client) -> None:
    config = pulled(http)
    config["environments"]["values"]["no-environment"] = {"values": {"n": 1}}
    answer = http.patch(f"{APP}/push", json=config)
    assert answer.status_code == 400, answer.text
    assert "'no-environment'" in answer.json()["error"]
    assert http.get(f"{APP}/environment_values").json() == []


def test_setting_an_environment_the_spec_does_not_list_is_refused(http: httpx.Client) -> None:
    answer = http.put(f"{APP}/environment", json={"environment": "staging"})
    assert answer.status_code == 400, answer.text
    assert http.get(APP).json()["environment"] == ""
