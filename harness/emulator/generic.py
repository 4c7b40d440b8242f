"""Generic answers for the spec's plain-shaped operations: collections, items, singletons.

One handler per shape (see ``harness.emulator.openapi``), over the store's
documents and its draft overlay. Requests are checked against the spec's
request schema; answers are the stored records, shaped by the response
schema (required fields the record lacks get their least values).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.emulator.errors import ApiError
from harness.emulator.openapi import APP_TEMPLATE, Operation, fill, is_item, least, problems
from harness.emulator.openapi import resources as known
from harness.emulator.openapi import spec as loaded_spec
from harness.emulator.state import SERVICES, Store, config_key

ID_FIELD = "_id"
_MAX_PROBLEMS = 3

Answer = tuple[int, Any]


@dataclass(frozen=True)
class Call:
    """What a generic handler needs: the store, the caller, path parameters, query and body."""

    store: Store
    user_id: str
    params: Mapping[str, str]
    body: Any
    query: Mapping[str, str] = field(default_factory=dict)


def answer(operation: Operation, call: Call) -> Answer:
    """The emulator's answer to one generic operation."""
    handler = _HANDLERS[operation.kind]
    missing = [name for name in operation.required_query if name not in call.query]
    if missing:
        raise ApiError(400, f"missing query parameter(s): {', '.join(missing)}", "BadRequest")
    if operation.request_schema is not None:
        _check_body(operation, call.body)
    if not operation.template.startswith(APP_TEMPLATE + "/"):
        # Project- and cloud-level reads (provider regions, measurements ...): nothing stored.
        return operation.status, _shape(operation, None)
    return handler(operation, call)


def _check_body(operation: Operation, body: Any) -> None:
    schema = operation.request_schema
    assert schema is not None
    if body is None:
        if operation.kind in ("create", "replace", "write"):
            raise ApiError(400, "the request needs a JSON body", "BadRequest")
        return
    found = problems(schema, body)
    if found:
        shown = "; ".join(found[:_MAX_PROBLEMS])
        more = f" (and {len(found) - _MAX_PROBLEMS} more)" if len(found) > _MAX_PROBLEMS else ""
        raise ApiError(400, f"the request body does not fit the spec: {shown}{more}", "BadRequest")


# -- where a request points -------------------------------------------------------------------


def _relative(template: str, params: Mapping[str, str]) -> list[str]:
    """The path below the app, parameters filled in, as segments."""
    segments = template[len(APP_TEMPLATE) + 1 :].split("/")
    return [params[s[1:-1]] if s.startswith("{") else s for s in segments]


def _key(operation: Operation, call: Call, *, item: bool = False) -> tuple[str, str]:
    """The document key (and, for items, the id) a request addresses; parents must exist."""
    segments = _relative(operation.template, call.params)
    _check_parents(operation, call)
    if item:
        return "/".join(segments[:-1]), segments[-1]
    return "/".join(segments), ""


def _check_parents(operation: Operation, call: Call) -> None:
    """Every item the path passes through (a service for its rules ...) must exist."""
    paths = loaded_spec().document["paths"]
    segments = operation.template.split("/")
    for depth in range(APP_TEMPLATE.count("/") + 2, len(segments)):
        prefix = "/".join(segments[:depth])
        if is_item(prefix, paths):
            collection, item_id = _split(prefix, call.params)
            if item_id not in _records(_read(call, collection)):
                raise _not_found(collection, item_id)


def _split(template: str, params: Mapping[str, str]) -> tuple[str, str]:
    segments = _relative(template, params)
    return "/".join(segments[:-1]), segments[-1]


def _not_found(collection: str, item_id: str) -> ApiError:
    noun = collection.rsplit("/", 1)[-1].removesuffix("s")
    code = "".join(word.title() for word in noun.split("_")) + "NotFound"
    return ApiError(404, f"{noun.replace('_', ' ')} not found: '{item_id}'", code)


def _read(call: Call, key: str) -> Any:
    return call.store.read(call.user_id, *_app(call), key)


def _app(call: Call) -> tuple[str, str]:
    return call.params["groupId"], call.params["appId"]


def _shape(operation: Operation, value: Any) -> Any:
    """The answer: fields the resource hides left out, then shaped by the response schema."""
    if operation.response_schema is None:
        return None
    resource = operation.template[len(APP_TEMPLATE) + 1 :].split("/", 1)[0]
    hidden = known().hidden.get(resource, frozenset())
    if hidden:
        value = (
            [_without(v, hidden) for v in value]
            if isinstance(value, list)
            else _without(value, hidden)
        )
    return fill(operation.response_schema, copy.deepcopy(value))


def _without(record: Any, hidden: frozenset[str]) -> Any:
    if not isinstance(record, Mapping):
        return record
    return {k: v for k, v in record.items() if k not in hidden}


def _records(current: Any) -> dict[str, Any]:
    return dict(current) if isinstance(current, Mapping) else {}


