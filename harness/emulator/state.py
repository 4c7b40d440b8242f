"""The emulated product: one project, its apps, their configuration, drafts and deployments.

The app's state is a set of JSON documents keyed by their path below the app
(``functions``, ``services/<id>/rules``, ``services/<id>/config``, ...): a
collection is a document mapping ids to records, a singleton is one object.
The draft overlay is implemented once, here, in ``read`` and ``change``:

- a change to a drafted resource (app configuration, see ``resources.toml``)
  made while the caller has a draft open goes into that draft, and is
  deployed with it; with no draft open, it is deployed at once (a deployment
  with origin "API");
- other resources (users, API keys, logs ...) change at once;
- reads of single resources show the caller's own open draft, as the App
  Services UI shows unsaved changes; ``deployed`` (and the pull endpoint)
  shows the deployed configuration only, whoever asks and whatever is open.

A small mutable store behind one lock (uvicorn serves requests on its own
thread while a test may call ``reset`` from another). Records are frozen
dataclasses swapped whole, so a reader never sees half an update. Ids and
timestamps come from counters restarted on reset, so that recordings made
against a fresh emulator are the same every time; only tokens are random.
"""

from __future__ import annotations

import copy
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from harness.emulator import hosting
from harness.emulator.appconfig import app_environment, from_config, to_config, to_zip
from harness.emulator.defaults import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
)
from harness.emulator.errors import ApiError
from harness.emulator.openapi import resources
from harness.emulator.syncconfig import apply_config_patch, document_diff

APP_NAME = "realm-app"
CLIENT_APP_ID = "realm-app-abcde"
SERVICE_NAME = "mongodb-atlas"
DEVICE_ID = "000000000000000000000000"  # what the real login answers for API keys
ID_BASE = 0x650000000000000000000000
EPOCH = 1_700_000_000  # logical clock: deterministic timestamps in seconds
DEPLOYMENT_LIST_LIMIT = 25  # the real service lists the 25 most recent
SERVICES = "services"
APP_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
APP_BODY_FIELDS = ("location", "deployment_model", "provider_region", "environment")

Documents = Mapping[str, Any]  # document key -> document; None means deleted

INVALID_SESSION = "InvalidSession"
EXPIRED_MESSAGE = "invalid session: access token expired"


@dataclass(frozen=True)
class Faults:
    """How the emulator misbehaves; the default is a healthy product."""

    fail_deploys: str = ""
    stall_deployments: bool = False
    token_ttl_seconds: float = 1800.0
    throttle_next: int = 0
    unavailable_next: int = 0
    sync_terminated: bool = False
    ui_drafts_disabled: bool = False

    @classmethod
    def from_json(cls, raw: Any) -> Faults:
        """Faults from a JSON object of field values; ValueError names what is wrong."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ValueError("the faults must be a JSON object")
        known = {spec.name: spec.type for spec in fields(cls)}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(known)}")
        for name, value in raw.items():
            if not _fits(known[name], value):
                raise ValueError(f"fault {name} must be of type {known[name]}, not {value!r}")
        return cls(**raw)


HEALTHY = Faults()  # the default: a product that works


def _fits(type_name: Any, value: Any) -> bool:
    if type_name == "bool":
        return isinstance(value, bool)
    if type_name == "int":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if type_name == "float":
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return isinstance(value, str)


DeploymentOutcome = Literal["successful", "failed", "stalled"]


@dataclass(frozen=True)
class Draft:
    """A user's open draft: the documents it would deploy (whole), by key."""

    id: str
    user_id: str
    changes: Documents = field(default_factory=dict)


@dataclass(frozen=True)
class Deployment:
    """One deployment; ``outcome`` (fixed by the faults when it starts) is where it will end,
    and ``changes`` are applied only if it ends successful."""

    id: str
    user_id: str
    deployed_at: int
    origin: str
    status: str
    outcome: DeploymentOutcome
    changes: Documents
    draft_id: str = ""
    name: str = ""
    status_error_message: str = ""
    deployed: Documents | None = None  # every document once it succeeded, for redeploys

    def to_json(self, app_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "_id": self.id,
            "name": self.name or self.id,
            "app_id": app_id,
            "user_id": self.user_id,
            "deployed_at": self.deployed_at,
            "origin": self.origin,
            "status": self.status,
            "status_error_message": self.status_error_message,
        }
        if self.draft_id:
            body["draft_id"] = self.draft_id
        return body


