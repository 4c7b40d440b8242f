"""The Admin API routes: HTTP in, calls on the Store, ``{error, error_code}`` out.

Paths use the official spec's templates (``{groupId}``, ``{appId}``, ...) so a
route and its spec operation read the same. Every handler returns
``(status, body)``; one wrapper does the parts every real endpoint shares:
fault injection, the bearer token, JSON parsing and error answers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from harness.emulator.errors import ApiError
from harness.emulator.state import HEALTHY, Faults, Store

PREFIX = "/api/admin/v3.0"
CONTROL_PREFIX = "/__emulator"
LOOPBACK_CLIENTS = frozenset({"127.0.0.1", "::1"})
APP = "/groups/{groupId}/apps/{appId}"

Auth = Literal["access", "refresh", "none"]


@dataclass(frozen=True)
class Call:
    """One request as a handler sees it: who, which path parameters, what body."""

    store: Store
    user_id: str
    token: str
    params: Mapping[str, str]
    body: Any


Handler = Callable[[Call], tuple[int, Any]]
Endpoint = Callable[[Request], Awaitable[Response]]


def create_app(
    faults: Faults = HEALTHY, *, clock: Callable[[], float] = time.monotonic
) -> Starlette:
    """A fresh emulated Admin API as an ASGI app (the store is at ``app.state.store``)."""
    return build_app(Store(faults, clock))


def build_app(store: Store) -> Starlette:
    app = Starlette(
        routes=[Mount(PREFIX, routes=api_routes(store)), *control_routes(store)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.store = store
    return app


def api_routes(store: Store) -> list[BaseRoute]:
    """The Admin API operations the emulator serves, relative to ``PREFIX``."""

    def route(method: str, path: str, handler: Handler, auth: Auth = "access") -> Route:
        return Route(path, _endpoint(store, handler, auth), methods=[method])

    return [
        route("POST", "/auth/providers/mongodb-cloud/login", _login, auth="none"),
        route("POST", "/auth/session", _refresh, auth="refresh"),
        route("DELETE", "/auth/session", _logout, auth="refresh"),
        route("GET", "/groups/{groupId}/apps", _list_apps),
        route("GET", APP, _get_app),
        route("GET", f"{APP}/services", _list_services),
        route("GET", f"{APP}/services/{{serviceId}}/config", _get_service_config),
        route("PATCH", f"{APP}/services/{{serviceId}}/config", _patch_service_config),
        route("GET", f"{APP}/deploy/config", _get_deploy_config),
        route("PATCH", f"{APP}/deploy/config", _patch_deploy_config),
        route("GET", f"{APP}/drafts", _list_drafts),
        route("POST", f"{APP}/drafts", _create_draft),
        route("DELETE", f"{APP}/drafts/{{draftId}}", _discard_draft),
        route("GET", f"{APP}/drafts/{{draftId}}/diff", _draft_diff),
        route("POST", f"{APP}/drafts/{{draftId}}/deployment", _deploy_draft),
        route("GET", f"{APP}/deployments", _list_deployments),
        route("GET", f"{APP}/deployments/{{deploymentId}}", _get_deployment),
    ]


def control_routes(store: Store) -> list[BaseRoute]:
    """Out-of-band control, so a process that did not start the emulator can reset it."""

    async def reset(request: Request) -> Response:
        try:
            faults = Faults.from_json(await _json_body(request))
        except ApiError as error:
            return _error(error)
        except ValueError as error:
            return _error(ApiError(400, str(error), "InvalidFaults"))
        store.reset(faults)
        return Response(status_code=204)

    async def state(request: Request) -> Response:
        return JSONResponse(store.snapshot())

    return [
        Route(f"{CONTROL_PREFIX}/reset", _loopback_only(reset), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/state", _loopback_only(state), methods=["GET"]),
    ]


def _loopback_only(endpoint: Endpoint) -> Endpoint:
    """Refuse control calls from anywhere but this machine, even if the app is served wider."""

    async def guarded(request: Request) -> Response:
        if request.client is None or request.client.host not in LOOPBACK_CLIENTS:
            refusal = ApiError(403, "the emulator control API answers loopback only", "Forbidden")
            return _error(refusal)
        return await endpoint(request)

    return guarded


def _endpoint(store: Store, handler: Handler, auth: Auth) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            if auth != "none":
                store.admit()
            token = _bearer(request) if auth != "none" else ""
            user_id = store.authenticate(token) if auth == "access" else ""
            body = await _json_body(request)
            call = Call(store, user_id, token, dict(request.path_params), body)
            status, content = handler(call)
        except ApiError as error:
            return _error(error)
        if content is None:
            return Response(status_code=status)
        return JSONResponse(content, status_code=status)

    return endpoint


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "no authentication methods were specified", "InvalidSession")
    return token.strip()


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "the request body is not valid JSON", "BadRequest") from None


def _object_body(call: Call, *, required: bool = True) -> Mapping[str, Any]:
    if call.body is None and not required:
        return {}
    if not isinstance(call.body, Mapping):
        raise ApiError(400, "the request body must be a JSON object", "BadRequest")
    return call.body


def _error(error: ApiError) -> Response:
    return JSONResponse(error.body(), status_code=error.status, headers=dict(error.headers))


async def _http_error(request: Request, exc: Exception) -> Response:
    """Routing failures (no such path, wrong method) in the API's own error shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(status, "InternalServerError")
    message = f"no route for {request.method} {request.url.path}" if status == 404 else code
    return JSONResponse({"error": message, "error_code": code}, status, headers=headers)


