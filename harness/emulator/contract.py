"""Check one Admin API interaction against the official OpenAPI spec, corrected by DEVIATIONS.

Used for the emulator's own answers and for every recorded cassette
interaction, so both stay honest to the real API. The spec file is a
parameter (it lives beside the checkout, not inside the package).

What is checked: the request's path, query parameters and body, and the
response's status, headers and body. What is not: security, because
recordings have their tokens scrubbed. Problems are plain strings that name
the operation and the JSON path, and never repeat the values themselves
(a login answer holds tokens).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from harness.emulator.deviations import ANY, DEVIATIONS, Deviation
from harness.openapi import SpecError, read_spec_document

if TYPE_CHECKING:  # openapi-core loads only when an interaction is validated
    from werkzeug.datastructures import Headers

_SHORT = 80


@dataclass(frozen=True)
class Spec:
    """A loaded spec with a set of deviations applied; build it with ``load_spec``."""

    source: Path
    deviations: tuple[Deviation, ...]
    host_url: str  # e.g. https://services.cloud.mongodb.com
    base_path: str  # e.g. /api/admin/v3.0
    templates: tuple[str, ...]
    document: Mapping[str, Any] = field(repr=False, compare=False)

    def template_for(self, path: str) -> str | None:
        """The spec path template a concrete path belongs to (the most literal one wins)."""
        relative = _relative_path(self.base_path, path)
        for template in self.templates:
            if _template_regex(template).fullmatch(relative):
                return template
        return None


def load_spec(path: str | Path, deviations: Sequence[Deviation] = DEVIATIONS) -> Spec:
    """The spec at ``path`` with ``deviations`` applied; cached per file and deviation set."""
    return _load_spec(Path(path).resolve(), tuple(deviations))


@functools.lru_cache(maxsize=16)
def _load_spec(source: Path, deviations: tuple[Deviation, ...]) -> Spec:
    document = apply_deviations(read_spec_document(source), deviations)
    servers = document.get("servers") or [{"url": ""}]
    server = urlsplit(str(servers[0].get("url", "")))
    literal_first = sorted(document.get("paths", {}), key=lambda t: (t.count("{"), t))
    return Spec(
        source=source,
        deviations=deviations,
        host_url=f"{server.scheme or 'https'}://{server.netloc or 'localhost'}",
        base_path=server.path.rstrip("/"),
        templates=tuple(literal_first),
        document=document,
    )


@functools.lru_cache(maxsize=16)
def _validators(spec: Spec) -> tuple[Any, Any, Any]:
    """openapi-core's validators of the spec, built on the first interaction checked: the
    emulator reads the spec to serve it, and only validating needs openapi-core (about
    0.6 s of imports)."""
    from jsonschema_path import SchemaPath
    from openapi_core.validation.request import (
        V31RequestBodyValidator,
        V31RequestParametersValidator,
    )
    from openapi_core.validation.response import V31ResponseValidator

    schema = SchemaPath.from_dict(spec.document)
    return (
        V31RequestBodyValidator(schema),
        V31RequestParametersValidator(schema),
        V31ResponseValidator(schema),
    )


def apply_deviations(
    document: Mapping[str, Any], deviations: Iterable[Deviation]
) -> dict[str, Any]:
    """A copy of the spec document with each deviation's schema put at its target."""
    patched = copy.deepcopy(dict(document))
    for deviation in deviations:
        if not _place(patched, deviation.target, deviation.replacement):
            raise SpecError(
                f"deviation {deviation.name!r}: {'/'.join(deviation.target)} is not in the spec "
                "any more; review the deviation"
            )
    return patched


def _place(node: dict[str, Any], target: tuple[str, ...], value: Mapping[str, Any]) -> int:
    key, rest = target[0], target[1:]
    keys = [k for k, v in node.items() if isinstance(v, dict)] if key == ANY else [key]
    placed = 0
    for name in keys:
        if not rest:
            node[name] = copy.deepcopy(dict(value))
            placed += 1
        elif isinstance(node.get(name), dict):
            placed += _place(node[name], rest, value)
    return placed


