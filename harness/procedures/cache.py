"""The extraction cache: each page's titles and walk, kept between runs.

One file a page, ``<cache dir>/extract/<project>/<page digest>.json``: a header
line (format version and the SHA-256 of the body) and a JSON body. An entry is
used only when the header and digest match, the body decodes to exactly the
expected shape, it was written by this docharness (version, and the code and
docutils that made it), for this project (its folder and snooty.toml: constants
change text), for this page, and every input of the page (its bytes, every
include read, transitively) is unchanged. Anything else counts as absent and
is rewritten; a cache that cannot be written is simply not kept.

Resolving "follow the steps in :doc:`X`" is not cached: it is redone on every
run from the pages' results, so a change to page X reaches the pages that follow it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import docutils

import harness
from harness.fileio import read_regular, write_atomic
from harness.procedures.codec import decode, encode
from harness.procedures.inputs import FileStates, Input
from harness.procedures.manifest import DEFAULT_CACHE_DIR as DEFAULT_CACHE_DIR
from harness.procedures.pages import PageResult, PageTitles
from harness.rst import Project
from harness.rst.project import CONFIG_NAME

FORMAT = 1
_MAGIC = f"docharness-extract-cache/{FORMAT}".encode()
_ENTRY_NAME = re.compile(r"^[0-9a-f]{32}\.json$")


@dataclass(frozen=True)
class CachedPage:
    titles: PageTitles
    result: PageResult


@dataclass(frozen=True)
class _Entry:
    fingerprint: str
    project: str
    path: str
    inputs: tuple[tuple[str, str], ...]
    titles: PageTitles
    result: PageResult


@functools.cache
def fingerprint() -> str:
    """What made an entry: docharness (its version and the code of the stages that
    read pages, so that an edited checkout never reuses stale results), docutils
    and Python."""
    digest = hashlib.sha256()
    package = Path(harness.__file__).parent
    for folder in (package / "rst", package / "procedures", package / "commands"):
        for source in sorted(folder.iterdir()):
            if source.suffix in {".py", ".toml"}:
                digest.update(source.name.encode())
                digest.update(source.read_bytes())
    digest.update((package / "diagnostics.py").read_bytes())
    runtime = f"{harness.__version__} docutils {docutils.__version__} python {sys.version_info[:2]}"
    return f"{runtime} {digest.hexdigest()}"


class PageCache:
    """The entries of one project under ``cache_dir``."""

    def __init__(self, project: Project, cache_dir: Path) -> None:
        self.project = project
        root = str(project.root)
        self.folder = cache_dir / "extract" / hashlib.sha256(root.encode()).hexdigest()[:16]
        self.states = FileStates()
        self.key = f"{root}\n{self.states.state(project.root / CONFIG_NAME)}"

    def entry_file(self, page_file: Path) -> Path:
        name = hashlib.sha256(self.project.relpath(page_file).encode()).hexdigest()[:32]
        return self.folder / f"{name}.json"

    def load(self, page_file: Path) -> CachedPage | None:
        """The page's cached titles and walk, or None when there is no valid entry."""
        try:
            data = read_regular(self.entry_file(page_file))
        except OSError:
            return None
        header, newline, body = data.partition(b"\n")
        if not newline or header != _MAGIC + b" " + hashlib.sha256(body).hexdigest().encode():
            return None
        try:
            entry = decode(_Entry, json.loads(body))
        except (ValueError, RecursionError):  # CodecError, bad JSON or UTF-8 are ValueErrors
            return None
        if (
            entry.fingerprint != fingerprint()
            or entry.project != self.key
            or entry.path != self.project.relpath(page_file)
            or not self.states.unchanged(entry.inputs)
        ):
            return None
        return CachedPage(entry.titles, entry.result)

    def store(
        self, page_file: Path, inputs: tuple[Input, ...], titles: PageTitles, result: PageResult
    ) -> None:
        entry = _Entry(
            fingerprint=fingerprint(),
            project=self.key,
            path=self.project.relpath(page_file),
            inputs=inputs,
            titles=titles,
            result=result,
        )
        body = json.dumps(encode(entry), separators=(",", ":")).encode("ascii")
        header = _MAGIC + b" " + hashlib.sha256(body).hexdigest().encode()
        try:
            write_atomic(self.entry_file(page_file), header + b"\n" + body)
        except OSError:
            return

    def prune(self, page_files: Iterable[Path]) -> None:
        """Delete the entries of pages the project no longer has (only files this
        cache writes: ``<32 hex digits>.json``)."""
        wanted = {self.entry_file(page_file).name for page_file in page_files}
        try:
            for entry in self.folder.iterdir():
                if _ENTRY_NAME.match(entry.name) and entry.name not in wanted:
                    entry.unlink(missing_ok=True)
        except OSError:
            return
