"""A local Atlas App Services Admin API: real HTTP on 127.0.0.1, real semantics, injectable faults.

Scenarios run against it offline and fast, and faults (failed or stalled
deployments, expiring tokens, throttling, outages, a terminated Sync) show
how the harness copes with a product that misbehaves.

It grows from the official spec (a copy, ``admin-v3.yaml``): plain-shaped
operations are served generically (``openapi``, ``generic``), the rest by
hand (``routes``); ``resources.toml`` says which is which and why some are
not served. The draft overlay is in ``state``: reads show the caller's open
draft, pull shows only the deployed configuration.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.emulator.defaults import (
        DEFAULT_APP_ID,
        DEFAULT_GROUP_ID,
        DEFAULT_PRIVATE_KEY,
        DEFAULT_PUBLIC_KEY,
    )
    from harness.emulator.routes import create_app
    from harness.emulator.server import LOOPBACK_HOST, Emulator, serve
    from harness.emulator.state import Faults

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_GROUP_ID",
    "DEFAULT_PRIVATE_KEY",
    "DEFAULT_PUBLIC_KEY",
    "LOOPBACK_HOST",
    "Emulator",
    "Faults",
    "create_app",
    "serve",
]

# Loaded on first use: a replayed run needs the default ids, not the web server and
# the spec validator behind it.
_HOMES = {
    "create_app": "harness.emulator.routes",
    "LOOPBACK_HOST": "harness.emulator.server",
    "Emulator": "harness.emulator.server",
    "serve": "harness.emulator.server",
    "DEFAULT_APP_ID": "harness.emulator.defaults",
    "DEFAULT_GROUP_ID": "harness.emulator.defaults",
    "DEFAULT_PRIVATE_KEY": "harness.emulator.defaults",
    "DEFAULT_PUBLIC_KEY": "harness.emulator.defaults",
    "Faults": "harness.emulator.state",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
