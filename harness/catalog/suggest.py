"""Turn unbound steps into catalog entries a docs writer can paste, grouped by what they do.

Steps that share a kind, a resource, their UI labels and their verb become one
``[[step]]`` entry; each group lists the doc lines it covers. External steps get
no entry (the classification already explains them); steps no rule explains
are listed on their own, with what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from harness.catalog.classify import Classification, Rules, StepFacts, default_rules


@dataclass(frozen=True)
class Suggestion:
    """One group of unbound steps and the entry that would bind them ("" when none should)."""

    title: str
    locations: tuple[tuple[str, str], ...]  # (file:line, sentence)
    entry: str
    note: str = ""


def _verb(classification: Classification) -> str:
    """The verb the kind rule matched, when a verb decided it."""
    detail = next((e.detail for e in classification.evidence if e.field == "kind"), "")
    match = re.match(r"verb '([^']+)'", detail)
    return match.group(1).lower() if match else ""


def _slug(*parts: str) -> str:
    text = "-".join(p for p in parts if p)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48].strip("-") or "new-step"


def _toml_list(values: Iterable[str]) -> str:
    return (
        "["
        + ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "]"
    )


def _entry(
    entry_id: str,
    facts: StepFacts,
    classification: Classification,
    pages: set[str],
    rules: Rules,
) -> tuple[str, str]:
    """(TOML text, note) of the entry for a group represented by ``facts``."""
    lines = ["[[step]]", f'id = "{entry_id}"']
    if facts.kind != "action":
        lines.append(f'kind = "{facts.kind}"')
    lines.append(f"labels = {_toml_list(dict.fromkeys(facts.labels))}")
    verb = _verb(classification)
    if verb:
        lines.append(f"verbs = {_toml_list([verb])}")
    if not verb and not facts.labels:  # nothing else would keep the entry to this sentence
        start = re.escape(" ".join(facts.text.split()[:6]))
        lines.append(f"phrases = {_toml_list(['^' + start])}")
    if len(pages) == 1:
        lines.append(f"context = {_toml_list(['page:' + next(iter(pages))])}")
    if classification.kind == "navigation":
        lines += [
            'result = "ui-only"',
            'why = "Navigation: it opens a page, tab or menu and changes nothing in the app."',
        ]
        return "\n".join(lines), ""
    resource = rules.resource(classification.resource or "")
    read = f"{resource.read} ({resource.path})" if resource else "a read of the resource"
    lines += [
        'operation = "..."  # one that reads the change back',
        f'why = "{classification.kind} of {classification.resource}: read back with {read}"',
    ]
    note = (
        f"needs an operation that checks {classification.resource} through {read}; no catalog "
        "operation does yet, so the entry is commented out and the steps stay unbound"
    )
    return "\n".join("# " + line for line in lines), note


def suggest(
    unbound: Iterable[tuple[str, StepFacts, Classification]], rules: Rules | None = None
) -> list[Suggestion]:
    """Group unbound (location, facts, classification) into suggestions, biggest group first.

    Only navigation gets a complete entry (ui-only by rule). Any other kind needs
    an operation that reads its resource back; the entry names the spec's read and
    is left for the writer to finish, so that nothing becomes ui-only by accident.
    """
    rules = rules or default_rules()
    groups: dict[tuple[object, ...], list[tuple[str, StepFacts, Classification]]] = {}
    for location, facts, classification in unbound:
        if classification.external:
            key: tuple[object, ...] = ("external", classification.why("external"))
        elif not classification.classified:
            key = ("unclassified", location)
        else:
            key = (
                classification.kind,
                classification.resource,
                facts.kind,
                tuple(dict.fromkeys(facts.labels)),
                _verb(classification),
            )
            if not facts.labels:  # a verb alone is too common to share across pages
                key = (*key, facts.page)
            if not facts.labels and not _verb(classification):
                key = (*key, location)  # no label or verb to share: one entry per sentence
        groups.setdefault(key, []).append((location, facts, classification))
    found: list[Suggestion] = []
    used: set[str] = set()
    for key, members in sorted(groups.items(), key=lambda item: (-len(item[1]), str(item[0]))):
        locations = tuple(dict.fromkeys((loc, facts.text) for loc, facts, _ in members))
        _, facts, classification = members[0]
        if key[0] == "external":
            found.append(
                Suggestion(
                    f"external ({classification.external_reason}), by {key[1]}",
                    locations,
                    "",
                    "reported as external once the runner knows the status; no entry needed",
                )
            )
            continue
        if key[0] == "unclassified":
            found.append(
                Suggestion(
                    f"no rule explains this step (missing: {classification.missing})",
                    locations,
                    "",
                    "add a verb to harness/catalog/kinds.toml or a noun to "
                    "harness/catalog/resources.toml, or a [[step]] entry for this sentence",
                )
            )
            continue
        base = _slug(classification.resource or "ui", classification.kind or "", *facts.labels[:1])
        entry_id, number = base, 2
        while entry_id in used:
            entry_id, number = f"{base}-{number}", number + 1
        used.add(entry_id)
        pages = {f.page for _, f, _ in members if f.page}
        entry, note = _entry(entry_id, facts, classification, pages, rules)
        title = f"{classification.kind} of {classification.resource or 'the UI'}"
        found.append(
            Suggestion(
                f"{title} ({classification.interface or 'any interface'})", locations, entry, note
            )
        )
    return found


def render(suggestions: Iterable[Suggestion], catalog_file: str) -> str:
    """The suggestions as text: each group's lines as comments, then its entry."""
    out = [f"# Entries to paste into {catalog_file}", ""]
    for suggestion in suggestions:
        count = len(suggestion.locations)
        out.append(f"# {count} step{'s' if count != 1 else ''}: {suggestion.title}")
        out += [f"#   {loc}: {text[:100]}" for loc, text in suggestion.locations]
        if suggestion.note:
            out.append(f"#   {suggestion.note}")
        if suggestion.entry:
            out.append(suggestion.entry)
        out.append("")
    return "\n".join(out)
