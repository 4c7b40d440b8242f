"""How a PATCH changes a linked cluster's service configuration, Sync included.

Pure functions over plain JSON values, so the rules can be read (and tested)
apart from HTTP and locking. The rules are the product's: a terminated Sync
(state "") keeps nothing, and turning it back on needs the whole
configuration again; pausing ("disabled") keeps it; Partition-Based and
Flexible Sync cannot both be configured at once.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from harness.emulator.deviations import FLEXIBLE_SYNC_SCHEMA, PARTITION_SYNC_SCHEMA
from harness.emulator.errors import ApiError

PARTITION = "sync"
FLEXIBLE = "flexible_sync"
SYNC_STATES = ("enabled", "disabled", "")
INVALID_SYNC = "InvalidSyncConfiguration"


_SCHEMAS = {
    PARTITION: Draft202012Validator(PARTITION_SYNC_SCHEMA),
    FLEXIBLE: Draft202012Validator(FLEXIBLE_SYNC_SCHEMA),
}


def check_sync_fields(patch: Mapping[str, Any]) -> None:
    """ApiError(400, InvalidSyncConfiguration) when a sync setting breaks the documented
    schema (see the ``service-config-documented-sync`` deviation); the message names where
    and which rule, never the value."""
    for key, validator in _SCHEMAS.items():
        if key not in patch:
            continue
        if not isinstance(patch[key], Mapping):
            raise ApiError(400, f"{key} must be an object", INVALID_SYNC)
        errors = sorted(validator.iter_errors(patch[key]), key=lambda e: e.json_path)
        if errors:
            where = ", ".join(f"{key}{e.json_path[1:]} ({e.validator})" for e in errors[:3])
            raise ApiError(400, f"invalid sync configuration: {where}", INVALID_SYNC)


def apply_config_patch(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration after merging ``patch`` into ``current``; ApiError(400) if invalid."""
    result = copy.deepcopy(dict(current))
    for key, value in patch.items():
        if key in (PARTITION, FLEXIBLE):
            result[key] = _next_sync(key, result.get(key), value)
        else:
            result[key] = copy.deepcopy(value)
    if _is_configured(result.get(PARTITION)) and _is_configured(result.get(FLEXIBLE)):
        raise ApiError(
            400,
            "Partition-Based Sync and Flexible Sync cannot both be configured: "
            "terminate one before enabling the other",
            INVALID_SYNC,
        )
    return result


def document_diff(name: str, before: Any, after: Any) -> list[str]:
    """One unified diff of a configuration file (absent = empty), or none if unchanged."""
    lines = difflib.unified_diff(
        _pretty(before).splitlines(), _pretty(after).splitlines(), name, name, lineterm=""
    )
    text = "\n".join(lines)
    return [text] if text else []


def _pretty(config: Any) -> str:
    return "" if config is None else json.dumps(config, indent=4, sort_keys=True)


def _is_configured(sync: Any) -> bool:
    return isinstance(sync, Mapping) and sync.get("state") in ("enabled", "disabled")


def _next_sync(key: str, current: Any, change: Any) -> dict[str, Any]:
    """The sync settings after one change, following the state machine of the product."""
    if not isinstance(change, Mapping):
        raise ApiError(400, f"{key} must be an object", INVALID_SYNC)
    state = change.get("state")
    if state not in SYNC_STATES:
        raise ApiError(
            400, f'{key}.state must be "enabled", "disabled" or "" (terminated)', INVALID_SYNC
        )
    before = dict(current) if isinstance(current, Mapping) else {"state": ""}
    if state == "":
        return {"state": ""}
    if before.get("state") == "" and state == "disabled":
        raise ApiError(400, f"cannot pause {key}: it is not enabled", INVALID_SYNC)
    merged = copy.deepcopy(before) if before.get("state") else {}
    merged.update(copy.deepcopy(dict(change)))
    missing = _missing_settings(key, merged)
    if missing:
        raise ApiError(
            400,
            f"cannot enable {key}: the configuration lacks {', '.join(missing)} "
            "(a terminated Sync must be configured again)",
            INVALID_SYNC,
        )
    return merged


def _missing_settings(key: str, sync: Mapping[str, Any]) -> list[str]:
    """What a usable sync configuration of this kind still lacks."""
    if key == FLEXIBLE:
        fields = sync.get("queryable_fields_names")
        ok = isinstance(fields, list) and all(isinstance(name, str) for name in fields)
        return [] if ok else ["queryable_fields_names"]
    missing = []
    # Partition-Based Sync needs a database only for Development Mode (where it creates
    # collections): the realm-2021 Admin API page enables it with "database_name": "".
    if sync.get("development_mode_enabled") is True and not _text(sync, "database_name"):
        missing.append("database_name")
    partition = sync.get("partition")
    partition = partition if isinstance(partition, Mapping) else {}
    if not _text(partition, "key"):
        missing.append("partition.key")
    if not _text(partition, "type"):
        missing.append("partition.type")
    return missing


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""
