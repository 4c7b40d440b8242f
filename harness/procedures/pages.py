"""One page's share of an extraction, as plain values: what it tells other pages
(its titles) and what it holds (its procedures).

Walking a page needs the titles of the pages its bare links name. Each page
is walked as soon as it is parsed, with the titles known so far, and a walk
records the titles it used: once every page's titles are known, a walk that
saw other titles is done again (harness.procedures.reading), and a cached walk
is reused only while those titles are still what it saw. Keeping both as
frozen values lets pages be read in other processes and kept between runs.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from docutils import nodes

from harness.diagnostics import Diagnostic
from harness.procedures.codelint import code_diagnostics
from harness.procedures.extract import (
    DocReference,
    PageWalker,
    ProcedureDraft,
    Where,
    label_titles,
    page_labels,
)
from harness.procedures.model import Procedure, SourceLocation
from harness.procedures.text import TitleLookup, render
from harness.rst import ParsedPage, Project
from harness.rst import nodes as snooty
from harness.rst.stack import stack_room


@dataclass(frozen=True)
class PageTitles:
    """What a bare link to this page shows: its first title, and each label's section."""

    page: str
    title: str | None  # None when the page has no section title
    labels: tuple[tuple[str, str], ...]  # (label, section title), in document order


@dataclass(frozen=True)
class TitleUse:
    """A title a walk asked for, and the answer it got (None: not known)."""

    role: str
    target: str
    title: str | None


@dataclass(frozen=True)
class Reference:
    """A ``:ref:`` written on the page (checked against every label of the project)."""

    target: str
    location: SourceLocation


@dataclass(frozen=True)
class FoundProcedure:
    """A procedure written on the page (its id is given once the whole page is known)."""

    where: Where
    procedure: Procedure


@dataclass(frozen=True)
class PageResult:
    """Everything an extraction keeps of a walked page; "follow the steps in" links
    (``DocReference`` entries) are resolved later, across pages."""

    page: str
    path: str
    title: str
    labels: tuple[str, ...]
    entries: tuple[FoundProcedure | DocReference, ...]
    diagnostics: tuple[Diagnostic, ...]
    titles_used: tuple[TitleUse, ...]
    references: tuple[Reference, ...] = ()
    toctree: tuple[str, ...] = ()  # pages this page's toctrees list

    def agrees_with(self, titles: TitleLookup) -> bool:
        """Whether walking the page with ``titles`` would give this same result."""
        return all(titles(use.role, use.target) == use.title for use in self.titles_used)


def page_titles(parsed: ParsedPage) -> PageTitles:
    with stack_room():  # as deep as the parse went
        first = first_title(parsed.document)
        return PageTitles(
            page=parsed.page,
            title=None if first is None else render(first).text,
            labels=tuple(label_titles(parsed.document).items()),
        )


def title_lookup(pages: Iterable[PageTitles]) -> TitleLookup:
    """What bare ``:ref:`label``` and ``:doc:`page``` links show: the target's title.

    ``pages`` in page order: a label defined twice shows the later page's section.
    """
    labels: dict[str, str] = {}
    titles: dict[str, str] = {}
    for page in pages:
        labels.update(page.labels)
        if page.title is not None:
            titles[page.page] = page.title

    def lookup(role: str, target: str) -> str | None:
        return titles.get(target) if role == "doc" else labels.get(target)

    return lookup


def walk_page(project: Project, parsed: ParsedPage, titles: TitleLookup) -> PageResult:
    """The procedures, labels and problems of one parsed page."""
    recording = _Recording(titles)
    with stack_room():  # as deep as the parse went
        walker = PageWalker(project, parsed.document, recording)
        walker.walk()
        title = render(first_title(parsed.document), recording).text
        labels = page_labels(parsed.document)
        references = tuple(
            Reference(node["target"], walker.location(node))
            for node in parsed.document.findall(snooty.xref)
            if node["role"] == "ref" and node["target"]
        )
    entries = tuple(
        FoundProcedure(entry.where, entry.build()) if isinstance(entry, ProcedureDraft) else entry
        for entry in walker.entries
    )
    return PageResult(
        page=parsed.page,
        path=parsed.path,
        title=title,
        labels=labels,
        entries=entries,
        diagnostics=(
            *parsed.diagnostics,
            *walker.diagnostics,
            *code_diagnostics(e.procedure for e in entries if isinstance(e, FoundProcedure)),
        ),
        titles_used=tuple(
            TitleUse(role, target, found) for (role, target), found in recording.used.items()
        ),
        references=references,
        toctree=toctree_pages(parsed),
    )


def toctree_pages(parsed: ParsedPage) -> tuple[str, ...]:
    """The pages the page's ``.. toctree::`` entries name (``Title </path>`` or ``path``;
    relative paths from the page's folder), as page paths."""
    found: list[str] = []
    folder = posixpath.dirname(parsed.page)
    for node in parsed.document.findall(snooty.directive):
        if node["name"] != "toctree":
            continue
        for line in node.astext().splitlines():
            entry = line.strip()
            if entry.endswith(">") and "<" in entry:
                entry = entry[entry.rindex("<") + 1 : -1].strip()
            if not entry or entry.startswith(":") or "://" in entry or entry == "self":
                continue
            path = entry.lstrip("/") if entry.startswith("/") else posixpath.join(folder, entry)
            found.append(posixpath.normpath(path).removesuffix(".txt"))
    return tuple(found)


def first_title(document: nodes.document) -> nodes.Node | None:
    return next(iter(document.findall(_is_section_title)), None)


def _is_section_title(node: object) -> bool:
    return isinstance(node, nodes.title) and isinstance(node.parent, nodes.section)


class _Recording:
    """A TitleLookup that remembers every question and its answer."""

    def __init__(self, titles: TitleLookup) -> None:
        self.titles = titles
        self.used: dict[tuple[str, str], str | None] = {}

    def __call__(self, role: str, target: str) -> str | None:
        key = (role, target)
        if key not in self.used:
            self.used[key] = self.titles(role, target)
        return self.used[key]
