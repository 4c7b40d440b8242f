"""Reading pages in worker processes: ``extract_project(path, jobs=N)``.

docutils parses one page at a time per process, so pages are spread over
processes. Each worker is a pool of its own (one process), because a page
whose doctree a worker kept for a second walk must be walked again by that
same process: doctrees are large and slow to pickle, while titles and results
are small frozen values. Chunks of pages go to whichever worker is free, smaller
towards the end, so that a few long pages do not leave a worker idle. Workers
start from a fork server where the platform has one (plain fork is unsafe once
the parent runs threads), else by spawn, and each builds its parser once. As
with any start method but fork, a script that asks for workers must guard its
entry point with ``if __name__ == "__main__":`` (``python -m harness`` and the
``docharness`` command do).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from pathlib import Path
from types import MappingProxyType, TracebackType

from harness.procedures.pages import PageTitles
from harness.procedures.reading import Advance, PageReader, WalkedPage
from harness.rst import Project

_MAX_CHUNK = 16
_IN_FLIGHT = 2  # chunks queued per worker, so that none waits for the next one

# The reader of this worker process, made by _start.
_READER: PageReader | None = None


def cpu_count() -> int:
    """The processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def idle_processors() -> int:
    """The processors this process may run on, less those that other work keeps
    mostly busy (the load average of the last minute, where the platform keeps
    one, less this process's own, rounded): a worker on a busy processor only
    takes turns with the work already there, and its start-up is then pure cost."""
    total = cpu_count()
    try:
        others = max(0.0, os.getloadavg()[0] - 1)
    except (AttributeError, OSError):  # no load average here
        return total
    return max(1, min(total, total - round(others)))


def _start(
    root: Path, name: str, constants: dict[str, str], substitutions: dict[str, str], track: bool
) -> None:
    global _READER
    project = Project(root, name, MappingProxyType(constants), MappingProxyType(substitutions))
    _READER = PageReader(project, track_inputs=track)


def _reader() -> PageReader:
    if _READER is None:
        raise RuntimeError("a worker reads pages only after _start")
    return _READER


def _read_chunk(page_files: Sequence[Path], known: Sequence[PageTitles]) -> list[WalkedPage]:
    return _reader().read_all(page_files, known, lambda done: None)


def _walk_chunk(page_files: Sequence[Path], titles: Sequence[PageTitles]) -> list[WalkedPage]:
    return _reader().walk_all(page_files, titles)


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


