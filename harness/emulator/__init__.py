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

from harness.emulator.routes import create_app
from harness.emulator.server import LOOPBACK_HOST, Emulator, serve
from harness.emulator.state import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Faults,
)

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
