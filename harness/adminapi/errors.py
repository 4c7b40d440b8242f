"""What the Admin API client raises.

One root type so a caller can catch everything from this package; subclasses
by what a caller does next (log in again, create instead of reuse, wait, give
up). Messages name the request and the server's own words, and are built only
from text that has already had secrets removed.
"""

from __future__ import annotations


class AdminClientError(Exception):
    """Root of every error raised by ``harness.adminapi``."""


class ConfigurationError(AdminClientError, ValueError):
    """The settings (environment variables, ids) are missing or malformed."""


class AdminApiError(AdminClientError):
    """A request did not produce the answer it needed.

    ``status`` is None when no HTTP answer arrived (connection errors) or when
    the failure is the client's own finding (a missing service, say).
    """

    def __init__(
        self,
        status: int | None,
        error_code: str,
        message: str,
        method: str,
        path: str,
        *,
        hint: str = "",
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.message = message
        self.method = method
        self.path = path
        self.hint = hint
        super().__init__(self._describe())

    def _describe(self) -> str:
        details = ", ".join(
            part for part in (f"HTTP {self.status}" if self.status else "", self.error_code) if part
        )
        text = (
            f"{self.method} {self.path} -> {details or 'error'}: {self.message or '(no message)'}"
        )
        return f"{text} ({self.hint})" if self.hint else text


class AuthenticationError(AdminApiError):
    """The API key pair was refused, or a session could not be renewed."""


class NotFoundError(AdminApiError):
    """The group, app, service, draft or deployment does not exist."""


class ConflictError(AdminApiError):
    """HTTP 409, e.g. ``DraftAlreadyExists``: the user already has a draft."""


class RateLimitedError(AdminApiError):
    """HTTP 429 that outlasted the retry policy."""


class ServerError(AdminApiError):
    """HTTP 5xx that outlasted the retry policy (or was unsafe to retry)."""


class TransportError(AdminApiError):
    """No HTTP answer at all: connection refused, timeout, broken connection."""


class DeploymentError(AdminClientError):
    """A deployment did not end ``successful``."""

    def __init__(self, deployment_id: str, message: str) -> None:
        self.deployment_id = deployment_id
        super().__init__(message)


class DeploymentFailed(DeploymentError):
    """The deployment ended ``failed``; the server's reason is kept."""

    def __init__(self, deployment_id: str, status_error_message: str) -> None:
        self.status_error_message = status_error_message
        reason = status_error_message or "(the server gave no status_error_message)"
        super().__init__(deployment_id, f"deployment {deployment_id} failed: {reason}")


class DeploymentTimeout(DeploymentError):
    """The deployment had not finished when the wait's bound ran out."""

    def __init__(
        self, deployment_id: str, last_status: str, waited_seconds: float, timeout: float
    ) -> None:
        self.last_status = last_status
        self.waited_seconds = waited_seconds
        self.timeout = timeout
        super().__init__(
            deployment_id,
            f"deployment {deployment_id} still {last_status or '(no status)'!r} after "
            f"{waited_seconds:.1f}s of waiting (bound {timeout:g}s); the App Services UI's "
            "deployment history shows whether it finished later",
        )


def error_for_status(
    status: int, error_code: str, message: str, method: str, path: str, *, hint: str = ""
) -> AdminApiError:
    """The most specific error type for an HTTP status."""
    kind: type[AdminApiError] = AdminApiError
    if status == 401:
        kind = AuthenticationError
    elif status == 404:
        kind = NotFoundError
    elif status == 409:
        kind = ConflictError
    elif status == 429:
        kind = RateLimitedError
    elif status >= 500:
        kind = ServerError
    return kind(status, error_code, message, method, path, hint=hint)