def validate_interaction(
    spec: Spec,
    method: str,
    path: str,
    status: int,
    request_body: bytes | str | None,
    response_body: bytes | str | None,
    content_type: str = "application/json",
    *,
    request_content_type: str | None = None,
    response_headers: Mapping[str, str] | None = None,
) -> list[str]:
    """Problems with one interaction; an empty list means it conforms.

    ``path`` may be a full URL, a path with the ``/api/admin/v3.0`` prefix, or
    one relative to it; a query string is read from it. ``content_type`` is
    the response's.
    """
    from openapi_core.validation.request.exceptions import MissingRequestBody
    from werkzeug.datastructures import Headers

    parts = urlsplit(path)
    relative = _relative_path(spec.base_path, parts.path)
    label = f"{method.upper()} {spec.template_for(relative) or relative} -> {status}"
    request_bytes = _bytes(request_body)
    if request_content_type is None:
        request_content_type = "application/json" if request_bytes else ""
    request = _Request(
        host_url=spec.host_url,
        path=spec.base_path + relative,
        method=method,
        body=request_bytes,
        content_type=request_content_type,
        query=parse_qsl(parts.query, keep_blank_values=True),
    )
    headers = Headers(dict(response_headers or {}))
    if content_type and "content-type" not in headers:
        headers["Content-Type"] = content_type
    response = _Response(status, _bytes(response_body), headers, content_type)
    body_validator, parameters_validator, response_validator = _validators(spec)
    found: list[tuple[str, Exception]] = [
        *(("request", e) for e in body_validator.iter_errors(request)),
        *(("request", e) for e in parameters_validator.iter_errors(_copy(request))),
        *(("response", e) for e in response_validator.iter_errors(_copy(request), response)),
    ]
    problems: list[str] = []
    seen: set[str] = set()
    for side, error in found:
        if isinstance(error, MissingRequestBody):
            continue  # an optional body left out is fine; a required one raises another type
        for text in _describe(error):
            if text not in seen:  # an unknown path is reported by every validator
                seen.add(text)
                problems.append(f"{label}: {side}: {text}")
    return problems


class _Request:
    """The request shape openapi-core reads (its ``Request`` protocol)."""

    def __init__(
        self,
        host_url: str,
        path: str,
        method: str,
        body: bytes,
        content_type: str,
        query: list[tuple[str, str]],
    ) -> None:
        self.host_url = host_url
        self.path = path
        self.method = method.lower()
        self.body = body
        self.content_type = content_type
        self.query = query
        self.parameters = _parameters(query)


def _parameters(query: list[tuple[str, str]]) -> Any:
    from openapi_core.datatypes import RequestParameters
    from werkzeug.datastructures import ImmutableMultiDict

    return RequestParameters(query=ImmutableMultiDict(query))


def _copy(request: _Request) -> _Request:
    """A fresh request: validators write resolved path parameters into it."""
    return _Request(
        request.host_url,
        request.path,
        request.method,
        request.body,
        request.content_type,
        request.query,
    )


class _Response:
    """The response shape openapi-core reads (its ``Response`` protocol)."""

    def __init__(self, status_code: int, data: bytes, headers: Headers, content_type: str) -> None:
        self.status_code = status_code
        self.data = data
        self.headers = headers
        self.content_type = content_type


def _bytes(body: bytes | str | None) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else body


def _relative_path(base_path: str, path: str) -> str:
    path = urlsplit(path).path or "/"
    if base_path and (path == base_path or path.startswith(base_path + "/")):
        path = path[len(base_path) :] or "/"
    return path


@functools.lru_cache(maxsize=512)
def _template_regex(template: str) -> re.Pattern[str]:
    pieces = re.split(r"(\{[^}/]+\})", template)
    return re.compile(
        "".join("[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in pieces)
    )


def _describe(error: Exception) -> list[str]:
    """Readable lines for one openapi-core error, without the offending values."""
    schema_errors = _schema_errors(error)
    if schema_errors:
        return [_schema_error(item) for item in schema_errors]
    return [_clip(f"{type(error).__name__}: {error}", 300)]


def _schema_errors(error: BaseException) -> Sequence[Any]:
    current: BaseException | None = error
    while current is not None:
        found = getattr(current, "schema_errors", None)
        if found:
            return list(found)
        current = current.__cause__
    return []


def _schema_error(error: Any) -> str:
    """One jsonschema ValidationError: where, and which rule; its ``message`` would quote the
    value, so it is used only for ``required``, whose message names a property."""
    where = error.json_path
    keyword = str(error.validator)
    if keyword == "required":
        return f"{where}: {error.message}"
    if keyword in ("oneOf", "anyOf"):
        if keyword == "oneOf" and not error.context:
            return f"{where}: matches more than one of the oneOf choices"
        deepest = min(error.context or [], key=lambda e: -len(e.absolute_path), default=None)
        hint = f" (e.g. {_schema_error(deepest)})" if deepest is not None else ""
        return f"{where}: matches none of the {keyword} choices{hint}"
    return f"{where}: fails {keyword} {_clip(repr(error.validator_value), _SHORT)}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
