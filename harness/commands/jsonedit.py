"""JSON blocks shown in CLI steps, and applying them as edits to a pulled configuration.

A step like "add the following to ``sync/config.json``" shows a JSON object,
often with ``...`` for the parts that stay as they are and placeholders for
the reader's values. ``parse_json_block`` reads it as the reader would fill it
in; ``apply_edit`` merges it into the pulled configuration files, the way the
reader's editor would leave the file before ``push``.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from harness.commands.placeholders import fill, json_standin

_ELLIPSIS_LINE = re.compile(r"^\s*(\.\.\.|…)\s*,?\s*$", re.MULTILINE)
_ELLIPSIS_ITEM = re.compile(r",\s*(\.\.\.|…)\s*(?=[\]}])|(?<=[\[{])\s*(\.\.\.|…)\s*,?")
_TRAILING_COMMA = re.compile(r",(\s*[\]}])")
_VALUE_PLACEHOLDER = re.compile(r"<[A-Za-z][^<>\n]{0,80}>|\btrue\|false\b")
_OBJECT_PLACEHOLDER = re.compile(r"\{\s*<[A-Za-z][^<>\n]{0,80}>\s*\}")  # { <JSON Expression> }
_CHOICE_PLACEHOLDER = re.compile(r'<\s*("[^"\n]*")(?:\s*\|\s*"[^"\n]*")+\s*>')  # <"a" | "b">


class EditError(ValueError):
    """An edit that cannot be applied: a file name that leaves the app directory, a non-object."""


@dataclass(frozen=True)
class JsonBlock:
    """A parsed JSON block, or where and why it does not parse (0-based line within the block)."""

    value: Any
    error: str | None
    line: int
    column: int
    fragment: bool = False  # members shown without their braces ("hosting": {...})

    @property
    def parsed(self) -> bool:
        return self.error is None


def parse_json_block(
    text: str, values: Mapping[str, str] | None = None, *, keep_placeholders: bool = False
) -> JsonBlock:
    """``text`` as JSON once placeholders are filled and ``...`` (the unchanged rest) is left out.

    A placeholder with a run value gets it. One without stays as written
    inside a string; where a JSON value goes it gets a value of the type it
    names (``<Boolean>`` -> ``true``, see ``placeholders.toml``). Members shown
    without their braces (``"hosting": {...}``) are read as an object. Comments
    and other non-JSON stay errors: the reader could not paste them either.
    With ``keep_placeholders`` every placeholder becomes a string of itself
    instead (to compare a shown output with an answer, any value matching it).
    """
    filled, _ = fill(text, values or {})
    filled = _fill_value_placeholders(filled, json.dumps if keep_placeholders else json_standin)
    # Lines keep their place (an ellipsis line becomes empty), so an error's line is the doc's.
    cleaned = _ELLIPSIS_ITEM.sub("", _ELLIPSIS_LINE.sub("", filled))
    if cleaned != filled:  # a comma that stood before the left-out rest
        cleaned = _TRAILING_COMMA.sub(r"\1", cleaned)
    try:
        return JsonBlock(json.loads(cleaned), None, 0, 0)
    except json.JSONDecodeError as error:
        if cleaned.lstrip().startswith('"'):
            try:
                return JsonBlock(json.loads("{" + cleaned + "}"), None, 0, 0, fragment=True)
            except json.JSONDecodeError:
                pass
        return JsonBlock(None, error.msg, error.lineno - 1, error.colno - 1)


def _fill_value_placeholders(text: str, standin: Callable[[str], str]) -> str:
    """``text`` with each ``<placeholder>`` or ``true|false`` outside a JSON string filled."""
    out: list[str] = []
    in_string = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[index + 1 : index + 2])
                index += 1
            elif char == '"':
                in_string = False
        elif match := _OBJECT_PLACEHOLDER.match(text, index):
            inner = match.group().strip("{} \t\n")
            out.append(standin(inner) if standin is json.dumps else "{}")
            index = match.end()
            continue
        elif match := _CHOICE_PLACEHOLDER.match(text, index):
            out.append(match.group(1))  # the first choice
            index = match.end()
            continue
        elif char == '"':
            in_string = True
            out.append(char)
        elif match := _VALUE_PLACEHOLDER.match(text, index):
            out.append(standin(match.group()))
            index = match.end()
            continue
        else:
            out.append(char)
        index += 1
    return "".join(out)


def config_file(name: str) -> str:
    """A config file name as written in a doc (``/sync/config.json``), checked and normalised.

    It must stay inside the app directory: no absolute drive, no ``..``.
    """
    path = PurePosixPath(name.strip().replace("\\", "/").lstrip("/"))
    if not path.parts or ".." in path.parts or path.suffix != ".json":
        raise EditError(f"{name!r} is not a JSON file inside the app directory")
    return path.as_posix()


def merge(base: Any, edit: Any) -> Any:
    """``edit`` merged into ``base``: objects key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(edit, dict):
        merged = dict(base)
        for key, value in edit.items():
            merged[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(edit)


def apply_edit(tree: Mapping[str, Any], name: str, edit: Any) -> dict[str, Any]:
    """A new configuration tree (file name -> JSON) with ``edit`` merged into file ``name``.

    The file is created when the pull did not have it (a step that adds a new
    rule file). ``tree`` itself is left unchanged.
    """
    file = config_file(name)
    updated = {key: copy.deepcopy(value) for key, value in tree.items()}
    updated[file] = merge(tree[file], edit) if file in tree else copy.deepcopy(edit)
    return updated


@dataclass(frozen=True)
class _FileEntry:
    pattern: re.Pattern[str]
    at: tuple[str | dict[str, str], ...]
    item: str = ""  # a list file: the edit is one item, picked by its own field of this name
    new_needs: tuple[str, ...] = ()  # fields a new item must have, kept in other files


@dataclass(frozen=True)
class _ProseName:
    says: tuple[str, ...]
    file: str


@functools.cache
def _config_files() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("config_files.toml").read_text("utf-8")
    return tomllib.loads(text)


@functools.cache
def _file_entries() -> tuple[_FileEntry, ...]:
    entries = []
    for entry in _config_files()["file"]:
        parts = re.split(r"(\{\w+\})", entry["pattern"])
        regex = "".join(
            f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
        )
        entries.append(
            _FileEntry(
                re.compile(regex),
                tuple(entry["at"]),
                entry.get("item", ""),
                tuple(entry.get("new_needs", ())),
            )
        )
    return tuple(entries)


def locate(name: str, edit: Any = None) -> tuple[str | dict[str, str], ...] | None:
    """Where config file ``name`` sits in the pull document (see ``config_files.toml``).

    For a list file (``functions/config.json``) the item is the one ``edit`` names by
    its own field; without ``edit``, the list itself.
    """
    file = config_file(name)
    for entry in _file_entries():
        match = entry.pattern.fullmatch(file)
        if match:
            parts = match.groupdict()
            steps = tuple(
                step.format_map(parts)
                if isinstance(step, str)
                else {key: value.format_map(parts) for key, value in step.items()}
                for step in entry.at
            )
            if entry.item and edit is not None:
                key = edit.get(entry.item) if isinstance(edit, Mapping) else None
                if not isinstance(key, str) or not key:
                    raise EditError(
                        f"{file} holds a list: the JSON must name its item by"
                        f" {entry.item!r} to be added or changed"
                    )
                steps += ({entry.item: key},)
            return steps
    return None


def new_item_lacks(pulled: Mapping[str, Any], name: str, edit: Any) -> tuple[str, ...]:
    """The fields an item new to a list file needs and ``edit`` does not give (a function's
    ``source`` lives in its own .js file); empty when the item exists or needs nothing."""
    file = config_file(name)
    entry = next((e for e in _file_entries() if e.pattern.fullmatch(file)), None)
    if entry is None or not entry.new_needs or not isinstance(edit, Mapping):
        return ()
    steps = locate(name, edit) or ()
    node: Any = pulled
    for step in steps:
        if isinstance(step, str):
            node = node.get(step) if isinstance(node, Mapping) else None
        else:
            items = node if isinstance(node, list) else []
            node = next((i for i in items if all(_get(i, k) == v for k, v in step.items())), None)
    if node is not None:
        return ()
    return tuple(field for field in entry.new_needs if field not in edit)


def named_in_prose(text: str, edit: Any) -> str | None:
    """The config file a step's prose means without naming it ("the trigger json
    definition"), with the JSON's own fields filled in (``config_files.toml`` [[prose]])."""
    folded = " ".join(text.casefold().split())
    for entry in _prose_names():
        if any(phrase in folded for phrase in entry.says) and isinstance(edit, Mapping):
            try:
                return entry.file.format_map({k: v for k, v in edit.items() if isinstance(v, str)})
            except KeyError:
                continue  # the JSON lacks the field the file is named by
    return None


@functools.cache
def _prose_names() -> tuple[_ProseName, ...]:
    return tuple(
        _ProseName(tuple(" ".join(p.casefold().split()) for p in entry["says"]), entry["file"])
        for entry in _config_files().get("prose", ())
    )


def apply_to_pull(pulled: Mapping[str, Any], name: str, edit: Any) -> dict[str, Any]:
    """A new pull document with ``edit`` merged where config file ``name`` sits in it.

    ``pulled`` is what GET .../pull answered; the result is what to PATCH to .../push.
    """
    steps = locate(name, edit)
    if steps is None:
        raise EditError(
            f"{name!r} has no place in the pulled configuration that docharness knows"
            " (harness/commands/config_files.toml)"
        )
    result = _apply(copy.deepcopy(dict(pulled)), steps, edit)
    assert isinstance(result, dict)
    return result


def _apply(node: Any, steps: tuple[str | dict[str, str], ...], edit: Any) -> Any:
    if not steps:
        return copy.deepcopy(edit) if node is None else merge(node, edit)
    step, rest = steps[0], steps[1:]
    if isinstance(step, str):
        base = dict(node) if isinstance(node, dict) else {}
        base[step] = _apply(base.get(step), rest, edit)
        return base
    items = list(node) if isinstance(node, list) else []
    for index, item in enumerate(items):
        if isinstance(item, dict) and all(_get(item, k) == v for k, v in step.items()):
            items[index] = _apply(item, rest, edit)
            return items
    created: dict[str, Any] = {}
    for key, value in step.items():
        _put(created, key, value)
    items.append(_apply(created, rest, edit))
    return items


def _get(item: Mapping[str, Any], dotted: str) -> Any:
    node: Any = item
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _put(item: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        item = item.setdefault(key, {})
    item[last] = value