@dataclass(frozen=True)
class Session:
    """An access token's owner and its end on the store's monotonic clock."""

    user_id: str
    expires_at: float


@dataclass
class _App:
    """One app's state (mutable, guarded by the store's lock): its documents, its deploy
    configuration, its drafts and deployments, and the app fields a creation set."""

    id: str
    name: str
    client_app_id: str
    domain_id: str
    docs: dict[str, Any] = field(default_factory=dict)
    deploy_config: dict[str, Any] = field(default_factory=dict)
    drafts: dict[str, Draft] = field(default_factory=dict)
    deployments: list[Deployment] = field(default_factory=list)
    app_fields: dict[str, str] = field(default_factory=dict)


def _check_group(group_id: str) -> None:
    if group_id != DEFAULT_GROUP_ID:
        raise ApiError(404, f"group not found: '{group_id}'", "GroupNotFound")


class Store:
    """Everything the Admin API can see or change, guarded by one lock."""

    def __init__(
        self, faults: Faults = HEALTHY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._access: dict[str, Session] = {}
        self._refresh: dict[str, str] = {}
        self.reset(faults)

    # -- lifecycle -------------------------------------------------------------------------

    def reset(self, faults: Faults = HEALTHY) -> None:
        """Back to the initial app state. Login sessions survive (they are not app state),
        but none outlives the new token lifetime, counted from now."""
        with self._lock:
            self.faults = faults
            latest = self._clock() + faults.token_ttl_seconds
            for token, session in self._access.items():
                self._access[token] = replace(session, expires_at=min(session.expires_at, latest))
            self._ids = 0
            self._ticks = 0
            self._throttle_left = faults.throttle_next
            self._unavailable_left = faults.unavailable_next
            self.user_id = self._new_id()
            # The ids are taken in this order so recordings keep theirs.
            domain_id, service_id = self._new_id(), self._new_id()
            service = {"_id": service_id, "name": SERVICE_NAME, "type": SERVICE_NAME}
            app = _App(
                id=DEFAULT_APP_ID,
                name=APP_NAME,
                client_app_id=CLIENT_APP_ID,
                domain_id=domain_id,
                docs={
                    SERVICES: {service_id: service},
                    config_key(service_id): _initial_config(faults),
                },
                deploy_config={
                    "ui_drafts_disabled": faults.ui_drafts_disabled,
                    "automatic_deployment": {"enabled": False},
                },
            )
            first_draft_id = self._new_id()
            app.deployments.append(
                Deployment(
                    id=self._new_id(),
                    user_id=self.user_id,
                    deployed_at=self._tick(),
                    origin="UI",
                    status="successful",
                    outcome="successful",
                    changes={},
                    draft_id=first_draft_id,
                    deployed=copy.deepcopy(app.docs),
                )
            )
            self._apps: dict[str, _App] = {app.id: app}

    def snapshot(self) -> dict[str, Any]:
        """The state as JSON, for debugging; tokens are left out (they are credentials).
        The default app's state is at the top level; ``apps`` lists every app."""
        with self._lock:
            app = self._apps.get(DEFAULT_APP_ID) or _App(DEFAULT_APP_ID, "", "", "")
            return {
                "apps": [self._app_json(a) for a in self._apps.values()],
                "faults": asdict(self.faults),
                "throttle_left": self._throttle_left,
                "unavailable_left": self._unavailable_left,
                "sessions": len(self._access),
                "app": self._app_json(app),
                "services": {
                    sid: copy.deepcopy(app.docs.get(config_key(sid)))
                    for sid in app.docs.get(SERVICES, {})
                },
                "documents": copy.deepcopy(app.docs),
                "deploy_config": copy.deepcopy(app.deploy_config),
                "drafts": [
                    {"_id": d.id, "user_id": d.user_id, "changes": copy.deepcopy(dict(d.changes))}
                    for d in app.drafts.values()
                ],
                "deployments": [d.to_json(app.id) for d in reversed(app.deployments)],
            }

    # -- front door: faults and sessions ---------------------------------------------------

    def admit(self) -> None:
        """Apply the throttling and outage faults to one API request."""
        with self._lock:
            if self._throttle_left > 0:
                self._throttle_left -= 1
                raise ApiError(429, "too many requests", "TooManyRequests", {"Retry-After": "0"})
            if self._unavailable_left > 0:
                self._unavailable_left -= 1
                raise ApiError(503, "service unavailable", "ServiceUnavailable")

    def login(self, username: str, api_key: str) -> dict[str, str]:
        if not (
            secrets.compare_digest(username, DEFAULT_PUBLIC_KEY)
            and secrets.compare_digest(api_key, DEFAULT_PRIVATE_KEY)
        ):
            raise ApiError(401, "invalid username/password", "InvalidPassword")
        with self._lock:
            refresh = secrets.token_urlsafe(32)
            self._refresh[refresh] = self.user_id
            return {
                "access_token": self._issue_access(self.user_id),
                "refresh_token": refresh,
                "user_id": self.user_id,
                "device_id": DEVICE_ID,
            }

    def refresh(self, token: str) -> dict[str, str]:
        with self._lock:
            user_id = self._refresh.get(token)
            if user_id is None:
                if token in self._access:
                    raise ApiError(
                        401, "invalid refresh token: incorrect token type", INVALID_SESSION
                    )
                raise ApiError(
                    401, "invalid session: failed to find refresh token", INVALID_SESSION
                )
            return {"access_token": self._issue_access(user_id)}

    def logout(self, token: str) -> None:
        with self._lock:
            user_id = self._refresh.pop(token, None)
            if user_id is None:
                raise ApiError(
                    401, "invalid session: failed to find refresh token", INVALID_SESSION
                )

    def authenticate(self, token: str) -> str:
        """The user an access token belongs to; expired and unknown tokens are refused alike."""
        with self._lock:
            session = self._access.get(token)
            if session is None or self._clock() >= session.expires_at:
                self._access.pop(token, None)
                raise ApiError(401, EXPIRED_MESSAGE, INVALID_SESSION)
            return session.user_id

    # -- apps and services -------------------------------------------------------------------

    def list_apps(self, group_id: str) -> list[dict[str, Any]]:
        _check_group(group_id)
        with self._lock:
            return [self._app_json(app) for app in self._apps.values()]

    def get_app(self, group_id: str, app_id: str) -> dict[str, Any]:
        with self._lock:
            return self._app_json(self._app(group_id, app_id))

    def create_app(self, user_id: str, group_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A new, empty app (no data source, one initial deployment), as the UI creates one."""
        _check_group(group_id)
        name = body.get("name")
        if not isinstance(name, str) or not APP_NAME_PATTERN.fullmatch(name):
            raise ApiError(
                400,
                "an app name starts with a letter and has only ASCII letters, digits, _ and -",
                "InvalidAppName",
            )
        with self._lock:
            if any(app.name == name for app in self._apps.values()):
                raise ApiError(409, f"an app named '{name}' already exists", "DuplicateAppName")
            app = _App(
                id=self._new_id(),
                name=name,
                client_app_id=f"{name.lower()}-{self._ids:05x}"[:64],
                domain_id=self._new_id(),
                docs={SERVICES: {}},
                deploy_config={
                    "ui_drafts_disabled": False,
                    "automatic_deployment": {"enabled": False},
                },
                app_fields={k: body[k] for k in APP_BODY_FIELDS if isinstance(body.get(k), str)},
            )
            app.deployments.append(
                Deployment(
                    id=self._new_id(),
                    user_id=user_id,
                    deployed_at=self._tick(),
                    origin="API",
                    status="successful",
                    outcome="successful",
                    changes={},
                    deployed=copy.deepcopy(app.docs),
                )
            )
            self._apps[app.id] = app
            return self._app_json(app)

    def delete_app(self, group_id: str, app_id: str) -> None:
        with self._lock:
            del self._apps[self._app(group_id, app_id).id]

    def get_service_config(
        self, user_id: str, group_id: str, app_id: str, sid: str
    ) -> dict[str, Any]:
        """The deployed config, or the user's draft view of it while their draft is open."""
        with self._lock:
            app = self._app(group_id, app_id)
            self._check_service(app, user_id, sid)
            return dict(self._read(app, user_id, config_key(sid)) or {})

    def patch_service_config(
        self, user_id: str, group_id: str, app_id: str, sid: str, patch: Mapping[str, Any]
    ) -> None:
        """Into the user's open draft, or deployed at once when none is open."""
        with self._lock:
            app = self._app(group_id, app_id)
            self._check_service(app, user_id, sid)
            key = config_key(sid)
            self._write(
                app, user_id, key, apply_config_patch(self._read(app, user_id, key) or {}, patch)
            )

    # -- generic documents: the draft overlay ------------------------------------------------

    def read(self, user_id: str, group_id: str, app_id: str, key: str) -> Any:
        """A document as ``user_id`` sees it (through their open draft); None if absent."""
        with self._lock:
            app = self._app(group_id, app_id)
            return self._read(app, user_id, key)

    def change(
        self,
        user_id: str,
        group_id: str,
        app_id: str,
        key: str,
        update: Callable[[Any], tuple[Any, Any]],
        extra: Mapping[str, Any] | None = None,
    ) -> Any:
        """Read-modify-write one document atomically: ``update(current)`` returns the new
        document and a result to hand back. ``extra`` documents are written with it, as one
        change; the write follows the draft overlay."""
        with self._lock:
            app = self._app(group_id, app_id)
            new, result = update(self._read(app, user_id, key))
            self._write_many(app, user_id, {**(extra or {}), key: new})
            return result

    def pull(self, group_id: str, app_id: str) -> dict[str, Any]:
        """The deployed app configuration (never a draft's)."""
        with self._lock:
            app = self._app(group_id, app_id)
            return to_config(self._app_json(app), app.docs)

    def export(self, group_id: str, app_id: str, deployment_id: str = "") -> bytes:
        """What a deployment deployed (the latest successful one by default), as a zip."""
        with self._lock:
            app = self._app(group_id, app_id)
            if not deployment_id:
                done = [d for d in app.deployments if d.deployed is not None]
                return to_zip(to_config(self._app_json(app), done[-1].deployed or {}))
            found = next((d for d in app.deployments if d.id == deployment_id), None)
            if found is None:
                raise ApiError(404, "deployment not found", "DeploymentNotFound")
            if found.deployed is None:
                raise ApiError(
                    400,
                    f"deployment {deployment_id} is {found.status}: it deployed nothing",
                    "InvalidDeployment",
                )
            return to_zip(to_config(self._app_json(app), found.deployed))

    def push(self, user_id: str, group_id: str, app_id: str, config: Mapping[str, Any]) -> None:
        """Replace the whole app configuration: into the open draft, or deployed at once."""
        with self._lock:
            app = self._app(group_id, app_id)
            draft = self._draft_of(app, user_id)
            view = {**app.docs, **(draft.changes if draft is not None else {})}
            self._write_many(app, user_id, from_config(config, view, self._new_id))

    def tick(self) -> int:
        """A timestamp from the store's logical clock (deterministic across runs)."""
        with self._lock:
            return self._tick()

    def new_id(self) -> str:
        with self._lock:
            return self._new_id()

    # -- deploy configuration ------------------------------------------------------------------

    def get_deploy_config(self, group_id: str, app_id: str) -> dict[str, Any]:
        with self._lock:
            app = self._app(group_id, app_id)
            return copy.deepcopy(app.deploy_config)

    def patch_deploy_config(self, group_id: str, app_id: str, patch: Mapping[str, Any]) -> None:
        disabled = patch.get("ui_drafts_disabled", False)
        automatic = patch.get("automatic_deployment", {})
        if not isinstance(disabled, bool) or not isinstance(automatic, Mapping):
            raise ApiError(
                400,
                "ui_drafts_disabled must be a boolean and automatic_deployment an object",
                "BadRequest",
            )
        with self._lock:
            app = self._app(group_id, app_id)
            app.deploy_config.update(copy.deepcopy(dict(patch)))

    # -- drafts ----------------------------------------------------------------------------------

    def list_drafts(self, user_id: str, group_id: str, app_id: str) -> list[dict[str, Any]]:
        with self._lock:
            app = self._app(group_id, app_id)
            return [self._draft_json(app, d) for d in app.drafts.values() if d.user_id == user_id]

    def create_draft(self, user_id: str, group_id: str, app_id: str) -> dict[str, Any]:
        with self._lock:
            app = self._app(group_id, app_id)
            if self._draft_of(app, user_id) is not None:
                raise ApiError(
                    409, "a deployment draft already exists for this user", "DraftAlreadyExists"
                )
            draft = Draft(id=self._new_id(), user_id=user_id)
            app.drafts[draft.id] = draft
            return self._draft_json(app, draft)

    def discard_draft(self, user_id: str, group_id: str, app_id: str, draft_id: str) -> None:
        with self._lock:
            app = self._app(group_id, app_id)
            self._own_draft(app, user_id, draft_id)
            del app.drafts[draft_id]

    def draft_diff(self, user_id: str, group_id: str, app_id: str, draft_id: str) -> dict[str, Any]:
        with self._lock:
            app = self._app(group_id, app_id)
            draft = self._own_draft(app, user_id, draft_id)
            diffs: list[str] = []
            for key, document in sorted(draft.changes.items()):
                if key != hosting.ASSETS:
                    before = app.docs.get(key)
                    diffs.extend(document_diff(self._file_name(app, key), before, document))
            assets = draft.changes.get(hosting.ASSETS, app.docs.get(hosting.ASSETS))
            files = hosting.files_diff(app.docs.get(hosting.ASSETS) or {}, assets or {})
            return {"diffs": diffs, "hosting_files_diff": files}

    def deploy_draft(
        self, user_id: str, group_id: str, app_id: str, draft_id: str, name: str
    ) -> dict[str, Any]:
        """Close the draft and start a deployment of it (status "created")."""
        with self._lock:
            app = self._app(group_id, app_id)
            draft = self._own_draft(app, user_id, draft_id)
            del app.drafts[draft_id]
            deployment = replace(
                self._new_deployment(user_id, draft.changes, origin="API", draft_id=draft_id),
                name=name,
            )
            app.deployments.append(deployment)
            return deployment.to_json(app.id)

    # -- deployments -----------------------------------------------------------------------------

    def list_deployments(self, group_id: str, app_id: str) -> list[dict[str, Any]]:
        with self._lock:
            app = self._app(group_id, app_id)
            newest = reversed(app.deployments[-DEPLOYMENT_LIST_LIMIT:])
            return [d.to_json(app.id) for d in newest]

    def redeploy(self, user_id: str, group_id: str, app_id: str, deployment_id: str) -> None:
        """Deploy again what a successful deployment left deployed (a new deployment)."""
        with self._lock:
            app = self._app(group_id, app_id)
            old = next((d for d in app.deployments if d.id == deployment_id), None)
            if old is None:
                raise ApiError(404, "deployment not found", "DeploymentNotFound")
            if old.deployed is None:
                raise ApiError(
                    400,
                    f"deployment {deployment_id} is {old.status}: only a successful "
                    "deployment can be redeployed",
                    "InvalidDeployment",
                )
            changes = {key: None for key in app.docs if key not in old.deployed}
            changes.update({k: v for k, v in old.deployed.items() if app.docs.get(k) != v})
            deployment = self._new_deployment(user_id, changes, origin="API", draft_id="")
            app.deployments.append(self._settle_at_once(app, deployment))

    def get_deployment(self, group_id: str, app_id: str, deployment_id: str) -> dict[str, Any]:
        """The deployment, moved on one step: each look is one tick of the deploy worker."""
        with self._lock:
            app = self._app(group_id, app_id)
            for index, deployment in enumerate(app.deployments):
                if deployment.id == deployment_id:
                    app.deployments[index] = self._advance(app, deployment)
                    return app.deployments[index].to_json(app.id)
        raise ApiError(404, "deployment not found", "DeploymentNotFound")

    # -- internals (called with the lock held) ---------------------------------------------

    def _new_id(self) -> str:
        self._ids += 1
        return f"{ID_BASE + self._ids:024x}"

    def _tick(self) -> int:
        self._ticks += 1
        return EPOCH + self._ticks

    def _issue_access(self, user_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self._access[token] = Session(user_id, self._clock() + self.faults.token_ttl_seconds)
        return token

    def _app_json(self, app: _App) -> dict[str, Any]:
        return {
            "_id": app.id,
            "client_app_id": app.client_app_id,
            "name": app.name,
            "location": "US-VA",
            "deployment_model": "GLOBAL",
            "provider_region": "aws-us-east-1",
            "domain_id": app.domain_id,
            "group_id": DEFAULT_GROUP_ID,
            "last_used": EPOCH,
            "last_modified": EPOCH,
            "product": "standard",
            "environment": "",
            **app.app_fields,
            **_environment_of(app.docs),
        }

    def _draft_json(self, app: _App, draft: Draft) -> dict[str, Any]:
        return {"_id": draft.id, "user_id": draft.user_id, "app": {"id": app.id, "name": app.name}}

    def _app(self, group_id: str, app_id: str) -> _App:
        """The app a request names (called with the lock held); 404 when there is none."""
        app = self._apps.get(app_id) if group_id == DEFAULT_GROUP_ID else None
        if app is None:
            raise ApiError(404, f"app not found: '{app_id}'", "AppNotFound")
        return app

    def _check_service(self, app: _App, user_id: str, sid: str) -> None:
        if sid not in (self._read(app, user_id, SERVICES) or {}):
            raise ApiError(404, f"service not found: '{sid}'", "ServiceNotFound")

    def _read(self, app: _App, user_id: str, key: str) -> Any:
        draft = self._draft_of(app, user_id)
        if draft is not None and key in draft.changes:
            return copy.deepcopy(draft.changes[key])
        return copy.deepcopy(app.docs.get(key))

    def _write(self, app: _App, user_id: str, key: str, document: Any) -> None:
        self._write_many(app, user_id, {key: document})

    def _write_many(self, app: _App, user_id: str, documents: dict[str, Any]) -> None:
        immediate = {k: v for k, v in documents.items() if not is_drafted(k)}
        drafted = {k: copy.deepcopy(v) for k, v in documents.items() if is_drafted(k)}
        _apply(app.docs, immediate)
        if not drafted:
            return
        draft = self._draft_of(app, user_id)
        if draft is not None:
            app.drafts[draft.id] = replace(draft, changes={**draft.changes, **drafted})
            return
        deployment = self._new_deployment(user_id, drafted, origin="API", draft_id="")
        app.deployments.append(self._settle_at_once(app, deployment))

    def _file_name(self, app: _App, key: str) -> str:
        """The configuration file a document is, as the drafts diff names it."""
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == SERVICES and parts[2] == "config":
            record = (app.docs.get(SERVICES) or {}).get(parts[1]) or {}
            return f"data_sources/{record.get('name', parts[1])}/config.json"
        return f"{key}.json"

    def _draft_of(self, app: _App, user_id: str) -> Draft | None:
        return next((d for d in app.drafts.values() if d.user_id == user_id), None)

    def _own_draft(self, app: _App, user_id: str, draft_id: str) -> Draft:
        draft = app.drafts.get(draft_id)
        if draft is None or draft.user_id != user_id:
            raise ApiError(404, f"draft not found: '{draft_id}'", "DraftNotFound")
        return draft

    def _new_deployment(
        self, user_id: str, changes: Documents, origin: str, draft_id: str
    ) -> Deployment:
        outcome: DeploymentOutcome = "successful"
        if self.faults.fail_deploys:
            outcome = "failed"
        elif self.faults.stall_deployments:
            outcome = "stalled"
        return Deployment(
            id=self._new_id(),
            user_id=user_id,
            deployed_at=self._tick(),
            origin=origin,
            status="created",
            outcome=outcome,
            changes=changes,
            draft_id=draft_id,
        )

    def _advance(self, app: _App, deployment: Deployment) -> Deployment:
        if deployment.status == "created":
            return replace(deployment, status="pending")
        if deployment.status != "pending" or deployment.outcome == "stalled":
            return deployment
        return self._finish(app, deployment)

    def _settle_at_once(self, app: _App, deployment: Deployment) -> Deployment:
        """A change made with no draft open: deployed (or failed, or stuck) right away."""
        if deployment.outcome == "stalled":
            return replace(deployment, status="pending")
        return self._finish(app, deployment)

    def _finish(self, app: _App, deployment: Deployment) -> Deployment:
        if deployment.outcome == "failed":
            return replace(
                deployment, status="failed", status_error_message=self.faults.fail_deploys
            )
        _apply(app.docs, deployment.changes)
        return replace(deployment, status="successful", deployed=copy.deepcopy(app.docs))


def config_key(service_id: str) -> str:
    """The document key of a service's configuration."""
    return f"{SERVICES}/{service_id}/config"


def _environment_of(documents: Documents) -> dict[str, str]:
    """The environment tag a PUT .../environment or a push set, if any (it outlives creation)."""
    tag = app_environment(documents)
    return {} if tag is None else {"environment": tag}


def is_drafted(key: str) -> bool:
    """Whether a document is app configuration (changed through drafts and deployments)."""
    return key.split("/", 1)[0] in resources().drafted


def _apply(documents: dict[str, Any], changes: Documents) -> None:
    for key, document in changes.items():
        if document is None:
            documents.pop(key, None)
        else:
            documents[key] = copy.deepcopy(document)


def _initial_config(faults: Faults) -> dict[str, Any]:
    sync: dict[str, Any] = {"state": ""}
    if not faults.sync_terminated:
        sync = {
            "state": "enabled",
            "database_name": "todo",
            "partition": {
                "key": "_partition",
                "type": "string",
                "permissions": {"read": True, "write": True},
            },
            "development_mode_enabled": False,
        }
    return {
        "clusterName": "Cluster0",
        "readPreference": "primary",
        "wireProtocolEnabled": False,
        "sync": sync,
    }
