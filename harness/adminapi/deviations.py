"""Accept both shapes where the official spec and the real service disagree.

The client follows the real service and the official realm-cli. The list of
disagreements lives in one place, :mod:`harness.emulator.deviations`, where
tests show each is still real; these helpers are how the client copes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def single_object(data: Any) -> Mapping[str, Any] | None:
    """The object of a one-object answer that the spec may describe as an array."""
    if isinstance(data, Mapping):
        return data
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], Mapping):
        return data[0]
    return None


def object_list(data: Any) -> list[Mapping[str, Any]] | None:
    """The objects of a list answer that the spec may describe as one object (or nothing)."""
    if data is None:
        return []
    if isinstance(data, Mapping):
        return [data] if data else []
    if isinstance(data, list) and all(isinstance(item, Mapping) for item in data):
        return list(data)
    return None
