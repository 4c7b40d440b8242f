"""When to try a request again, and how long to wait first.

Bounded on purpose: a documentation run must end, with a clear error, even
when the service is down. Jitter keeps parallel runs from retrying in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# Statuses that mean the server did not act on the request, so even a POST
# (create draft, deploy) is safe to send again. 502/504 come from a gateway
# that may have passed the request on; only idempotent methods repeat those.
NOT_PROCESSED_STATUSES = frozenset({429, 503})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and waits for transient failures (429, 502, 503, 504, network errors).

    PATCH counts as idempotent because this client only sends PATCH bodies that
    set fields to values; sending one twice leaves the same state.
    """

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    jitter: float = 0.25
    max_retry_after: float = 120.0
    statuses: frozenset[int] = RETRYABLE_STATUSES

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if min(self.backoff_base, self.backoff_max, self.jitter, self.max_retry_after) < 0:
            raise ValueError("RetryPolicy waits must not be negative")

    def should_retry_status(self, method: str, status: int) -> bool:
        if status not in self.statuses:
            return False
        return status in NOT_PROCESSED_STATUSES or method.upper() in IDEMPOTENT_METHODS

    def delay(self, retry_number: int, retry_after: float | None, random_fraction: float) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based).

        The server's Retry-After wins over the backoff; ``random_fraction`` in
        [0, 1) scales the jitter added on top.
        """
        if retry_after is not None:
            base = retry_after
        else:
            base = min(self.backoff_max, self.backoff_base * 2 ** (retry_number - 1))
        return base + self.jitter * random_fraction


DEFAULT_RETRY_POLICY = RetryPolicy()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
