"""``docharness report``: render the results of a run, and gate CI on coverage."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from harness.config import read_project_config
from harness.report.coverage import format_coverage, measure
from harness.report.merge import MergeError, merge_results
from harness.report.status import percent
from harness.report.write import ReportError, write_reports
from harness.results import ResultsError, RunResult, StepStatus, load, save

_FilePath = click.Path(path_type=Path, dir_okay=False)


def _fail(ctx: click.Context, message: str) -> NoReturn:
    click.echo(f"docharness: error: {message}", err=True)
    ctx.exit(2)


def read_results(path: Path) -> RunResult:
    """:func:`harness.results.load`, with every way a file can be unusable a ResultsError."""
    try:
        return load(path)
    except UnicodeDecodeError as error:
        raise ResultsError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise ResultsError(f"{path}: nested too deeply to be results") from None


def _merged(ctx: click.Context, sources: tuple[Path, ...], out_dir: Path) -> RunResult:
    """The shards' results as one run, saved as OUTPUT/results.json."""
    shards = []
    for source in sources:
        path = source / "results.json" if source.is_dir() else source
        try:
            shards.append((str(path), read_results(path)))
        except ResultsError as error:
            _fail(ctx, str(error))
    try:
        merged = merge_results(shards)
        save(merged, out_dir / "results.json")
    except MergeError as error:
        _fail(ctx, f"cannot merge: {error}")
    except OSError as error:
        _fail(ctx, f"{error.filename or out_dir}: cannot write results: {error.strerror}")
    click.echo(
        f"docharness: merged {len(shards)} results into {out_dir / 'results.json'}", err=True
    )
    return merged


@click.command("report")
@click.argument(
    "shards", nargs=-1, type=click.Path(path_type=Path, exists=True), metavar="[DIR]..."
)
@click.option(
    "--merge",
    is_flag=True,
    help="Merge the results.json in each DIR (the shards of one run) into OUTPUT/results.json, "
    "then report on the whole run; exit 1 when a scenario failed.",
)
@click.option(
    "--results",
    "results_path",
    type=_FilePath,
    help="The results file a run wrote.  [default: REPORTS/results.json]",
)
@click.option("--html/--no-html", default=True, show_default=True, help="Write OUTPUT/index.html.")
@click.option("--junit", type=_FilePath, help="JUnit XML path.  [default: OUTPUT/junit.xml]")
@click.option(
    "--cucumber", type=_FilePath, help="Cucumber JSON path.  [default: OUTPUT/cucumber.json]"
)
@click.option("--coverage", is_flag=True, help="Print the share of steps per status.")
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="N",
    help="Exit 1 when the verified share of steps (verified / all steps, in %) is below N.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the reports.  [default: REPORTS]",
)
@click.pass_context
def report(
    ctx: click.Context,
    shards: tuple[Path, ...],
    merge: bool,
    results_path: Path | None,
    html: bool,
    junit: Path | None,
    cucumber: Path | None,
    coverage: bool,
    fail_under: float | None,
    out_dir: Path | None,
) -> int:
    """Write the HTML, JUnit and cucumber reports of a run; optionally check coverage.

    REPORTS is the `reports` folder of [tool.docharness] in ./pyproject.toml
    (default: reports), where `docharness run` writes its results.

    With --merge, DIR... are the report folders (or results files) of the shards
    of one run (`docharness run --shard K/N`); pages must not repeat across them.

    Exit 0, or 1 when --fail-under is given and the verified share of steps is
    below it (or, with --merge, when a scenario failed); 2 when the results
    cannot be read or merged, or a report cannot be written.
    """
    if shards and not merge:
        _fail(ctx, "folders to merge were given without --merge")
    if merge and (not shards or results_path is not None):
        _fail(ctx, "--merge takes the shards' folders, DIR..., and no --results")
    if results_path is None or out_dir is None:
        try:
            reports = read_project_config(Path.cwd()).reports
        except ValueError as error:
            _fail(ctx, str(error))
        results_path = results_path or reports / "results.json"
        out_dir = out_dir or reports
    if merge:
        result = _merged(ctx, shards, out_dir)
    else:
        try:
            result = read_results(results_path)
        except ResultsError as error:
            _fail(ctx, str(error))
    try:
        written = write_reports(result, out_dir, html=html, junit=junit, cucumber=cucumber)
    except ReportError as error:
        _fail(ctx, str(error))
    except OSError as error:
        _fail(ctx, f"{error.filename or out_dir}: cannot write report: {error.strerror}")
    for path in written:
        click.echo(f"docharness: wrote {path}", err=True)
    measured = measure(result)
    if coverage:
        click.echo(format_coverage(measured), nl=False)
    if fail_under is not None:
        steps = measured.steps
        share = (
            f"{percent(measured.verified_share)} "
            f"({steps.count(StepStatus.VERIFIED)} of {steps.total} steps)"
        )
        below = measured.below(fail_under)
        verdict = "is below" if below else "meets"
        click.echo(
            f"docharness: verified share {share} {verdict} --fail-under {fail_under:g}", err=True
        )
        if below:
            ctx.exit(1)
    if merge and not result.passed:
        click.echo("docharness: a scenario failed in the merged run", err=True)
        return 1
    return 0
