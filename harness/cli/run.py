"""``docharness run``: verify the generated features against the Admin API."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness.cli.report import read_results
from harness.config import ConfigError, ProjectConfig, is_loopback, read_project_config
from harness.plugin.shard import parse_shard
from harness.report import write_reports
from harness.report.write import ReportError
from harness.results import ResultsError, RunInfo, RunResult, StepResult, StepStatus, save


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
    shard: str = ""
    extract: bool = False
    record_failed: bool = False


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
@click.option(
    "--shard",
    metavar="K/N",
    default="",
    callback=lambda _ctx, _param, value: _check_shard(value),
    help="Run only shard K of N (pages dealt to N shards, balanced by step count); "
    "merge the shards' results with `docharness report --merge`.",
)
@click.option(
    "--record-failed",
    is_flag=True,
    help="With --record, also replace the cassettes of scenarios that failed "
    "(by default a failed scenario keeps its old cassette; a first one is always kept).",
)
@click.option(
    "--extract",
    is_flag=True,
    help="Regenerate features/ from the docs first (without it, stale features stop the run).",
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
    from MONGODB_ATLAS_PROJECT_ID (or DOCHARNESS_GROUP_ID) and DOCHARNESS_APP_ID;
    live shards of a remote app take theirs from DOCHARNESS_SHARD_APPS (N
    distinct ids, comma-separated). Writes reports/results.json,
    reports/index.html, junit.xml and cucumber.json.

    pytest runs with only the plugins a run needs (pytest-bdd, docharness, and
    xdist with -n); name others in PYTEST_PLUGINS, or run `pytest features/`.

    Exit codes: 0 every scenario passed; 1 a step failed or is unbound;
    2 the run could not start.
    """
    ctx.exit(run_features(RunOptions(**options)))


SHARD_APPS_VAR = "DOCHARNESS_SHARD_APPS"
APP_ID_VAR = "DOCHARNESS_APP_ID"


