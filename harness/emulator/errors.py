"""The one error the emulator's state raises: an Admin API error answer.

The real service answers every failure with ``{"error", "error_code"}``; the
state model raises this and the routes turn it into that JSON, so no rule has
to know about HTTP responses.
"""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    def __init__(
        self, status: int, error: str, error_code: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"HTTP {status} {error_code}: {error}")
        self.status = status
        self.error = error
        self.error_code = error_code
        self.headers: Mapping[str, str] = dict(headers or {})

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_code": self.error_code}
