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
    "delete": "resource_delete",
}


@dataclass(frozen=True)
class Field:
    name: str  # the API field; dotted for a nested one ("config.useJWKURI")
    labels: frozenset[str]  # lower-cased UI labels
    # The UI's option wording (lower-cased) and the API value it stands for: a page
    # that tells the reader to choose that option ("select the API Keys provider")
    # sets the field to that value.
    options: tuple[tuple[str, Any], ...] = ()
    also: tuple[str, ...] = ()  # fields an option sets to the same value (a provider's name)


@dataclass(frozen=True)
class Toggle:
    """A switch of the UI: its labels, the API field it sets, and the values for on and off
    (``on = false`` for a field such as ``disabled``)."""

    labels: frozenset[str]
    field: str
    on: Any
    off: Any


@dataclass(frozen=True)
class ResourceFields:
    """How the UI's form for one resource maps to its Admin API fields (a fields.toml table)."""

    id: str
    source: str  # "harness/catalog/fields.toml:24", for messages
    api: str  # "" (and deployed, key) for a resource without fields: nothing is ever sent
    deployed: str
    key: str  # "" for a singleton (hosting, custom user data): there is one of it
    defaults: tuple[tuple[str, Any], ...]
    fields: tuple[Field, ...]
    toggles: tuple[Toggle, ...] = ()
    drafted: bool = True  # False: it changes at once, outside drafts (secrets)
    singleton: bool = False
    linked: str = ""  # a field that takes the id of the app's linked data source (a stand-in)

    @property
    def deletable(self) -> bool:
        """Whether a delete step can delete an item of it: a collection with a key."""
        return bool(self.api and self.key) and not self.singleton

    @property
    def mapped(self) -> bool:
        """Whether anything the page says can set a field of it."""
        return bool(self.fields or self.toggles)

    def field_for(self, labels: tuple[str, ...]) -> Field | None:
        """The field one of the step's labels names (the first label that names one)."""
        for label in labels:
            found = next((f for f in self.fields if label.strip().lower() in f.labels), None)
            if found is not None:
                return found
        return None

    def typed(self, name: str) -> bool:
        """Whether the field's values are JSON (booleans, numbers), not text."""
        values = [v for f in self.fields if name in (f.name, *f.also) for _, v in f.options]
        values += [v for t in self.toggles if t.field == name for v in (t.on, t.off)]
        values += [v for n, v in self.defaults if n == name]
        return any(not isinstance(v, str) for v in values)

    def decode(self, name: str, text: str) -> Any:
        """A form value (text, as the scenario's form holds it) as the API takes it."""
        return json.loads(text) if self.typed(name) else text


@dataclass(frozen=True)
class States:
    """How a sentence says a toggle's state (fields.toml [states]): patterns over its text."""

    on: tuple[re.Pattern[str], ...] = ()
    off: tuple[re.Pattern[str], ...] = ()

    def of(self, text: str) -> bool | None:
        """True (on), False (off), or None when the sentence says neither or both."""
        on = any(p.search(text) for p in self.on)
        off = any(p.search(text) for p in self.off)
        return on if on != off else None


@dataclass(frozen=True)
class SaveFirst:
    """A deploy sentence that also saves the form (fields.toml [[save_first]]), and the
    state it turns the resource's one toggle to ("enable it and then deploy"), if any."""

    pattern: re.Pattern[str]
    state: bool | None = None


