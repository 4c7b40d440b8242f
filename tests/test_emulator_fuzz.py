"""Any JSON body, on any kind of operation: the emulator answers 2xx or 4xx in the error
shape, never a 500, and what it answers validates against the spec."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
)
from harness.emulator.contract import validate_interaction
from harness.emulator.openapi import spec

APP = f"/groups/{DEFAULT_GROUP_ID}/apps/{DEFAULT_APP_ID}"
TARGETS = [
    ("POST", f"{APP}/values"),
    ("POST", f"{APP}/functions"),
    ("POST", f"{APP}/auth_providers"),
    ("PATCH", f"{APP}/hosting/config"),
    ("PUT", f"{APP}/graphql/config"),
    ("PATCH", f"{APP}/push"),
    ("PATCH", f"{APP}/deploy/config"),
    ("PATCH", f"{APP}/services/{{serviceId}}/config"),
    ("POST", f"{APP}/services/{{serviceId}}/rules"),
]

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
# Bodies that look like the real ones more often than chance would make them.
_shaped = st.fixed_dictionaries(
    {},
    optional={
        "name": _scalars,
        "value": _json,
        "private": st.booleans(),
        "from_secret": st.booleans(),
        "source": st.text(max_size=8),
        "sync": st.fixed_dictionaries(
            {"state": st.sampled_from(["enabled", "disabled", "", "x"])},
            optional={"database_name": _scalars, "partition": _json},
        ),
        "enabled": _scalars,
    },
)


@pytest.fixture(scope="module")
def session() -> Iterator[tuple[httpx.Client, str]]:
    with Emulator() as emulator, httpx.Client(base_url=emulator.url, timeout=30) as http:
        login = {"username": DEFAULT_PUBLIC_KEY, "apiKey": DEFAULT_PRIVATE_KEY}
        token = http.post("/auth/providers/mongodb-cloud/login", json=login).json()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        yield http, str(http.get(f"{APP}/services").json()[0]["_id"])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.sampled_from(TARGETS), body=_json | _shaped)
def test_any_body_gets_an_answer_the_spec_allows(
    session: tuple[httpx.Client, str], target: tuple[str, str], body: Any
) -> None:
    http, service_id = session
    method, path = target[0], target[1].replace("{serviceId}", service_id)
    raw = json.dumps(body, allow_nan=True).encode()
    answer = http.request(method, path, content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert set(answer.json()) == {"error", "error_code"}
        return
    problems = validate_interaction(
        spec(),
        method,
        path,
        answer.status_code,
        raw,
        answer.content,
        answer.headers.get("content-type", ""),
    )
    assert problems == []
