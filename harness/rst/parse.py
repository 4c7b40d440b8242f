"""Parse one page of a snooty project into a docutils doctree plus diagnostics.

The docutils parser and settings are built once per project (parsing is the
hot path of every later stage); the dialect's directives and roles are put in
front of docutils' own for the duration of a parse only, the way Sphinx does,
so docutils' global registries are never changed (harness.sphinxext uses
``dialect_lookups`` to do the same inside Sphinx). Like docutils itself, a
parse is not thread-safe.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import frontend, nodes, utils
from docutils.parsers.rst import Parser, roles
from docutils.parsers.rst import directives as rst_directives
from docutils.parsers.rst.languages import en as english
from docutils.statemachine import StateMachine, string2lines

from harness.diagnostics import Diagnostic, Severity
from harness.fileio import read_regular
from harness.rst import nodes as snooty
from harness.rst.codes import (
    DOCUTILS_MESSAGE,
    DUPLICATE_TARGET,
    FILE_TOO_LARGE,
    LINE_TOO_LONG,
    NESTING_TOO_DEEP,
    PAGE_TOO_SLOW,
    UNDEFINED_SUBSTITUTION,
    UNKNOWN_ROLE,
    UNREADABLE_FILE,
)
from harness.rst.constants import substitute_constants
from harness.rst.context import ParseContext, context_of
from harness.rst.directives import Generic, directive_class
from harness.rst.giza import GizaReader
from harness.rst.pool import StateMachinePool
from harness.rst.project import Project
from harness.rst.roles import role_function, unknown_role
from harness.rst.spec import dialect
from harness.rst.stack import stack_room

_DOCUTILS_DIRECTIVE = rst_directives.directive
_DOCUTILS_ROLE = roles.role
_LEVELS = {1: Severity.INFO, 2: Severity.WARNING, 3: Severity.ERROR, 4: Severity.ERROR}
# Repeated section titles and link names: docutils notes them, readers see nothing wrong.
_DUPLICATE_TARGET = re.compile(
    r"^Duplicate (?:implicit target name|name \"[^\"]*\" for external target)", re.IGNORECASE
)
_SUBSTITUTION_DEPTH = 8  # substitutions inside substitutions, and no further
_TAB_WIDTH = 8
# docutils' own default line limit: some of its inline patterns take time quadratic
# in a line's length (a 100,000-character line can take minutes).
LINE_LIMIT = 10_000
# Bounds on one page. docutils' memory grows with the text times how deep blocks nest
# (each nested block copies its lines: a 2.2 MB page of nested lists took 2.4 GB), so
# no file above FILE_BYTES, or whose size times nesting exceeds NESTED_BYTES, is read;
# and no parse runs past PAGE_SECONDS.
FILE_BYTES = 16 * 1024 * 1024
NESTED_BYTES = 64 * 1024 * 1024
PAGE_SECONDS = 60.0


@dataclass(frozen=True)
class ParsedPage:
    """One parsed page: the doctree and every problem found reading it.

    ``document`` is a docutils tree; nodes from includes have ``source`` set to
    the include's absolute path and ``line`` to the line within it.
    """

    document: nodes.document
    diagnostics: tuple[Diagnostic, ...]
    page: str  # relative to source/, no extension: "reference/page"
    path: str  # relative to the project root: "source/reference/page.txt"


def parse_page(project: Project, page_file: Path) -> ParsedPage:
    """Parse ``page_file`` of ``project``; problems become diagnostics, never exceptions."""
    return _reader(project).parse(Path(page_file))


@functools.lru_cache(maxsize=8)
def _reader(project: Project) -> _Reader:
    return _Reader(project)


class _Reader:
    """The per-project docutils machinery and the cache of include files."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.parser = Parser()
        settings = frontend.get_default_settings(Parser)
        settings.report_level = 5
        settings.halt_level = 5
        settings.warning_stream = io.StringIO()
        # Documents are untrusted: no docutils file or URL insertion (include, raw,
        # csv-table :file:/:url:); the dialect reads project files itself, confined.
        settings.file_insertion_enabled = False
        settings.raw_enabled = False
        settings.smart_quotes = False
        settings.pep_references = False
        settings.rfc_references = False
        settings.character_level_inline_markup = False
        settings.line_length_limit = 1_000_000_000
        settings.tab_width = _TAB_WIDTH
        settings.syntax_highlight = "none"
        self.settings = settings
        self.pool = StateMachinePool()
        self.giza = GizaReader(project)
        self._includes: dict[tuple[Path, int, int], tuple[list[str], tuple[Diagnostic, ...]]] = {}
        self._substitutions: dict[str, list[nodes.Node]] = {}

    def parse(self, page_file: Path) -> ParsedPage:
        project = self.project
        absolute = page_file.resolve()
        path = project.relpath(absolute)
        context = ParseContext(
            project=project,
            page=project.page_name(absolute),
            read_include=self.read_include,
            giza=self.giza,
        )
        text, problems = read_text(absolute, path)
        context.diagnostics.extend(problems)
        text, problems = substitute_constants(text, project.constants, path)
        context.diagnostics.extend(problems)
        lines, problems = clip_long_lines(string2lines(text, _TAB_WIDTH, True), path)
        context.diagnostics.extend(problems)
        context.texts[str(absolute)] = lines
        document = utils.new_document(str(absolute), self.settings)
        document.snooty = context
        document.reporter.attach_observer(functools.partial(_note_message, context))
        with stack_room(), dialect_lookups(context), self.pool.active():
            try:
                with time_limit(PAGE_SECONDS):
                    self.parser.parse("\n".join(lines), document)
            except RecursionError as error:
                _report_too_deep(error, context)
            except PageTimeout:
                document.children = []
                context.report(
                    PAGE_TOO_SLOW,
                    Severity.ERROR,
                    f"reading this page took longer than {PAGE_SECONDS} seconds: left out",
                    None,
                    1,
                    hint="split the page, or nest fewer lists and directives",
                )
            self._resolve_substitutions(document, context)
            _report_unknown_roles(document, context)
        del document.snooty
        return ParsedPage(
            document=document,
            diagnostics=tuple(context.diagnostics),
            page=context.page,
            path=path,
        )

    def read_include(self, path: Path) -> tuple[list[str], tuple[Diagnostic, ...]]:
        """An include's lines with constants substituted, cached until the file changes."""
        try:
            status = path.stat()
            key = (path, status.st_mtime_ns, status.st_size)
        except OSError:
            key = (path, 0, 0)
        cached = self._includes.get(key)
        if cached is None:
            cached = self._includes[key] = include_lines(self.project, path)
        return list(cached[0]), cached[1]

    def _resolve_substitutions(self, document: nodes.document, context: ParseContext) -> None:
        """``|name|``: the page's own definitions first, then snooty.toml [substitutions].

        An unknown name keeps its ``|name|`` text and becomes a diagnostic, instead
        of docutils' "undefined substitution" error node.
        """
        for _round in range(_SUBSTITUTION_DEPTH):
            references = list(document.findall(nodes.substitution_reference))
            if not references:
                return
            for reference in references:
                reference.replace_self(self._substitution(document, context, reference))
        for reference in list(document.findall(nodes.substitution_reference)):
            reference.replace_self(nodes.Text(reference.astext()))

    def _substitution(
        self, document: nodes.document, context: ParseContext, reference: nodes.Element
    ) -> list[nodes.Node]:
        name = reference["refname"]
        key = document.substitution_names.get(nodes.fully_normalize_name(name))
        if key is not None:
            return [child.deepcopy() for child in document.substitution_defs[key].children]
        if name in self.project.substitutions:
            return [child.deepcopy() for child in self._project_substitution(name)]
        source, line, column = locate(reference, f"|{name}|", context)
        context.report(
            UNDEFINED_SUBSTITUTION,
            Severity.ERROR,
            f"undefined substitution |{name}|",
            source,
            line,
            column,
            hint="define it with `.. |name| replace::` or under [substitutions] in snooty.toml",
        )
        return [nodes.Text(f"|{name}|")]

    def _project_substitution(self, name: str) -> list[nodes.Node]:
        """A snooty.toml substitution value, parsed once (it may hold inline markup)."""
        parsed = self._substitutions.get(name)
        if parsed is None:
            value = self.project.substitutions[name]
            parsed = [nodes.Text(value)]
            if any(mark in value for mark in "`*|_[:"):
                document = utils.new_document(str(self.project.root / "snooty.toml"), self.settings)
                document.snooty = ParseContext(
                    project=self.project, page="", read_include=self.read_include
                )
                self.parser.parse(value, document)
                paragraph = next(iter(document.findall(nodes.paragraph)), None)
                if paragraph is not None:
                    parsed = list(paragraph.children)
            self._substitutions[name] = parsed
        return parsed


