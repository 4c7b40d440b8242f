"""What extracting one page reads: the page, every file it includes (transitively),
and the files an include would have used had they existed.

The files are found by scanning text for include directives rather than by
watching the parser, so this list can only be longer than what the parse
read, never shorter: it sees every ``.. include::`` docutils can (in directive
bodies, tabs, table cells) and some it would not (in literal blocks, outside a
``:start-after:`` clip), and it records every candidate name of an include
(``x``, ``x.rst``, ``x.txt``) so that a file appearing later counts as a change.
A cached page is reused only while every one of its inputs is unchanged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docutils.statemachine import string2lines

from harness.rst import Project
from harness.rst.constants import substitute_constants
from harness.rst.directives import INCLUDE_SUFFIXES, resolve_include
from harness.rst.giza import generated_include
from harness.rst.parse import read_text

# (file path, state): state is "" when no file is there, else its real path and digest.
Input = tuple[str, str]

_TAB_WIDTH = 8  # as harness.rst.parse reads files
_INCLUDE = re.compile(
    r"\.\.[ ]+(?:\|[^|]*\|[ ]+)?(?:[\w-]+:)?include[ ]?::(?P<rest>.*)$", re.IGNORECASE
)
# csv-table :file: and the directives that show a file's contents, or its presence.
_FILE_OPTION = re.compile(r"^\s*:file:(?P<value>.*)$", re.IGNORECASE)
_SHOWN_FILE = re.compile(
    r"\.\.[ ]+(?:literalinclude|input|output|figure|image)[ ]?::(?P<argument>.*)$", re.IGNORECASE
)


class FileStates:
    """The state of each file, read and hashed once per run, and what each file
    names (an include is scanned once, however many pages include it)."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}
        self._scans: dict[Path, _Scan] = {}

    def state(self, path: Path) -> str:
        key = str(path)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = _state(path)
        return known

    def unchanged(self, inputs: tuple[Input, ...]) -> bool:
        return all(self.state(Path(path)) == state for path, state in inputs)

    def scans(self, path: Path) -> _Scan | None:
        return self._scans.get(path)

    def remember(self, path: Path, scan: _Scan) -> _Scan:
        self._scans[path] = scan
        return scan


def _state(path: Path) -> str:
    try:
        if not path.is_file():
            return ""
        real = path.resolve()
        return f"{real}:{hashlib.sha256(real.read_bytes()).hexdigest()}"
    except OSError as error:
        return f"{path}:unreadable:{error.errno}"


def page_inputs(project: Project, page_file: Path, states: FileStates) -> tuple[Input, ...] | None:
    """Every file the page's extraction depends on, with its state (documents never make
    docharness fetch anything, so files are all there is)."""
    page = page_file.resolve()
    inputs: dict[str, str] = {str(page_file): states.state(page_file)}
    pending = [page]
    scanned: set[Path] = set()
    while pending:
        current = pending.pop()
        if current in scanned:
            continue
        scanned.add(current)
        scan = states.scans(current)
        if scan is None:
            scan = states.remember(current, _scan(project, current))
        for candidate in scan.candidates:
            inputs[str(candidate)] = states.state(candidate)
        pending.extend(scan.includes)
    return tuple(sorted(inputs.items()))


@dataclass(frozen=True)
class _Scan:
    """What one file names: every file it could use, and the includes it resolves to."""

    candidates: tuple[Path, ...]
    includes: tuple[Path, ...]


def _scan(project: Project, current: Path) -> _Scan:
    lines = _lines(project, current)
    arguments = [argument for argument in _include_arguments(lines) if argument]
    arguments += [argument for argument in _file_arguments(lines) if argument]
    found = (resolve_include(argument, current, project.source_dir) for argument in arguments)
    return _Scan(
        tuple(_candidates(project, current, arguments)),
        tuple(path for path in found if path is not None),
    )


def _lines(project: Project, path: Path) -> list[str]:
    """The file's lines as the parser sees them (decoded, constants substituted)."""
    relative = project.relpath(path)
    text, _ = read_text(path, relative)
    text, _ = substitute_constants(text, project.constants, relative)
    lines: list[str] = string2lines(text, _TAB_WIDTH, convert_whitespace=True)
    return lines


def _candidates(project: Project, including: Path, arguments: list[str]) -> Iterator[Path]:
    """Every file name the include (or csv-table, literalinclude, figure) ``arguments``
    could use."""
    source_dir = project.source_dir
    for argument in arguments:
        if argument.startswith("/"):
            bases = [source_dir / argument.lstrip("/")]
        elif argument.startswith("includes/"):
            bases = [source_dir / argument, including.parent / argument]
        else:
            bases = [including.parent / argument]
        for base in bases:
            for suffix in INCLUDE_SUFFIXES:
                yield base.with_name(base.name + suffix) if suffix else base
        giza = generated_include(argument, source_dir)
        if giza is not None:
            yield from giza.files
            # a step may reuse (source:/inherit:) any YAML file next to it
            yield from sorted((source_dir / "includes").glob("*.yaml"))


def _include_arguments(lines: list[str]) -> Iterator[str]:
    """The argument of every include directive, read a few ways: as docutils would
    (with continuation lines), as one line, and as the first word (table cells)."""
    for index, line in enumerate(lines):
        if "::" not in line:
            continue
        match = _INCLUDE.search(line)
        if match is None:
            continue
        rest = match["rest"].strip()
        yield rest
        words = rest.split()
        if words:
            yield words[0]
        if "|" in rest:
            yield rest.split("|", 1)[0].strip()
        continuation = _block(lines, index, match.start())
        if continuation:
            yield "\n".join([rest, *continuation]).strip()


def _block(lines: list[str], index: int, column: int) -> list[str]:
    """The indented lines right after a directive line, up to a blank or option line."""
    found: list[str] = []
    for line in lines[index + 1 :]:
        stripped = line.strip()
        if not stripped or stripped.startswith(":") or len(line) - len(line.lstrip()) <= column:
            break
        found.append(stripped)
    return found


def _file_arguments(lines: list[str]) -> Iterator[str]:
    """Files the page shows: csv-table ``:file:`` options, and the arguments of
    literalinclude, input/output, figure and image (their contents or presence
    change the page's steps and diagnostics)."""
    for line in lines:
        option = _FILE_OPTION.match(line)
        if option is not None:
            yield option["value"].strip()
            continue
        match = _SHOWN_FILE.search(line) if "::" in line else None
        if match is not None:
            yield match["argument"].strip()
