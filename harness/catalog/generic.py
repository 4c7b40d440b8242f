"""Bind a classified step of a resource with fields (fields.toml) to a generic operation.

The catalog's own entries win; this is what binds the rest of a resource's steps,
so that a new page about values or functions needs no entry per sentence. Only
what the page gives is ever evidence: a form step without a value for a known
field is ui-only, and an observation or a resource without fields stays unbound.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from harness.catalog.classify import Classification, RulesError, default_rules
from harness.catalog.model import Result, StepEntry
from harness.catalog.sentence import Sentence

FIELDS_FILE = "harness/catalog/fields.toml"

# The generic operation of each kind (harness/plugin/resource_ops.py registers them).
OPERATION_OF_KIND = {
    "save": "resource_save",
    "create": "resource_save",
    "update": "resource_save",
    "deploy": "resource_deploy",
}


@dataclass(frozen=True)
class Field:
    name: str  # the API field
    labels: frozenset[str]  # lower-cased UI labels


@dataclass(frozen=True)
class ResourceFields:
    """How the UI's form for one resource maps to its Admin API fields (a fields.toml table)."""

    id: str
    source: str  # "harness/catalog/fields.toml:24", for messages
    api: str  # "" (and deployed, key) for a resource without fields: nothing is ever sent
    deployed: str
    key: str
    defaults: tuple[tuple[str, Any], ...]
    fields: tuple[Field, ...]

    def field_for(self, labels: tuple[str, ...]) -> Field | None:
        """The field one of the step's labels names (the first label that names one)."""
        for label in labels:
            found = next((f for f in self.fields if label.strip().lower() in f.labels), None)
            if found is not None:
                return found
        return None


def parse_fields(name: str, text: str) -> dict[str, ResourceFields]:
    """The [resource.<id>] tables of a fields file; RulesError names a bad one."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"{name}: {error}") from None
    found = {}
    for resource_id, raw in data.get("resource", {}).items():
        match = re.search(rf"^\[resource\.{re.escape(resource_id)}\]", text, re.MULTILINE)
        line = text.count("\n", 0, match.start()) + 1 if match else 1
        where = f"{name}:{line}"
        missing = [k for k in ("api", "deployed", "key") if not isinstance(raw.get(k), str)]
        if missing and raw.get("field"):
            raise RulesError(f"{where} ({resource_id}): needs {', '.join(missing)} (strings)")
        fields = []
        for field in raw.get("field", []):
            labels = field.get("labels", [])
            if not isinstance(field.get("name"), str) or not isinstance(labels, list):
                raise RulesError(f"{where} ({resource_id}): a field needs a name and labels")
            fields.append(Field(field["name"], frozenset(str(lb).lower() for lb in labels)))
        found[resource_id] = ResourceFields(
            id=resource_id,
            source=where,
            api=str(raw.get("api", "")),
            deployed=str(raw.get("deployed", "")),
            key=str(raw.get("key", "")),
            defaults=tuple(dict(raw.get("defaults", {})).items()),
            fields=tuple(fields),
        )
    return found


@functools.cache
def default_fields() -> dict[str, ResourceFields]:
    text = resources.files("harness.catalog").joinpath("fields.toml").read_text("utf-8")
    return parse_fields(FIELDS_FILE, text)


def _known_label(label: str, fields: ResourceFields) -> bool:
    """Whether a rules file names this UI label exactly: a field's label, a resource's
    label (resources.toml) or a button of a kind rule that is not a pattern ("Save").

    Kind rules also match patterns ("disable.*"); a label only such a pattern matches
    is a label docharness cannot vouch for, so the step stays unbound: renaming a
    button on the page then fails its line instead of passing as ui-only.
    """
    plain = label.strip().lower()
    if any(plain in field.labels for field in fields.fields):
        return True
    rules = default_rules()
    if any(plain in resource.labels for resource in rules.resources):
        return True
    return any(
        pattern.fullmatch(plain)
        for rule in rules.kinds
        for pattern in rule.labels
        if not re.search(r"\.[*+]", pattern.pattern)
    )


def generic_entry(
    found: Classification, sentence: Sentence, kind: str
) -> StepEntry | tuple[str, str, str] | None:
    """The generic entry for a classified step, ("ui-only", why, rule), or None (unbound).

    The entry is built for this one sentence: a form step's field and the literal
    it sets are fixed here, so the scenario enters exactly what the page says.
    """
    if found.resource is None or found.kind is None:
        return None
    fields = default_fields().get(found.resource)
    if fields is None:
        return None
    unknown = [label for label in sentence.labels if not _known_label(label, fields)]
    if unknown:
        return None  # a renamed button must fail, never pass as generic input
    why = f"resource {found.resource} ({found.why('resource')}), kind {found.kind}"
    if found.kind == "form":
        field = fields.field_for(sentence.labels)
        if field is None or len(sentence.literals) != 1:
            labels = ", ".join(repr(label) for label in sentence.labels) or "no label"
            reason = (
                f"form input the page gives no value to read back for ({labels}, "
                f"{len(sentence.literals)} literal(s); the fields are in {fields.source})"
                if fields.fields
                else f"form input of {found.resource}, whose fields docharness does not map "
                f"({fields.source}): nothing is sent or read back"
            )
            return "ui-only", reason, fields.source
        return StepEntry(
            id=f"generic-{found.resource}-{field.name}",
            source=fields.source,
            result=Result.UI_ONLY,
            form=((f"{found.resource}.{field.name}", "$literal1"),),
            why=f"sets {found.resource}.{field.name}; {why}.",
        )
    if found.kind == "observation":
        if kind == "outcome" or not sentence.literals or not fields.fields:
            return None  # a claim nothing here can compare stays unbound
        return StepEntry(
            id=f"generic-{found.resource}-observation",
            source=fields.source,
            result=Result.VERIFIED,
            operation="resource_observe",
            args=(("resource", found.resource), ("literals", json.dumps(sentence.literals))),
            why=why,
        )
    operation = OPERATION_OF_KIND.get(found.kind)
    if operation is None:
        return None
    return StepEntry(
        id=f"generic-{found.resource}-{found.kind}",
        source=fields.source,
        result=Result.VERIFIED,
        operation=operation,
        args=(("resource", found.resource),),
        why=why,
    )
