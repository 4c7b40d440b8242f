"""Typed views of the Admin API's answers.

Each type holds the few fields the harness reads, plus the whole answer in
``raw`` (left out of comparisons and reprs) for anything else. Missing fields
read as empty rather than failing: the service adds and drops optional fields
over time, and the harness checks the values it needs itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def text(raw: Mapping[str, Any], key: str) -> str:
    """A string field, or "" when absent or of another type."""
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """An object field, or an empty mapping when absent or of another type."""
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list-of-strings field as a tuple, skipping anything that is not a string."""
    value = raw.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _raw() -> Any:
    return field(default_factory=dict, repr=False, compare=False, hash=False)


@dataclass(frozen=True)
class Exchange:
    """One HTTP attempt, for per-step API records in reports.

    ``path`` is relative to the base URL and carries no query; ``status`` is
    None when no answer arrived.
    """

    method: str
    path: str
    status: int | None
    duration_seconds: float


@dataclass(frozen=True)
class App:
    id: str
    client_app_id: str
    name: str
    location: str = ""
    deployment_model: str = ""
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> App:
        return cls(
            id=text(raw, "_id"),
            client_app_id=text(raw, "client_app_id"),
            name=text(raw, "name"),
            location=text(raw, "location"),
            deployment_model=text(raw, "deployment_model"),
            raw=raw,
        )


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    type: str
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Service:
        return cls(id=text(raw, "_id"), name=text(raw, "name"), type=text(raw, "type"), raw=raw)


@dataclass(frozen=True)
class Draft:
    id: str
    user_id: str
    app_id: str = ""
    app_name: str = ""
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Draft:
        app = mapping(raw, "app")
        return cls(
            id=text(raw, "_id"),
            user_id=text(raw, "user_id"),
            # The spec's AppInstance has `_id`; some answers use `id`.
            app_id=text(app, "_id") or text(app, "id"),
            app_name=text(app, "name"),
            raw=raw,
        )


@dataclass(frozen=True)
class DraftDiff:
    """What deploying a draft would change: one text diff per configuration file."""

    diffs: tuple[str, ...]
    hosting_added: tuple[str, ...] = ()
    hosting_deleted: tuple[str, ...] = ()
    hosting_modified: tuple[str, ...] = ()
    raw: Mapping[str, Any] = _raw()

    @property
    def is_empty(self) -> bool:
        return not (
            self.diffs or self.hosting_added or self.hosting_deleted or self.hosting_modified
        )

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DraftDiff:
        hosting = mapping(raw, "hosting_files_diff")
        return cls(
            diffs=strings(raw, "diffs"),
            hosting_added=strings(hosting, "added"),
            hosting_deleted=strings(hosting, "deleted"),
            hosting_modified=strings(hosting, "modified"),
            raw=raw,
        )


@dataclass(frozen=True)
class Deployment:
    """A deployment; ``status`` is created, pending, successful or failed."""

    id: str
    status: str
    status_error_message: str = ""
    app_id: str = ""
    draft_id: str = ""
    user_id: str = ""
    origin: str = ""
    name: str = ""
    deployed_at: int | None = None
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Deployment:
        deployed_at = raw.get("deployed_at")
        return cls(
            id=text(raw, "_id"),
            status=text(raw, "status"),
            status_error_message=text(raw, "status_error_message"),
            app_id=text(raw, "app_id"),
            draft_id=text(raw, "draft_id"),
            user_id=text(raw, "user_id"),
            origin=text(raw, "origin"),
            name=text(raw, "name"),
            deployed_at=deployed_at if isinstance(deployed_at, int) else None,
            raw=raw,
        )


@dataclass(frozen=True)
class DeployConfig:
    """How the app deploys: with drafts in the UI unless ``ui_drafts_disabled``."""

    ui_drafts_disabled: bool
    automatic_deployment_enabled: bool
    raw: Mapping[str, Any] = _raw()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DeployConfig:
        return cls(
            ui_drafts_disabled=raw.get("ui_drafts_disabled") is True,
            automatic_deployment_enabled=mapping(raw, "automatic_deployment").get("enabled")
            is True,
            raw=raw,
        )
