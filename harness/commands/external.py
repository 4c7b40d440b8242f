"""Where a documented request goes: the Admin API (checked) or something external (reported).

The hosts and URL patterns are data (``hosts.toml``); this module only applies them.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Destination:
    """What a URL is: ``admin-api``, one of the external kinds, or ``unknown``."""

    kind: str
    reason: str
    legacy_host: bool = False


@dataclass(frozen=True)
class _Hosts:
    admin_hosts: frozenset[str]
    legacy_hosts: frozenset[str]
    current_host: str
    base_path: str
    external: tuple[tuple[str, re.Pattern[str], str], ...]


@functools.cache
def hosts() -> _Hosts:
    text = resources.files(__package__).joinpath("hosts.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    admin = data["admin_api"]
    return _Hosts(
        frozenset(admin["hosts"]),
        frozenset(admin["legacy_hosts"]),
        admin["current_host"],
        admin["base_path"],
        tuple((e["kind"], re.compile(e["pattern"]), e["reason"]) for e in data["external"]),
    )


def classify_url(url: str) -> Destination:
    """Where ``url`` points, decided by ``hosts.toml`` alone."""
    table = hosts()
    for kind, pattern, reason in table.external:
        if pattern.search(url):
            return Destination(kind, reason)
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").lower()
    if host in table.admin_hosts and (
        parts.path == table.base_path or parts.path.startswith(table.base_path + "/")
    ):
        return Destination(
            "admin-api", "an App Services Admin API call", host in table.legacy_hosts
        )
    return Destination("unknown", f"{host or url!r} is neither the Admin API nor a known service")
