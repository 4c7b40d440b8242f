"""Where a run reads and writes, and what it talks to.

Defaults come from ``[tool.docharness]`` in the project's pyproject.toml, so
``docharness run`` and plain ``pytest features`` agree; command-line options
override them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# tomllib, ipaddress and urllib are imported where used: pytest loads this module
# (through the plugin) in every project where docharness is installed.

MODES = ("replay", "record", "live")


class ConfigError(ValueError):
    """``[tool.docharness]`` cannot be used; the message names pyproject.toml."""


@dataclass(frozen=True)
class ProjectConfig:
    docs: Path
    features: Path
    cassettes: Path
    reports: Path
    catalogs: tuple[Path, ...] = ()
    # The project's own resource-model rules files, as (key, path): key "interfaces",
    # "kinds" or "resources" (harness/catalog/classify.py merges them after the shipped ones).
    rules: tuple[tuple[str, Path], ...] = ()


def read_project_config(rootdir: Path) -> ProjectConfig:
    """``[tool.docharness]`` from ``rootdir/pyproject.toml``, paths made absolute."""
    import tomllib

    table: Mapping[str, object] = {}
    pyproject = rootdir / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{pyproject}: malformed: {error}") from None
        tool = data.get("tool", {})
        found = tool.get("docharness", {}) if isinstance(tool, dict) else {}
        table = found if isinstance(found, dict) else {}

    def path(key: str, default: str) -> Path:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{pyproject}: [tool.docharness] {key} must be a string")
        return rootdir / value

    catalogs = table.get("catalogs", [])
    rules = []
    for key in ("interfaces", "kinds", "resources"):
        files = table.get(key, [])
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ConfigError(f"{pyproject}: [tool.docharness] {key} must be a list of file names")
        rules += [(key, rootdir / f) for f in files]
    return ProjectConfig(
        docs=path("docs", _default_docs(rootdir)),
        features=path("features", "features"),
        cassettes=path("cassettes", "cassettes"),
        reports=path("reports", "reports"),
        catalogs=tuple(rootdir / str(c) for c in catalogs) if isinstance(catalogs, list) else (),
        rules=tuple(rules),
    )


def _default_docs(rootdir: Path) -> str:
    """``docs`` unless the project root is itself the docs project (a ``snooty.toml`` beside
    ``pyproject.toml`` and no ``docs/`` folder): then file paths in reports start there."""
    if not (rootdir / "docs").is_dir() and (rootdir / "snooty.toml").is_file():
        return "."
    return "docs"


def is_loopback(url: str) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or localhost: the local emulator's home."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
