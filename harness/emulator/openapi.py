"""The official spec as the emulator serves it: which operation has which shape, and bodies.

The emulator carries a copy of the public Admin API description
(``admin-v3.yaml`` beside this module), so it works without the checkout's
``../shared`` folder. Every operation is classified by its path's shape:

- a *collection* is a path whose child ``{id}`` path also exists (list, create);
- an *item* is that child (get, replace, update, delete);
- an *action* is a literal segment after an item (``.../{id}/enable``);
- a *singleton* is any other path (read, write, clear), such as ``/hosting/config``.

``resources.toml`` adds what the spec does not say: which operations are
hand-written, which are not served, which resources are drafted. Bodies are
shaped by the spec's schemas: the least value a schema accepts, and a stored
record with the fields a response schema requires filled in.
"""

from __future__ import annotations

import copy
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from harness.emulator.contract import Spec, load_spec

SPEC_PATH = Path(__file__).with_name("admin-v3.yaml")
RESOURCES_PATH = Path(__file__).with_name("resources.toml")
APP_TEMPLATE = "/groups/{groupId}/apps/{appId}"
METHODS = ("get", "post", "put", "patch", "delete")
_PARAM = re.compile(r"^\{[^}/]+\}$")

Kind = Literal[
    "hand",
    "not_served",
    "list",
    "create",
    "get",
    "replace",
    "update",
    "delete",
    "action",
    "read",
    "write",
    "clear",
]
GENERIC_KINDS: frozenset[str] = frozenset(
    {"list", "create", "get", "replace", "update", "delete", "action", "read", "write", "clear"}
)


@dataclass(frozen=True)
class Operation:
    """One operation of the spec and how the emulator answers it."""

    method: str  # upper case
    template: str
    kind: Kind
    status: int  # the success status the spec declares
    request_schema: Mapping[str, Any] | None
    response_schema: Mapping[str, Any] | None
    reason: str = ""  # why it is not served
    required_query: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True)
class Resources:
    """The knowledge of ``resources.toml``."""

    drafted: frozenset[str]
    pull: Mapping[str, str]
    actions: Mapping[str, Mapping[str, Any]]
    hidden: Mapping[str, frozenset[str]]
    hand_written: frozenset[str]
    not_served: Mapping[str, str]


@functools.lru_cache(maxsize=1)
def resources() -> Resources:
    with RESOURCES_PATH.open("rb") as handle:
        raw = tomllib.load(handle)
    return Resources(
        drafted=frozenset(raw["drafted"]),
        pull=dict(raw["pull"]),
        actions={name: dict(fields) for name, fields in raw["actions"].items()},
        hidden={name: frozenset(fields) for name, fields in raw["hidden"].items()},
        hand_written=frozenset(raw["hand_written"]["operations"]),
        not_served=dict(raw["not_served"]),
    )


@functools.lru_cache(maxsize=1)
def spec() -> Spec:
    """The vendored spec with the deviations applied (the emulator answers as the service)."""
    return load_spec(SPEC_PATH)


@functools.lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    """Every operation of the spec, classified, literal paths first (as routes must be)."""
    document = spec().document
    paths: Mapping[str, Any] = document["paths"]
    known = resources()
    found: list[Operation] = []
    for template in sorted(paths, key=lambda t: (t.count("{"), t)):
        for method in METHODS:
            operation = paths[template].get(method)
            if not isinstance(operation, Mapping):
                continue
            label = f"{method.upper()} {template}"
            status, response_schema = _success(operation)
            if label in known.hand_written:
                kind: Kind = "hand"
            elif label in known.not_served:
                kind = "not_served"
            else:
                kind = _kind(method, template, paths)
            found.append(
                Operation(
                    method=method.upper(),
                    template=template,
                    kind=kind,
                    status=status,
                    request_schema=_request_schema(operation),
                    response_schema=response_schema,
                    reason=known.not_served.get(label, ""),
                    required_query=_required_query(paths[template], operation),
                )
            )
    return tuple(found)


_ITEM_KINDS: Mapping[str, Kind] = {
    "get": "get",
    "put": "replace",
    "patch": "update",
    "delete": "delete",
}


def _kind(method: str, template: str, paths: Mapping[str, Any]) -> Kind:
    """The shape of one operation, from its path and its neighbours in the spec."""
    parent = template.rsplit("/", 1)[0]
    if is_item(template, paths):
        return _ITEM_KINDS.get(method, "action")
    is_collection = any(is_item(t, paths) and t.rsplit("/", 1)[0] == template for t in paths)
    if is_collection and method in ("get", "post"):
        return "list" if method == "get" else "create"
    if method == "get":
        return "read"
    if "get" not in paths[template] and parent != APP_TEMPLATE and is_item(parent, paths):
        return "action"
    return "clear" if method == "delete" else "write"


def is_item(template: str, paths: Mapping[str, Any]) -> bool:
    """Whether a template names one member of a collection the spec also has."""
    head, _, last = template.rpartition("/")
    return bool(_PARAM.match(last)) and head in paths


