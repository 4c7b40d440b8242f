"""The client's generic resource operations, pull/push and deployed reads, against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.adminapi import (
    AdminClient,
    ConfigurationError,
    Credentials,
    NotFoundError,
    Target,
    load_resources,
    resource,
)
from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
)
from harness.emulator.openapi import spec

FUNCTION = {"name": "hello", "source": "exports = () => 1", "private": False}
VALUE = {"name": "answer", "value": 42, "private": False, "from_secret": False}
WEBHOOK = {"name": "hook", "function_source": "exports = () => 1", "respond_result": True}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture
def client(emulator: Emulator) -> Iterator[AdminClient]:
    emulator.reset()
    with AdminClient(
        Target(DEFAULT_GROUP_ID, DEFAULT_APP_ID, emulator.url),
        Credentials(DEFAULT_PUBLIC_KEY, DEFAULT_PRIVATE_KEY),
        sleep=lambda _: None,
    ) as admin:
        yield admin


def test_every_listed_resource_path_is_in_the_spec() -> None:
    paths = spec().document["paths"]
    app = "/groups/{groupId}/apps/{appId}/"
    for described in load_resources().values():
        assert app + described.path in paths, described.name
        if described.kind == "collection":
            items = [p for p in paths if p.startswith(f"{app}{described.path}/{{")]
            assert items, f"{described.name}: the spec has no item path"
            methods = {m.upper() for p in items for m in paths[p]}
            assert not described.update or described.update in methods, described.name
            # `get = false` exactly when the spec has no GET of one item
            assert described.get == ("GET" in methods), described.name


def test_a_collection_round_trip(client: AdminClient) -> None:
    created = client.create_resource("functions", FUNCTION)
    assert created.name == "hello" and len(created.id) == 24
    assert [r.name for r in client.list_resources("functions")] == ["hello"]
    client.update_resource("functions", created.id, {**FUNCTION, "source": "exports = 2"})
    assert client.get_resource("functions", created.id).raw["source"] == "exports = 2"
    client.delete_resource("functions", created.id)
    with pytest.raises(NotFoundError):
        client.get_resource("functions", created.id)


def test_a_creation_answered_without_a_body_is_found_by_name(client: AdminClient) -> None:
    service = client.find_service()
    hook = client.create_resource("incoming_webhooks", WEBHOOK, serviceId=service.id)
    assert hook.name == "hook"
    listed = client.list_resources("incoming_webhooks", serviceId=service.id)
    assert [r.id for r in listed] == [hook.id]


def test_children_need_their_parent_id(client: AdminClient) -> None:
    with pytest.raises(ConfigurationError, match="serviceId"):
        client.list_resources("rules")
    with pytest.raises(NotFoundError):
        client.list_resources("rules", serviceId="0" * 24)


def test_settings_are_singletons(client: AdminClient) -> None:
    client.set_setting("hosting", {"enabled": True})
    assert client.get_setting("hosting")["enabled"] is True
    with pytest.raises(ConfigurationError, match="collection"):
        client.get_setting("functions")
    with pytest.raises(ConfigurationError, match="singleton"):
        client.list_resources("hosting")


def test_unknown_and_read_only_resources_are_named(client: AdminClient) -> None:
    with pytest.raises(ConfigurationError, match="known: api_keys"):
        resource("bananas")
    with pytest.raises(ConfigurationError, match="cannot be updated"):
        client.update_resource("users", "0" * 24, {})


def test_deployed_reads_ignore_the_open_draft(client: AdminClient) -> None:
    service = client.find_service()
    draft = client.open_draft()
    client.terminate_sync(service.id)
    assert client.get_sync_state(service.id).is_terminated, "the draft view"
    assert client.get_deployed_sync_state(service.id).is_enabled, "not deployed yet"
    client.wait_for_deployment(client.deploy_draft(draft.id).id, interval=0.01)
    assert client.get_deployed_sync_state(service.id).is_terminated


def test_pull_and_push(client: AdminClient) -> None:
    config = client.pull_config()
    config["values"] = [VALUE]
    client.push_config(config)
    assert [r.name for r in client.list_resources("values")] == ["answer"]
    assert client.pull_config()["values"][0]["value"] == 42


def test_a_bad_resource_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "resources.toml"
    broken.write_text('[resources.x]\npath = "x"\nkind = "bag"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="kind must be"):
        load_resources(broken)
    broken.write_text("[resources\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_resources(broken)


def test_an_export_shows_what_one_deployment_deployed(client: AdminClient) -> None:
    service = client.find_service()
    first = client.list_deployments()[0]
    draft = client.open_draft()
    client.enable_partition_sync(service.id, "other", "owner_id")
    second = client.wait_for_deployment(client.deploy_draft(draft.id).id, interval=0.01)
    before = client.get_exported_service_config(first.id, service.id)["sync"]
    after = client.get_exported_service_config(second.id, service.id)["sync"]
    assert (before["database_name"], after["database_name"]) == ("todo", "other")
    latest = client.export_app()
    assert latest["data_sources/mongodb-atlas/config.json"]["config"]["sync"] == after
    assert latest["realm_config.json"]["name"] == "realm-app"


def test_an_export_of_an_unknown_deployment_is_not_found(client: AdminClient) -> None:
    with pytest.raises(NotFoundError):
        client.export_app("0" * 24)


def test_apps_are_created_and_deleted(client: AdminClient) -> None:
    made = client.create_app("second", deployment_model="LOCAL")
    assert (made.name, made.deployment_model) == ("second", "LOCAL")
    assert sorted(app.name for app in client.list_apps()) == ["realm-app", "second"]
    client.delete_app(made.id)
    assert [app.name for app in client.list_apps()] == ["realm-app"]
    with pytest.raises(NotFoundError):
        client.delete_app(made.id)


def test_an_item_the_api_cannot_get_alone_is_read_from_its_list(client: AdminClient) -> None:
    made = client.create_resource("secrets", {"name": "token", "value": "s3cr3t"})
    read = client.get_resource("secrets", made.id)
    assert read.name == "token" and "value" not in read.raw  # a secret's value is never shown
    with pytest.raises(NotFoundError, match="no item 'nope' listed"):
        client.get_resource("secrets", "nope")
