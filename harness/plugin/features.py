"""What the runner needs from a generated .feature file beyond pytest-bdd's parse.

pytest-bdd keeps neither comments nor our tag meanings, so the doc location
of every step (the ``# path:line`` comment right above it, see
:mod:`harness.gherkin`) is read here from the file's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_LOCATION = re.compile(r"^\s*#\s*(?P<path>\S+):(?P<line>\d+)\s*$")


@dataclass(frozen=True)
class DocLocation:
    path: str  # relative to the docs project root, e.g. source/reference/x.txt
    line: int


@lru_cache(maxsize=256)
def _lines(feature_file: str) -> tuple[str, ...]:
    return tuple(Path(feature_file).read_text(encoding="utf-8").splitlines())


def doc_location(feature_file: str, step_line: int) -> DocLocation | None:
    """The doc location written above the step at ``step_line`` (1-based), if any."""
    lines = _lines(feature_file)
    if not 2 <= step_line <= len(lines):
        return None
    match = _LOCATION.match(lines[step_line - 2])
    return DocLocation(match["path"], int(match["line"])) if match else None


def tag_values(tags: set[str] | frozenset[str], name: str) -> list[str]:
    """Values of ``name:value`` tags, sorted: ``tag_values({"id:a/b"}, "id") == ["a/b"]``."""
    prefix = f"{name}:"
    return sorted(tag[len(prefix) :] for tag in tags if tag.startswith(prefix))
