"""Reading pages in one process: parse each page and walk it at once, then walk
again the few pages whose walk asked for a title that turned out different.

A walk needs the titles of the pages its bare links name, and a page may link
to one not read yet. Keeping every doctree until all titles are known made
memory grow with the project (a doctree is a hundred times its page's result),
so each page is walked right after it is parsed, with the titles known so far,
and its doctree dropped. The walk records every title it asked for; once all
pages are read, a page whose recorded answers differ from the project's
titles is walked again (``PageResult.agrees_with``), which gives exactly what
walking it with the project's titles in the first place would have. The
doctrees of a few pages that asked for a title not known yet are kept for that
second walk (at most ``KEEP_DOCTREES``); any other page is parsed again.

The same reader runs in the calling process or in each worker of a pool
(harness.procedures.parallel); a doctree never leaves the process that parsed it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from docutils import nodes

from harness.procedures.inputs import FileStates, Input, page_inputs
from harness.procedures.pages import PageResult, PageTitles, page_titles, title_lookup, walk_page
from harness.procedures.text import TitleLookup
from harness.rst import ParsedPage, Project, parse_page

# Called after each page (or chunk of pages) is read, with how many are done.
Advance = Callable[[int], None]
# Objects allocated between two collections of the youngest generation, while reading.
_GC_THRESHOLD = 10_000
# Doctrees a reader keeps for a second walk; past these, such a page is parsed again.
KEEP_DOCTREES = 32


@dataclass(frozen=True)
class ReadPage:
    """A parsed page's titles, and its inputs as they were before it was parsed
    (None when not asked for, or when no file state can capture them)."""

    titles: PageTitles
    inputs: tuple[Input, ...] | None


@dataclass(frozen=True)
class WalkedPage:
    """What a process hands back for one page: enough to cache it and to finish it."""

    read: ReadPage
    result: PageResult


class Reader(Protocol):
    """The two rounds, wherever they run: read (parse and walk) pages, then walk
    again those whose titles changed."""

    def read_all(
        self, page_files: Sequence[Path], known: Sequence[PageTitles], advance: Advance
    ) -> list[WalkedPage]: ...

    def walk_all(
        self, page_files: Sequence[Path], titles: Sequence[PageTitles]
    ) -> list[WalkedPage]: ...


class _Titles:
    """The titles known so far, growing in page order as pages are read.

    ``order`` gives each page's place in the project, so that a label defined
    twice shows the later page's section however the pages were read."""

    def __init__(self, order: dict[str, int]) -> None:
        self.order = order
        self.labels: dict[str, tuple[int, str]] = {}
        self.titles: dict[str, str] = {}

    def add(self, page: PageTitles) -> None:
        place = self.order.get(page.page, -1)
        for label, title in page.labels:
            if label not in self.labels or self.labels[label][0] <= place:
                self.labels[label] = (place, title)
        if page.title is not None:
            self.titles[page.page] = page.title

    def __call__(self, role: str, target: str) -> str | None:
        if role == "doc":
            return self.titles.get(target)
        found = self.labels.get(target)
        return None if found is None else found[1]


class PageReader:
    """Reads pages of one project, walking each as soon as it is parsed."""

    def __init__(self, project: Project, *, track_inputs: bool) -> None:
        self.project = project
        self.states = FileStates() if track_inputs else None
        self.kept: dict[Path, tuple[ParsedPage, ReadPage]] = {}
        self.known = _Titles({project.page_name(p): n for n, p in enumerate(project.pages())})

    def _parse(self, page_file: Path) -> tuple[ParsedPage, ReadPage]:
        # Inputs first: if a file changes during the parse, the cached entry is stale.
        inputs = None
        if self.states is not None:
            inputs = page_inputs(self.project, page_file, self.states)
        parsed = parse_page(self.project, page_file)
        return parsed, ReadPage(page_titles(parsed), inputs)

    def read_all(
        self, page_files: Sequence[Path], known: Sequence[PageTitles], advance: Advance
    ) -> list[WalkedPage]:
        """Parse and walk each page with the titles known so far (``known``: those of
        pages read elsewhere, such as the cached ones)."""
        for page in known:
            self.known.add(page)
        found = []
        with fewer_collections():
            for page_file in page_files:
                parsed, read = self._parse(page_file)
                self.known.add(read.titles)
                result = walk_page(self.project, parsed, self.known)
                if len(self.kept) < KEEP_DOCTREES and _asked_unknown(result):
                    self.kept[page_file] = (parsed, read)
                else:
                    _drop(parsed.document)
                found.append(WalkedPage(read, result))
                advance(1)
        return found

    def walk_all(
        self, page_files: Sequence[Path], titles: Sequence[PageTitles]
    ) -> list[WalkedPage]:
        """Walk each page with the project's titles (in page order); a page whose
        doctree was not kept is parsed again. Kept doctrees are dropped."""
        lookup = title_lookup(titles)
        walked = []
        with fewer_collections():
            for page_file in page_files:
                kept = self.kept.pop(page_file, None)
                parsed, read = kept if kept is not None else self._parse(page_file)
                walked.append(WalkedPage(read, walk_page(self.project, parsed, lookup)))
                _drop(parsed.document)
        for parsed, _ in self.kept.values():
            _drop(parsed.document)
        self.kept.clear()
        return walked


def _drop(document: nodes.document) -> None:
    """Free a walked doctree now: its nodes point at their parents and the document
    at its nodes, cycles that only a full garbage collection would find (and full
    collections grow rarer as results pile up, so dead doctrees would too)."""
    for node in list(document.findall()):
        node.parent = None
        if isinstance(node, nodes.Element):
            node.children = []
    document.__dict__.clear()


def _asked_unknown(result: PageResult) -> bool:
    """Whether the walk asked for a title it could not be told (yet)."""
    return any(use.title is None for use in result.titles_used)


def disagreeing(
    page_files: Iterable[Path], results: dict[Path, PageResult], lookup: TitleLookup
) -> list[Path]:
    """The pages whose walk saw a title other than the project's: to walk again."""
    return [page for page in page_files if not results[page].agrees_with(lookup)]


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Look for garbage cycles less often while pages are read.

    Python's default (a collection every 700 new objects) scans a doctree
    being built again and again: a quarter of the time of reading a page.
    Cycles are still collected, just less often.
    """
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], _GC_THRESHOLD), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)
