"""The whole app configuration as pull answers it and push takes it (PushPullAppConfig).

Pure functions between the store's documents and the one JSON object, so
pull and push are inverse by construction: ``resources.toml`` [pull] says
which document each field is. Pull always shows the deployed documents.

Two fields are other views of data the API keeps elsewhere, as in the product:
``environments`` (per environment, the values defined in it) is the
``environment_values`` records (per value, its value in each environment), and
``environment`` is the app's environment tag, which ``PUT .../environment``
sets too (the ``environment`` document).
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from harness.emulator.errors import ApiError
from harness.emulator.openapi import fill, resolve, resources
from harness.emulator.openapi import spec as loaded_spec

ID_FIELD = "_id"
SERVICES_FIELD = "data_sources"
ENVIRONMENTS_FIELD = "environments"
ENVIRONMENT_FIELD = "environment"
ENVIRONMENT_KEY = "environment"  # the document PUT .../environment writes
APP_FIELDS = ("name", "provider_region", "deployment_model", ENVIRONMENT_FIELD)
_ENVIRONMENT_FILES = {"none": "no-environment"}  # the app directory's name for no tag


def _schema() -> Mapping[str, Any]:
    return resolve(loaded_spec().document["components"]["schemas"]["PushPullAppConfig"])


def _is_list(field: str) -> bool:
    properties = _schema().get("properties", {})
    return resolve(properties.get(field, {})).get("type") == "array"


def to_config(app: Mapping[str, Any], documents: Mapping[str, Any]) -> dict[str, Any]:
    """The app's configuration from its (deployed) documents, shaped by the spec."""
    config: dict[str, Any] = {name: app[name] for name in APP_FIELDS if app.get(name)}
    for field, key in resources().pull.items():
        document = documents.get(key)
        if field == ENVIRONMENTS_FIELD:
            config[field] = _by_environment(document)
        elif field == SERVICES_FIELD:
            config[field] = [
                {**_without_id(record), "config": copy.deepcopy(documents.get(_config(rid), {}))}
                for rid, record in (document or {}).items()
            ]
        elif _is_list(field):
            config[field] = [copy.deepcopy(record) for record in (document or {}).values()]
        elif document is not None:
            config[field] = copy.deepcopy(document)
    return dict(fill(_schema(), config))


def to_zip(config: Mapping[str, Any]) -> bytes:
    """The configuration as an export's zip: ``realm_config.json`` with the app's own
    fields, ``data_sources/<name>/config.json`` per data source,
    ``environments/<environment>.json`` per environment, ``<field>.json`` for the rest.
    Entries are written in a fixed order with a fixed date, so exports compare."""
    files: dict[str, Any] = {"realm_config.json": {k: config[k] for k in APP_FIELDS if k in config}}
    for source in config.get(SERVICES_FIELD, []):
        files[f"{SERVICES_FIELD}/{source.get('name', '')}/config.json"] = source
    environments = config.get(ENVIRONMENTS_FIELD, {}).get("values", {})
    for env, defined in environments.items():
        files[f"{ENVIRONMENTS_FIELD}/{_ENVIRONMENT_FILES.get(env, env)}.json"] = defined
    for field, value in config.items():
        if field not in (*APP_FIELDS, SERVICES_FIELD, ENVIRONMENTS_FIELD):
            files[f"{field}.json"] = value
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(entry, json.dumps(files[name], indent=2, sort_keys=True))
    return buffer.getvalue()


