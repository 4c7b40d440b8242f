"""Typed Admin API operations on one app, for the steps of a documented procedure.

Covers what the harness verifies: apps, the linked cluster's service config
and its sync settings, the deploy configuration, drafts and deployments,
any plain resource listed in ``resources.toml`` (functions, triggers, rules
...), and the whole configuration by pull and push. Waiting for a deployment
is bounded (the official CLI polls with no bound).

Reads and drafts: reading a resource shows the caller's open draft, if any
(``get_service_config``, ``get_resource`` ...). What is deployed, outside
any draft, comes from ``pull_config`` and the ``get_deployed_*`` methods
built on it.
"""

from __future__ import annotations

import io
import json
import logging
import random
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from harness.adminapi.deviations import object_list, single_object
from harness.adminapi.errors import (
    AdminApiError,
    ConfigurationError,
    ConflictError,
    DeploymentFailed,
    DeploymentTimeout,
    NotFoundError,
)
from harness.adminapi.models import App, DeployConfig, Deployment, Draft, DraftDiff, Service
from harness.adminapi.resources import Record, Resource, resource
from harness.adminapi.retry import DEFAULT_RETRY_POLICY, RetryPolicy
from harness.adminapi.session import DEFAULT_TIMEOUT, ExchangeHook, Session
from harness.adminapi.settings import Credentials, Target
from harness.adminapi.sync import (
    DEFAULT_PARTITION_PERMISSIONS,
    SyncState,
    flexible_sync_patch,
    partition_sync_patch,
    sync_state_from_config,
    terminate_patch,
)

logger = logging.getLogger("harness.adminapi")

ATLAS_SERVICE_TYPE = "mongodb-atlas"
DEFAULT_DEPLOY_TIMEOUT = 300.0
DEFAULT_DEPLOY_INTERVAL = 1.0