class ProcessReader:
    """The two reading rounds of ``PageReader``, spread over this process and
    ``workers - 1`` others.

    This process reads pages too, one at a time from the same queue, while a
    thread hands chunks to the other processes: starting them (a fork server
    importing docharness) takes a second or two, and the pages read here
    meanwhile are not lost time, so processes pay off on smaller projects.
    """

    def __init__(self, project: Project, workers: int, *, track_inputs: bool) -> None:
        context = _context()
        arguments = (
            project.root,
            project.name,
            dict(project.constants),
            dict(project.substitutions),
            track_inputs,
        )
        self.local = PageReader(project, track_inputs=track_inputs)
        self.workers = [
            ProcessPoolExecutor(1, mp_context=context, initializer=_start, initargs=arguments)
            for _ in range(workers - 1)
        ]
        self.owner: dict[Path, int] = {}  # page -> the worker that read it (-1: this process)

    def __enter__(self) -> ProcessReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for worker in self.workers:
            worker.shutdown(wait=True, cancel_futures=True)

    def read_all(
        self, page_files: Sequence[Path], known: Sequence[PageTitles], advance: Advance
    ) -> list[WalkedPage]:
        """Read every page here or on some worker; ``advance`` as pages come back.
        Each worker is told ``known`` once, with its first chunk."""
        queue = _Queue(page_files, len(self.workers) + 1, advance)
        found: dict[Path, WalkedPage] = {}
        hand_out = threading.Thread(
            target=self._hand_out, args=(queue, known, found), name="docharness-pages"
        )
        hand_out.start()
        try:
            while chunk := queue.take(1):
                found[chunk[0]] = self.local.read_all(chunk, known, lambda done: None)[0]
                self.owner[chunk[0]] = -1
                queue.done(1)
                known = ()
        finally:
            queue.stop()
            hand_out.join()
        if queue.error is not None:
            raise queue.error
        return [found[page_file] for page_file in page_files]

    def _hand_out(
        self, queue: _Queue, known: Sequence[PageTitles], found: dict[Path, WalkedPage]
    ) -> None:
        """Keep every worker busy with chunks from ``queue`` until it is empty (a thread)."""
        running: dict[Future[list[WalkedPage]], tuple[int, list[Path]]] = {}
        told: set[int] = set()
        started: set[int] = set()

        def hand_out(worker: int, most: int = _MAX_CHUNK) -> None:
            chunk = queue.take(most)
            if chunk:
                tell = () if worker in told else tuple(known)
                told.add(worker)
                future = self.workers[worker].submit(_read_chunk, chunk, tell)
                running[future] = (worker, chunk)

        try:
            # One page each until a worker has started: pages promised to a worker
            # that is still starting would keep this process waiting at the end.
            for worker in range(len(self.workers)):
                hand_out(worker, 1)
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    worker, chunk = running.pop(future)
                    for page_file, walked in zip(chunk, future.result(), strict=True):
                        found[page_file] = walked
                        self.owner[page_file] = worker
                    queue.done(len(chunk))
                    for _ in range(_IN_FLIGHT if worker not in started else 1):
                        hand_out(worker)
                    started.add(worker)
        except BaseException as error:  # handed to the reading thread, which raises it
            queue.fail(error)

    def walk_all(
        self, page_files: Sequence[Path], titles: Sequence[PageTitles]
    ) -> list[WalkedPage]:
        """Walk each page again where it was read (a worker may have kept its
        doctree); pages not read yet go to the worker with the fewest of them."""
        assigned: list[list[Path]] = [[] for _ in self.workers]
        here: list[Path] = []
        unread: list[list[Path]] = [[] for _ in self.workers]
        for page_file in page_files:
            worker = self.owner.get(page_file)
            if worker is None and self.workers:
                worker = min(range(len(self.workers)), key=lambda index: len(unread[index]))
                unread[worker].append(page_file)
            if worker is None or worker < 0:
                here.append(page_file)
            else:
                assigned[worker].append(page_file)
        futures = [
            (pages, self.workers[worker].submit(_walk_chunk, pages, titles))
            for worker, pages in enumerate(assigned)
            if pages
        ]
        walked = dict(zip(here, self.local.walk_all(here, titles), strict=True))
        for pages, future in futures:
            walked.update(zip(pages, future.result(), strict=True))
        for page_file in page_files:
            self.owner.pop(page_file, None)
        return [walked[page_file] for page_file in page_files]


class _Queue:
    """The pages left to read, shared by this process's reading and the thread that
    hands chunks to workers: chunks shrink towards the end, so that a few long
    pages do not leave a worker idle."""

    def __init__(self, page_files: Sequence[Path], readers: int, advance: Advance) -> None:
        self.remaining = list(reversed(page_files))
        self.readers = readers
        self.advance = advance
        self.lock = threading.Lock()
        self.error: BaseException | None = None

    def take(self, most: int) -> list[Path]:
        with self.lock:
            if self.error is not None:
                return []
            size = max(1, min(most, len(self.remaining) // (4 * self.readers)))
            return [self.remaining.pop() for _ in range(min(size, len(self.remaining)))]

    def done(self, count: int) -> None:
        with self.lock:
            self.advance(count)

    def fail(self, error: BaseException) -> None:
        with self.lock:
            self.error = error

    def stop(self) -> None:
        """No more pages for anyone (this process stopped reading, or failed)."""
        with self.lock:
            self.remaining.clear()