def include_lines(
    project: Project, path: Path, tab_width: int = _TAB_WIDTH
) -> tuple[list[str], tuple[Diagnostic, ...]]:
    """An include file's lines, read as a page is: constants substituted, problems reported."""
    relative = project.relpath(path)
    text, read_problems = read_text(path, relative)
    text, constant_problems = substitute_constants(text, project.constants, relative)
    lines, long_lines = clip_long_lines(string2lines(text, tab_width, True), relative)
    return lines, (*read_problems, *constant_problems, *long_lines)


def read_text(path: Path, relative: str) -> tuple[str, tuple[Diagnostic, ...]]:
    """A file's text; unreadable, oversized or non-UTF-8 files give a diagnostic, not an
    exception. Bad bytes are replaced so that the rest of the page still parses.
    """
    try:
        data = read_regular(path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return "", (_unreadable(relative, 1, 1, f"cannot read file: {reason}"),)
    levels = _deepest_indent(data) // 3 + 1  # roughly how deep blocks nest
    if len(data) > FILE_BYTES or len(data) * levels > NESTED_BYTES:
        what = f"file of {len(data):,} bytes" + (
            f" nested {levels} levels deep" if levels > 1 else ""
        )
        problem = Diagnostic(
            path=relative,
            line=1,
            column=1,
            code=FILE_TOO_LARGE,
            severity=Severity.ERROR,
            message=f"{what}: more than a page or include may be, so it is not read",
            hint="split it into smaller pages or includes, or nest fewer lists",
        )
        return "", (problem,)
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded"
        problem = _unreadable(relative, line, column, message)
        return data.decode("utf-8-sig", errors="replace"), (problem,)


def clip_long_lines(lines: list[str], path: str) -> tuple[list[str], tuple[Diagnostic, ...]]:
    """Lines cut to ``LINE_LIMIT`` characters, each cut reported.

    docutils itself would drop the whole page (its limit is the same); cutting
    keeps the rest of the page and its line numbers.
    """
    if not lines or max(map(len, lines)) <= LINE_LIMIT:
        return lines, ()
    problems = []
    for index, line in enumerate(lines):
        if len(line) > LINE_LIMIT:
            lines[index] = line[:LINE_LIMIT]
            problems.append(
                Diagnostic(
                    path=path,
                    line=index + 1,
                    column=LINE_LIMIT + 1,
                    code=LINE_TOO_LONG,
                    severity=Severity.WARNING,
                    message=f"line of {len(line):,} characters: only the first"
                    f" {LINE_LIMIT:,} are read",
                    hint="break the line, or move long data into a file of its own",
                )
            )
    return lines, tuple(problems)


def _deepest_indent(data: bytes) -> int:
    """The deepest indentation of any line (spaces; a tab counts as eight)."""
    deepest = 0
    for line in data.expandtabs(_TAB_WIDTH).split(b"\n"):
        stripped = line.lstrip(b" ")
        if stripped:
            deepest = max(deepest, len(line) - len(stripped))
    return deepest


class PageTimeout(BaseException):
    """Raised inside a parse that ran out of time (a BaseException, so that no handler
    in docutils mistakes it for a markup problem)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise PageTimeout in the block after ``seconds`` of wall time, and again every
    50 ms until it is out (Python drops an exception a signal raises inside a garbage
    collector callback). Only the main thread can take signals; elsewhere (and on
    platforms without timers) no limit."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return
    active = [True]

    def expire(number: int, frame: Any) -> None:
        if active[0]:
            raise PageTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        active[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _unreadable(path: str, line: int, column: int, message: str) -> Diagnostic:
    return Diagnostic(
        path=path,
        line=line,
        column=column,
        code=UNREADABLE_FILE,
        severity=Severity.ERROR,
        message=message,
        hint="save the file as UTF-8" if "UTF-8" in message else "",
    )


def locate(node: nodes.Node, needle: str, context: ParseContext) -> tuple[str | None, int, int]:
    """File, line and column of ``needle`` written inside ``node``'s block.

    Inline nodes have no line of their own: start at the nearest ancestor that
    has one and look for the text in the lines that follow.
    """
    holder: Any = node
    while holder is not None and not (getattr(holder, "line", None) and holder.source):
        holder = holder.parent
    if holder is None:
        return None, 1, 1
    source, line = holder.source, holder.line
    lines = context.texts.get(source)
    if lines is not None:
        for index in range(line - 1, min(line + 200, len(lines))):
            column = lines[index].find(needle)
            if column >= 0:
                return source, index + 1, column + 1
    return source, line, 1


def _report_unknown_roles(document: nodes.document, context: ParseContext) -> None:
    for node in document.findall(snooty.unknown_role):
        source, line, column = locate(node, node.rawsource, context)
        context.report(
            UNKNOWN_ROLE,
            Severity.WARNING,
            f'unknown role ":{node["role"]}:" (its text is kept)',
            source,
            line,
            column,
            hint="check the role name against the snooty spec",
        )


def _report_too_deep(error: RecursionError, context: ParseContext) -> None:
    """Blocks nested deeper than the stack allows: the outermost of them is left out
    (docutils attaches a block only once all of it is parsed); report where it starts.

    The place comes from the state machines on the failed stack: the first nested
    one (below the page's own) is reading that outermost block.
    """
    machines: list[StateMachine] = []
    trace = error.__traceback__
    while trace is not None:
        machine = trace.tb_frame.f_locals.get("self")
        if (
            isinstance(machine, StateMachine)
            and getattr(machine, "input_lines", None)  # None or missing while being built
            and machine not in machines
        ):
            machines.append(machine)
        trace = trace.tb_next
    source, line = None, 1
    if len(machines) > 1:
        source, offset = machines[1].input_lines.info(0)
        line = (offset or 0) + 1
    context.report(
        NESTING_TOO_DEEP,
        Severity.ERROR,
        "blocks nested too deeply to read: the block that starts here is left out,"
        " with everything inside it",
        source,
        line,
        hint="nest fewer directives or lists inside each other",
    )


def _note_message(context: ParseContext, message: nodes.system_message) -> None:
    """Every docutils system message becomes a diagnostic (nothing reaches stderr)."""
    level = int(message.get("level", 2))
    text = " ".join((message.children[0] if message.children else message).astext().split())
    if level <= 2 and _DUPLICATE_TARGET.match(text):
        code, severity = DUPLICATE_TARGET, Severity.INFO
    else:
        code, severity = DOCUTILS_MESSAGE, _LEVELS.get(level, Severity.ERROR)
    context.report(code, severity, text, message.get("source"), message.get("line"))


def _lookup_directive(name: str, language_module: Any, document: Any) -> tuple[Any, list[Any]]:
    context = context_of(document)
    if context is None:
        return _docutils_lookup(_DOCUTILS_DIRECTIVE, name, language_module, document)
    normalized = name.lower()
    found = directive_class(normalized, context.default_domain)
    if found is not None:
        return found, []
    if _docutils_directive(normalized):
        builtin, messages = _docutils_lookup(_DOCUTILS_DIRECTIVE, name, language_module, document)
        if builtin is not None:
            return builtin, messages
    return Generic, []


def _lookup_role(
    name: str, language_module: Any, lineno: int, reporter: Any
) -> tuple[Any, list[Any]]:
    normalized = name.lower()
    if not normalized:
        return _docutils_lookup(_DOCUTILS_ROLE, name, language_module, lineno, reporter)
    resolved = dialect().role(normalized, _default_domain())
    if resolved is not None:
        return role_function(*resolved), []
    if _docutils_role(normalized) or normalized in roles._roles:
        return _docutils_lookup(_DOCUTILS_ROLE, name, language_module, lineno, reporter)
    return unknown_role, []


# The contexts of the parses in progress, innermost last: docutils gives a role
# lookup only the reporter, not the document whose default domain it needs.
_CURRENT: list[ParseContext] = []


def _docutils_lookup(lookup: Any, *arguments: Any) -> tuple[Any, list[Any]]:
    """docutils' own lookup (``directives.directive`` or ``roles.role``), typed."""
    found, messages = lookup(*arguments)
    return found, list(messages)


def _default_domain() -> str:
    return _CURRENT[-1].default_domain if _CURRENT else ""


@functools.cache
def _docutils_directive(name: str) -> bool:
    return name in english.directives or name in rst_directives._directive_registry


@functools.cache
def _docutils_role(name: str) -> bool:
    """docutils' built-in roles; roles a page defines (``.. role::``) are looked up live."""
    return name in english.roles or name in roles._role_registry


@contextlib.contextmanager
def dialect_lookups(context: ParseContext) -> Iterator[None]:
    """Put the dialect's directives and roles in front of docutils' for one parse.

    docutils keeps roles defined by ``.. role::`` in a process-wide registry; it is
    restored afterwards so that a role one page defines never changes another page
    (a page's output must not depend on which pages the process parsed before).
    """
    saved = (rst_directives.directive, roles.role)
    saved_roles = dict(roles._roles)
    rst_directives.directive = _lookup_directive
    roles.role = _lookup_role
    _CURRENT.append(context)
    try:
        yield
    finally:
        _CURRENT.pop()
        rst_directives.directive, roles.role = saved
        roles._roles.clear()
        roles._roles.update(saved_roles)