def _success(operation: Mapping[str, Any]) -> tuple[int, Mapping[str, Any] | None]:
    responses: Mapping[str, Any] = operation.get("responses", {})
    codes = sorted(
        (str(code), answer)
        for code, answer in responses.items()
        if str(code)[:1] == "2" and str(code).isdigit()
    )
    if not codes:
        return 200, None
    code, answer = codes[0]
    content = answer.get("content", {}) if isinstance(answer, Mapping) else {}
    schema = content.get("application/json", {}).get("schema")
    return int(code), schema


def _required_query(item: Mapping[str, Any], operation: Mapping[str, Any]) -> tuple[str, ...]:
    found = []
    for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
        parameter = resolve(parameter)
        if parameter.get("in") == "query" and parameter.get("required") is True:
            found.append(str(parameter["name"]))
    return tuple(found)


def _request_schema(operation: Mapping[str, Any]) -> Mapping[str, Any] | None:
    body = operation.get("requestBody")
    if not isinstance(body, Mapping):
        return None
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    return schema if isinstance(schema, Mapping) else None


# -- schemas -------------------------------------------------------------------------------


def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema with ``$ref`` followed and ``allOf`` merged into one (local references
    only, as the spec has); sibling ``properties`` and ``required`` add to the target's."""
    for _ in range(32):
        if not isinstance(schema, Mapping):
            return {}
        if "$ref" in schema:
            target: Any = spec().document
            for part in str(schema["$ref"]).lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = _merge(target, siblings) if siblings else target
        elif "allOf" in schema:
            merged: Mapping[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = _merge(merged, resolve(part))
            schema = merged
        else:
            return schema
    return schema


def _merge(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**first, **second}
    if "properties" in first or "properties" in second:
        merged["properties"] = {**first.get("properties", {}), **second.get("properties", {})}
    required = [*_names(first.get("required")), *_names(second.get("required"))]
    if required:
        merged["required"] = list(dict.fromkeys(required))
    return merged


def _names(required: Any) -> list[str]:
    if isinstance(required, str):
        return [required]  # the spec writes `required: _id` once
    return [name for name in required or [] if isinstance(name, str)]


def validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    """A JSON Schema validator for a schema of the spec (its local references resolve)."""
    document = spec().document
    root = {"allOf": [schema], "components": document.get("components", {}), "paths": {}}
    root["paths"] = document["paths"]
    return Draft202012Validator(root)


def problems(schema: Mapping[str, Any], value: Any) -> list[str]:
    """Where ``value`` breaks ``schema``, naming the rule but never the value."""
    found = []
    for error in validator(schema).iter_errors(value):
        where = error.json_path
        if error.validator == "required":
            found.append(f"{where}: {error.message}")
        else:
            found.append(f"{where}: fails {error.validator}")
    return found


def least(schema: Mapping[str, Any] | None, depth: int = 0) -> Any:
    """The smallest value ``schema`` accepts: required fields only, empty or first choices;
    the schema's own example when that smallest value does not fit."""
    if schema is None or depth > 12:
        return None
    schema = resolve(schema)
    built = _least(schema, depth)
    if depth == 0 and not _valid(schema, built) and "example" in schema:
        return copy.deepcopy(schema["example"])
    return built


def _least(schema: Mapping[str, Any], depth: int) -> Any:
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    if schema.get("enum"):
        return copy.deepcopy(schema["enum"][0])
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    for choice in ("oneOf", "anyOf"):
        if schema.get(choice):
            values = [least(branch, depth + 1) for branch in schema[choice]]
            return next((v for v in values if _valid(schema, v)), values[0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and ("properties" in schema or "required" in schema)):
        properties = schema.get("properties", {})
        return {
            name: least(properties.get(name, {}), depth + 1)
            for name in _names(schema.get("required"))
        }
    if kind == "array" or (kind is None and "items" in schema):
        count = int(schema.get("minItems", 0))
        return [least(schema.get("items", {}), depth + 1) for _ in range(count)]
    if kind == "string":
        return "x" * int(schema.get("minLength", 0))
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return None if kind == "null" else {}


def fill(schema: Mapping[str, Any] | None, value: Any, depth: int = 0) -> Any:
    """``value`` with the fields ``schema`` requires and it lacks added (least values)."""
    if schema is None or depth > 12:
        return value
    schema = resolve(schema)
    if value is None and not _allows_null(schema):
        return least(schema)
    for choice in ("oneOf", "anyOf"):
        if schema.get(choice):
            candidates = [
                fill(branch, copy.deepcopy(value), depth + 1) for branch in schema[choice]
            ]
            return next((c for c in candidates if _valid(schema, c)), candidates[0])
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in _names(schema.get("required")):
            if name not in value:
                value[name] = least(properties.get(name, {}))
        for name, item in list(value.items()):
            if name in properties:
                value[name] = fill(properties[name], item, depth + 1)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [fill(schema["items"], item, depth + 1) for item in value]
    return value


def _allows_null(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "null" or (isinstance(kind, list) and "null" in kind)


def _valid(schema: Mapping[str, Any], value: Any) -> bool:
    return bool(validator(schema).is_valid(value))
