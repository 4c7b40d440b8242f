"""Extraction of a whole project: every page, then the cross-page links.

Two passes because a page may say "follow the steps in :doc:`X`": X's steps
can only be borrowed once X has been read, and a bare ``:ref:`label``` shows
the title of a section that may sit on another page. Pages are read in
worker processes when asked (harness.procedures.parallel) and reused from a
cache while unchanged (harness.procedures.cache); neither changes the result.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.diagnostics import Diagnostic, Severity
from harness.procedures.cache import CachedPage, PageCache
from harness.procedures.codes import (
    DOC_TARGET_MISSING,
    DOC_TARGET_WITHOUT_PROCEDURE,
    ORPHAN_PAGE,
    PAGE_OUTSIDE,
    UNRESOLVED_REF,
    severity_of,
)
from harness.procedures.extract import DocReference
from harness.procedures.model import Document, Link, Procedure, Step, StepKind
from harness.procedures.pages import (
    FoundProcedure,
    PageResult,
    page_titles,
    title_lookup,
    walk_page,
)
from harness.procedures.parallel import ProcessReader, idle_processors
from harness.procedures.reading import PageReader, Reader, disagreeing
from harness.procedures.text import TitleLookup
from harness.rst import ParsedPage, Project, load_project
from harness.rst.directives import slug

# Pages to parse that pay for one more process with ``jobs=0`` (auto), where a processor
# is free: ``benchmarks/paths.py --crossover 40,80,160 --repeat 5`` gave -j 2 1.00x, 0.69x
# and 0.74x of -j 1 on 2 processors, so a second process from 60 pages. A busy processor
# never gets one (idle_processors): there -j 2 was slower at every size up to 160.
PAGES_PER_PROCESS = 30


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


def extract_page(
    project: Project, parsed: ParsedPage, titles: TitleLookup | None = None
) -> Document:
    """The procedures of one parsed page.

    "Follow the steps in :doc:`X`" is resolved only when X is this page; use
    ``extract_project`` to resolve links between pages.
    """
    result = walk_page(project, parsed, titles or title_lookup([page_titles(parsed)]))
    pages = _Pages.of({parsed.page: result})

    def borrow_here(reference: DocReference) -> _Borrowed | Diagnostic | None:
        here = reference.target == parsed.page or reference.target in pages.label_pages
        local = here if reference.role == "ref" else reference.target == parsed.page
        return _borrow(reference, pages) if local else None

    return _finish(result, borrow_here)[0]


def extract_project(
    path: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
) -> Extraction:
    """Parse and extract every page of the project at ``path`` (raises ``ProjectError``).

    ``progress(done, total)`` is called as pages are read (parsed, or found in
    the cache). ``jobs`` is the number of processes that parse pages (1: this
    one; 0, auto: one per idle processor once there are enough pages to pay
    for it). With ``cache_dir``, each page's result is kept there and reused while
    the page, everything it includes and snooty.toml are unchanged. The result
    is the same whatever ``jobs`` and ``cache_dir`` are.
    Worker processes re-import a calling script's module: guard a script's
    entry point with ``if __name__ == "__main__":`` when ``jobs`` is not 1.
    """
    if jobs < 0:
        raise ValueError(f"jobs must be 0 (one per processor) or more, not {jobs}")
    project = load_project(path)
    cache = PageCache(project, cache_dir) if cache_dir is not None else None
    results = _page_results(project, jobs, cache, progress)
    documents: list[Document] = []
    problems: set[Diagnostic] = set()
    known = _Pages.of(results)
    for result in results.values():
        document, found = _finish(result, lambda reference: _borrow(reference, known))
        documents.append(document)
        problems.update(document.diagnostics)
        problems.update(found)
    problems.update(_reader_checks(project, results))
    problems.update(
        Diagnostic(
            page.relative_to(project.root).as_posix(),
            1,
            1,
            PAGE_OUTSIDE,
            severity_of(PAGE_OUTSIDE),
            "this page is a link to a file outside the docs folder: not read",
            "copy the page into the project instead of linking to it",
        )
        for page in project.escaping_pages()
    )
    return Extraction(
        root=project.root,
        documents=tuple(sorted(documents, key=lambda document: document.page)),
        diagnostics=tuple(sorted(problems, key=diagnostic_order)),
    )


def _reader_checks(project: Project, results: Mapping[str, PageResult]) -> Iterator[Diagnostic]:
    """What a reader of the built site would find broken: ``:ref:`` labels no page
    defines, and pages no toctree lists (when any page has a toctree). Only notices
    where the project cannot settle it: a project without source/index.txt is a
    fragment of a larger one, and intersphinx inventories (never fetched) may hold
    a label."""
    labels = {label for result in results.values() for label in result.labels}
    complete = (project.source_dir / "index.txt").is_file()
    settled = complete and not project.intersphinx
    ref_severity = severity_of(UNRESOLVED_REF) if settled else Severity.INFO
    for result in results.values():
        for reference in result.references:
            if reference.target not in labels:
                where = reference.location
                yield Diagnostic(
                    where.path,
                    where.line,
                    1,
                    UNRESOLVED_REF,
                    ref_severity,
                    f"no page of the project defines the label {reference.target!r}",
                    "fix the :ref: target, or add `.. _label:` above the section it names",
                )
    listed = {page for result in results.values() for page in result.toctree}
    if not listed:
        return
    page_severity = severity_of(ORPHAN_PAGE) if complete else Severity.INFO
    for page, result in results.items():
        if page != "index" and page not in listed:
            yield Diagnostic(
                result.path,
                1,
                1,
                ORPHAN_PAGE,
                page_severity,
                "no toctree lists this page, so readers cannot navigate to it",
                "add it to the toctree of its parent page",
            )


def _page_results(
    project: Project,
    jobs: int,
    cache: PageCache | None,
    progress: Callable[[int, int], None] | None,
) -> dict[str, PageResult]:
    """Every page's result, in page order: from the cache while still valid, else read.

    A page is read (parsed and walked at once) with the titles known so far; a
    walk, read or cached, is valid while the titles it showed are those of the
    project, and walked again otherwise (harness.procedures.reading).
    """
    pages = project.pages()
    counter = _Counter(progress, len(pages))
    cached: dict[Path, CachedPage] = {}
    if cache is not None:
        for page_file in pages:
            hit = cache.load(page_file)
            if hit is not None:
                cached[page_file] = hit
                counter.advance(1)
    unread = [page_file for page_file in pages if page_file not in cached]
    known = [hit.titles for hit in cached.values()]
    with _reading(project, jobs, len(unread), track_inputs=cache is not None) as reader:
        walked = dict(zip(unread, reader.read_all(unread, known, counter.advance), strict=True))
        titles = [cached[p].titles if p in cached else walked[p].read.titles for p in pages]
        lookup = title_lookup(titles)
        found = {p: cached[p].result if p in cached else walked[p].result for p in pages}
        again = disagreeing(pages, found, lookup)
        walked.update(zip(again, reader.walk_all(again, titles), strict=True))
    if cache is not None:
        for page_file, page in walked.items():
            if page.read.inputs is not None:
                cache.store(page_file, page.read.inputs, page.read.titles, page.result)
        cache.prune(pages)
    results: dict[str, PageResult] = {}
    for page_file in pages:
        result = walked[page_file].result if page_file in walked else cached[page_file].result
        results[result.page] = result
    return results


class _Counter:
    """Pages read so far, reported to the caller's progress callback."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total)


