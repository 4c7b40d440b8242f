"""``docharness run``: verify the generated features against the Admin API."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness.config import read_project_config
from harness.report import write_reports
from harness.report.write import ReportError
from harness.results import ResultsError, RunResult, StepStatus, load


@dataclass(frozen=True)
class RunOptions:
    features: tuple[Path, ...]
    mode: str
    api_url: str
    keyword: str
    workers: str
    allow_destructive: bool
    allow_unbound: bool
    deploy_timeout: float
    results: Path | None
    quiet: bool
    as_json: bool


@click.command()
@click.argument("features", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--replay",
    "mode",
    flag_value="replay",
    default=True,
    help="Replay cassettes offline (default).",
)
@click.option("--record", "mode", flag_value="record", help="Record cassettes against --api-url.")
@click.option("--live", "mode", flag_value="live", help="Run against --api-url, record nothing.")
@click.option(
    "--api-url",
    default="",
    help="Admin API base URL, e.g. https://services.cloud.mongodb.com/api/admin/v3.0. "
    "With --record or --live and no URL, a local emulator on 127.0.0.1 stands in.",
)
@click.option(
    "-k", "keyword", default="", help="Only scenarios matching this pytest -k expression."
)
@click.option(
    "-n",
    "workers",
    default="",
    help="Run scenarios in N worker processes (pytest-xdist); 'auto' for one per core.",
)
@click.option("--allow-destructive", is_flag=True, help="Allow changing a real (non-local) app.")
@click.option("--allow-unbound", is_flag=True, help="Report unbound steps without failing.")
@click.option(
    "--deploy-timeout",
    type=click.FloatRange(min=0),
    default=120.0,
    show_default=True,
    help="Seconds to wait for a deployment to finish before failing the step.",
)
@click.option(
    "--results",
    type=click.Path(path_type=Path),
    default=None,
    help="Results JSON path (default: reports/results.json); reports are written beside it.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the results JSON instead of a summary."
)
@click.pass_context
def run(ctx: click.Context, /, **options: Any) -> None:
    """Verify every scenario in FEATURES (default: features/) against the Admin API.

    Offline from cassettes/ by default. Live credentials come from
    MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY, the app
    from MONGODB_ATLAS_PROJECT_ID (or DOCHARNESS_GROUP_ID) and DOCHARNESS_APP_ID.
    Writes reports/results.json, reports/index.html, junit.xml and cucumber.json.

    Exit codes: 0 every scenario passed; 1 a step failed or is unbound;
    2 the run could not start.
    """
    ctx.exit(run_features(RunOptions(**options)))


class _ProgressBar:
    """A pytest plugin that shows scenarios done on stderr with rich, for long runs."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("scenarios", total=None)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.progress.update(self.task, total=len(session.items))
        self.progress.start()

    def pytest_runtest_logfinish(self) -> None:
        self.progress.advance(self.task)

    def pytest_sessionfinish(self) -> None:
        self.progress.stop()


def _pytest_args(options: RunOptions, paths: list[str], results_path: Path) -> list[str]:
    args = [*paths, "-p", "no:cacheprovider", f"--docharness-mode={options.mode}"]
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    args += [f"--docharness-results={results_path}", f"--deploy-timeout={options.deploy_timeout}"]
    if options.mode != "replay" and not options.api_url:
        args.append("--docharness-emulator")
    if options.api_url:
        args.append(f"--api-url={options.api_url}")
    if options.keyword:
        args += ["-k", options.keyword]
    if options.workers:
        args += ["-n", options.workers]
    if options.allow_destructive:
        args.append("--allow-destructive")
    if options.allow_unbound:
        args.append("--allow-unbound")
    return args


def run_features(options: RunOptions) -> int:
    """Run pytest on the features, write the reports, print the summary; the exit code."""
    project = read_project_config(Path.cwd())
    paths = [str(p) for p in options.features] or [str(project.features)]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        click.echo(f"docharness: error: no such features path: {', '.join(missing)}", err=True)
        return 2
    results_path = options.results or project.reports / "results.json"
    results_path.unlink(missing_ok=True)
    args = _pytest_args(options, paths, results_path)
    plugins: list[object] = []
    if options.quiet or options.as_json:
        args += ["-qq", "--no-header", "-p", "no:warnings"]
    elif sys.stderr.isatty():
        args += ["-qq", "--no-header"]
        plugins.append(_ProgressBar(Console(stderr=True)))
    else:
        args.append("-q")
    if options.mode != "replay" and not options.api_url and not options.as_json:
        click.echo("Running against a local Admin API emulator on 127.0.0.1", err=True)
    code = pytest.main(args, plugins=plugins)
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        return 2
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        message = "no scenarios found (run `docharness extract` first?)"
        click.echo(f"docharness: error: {message}", err=True)
        return 2
    try:
        outcome = load(results_path)
        write_reports(
            outcome,
            results_path.parent,
            junit=results_path.parent / "junit.xml",
            cucumber=results_path.parent / "cucumber.json",
        )
    except (ResultsError, ReportError) as error:
        click.echo(f"docharness: error: {error}", err=True)
        return 2
    if options.as_json:
        click.echo(results_path.read_text(encoding="utf-8"), nl=False)
    else:
        click.echo(summary(outcome))
    passed = all(p.passed for page in outcome.pages for p in page.procedures)
    if code != pytest.ExitCode.OK and passed:
        message = "pytest reported errors outside the steps; see its output above"
        click.echo(f"docharness: {message}", err=True)
    return 0 if code == pytest.ExitCode.OK else 1


def summary(outcome: RunResult) -> str:
    """Per page: steps by status; every failed or unbound step with its doc file and line."""
    lines = [f"docharness run ({outcome.run.mode}, {outcome.run.target})"]
    for page in outcome.pages:
        steps = [s for proc in page.procedures for s in (*proc.preconditions, *proc.steps)]
        counts = Counter(step.status for step in steps)
        parts = ", ".join(f"{counts[s]} {s.value}" for s in StepStatus if counts[s])
        lines.append(f"{page.path}: {page.title}: {parts}")
        for proc in page.procedures:
            lines.append(f"  {proc.title}: {'passed' if proc.passed else 'FAILED'}")
            for step in (*proc.preconditions, *proc.steps):
                if step.status is StepStatus.FAILED:
                    lines.append(f"    {step.path}:{step.line}: failed: {step.error}")
                elif step.status is StepStatus.UNBOUND:
                    lines.append(f"    {step.path}:{step.line}: unbound: {step.text}")
    return "\n".join(lines)
