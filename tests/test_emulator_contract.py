"""The emulator's answers against the official spec, and the deviation list against reality.

One sweep drives every route the emulator serves over real sockets and
records each exchange; every exchange must validate against the spec with
DEVIATIONS applied; every deviation must still be needed (the spec without
it rejects one of the recorded exchanges); every CONFORMING note must still
validate against the spec as written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route

from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
    Faults,
)
from harness.emulator.contract import (
    Spec,
    SpecError,
    apply_deviations,
    load_spec,
    validate_interaction,
)
from harness.emulator.deviations import CONFORMING, DEVIATIONS, Deviation
from harness.emulator.openapi import GENERIC_KINDS, Operation, least, operations
from harness.emulator.routes import PREFIX, served_operations

APP = f"/groups/{DEFAULT_GROUP_ID}/apps/{DEFAULT_APP_ID}"
LOGIN = "/auth/providers/mongodb-cloud/login"
UNKNOWN = "0" * 24


@dataclass(frozen=True)
class Interaction:
    method: str
    url: str
    request_body: bytes
    status: int
    response_body: bytes
    content_type: str


def spec_path(shared_dir: Path) -> Path:
    return shared_dir / "openapi" / "admin-v3.yaml"


@pytest.fixture(scope="module")
def spec(shared_dir: Path) -> Spec:
    return load_spec(spec_path(shared_dir))


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture(scope="module")
def recorded(emulator: Emulator) -> list[Interaction]:
    """Every route, in its success and error answers, as a client would meet them."""
    interactions: list[Interaction] = []

    def record(response: httpx.Response) -> None:
        response.read()
        interactions.append(
            Interaction(
                response.request.method,
                str(response.request.url),
                response.request.content,
                response.status_code,
                response.content,
                response.headers.get("content-type", ""),
            )
        )

    http = httpx.Client(base_url=emulator.url, timeout=10, event_hooks={"response": [record]})
    with http:
        sweep(http, emulator)
    return interactions


def sweep(http: httpx.Client, emulator: Emulator) -> None:
    keys = {"username": DEFAULT_PUBLIC_KEY, "apiKey": DEFAULT_PRIVATE_KEY}
    http.post(LOGIN, json={**keys, "apiKey": "wrong"})
    tokens = http.post(LOGIN, json=keys).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    refresh = {"Authorization": f"Bearer {tokens['refresh_token']}"}

    http.post("/auth/session", headers=refresh)
    http.post("/auth/session", headers=auth)
    http.post("/auth/session", headers={"Authorization": "Bearer unknown"})
    http.get(APP)
    http.get(f"/groups/{DEFAULT_GROUP_ID}/apps", params={"product": "standard"}, headers=auth)
    http.get(f"/groups/{UNKNOWN}/apps", headers=auth)
    http.get(APP, headers=auth)
    http.get(f"/groups/{DEFAULT_GROUP_ID}/apps/{UNKNOWN}", headers=auth)

    service_id = http.get(f"{APP}/services", headers=auth).json()[0]["_id"]
    config_path = f"{APP}/services/{service_id}/config"
    whole = http.get(config_path, headers=auth).json()
    http.get(f"{APP}/services/{UNKNOWN}/config", headers=auth)
    http.patch(config_path, headers=auth, json=whole)
    http.patch(config_path, headers=auth, json={"flexible_sync": {"state": "enabled"}})

    deploy_config = http.get(f"{APP}/deploy/config", headers=auth).json()
    http.patch(
        f"{APP}/deploy/config", headers=auth, json={**deploy_config, "ui_drafts_disabled": True}
    )

    http.get(f"{APP}/drafts", headers=auth)
    draft = http.post(f"{APP}/drafts", headers=auth).json()
    http.post(f"{APP}/drafts", headers=auth)
    http.get(f"{APP}/drafts", headers=auth)
    http.patch(config_path, headers=auth, json={"sync": {"state": ""}})
    http.get(f"{APP}/drafts/{draft['_id']}/diff", headers=auth)
    deployment = http.post(f"{APP}/drafts/{draft['_id']}/deployment", headers=auth).json()
    for _ in range(2):
        http.get(f"{APP}/deployments/{deployment['_id']}", headers=auth)
    http.get(f"{APP}/deployments/{UNKNOWN}", headers=auth)
    http.get(f"{APP}/deployments", headers=auth)
    http.post(f"{APP}/deployments/{deployment['_id']}/redeploy", headers=auth)
    http.post(f"{APP}/deployments/{UNKNOWN}/redeploy", headers=auth)

    named = http.post(f"{APP}/drafts", headers=auth).json()
    http.post(f"{APP}/drafts/{named['_id']}/deployment", headers=auth, json={"name": "v2"})
    discarded = http.post(f"{APP}/drafts", headers=auth).json()
    http.get(f"{APP}/drafts/{discarded['_id']}/diff", headers=auth)
    http.delete(f"{APP}/drafts/{discarded['_id']}", headers=auth)
    http.delete(f"{APP}/drafts/{discarded['_id']}", headers=auth)

    assets = f"{APP}/hosting/assets"
    page = {"path": "/index.html"}
    upload = {"meta": {"path": "/index.html", "attrs": []}, "file": "<h1>hi</h1>"}
    http.put(f"{assets}/asset", params=page, json=upload, headers=auth)
    http.get(f"{assets}/asset", params=page, headers=auth)
    http.get(f"{assets}/asset", params={"path": "/missing.html"}, headers=auth)
    attributes = {"attributes": [{"name": "Content-Type", "value": "text/html"}]}
    http.patch(f"{assets}/asset", params=page, json=attributes, headers=auth)
    http.post(assets, json={"copy_from": "/index.html", "copy_to": "/copy.html"}, headers=auth)
    http.post(assets, json={"move_from": "/copy.html", "move_to": "/moved.html"}, headers=auth)
    http.get(assets, headers=auth)
    apps = f"/groups/{DEFAULT_GROUP_ID}/apps"
    other = http.post(apps, json={"name": "other-app", "location": "IE"}, headers=auth).json()
    http.post(apps, json={"name": "other-app"}, headers=auth)
    http.post(apps, json={"name": "1 bad name"}, headers=auth)
    http.get(f"{apps}/{other['_id']}/pull", headers=auth)
    http.delete(f"{apps}/{other['_id']}", headers=auth)
    http.delete(f"{apps}/{other['_id']}", headers=auth)
    http.get(f"{APP}/pull", headers=auth)
    http.get(f"{APP}/export", headers=auth)
    http.get(f"{APP}/export", params={"deployment": deployment["_id"]}, headers=auth)
    http.get(f"{APP}/export", params={"deployment": UNKNOWN}, headers=auth)
    http.patch(f"{APP}/push", headers=auth, json=http.get(f"{APP}/pull", headers=auth).json())
    http.patch(f"{APP}/push", headers=auth, json={"banana": 1})
    for tag in ("qa", "staging", ""):
        http.put(f"{APP}/environment", headers=auth, json={"environment": tag})
    sweep_generic(http, auth, service_id)

    emulator.reset(Faults(throttle_next=1, unavailable_next=1))
    http.get(APP, headers=auth)
    http.get(APP, headers=auth)
    http.delete("/auth/session", headers=refresh)
    http.delete("/auth/session", headers=refresh)
    emulator.reset()


_ORDER = {
    "create": 0,
    "write": 1,
    "list": 2,
    "get": 2,
    "read": 2,
    "replace": 3,
    "update": 3,
    "action": 4,
    "delete": 5,
    "clear": 5,
}


def sweep_generic(http: httpx.Client, auth: dict[str, str], service_id: str) -> None:
    """Every generic operation, parents created first and deleted last, with the least body
    its request schema accepts; then once more for an item that does not exist."""
    ids = {"groupId": DEFAULT_GROUP_ID, "appId": DEFAULT_APP_ID, "serviceId": service_id}
    generic = [op for op in served_operations() if op.kind in GENERIC_KINDS]

    def order(op: Operation) -> tuple[int, int, str]:
        depth = op.template.count("/")  # parents first; deleted last, children before them
        return _ORDER[op.kind], -depth if op.kind in ("delete", "clear") else depth, op.label

    ordered = sorted(generic, key=order)
    for op in ordered:
        body = least(op.request_schema) if op.request_schema is not None else None
        body = _BODIES.get(op.label, body)
        query = {name: _QUERY.get(name, "x") for name in op.required_query}
        answer = http.request(op.method, _path(op, ids), headers=auth, json=body, params=query)
        param = _item_param(op)
        if op.kind == "create" and answer.status_code < 300 and param:
            # Some creations answer no body (the spec declares none): the list shows the new one.
            created = answer.json() if answer.content else None
            if not isinstance(created, dict) or "_id" not in created:
                created = http.get(_path(op, ids), headers=auth).json()[-1]
            ids[param] = created["_id"]
        if op.kind in ("get", "delete"):
            http.request(op.method, _path(op, {**ids, _last_param(op): UNKNOWN}), headers=auth)
        item = op.template.rsplit("/", 1)[0]
        if op.kind == "action" and any(o.label == f"GET {item}" for o in generic):
            http.get(_path(op, ids).rsplit("/", 1)[0], headers=auth)  # the item, as changed


_BODIES: dict[str, Any] = {
    # The spec's oneOf cannot tell a bare body's branch: a whole linked cluster can.
    "POST /groups/{groupId}/apps/{appId}/services": {
        "name": "mongodb-atlas-2",
        "type": "mongodb-atlas",
        "config": {
            "clusterName": "Cluster1",
            "readPreference": "primary",
            "wireProtocolEnabled": False,
        },
    },
}
_QUERY = {"start": "2024-01-01T00:00:00Z", "end": "2024-01-02T00:00:00Z", "granularity": "P1D"}


def _path(op: Operation, ids: dict[str, str]) -> str:
    path = op.template
    for name in [part[1:-1] for part in op.template.split("/") if part.startswith("{")]:
        path = path.replace("{" + name + "}", ids.get(name, UNKNOWN))
    return path


def _item_param(op: Operation) -> str:
    prefix = op.template + "/{"
    child = next((o.template for o in operations() if o.template.startswith(prefix)), "")
    rest = child[len(prefix) - 1 :].split("/")[0]
    return rest[1:-1] if rest.startswith("{") else ""


def _last_param(op: Operation) -> str:
    return op.template.rsplit("/", 1)[1][1:-1]


def template_of(spec: Spec, interaction: Interaction) -> str:
    template = spec.template_for(httpx.URL(interaction.url).path)
    assert template is not None, f"{interaction.url} matches no path of the spec"
    return template


def check(spec: Spec, interaction: Interaction) -> list[str]:
    """Problems with one interaction; a request the emulator refused with 400 may break the
    spec's request schema (the sweep sends some on purpose), its answer may not."""
    problems = validate_interaction(
        spec,
        interaction.method,
        interaction.url,
        interaction.status,
        interaction.request_body,
        interaction.response_body,
        interaction.content_type,
    )
    if interaction.status == 400:
        problems = [p for p in problems if ": request: " not in p]
    return problems


