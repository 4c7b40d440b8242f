"""Which Admin API operation a documented request is, and whether its body fits the spec.

The spec file is a parameter, as everywhere in docharness (it lives beside the
checkout in ``../shared/openapi/admin-v3.yaml``, not inside the package). This
module reads it with :mod:`harness.openapi` (as the emulator's contract does) and
checks bodies with jsonschema, so that the commands library stays a leaf that
later stages may use.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.commands.placeholders import is_placeholder
from harness.openapi import read_spec_document

if TYPE_CHECKING:  # jsonschema loads when a body is first checked (a tenth of a second)
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
_SPEC_URI = "urn:docharness:admin-api-spec"


@dataclass(frozen=True)
class Operation:
    """A spec operation a request matched, with the path parameters as the doc wrote them."""

    operation_id: str
    method: str  # upper case
    template: str  # relative to the base path, e.g. /groups/{groupId}/apps
    path_params: tuple[tuple[str, str], ...]

    def param(self, name: str) -> str | None:
        return dict(self.path_params).get(name)


@dataclass(frozen=True)
class _Entry:
    method: str
    template: str
    operation_id: str
    segments: tuple[str, ...]


@dataclass(frozen=True)
class SpecIndex:
    """The operations of one spec file, to match documented requests against."""

    source: Path
    base_path: str  # e.g. /api/admin/v3.0
    host: str  # e.g. services.cloud.mongodb.com
    entries: tuple[_Entry, ...] = field(repr=False)
    document: Mapping[str, Any] = field(repr=False, compare=False)

    def relative(self, path: str) -> str | None:
        """``path`` relative to the base path, or None when it is not under it."""
        path = "/" + path.lstrip("/")
        if path == self.base_path or path.startswith(self.base_path + "/"):
            return path[len(self.base_path) :] or "/"
        return None

    def match(self, method: str, path: str) -> Operation | None:
        """The operation for ``method`` and ``path`` (full or relative to the base path)."""
        relative = self.relative(path) if path.startswith(self.base_path) else path
        if relative is None:
            return None
        segments = tuple(s for s in relative.split("/") if s)
        best: tuple[int, Operation] | None = None
        for entry in self.entries:
            if entry.method != method.upper() or len(entry.segments) != len(segments):
                continue
            params = _bind(entry.segments, segments)
            if params is None:
                continue
            literal = sum(not s.startswith("{") for s in entry.segments)
            if best is None or literal > best[0]:
                best = (
                    literal,
                    Operation(entry.operation_id, entry.method, entry.template, params),
                )
        return best[1] if best else None

    def methods_for(self, path: str) -> tuple[str, ...]:
        """The methods the spec has for ``path`` (to say what a wrong method should be)."""
        relative = self.relative(path) if path.startswith(self.base_path) else path
        segments = tuple(s for s in (relative or "").split("/") if s)
        return tuple(
            sorted(
                {
                    e.method
                    for e in self.entries
                    if len(e.segments) == len(segments) and _bind(e.segments, segments) is not None
                }
            )
        )

    def by_id(self, operation_id: str) -> Operation | None:
        """The operation with this operationId (method and template, no parameters bound)."""
        for entry in self.entries:
            if entry.operation_id == operation_id:
                return Operation(entry.operation_id, entry.method, entry.template, ())
        return None

    def validate_body(self, operation: Operation, body: Any) -> list[str]:
        """Problems with a JSON request body for ``operation``; values are never repeated."""
        validator = _body_validator(self, operation.template, operation.method.lower())
        if validator is None:
            return []
        return [_describe(error) for error in sorted(validator.iter_errors(body), key=str)]

    def optional_body_fields(self, operation: Operation) -> frozenset[str]:
        """Top-level fields the operation's JSON body declares and does not require.

        Read through ``$ref`` and ``allOf`` (a field is required if any part requires it);
        empty when the body has no object schema the spec spells out.
        """
        node = self.document["paths"][operation.template][operation.method.lower()]
        content = (node.get("requestBody") or {}).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema")
        declared: set[str] = set()
        required: set[str] = set()
        self._collect(schema, declared, required, depth=0)
        return frozenset(declared - required)

    def _collect(self, schema: Any, declared: set[str], required: set[str], depth: int) -> None:
        if not isinstance(schema, Mapping) or depth > 8:
            return
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = self.document
            for part in ref[2:].split("/"):
                key = part.replace("~1", "/").replace("~0", "~")
                target = target.get(key) if isinstance(target, Mapping) else None
            self._collect(target, declared, required, depth + 1)
        for part in schema.get("allOf", ()):
            self._collect(part, declared, required, depth + 1)
        declared.update(schema.get("properties", {}) or {})
        required.update(schema.get("required", ()) or ())

    def has_body(self, operation: Operation) -> bool:
        node = self.document["paths"][operation.template][operation.method.lower()]
        return "requestBody" in node


def _bind(
    template: tuple[str, ...], segments: tuple[str, ...]
) -> tuple[tuple[str, str], ...] | None:
    params: list[tuple[str, str]] = []
    for want, have in zip(template, segments, strict=True):
        if want.startswith("{") and want.endswith("}"):
            params.append((want[1:-1], have))
        elif want != have:
            return None
    return tuple(params)


def load_spec_index(path: str | Path) -> SpecIndex:
    """The spec at ``path``, indexed; cached per file."""
    return _load(Path(path).resolve())


@functools.lru_cache(maxsize=4)
def _load(source: Path) -> SpecIndex:
    document = read_spec_document(source)
    servers = document.get("servers") or [{"url": ""}]
    server = urlsplit(str(servers[0].get("url", "")))
    entries = tuple(
        _Entry(method.upper(), template, str(node.get("operationId", "")), _segments(template))
        for template, item in document["paths"].items()
        if isinstance(item, dict)
        for method, node in item.items()
        if method in _METHODS and isinstance(node, dict)
    )
    return SpecIndex(source, server.path.rstrip("/"), server.hostname or "", entries, document)


def _segments(template: str) -> tuple[str, ...]:
    return tuple(s for s in template.split("/") if s)


@functools.lru_cache(maxsize=256)
def _body_validator(index: SpecIndex, template: str, method: str) -> Draft202012Validator | None:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    node = index.document["paths"][template][method]
    content = (node.get("requestBody") or {}).get("content") or {}
    if "application/json" not in content or "schema" not in content["application/json"]:
        return None
    pointer = "/".join(
        part.replace("~", "~0").replace("/", "~1")
        for part in ("paths", template, method, "requestBody", "content", "application/json")
    )
    registry: Registry[Any] = Registry().with_resource(
        _SPEC_URI, Resource.from_contents(dict(index.document), default_specification=DRAFT202012)
    )
    schema = {"$ref": f"{_SPEC_URI}#/{pointer}/schema"}
    return Draft202012Validator(schema, registry=registry)


def _describe(error: ValidationError) -> str:
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        return f"{where}: {error.message}"  # names the missing property, never a value
    if error.validator == "type":
        return f"{where}: must be of type {error.validator_value}"
    if error.validator == "additionalProperties":
        return f"{where}: has a property the spec does not allow"
    if error.validator == "enum":
        return f"{where}: must be one of {error.validator_value}"
    return f"{where}: does not satisfy '{error.validator}'"


def is_path_placeholder(segment: str) -> bool:
    """A path segment the doc left for the reader to fill (``{groupId}``, ``<GroupID>``)."""
    return is_placeholder(segment)
