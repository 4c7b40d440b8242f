"""One authenticated conversation with the Admin API: login, session renewal, retries.

The HTTP transport is httpx's and can be swapped (a real socket, a vcrpy
recording, any ``httpx.BaseTransport``); nothing here is global. Everything
that can end up in a message or a log line passes through ``_redact`` first,
and neither keys nor tokens are ever formatted into one on purpose.
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from harness import __version__
from harness.adminapi.errors import (
    AdminApiError,
    AuthenticationError,
    TransportError,
    error_for_status,
)
from harness.adminapi.models import Exchange, text
from harness.adminapi.retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after
from harness.adminapi.settings import PRIVATE_KEY_VAR, PUBLIC_KEY_VAR, Credentials, Target

logger = logging.getLogger("harness.adminapi")

LOGIN_PATH = "/auth/providers/mongodb-cloud/login"
SESSION_PATH = "/auth/session"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
REDACTED = "[redacted]"
_ERROR_TEXT_LIMIT = 300

ExchangeHook = Callable[[Exchange], None]

# Failures where the request never reached the server: safe to repeat for any method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after sending: repeat only idempotent requests.
_INTERRUPTED = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verifying TLS context every client of this process shares: building one reads
    the whole CA bundle (about 0.1 s), which httpx would do again for each client."""
    return httpx.create_ssl_context()