def encode(value: Any) -> str:
    """An API value as the scenario's form holds it: text as is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _table(raw: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: {what} must be a table")
    return raw


def _parse_resource(resource_id: str, raw: dict[str, Any], where: str) -> ResourceFields:
    mapped = raw.get("field") or raw.get("toggle")
    needed = ("api", "deployed") if raw.get("singleton") else ("api", "deployed", "key")
    missing = [k for k in needed if not isinstance(raw.get(k), str)]
    if missing and mapped:
        raise RulesError(f"{where} ({resource_id}): needs {', '.join(missing)} (strings)")
    fields = []
    for field in raw.get("field", []):
        labels = field.get("labels", [])
        if not isinstance(field.get("name"), str) or not isinstance(labels, list):
            raise RulesError(f"{where} ({resource_id}): a field needs a name and labels")
        options = _table(field.get("options", {}), where, f"{resource_id}.{field['name']} options")
        fields.append(
            Field(
                field["name"],
                frozenset(str(lb).lower() for lb in labels),
                tuple((str(k).lower(), v) for k, v in options.items()),
                tuple(str(a) for a in field.get("also", [])),
            )
        )
    toggles = []
    for toggle in raw.get("toggle", []):
        if not isinstance(toggle.get("field"), str) or "on" not in toggle or "off" not in toggle:
            raise RulesError(f"{where} ({resource_id}): a toggle needs labels, field, on and off")
        labels = frozenset(str(lb).lower() for lb in toggle.get("labels", []))
        toggles.append(Toggle(labels, toggle["field"], toggle["on"], toggle["off"]))
    return ResourceFields(
        id=resource_id,
        source=where,
        api=str(raw.get("api", "")),
        deployed=str(raw.get("deployed", "")),
        key=str(raw.get("key", "")),
        defaults=tuple(dict(raw.get("defaults", {})).items()),
        fields=tuple(fields),
        toggles=tuple(toggles),
        drafted=bool(raw.get("drafted", True)),
        singleton=bool(raw.get("singleton", False)),
        linked=str(raw.get("linked", "")),
    )


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
        found[resource_id] = _parse_resource(resource_id, raw, f"{name}:{line}")
    return found


def parse_states(name: str, text: str) -> States:
    """The [states] table: regular expressions that say a toggle is turned on or off."""
    raw = tomllib.loads(text).get("states", {})
    try:
        return States(
            tuple(re.compile(p, re.IGNORECASE) for p in raw.get("on", [])),
            tuple(re.compile(p, re.IGNORECASE) for p in raw.get("off", [])),
        )
    except re.error as error:
        raise RulesError(f"{name} [states]: {error}") from None


def parse_save_first(name: str, text: str) -> tuple[SaveFirst, ...]:
    """The [[save_first]] tables: deploy sentences that save the pending change first."""
    found = []
    for raw in tomllib.loads(text).get("save_first", []):
        state = raw.get("state")
        if not isinstance(raw.get("pattern"), str) or state not in (None, "on", "off"):
            raise RulesError(f"{name} [[save_first]]: needs a pattern, and a state on or off")
        try:
            pattern = re.compile(raw["pattern"], re.IGNORECASE)
        except re.error as error:
            raise RulesError(f"{name} [[save_first]]: {error}") from None
        found.append(SaveFirst(pattern, None if state is None else state == "on"))
    return tuple(found)


def _text() -> str:
    return resources.files("harness.catalog").joinpath("fields.toml").read_text("utf-8")


@functools.cache
def default_states() -> States:
    return parse_states(FIELDS_FILE, _text())


@functools.cache
def default_save_first() -> tuple[SaveFirst, ...]:
    return parse_save_first(FIELDS_FILE, _text())


@functools.cache
def default_fields() -> dict[str, ResourceFields]:
    return parse_fields(FIELDS_FILE, _text())


def _known_label(label: str, fields: ResourceFields) -> bool:
    """Whether a rules file names this UI label exactly: a field's label or option, a
    toggle of the resource, a toggle state ("On"), a resource's label
    (resources.toml) or a button of a kind rule that is not a pattern ("Save").

    Kind rules also match patterns ("disable.*"); a label only such a pattern matches
    is a label docharness cannot vouch for, so the step stays unbound: renaming a
    button on the page then fails its line instead of passing as ui-only.
    """
    plain = label.strip().lower()
    if any(plain in field.labels or plain in dict(field.options) for field in fields.fields):
        return True
    if any(plain in t.labels for t in fields.toggles):
        return True
    if default_states().of(f'"{label.strip()}"') is not None:
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


def _settings(fields: ResourceFields, sentence: Sentence) -> list[tuple[str, Any]] | str:
    """The fields a form step sets by a toggle or an option the page names, or why not."""
    labels = [label.strip().lower() for label in sentence.labels]
    found: list[tuple[str, Any]] = []
    for toggle in fields.toggles:
        named = next((label for label in labels if label in toggle.labels), None)
        if named is None:
            continue
        state = default_states().of(sentence.text)
        if state is None:
            return (
                f"the page names the {named!r} toggle of {fields.id} but not whether to turn it "
                f"on or off ({fields.source}, [states])"
            )
        found.append((toggle.field, toggle.on if state else toggle.off))
    for field in fields.fields:
        options = dict(field.options)
        chosen = next((options[label] for label in labels if label in options), None)
        if chosen is not None:
            found += [(name, chosen) for name in (field.name, *field.also)]
    return found


def _form_entry(
    found: Classification, fields: ResourceFields, sentence: Sentence, why: str
) -> StepEntry | tuple[str, str, str]:
    """A form step: the toggles and options it names, else the one literal it enters."""
    settings = _settings(fields, sentence)
    if isinstance(settings, str):
        return "ui-only", settings, fields.source
    if settings:
        shown = ", ".join(f"{fields.id}.{name} = {json.dumps(value)}" for name, value in settings)
        return StepEntry(
            id=f"generic-{fields.id}-{'-'.join(name for name, _ in settings)}",
            source=fields.source,
            result=Result.UI_ONLY,
            args=(("resource", fields.id),),
            form=tuple((f"{fields.id}.{name}", encode(value)) for name, value in settings),
            why=f"sets {shown} (the option or toggle state the page names); {why}.",
        )
    field = fields.field_for(sentence.labels)
    if field is not None and len(sentence.literals) == 1 and fields.typed(field.name):
        try:
            json.loads(sentence.literals[0])
        except ValueError:
            reason = (
                f"the page sets {fields.id}.{field.name} to `{sentence.literals[0]}`, which is "
                f"not a value of that field (JSON: true, false, a number; {fields.source})"
            )
            return "ui-only", reason, fields.source
    if field is None or len(sentence.literals) != 1:
        labels = ", ".join(repr(label) for label in sentence.labels) or "no label"
        reason = (
            f"form input the page gives no value to read back for ({labels}, "
            f"{len(sentence.literals)} literal(s); the fields are in {fields.source})"
            if fields.mapped
            else f"form input of {found.resource}, whose fields docharness does not map "
            f"({fields.source}): nothing is sent or read back"
        )
        return "ui-only", reason, fields.source
    return StepEntry(
        id=f"generic-{fields.id}-{field.name}",
        source=fields.source,
        result=Result.UI_ONLY,
        args=(("resource", fields.id),),
        form=((f"{fields.id}.{field.name}", "$literal1"),),
        why=f"sets {fields.id}.{field.name}; {why}.",
    )


def _save_first(
    found: Classification, fields: ResourceFields, sentence: Sentence, why: str
) -> StepEntry | None:
    """A deploy step whose sentence also saves (fields.toml [[save_first]]): it saves the
    pending change of its resource, with the toggle state the sentence names, then deploys."""
    rule = next((r for r in default_save_first() if r.pattern.search(sentence.text)), None)
    if rule is None:
        return None
    form: tuple[tuple[str, str], ...] = ()
    if rule.state is not None and len(fields.toggles) == 1:
        toggle = fields.toggles[0]
        value = toggle.on if rule.state else toggle.off
        form = ((f"{fields.id}.{toggle.field}", encode(value)),)
    return StepEntry(
        id=f"generic-{fields.id}-save-deploy",
        source=fields.source,
        result=Result.VERIFIED,
        operation="resource_save_deploy",
        args=(("resource", fields.id),),
        form=form,
        why=f"{why}; the sentence saves before it deploys ({FIELDS_FILE} [[save_first]])",
    )


def generic_entry(
    found: Classification, sentence: Sentence, kind: str
) -> StepEntry | tuple[str, str, str] | None:
    """The generic entry for a classified step, ("ui-only", why, rule), or None (unbound).

    The entry is built for this one sentence: a form step's field and the value
    it sets (a literal, an option or a toggle state the page names) are fixed here,
    so the scenario enters exactly what the page says.
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
        return _form_entry(found, fields, sentence, why)
    if found.kind == "observation":
        if kind == "outcome" or not sentence.literals or not fields.mapped:
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
    if operation is None or (operation == "resource_delete" and not fields.deletable):
        return None
    if operation == "resource_deploy" and fields.mapped:
        saving = _save_first(found, fields, sentence, why)
        if saving is not None:
            return saving
    settings = _settings(fields, sentence) if operation == "resource_save" else []
    if settings and found.kind != "save":
        return _form_entry(found, fields, sentence, why)  # "disable "X"" sets a toggle
    # A save that names a toggle state or option ("turn it off and click Save") sets it too.
    form = (
        ()
        if isinstance(settings, str)
        else tuple((f"{fields.id}.{name}", encode(value)) for name, value in settings)
    )
    return StepEntry(
        id=f"generic-{found.resource}-{found.kind}",
        source=fields.source,
        result=Result.VERIFIED,
        operation=operation,
        args=(("resource", found.resource),),
        form=form,
        why=why,
    )
