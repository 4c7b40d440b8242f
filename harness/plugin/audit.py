"""Audit the recordings: one per scenario, no credentials, true to the official spec.

What QA runs before trusting an offline suite (``docharness cassettes``), and
what the project's own tests run on ``cassettes/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.emulator.contract import load_spec, validate_interaction
from harness.gherkin import is_generated
from harness.plugin.cassettes import (
    REDACTED,
    SECRET_FIELDS,
    CassetteError,
    cassette_path,
    is_auth_path,
    load_interactions,
)

_ID_TAG = re.compile(r"(?:^|\s)@id:(\S+)")


@dataclass(frozen=True, order=True)
class Finding:
    """One problem with the recordings, anchored to a file (and an interaction, if any)."""

    path: str
    interaction: int  # 1-based; 0 for the file as a whole
    message: str

    def format(self) -> str:
        where = f" interaction {self.interaction}" if self.interaction else ""
        return f"{self.path}:{where} {self.message}"


def scenario_ids(features_dir: Path) -> list[str]:
    """The ``@id:`` of every scenario in the generated features under ``features_dir``."""
    ids = []
    for feature in sorted(features_dir.rglob("*.feature")):
        if is_generated(feature):
            ids += _ID_TAG.findall(feature.read_text(encoding="utf-8"))
    return ids


def _coverage(features_dir: Path, cassettes_dir: Path) -> Iterator[Finding]:
    expected = {cassette_path(cassettes_dir, i): i for i in scenario_ids(features_dir)}
    present = set(cassettes_dir.rglob("*.yaml")) if cassettes_dir.is_dir() else set()
    for path in sorted(set(expected) - present):
        yield Finding(str(path), 0, f"missing: no recording for scenario {expected[path]}")
    for path in sorted(present - set(expected)):
        yield Finding(str(path), 0, "orphan: no scenario in the features has this id")


def _secrets(payload: Any, where: str = "") -> Iterator[str]:
    """Where a credential field holds a value that is not a placeholder, at any depth."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            here = f"{where}.{key}" if where else str(key)
            if key in SECRET_FIELDS and isinstance(value, str) and value:
                if not value.startswith(REDACTED):
                    yield here
            else:
                yield from _secrets(value, here)
    elif isinstance(payload, list):
        for index, item in enumerate(payload):
            yield from _secrets(item, f"{where}[{index}]")


def _json(body: bytes | str | None) -> Any:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body or ""
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _credentials(path: Path, text: str) -> Iterator[Finding]:
    if "Bearer" in text or "uthorization" in text:
        yield Finding(str(path), 0, "holds an Authorization header or a bearer token")
    requests, responses = load_interactions(path)
    for number, (request, response) in enumerate(zip(requests, responses, strict=True), 1):
        sent = _json(request.body)
        if is_auth_path(request.path) and isinstance(sent, dict):
            kept = sorted(k for k, v in sent.items() if not str(v).startswith(REDACTED))
            if kept:
                yield Finding(str(path), number, f"a login body keeps {', '.join(kept)}")
        for field in _secrets(sent):
            yield Finding(str(path), number, f"a credential was recorded in the request ({field})")
        for field in _secrets(_json(response["body"]["string"])):
            yield Finding(str(path), number, f"a token was recorded in the answer ({field})")


def _contract(path: Path, spec_file: Path) -> Iterator[Finding]:
    spec = load_spec(spec_file)
    requests, responses = load_interactions(path)
    for number, (request, response) in enumerate(zip(requests, responses, strict=True), 1):
        headers = {k.lower(): str(v[0]) for k, v in response.get("headers", {}).items() if v}
        for problem in validate_interaction(
            spec,
            request.method,
            request.uri,
            response["status"]["code"],
            request.body or None,
            response["body"]["string"] or None,
            headers.get("content-type", "application/json"),
            response_headers=headers,
        ):
            yield Finding(str(path), number, f"{request.method} {request.path}: {problem}")


def audit(features_dir: Path, cassettes_dir: Path, spec_file: Path | None = None) -> list[Finding]:
    """Every problem found; an empty list means the recordings can be trusted."""
    findings = list(_coverage(features_dir, cassettes_dir))
    for path in sorted(cassettes_dir.rglob("*.yaml")) if cassettes_dir.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
            findings += _credentials(path, text)
            if spec_file is not None:
                findings += _contract(path, spec_file)
        except (CassetteError, OSError, UnicodeDecodeError) as error:
            findings.append(Finding(str(path), 0, str(error)))
    return sorted(findings)
