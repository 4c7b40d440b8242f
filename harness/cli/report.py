"""``docharness report``: render the results of a run, and gate CI on coverage."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from harness.config import read_project_config
from harness.report.coverage import format_coverage, measure
from harness.report.status import percent
from harness.report.write import ReportError, write_reports
from harness.results import ResultsError, StepStatus, load

_FilePath = click.Path(path_type=Path, dir_okay=False)


def _fail(ctx: click.Context, message: str) -> NoReturn:
    click.echo(f"docharness: error: {message}", err=True)
    ctx.exit(2)


@click.command("report")
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

    Exit 0, or 1 when --fail-under is given and the verified share of steps is
    below it; 2 when the results cannot be read or a report cannot be written.
    """
    if results_path is None or out_dir is None:
        try:
            reports = read_project_config(Path.cwd()).reports
        except ValueError as error:
            _fail(ctx, str(error))
        results_path = results_path or reports / "results.json"
        out_dir = out_dir or reports
    try:
        result = load(results_path)
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
    return 0