def _check_shard(value: str) -> str:
    if value:
        try:
            parse_shard(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
    return value


class UsageProblem(Exception):
    """The run cannot start as asked (exit 2); found before any scenario runs."""


def shard_app(options: RunOptions, environ: dict[str, str] | os._Environ[str]) -> str | None:
    """The app this live shard must use, or None when sharing an app cannot happen.

    Shards of a run against a real app would change one app's state at the same
    time; each needs its own. Every job of the CI matrix gets the same list,
    DOCHARNESS_SHARD_APPS (N distinct app ids), and shard K uses the K-th, so
    each job can check that no two shards share an app without talking to the others.
    """
    if not options.shard or options.mode == "replay" or not options.api_url:
        return None  # replay needs no app; without --api-url each shard starts its own emulator
    if is_loopback(options.api_url):
        return None  # 127.0.0.1 is this machine: every CI job has its own
    index, count = parse_shard(options.shard)
    apps = [app.strip() for app in environ.get(SHARD_APPS_VAR, "").split(",") if app.strip()]
    if len(apps) != count or len(set(apps)) != count:
        raise UsageProblem(
            f"refusing to run shard {options.shard} against {options.api_url}: shards must not "
            f"share an app. Set {SHARD_APPS_VAR} to {count} distinct app ids, comma-separated "
            f"(found {len(set(apps))} distinct); shard K uses the K-th."
        )
    chosen = apps[index - 1]
    given = environ.get(APP_ID_VAR, "").strip()
    if given and given != chosen:
        raise UsageProblem(
            f"{APP_ID_VAR}={given} but {SHARD_APPS_VAR} gives shard {options.shard} the app "
            f"{chosen}; unset {APP_ID_VAR} or make the two agree"
        )
    return chosen


def _check_results_path(path: Path) -> None:
    """Fail before running when the results (and the reports beside them) cannot be written."""
    if path.is_dir():
        raise UsageProblem(f"{path}: is a folder; --results takes a file path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = f"{path.parent}: cannot create the reports folder: {error.strerror}"
        raise UsageProblem(message) from None
    if not os.access(path.parent, os.W_OK):
        raise UsageProblem(f"{path.parent}: the reports folder is not writable")


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
    # Only the plugins a run needs, whatever else the environment has installed, and no
    # assertion rewriting (features hold no asserts): start-up is most of a short run.
    args += ["--disable-plugin-autoload", "-p", "pytest_bdd.plugin", "-p", "harness.plugin"]
    # pytest's unraisable-exception plugin runs two full garbage collections at exit,
    # over a heap that holds the spec and the emulator: a few tenths of a second.
    args += ["--assert=plain", "-p", "no:unraisableexception"]
    args += [f"--docharness-results={results_path}", f"--deploy-timeout={options.deploy_timeout}"]
    args.append("--docharness-no-reports")  # written below, with errors reported our way
    if options.mode != "replay" and not options.api_url:
        args.append("--docharness-emulator")
    if options.api_url:
        args.append(f"--api-url={options.api_url}")
    if options.keyword:
        args += ["-k", options.keyword]
    if options.workers:
        args += ["-p", "xdist.plugin", "-n", options.workers]
    if options.allow_destructive:
        args.append("--allow-destructive")
    if options.allow_unbound:
        args.append("--allow-unbound")
    if options.record_failed:
        args.append("--docharness-record-failed")
    if options.shard:
        args.append(f"--docharness-shard={options.shard}")
    return args


def run_features(options: RunOptions) -> int:
    """Run pytest on the features, write the reports, print the summary; the exit code."""
    try:
        project = read_project_config(Path.cwd())
        results_path = options.results or project.reports / "results.json"
        _check_results_path(results_path)
        app = shard_app(options, os.environ)
    except (ConfigError, UsageProblem) as error:
        click.echo(f"docharness: error: {error}", err=True)
        return 2
    paths = [str(p) for p in options.features] or [str(project.features)]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        click.echo(f"docharness: error: no such features path: {', '.join(missing)}", err=True)
        return 2
    stale = _stale_features(project, paths, regenerate=options.extract)
    if stale is not None:
        return stale
    if app:
        os.environ[APP_ID_VAR] = app
    results_path.unlink(missing_ok=True)
    args = _pytest_args(options, paths, results_path)
    plugins: list[object] = []
    # pytest's own output goes to a buffer when it would be noise (quiet, JSON) or
    # would tear the progress bar; it is shown when the run could not be completed.
    captured: io.StringIO | None = io.StringIO()
    if options.quiet or options.as_json:
        args += ["-qq", "--no-header", "-p", "no:warnings"]
    elif sys.stderr.isatty():
        args += ["-qq", "--no-header"]
        plugins.append(_ProgressBar(Console(stderr=True)))
    else:
        args.append("-q")
        captured = None
    if options.mode != "replay" and not options.api_url and not options.quiet:
        click.echo("Running against a local Admin API emulator on 127.0.0.1", err=True)
    with contextlib.redirect_stdout(captured) if captured else contextlib.nullcontext():
        code = pytest.main(args, plugins=plugins)
    if code in (
        pytest.ExitCode.USAGE_ERROR,
        pytest.ExitCode.INTERNAL_ERROR,
        pytest.ExitCode.INTERRUPTED,
    ):
        if captured:
            sys.stderr.write(captured.getvalue())
        if code == pytest.ExitCode.INTERRUPTED:
            message = "the run stopped before its scenarios ran (see the errors above)"
            click.echo(f"docharness: error: {message}", err=True)
        return 2
    if code == pytest.ExitCode.NO_TESTS_COLLECTED and options.shard:
        click.echo(f"docharness: shard {options.shard} has no scenarios", err=True)
        save(_empty_results(options), results_path)
    elif code == pytest.ExitCode.NO_TESTS_COLLECTED:
        message = "no scenarios found (run `docharness extract` first?)"
        click.echo(f"docharness: error: {message}", err=True)
        return 2
    try:
        outcome = read_results(results_path)
        write_reports(
            outcome,
            results_path.parent,
            junit=results_path.parent / "junit.xml",
            cucumber=results_path.parent / "cucumber.json",
        )
    except (ResultsError, ReportError) as error:
        click.echo(f"docharness: error: {error}", err=True)
        return 2
    except OSError as error:
        click.echo(f"docharness: error: {error.filename}: cannot write: {error.strerror}", err=True)
        return 2
    if options.as_json:
        click.echo(results_path.read_text(encoding="utf-8"), nl=False)
    else:
        report = results_path.parent / "index.html"
        with contextlib.suppress(ValueError):  # shown relative to the current folder when below it
            report = report.resolve().relative_to(Path.cwd().resolve())
        click.echo(summary(outcome, report))
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        return 0
    passed = outcome.passed
    if code != pytest.ExitCode.OK and passed:
        message = "pytest reported errors outside the steps; see its output above"
        click.echo(f"docharness: {message}", err=True)
    return 0 if code == pytest.ExitCode.OK and passed else 1


def _stale_features(project: ProjectConfig, paths: list[str], *, regenerate: bool) -> int | None:
    """Stop (exit 1) when features/ is not what `extract` writes now, naming the stale files;
    with ``regenerate``, write them first. None: go on. Only the project's own features
    folder is checked, and only when its docs folder holds snooty.toml."""
    features = project.features.resolve()
    inside = all(Path(p).resolve().is_relative_to(features) for p in paths)
    if not inside or not (project.docs / "snooty.toml").is_file():
        return None
    from harness.plugin.freshness import regenerate as write_again
    from harness.plugin.freshness import stale_features
    from harness.rst import ProjectError

    try:
        if regenerate:
            changed, refused = write_again(project.docs, project.features)
            for path in refused:
                click.echo(f"docharness: error: {path}: hand-written, not overwritten", err=True)
            if refused:
                return 1
            if changed:
                click.echo(f"docharness: regenerated {', '.join(changed)}", err=True)
            return None
        stale = stale_features(project.docs, project.features)
    except (ProjectError, OSError) as error:
        click.echo(f"docharness: error: {error}", err=True)
        return 2
    if not stale:
        return None
    click.echo(
        "docharness: error: the features are stale (the docs changed since `docharness "
        f"extract`): {', '.join(stale)}. Run `docharness extract`, or `docharness run "
        "--extract`.",
        err=True,
    )
    return 1


def _empty_results(options: RunOptions) -> RunResult:
    """The results of a shard that no page fell to: nothing ran, nothing failed."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    info = RunInfo(options.mode, "", started, started, allow_unbound=options.allow_unbound)
    return RunResult(run=info, pages=())


def summary(outcome: RunResult, report: Path | None = None) -> str:
    """Per page: steps by status; every failed or unbound step with its doc file and line;
    then the totals, and where the report is."""
    lines = [f"docharness run ({outcome.run.mode}, {outcome.run.target})"]
    for page in outcome.pages:
        steps = [s for proc in page.procedures for s in (*proc.preconditions, *proc.steps)]
        counts = Counter(step.status for step in steps)
        parts = ", ".join(f"{counts[s]} {s.value}" for s in StepStatus if counts[s])
        lines.append(f"{page.path}: {page.title}: {parts}")
        for proc in page.procedures:
            verdict = "passed" if outcome.procedure_passed(proc) else "FAILED"
            if proc.known_findings and outcome.procedure_passed(proc):
                verdict = "passed, but for a known finding"
            lines.append(f"  {proc.title}: {verdict}")
            for draft in proc.undiscarded_drafts:
                lines.append(f"    draft {draft} could not be discarded: the app has an open draft")
            for step in (*proc.preconditions, *proc.steps):
                if step.status is StepStatus.FAILED:
                    known = f" (known finding, {step.known})" if step.known else ""
                    lines.append(f"    {step.path}:{step.line}: failed{known}: {step.error}")
                elif step.status is StepStatus.UNBOUND:
                    lines.append(f"    {step.path}:{step.line}: unbound: {step.text}")
    for source in outcome.run.known_unused:
        lines.append(f"{source}: this known finding did not occur: remove it if the page is fixed")
    lines.append(total(outcome))
    if report is not None:
        lines.append(f"report: {report}")
    return "\n".join(lines)


def total(outcome: RunResult) -> str:
    """One line for the whole run: scenarios passed and failed, steps by status.

    Steps are the page's, counted as the HTML report counts them; preconditions apart.
    """
    procedures = [proc for page in outcome.pages for proc in page.procedures]
    failed = sum(1 for proc in procedures if not outcome.procedure_passed(proc))
    steps = [s for proc in procedures for s in proc.steps]
    preconditions = [s for proc in procedures for s in proc.preconditions]
    line = (
        f"total: {len(procedures)} scenarios, {len(procedures) - failed} passed, "
        f"{failed} failed; {len(steps)} steps: {_by_status(steps)}"
    )
    if preconditions:
        line += f"; {len(preconditions)} preconditions: {_by_status(preconditions)}"
    return line


def _by_status(steps: list[StepResult]) -> str:
    counts = Counter(step.status for step in steps)
    return ", ".join(f"{counts[s]} {s.value}" for s in StepStatus if counts[s]) or "none"
