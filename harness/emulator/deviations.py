"""Where the official Admin API spec and the real service disagree: the one list.

Each deviation is data: where it shows (method, path template, status), what
the spec says, what the service does and why we follow the service, plus the
correction itself (a JSON schema put at ``target`` in the spec document) so
that ``harness.emulator.contract`` validates against "the spec, corrected
here and nowhere else". Tests show that every correction is still needed:
without it, a real interaction fails validation.

``CONFORMING`` lists the opposite: things that look like deviations (and are
handled as such by clients) but validate against the spec as written, so
they need no correction. Tests keep that list honest too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ANY = "*"
_APP = "/groups/{groupId}/apps/{appId}"
_JSON = "application/json"
_ERROR_RESPONSE: Mapping[str, Any] = {
    "description": "An error, in the shape every Admin API error has.",
    "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
}


_STATE = {"type": "string", "enum": ["enabled", "disabled", ""]}
_SYNC_COMMON: Mapping[str, Any] = {
    "state": _STATE,
    "database_name": {"type": "string"},
    "development_mode_enabled": {"type": "boolean"},
    "service_name": {"type": "string"},
    "client_max_offline_days": {"type": "number", "minimum": 0},
    "is_recovery_mode_disabled": {"type": "boolean"},
    "last_disabled": {"type": "integer"},
}
# Partition-Based Sync (`sync`): realm-2021 includes/steps-development-mode-cli.yaml,
# includes/steps-define-sync-rules-api.yaml.
PARTITION_SYNC_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["state"],
    "properties": {
        **_SYNC_COMMON,
        "partition": {
            "type": "object",
            "additionalProperties": False,
            "required": ["key", "type"],
            "properties": {
                "key": {"type": "string", "minLength": 1},
                "type": {"type": "string", "minLength": 1},
                "required": {"type": "boolean"},
                "permissions": {
                    "type": "object",
                    "properties": {"read": {}, "write": {}},
                    "additionalProperties": False,
                },
            },
        },
    },
}
# Flexible Sync (`flexible_sync`): app-services sync/configure/enable-sync.txt.
FLEXIBLE_SYNC_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["state"],
    "properties": {
        **_SYNC_COMMON,
        "type": {"const": "flexible"},
        "permissions": {"type": "object"},
        "queryable_fields_names": {"type": "array", "items": {"type": "string"}},
        "indexed_queryable_fields_names": {"type": "array", "items": {"type": "string"}},
        "collection_queryable_fields_names": {"type": "object"},
        "asymmetric_tables": {"type": "array", "items": {"type": "string"}},
    },
}
# A linked cluster's service config: the spec's AtlasClusterServiceConfig fields (all
# optional in a PATCH) plus the documented sync settings; nothing else.
DOCUMENTED_LINKED_CLUSTER_CONFIG: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "clusterName": {"type": "string"},
        "clusterId": {},
        "groupName": {"type": "string"},
        "orgName": {"type": "string"},
        "readPreference": {
            "type": "string",
            "enum": ["primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest"],
        },
        "readPreferenceTagSets": {"type": "array"},
        "wireProtocolEnabled": {"type": "boolean"},
        "sync": PARTITION_SYNC_SCHEMA,
        "flexible_sync": FLEXIBLE_SYNC_SCHEMA,
    },
}


@dataclass(frozen=True)
class Deviation:
    """One disagreement, and the schema that replaces the spec's at ``target``.

    ``method``, ``path`` and ``status`` say where it shows (``*`` = any; a status
    may be a range such as ``4XX``). ``target`` is a path of keys into the spec
    document, ``*`` standing for every key there; the last key is set.
    """

    name: str
    method: str
    path: str
    status: str
    spec_says: str
    service_does: str
    why: str
    target: tuple[str, ...]
    replacement: Mapping[str, Any] = field(compare=False)

    def matches(self, method: str, path_template: str, status: int) -> bool:
        """Whether an interaction (method, spec path template, status) is where this shows."""
        return (
            self.method in (ANY, method.upper())
            and self.path in (ANY, path_template)
            and _status_matches(self.status, status)
        )


@dataclass(frozen=True)
class Conforming:
    """Something clients treat as a deviation that the spec, as written, already allows."""

    method: str
    path: str
    status: str
    note: str

    def matches(self, method: str, path_template: str, status: int) -> bool:
        return (
            self.method == method.upper()
            and self.path == path_template
            and _status_matches(self.status, status)
        )


def _status_matches(pattern: str, status: int) -> bool:
    if pattern == ANY:
        return True
    if pattern.endswith("XX"):
        return str(status).startswith(pattern[0])
    return pattern == str(status)


DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        name="drafts-list-is-an-array",
        method="GET",
        path=f"{_APP}/drafts",
        status="200",
        spec_says="a single DeploymentDraft object",
        service_does="an array of the caller's drafts, [] when there is none",
        why="realm-cli decodes this answer as a list; one object cannot say 'no draft'",
        target=("paths", f"{_APP}/drafts", "get", "responses", "200", "content", _JSON, "schema"),
        replacement={"type": "array", "items": {"$ref": "#/components/schemas/DeploymentDraft"}},
    ),
    Deviation(
        name="app-environment-may-be-empty",
        method="GET",
        path="/groups/{groupId}/apps",
        status="200",
        spec_says='NullableAppEnvironment is allOf [an enum with "", AppEnvironment without ""], '
        'so "" can never validate',
        service_does='"environment": "" for an app with no environment, in every app object '
        "(list, get)",
        why='the spec\'s own example app in its introduction has "environment": ""; '
        "allOf where anyOf was meant",
        target=("components", "schemas", "NullableAppEnvironment"),
        replacement={"type": "string", "enum": ["", "development", "testing", "qa", "production"]},
    ),
    Deviation(
        name="client-errors-undeclared",
        method=ANY,
        path=ANY,
        status="4XX",
        spec_says="most operations list only their success status",
        service_does="any operation can answer 400, 401 (InvalidSession), 404, 409 or 429 "
        "(with Retry-After), always with {error, error_code}",
        why="an expired token or an unknown id is possible on every call",
        target=("paths", ANY, ANY, "responses", "4XX"),
        replacement=_ERROR_RESPONSE,
    ),
    Deviation(
        name="server-errors-undeclared",
        method=ANY,
        path=ANY,
        status="5XX",
        spec_says="no operation lists a 5xx status",
        service_does="503 during outages, with {error, error_code}",
        why="clients must retry these; the harness checks they do",
        target=("paths", ANY, ANY, "responses", "5XX"),
        replacement=_ERROR_RESPONSE,
    ),
    Deviation(
        name="refresh-with-unknown-session",
        method="POST",
        path="/auth/session",
        status="401",
        spec_says='only "invalid refresh token: incorrect token type"',
        service_does='also "invalid session: failed to find refresh token" (InvalidSession) '
        "for a refresh token that is unknown or logged out",
        why="the spec lists exactly that answer for DELETE /auth/session with the same token",
        target=("paths", "/auth/session", "post", "responses", "401", "content", _JSON, "schema"),
        replacement={
            "$ref": "#/paths/~1auth~1session/delete/responses/401/content/application~1json/schema"
        },
    ),
    Deviation(
        name="api-key-disabled-is-a-boolean",
        method="GET",
        path=f"{_APP}/api_keys/{{apiKeyId}}",
        status="200",
        spec_says="`disabled` is a string in the one-key answer",
        service_does="`disabled` is a boolean, as enable and disable set it",
        why="the same spec's list of API keys types it boolean; a flag is not a string",
        target=("components", "schemas", "ApiKeyResponse", "properties", "disabled"),
        replacement={"type": "boolean"},
    ),
    Deviation(
        name="hosting-upload-parts-required",
        method="PUT",
        path=f"{_APP}/hosting/assets/asset",
        status=ANY,
        spec_says="`required: [meta, file]` sits inside the schema of `meta`, so `meta` "
        "would need fields named meta and file",
        service_does="takes an upload of two parts, `meta` (the asset metadata) and `file`",
        why="each part's own description says so; as written, no real upload validates",
        target=(
            "paths",
            f"{_APP}/hosting/assets/asset",
            "put",
            "requestBody",
            "content",
            _JSON,
            "schema",
        ),
        replacement={
            "type": "object",
            "required": ["meta", "file"],
            "properties": {
                "meta": {"$ref": "#/components/schemas/AssetMetadata"},
                "file": {"type": "string"},
            },
        },
    ),
    Deviation(
        name="service-config-documented-sync",
        method="PATCH",
        path=f"{_APP}/services/{{serviceId}}/config",
        status=ANY,
        spec_says="oneOf [AtlasClusterServiceConfigInstance, AtlasFederatedInstance, "
        "ThirdPartyServiceConstructor], none of which has the sync fields; "
        'ThirdPartyServiceConstructor requires nothing, so {"banana": 1} validates',
        service_does="takes a linked cluster's config with `sync` (Partition-Based) or "
        "`flexible_sync`, as the App Services docs' own config reference shows",
        why="the sync fields are documented in the config file reference: "
        "realm-2021 includes/steps-development-mode-cli.yaml and "
        "steps-define-sync-rules-api.yaml (config.sync: state, database_name, partition "
        "{key, type, permissions}, development_mode_enabled), app-services "
        "sync/configure/enable-sync.txt (flexible: state, database_name, "
        "queryable_fields_names, permissions, client_max_offline_days, "
        "is_recovery_mode_disabled); a schema with them is the only check that fails a "
        "malformed sync config",
        target=(
            "paths",
            f"{_APP}/services/{{serviceId}}/config",
            "patch",
            "requestBody",
            "content",
            _JSON,
            "schema",
        ),
        replacement={
            "anyOf": [
                DOCUMENTED_LINKED_CLUSTER_CONFIG,
                {"$ref": "#/components/schemas/AtlasFederatedInstance"},
            ]
        },
    ),
)

CONFORMING: tuple[Conforming, ...] = (
    Conforming(
        method="GET",
        path=f"{_APP}/services/{{serviceId}}/config",
        status="200",
        note="the spec reads as an array (`items:`) but has no `type: array`, so the one "
        "object the service returns validates",
    ),
    Conforming(
        method="POST",
        path=f"{_APP}/drafts/{{draftId}}/deployment",
        status="201",
        note="the body {name} is described with `name` required, but the request body itself "
        "is optional, so realm-cli's empty POST validates (a body without `name` would not)",
    ),
)
