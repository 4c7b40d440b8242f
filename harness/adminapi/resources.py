"""The Admin API's plain resources as data: where each lives and how it is changed.

``resources.toml`` beside this module lists them (functions, triggers,
values, rules ...), so the client's generic operations need no code per
resource and a docs writer can add one. Paths are the official spec's,
relative to the app, with ``{parent}`` ids the caller fills in.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from harness.adminapi.errors import ConfigurationError
from harness.adminapi.models import text

RESOURCES_PATH = Path(__file__).with_name("resources.toml")
_PARENT = re.compile(r"\{([A-Za-z]+)\}")

ResourceKind = Literal["collection", "singleton"]


@dataclass(frozen=True)
class Resource:
    """One kind of thing an app has, and where the Admin API keeps it."""

    name: str
    path: str  # relative to the app, e.g. "services/{serviceId}/rules"
    kind: ResourceKind
    update: str  # "PUT", "PATCH" or "" (not editable)
    get: bool = True  # False: an item is read only through the collection's list

    @property
    def parents(self) -> tuple[str, ...]:
        """The ids a caller must give, in path order (``serviceId`` for rules)."""
        return tuple(_PARENT.findall(self.path))

    def locate(self, app_path: str, parents: Mapping[str, str], item_id: str = "") -> str:
        """The request path for the collection or singleton, or one item of it."""
        missing = [name for name in self.parents if not parents.get(name)]
        if missing:
            raise ConfigurationError(f"resource {self.name!r} needs {', '.join(missing)}")
        relative = _PARENT.sub(lambda m: quote(parents[m.group(1)], safe=""), self.path)
        path = f"{app_path}/{relative}"
        return f"{path}/{quote(item_id, safe='')}" if item_id else path


@dataclass(frozen=True)
class Record:
    """One item of a collection: its id and name, plus the whole answer in ``raw``."""

    id: str
    name: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Record:
        return cls(id=text(raw, "_id"), name=text(raw, "name"), raw=raw)


@functools.lru_cache(maxsize=4)
def load_resources(path: Path = RESOURCES_PATH) -> Mapping[str, Resource]:
    """The resources a TOML file describes; ConfigurationError names a bad entry."""
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"{path}: cannot read the resource list: {error}") from None
    found: dict[str, Resource] = {}
    for name, entry in raw.get("resources", {}).items():
        kind, update = entry.get("kind"), entry.get("update", "")
        if kind not in ("collection", "singleton") or update not in ("PUT", "PATCH", ""):
            raise ConfigurationError(
                f"{path}: resource {name!r}: kind must be collection or singleton and "
                "update PUT, PATCH or empty"
            )
        if not isinstance(entry.get("path"), str) or not entry["path"]:
            raise ConfigurationError(f"{path}: resource {name!r} has no path")
        if not isinstance(entry.get("get", True), bool):
            raise ConfigurationError(f"{path}: resource {name!r}: get must be true or false")
        found[name] = Resource(
            name=name, path=entry["path"], kind=kind, update=update, get=entry.get("get", True)
        )
    return found


def resource(name: str) -> Resource:
    """A resource by name; ConfigurationError lists the known ones."""
    known = load_resources()
    if name not in known:
        raise ConfigurationError(f"unknown resource {name!r}; known: {', '.join(sorted(known))}")
    return known[name]
