"""Who the client logs in as and which app it talks to.

Kept apart from the HTTP code so that settings can be checked (and their
errors reported) before any request is made. Values of secret settings never
appear in a repr or an error message: only the names of missing variables do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from harness.adminapi.errors import ConfigurationError

DEFAULT_BASE_URL = "https://services.cloud.mongodb.com/api/admin/v3.0"

# The Atlas CLI's names, so a machine set up for `atlas` works unchanged.
PUBLIC_KEY_VAR = "MONGODB_ATLAS_PUBLIC_API_KEY"
PRIVATE_KEY_VAR = "MONGODB_ATLAS_PRIVATE_API_KEY"
# Atlas calls a group a project; the harness-specific name wins when both are set.
GROUP_ID_VARS = ("DOCHARNESS_GROUP_ID", "MONGODB_ATLAS_PROJECT_ID")
APP_ID_VAR = "DOCHARNESS_APP_ID"

_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


@dataclass(frozen=True)
class Credentials:
    """An Atlas programmatic API key pair; the private half never shows in a repr."""

    public_key: str
    private_key: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.public_key or not self.private_key:
            raise ConfigurationError("both halves of the API key pair must be non-empty")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Credentials:
        _require(_missing_credentials(environ))
        return cls(_value(environ, PUBLIC_KEY_VAR), _value(environ, PRIVATE_KEY_VAR))


@dataclass(frozen=True)
class Target:
    """The Admin API root and the app under test (internal ObjectIds, not the client App ID)."""

    group_id: str
    app_id: str
    base_url: str = DEFAULT_BASE_URL

    def __post_init__(self) -> None:
        for name, value in (("group_id", self.group_id), ("app_id", self.app_id)):
            if not _OBJECT_ID.fullmatch(value):
                raise ConfigurationError(
                    f"{name} must be a 24-hex-digit ObjectId (the app's internal id from the "
                    "App Services URL, not its client App ID like 'myapp-abcde')"
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str], base_url: str = DEFAULT_BASE_URL) -> Target:
        _require(_missing_target(environ))
        group = next(_value(environ, name) for name in GROUP_ID_VARS if _value(environ, name))
        return cls(group_id=group, app_id=_value(environ, APP_ID_VAR), base_url=base_url)

    @property
    def app_path(self) -> str:
        """The app's path under the base URL, the prefix of most operations."""
        return f"/groups/{quote(self.group_id, safe='')}/apps/{quote(self.app_id, safe='')}"


def from_env(
    environ: Mapping[str, str], base_url: str = DEFAULT_BASE_URL
) -> tuple[Target, Credentials]:
    """Both settings at once, so one error lists every missing variable."""
    _require([*_missing_credentials(environ), *_missing_target(environ)])
    return Target.from_env(environ, base_url), Credentials.from_env(environ)


def _value(environ: Mapping[str, str], name: str) -> str:
    return environ.get(name, "").strip()


def _missing_credentials(environ: Mapping[str, str]) -> list[str]:
    return [name for name in (PUBLIC_KEY_VAR, PRIVATE_KEY_VAR) if not _value(environ, name)]


def _missing_target(environ: Mapping[str, str]) -> list[str]:
    missing = []
    if not any(_value(environ, name) for name in GROUP_ID_VARS):
        missing.append(f"{GROUP_ID_VARS[1]} (or {GROUP_ID_VARS[0]})")
    if not _value(environ, APP_ID_VAR):
        missing.append(APP_ID_VAR)
    return missing


def _require(missing: list[str]) -> None:
    if missing:
        raise ConfigurationError(
            "missing environment variable(s): " + ", ".join(missing) + "; the Admin API needs "
            "an Atlas programmatic API key pair with Project Owner access and the ids of the "
            "project and app under test"
        )