def from_config(
    config: Mapping[str, Any], documents: Mapping[str, Any], new_id: Callable[[], str]
) -> dict[str, Any]:
    """The documents that make the app's configuration ``config`` (None = remove).

    Records keep their ids when they match an existing record by ``_id`` or by
    ``name``, so that a pull, edit, push round trip changes only what was edited.
    """
    changes: dict[str, Any] = {}
    if ENVIRONMENT_FIELD in config:
        changes[ENVIRONMENT_KEY] = {ENVIRONMENT_FIELD: config[ENVIRONMENT_FIELD]}
    for field, key in resources().pull.items():
        value = config.get(field)
        if field == ENVIRONMENTS_FIELD:
            changes[key] = _by_value(value, documents.get(key) or {}, new_id)
        elif field == SERVICES_FIELD or _is_list(field):
            records: dict[str, Any] = {}
            existing = documents.get(key) or {}
            for item in value if isinstance(value, list) else []:
                if not isinstance(item, Mapping):
                    continue
                record = copy.deepcopy(dict(item))
                record_id = _match(record, existing) or new_id()
                if field == SERVICES_FIELD:
                    changes[_config(record_id)] = record.pop("config", {})
                records[record_id] = {**record, ID_FIELD: record_id}
            if field == SERVICES_FIELD:
                for gone in set(existing) - set(records):
                    changes[_config(gone)] = None
            changes[key] = records
        else:
            changes[key] = copy.deepcopy(value) if isinstance(value, Mapping) else None
    return changes


def _match(record: Mapping[str, Any], existing: Mapping[str, Any]) -> str:
    wanted = record.get(ID_FIELD)
    if isinstance(wanted, str) and wanted in existing:
        return wanted
    name = record.get("name")
    for record_id, other in existing.items():
        if name is not None and isinstance(other, Mapping) and other.get("name") == name:
            return str(record_id)
    return ""


def _config(service_id: str) -> str:
    return f"services/{service_id}/config"


def _without_id(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in record.items() if k != ID_FIELD}


def app_environment(documents: Mapping[str, Any]) -> str | None:
    """The environment tag set after the app was created (PUT .../environment or a push);
    None when none was."""
    document = documents.get(ENVIRONMENT_KEY)
    if not isinstance(document, Mapping):
        return None
    tag = document.get(ENVIRONMENT_FIELD)
    return tag if isinstance(tag, str) else None


def _environment_names() -> tuple[str, ...]:
    """The environments the spec's AllEnvironmentValues lists (none, development ...)."""
    schema = resolve(_schema()["properties"][ENVIRONMENTS_FIELD])
    return tuple(resolve(schema["properties"]["values"]).get("properties", {}))


def _by_environment(records: Any) -> dict[str, Any]:
    """``environment_values`` records as the app directory's ``environments/`` files: for
    every environment, ``{"values": {name: value}}`` of the records that define one."""
    by_env: dict[str, Any] = {name: {"values": {}} for name in _environment_names()}
    for record in (records or {}).values():
        if not isinstance(record, Mapping) or not isinstance(record.get("values"), Mapping):
            continue
        for env, value in record["values"].items():
            if env in by_env:
                by_env[env]["values"][record.get("name", "")] = copy.deepcopy(value)
    return {"values": by_env}


def _by_value(
    environments: Any, existing: Mapping[str, Any], new_id: Callable[[], str]
) -> dict[str, Any]:
    """The ``environments/`` files back as ``environment_values`` records, one per value
    name, keeping the id of an existing record of that name."""
    per_env = environments.get("values") if isinstance(environments, Mapping) else None
    unknown = sorted(set(per_env or {}) - set(_environment_names()))
    if unknown:
        raise ApiError(
            400,
            f"the request body does not fit the spec: environments.values has no environment "
            f"{', '.join(map(repr, unknown))} (AllEnvironmentValues: "
            f"{', '.join(_environment_names())})",
            "BadRequest",
        )
    values: dict[str, dict[str, Any]] = {}
    for env, spec in (per_env or {}).items():
        defined = spec.get("values") if isinstance(spec, Mapping) else None
        for name, value in (defined or {}).items():
            values.setdefault(name, {})[env] = copy.deepcopy(value)
    records: dict[str, Any] = {}
    for name, by_env in values.items():
        record_id = _match({"name": name}, existing) or new_id()
        records[record_id] = {"name": name, "values": by_env, ID_FIELD: record_id}
    return records
