"""Secrets stay out of errors even when a server echoes them back.

The emulator never repeats a key or a token, so this uses a small hostile
server (real HTTP on 127.0.0.1) that puts them into its error texts.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.adminapi import (
    AdminApiError,
    AdminClient,
    AuthenticationError,
    Credentials,
    RetryPolicy,
    Target,
)

PUBLIC = "echo-public-key-41ab"
PRIVATE = "echo-private-key-93fd0c"
REFUSED_PRIVATE = "echo-refused-key-77e2a1"
ACCESS = "echo-access-token-5b6c7d"
REFRESH = "echo-refresh-token-8e9f0a"
GROUP = "5f0a1b2c3d4e5f6a7b8c9d01"
APP = "5f0a1b2c3d4e5f6a7b8c9d02"
SECRETS = (PUBLIC, PRIVATE, REFUSED_PRIVATE, ACCESS, REFRESH)


class EchoingHandler(BaseHTTPRequestHandler):
    """Answers login, then fails every other request by quoting what it was sent."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if body.get("apiKey") == PRIVATE:
            self._send(200, {"access_token": ACCESS, "refresh_token": REFRESH, "user_id": "u1"})
        else:
            error = f"no key pair {body.get('username')}:{body.get('apiKey')}"
            self._send(401, {"error": error, "error_code": "InvalidPassword"})

    def do_GET(self) -> None:
        sent = self.headers.get("Authorization", "")
        if self.path.endswith("/services"):
            self._send(400, {"error": f"rejected {sent}", "error_code": f"Bad{ACCESS}"})
        else:
            payload = f"<html>gateway saw {sent} and {REFRESH}</html>".encode()
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def _send(self, status: int, data: dict[str, str]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the client's records, not the server's."""


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/admin/v3.0"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def client_for(url: str, private_key: str) -> AdminClient:
    return AdminClient(
        Target(GROUP, APP, url),
        Credentials(PUBLIC, private_key),
        retry=RetryPolicy(max_attempts=1),
    )


def texts_of(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


def test_echoed_key_pair_is_redacted_from_a_login_error(echo_url: str) -> None:
    with (
        client_for(echo_url, REFUSED_PRIVATE) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.login()
    assert "no key pair [redacted]:[redacted]" in str(caught.value)
    for text in texts_of(caught.value):
        assert not [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize(
    ("call", "quoted"),
    [
        ("list_services", "rejected Bearer [redacted]"),
        ("get_app", "gateway saw Bearer [redacted] and [redacted]"),
    ],
)
def test_echoed_tokens_are_redacted_from_json_and_html_errors(
    echo_url: str, call: str, quoted: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    with client_for(echo_url, PRIVATE) as client, pytest.raises(AdminApiError) as caught:
        getattr(client, call)()
    assert quoted in str(caught.value)
    texts = texts_of(caught.value) + [record.getMessage() for record in caplog.records]
    assert not [text for text in texts for secret in SECRETS if secret in text]