@contextlib.contextmanager
def _reading(project: Project, jobs: int, pages: int, *, track_inputs: bool) -> Iterator[Reader]:
    """This process's reader, or worker processes when more than one would have work.

    ``jobs`` 0 (auto) asks for one process per idle processor, but only one per
    ``PAGES_PER_PROCESS`` pages to parse: below that, starting a process costs
    more than it saves (benchmarks/paths.py measures the crossover).
    """
    if jobs == 0:
        jobs = min(idle_processors(), max(1, pages // PAGES_PER_PROCESS))
    workers = min(jobs, pages)
    if workers <= 1:
        yield PageReader(project, track_inputs=track_inputs)
        return
    with ProcessReader(project, workers, track_inputs=track_inputs) as reader:
        yield reader


def diagnostic_order(diagnostic: Diagnostic) -> tuple[str, int, int, str, str]:
    """File order, then line and column (Severity has no order of its own)."""
    return (
        diagnostic.path,
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
        diagnostic.message,
    )


@dataclass(frozen=True)
class _Pages:
    """The pages read so far, and which page defines each label."""

    results: Mapping[str, PageResult]
    label_pages: Mapping[str, str]

    @classmethod
    def of(cls, results: Mapping[str, PageResult]) -> _Pages:
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
        if isinstance(entry, FoundProcedure):
            return _Borrowed(entry.procedure, target.page)
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
    result: PageResult, borrow: Callable[[DocReference], _Borrowed | Diagnostic | None]
) -> tuple[Document, tuple[Diagnostic, ...]]:
    """The page's Document with ids given in document order (duplicates get -2, -3)."""
    page = result.page
    procedures: list[Procedure] = []
    cross_page: list[Diagnostic] = []
    for entry in result.entries:
        if isinstance(entry, FoundProcedure):
            procedures.append(entry.procedure)
            continue
        found = borrow(entry)
        if isinstance(found, Diagnostic):
            cross_page.append(found)
            procedures.append(_broken_link(entry, found))
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
        path=result.path,
        title=result.title,
        procedures=_with_ids(page, procedures),
        labels=result.labels,
        diagnostics=diagnostics,
    )
    return document, tuple(cross_page)


def _broken_link(entry: DocReference, problem: Diagnostic) -> Procedure:
    """A procedure whose one step is the link that leads nowhere, so that running the
    page fails at the link's line instead of the section's scenario vanishing."""
    owner = entry.where.owner()
    target = f"`{entry.target}`"
    text = problem.message.replace(f"follows the steps of {entry.target}", "follow the steps in", 1)
    step = Step(
        number="1",
        kind=StepKind.ACTION,
        text=text.replace("follow the steps in", f"follow the steps in {target}", 1),
        location=entry.location,
        literals=(entry.target,),
        links=(Link(entry.role, entry.target, entry.target),),
    )
    return Procedure(
        id="",
        title=owner.title,
        location=entry.location,
        steps=(step,),
        section_path=tuple(section.title for section in entry.where.sections),
        labels=owner.labels,
        tab=entry.where.tabs[-1] if entry.where.tabs else "",
    )


def _with_ids(page: str, procedures: Sequence[Procedure]) -> tuple[Procedure, ...]:
    counts: dict[str, int] = {}
    named: list[Procedure] = []
    for procedure in procedures:
        # Every part a document chose is a slug: ids name cassette files, so a tab id
        # like "../../x" must not become a path.
        base = f"{page}/{slug(procedure.title) or 'procedure'}"
        if procedure.tab:
            base = f"{base}/{slug(procedure.tab) or 'tab'}"
        counts[base] = counts.get(base, 0) + 1
        identifier = base if counts[base] == 1 else f"{base}-{counts[base]}"
        named.append(dataclasses.replace(procedure, id=identifier))
    return tuple(named)