# -- the emulator conforms -------------------------------------------------------------------


def served_routes(emulator: Emulator) -> set[tuple[str, str]]:
    served: set[tuple[str, str]] = set()
    for mount in emulator.app.routes:
        if isinstance(mount, Mount) and mount.path == PREFIX:
            for route in mount.routes:
                assert isinstance(route, Route) and route.methods
                served.update((method, route.path) for method in route.methods - {"HEAD"})
    return served


def test_the_sweep_reaches_every_route_the_emulator_serves(
    emulator: Emulator, recorded: list[Interaction], spec: Spec
) -> None:
    served = served_routes(emulator)
    reached = {(i.method, template_of(spec, i)) for i in recorded}
    assert served, "the emulator serves no routes?"
    assert served <= reached, f"not exercised: {sorted(served - reached)}"


def test_every_served_operation_succeeds_once(
    emulator: Emulator, recorded: list[Interaction], spec: Spec
) -> None:
    """Not only error answers: each served operation gives its success answer at least once,
    except reads of items nothing can create (event subscriptions are made by the service)."""
    succeeded = {(i.method, template_of(spec, i)) for i in recorded if i.status < 300}
    never = {
        label
        for label in served_routes(emulator) - succeeded
        if "event_subscriptions/" not in label[1]
    }
    assert never == set()


