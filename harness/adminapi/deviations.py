"""Where the official OpenAPI spec and the real service (and its clients) disagree.

The client follows the real service and the official realm-cli. Every such
choice is listed here, with the normaliser that accepts both shapes, so that a
reader can see at one glance what the client does not take from the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Deviation:
    endpoint: str
    spec_says: str
    client_does: str


DEVIATIONS = (
    Deviation(
        endpoint="GET /groups/{groupId}/apps/{appId}/services/{serviceId}/config",
        spec_says="an array of service configurations",
        client_does="reads one JSON object (what the service returns); "
        "a one-element array is accepted too",
    ),
    Deviation(
        endpoint="GET /groups/{groupId}/apps/{appId}/drafts",
        spec_says="a single DeploymentDraft object",
        client_does="reads an array of drafts (what the service returns and realm-cli decodes); "
        "a single object is accepted as a one-draft list",
    ),
    Deviation(
        endpoint="POST /groups/{groupId}/apps/{appId}/drafts/{draftId}/deployment",
        spec_says="a required JSON body {name}",
        client_does="sends no body, as realm-cli does, unless a deployment name is given",
    ),
    Deviation(
        endpoint="GET /groups/{groupId}/apps/{appId}/drafts/{draftId}",
        spec_says="no such operation",
        client_does="get_draft() lists the drafts and picks the one with that id",
    ),
)


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
