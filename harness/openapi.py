"""Reading the Admin API's OpenAPI document, once per file, for every part that needs it.

The emulator validates its answers against it and the commands library matches
documented requests to its operations; both read the same YAML the same way.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml


class SpecError(Exception):
    """The spec file cannot be read, or a deviation no longer fits it; the message names it."""


@functools.lru_cache(maxsize=4)
def read_spec_document(source: Path) -> dict[str, Any]:
    """The parsed spec at ``source``; callers must not change it (it is shared)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with source.open(encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=loader)
    except OSError as error:
        raise SpecError(f"{source}: cannot read the OpenAPI spec: {error.strerror}") from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 0
        raise SpecError(f"{source}:{line}: not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise SpecError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecError(f"{source}: not an OpenAPI document (no 'paths')")
    for item in document["paths"].values():
        for operation in item.values() if isinstance(item, dict) else ():
            if isinstance(operation, dict) and isinstance(operation.get("responses"), dict):
                # YAML reads `200:` as a number; OpenAPI status keys are strings ("4XX" too).
                operation["responses"] = {str(k): v for k, v in operation["responses"].items()}
    return document


def admin_spec_path() -> Path:
    """The copy of the Admin API spec the emulator serves, which a run checks requests with."""
    from harness.emulator.openapi import SPEC_PATH  # the emulator owns its copy

    return SPEC_PATH


def exchange_problems(
    method: str, path: str, status: int, request_body: str | None, response_body: str | None
) -> list[str]:
    """Problems of one JSON exchange with the Admin API against the spec the emulator serves,
    as corrected by ``harness/emulator/deviations.py`` (the one list); empty when it conforms.

    The same check the emulator's answers and the recordings' audit pass, so a step that
    runs a page's request holds its answer to the spec in replay as live. ``path`` is
    relative to the API base (a query string allowed); values are never repeated.
    """
    from harness.emulator.contract import load_spec, validate_interaction

    spec = load_spec(admin_spec_path())
    return validate_interaction(
        spec, method, path, status, request_body, response_body, "application/json"
    )