class Session:
    """Sends requests as the key pair's user; not thread-safe (one per runner thread)."""

    def __init__(
        self,
        target: Target,
        credentials: Credentials,
        *,
        transport: httpx.BaseTransport | None,
        timeout: float | httpx.Timeout,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        jitter: Callable[[], float],
        on_exchange: ExchangeHook | None,
    ) -> None:
        self._target = target
        self._credentials = credentials
        self._retry = retry
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._on_exchange = on_exchange
        self._http = httpx.Client(
            base_url=target.base_url,
            transport=transport,
            timeout=timeout,
            verify=tls_context(),
            headers={"Accept": "application/json", "User-Agent": f"docharness/{__version__}"},
        )
        self._access_token = ""
        self._refresh_token = ""
        # Every token this session was given, so an old one is redacted too.
        self._secrets = {credentials.private_key, credentials.public_key}
        self.user_id = ""

    def close(self) -> None:
        self._http.close()

    def login(self) -> None:
        """Exchange the API key pair for an access and a refresh token."""
        body = {"username": self._credentials.public_key, "apiKey": self._credentials.private_key}
        response = self._send("POST", LOGIN_PATH, body, token="")
        if response.status_code in (401, 403):
            code, message = self._error_text(response)
            raise AuthenticationError(
                response.status_code,
                code,
                message,
                "POST",
                LOGIN_PATH,
                hint=f"the API key pair was refused: check {PUBLIC_KEY_VAR} and "
                f"{PRIVATE_KEY_VAR}, and that the key may use this project",
            )
        data = self._json(response, "POST", LOGIN_PATH)
        access = text(data, "access_token") if isinstance(data, Mapping) else ""
        refresh = text(data, "refresh_token") if isinstance(data, Mapping) else ""
        if not access or not refresh:
            raise AdminApiError(
                response.status_code,
                "UnexpectedResponse",
                "the login answer has no access_token or refresh_token",
                "POST",
                LOGIN_PATH,
            )
        self._access_token, self._refresh_token = access, refresh
        self._secrets.update((access, refresh))
        self.user_id = text(data, "user_id")
        logger.info("logged in to the Admin API at %s", self._target.base_url)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Send an authorised request; the decoded JSON answer, or None for an empty one.

        An ``InvalidSession`` answer renews the session once and repeats the request.
        """
        return self._json(self._authorised(method, path, body), method, path)

    def download(self, path: str) -> bytes:
        """GET a file (an export's zip): the answer's bytes, errors raised as for ``call``."""
        response = self._authorised("GET", path, None)
        if response.is_error:
            self._json(response, "GET", path)  # raises the typed error
        return response.content

    def _authorised(self, method: str, path: str, body: Any) -> httpx.Response:
        if not self._access_token:
            self.login()
        response = self._send(method, path, body, self._access_token)
        if self._is_invalid_session(response):
            logger.info(
                "%s %s: the access token is no longer valid; renewing the session", method, path
            )
            self._renew()
            response = self._send(method, path, body, self._access_token)
            if response.status_code == 401:
                code, message = self._error_text(response)
                raise AuthenticationError(
                    401,
                    code,
                    message,
                    method,
                    path,
                    hint="still refused after renewing the session",
                )
        return response

    def _renew(self) -> None:
        """Refresh the access token; if the refresh token is refused too, log in again."""
        try:
            self._refresh()
        except AdminApiError as exc:
            if exc.status is None or exc.status >= 500 or exc.status == 429:
                raise
            logger.info(
                "renewing the session was refused (%s); logging in again",
                exc.error_code or f"HTTP {exc.status}",
            )
            self.login()

    def _refresh(self) -> None:
        response = self._send("POST", SESSION_PATH, None, self._refresh_token)
        data = self._json(response, "POST", SESSION_PATH)
        access = text(data, "access_token") if isinstance(data, Mapping) else ""
        if not access:
            raise AdminApiError(
                response.status_code,
                "UnexpectedResponse",
                "the session answer has no access_token",
                "POST",
                SESSION_PATH,
            )
        self._access_token = access
        self._secrets.add(access)
        logger.info("renewed the Admin API session")

    def _is_invalid_session(self, response: httpx.Response) -> bool:
        return response.status_code == 401 and self._error_text(response)[0] == "InvalidSession"

    def _send(self, method: str, path: str, body: Any, token: str) -> httpx.Response:
        """One request with the retry policy applied; errors without an answer raise."""
        limit = self._retry.max_attempts
        attempt = 1
        while True:
            try:
                response = self._attempt(method, path, body, token)
            except httpx.TransportError as exc:
                if attempt >= limit or not _may_retry(method, exc):
                    raise TransportError(
                        None,
                        type(exc).__name__,
                        self._redact(str(exc)) or "the connection failed",
                        method,
                        path,
                        hint=f"no answer from {self._target.base_url} after {attempt} attempt(s)",
                    ) from exc
                wait = self._retry.delay(attempt, None, self._jitter())
                logger.warning(
                    "%s %s: %s; retrying in %.2fs (attempt %d of %d)",
                    method,
                    path,
                    type(exc).__name__,
                    wait,
                    attempt + 1,
                    limit,
                )
            else:
                if not self._retry.should_retry_status(method, response.status_code):
                    return response
                retry_after = parse_retry_after(
                    response.headers.get("Retry-After"), datetime.now(UTC)
                )
                if attempt >= limit:
                    raise self._error(
                        response, method, path, hint=f"gave up after {attempt} attempt(s)"
                    )
                if retry_after is not None and retry_after > self._retry.max_retry_after:
                    raise self._error(
                        response,
                        method,
                        path,
                        hint=f"the server asked to wait {retry_after:.0f}s, longer than the "
                        f"retry policy allows ({self._retry.max_retry_after:g}s)",
                    )
                wait = self._retry.delay(attempt, retry_after, self._jitter())
                logger.warning(
                    "%s %s -> HTTP %d; retrying in %.2fs (attempt %d of %d)",
                    method,
                    path,
                    response.status_code,
                    wait,
                    attempt + 1,
                    limit,
                )
            self._sleep(wait)
            attempt += 1

    def _attempt(self, method: str, path: str, body: Any, token: str) -> httpx.Response:
        """One HTTP exchange, reported to the hook and the debug log whatever its outcome."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status: int | None = None
        start = self._clock()
        try:
            response = self._http.request(method, path, json=body, headers=headers)
            status = response.status_code
            return response
        finally:
            duration = self._clock() - start
            logger.debug("%s %s -> %s in %.3fs", method, path, status or "no answer", duration)
            if self._on_exchange is not None:
                self._on_exchange(Exchange(method, path, status, duration))

    def _json(self, response: httpx.Response, method: str, path: str) -> Any:
        if response.is_error:
            hint = ""
            if response.status_code in self._retry.statuses:
                hint = f"not retried: the server may already have acted on this {method}"
            raise self._error(response, method, path, hint=hint)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise AdminApiError(
                response.status_code, "UnexpectedResponse", "the answer is not JSON", method, path
            ) from None

    def _error(
        self, response: httpx.Response, method: str, path: str, *, hint: str = ""
    ) -> AdminApiError:
        code, message = self._error_text(response)
        return error_for_status(response.status_code, code, message, method, path, hint=hint)

    def _error_text(self, response: httpx.Response) -> tuple[str, str]:
        """``(error_code, error)`` from an error answer, secrets removed."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, Mapping):
            code, message = text(data, "error_code"), text(data, "error")
        else:
            code, message = "", response.text.strip()[:_ERROR_TEXT_LIMIT]
        return self._redact(code), self._redact(message or response.reason_phrase)

    def _redact(self, value: str) -> str:
        # Longest first, so a secret that contains another is removed whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        return value


def _may_retry(method: str, exc: httpx.TransportError) -> bool:
    if isinstance(exc, _NOT_SENT):
        return True
    return isinstance(exc, _INTERRUPTED) and method.upper() in IDEMPOTENT_METHODS
