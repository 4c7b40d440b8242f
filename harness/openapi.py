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
