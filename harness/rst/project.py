"""A snooty documentation project: the folder holding ``snooty.toml``.

Loading it once gives every page the same constants, substitutions and paths,
so that parsing a page never has to look upward for its project again.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

CONFIG_NAME = "snooty.toml"

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


class ProjectError(Exception):
    """The folder is not a usable snooty project (no or malformed ``snooty.toml``).

    A user's mistake, not a bug: the message names the file (and line) to fix.
    """

    def __init__(self, message: str, path: Path, line: int = 0) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Project:
    """The project settings every page of it shares."""

    root: Path
    name: str
    constants: Mapping[str, str] = field(hash=False)
    substitutions: Mapping[str, str] = field(hash=False)
    intersphinx: tuple[str, ...] = ()  # inventories of other projects (never fetched)

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    def relpath(self, path: Path | str) -> str:
        """``path`` relative to the project root with forward slashes, as the model wants.

        Paths outside the root (which a project never reads) are returned as given.
        """
        candidate = Path(path)
        try:
            return candidate.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return candidate.as_posix()

    def page_name(self, page_file: Path) -> str:
        """The page path used by ``:doc:`` links: relative to ``source/``, no extension."""
        try:
            relative = page_file.resolve().relative_to(self.source_dir)
        except ValueError:
            return page_file.with_suffix("").as_posix()
        return relative.with_suffix("").as_posix()

    def pages(self) -> tuple[Path, ...]:
        """Every page (``source/**/*.txt`` outside ``includes`` folders), sorted: regular
        files inside the project only (see ``escaping_pages``)."""
        return tuple(path for path in self._candidates() if self.confines(path))

    def escaping_pages(self) -> tuple[Path, ...]:
        """Pages that are symlinks to files outside the project: never read."""
        return tuple(path for path in self._candidates() if not self.confines(path))

    def confines(self, path: Path) -> bool:
        """Whether ``path``, symlinks followed, lies inside the project folder."""
        try:
            return path.resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError):  # a symlink loop
            return False

    def _candidates(self) -> tuple[Path, ...]:
        source = self.source_dir
        if not source.is_dir():
            return ()
        found = (
            path
            for path in source.rglob("*.txt")
            if "includes" not in path.relative_to(source).parts[:-1] and path.is_file()
        )
        return tuple(sorted(found))


def find_root(path: Path) -> Path:
    """The project folder for ``path``: the folder itself, or for a file the nearest
    parent holding ``snooty.toml``."""
    candidate = Path(path).resolve()
    if candidate.is_dir():
        if (candidate / CONFIG_NAME).is_file():
            return candidate
        raise ProjectError(
            f"{path}: not a documentation project (no {CONFIG_NAME} in this folder)", Path(path)
        )
    for parent in candidate.parents:
        if (parent / CONFIG_NAME).is_file():
            return parent
    raise ProjectError(f"{path}: no {CONFIG_NAME} found in any folder above this file", Path(path))


def load_project(path: Path) -> Project:
    """Read ``snooty.toml`` for the project at ``path`` (a project folder or a page in it)."""
    root = find_root(path)
    config_file = root / CONFIG_NAME
    try:
        config = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        position = _TOML_POSITION.search(str(error))
        line = int(position.group(1)) if position else 1
        raise ProjectError(
            f"{config_file}:{line}: malformed {CONFIG_NAME}: {error}", config_file, line
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectError(
            f"{config_file}: cannot read {CONFIG_NAME}: {error}", config_file
        ) from None
    name = config.get("name", root.name)
    return Project(
        root=root,
        name=str(name),
        constants=_string_table(config, "constants", config_file),
        substitutions=_string_table(config, "substitutions", config_file),
        intersphinx=tuple(str(url) for url in _list(config, "intersphinx", config_file)),
    )


def _list(config: dict[str, Any], key: str, config_file: Path) -> list[Any]:
    value = config.get(key, [])
    if not isinstance(value, list):
        raise ProjectError(f"{config_file}: {key} must be a list", config_file)
    return value


def _string_table(config: dict[str, Any], key: str, config_file: Path) -> Mapping[str, str]:
    """A ``[table]`` of scalar values as strings; anything else is the writer's mistake."""
    table = config.get(key, {})
    if not isinstance(table, dict):
        raise ProjectError(f"{config_file}: [{key}] must be a table of names", config_file)
    values: dict[str, str] = {}
    for name, value in table.items():
        if isinstance(value, dict | list):
            raise ProjectError(
                f"{config_file}: [{key}] {name} must be a string, not a {type(value).__name__}",
                config_file,
            )
        values[name] = value if isinstance(value, str) else str(value)
    return MappingProxyType(values)