class AdminClient:
    """The Admin API as seen by one API key pair, scoped to ``target``'s app.

    Logs in on the first call. ``transport`` replaces the network (a recording,
    a test server); ``sleep``, ``clock`` and ``jitter`` replace time and chance
    so that retries and waits can be checked without waiting. ``on_exchange``
    hears about every HTTP attempt, including logins and retries.
    """

    def __init__(
        self,
        target: Target,
        credentials: Credentials,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        on_exchange: ExchangeHook | None = None,
    ) -> None:
        self.target = target
        self._sleep = sleep
        self._clock = clock
        self._session = Session(
            target,
            credentials,
            transport=transport,
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            clock=clock,
            jitter=jitter,
            on_exchange=on_exchange,
        )
        self._app = target.app_path

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def login(self) -> None:
        """Log in now rather than on the first call, to check the keys early."""
        self._session.login()

    @property
    def user_id(self) -> str:
        """The MongoDB Cloud user behind the key pair ("" before the first login)."""
        return self._session.user_id

    # Apps

    def list_apps(self) -> list[App]:
        path = f"/groups/{quote(self.target.group_id, safe='')}/apps"
        return [App.from_json(raw) for raw in self._list("GET", path)]

    def get_app(self) -> App:
        return App.from_json(self._object("GET", self._app))

    def create_app(self, name: str, **fields: str) -> App:
        """A new app in the target's project (``location``, ``deployment_model`` ...)."""
        path = f"/groups/{quote(self.target.group_id, safe='')}/apps"
        return App.from_json(self._object("POST", path, {"name": name, **fields}))

    def delete_app(self, app_id: str) -> None:
        """Delete an app of the target's project (not necessarily the target app)."""
        group = quote(self.target.group_id, safe="")
        self._session.call("DELETE", f"/groups/{group}/apps/{quote(app_id, safe='')}")

    # Services and their configuration

    def list_services(self) -> list[Service]:
        return [Service.from_json(raw) for raw in self._list("GET", f"{self._app}/services")]

    def find_service(self, type: str = ATLAS_SERVICE_TYPE, name: str | None = None) -> Service:
        """The app's service of that type (and name); a clear NotFoundError when there is none."""
        services = self.list_services()
        for service in services:
            if service.type == type and (name is None or service.name == name):
                return service
        wanted = f"type {type!r}" + (f" named {name!r}" if name is not None else "")
        present = ", ".join(f"{s.name!r} ({s.type})" for s in services) or "none"
        raise NotFoundError(
            None,
            "ServiceNotFound",
            f"the app has no service of {wanted}; its services: {present}",
            "GET",
            f"{self._app}/services",
        )

    def get_service_config(self, service_id: str) -> dict[str, Any]:
        path = self._service_config_path(service_id)
        found = single_object(self._session.call("GET", path))
        if found is None:
            raise _unexpected("GET", path, "a JSON object")
        return dict(found)

    def patch_service_config(self, service_id: str, changes: Mapping[str, Any]) -> None:
        """Change the given fields; goes into the open draft if there is one, else deploys."""
        self._session.call("PATCH", self._service_config_path(service_id), dict(changes))

    # Sync

    def get_sync_state(self, service_id: str) -> SyncState:
        return sync_state_from_config(self.get_service_config(service_id))

    def terminate_sync(self, service_id: str) -> None:
        """Set the state of the sync in use to "" (terminated)."""
        self.patch_service_config(service_id, terminate_patch(self.get_sync_state(service_id)))

    def enable_partition_sync(
        self,
        service_id: str,
        database_name: str,
        partition_key: str,
        partition_key_type: str = "string",
        development_mode: bool = False,
        permissions: Mapping[str, Any] = DEFAULT_PARTITION_PERMISSIONS,
    ) -> None:
        self.patch_service_config(
            service_id,
            partition_sync_patch(
                database_name, partition_key, partition_key_type, development_mode, permissions
            ),
        )

    def enable_flexible_sync(
        self, service_id: str, database_name: str, queryable_fields: Sequence[str] = ()
    ) -> None:
        self.patch_service_config(service_id, flexible_sync_patch(database_name, queryable_fields))

    # The deployed configuration, outside any draft

    def pull_config(self) -> dict[str, Any]:
        """The app's deployed configuration as one JSON object (a draft never shows here)."""
        return dict(self._object("GET", f"{self._app}/pull"))

    def push_config(self, config: Mapping[str, Any]) -> None:
        """Replace the app's whole configuration (into the open draft, if there is one)."""
        self._session.call("PATCH", f"{self._app}/push", dict(config))

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Any request below the base URL, with this client's session: a page's curl command
        is sent this way, never with the token the page shows."""
        return self._session.call(method, path, body)

    def get_deployed_service_config(self, service_id: str) -> dict[str, Any]:
        """The deployed config of one service (its data source in the pulled configuration)."""
        name = next((s.name for s in self.list_services() if s.id == service_id), None)
        for source in self.pull_config().get("data_sources", []):
            if isinstance(source, Mapping) and source.get("name") == name:
                config = source.get("config")
                if isinstance(config, Mapping):
                    return dict(config)
        raise NotFoundError(
            None,
            "ServiceNotFound",
            f"the deployed configuration has no data source for service {service_id}",
            "GET",
            f"{self._app}/pull",
        )

    def export_app(self, deployment_id: str | None = None) -> dict[str, Any]:
        """What one deployment deployed (the latest by default), file name -> JSON content.

        The export endpoint is the one read the API offers of a given deployment's
        configuration, so an outcome can be checked against the deployment a run made.
        """
        path = f"{self._app}/export"
        if deployment_id is not None:
            path += f"?deployment={quote(deployment_id, safe='')}"
        data = self._session.download(path)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return {
                    name: json.loads(archive.read(name))
                    for name in archive.namelist()
                    if name.endswith(".json")
                }
        except (zipfile.BadZipFile, ValueError):
            raise _unexpected("GET", path, "a zip of JSON files") from None

    def get_exported_service_config(self, deployment_id: str, service_id: str) -> dict[str, Any]:
        """The config of one service as a given deployment deployed it."""
        name = next((s.name for s in self.list_services() if s.id == service_id), "")
        source = self.export_app(deployment_id).get(f"data_sources/{name}/config.json")
        config = source.get("config") if isinstance(source, Mapping) else None
        if not isinstance(config, Mapping):
            raise NotFoundError(
                None,
                "ServiceNotFound",
                f"deployment {deployment_id} has no data source for service {service_id}",
                "GET",
                f"{self._app}/export",
            )
        return dict(config)

    def get_deployed_sync_state(self, service_id: str) -> SyncState:
        """Sync as deployed, whatever a draft holds."""
        return sync_state_from_config(self.get_deployed_service_config(service_id))

    # Plain resources (resources.toml): one set of operations for all of them

    def list_resources(self, name: str, **parents: str) -> list[Record]:
        """The items of a collection (functions, triggers, ``rules`` with ``serviceId`` ...)."""
        path = self._collection(name).locate(self._app, parents)
        return [Record.from_json(raw) for raw in self._list("GET", path)]

    def get_resource(self, name: str, item_id: str, **parents: str) -> Record:
        """One item; from the collection's list when the API has no GET of one item."""
        described = self._collection(name)
        if not described.get:
            found = [r for r in self.list_resources(name, **parents) if r.id == item_id]
            if not found:
                path = described.locate(self._app, parents)
                raise NotFoundError(None, "NotFound", f"no item {item_id!r} listed", "GET", path)
            return found[0]
        path = described.locate(self._app, parents, item_id)
        return Record.from_json(self._object("GET", path))

    def create_resource(self, name: str, body: Mapping[str, Any], **parents: str) -> Record:
        """Create an item; when the answer has no body (some do), the new item is found by
        its name in the list."""
        path = self._collection(name).locate(self._app, parents)
        created = self._session.call("POST", path, dict(body))
        if isinstance(created, Mapping) and "_id" in created:
            return Record.from_json(created)
        wanted = body.get("name")
        for record in self.list_resources(name, **parents):
            if wanted is not None and record.name == wanted:
                return record
        raise _unexpected("POST", path, "the created item, or a list that has it")

    def update_resource(
        self, name: str, item_id: str, body: Mapping[str, Any], **parents: str
    ) -> None:
        """Change an item with the resource's update method (PUT replaces, PATCH merges)."""
        described = self._collection(name)
        if not described.update:
            raise ConfigurationError(f"resource {name!r} cannot be updated through the API")
        path = described.locate(self._app, parents, item_id)
        self._session.call(described.update, path, dict(body))

    def delete_resource(self, name: str, item_id: str, **parents: str) -> None:
        path = self._collection(name).locate(self._app, parents, item_id)
        self._session.call("DELETE", path)

    def get_setting(self, name: str, **parents: str) -> Any:
        """A singleton resource (hosting, graphql, custom_user_data ...) as the caller sees it."""
        described = resource(name)
        if described.kind != "singleton":
            raise ConfigurationError(f"resource {name!r} is a collection: use list_resources")
        return self._session.call("GET", described.locate(self._app, parents))

    def set_setting(self, name: str, body: Any, **parents: str) -> None:
        described = resource(name)
        if described.kind != "singleton" or not described.update:
            raise ConfigurationError(f"resource {name!r} is not a settable singleton")
        self._session.call(described.update, described.locate(self._app, parents), body)

    # Deploy configuration

    def get_deploy_config(self) -> DeployConfig:
        return DeployConfig.from_json(self._object("GET", f"{self._app}/deploy/config"))

    def patch_deploy_config(self, changes: Mapping[str, Any]) -> None:
        """Change the given fields; the spec requires the whole config, so the rest is
        sent as read."""
        current = dict(self.get_deploy_config().raw)
        self._session.call("PATCH", f"{self._app}/deploy/config", {**current, **changes})

    # Drafts

    def create_draft(self) -> Draft:
        """A new draft; ConflictError (DraftAlreadyExists) if the user already has one."""
        return Draft.from_json(self._object("POST", f"{self._app}/drafts"))

    def open_draft(self, reuse_existing: bool = True) -> Draft:
        """A draft to put changes in: a new one, or the user's open one when it exists."""
        try:
            return self.create_draft()
        except ConflictError as exc:
            if not reuse_existing or exc.error_code != "DraftAlreadyExists":
                raise
            conflict = exc
        drafts = self.list_drafts()
        mine = [draft for draft in drafts if draft.user_id == self.user_id] or drafts
        if len(mine) != 1:
            raise ConflictError(
                conflict.status,
                conflict.error_code,
                f"{conflict.message}; the app lists {len(drafts)} draft(s), "
                f"{len(mine)} of them candidates for this user",
                conflict.method,
                conflict.path,
                hint="discard the extra drafts in the App Services UI",
            )
        logger.info("reusing the open draft %s", mine[0].id)
        return mine[0]

    def list_drafts(self) -> list[Draft]:
        path = f"{self._app}/drafts"
        found = object_list(self._session.call("GET", path))
        if found is None:
            raise _unexpected("GET", path, "a JSON array of drafts")
        return [Draft.from_json(raw) for raw in found]

    def get_draft(self, draft_id: str) -> Draft:
        """The open draft with that id (the API has no single-draft GET, so this lists)."""
        for draft in self.list_drafts():
            if draft.id == draft_id:
                return draft
        raise NotFoundError(
            None, "DraftNotFound", f"no open draft has id {draft_id}", "GET", f"{self._app}/drafts"
        )

    def diff_draft(self, draft_id: str) -> DraftDiff:
        return DraftDiff.from_json(self._object("GET", f"{self._draft_path(draft_id)}/diff"))

    def deploy_draft(self, draft_id: str, name: str | None = None) -> Deployment:
        """Deploy the draft (which closes it); poll the result with ``wait_for_deployment``."""
        body = None if name is None else {"name": name}
        path = f"{self._draft_path(draft_id)}/deployment"
        return Deployment.from_json(self._object("POST", path, body))

    def discard_draft(self, draft_id: str) -> None:
        self._session.call("DELETE", self._draft_path(draft_id))

    # Deployments

    def list_deployments(self) -> list[Deployment]:
        """Recent deployments, newest first."""
        return [Deployment.from_json(raw) for raw in self._list("GET", f"{self._app}/deployments")]

    def get_deployment(self, deployment_id: str) -> Deployment:
        path = f"{self._app}/deployments/{quote(deployment_id, safe='')}"
        return Deployment.from_json(self._object("GET", path))

    def wait_for_deployment(
        self,
        deployment_id: str,
        *,
        timeout: float = DEFAULT_DEPLOY_TIMEOUT,
        interval: float = DEFAULT_DEPLOY_INTERVAL,
    ) -> Deployment:
        """Poll until ``successful``; raise when the deployment fails or outlasts ``timeout``."""
        if interval <= 0 or timeout < 0:
            raise ValueError("wait_for_deployment needs interval > 0 and timeout >= 0")
        start = self._clock()
        while True:
            deployment = self.get_deployment(deployment_id)
            if deployment.status == "successful":
                return deployment
            if deployment.status == "failed":
                raise DeploymentFailed(deployment_id, deployment.status_error_message)
            waited = self._clock() - start
            if waited >= timeout:
                raise DeploymentTimeout(deployment_id, deployment.status, waited, timeout)
            logger.debug(
                "deployment %s is %r; checking again in %.2fs",
                deployment_id,
                deployment.status,
                interval,
            )
            self._sleep(min(interval, timeout - waited))

    # Plumbing

    @staticmethod
    def _collection(name: str) -> Resource:
        described = resource(name)
        if described.kind != "collection":
            raise ConfigurationError(f"resource {name!r} is a singleton: use get_setting")
        return described

    def _service_config_path(self, service_id: str) -> str:
        return f"{self._app}/services/{quote(service_id, safe='')}/config"

    def _draft_path(self, draft_id: str) -> str:
        return f"{self._app}/drafts/{quote(draft_id, safe='')}"

    def _object(self, method: str, path: str, body: Any = None) -> Mapping[str, Any]:
        found = self._session.call(method, path, body)
        if not isinstance(found, Mapping):
            raise _unexpected(method, path, "a JSON object")
        return found

    def _list(self, method: str, path: str) -> list[Mapping[str, Any]]:
        found = self._session.call(method, path)
        if not isinstance(found, list) or not all(isinstance(item, Mapping) for item in found):
            raise _unexpected(method, path, "a JSON array of objects")
        return found


def _unexpected(method: str, path: str, wanted: str) -> AdminApiError:
    return AdminApiError(None, "UnexpectedResponse", f"the answer is not {wanted}", method, path)
