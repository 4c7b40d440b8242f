"""Extraction of a whole project: every page, then the cross-page links.

Two passes because a page may say "follow the steps in :doc:`X`": X's steps
can only be borrowed once X has been read, and a bare ``:ref:`label``` shows
the title of a section that may sit on another page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes

from harness.diagnostics import Diagnostic
from harness.procedures.codes import (
    DOC_TARGET_MISSING,
    DOC_TARGET_WITHOUT_PROCEDURE,
    severity_of,
)
from harness.procedures.extract import (
    DocReference,
    PageWalker,
    ProcedureDraft,
    label_titles,
    page_labels,
)
from harness.procedures.model import Document, Procedure
from harness.procedures.text import TitleLookup, render
from harness.rst import ParsedPage, Project, load_project, parse_page
from harness.rst.directives import slug


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one documentation project.

    ``documents`` are sorted by page; ``diagnostics`` are those of every page (an
    include's problems once, however many pages include it) plus the cross-page
    ones, sorted by file and line.
    """

    root: Path
    documents: tuple[Document, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class _PageResult:
    parsed: ParsedPage
    title: str
    labels: tuple[str, ...]
    entries: tuple[ProcedureDraft | DocReference, ...]
    diagnostics: tuple[Diagnostic, ...]


def extract_page(
    project: Project, parsed: ParsedPage, titles: TitleLookup | None = None
) -> Document:
    """The procedures of one parsed page.

    "Follow the steps in :doc:`X`" is resolved only when X is this page; use
    ``extract_project`` to resolve links between pages.
    """
    result = _walk(project, parsed, titles or _page_titles(parsed))
    pages = _Pages.of({parsed.page: result})

    def borrow_here(reference: DocReference) -> _Borrowed | Diagnostic | None:
        here = reference.target == parsed.page or reference.target in pages.label_pages
        local = here if reference.role == "ref" else reference.target == parsed.page
        return _borrow(reference, pages) if local else None

    return _finish(result, borrow_here)[0]


def extract_project(
    path: Path, *, progress: Callable[[int, int], None] | None = None
) -> Extraction:
    """Parse and extract every page of the project at ``path`` (raises ``ProjectError``).

    ``progress(done, total)`` is called after each page is parsed.
    """
    project = load_project(path)
    pages = project.pages()
    parsed_pages: list[ParsedPage] = []
    for done, page_file in enumerate(pages, start=1):
        parsed_pages.append(parse_page(project, page_file))
        if progress is not None:
            progress(done, len(pages))
    titles = _project_titles(parsed_pages)
    results = {parsed.page: _walk(project, parsed, titles) for parsed in parsed_pages}
    documents: list[Document] = []
    problems: set[Diagnostic] = set()
    known = _Pages.of(results)
    for result in results.values():
        document, found = _finish(result, lambda reference: _borrow(reference, known))
        documents.append(document)
        problems.update(document.diagnostics)
        problems.update(found)
    return Extraction(
        root=project.root,
        documents=tuple(sorted(documents, key=lambda document: document.page)),
        diagnostics=tuple(sorted(problems, key=diagnostic_order)),
    )


def diagnostic_order(diagnostic: Diagnostic) -> tuple[str, int, int, str, str]:
    """File order, then line and column (Severity has no order of its own)."""
    return (
        diagnostic.path,
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
        diagnostic.message,
    )


def _walk(project: Project, parsed: ParsedPage, titles: TitleLookup) -> _PageResult:
    walker = PageWalker(project, parsed.document, titles)
    walker.walk()
    first_title = next(iter(parsed.document.findall(_is_title)), None)
    return _PageResult(
        parsed=parsed,
        title=render(first_title, titles).text,
        labels=page_labels(parsed.document),
        entries=tuple(walker.entries),
        diagnostics=(*parsed.diagnostics, *walker.diagnostics),
    )


def _is_title(node: object) -> bool:
    return isinstance(node, nodes.title) and isinstance(node.parent, nodes.section)


@dataclass(frozen=True)
class _Pages:
    """The pages read so far, and which page defines each label."""

    results: Mapping[str, _PageResult]
    label_pages: Mapping[str, str]

    @classmethod
    def of(cls, results: Mapping[str, _PageResult]) -> _Pages:
        label_pages: dict[str, str] = {}
        for page, result in results.items():
            for label in result.labels:
                label_pages.setdefault(label, page)
        return cls(results, label_pages)


@dataclass(frozen=True)
class _Borrowed:
    """The procedure a reference follows, and the page it is written on."""

    procedure: Procedure
    page: str


def _borrow(
    reference: DocReference, pages: _Pages, seen: frozenset[str] = frozenset()
) -> _Borrowed | Diagnostic | None:
    """The first procedure a reference names: the first of the page (``:doc:``) or the
    first under the labelled section (``:ref:``), following references in turn."""
    page = reference.target if reference.role == "doc" else pages.label_pages.get(reference.target)
    target = pages.results.get(page) if page is not None else None
    if target is None:
        kind = "page" if reference.role == "doc" else "label"
        return _reference_problem(
            reference,
            DOC_TARGET_MISSING,
            f"follows the steps of {reference.target}, which is not a {kind} of this project",
            "fix the :doc: path (relative to source/, without extension)"
            if reference.role == "doc"
            else "fix the :ref: label",
        )
    key = f"{reference.role}:{reference.target}"
    if key in seen:
        return None
    for entry in target.entries:
        if reference.role == "ref" and not any(
            reference.target in section.labels for section in entry.where.sections
        ):
            continue
        if isinstance(entry, ProcedureDraft):
            return _Borrowed(entry.build(), target.parsed.page)
        found = _borrow(entry, pages, seen | {key})
        if isinstance(found, _Borrowed):
            return found
    return _reference_problem(
        reference,
        DOC_TARGET_WITHOUT_PROCEDURE,
        f"follows the steps of {reference.target}, which has no procedure",
        "link to the page or section that holds the steps",
    )


def _reference_problem(reference: DocReference, code: str, message: str, hint: str) -> Diagnostic:
    where = reference.location
    return Diagnostic(where.path, where.line, 1, code, severity_of(code), message, hint)


def _finish(
    result: _PageResult, borrow: Callable[[DocReference], _Borrowed | Diagnostic | None]
) -> tuple[Document, tuple[Diagnostic, ...]]:
    """The page's Document with ids given in document order (duplicates get -2, -3)."""
    page = result.parsed.page
    procedures: list[Procedure] = []
    cross_page: list[Diagnostic] = []
    for entry in result.entries:
        if isinstance(entry, ProcedureDraft):
            procedures.append(entry.build())
            continue
        found = borrow(entry)
        if isinstance(found, Diagnostic):
            cross_page.append(found)
        elif isinstance(found, _Borrowed):
            owner = entry.where.owner()
            procedures.append(
                Procedure(
                    id="",
                    title=owner.title,
                    location=entry.location,
                    steps=found.procedure.steps,
                    section_path=tuple(section.title for section in entry.where.sections),
                    labels=owner.labels,
                    tab=entry.where.tabs[-1] if entry.where.tabs else "",
                    included_from=found.page,
                )
            )
    diagnostics = tuple(sorted({*result.diagnostics, *cross_page}, key=diagnostic_order))
    document = Document(
        page=page,
        path=result.parsed.path,
        title=result.title,
        procedures=_with_ids(page, procedures),
        labels=result.labels,
        diagnostics=diagnostics,
    )
    return document, tuple(cross_page)


def _with_ids(page: str, procedures: Sequence[Procedure]) -> tuple[Procedure, ...]:
    counts: dict[str, int] = {}
    named: list[Procedure] = []
    for procedure in procedures:
        base = f"{page}/{slug(procedure.title) or 'procedure'}"
        if procedure.tab:
            base = f"{base}/{procedure.tab}"
        counts[base] = counts.get(base, 0) + 1
        identifier = base if counts[base] == 1 else f"{base}-{counts[base]}"
        named.append(dataclasses.replace(procedure, id=identifier))
    return tuple(named)


def _page_titles(parsed: ParsedPage) -> TitleLookup:
    return _project_titles([parsed])


def _project_titles(parsed_pages: Sequence[ParsedPage]) -> TitleLookup:
    """What bare ``:ref:`label``` and ``:doc:`page``` links show: the target's title."""
    labels: dict[str, str] = {}
    pages: dict[str, str] = {}
    for parsed in parsed_pages:
        found = label_titles(parsed.document)
        labels.update(found)
        first = next(iter(parsed.document.findall(_is_title)), None)
        if first is not None:
            pages[parsed.page] = render(first).text

    def lookup(role: str, target: str) -> str | None:
        return pages.get(target) if role == "doc" else labels.get(target)

    return lookup
