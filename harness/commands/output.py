"""Compare an answer with the output block a page shows after a command.

The page's output is an example: its placeholders (``<access_token>``) stand
for any value, and fields it leaves out may be there. What it does show
literally (a field's name, ``"state": "enabled"``) must be in the answer. Messages
name the JSON path and never repeat the answer's values (they may be tokens).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from harness.commands.jsonedit import parse_json_block
from harness.commands.placeholders import is_placeholder


def output_mismatches(
    shown: str, answer: Any, values: Mapping[str, str] | None = None
) -> list[str] | None:
    """How ``answer`` differs from the JSON output block ``shown``; None when it is not JSON."""
    block = parse_json_block(shown, values, keep_placeholders=True)
    if not block.parsed:
        return None
    return list(_compare(block.value, answer, "$"))


def _compare(shown: Any, answer: Any, where: str) -> Iterator[str]:
    if isinstance(shown, str) and is_placeholder(shown):
        return
    if shown == "true|false" and isinstance(answer, bool):
        return
    if isinstance(shown, dict):
        if not isinstance(answer, dict):
            yield f"{where}: the page shows an object, the answer has {_kind(answer)}"
            return
        for key, value in shown.items():
            if is_placeholder(key):
                continue
            if key not in answer:
                yield f"{where}.{key}: shown on the page, missing from the answer"
            else:
                yield from _compare(value, answer[key], f"{where}.{key}")
    elif isinstance(shown, list):
        if not isinstance(answer, list):
            yield f"{where}: the page shows a list, the answer has {_kind(answer)}"
            return
        for index, item in enumerate(shown):
            if not any(not list(_compare(item, candidate, where)) for candidate in answer):
                yield f"{where}[{index}]: no item of the answer matches the page's item"
    elif shown != answer or type(shown) is not type(answer):
        yield f"{where}: the page shows {shown!r}, the answer has another value"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else "a value"
