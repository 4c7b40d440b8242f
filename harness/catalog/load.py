"""Load catalog TOML files, with every mistake reported as ``file:line: message``."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from harness.catalog.model import Catalog, Precondition, Result, StepEntry

DEFAULT_CATALOG = "catalog.toml"

_STEP_KEYS = {
    "id",
    "kind",
    "labels",
    "verbs",
    "phrases",
    "context",
    "result",
    "operation",
    "args",
    "form",
    "stand_in",
    "claims",
    "why",
}
_PRECONDITION_KEYS = {"id", "applies_to", "text", "check", "args", "establish"}


class CatalogError(Exception):
    """A catalog file that cannot be used; the message starts with ``file:line:``."""


def default_catalog_text() -> tuple[str, str]:
    """The catalog shipped with docharness: (display name, TOML text)."""
    text = resources.files("harness.catalog").joinpath(DEFAULT_CATALOG).read_text("utf-8")
    return "harness/catalog/catalog.toml", text


def _line_of(text: str, entry_id: str) -> int:
    """The line of ``id = "<entry_id>"``: tomllib keeps no positions, so look it up."""
    match = re.search(rf'^\s*id\s*=\s*["\']{re.escape(entry_id)}["\']', text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise CatalogError(f"{where}: `{key}` must be a string or a list of strings")


def _pairs(value: Any, where: str, key: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        raise CatalogError(f'{where}: `{key}` must be a table such as {{ state = "" }}')
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def _step(raw: Mapping[str, Any], where: str, known_operations: frozenset[str] | None) -> StepEntry:
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    operation = str(raw.get("operation", ""))
    result_name = str(raw.get("result", "verified"))
    try:
        result = Result(result_name)
    except ValueError:
        raise CatalogError(
            f'{where}: `result` must be "verified" (with an operation) or "ui-only"'
        ) from None
    if result is Result.VERIFIED and not operation:
        raise CatalogError(f"{where}: a verified step needs an `operation`")
    if known_operations is not None and operation and operation not in known_operations:
        known = ", ".join(sorted(known_operations))
        raise CatalogError(f"{where}: unknown operation {operation!r}; known: {known}")
    kind = str(raw.get("kind", "action"))
    if kind not in ("action", "outcome"):
        raise CatalogError(f'{where}: `kind` must be "action" or "outcome"')
    try:
        phrases = tuple(
            re.compile(p, re.IGNORECASE) for p in _strings(raw.get("phrases", []), where, "phrases")
        )
    except re.error as error:
        raise CatalogError(f"{where}: bad phrase pattern: {error}") from None
    labels = raw.get("labels")
    return StepEntry(
        id=str(raw["id"]),
        source=where,
        result=result,
        kind=kind,
        labels=None if labels is None else frozenset(_strings(labels, where, "labels")),
        verbs=tuple(v.lower() for v in _strings(raw.get("verbs", []), where, "verbs")),
        phrases=phrases,
        context=frozenset(_strings(raw.get("context", []), where, "context")),
        operation=operation,
        args=_pairs(raw.get("args", {}), where, "args"),
        form=_pairs(raw.get("form", {}), where, "form"),
        stand_in=_pairs(raw.get("stand_in", {}), where, "stand_in"),
        claims=frozenset(c.lower() for c in _strings(raw.get("claims", []), where, "claims")),
        why=str(raw.get("why", "")),
    )


def _precondition(
    raw: Mapping[str, Any], where: str, known_operations: frozenset[str] | None
) -> Precondition:
    unknown = set(raw) - _PRECONDITION_KEYS
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("applies_to", "check"):
        if key not in raw:
            raise CatalogError(f"{where}: a precondition needs `{key}`")
    for key in ("check", "establish"):
        name = raw.get(key)
        if known_operations is not None and name and name not in known_operations:
            raise CatalogError(f"{where}: unknown operation {name!r} in `{key}`")
    return Precondition(
        id=str(raw["id"]),
        source=where,
        applies_to=frozenset(_strings(raw["applies_to"], where, "applies_to")),
        text=str(raw.get("text", raw["id"])),
        check=str(raw["check"]),
        args=_pairs(raw.get("args", {}), where, "args"),
        establish=str(raw.get("establish", "")),
    )


def parse_catalog(
    sources: Iterable[tuple[str, str]], known_operations: frozenset[str] | None = None
) -> Catalog:
    """Build one catalog from (name, TOML text) pairs; later files add to earlier ones.

    An id defined twice is an error, so that extending the catalog never silently
    replaces an entry.
    """
    steps: list[StepEntry] = []
    preconditions: list[Precondition] = []
    seen: dict[str, str] = {}
    names: list[str] = []
    claim_words: set[str] = set()
    for name, text in sources:
        names.append(name)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise CatalogError(f"{name}: {error}") from None
        unknown = set(data) - {"step", "precondition", "claims"}
        if unknown:
            raise CatalogError(f"{name}:1: unknown table(s) {', '.join(sorted(unknown))}")
        claims = data.get("claims", {})
        if not isinstance(claims, Mapping) or set(claims) - {"words"}:
            raise CatalogError(f"{name}:1: [claims] holds only `words`, a list of strings")
        claim_words.update(w.lower() for w in _strings(claims.get("words", []), name, "words"))
        for table in ("step", "precondition"):
            for index, raw in enumerate(data.get(table, [])):
                if "id" not in raw:
                    raise CatalogError(f"{name}: [[{table}]] number {index + 1} has no `id`")
                entry_id = str(raw["id"])
                where = f"{name}:{_line_of(text, entry_id)}"
                if entry_id in seen:
                    raise CatalogError(
                        f"{where}: id {entry_id!r} already defined at {seen[entry_id]}"
                    )
                seen[entry_id] = where
                if table == "step":
                    steps.append(_step(raw, where, known_operations))
                else:
                    preconditions.append(_precondition(raw, where, known_operations))
    for entry in steps:
        unknown_claims = entry.claims - claim_words
        if unknown_claims:
            raise CatalogError(
                f"{entry.source}: `claims` names {', '.join(sorted(unknown_claims))}, "
                "not in any [claims] words"
            )
    return Catalog(
        steps=tuple(steps),
        preconditions=tuple(preconditions),
        files=tuple(names),
        claim_words=frozenset(claim_words),
    )


def load_catalog(
    extra_files: Iterable[Path] = (), known_operations: frozenset[str] | None = None
) -> Catalog:
    """The shipped catalog plus the project's own files, in order."""
    sources = [default_catalog_text()]
    for path in extra_files:
        try:
            sources.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            raise CatalogError(f"{path}:1: cannot read catalog: {error}") from None
    return parse_catalog(sources, known_operations)