def test_the_emulator_serves_most_of_the_spec(emulator: Emulator, spec: Spec) -> None:
    """How much of the official spec the emulator answers; what it leaves says why."""
    total = [
        (method.upper(), template)
        for template, item in spec.document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    served = served_routes(emulator)
    assert len(total) == 181
    assert len(served) == len(served_operations()) >= 167
    left = {op.label: op.reason for op in operations() if (op.method, op.template) not in served}
    assert all(left.values()), (
        f"unserved without a reason: {sorted(k for k, v in left.items() if not v)}"
    )
    assert len(served) + len(left) == len(total)


def test_every_route_is_an_operation_of_the_spec(emulator: Emulator, spec: Spec) -> None:
    for mount in emulator.app.routes:
        if isinstance(mount, Mount) and mount.path == PREFIX:
            for route in mount.routes:
                assert isinstance(route, Route) and route.methods
                operations = spec.document["paths"].get(route.path, {})
                for method in route.methods - {"HEAD"}:
                    assert method.lower() in operations, f"{method} {route.path} is not in the spec"


def test_the_sweep_meets_errors_as_well_as_successes(recorded: list[Interaction]) -> None:
    statuses = {i.status for i in recorded}
    assert {200, 201, 204, 400, 401, 404, 409, 429, 503} <= statuses


def test_every_answer_validates_against_the_spec_with_its_deviations(
    spec: Spec, recorded: list[Interaction]
) -> None:
    problems = [problem for i in recorded for problem in check(spec, i)]
    assert problems == []


# -- the deviation list is real --------------------------------------------------------------


@pytest.mark.parametrize("deviation", DEVIATIONS, ids=lambda d: d.name)
def test_each_deviation_is_still_needed(
    deviation: Deviation, shared_dir: Path, spec: Spec, recorded: list[Interaction]
) -> None:
    where = [i for i in recorded if deviation.matches(i.method, template_of(spec, i), i.status)]
    assert where, f"no recorded interaction shows {deviation.name}"
    others = tuple(d for d in DEVIATIONS if d is not deviation)
    without = load_spec(spec_path(shared_dir), others)
    rejected = [i for i in where if check(without, i)]
    assert rejected, f"the spec accepts every interaction without {deviation.name}: drop it"
    assert all(check(spec, i) == [] for i in rejected)


@pytest.mark.parametrize("note", CONFORMING, ids=lambda n: f"{n.method} {n.path}")
def test_each_conforming_note_holds_against_the_spec_as_written(
    note: Any, shared_dir: Path, spec: Spec, recorded: list[Interaction]
) -> None:
    where = [i for i in recorded if note.matches(i.method, template_of(spec, i), i.status)]
    assert where, f"no recorded interaction shows {note.path}"
    as_written = load_spec(spec_path(shared_dir), ())
    assert [problem for i in where for problem in check(as_written, i)] == []


def test_deviation_names_are_unique() -> None:
    names = [d.name for d in DEVIATIONS]
    assert len(names) == len(set(names))


# -- the validator itself ---------------------------------------------------------------------


def test_a_path_validates_the_same_with_or_without_prefix_and_host(spec: Spec) -> None:
    body = json.dumps([{"_id": 1}])
    forms = [
        f"{APP}/deployments",
        f"{PREFIX}{APP}/deployments",
        f"https://services.cloud.mongodb.com{PREFIX}{APP}/deployments",
    ]
    results = [validate_interaction(spec, "GET", form, 200, None, body) for form in forms]
    assert results[0] == results[1] == results[2]
    assert results[0] == [
        "GET /groups/{groupId}/apps/{appId}/deployments -> 200: response: $[0]['_id']: "
        "fails type 'string'"
    ]


def test_problems_name_the_rule_but_never_the_value(spec: Spec) -> None:
    secret = "tok-9f8e7d6c5b4a"
    login = json.dumps({"access_token": 12345, "refresh_token": secret, "user_id": ["x"]})
    problems = validate_interaction(
        spec, "POST", LOGIN, 200, json.dumps({"username": secret}), login
    )
    assert problems, "a number token and a list user_id must not validate"
    assert any("'apiKey' is a required property" in p for p in problems)
    assert any("$.access_token: fails type 'string'" in p for p in problems)
    assert all(secret not in p and "12345" not in p for p in problems)


def test_unknown_paths_undeclared_media_types_and_charsets(spec: Spec) -> None:
    unknown = validate_interaction(spec, "GET", f"{APP}/nothing-here", 200, None, "{}")
    assert len(unknown) == 1 and "Path not found" in unknown[0]
    text = validate_interaction(spec, "GET", APP, 200, None, "hello", "text/plain")
    assert text and "text/plain" in text[0]
    charset = "application/json; charset=utf-8"
    assert (
        validate_interaction(spec, "GET", APP, 200, None, json.dumps({"_id": "a"}), charset) == []
    )


def test_load_spec_reports_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"missing\.yaml: cannot read"):
        load_spec(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\npaths:\n  /x: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"broken\.yaml:\d+: not valid YAML"):
        load_spec(broken)
    empty = tmp_path / "empty.yaml"
    empty.write_text("openapi: 3.1.0\n", encoding="utf-8")
    with pytest.raises(SpecError, match="not an OpenAPI document"):
        load_spec(empty)


def test_a_deviation_whose_target_left_the_spec_is_reported() -> None:
    document = {"openapi": "3.1.0", "paths": {"/other": {"get": {"responses": {}}}}}
    with pytest.raises(SpecError, match="drafts-list-is-an-array"):
        apply_deviations(document, DEVIATIONS)


def test_wildcard_targets_reach_every_operation_but_nothing_else() -> None:
    document: dict[str, Any] = {
        "paths": {
            "/a": {"parameters": [], "get": {"responses": {}}, "post": {"responses": {}}},
            "/b": {"delete": {"responses": {}}},
        }
    }
    errors = next(d for d in DEVIATIONS if d.name == "client-errors-undeclared")
    patched = apply_deviations(document, [errors])
    assert patched["paths"]["/a"]["get"]["responses"]["4XX"] == dict(errors.replacement)
    assert "4XX" in patched["paths"]["/a"]["post"]["responses"]
    assert "4XX" in patched["paths"]["/b"]["delete"]["responses"]
    assert patched["paths"]["/a"]["parameters"] == []
    assert "4XX" not in document["paths"]["/a"]["get"]["responses"], "the input is not changed"
