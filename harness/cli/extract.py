"""``docharness extract`` and ``docharness lint``: the two commands that read a docs project.

Both report diagnostics with paths a terminal or editor can open from the
current folder, and both turn a user's mistake (no snooty.toml, an unreadable
file) into one ``docharness: error:`` line and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from harness.config import ConfigError, read_project_config
from harness.diagnostics import Diagnostic, Severity, chosen
from harness.procedures.manifest import DEFAULT_CACHE_DIR, Printout, WarmPath

if TYPE_CHECKING:  # docutils and rich load only when pages are read (not on a warm run)
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from harness.procedures import Extraction

PROGRESS_MIN_PAGES = 20

F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(Exception):
    """A setting the user has to fix before the command can run (exit 2)."""


class ProgressBar:
    """Feeds ``extract_project``'s progress callback into a rich bar on stderr.

    Starts only on a terminal and for projects large enough to make waiting
    noticeable, so logs and small runs stay clean.
    """

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar: tuple[Progress, TaskID] | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if total <= PROGRESS_MIN_PAGES or not self._console.is_terminal:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            progress = Progress(
                TextColumn("Reading docs"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("pages"),
                console=self._console,
            )
            self._bar = (progress, progress.add_task("pages", total=total))
            progress.start()
        progress, task = self._bar
        progress.update(task, completed=done, total=total)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar[0].stop()


def _setting(key: str) -> Path:
    """``[tool.docharness] <key>`` from ./pyproject.toml, or its default."""
    try:
        config = read_project_config(Path("."))
    except ConfigError as error:
        raise UsageProblem(str(error)) from None
    path: Path = getattr(config, key)
    return path


def _jobs(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """``-j``: a number of processes, or ``auto`` (the same as 0: one per processor)."""
    text = value.strip().lower()
    if text == "auto":
        return 0
    if text.isdigit():
        return int(text)
    raise click.BadParameter(f"{value!r} is not a number of processes (0 or more, or auto)")


@dataclass(frozen=True)
class Reading:
    """How to read the docs: processes, and where (if anywhere) to cache pages."""

    jobs: int
    cache_dir: Path | None
    no_cache: bool

    @property
    def cache(self) -> Path | None:
        """Like pytest's, ruff's and mypy's caches, in the current folder by default."""
        if self.no_cache:
            return None
        return self.cache_dir or Path(DEFAULT_CACHE_DIR)


