"""Bind a step sentence to exactly one catalog entry, or say why none fits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.catalog.classify import StepFacts, classify, default_rules
from harness.catalog.generic import default_fields, generic_entry
from harness.catalog.model import Catalog, StepEntry
from harness.catalog.sentence import Sentence


@dataclass(frozen=True)
class Bound:
    entry: StepEntry
    sentence: Sentence


@dataclass(frozen=True)
class Unbound:
    sentence: Sentence
    kind: str
    reason: str
    claimed: frozenset[str] = frozenset()  # claim words an entry for it must check
    matched: bool = False  # some entry matched (a claim it does not check, or a tie)

    def suggestion(self) -> str:
        """A ``[[step]]`` table to paste into a catalog file, filled from the sentence."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.sentence.text.lower()).strip("-")[:40].strip("-")
        lines = ["[[step]]", f'id = "{slug or "new-step"}"']
        if self.kind != "action":
            lines.append(f'kind = "{self.kind}"')
        if self.sentence.labels:
            labels = ", ".join(f'"{label}"' for label in dict.fromkeys(self.sentence.labels))
            lines.append(f"labels = [{labels}]")
        if self.claimed:
            claims = ", ".join(f'"{word}"' for word in sorted(self.claimed))
            lines.append(f"claims = [{claims}]")
        lines += ['result = "ui-only"  # or: operation = "..."', 'why = "..."']
        return "\n".join(lines)


def _matches(entry: StepEntry, sentence: Sentence, kind: str, tags: frozenset[str]) -> bool:
    if entry.kind != kind or not entry.context <= tags:
        return False
    if entry.labels is not None and frozenset(sentence.labels) != entry.labels:
        return False
    plain = sentence.plain
    if entry.verbs and not any(re.search(rf"\b{re.escape(v)}\b", plain) for v in entry.verbs):
        return False
    return all(p.search(sentence.text) for p in entry.phrases)


def claimed_words(catalog: Catalog, sentence: Sentence) -> frozenset[str]:
    """The catalog's claim words (negations, states) that the sentence uses."""
    plain = sentence.plain
    return frozenset(
        word for word in catalog.claim_words if re.search(rf"\b{re.escape(word)}\b", plain)
    )


def bind(
    catalog: Catalog, text: str, kind: str, tags: frozenset[str] = frozenset()
) -> Bound | Unbound:
    """The single most specific entry matching ``text`` in a scenario with ``tags``.

    An outcome binds only to an entry that checks every claim word it uses:
    "not terminated" or "paused" is never verified by an entry that checks
    "terminated". A tie is reported as unbound, never settled silently.
    """
    sentence = Sentence.parse(text)
    matching = [e for e in catalog.steps if _matches(e, sentence, kind, tags)]
    claimed = claimed_words(catalog, sentence) if kind == "outcome" else frozenset()
    candidates = [e for e in matching if claimed <= e.claims]
    if matching and not candidates:
        unchecked = sorted(claimed - matching[0].claims)
        words = ", ".join(f'"{w}"' for w in unchecked)
        return Unbound(
            sentence,
            kind,
            f"the {kind} claims {words}, which no catalog entry checks "
            f"({matching[0].id} checks only {', '.join(sorted(matching[0].claims))})",
            claimed,
            matched=True,
        )
    if not candidates:
        labels = ", ".join(f'"{label}"' for label in sentence.labels) or "no UI labels"
        return Unbound(sentence, kind, f"no catalog entry matches this {kind} ({labels})", claimed)
    best = max(entry.specificity for entry in candidates)
    top = [e for e in candidates if e.specificity == best]
    if len(top) > 1:
        names = " and ".join(f"{e.id} ({e.source})" for e in top)
        return Unbound(sentence, kind, f"ambiguous: {names} match equally well", matched=True)
    return Bound(top[0], sentence)


def _names_a_place(rule: str) -> str:
    """Why the navigation rule that decided changes nothing, if it reads a place (a phrase
    or a label); "" otherwise.

    A rule that matched on a verb alone ("click") would make any button no entry
    knows, a renamed one included, ui-only; such a step stays unbound.
    """
    decided = next((r for r in default_rules().kinds if r.source == rule), None)
    if decided is None or not (decided.phrases or decided.labels):
        return ""
    return decided.why or "navigation: it opens a page of the UI and changes nothing"


def _known_label(label: str) -> bool:
    """Whether a rules file names this UI label exactly: a resource's (resources.toml), a
    field's (fields.toml), or a kind rule's label that is not a pattern (kinds.toml).

    Navigation is ui-only by rule only when every label it names is known: a renamed
    menu entry ("Realm Sync" for "Sync") then stays unbound and fails its line.
    """
    plain = label.strip().lower()
    rules = default_rules()
    if any(plain in resource.labels for resource in rules.resources):
        return True
    if any(
        plain in field.labels for fields in default_fields().values() for field in fields.fields
    ):
        return True
    return any(
        pattern.fullmatch(plain)
        for rule in rules.kinds
        for pattern in rule.labels
        if not re.search(r"\.[*+]", pattern.pattern)
    )


@dataclass(frozen=True)
class ByRule:
    """A step no catalog entry matches, which a resource-model rule explains without a check.

    ``status`` is "external" (outside the Admin API: client SDK code, a third-party
    console, prose) or "ui-only" (navigation, which no Admin API read can observe).
    Neither is ever counted as verified, and neither fails the run.
    """

    sentence: Sentence
    status: str  # "external" | "ui-only"
    reason: str
    rule: str  # the rules file and line that decided, e.g. "harness/catalog/kinds.toml:12"


def bind_step(
    catalog: Catalog, text: str, kind: str, tags: frozenset[str] = frozenset()
) -> Bound | ByRule | Unbound:
    """:func:`bind`, then the resource model's rules for a sentence no entry matches.

    Only a sentence no entry matched at all is classified: an outcome claiming a state
    no entry checks, or a tie, stays unbound. The classifier marks a step external
    only by an explicit rule, and navigation is ui-only by rule; anything else it
    reads (a form, a save, an observation) needs a catalog entry that checks it, or
    a resource with fields (fields.toml) whose generic operation does; otherwise it
    stays unbound and fails the run.
    """
    binding = bind(catalog, text, kind, tags)
    if not isinstance(binding, Unbound) or binding.matched:
        return binding
    found = classify(StepFacts.from_sentence(text, kind, tags))
    if found.external_reason is not None:
        rule = found.why("external")
        return ByRule(binding.sentence, "external", f"{found.external_reason} (rule {rule})", rule)
    place = _names_a_place(found.why("kind")) if found.kind == "navigation" else ""
    if place and all(_known_label(label) for label in binding.sentence.labels):
        rule = found.why("kind")
        return ByRule(binding.sentence, "ui-only", f"{place} (rule {rule})", rule)
    generic = generic_entry(found, binding.sentence, kind)
    if isinstance(generic, StepEntry):
        return Bound(generic, binding.sentence)
    if generic is not None:
        return ByRule(binding.sentence, generic[0], generic[1], generic[2])
    return binding
