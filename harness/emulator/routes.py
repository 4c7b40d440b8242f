"""The Admin API routes: HTTP in, calls on the Store, ``{error, error_code}`` out.

The routes are the official spec's operations (``harness.emulator.openapi``):
the plain-shaped ones answered by ``harness.emulator.generic``, the ones with
product semantics (sessions, drafts, deployments, sync, pull and push) by the
handlers below. Paths use the spec's templates (``{groupId}``, ``{appId}``,
...), so a route and its spec operation read the same. Every handler returns
``(status, body)``; one wrapper does the parts every real endpoint shares:
fault injection, the bearer token, JSON parsing with limits (size, depth,
finite numbers) and error answers.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from harness.emulator import generic, hosting
from harness.emulator.appconfig import ENVIRONMENT_KEY
from harness.emulator.errors import ApiError
from harness.emulator.openapi import GENERIC_KINDS, Operation, operations, problems
from harness.emulator.state import HEALTHY, Faults, Store
from harness.emulator.syncconfig import check_sync_fields

PREFIX = "/api/admin/v3.0"
CONTROL_PREFIX = "/__emulator"
LOOPBACK_CLIENTS = frozenset({"127.0.0.1", "::1"})
APP = "/groups/{groupId}/apps/{appId}"
MAX_BODY_BYTES = 4 * 1024 * 1024  # larger request bodies are refused with 413
MAX_BODY_DEPTH = 64  # JSON nested deeper than this is refused with 400

Auth = Literal["access", "refresh", "none"]


@dataclass(frozen=True)
class Call:
    """One request as a handler sees it: who, which path parameters, what body."""

    store: Store
    user_id: str
    token: str
    params: Mapping[str, str]
    body: Any
    query: Mapping[str, str]


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
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.store = store
    return app


def api_routes(store: Store) -> list[BaseRoute]:
    """The Admin API operations the emulator serves, relative to ``PREFIX``."""
    by_template: dict[str, dict[str, Endpoint]] = {}
    for operation in served_operations():
        endpoint = _endpoint(store, _handler(operation), _auth(operation))
        by_template.setdefault(operation.template, {})[operation.method] = endpoint
    return [
        Route(t, _by_method(endpoints), methods=list(endpoints))
        for t, endpoints in by_template.items()
    ]


def served_operations() -> tuple[Operation, ...]:
    """The spec's operations this emulator answers (hand-written or generic), routes' order."""
    return tuple(op for op in operations() if op.kind in GENERIC_KINDS or op.label in _HAND_WRITTEN)


def _handler(operation: Operation) -> Handler:
    if operation.label in _HAND_WRITTEN:
        hand_written = _HAND_WRITTEN[operation.label]
        schema = operation.request_schema
        if schema is None or operation.label in _CHECKS_ITS_OWN_BODY:
            return hand_written

        def checked(call: Call) -> tuple[int, Any]:
            if call.body is not None:
                _refuse_problems(problems(schema, call.body))
            return hand_written(call)

        return checked

    def generic_handler(call: Call) -> tuple[int, Any]:
        request = generic.Call(call.store, call.user_id, call.params, call.body, call.query)
        return generic.answer(operation, request)

    return generic_handler


def _auth(operation: Operation) -> Auth:
    return _AUTH.get(operation.label, "access")


def _by_method(endpoints: Mapping[str, Endpoint]) -> Endpoint:
    async def dispatch(request: Request) -> Response:
        return await endpoints[request.method](request)

    return dispatch


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
            query = dict(request.query_params)
            call = Call(store, user_id, token, dict(request.path_params), body, query)
            status, content = handler(call)
        except ApiError as error:
            return _error(error)
        if content is None:
            return Response(status_code=status)
        if isinstance(content, bytes):
            return Response(content, status, media_type="application/zip")
        return JSONResponse(content, status_code=status)

    return endpoint


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "no authentication methods were specified", "InvalidSession")
    return token.strip()


async def _json_body(request: Request) -> Any:
    """The request's JSON; 413 above MAX_BODY_BYTES, 400 for what JSON or the API can't hold."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return None
    try:
        value = json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        raise ApiError(400, "the request body is not valid JSON", "BadRequest") from None
    if _depth_exceeds(value, MAX_BODY_DEPTH):
        raise _too_deep()
    return value


def _too_large() -> ApiError:
    return ApiError(
        413, f"the request body is larger than {MAX_BODY_BYTES} bytes", "RequestEntityTooLarge"
    )


def _too_deep() -> ApiError:
    return ApiError(400, f"the request body nests deeper than {MAX_BODY_DEPTH}", "BadRequest")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("a number out of range")
    return number


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        if not children:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


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


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug in the emulator still answers in the API's error shape (never a traceback)."""
    body = {
        "error": f"the emulator failed: {type(exc).__name__}",
        "error_code": "InternalServerError",
    }
    return JSONResponse(body, 500)


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


def _create_app(call: Call) -> tuple[int, Any]:
    body = _object_body(call)
    return 201, call.store.create_app(call.user_id, call.params["groupId"], body)


def _delete_app(call: Call) -> tuple[int, Any]:
    call.store.delete_app(*_app(call))
    return 204, None


def _get_app(call: Call) -> tuple[int, Any]:
    return 200, call.store.get_app(*_app(call))


def _set_environment(call: Call) -> tuple[int, Any]:
    """The app's environment tag changes at once (it is no draft's), and the app is the answer."""
    tag = _object_body(call).get("environment", "")
    call.store.change(
        call.user_id, *_app(call), ENVIRONMENT_KEY, lambda _: ({"environment": tag}, None)
    )
    return 200, call.store.get_app(*_app(call))


