"""Reading the Admin API's OpenAPI document, once per file, for every part that needs it.

The emulator validates its answers against it and the commands library matches
documented requests to its operations; both read the same YAML the same way.

Parsing the YAML takes a few tenths of a second, paid by every run that starts the
emulator and every extraction that lints a curl command. So a spec may have a parsed
copy beside it (``admin-v3.json`` for ``admin-v3.yaml``: the document as JSON, with the
SHA-256 of the YAML it came from); it is used only while that digest matches, so an
edited YAML is read as YAML until ``python -m harness.openapi SPEC.yaml`` writes the
copy again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml


class SpecError(Exception):
    """The spec file cannot be read, or a deviation no longer fits it; the message names it."""


@functools.lru_cache(maxsize=4)
def read_spec_document(source: Path) -> dict[str, Any]:
    """The parsed spec at ``source``; callers must not change it (it is shared)."""
    try:
        data = source.read_bytes()
    except OSError as error:
        raise SpecError(f"{source}: cannot read the OpenAPI spec: {error.strerror}") from None
    copied = _parsed_copy(source, data)
    return copied if copied is not None else _parse(source)


def _parse(source: Path) -> dict[str, Any]:
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


def parsed_copy_path(source: Path) -> Path:
    return source.with_suffix(".json")


def _parsed_copy(source: Path, data: bytes) -> dict[str, Any] | None:
    """The document from the parsed copy beside ``source``, if it was made from these bytes."""
    try:
        copy = json.loads(parsed_copy_path(source).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(copy, dict) or copy.get("sha256") != hashlib.sha256(data).hexdigest():
        return None
    document = copy.get("document")
    return document if isinstance(document, dict) else None


def write_parsed_copy(source: Path) -> Path:
    """Write the parsed copy of the YAML spec at ``source`` (read as YAML); its path."""
    data = source.read_bytes()
    copy = {"sha256": hashlib.sha256(data).hexdigest(), "document": _parse(source)}
    target = parsed_copy_path(source)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(copy, separators=(",", ":")) + "\n", encoding="utf-8")
    partial.replace(target)
    return target


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


if __name__ == "__main__":  # python -m harness.openapi SPEC.yaml...: write the parsed copies
    for name in sys.argv[1:]:
        try:
            print(write_parsed_copy(Path(name)))
        except (OSError, SpecError) as error:
            sys.exit(f"{name}: {error}")
