"""Keep a features/ folder in step with an extraction, without touching hand-written files.

A file is ours only when its first line carries the generated mark; anything
else under the folder belongs to a person and is never overwritten or deleted.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from harness.fileio import read_regular, write_atomic
from harness.gherkin.render import GENERATED_MARK, render_document

if TYPE_CHECKING:  # the plugin reads the feature format without loading the extractor
    from harness.procedures import Extraction

_MARK = GENERATED_MARK.encode("utf-8")


@dataclass(frozen=True)
class FeatureFile:
    """The generated text for one page, at ``relative_path`` under the output folder."""

    relative_path: PurePosixPath
    page: str
    text: str


@dataclass(frozen=True)
class WriteResult:
    """What ``write_features`` did; paths are ``out_dir / relative path``.

    ``refused`` lists files that stand where a feature belongs but lack the
    generated mark: they were left as they are, and the run should fail.
    """

    written: tuple[Path, ...] = ()
    unchanged: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    refused: tuple[Path, ...] = ()


def feature_path(page: str) -> PurePosixPath:
    """``reference/x`` -> ``reference/x.feature``; a page path must stay inside the folder."""
    relative = PurePosixPath(f"{page}.feature")
    if not inside(relative):
        raise ValueError(f"page path {page!r} would leave the features folder")
    return relative


def inside(relative: PurePosixPath) -> bool:
    """A relative path that cannot leave the folder it is joined to: no root, no drive,
    no ``..``, no NUL, no backslash (a separator elsewhere)."""
    text = relative.as_posix()
    return not (
        relative.is_absolute()
        or ".." in relative.parts
        or "\\" in text
        or "\0" in text
        or (len(text) > 1 and text[1] == ":")
    )


def feature_files(extraction: Extraction) -> tuple[FeatureFile, ...]:
    """One FeatureFile per page that has procedures, in page order."""
    files = []
    for document in extraction.documents:
        text = render_document(document)
        if text is not None:
            files.append(FeatureFile(feature_path(document.page), document.page, text))
    return tuple(files)


def write_features(extraction: Extraction, out_dir: Path) -> WriteResult:
    """Write changed features atomically, skip unchanged ones, delete stale generated ones."""
    written: list[Path] = []
    unchanged: list[Path] = []
    refused: list[Path] = []
    wanted = feature_files(extraction)
    root = out_dir.resolve()
    for feature in wanted:
        target = out_dir / feature.relative_path
        if not target.resolve().is_relative_to(root):  # a symlinked folder leading out
            refused.append(target)
            continue
        data = feature.text.encode("utf-8")
        current = _read(target)
        if current == data:
            unchanged.append(target)
        elif current is not None and not current.startswith(_MARK):
            refused.append(target)
        else:
            write_atomic(target, data)
            written.append(target)
    removed = _stale(out_dir, {feature.relative_path for feature in wanted})
    for path in removed:
        path.unlink(missing_ok=True)  # another extract into the same folder may be first
        _prune_empty_parents(path.parent, out_dir)
    return WriteResult(tuple(written), tuple(unchanged), removed, tuple(refused))


def check_features(extraction: Extraction, out_dir: Path) -> str:
    """The unified diff that ``write_features`` would apply; empty when out_dir is current.

    Missing files diff against /dev/null, stale generated files diff to /dev/null.
    """
    chunks: list[str] = []
    wanted = feature_files(extraction)
    for feature in wanted:
        target = out_dir / feature.relative_path
        current = _read(target)
        if current != feature.text.encode("utf-8"):
            before = None if current is None else current.decode("utf-8", errors="replace")
            chunks.extend(_diff(target, before, feature.text))
    for path in _stale(out_dir, {feature.relative_path for feature in wanted}):
        stale = _read(path)
        if stale is not None:
            chunks.extend(_diff(path, stale.decode("utf-8", errors="replace"), None))
    return "".join(chunks)


def is_generated(path: Path) -> bool:
    """True when the file's first line carries the generated mark (False when it is gone
    or is not a regular file)."""
    try:
        return read_regular(path)[: len(_MARK)] == _MARK
    except OSError:
        return False


def _read(path: Path) -> bytes | None:
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None


def _stale(out_dir: Path, wanted: set[PurePosixPath]) -> tuple[Path, ...]:
    """Generated .feature files under out_dir that no page produces any more."""
    if not out_dir.is_dir():
        return ()
    # os.walk, unlike rglob, shrugs off folders another extract removes meanwhile
    found = (
        Path(folder, name)
        for folder, _folders, names in os.walk(out_dir)
        for name in names
        if name.endswith(".feature")
    )
    stale = [
        path
        for path in found
        if PurePosixPath(path.relative_to(out_dir).as_posix()) not in wanted and is_generated(path)
    ]
    return tuple(sorted(stale))


def _prune_empty_parents(folder: Path, out_dir: Path) -> None:
    """Remove folders a deletion left empty, up to (not including) out_dir."""
    try:
        while folder != out_dir and folder.is_relative_to(out_dir) and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    except OSError:  # gone already, or refilled by a concurrent extract: leave it
        return


def _diff(path: Path, before: str | None, after: str | None) -> Iterator[str]:
    name = path.as_posix()
    yield from difflib.unified_diff(
        _diff_lines(before),
        _diff_lines(after),
        fromfile=name if before is not None else "/dev/null",
        tofile=name if after is not None else "/dev/null",
    )


def _diff_lines(text: str | None) -> list[str]:
    """Lines for difflib, each ending in a newline so the diff stays well formed."""
    if text is None:
        return []
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
