"""``docharness run``: verify the generated features against the Admin API."""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import click
import pytest

from harness.config import read_project_config
from harness.emulator import Emulator
from harness.results import ResultsError, RunResult, StepStatus, load


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
    "With --record or --live and no URL, a local emulator is started on 127.0.0.1.",
)
@click.option(
    "-k", "keyword", default="", help="Only scenarios matching this pytest -k expression."
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
@click.option("--results", type=click.Path(path_type=Path), default=None, help="Results JSON path.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the results JSON instead of a summary."
)
def run(
    features: tuple[Path, ...],
    mode: str,
    api_url: str,
    keyword: str,
    allow_destructive: bool,
    allow_unbound: bool,
    deploy_timeout: float,
    results: Path | None,
    quiet: bool,
    as_json: bool,
) -> int:
    """Run pytest on the features and print the summary; returns the exit code."""
    project = read_project_config(Path.cwd())
    paths = [str(p) for p in features] or [str(project.features)]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        click.echo(f"docharness: error: no such features path: {', '.join(missing)}", err=True)
        return 2
    results_path = results or project.reports / "results.json"
    results_path.unlink(missing_ok=True)
    with ExitStack() as stack:
        args = [*paths, "-p", "no:cacheprovider", f"--docharness-mode={mode}"]
        args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
        args.append(f"--docharness-results={results_path}")
        if mode != "replay" and not api_url:
            emulator = stack.enter_context(Emulator())
            api_url = emulator.url
            args.append("--docharness-reset")
            if not quiet and not as_json:
                click.echo(f"Started the local Admin API emulator at {api_url}", err=True)
        if api_url:
            args.append(f"--api-url={api_url}")
        if keyword:
            args += ["-k", keyword]
        if allow_destructive:
            args.append("--allow-destructive")
        if allow_unbound:
            args.append("--allow-unbound")
        args.append(f"--deploy-timeout={deploy_timeout}")
        args += ["-qq", "--no-header", "-p", "no:warnings"] if quiet or as_json else ["-q"]
        code = pytest.main(args)
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        return 2
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        click.echo(
            "docharness: error: no scenarios found (run `docharness extract` first?)", err=True
        )
        return 2
    try:
        outcome = load(results_path)
    except ResultsError as error:
        click.echo(f"docharness: error: {error}", err=True)
        return 2
    if as_json:
        click.echo(results_path.read_text(encoding="utf-8"), nl=False)
    else:
        click.echo(summary(outcome))
    if code != pytest.ExitCode.OK and all(
        p.passed for page in outcome.pages for p in page.procedures
    ):
        click.echo(
            "docharness: pytest reported errors outside the steps; see its output above", err=True
        )
    return 0 if code == pytest.ExitCode.OK else 1


def summary(outcome: RunResult) -> str:
    """Per page: steps by status; every failed or unbound step with its doc file and line."""
    lines = [f"docharness run ({outcome.run.mode}, {outcome.run.target})"]
    for page in outcome.pages:
        steps = [s for proc in page.procedures for s in (*proc.preconditions, *proc.steps)]
        counts = Counter(step.status for step in steps)
        parts = ", ".join(
            f"{counts[status]} {status.value}" for status in StepStatus if counts[status]
        )
        lines.append(f"{page.path}: {page.title}: {parts}")
        for proc in page.procedures:
            verdict = "passed" if proc.passed else "FAILED"
            lines.append(f"  {proc.title}: {verdict}")
            for step in (*proc.preconditions, *proc.steps):
                if step.status is StepStatus.FAILED:
                    lines.append(f"    {step.path}:{step.line}: failed: {step.error}")
                elif step.status is StepStatus.UNBOUND:
                    lines.append(f"    {step.path}:{step.line}: unbound: {step.text}")
    return "\n".join(lines)
