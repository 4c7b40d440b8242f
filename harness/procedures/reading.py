"""The two rounds of reading pages, in one process: parse (keeping each doctree)
and tell the titles; then walk with the whole project's titles.

The same reader runs in the calling process or in each worker of a pool
(harness.procedures.parallel); a doctree never leaves the process that parsed it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from harness.procedures.inputs import FileStates, Input, page_inputs
from harness.procedures.pages import PageResult, PageTitles, page_titles, title_lookup, walk_page
from harness.rst import ParsedPage, Project, parse_page

# Called after each page (or chunk of pages) is parsed, with how many are done.
Advance = Callable[[int], None]
# Objects allocated between two collections of the youngest generation, while reading.
_GC_THRESHOLD = 10_000


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
    """The two rounds, wherever they run: parse pages, then walk them."""

    def read_all(self, page_files: Sequence[Path], advance: Advance) -> list[ReadPage]: ...

    def walk_all(
        self, page_files: Sequence[Path], titles: Sequence[PageTitles]
    ) -> list[WalkedPage]: ...


class PageReader:
    """Reads pages of one project; keeps each doctree from the parse to the walk."""

    def __init__(self, project: Project, *, track_inputs: bool) -> None:
        self.project = project
        self.states = FileStates() if track_inputs else None
        self.kept: dict[Path, tuple[ParsedPage, ReadPage]] = {}

    def read(self, page_file: Path) -> ReadPage:
        # Inputs first: if a file changes during the parse, the cached entry is stale.
        inputs = None
        if self.states is not None:
            inputs = page_inputs(self.project, page_file, self.states)
        parsed = parse_page(self.project, page_file)
        read = ReadPage(page_titles(parsed), inputs)
        self.kept[page_file] = (parsed, read)
        return read

    def read_all(self, page_files: Sequence[Path], advance: Advance) -> list[ReadPage]:
        found = []
        with fewer_collections():
            for page_file in page_files:
                found.append(self.read(page_file))
                advance(1)
        return found

    def walk_all(
        self, page_files: Sequence[Path], titles: Sequence[PageTitles]
    ) -> list[WalkedPage]:
        """Walk each page with the project's titles (in page order); a page not read
        in the first round is parsed now. Doctrees are dropped once walked."""
        lookup = title_lookup(titles)
        walked = []
        with fewer_collections():
            for page_file in page_files:
                if page_file not in self.kept:
                    self.read(page_file)
                parsed, read = self.kept.pop(page_file)
                walked.append(WalkedPage(read, walk_page(self.project, parsed, lookup)))
        return walked


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Look for garbage cycles less often while pages are read.

    Every doctree is kept from the first round to the second, and Python's
    default (a collection every 700 new objects, every hundredth of them a full
    one) scans them again and again: a quarter to a third of the time of
    reading a few hundred pages. Cycles are still collected, just less often.
    """
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], _GC_THRESHOLD), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)