def _get_service_config(call: Call) -> tuple[int, Any]:
    return 200, call.store.get_service_config(call.user_id, *_app(call), call.params["serviceId"])


def _patch_service_config(call: Call) -> tuple[int, Any]:
    sid = call.params["serviceId"]
    body = _object_body(call)
    check_sync_fields(body)
    _check_schema(f"PATCH {APP}/services/{{serviceId}}/config", body)
    call.store.patch_service_config(call.user_id, *_app(call), sid, body)
    return 204, None


def _pull(call: Call) -> tuple[int, Any]:
    """The deployed configuration as one JSON object (a draft never shows here)."""
    return 200, call.store.pull(*_app(call))


def _export(call: Call) -> tuple[int, Any]:
    """A zip of what one deployment deployed (``?deployment=<id>``; the latest by default)."""
    return 200, call.store.export(*_app(call), call.query.get("deployment", ""))


def _push(call: Call) -> tuple[int, Any]:
    body = _object_body(call)
    if "sync" in body:  # the app's sync/config.json: the documented Flexible Sync settings
        check_sync_fields({"flexible_sync": body["sync"]})
    _check_schema(f"PATCH {APP}/push", body)
    call.store.push(call.user_id, *_app(call), body)
    return 204, None


def _check_schema(label: str, body: Any) -> None:
    """400 when ``body`` breaks the request schema of that operation (deviations applied)."""
    schema = next(op.request_schema for op in operations() if op.label == label)
    _refuse_problems(problems(schema or {}, body))


def _refuse_problems(found: list[str]) -> None:
    if found:
        shown = "; ".join(found[:3])
        raise ApiError(400, f"the request body does not fit the spec: {shown}", "BadRequest")


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


def _list_assets(call: Call) -> tuple[int, Any]:
    assets = call.store.read(call.user_id, *_app(call), hosting.ASSETS) or {}
    return 200, hosting.listing(assets, call.query.get("prefix", ""))


def _get_asset(call: Call) -> tuple[int, Any]:
    assets = call.store.read(call.user_id, *_app(call), hosting.ASSETS) or {}
    return 200, dict(hosting.get(assets, _asset_path(call)))


def _upload_asset(call: Call) -> tuple[int, Any]:
    body, path, now = _object_body(call), _asset_path(call), call.store.tick()
    app_id = call.params["appId"]
    _change_assets(call, lambda assets: hosting.upload(assets, path, body, app_id, now))
    return 204, None


def _update_asset(call: Call) -> tuple[int, Any]:
    body, path = _object_body(call), _asset_path(call)
    _change_assets(call, lambda assets: hosting.set_attributes(assets, path, body))
    return 204, None


def _move_asset(call: Call) -> tuple[int, Any]:
    body = _object_body(call)
    _change_assets(call, lambda assets: hosting.move_or_copy(assets, body))
    return 204, None


def _asset_path(call: Call) -> str:
    path = call.query.get("path")
    if not path:
        raise ApiError(400, "the query parameter path is required", "BadRequest")
    return path


def _change_assets(call: Call, change: Callable[[Mapping[str, Any]], Any]) -> None:
    def update(current: Any) -> tuple[Any, Any]:
        return change(current or {}), None

    call.store.change(call.user_id, *_app(call), hosting.ASSETS, update)


def _redeploy(call: Call) -> tuple[int, Any]:
    call.store.redeploy(call.user_id, *_app(call), call.params["deploymentId"])
    return 204, None


def _app(call: Call) -> tuple[str, str]:
    return call.params["groupId"], call.params["appId"]


_HAND_WRITTEN: Mapping[str, Handler] = {
    "POST /auth/providers/mongodb-cloud/login": _login,
    "POST /auth/session": _refresh,
    "DELETE /auth/session": _logout,
    "GET /groups/{groupId}/apps": _list_apps,
    "POST /groups/{groupId}/apps": _create_app,
    f"GET {APP}": _get_app,
    f"PUT {APP}/environment": _set_environment,
    f"DELETE {APP}": _delete_app,
    f"GET {APP}/services/{{serviceId}}/config": _get_service_config,
    f"PATCH {APP}/services/{{serviceId}}/config": _patch_service_config,
    f"GET {APP}/deploy/config": _get_deploy_config,
    f"PATCH {APP}/deploy/config": _patch_deploy_config,
    f"GET {APP}/drafts": _list_drafts,
    f"POST {APP}/drafts": _create_draft,
    f"DELETE {APP}/drafts/{{draftId}}": _discard_draft,
    f"GET {APP}/drafts/{{draftId}}/diff": _draft_diff,
    f"POST {APP}/drafts/{{draftId}}/deployment": _deploy_draft,
    f"GET {APP}/deployments": _list_deployments,
    f"GET {APP}/deployments/{{deploymentId}}": _get_deployment,
    f"POST {APP}/deployments/{{deploymentId}}/redeploy": _redeploy,
    f"GET {APP}/pull": _pull,
    f"GET {APP}/export": _export,
    f"GET {APP}/hosting/assets": _list_assets,
    f"POST {APP}/hosting/assets": _move_asset,
    f"GET {APP}/hosting/assets/asset": _get_asset,
    f"PUT {APP}/hosting/assets/asset": _upload_asset,
    f"PATCH {APP}/hosting/assets/asset": _update_asset,
    f"PATCH {APP}/push": _push,
}
# Handlers that check their body themselves (sync settings first, with their own error code).
_CHECKS_ITS_OWN_BODY = frozenset(
    {f"PATCH {APP}/services/{{serviceId}}/config", f"PATCH {APP}/push"}
)
_AUTH: Mapping[str, Auth] = {
    "POST /auth/providers/mongodb-cloud/login": "none",
    "POST /auth/session": "refresh",
    "DELETE /auth/session": "refresh",
}
