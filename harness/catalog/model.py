"""Catalog entries as frozen data: what a sentence must contain, and what verifies it."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class Result(enum.Enum):
    VERIFIED = "verified"
    UI_ONLY = "ui-only"


@dataclass(frozen=True)
class StepEntry:
    """One piece of UI wording and how the Admin API confirms it (a ``[[step]]`` table)."""

    id: str
    source: str  # "catalog.toml:42", for messages
    result: Result
    kind: str = "action"  # "action" | "outcome"
    labels: frozenset[str] | None = None  # None: not constrained
    verbs: tuple[str, ...] = ()
    phrases: tuple[re.Pattern[str], ...] = ()
    context: frozenset[str] = frozenset()  # scenario tags that must all be present
    operation: str = ""
    args: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    # Form fields the page leaves to the reader ("specify a name"), with the value
    # docharness enters for them. A stand-in is never evidence of the page: the
    # step stays ui-only and says which value was entered.
    stand_in: tuple[tuple[str, str], ...] = ()
    claims: frozenset[str] = frozenset()  # the claim words (Catalog.claim_words) it checks
    why: str = ""

    @property
    def specificity(self) -> int:
        """More conditions, more specific: the tie-breaker between matching entries."""
        conditions = len(self.labels or ()) + len(self.phrases) + len(self.context)
        return conditions + (1 if self.verbs else 0)


@dataclass(frozen=True)
class Precondition:
    """What a scenario needs before its first step (a ``[[precondition]]`` table)."""

    id: str
    source: str
    applies_to: frozenset[str]  # scenario tags without "@", e.g. "label:terminating-realm-sync"
    text: str
    check: str
    args: tuple[tuple[str, str], ...] = ()
    establish: str = ""


@dataclass(frozen=True)
class Catalog:
    steps: tuple[StepEntry, ...]
    preconditions: tuple[Precondition, ...] = ()
    files: tuple[str, ...] = field(default=())
    # Words that change what an outcome claims (negations, states): an outcome
    # sentence binds only to an entry whose `claims` list every such word in it.
    claim_words: frozenset[str] = frozenset()

    def preconditions_for(self, tags: frozenset[str]) -> tuple[Precondition, ...]:
        return tuple(p for p in self.preconditions if p.applies_to & tags)
