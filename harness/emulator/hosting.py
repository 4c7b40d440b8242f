"""Static hosting assets: files by resource path, with their metadata.

Assets are app configuration: they live in one document (``hosting/assets``,
resource path -> metadata) that follows the draft overlay like every other,
and the drafts diff lists them in ``hosting_files_diff`` rather than as a
text diff. The spec says uploads are ``multipart/mixed`` yet declares a JSON
body (``meta`` and ``file``); the emulator takes the JSON it declares. Pure
functions over the assets document, so the rules read apart from HTTP.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any

from harness.emulator.errors import ApiError

ASSETS = "hosting/assets"


def upload(
    assets: Mapping[str, Any], path: str, body: Mapping[str, Any], app_id: str, now: int
) -> dict[str, Any]:
    """The assets after adding or replacing the file at ``path``."""
    _check_path(path)
    content = body.get("file", "")
    if not isinstance(content, str):
        raise ApiError(400, "file must be the file's content as a string", "BadRequest")
    meta = body.get("meta", {})
    attrs = meta.get("attrs", []) if isinstance(meta, Mapping) else []
    data = content.encode("utf-8")
    return {
        **copy.deepcopy(dict(assets)),
        path: {
            "appId": app_id,
            "path": path,
            "hash": hashlib.md5(data, usedforsecurity=False).hexdigest(),
            "size": len(data),
            "attrs": copy.deepcopy(attrs),
            "last_modified": now,
        },
    }


def set_attributes(assets: Mapping[str, Any], path: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The assets after replacing the metadata attributes of the file at ``path``."""
    found = dict(get(assets, path))
    attributes = body.get("attributes", [])
    if not isinstance(attributes, list):
        raise ApiError(400, "attributes must be an array", "BadRequest")
    found["attrs"] = copy.deepcopy(attributes)
    return {**copy.deepcopy(dict(assets)), path: found}


def move_or_copy(assets: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """The assets after ``{move_from, move_to}`` or ``{copy_from, copy_to}``."""
    for verb in ("move", "copy"):
        source, target = body.get(f"{verb}_from"), body.get(f"{verb}_to")
        if source is None and target is None:
            continue
        if not isinstance(source, str) or not isinstance(target, str):
            raise ApiError(400, f"{verb}_from and {verb}_to go together", "BadRequest")
        _check_path(target)
        result = copy.deepcopy(dict(assets))
        moved = {**dict(get(assets, source)), "path": target}
        if verb == "move":
            del result[source]
        result[target] = moved
        return result
    raise ApiError(400, "give move_from and move_to, or copy_from and copy_to", "BadRequest")


def get(assets: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    if path not in assets:
        raise ApiError(404, f"asset not found: '{path}'", "AssetNotFound")
    found: Mapping[str, Any] = assets[path]
    return found


def listing(assets: Mapping[str, Any], prefix: str = "") -> list[Any]:
    return [copy.deepcopy(assets[path]) for path in sorted(assets) if path.startswith(prefix)]


def files_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[str]]:
    """What deploying would change in the hosted files, as the drafts diff lists it."""
    return {
        "added": sorted(set(after) - set(before)),
        "deleted": sorted(set(before) - set(after)),
        "modified": sorted(
            path
            for path in set(before) & set(after)
            if (before[path].get("hash"), before[path].get("attrs"))
            != (after[path].get("hash"), after[path].get("attrs"))
        ),
    }


def _check_path(path: str) -> None:
    if not path.startswith("/") or "//" in path or "/../" in f"{path}/":
        raise ApiError(
            400, "an asset path starts with / and has no empty or .. parts", "BadRequest"
        )
