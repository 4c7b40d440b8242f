"""Start-up work a run does once per process rather than once per scenario.

Speed itself is measured in benchmarks/ (never asserted here); these tests pin the
mechanisms that keep a run's fixed costs fixed.
"""

from __future__ import annotations

import ssl

from harness.adminapi import AdminClient, Credentials, Target
from harness.adminapi.session import tls_context


def _pool_context(client: AdminClient) -> ssl.SSLContext:
    transport = client._session._http._transport  # httpx's default transport
    context: ssl.SSLContext = transport._pool._ssl_context
    return context


def test_every_client_shares_one_tls_context() -> None:
    """httpx reads the whole CA bundle for each client it builds (about 0.1 s); a run builds
    one client per scenario, so they share the process's one verifying context."""
    target = Target("a" * 24, "b" * 24, "https://services.cloud.mongodb.com/api/admin/v3.0")
    credentials = Credentials("public", "private")
    first, second = AdminClient(target, credentials), AdminClient(target, credentials)
    try:
        assert _pool_context(first) is tls_context()
        assert _pool_context(second) is tls_context()
        assert tls_context().verify_mode is ssl.CERT_REQUIRED
        assert tls_context().check_hostname
    finally:
        first.close()
        second.close()
