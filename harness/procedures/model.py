"""The model every later stage reads: documents, procedures, steps.

Plain frozen dataclasses, so that a stage can hand them on, cache them or
compare them without caring who made them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from harness.diagnostics import Diagnostic, Severity

__all__ = [
    "Block",
    "Diagnostic",
    "Document",
    "Link",
    "Procedure",
    "Severity",
    "SourceLocation",
    "Step",
    "StepKind",
]


@dataclass(frozen=True, order=True)
class SourceLocation:
    """Where a thing was written: a path relative to the project root (the folder
    holding snooty.toml), e.g. ``source/reference/page.txt``, and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class StepKind(enum.Enum):
    ACTION = "action"  # something the reader does ("click ...")
    OUTCOME = "outcome"  # what the reader should then see ("You have now ...")


@dataclass(frozen=True)
class Link:
    """A cross reference a step makes: ``role`` is ``ref`` or ``doc``."""

    role: str
    target: str
    text: str


@dataclass(frozen=True)
class Block:
    """One piece of a step's body after its own text, in the order written.

    Kinds: ``code`` (something to type or run; ``language`` is its content type,
    "" when unknown), ``output`` (what a command prints), ``table`` (``rows``,
    header row first), ``paragraph``, ``list`` (``text`` holds one item a line),
    ``note`` (an admonition; ``title`` is its kind: note, warning, ...) and
    ``figure`` (``text`` is the alt text). ``code``/``output`` text keeps its
    lines and indentation; the other kinds' text is readable rST-free prose.
    """

    kind: str
    text: str
    location: SourceLocation
    language: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    title: str = ""


@dataclass(frozen=True)
class Step:
    """One numbered step (or the outcome sentence that closes a procedure).

    ``text`` is the readable sentence with UI labels in double quotes and inline
    literals in backticks, on one line; ``labels`` and ``literals`` repeat them in
    order so that later stages never re-parse the sentence.
    """

    number: str  # "1", "2", "2.1" for a sub-step, "" for an outcome
    kind: StepKind
    text: str
    location: SourceLocation
    title: str = ""
    labels: tuple[str, ...] = ()
    literals: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    figures: tuple[str, ...] = ()  # alt text of figures that illustrate the step
    body: tuple[Block, ...] = ()  # the rest of the step's body, sub-steps excepted

    @property
    def code(self) -> tuple[Block, ...]:
        """The code blocks of the body (commands, snippets), in order."""
        return tuple(block for block in self.body if block.kind == "code")


@dataclass(frozen=True)
class Procedure:
    """A numbered procedure, named after the section that owns it.

    ``id`` is stable across runs and renames of unrelated text: the page path plus
    a slug of the owning section title, plus the tab id for a tab variant, e.g.
    ``reference/terminating-and-reenabling-realm-sync/terminate-realm-sync``.
    """

    id: str
    title: str
    location: SourceLocation
    steps: tuple[Step, ...]
    section_path: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # rST targets of the owning section
    tab: str = ""  # the tabid of the variant, "" when not inside tabs
    included_from: str = ""  # page path whose procedure this one follows (":doc:" resolution)


@dataclass(frozen=True)
class Document:
    """One page: its procedures and the diagnostics found while reading it."""

    page: str  # page path relative to source/, without extension
    path: str  # file path relative to the project root
    title: str
    procedures: tuple[Procedure, ...] = ()
    labels: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