# -- collections and items --------------------------------------------------------------------


def _list(operation: Operation, call: Call) -> Answer:
    key, _ = _key(operation, call)
    records = [_with_config(call, key, r) for r in _records(_read(call, key)).values()]
    return operation.status, _shape(operation, records)


def _with_config(call: Call, key: str, record: Any) -> Any:
    """A service as the API shows it: with its configuration (a document of its own here)."""
    if key != SERVICES or not isinstance(record, Mapping):
        return record
    return {**record, "config": _read(call, config_key(str(record.get(ID_FIELD)))) or {}}


def _create(operation: Operation, call: Call) -> Answer:
    key, _ = _key(operation, call)
    body = _object(call.body)
    record_id = call.store.new_id()
    record = {**body, ID_FIELD: record_id}
    extra: dict[str, Any] = {}
    if key == SERVICES:  # a data source's configuration is its own document
        extra[config_key(record_id)] = record.pop("config", {})

    def update(current: Any) -> tuple[Any, Any]:
        return {**_records(current), record_id: record}, record

    created = call.store.change(call.user_id, *_app(call), key, update, extra)
    return operation.status, _shape(operation, created)


def _get(operation: Operation, call: Call) -> Answer:
    key, item_id = _key(operation, call, item=True)
    records = _records(_read(call, key))
    if item_id not in records:
        raise _not_found(key, item_id)
    return operation.status, _shape(operation, _with_config(call, key, records[item_id]))


def _item_change(
    operation: Operation, call: Call, change: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> Answer:
    """Apply ``change`` to one record (None deletes it); answer with the record after."""
    key, item_id = _key(operation, call, item=True)
    extra: dict[str, Any] = {}

    def update(current: Any) -> tuple[Any, Any]:
        records = _records(current)
        if item_id not in records:
            raise _not_found(key, item_id)
        after = change(copy.deepcopy(records[item_id]))
        if after is None:
            before = records.pop(item_id)
            return records, before
        records[item_id] = {**after, ID_FIELD: item_id}
        return records, records[item_id]

    if key == SERVICES and operation.kind == "delete":
        extra[config_key(item_id)] = None
    record = call.store.change(call.user_id, *_app(call), key, update, extra)
    return operation.status, _shape(operation, record)


def _replace(operation: Operation, call: Call) -> Answer:
    """PUT: the body replaces the record (some PUTs declare no body: those keep it)."""
    if call.body is None and operation.request_schema is None:
        return _item_change(operation, call, lambda record: record)
    body = _object(call.body)
    return _item_change(operation, call, lambda _: dict(body))


def _update(operation: Operation, call: Call) -> Answer:
    body = _object(call.body) if call.body is not None else {}
    return _item_change(operation, call, lambda record: {**record, **body})


def _delete(operation: Operation, call: Call) -> Answer:
    return _item_change(operation, call, lambda _: None)


def _action(operation: Operation, call: Call) -> Answer:
    """``.../{id}/enable`` and the like: set the fields ``resources.toml`` names, if any."""
    item_template = operation.template.rsplit("/", 1)[0]
    fields = known().actions.get(operation.template.rsplit("/", 1)[1], {})
    item = Operation(operation.method, item_template, "action", operation.status, None, None)
    return _item_change(item, call, lambda record: {**record, **fields})


# -- singletons -------------------------------------------------------------------------------


def _singleton_read(operation: Operation, call: Call) -> Answer:
    key, _ = _key(operation, call)
    current = _read(call, key)
    if current is None:
        current = least(operation.response_schema)
    return operation.status, _shape(operation, current)


def _singleton_write(operation: Operation, call: Call) -> Answer:
    key, _ = _key(operation, call)
    body = copy.deepcopy(call.body) if call.body is not None else {}
    merge = operation.method == "PATCH"

    def update(current: Any) -> tuple[Any, Any]:
        if merge and isinstance(current, Mapping) and isinstance(body, Mapping):
            new = {**current, **body}
        else:
            new = body
        return new, new

    stored = call.store.change(call.user_id, *_app(call), key, update)
    return operation.status, _shape(operation, stored)


def _singleton_clear(operation: Operation, call: Call) -> Answer:
    key, _ = _key(operation, call)

    def update(current: Any) -> tuple[Any, Any]:
        if current is None:
            raise ApiError(404, f"{key} is not configured", "NotFound")
        return None, current

    removed = call.store.change(call.user_id, *_app(call), key, update)
    return operation.status, _shape(operation, removed)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise ApiError(400, "the request body must be a JSON object", "BadRequest")
    return copy.deepcopy(dict(body))


_HANDLERS: Mapping[str, Callable[[Operation, Call], Answer]] = {
    "list": _list,
    "create": _create,
    "get": _get,
    "replace": _replace,
    "update": _update,
    "delete": _delete,
    "action": _action,
    "read": _singleton_read,
    "write": _singleton_write,
    "clear": _singleton_clear,
}
