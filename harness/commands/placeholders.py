"""Placeholders in docs code (``<Project ID>``, ``{+app-id+}``, ``{{app_id}}``, ``$GROUP_ID``,
``{groupId}``) and filling them from the values of a run.

Which run value each spelling means is data (``placeholders.toml``), so a docs
writer can add a spelling without touching code.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

# Order matters: the more specific brace forms come before the plain {name}.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("snooty", re.compile(r"\{\+([\w-]+)\+\}")),
    ("mustache", re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")),
    ("brace", re.compile(r"(?<![{$])\{([A-Za-z_][\w-]*)\}(?!\})")),
    ("angle", re.compile(r"<([A-Za-z][^<>\n]{0,80})>")),
    ("env", re.compile(r"\$\{?([A-Z][A-Z0-9_]*)\}?")),
)


@dataclass(frozen=True)
class Placeholder:
    """One placeholder: how it is written, its name, and the run value it stands for."""

    text: str  # as written, e.g. "<Project ID>"
    name: str  # e.g. "Project ID"
    kind: str  # snooty | mustache | brace | angle | env
    key: str | None  # the run value, e.g. "groupId"; None when placeholders.toml does not know it
    line: int  # 0-based, within the code block
    column: int


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


@functools.cache
def _data() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("placeholders.toml").read_text("utf-8")
    return tomllib.loads(text)


@functools.cache
def _standins() -> dict[str, str]:
    return {
        _normal(name): json_text
        for json_text, names in _data()["json_standins"].items()
        for name in names
    }


def json_standin(placeholder: str) -> str:
    """The JSON text a reader would type for an unquoted ``<placeholder>`` with no run value."""
    name = placeholder[1:-1] if placeholder.startswith("<") else placeholder
    return _standins().get(_normal(name)) or json.dumps(placeholder)


@functools.cache
def _aliases() -> dict[str, str]:
    table = _data()["values"]
    found: dict[str, str] = {}
    for key, entry in table.items():
        for name in (key, *entry["names"]):
            if found.setdefault(_normal(name), key) != key:
                raise ValueError(f"placeholders.toml: {name!r} is listed for two values")
    return found


@functools.cache
def _choice_endings() -> tuple[str, ...]:
    return tuple(_normal(ending) for ending in _data()["reader_choices"]["endings"])


def reader_choice(placeholder: Placeholder) -> bool:
    """Whether the page leaves this placeholder's value to the reader (placeholders.toml
    [reader_choices]): no run value stands for it and its name ends like a chosen value."""
    if placeholder.key is not None:
        return False
    name = _normal(re.sub(r"\([^()]*\)", " ", placeholder.name))
    if not name or re.search(r"\bids?$", name):
        return False
    return any(name == e or name.endswith(f" {e}") for e in _choice_endings())


def value_key(name: str) -> str | None:
    """The run value a placeholder name stands for, or None."""
    return _aliases().get(_normal(name))


def find_placeholders(text: str) -> list[Placeholder]:
    """Every placeholder in ``text``, in order, each counted once."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Placeholder]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            line = text.count("\n", 0, span[0])
            column = span[0] - (text.rfind("\n", 0, span[0]) + 1)
            name = match.group(1).strip()
            found.append(
                (span[0], Placeholder(match.group(), name, kind, value_key(name), line, column))
            )
    return [placeholder for _, placeholder in sorted(found, key=lambda item: item[0])]


def fill(text: str, values: Mapping[str, str]) -> tuple[str, tuple[Placeholder, ...]]:
    """``text`` with every placeholder whose run value is in ``values`` replaced.

    Returns the filled text and the placeholders left unfilled.
    """
    placeholders = find_placeholders(text)
    left: list[Placeholder] = []
    out: list[str] = []
    cursor = 0
    offsets = _line_offsets(text)
    for placeholder in placeholders:
        start = offsets[placeholder.line] + placeholder.column
        value = values.get(placeholder.key) if placeholder.key else None
        if value is None:
            left.append(placeholder)
            continue
        out.append(text[cursor:start])
        out.append(value)
        cursor = start + len(placeholder.text)
    out.append(text[cursor:])
    return "".join(out), tuple(left)


def is_placeholder(segment: str) -> bool:
    """True when ``segment`` is one placeholder and nothing else (a path segment, a value)."""
    found = find_placeholders(segment)
    return len(found) == 1 and found[0].text == segment


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for index, char in enumerate(text):
        if char == "\n":
            offsets.append(index + 1)
    return offsets
