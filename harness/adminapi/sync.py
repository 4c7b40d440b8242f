"""Device Sync as it appears in a linked cluster's service configuration.

Sync lives in the ``mongodb-atlas`` service config under ``sync``
(Partition-Based Sync, called "Realm Sync" in 2021) or ``flexible_sync``.
``state`` is "enabled", "disabled" (paused) or "" (terminated: the sync
configuration is destroyed and must be given again to re-enable).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from harness.adminapi.models import mapping, strings, text

SyncMode = Literal["partition", "flexible", ""]

PARTITION_KEY = "sync"
FLEXIBLE_KEY = "flexible_sync"
# What the App Services UI proposes for a new partition-based sync.
DEFAULT_PARTITION_PERMISSIONS: Mapping[str, Any] = {"read": True, "write": True}


@dataclass(frozen=True)
class SyncState:
    """The sync settings of one service, read from either config key."""

    mode: SyncMode
    state: str
    database_name: str = ""
    partition_key: str = ""
    partition_key_type: str = ""
    queryable_fields: tuple[str, ...] = ()
    development_mode: bool = False

    @property
    def is_enabled(self) -> bool:
        return self.state == "enabled"

    @property
    def is_terminated(self) -> bool:
        return self.state == ""


def sync_state_from_config(config: Mapping[str, Any]) -> SyncState:
    """Read whichever sync mode is configured; a terminated sync reads as mode "" and state ""."""
    flexible = mapping(config, FLEXIBLE_KEY)
    if text(flexible, "state"):
        return SyncState(
            mode="flexible",
            state=text(flexible, "state"),
            database_name=text(flexible, "database_name"),
            queryable_fields=strings(flexible, "queryable_fields_names"),
        )
    partition = mapping(config, PARTITION_KEY)
    if text(partition, "state"):
        key = mapping(partition, "partition")
        return SyncState(
            mode="partition",
            state=text(partition, "state"),
            database_name=text(partition, "database_name"),
            partition_key=text(key, "key"),
            partition_key_type=text(key, "type"),
            development_mode=partition.get("development_mode_enabled") is True,
        )
    return SyncState(mode="", state="")


def terminate_patch(current: SyncState) -> dict[str, Any]:
    """The config change that terminates sync, under the key of the mode in use.

    Only ``state`` is sent: the service drops the rest of a terminated sync's settings.
    """
    key = FLEXIBLE_KEY if current.mode == "flexible" else PARTITION_KEY
    return {key: {"state": ""}}


def partition_sync_patch(
    database_name: str,
    partition_key: str,
    partition_key_type: str,
    development_mode: bool,
    permissions: Mapping[str, Any],
) -> dict[str, Any]:
    """A complete Partition-Based Sync setting, as re-enabling after termination needs."""
    return {
        PARTITION_KEY: {
            "state": "enabled",
            "database_name": database_name,
            "partition": {
                "key": partition_key,
                "type": partition_key_type,
                "permissions": dict(permissions),
            },
            "development_mode_enabled": development_mode,
        }
    }


def flexible_sync_patch(database_name: str, queryable_fields: Sequence[str]) -> dict[str, Any]:
    """A complete Flexible Sync setting (permissions now live in rules, not here)."""
    return {
        FLEXIBLE_KEY: {
            "state": "enabled",
            "database_name": database_name,
            "queryable_fields_names": list(queryable_fields),
        }
    }