# -- handlers -------------------------------------------------------------------------------


def _login(call: Call) -> tuple[int, Any]:
    body = _object_body(call)
    username, api_key = body.get("username"), body.get("apiKey")
    if not isinstance(username, str) or not isinstance(api_key, str):
        raise ApiError(400, "username and apiKey must be strings", "BadRequest")
    return 200, call.store.login(username, api_key)


def _refresh(call: Call) -> tuple[int, Any]:
    return 201, call.store.refresh(call.token)


def _logout(call: Call) -> tuple[int, Any]:
    call.store.logout(call.token)
    return 204, None


def _list_apps(call: Call) -> tuple[int, Any]:
    return 200, call.store.list_apps(call.params["groupId"])


def _get_app(call: Call) -> tuple[int, Any]:
    return 200, call.store.get_app(*_app(call))


def _list_services(call: Call) -> tuple[int, Any]:
    return 200, call.store.list_services(*_app(call))


def _get_service_config(call: Call) -> tuple[int, Any]:
    return 200, call.store.get_service_config(call.user_id, *_app(call), call.params["serviceId"])


def _patch_service_config(call: Call) -> tuple[int, Any]:
    sid = call.params["serviceId"]
    call.store.patch_service_config(call.user_id, *_app(call), sid, _object_body(call))
    return 204, None


def _get_deploy_config(call: Call) -> tuple[int, Any]:
    return 200, call.store.get_deploy_config(*_app(call))


def _patch_deploy_config(call: Call) -> tuple[int, Any]:
    call.store.patch_deploy_config(*_app(call), _object_body(call))
    return 204, None


def _list_drafts(call: Call) -> tuple[int, Any]:
    return 200, call.store.list_drafts(call.user_id, *_app(call))


def _create_draft(call: Call) -> tuple[int, Any]:
    return 201, call.store.create_draft(call.user_id, *_app(call))


def _discard_draft(call: Call) -> tuple[int, Any]:
    call.store.discard_draft(call.user_id, *_app(call), call.params["draftId"])
    return 204, None


def _draft_diff(call: Call) -> tuple[int, Any]:
    return 200, call.store.draft_diff(call.user_id, *_app(call), call.params["draftId"])


def _deploy_draft(call: Call) -> tuple[int, Any]:
    """The body ``{name}`` is optional, as realm-cli sends none; the name defaults to the id."""
    name = _object_body(call, required=False).get("name", "")
    if not isinstance(name, str):
        raise ApiError(400, "name must be a string", "BadRequest")
    return 201, call.store.deploy_draft(call.user_id, *_app(call), call.params["draftId"], name)


def _list_deployments(call: Call) -> tuple[int, Any]:
    return 200, call.store.list_deployments(*_app(call))


def _get_deployment(call: Call) -> tuple[int, Any]:
    return 200, call.store.get_deployment(*_app(call), call.params["deploymentId"])


def _app(call: Call) -> tuple[str, str]:
    return call.params["groupId"], call.params["appId"]