def reading_options(command: F) -> F:
    """The options both commands that read a docs project share."""
    options = (
        click.option(
            "-j",
            "--jobs",
            metavar="N|auto",
            default="auto",
            callback=_jobs,
            show_default=True,
            help="Parse pages in N processes; 0 or auto: one per idle processor, once a"
            " project is big enough to pay for them.",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Folder for the page cache (default: .docharness-cache in the current folder).",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            help="Read every page again, and neither read nor write the page cache.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def _read_project(docs: Path, reading: Reading) -> Extraction:
    from rich.console import Console

    from harness.procedures import extract_project

    if not docs.exists():
        raise UsageProblem(f"{docs}: no such folder (expected the folder holding snooty.toml)")
    with ProgressBar(Console(stderr=True)) as bar:
        return extract_project(docs, progress=bar, jobs=reading.jobs, cache_dir=reading.cache)


def _diagnostics(extraction: Extraction) -> list[Diagnostic]:
    """Every diagnostic once, its path as seen from the current folder, sorted by place."""
    here = Path.cwd().resolve()
    found: set[Diagnostic] = set(extraction.diagnostics)
    for document in extraction.documents:
        found.update(document.diagnostics)
    shown = []
    for diagnostic in found:
        path = extraction.root / diagnostic.path
        visible = path.relative_to(here) if path.is_relative_to(here) else path
        shown.append(replace(diagnostic, path=visible.as_posix()))
    return sorted(shown, key=lambda d: (d.path, d.line, d.column, d.code, d.message))


def _count(diagnostics: Iterable[Diagnostic], severity: Severity) -> int:
    return sum(1 for diagnostic in diagnostics if diagnostic.severity is severity)


def _fail(message: str) -> int:
    click.echo(f"docharness: error: {message}", err=True)
    return 2


def _folder_name(path: Path) -> str:
    return path.as_posix().rstrip("/") + "/"


@click.command()
@click.argument("docs", required=False, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Folder for the .feature files. Default: [tool.docharness] features, else features.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write no features (only the page cache); exit 1 and show the diff if stale.",
)
@reading_options
def extract(
    docs: Path | None,
    output: Path | None,
    check: bool,
    jobs: int,
    cache_dir: Path | None,
    no_cache: bool,
) -> int:
    """Write the procedures of DOCS as Gherkin .feature files.

    DOCS is the folder holding snooty.toml (default: [tool.docharness] docs in
    ./pyproject.toml, else docs). Each page with procedures becomes
    OUTPUT/<page>.feature; unchanged files are left alone, generated files of
    pages that no longer have procedures are deleted, and files without the
    "# Generated by docharness" header are never touched.

    Diagnostics (errors and warnings) go to stderr but do not fail the
    command: `docharness lint` does that. Pages unchanged since the last run
    (with everything they include, and snooty.toml) come from the page cache.

    \b
    Exit codes:
      0  features written, or up to date with --check
      1  --check found stale features, or a hand-written file is in the way
      2  could not run (no snooty.toml, unreadable or unwritable files)
    """
    try:
        docs = docs or _setting("docs")
        out_dir = output or _setting("features")
    except UsageProblem as error:
        return _fail(str(error))
    reading = Reading(jobs, cache_dir, no_cache)
    warm = WarmPath(reading.cache, docs, out_dir) if reading.cache and docs.is_dir() else None
    done = warm.replay() if warm else None
    if done is not None:  # nothing changed since a run that printed this
        for line in done.diagnostics:
            click.echo(line, err=True)
        if check:
            return _report_check(
                "", f"docharness extract {docs} -o {out_dir}", out_dir, done.summary
            )
        click.echo(
            f"{done.summary}, 0 files written, {done.features} unchanged, 0 removed", err=True
        )
        return 0
    from harness.gherkin import check_features, write_features
    from harness.rst import ProjectError

    try:
        extraction = _read_project(docs, reading)
        diagnostics = [d for d in _diagnostics(extraction) if d.severity is not Severity.INFO]
        for diagnostic in diagnostics:
            click.echo(diagnostic.format(), err=True)
        procedures = [p for document in extraction.documents for p in document.procedures]
        summary = (
            f"{len(extraction.documents)} pages, {len(procedures)} procedures, "
            f"{sum(len(p.steps) for p in procedures)} steps, {len(diagnostics)} diagnostics "
            f"({_count(diagnostics, Severity.ERROR)} errors)"
        )
        if check:
            stale = check_features(extraction, out_dir)
            return _report_check(stale, f"docharness extract {docs} -o {out_dir}", out_dir, summary)
        result = write_features(extraction, out_dir)
    except (ProjectError, UsageProblem, OSError) as error:
        return _fail(str(error))
    if warm is not None and not result.refused:
        lines = tuple(diagnostic.format() for diagnostic in diagnostics)
        warm.store(Printout(lines, summary, len(result.written) + len(result.unchanged)))
    for path in result.refused:
        click.echo(
            f"docharness: error: {path.as_posix()}: not overwritten: it has no "
            '"# Generated by docharness" header, so a person wrote it; move it away',
            err=True,
        )
    click.echo(
        f"{summary}, {len(result.written)} files written, {len(result.unchanged)} unchanged, "
        f"{len(result.removed)} removed",
        err=True,
    )
    return 1 if result.refused else 0


def _report_check(diff: str, command: str, out_dir: Path, summary: str) -> int:
    click.echo(summary, err=True)
    if not diff:
        click.echo(f"{_folder_name(out_dir)} is up to date")
        return 0
    click.echo(diff, nl=False)
    click.echo(f"{_folder_name(out_dir)} is stale: run `{command}` to update it", err=True)
    return 1


@click.command()
@click.argument("docs", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one `path:line:col: CODE severity: message` a line; json: one object.",
)
@click.option(
    "--codes", is_flag=True, help="List every diagnostic code and its meaning, then exit."
)
@click.option(
    "--select",
    metavar="CODES",
    default="",
    help="Only these codes, comma-separated; a prefix selects a group (DH1: DH101-DH199).",
)
@click.option("--ignore", metavar="CODES", default="", help="Leave out these codes (or prefixes).")
@click.option(
    "--notices", is_flag=True, help="Also show notices (info), such as duplicate-target notes."
)
@reading_options
def lint(
    docs: Path | None,
    output_format: str,
    codes: bool,
    select: str,
    ignore: str,
    notices: bool,
    jobs: int,
    cache_dir: Path | None,
    no_cache: bool,
) -> int:
    """Report markup in DOCS that readers would see broken.

    DOCS is the folder holding snooty.toml (default: [tool.docharness] docs in
    ./pyproject.toml, else docs). Every diagnostic goes to stdout, sorted by
    file and line, paths relative to the current folder; a summary goes to
    stderr. --codes explains the codes (DH0xx reading, DH1xx dialect, DH2xx
    procedures, DH3xx curl/CLI commands and JSON in steps).

    \b
    Notices (info severity) are left out unless --notices or --select names
    them; --select and --ignore take codes or prefixes, comma-separated.

    \b
    Exit codes:
      0  no errors among the diagnostics shown (warnings and notices allowed)
      1  at least one error-severity diagnostic
      2  could not run (no snooty.toml, unreadable files)
    """
    if codes:
        from harness.procedures import lint_codes

        for entry in lint_codes():
            click.echo(f"{entry.code}  {entry.severity.value:<7}  {entry.meaning}")
        return 0
    from harness.rst import ProjectError

    try:
        extraction = _read_project(docs or _setting("docs"), Reading(jobs, cache_dir, no_cache))
    except (ProjectError, UsageProblem, OSError) as error:
        return _fail(str(error))
    diagnostics = chosen(_diagnostics(extraction), select.split(","), ignore.split(","), notices)
    errors = _count(diagnostics, Severity.ERROR)
    warnings = _count(diagnostics, Severity.WARNING)
    if output_format == "json":
        records = [
            {
                "path": d.path,
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                "hint": d.hint,
            }
            for d in diagnostics
        ]
        summary = {"diagnostics": records, "errors": errors, "warnings": warnings}
        click.echo(json.dumps(summary, indent=2))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.format())
    click.echo(
        f"{len(extraction.documents)} pages, {len(diagnostics)} diagnostics "
        f"({errors} errors, {warnings} warnings)",
        err=True,
    )
    return 1 if errors else 0
