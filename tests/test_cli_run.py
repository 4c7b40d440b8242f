"""``docharness run`` and ``report`` on a user's mistakes and in machine-readable modes:
a clear message and the documented exit code, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import cli
from harness.emulator import Emulator, Faults
from harness.results import (
    PageResult,
    ProcedureResult,
    RunInfo,
    RunResult,
    StepResult,
    StepStatus,
    save,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed project, its features extracted by this checkout."""
    repo = Path(__file__).resolve().parents[1]
    root = tmp_path_factory.mktemp("run") / "project"
    root.mkdir()
    for name in ("docs", "cassettes"):
        shutil.copytree(repo / name, root / name)
    shutil.copy(repo / "pyproject.toml", root / "pyproject.toml")
    done = _run(root, "extract", "docs", "-o", "features")
    assert done.returncode == 0, done.stderr
    return root


def _run(
    root: Path, *args: str, env: dict[str, str] | None = None, module: str = "harness"
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_ATLAS_")}
    environ.pop("DOCHARNESS_APP_ID", None)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert message in done.stderr, output
    assert "Traceback" not in output
    assert "cannot read results" not in output


@pytest.mark.parametrize(
    ("results", "message"),
    [("/proc/nope/results.json", "cannot create the reports folder"), ("docs", "is a folder")],
)
def test_an_unwritable_results_path_stops_the_run_before_it_starts(
    project: Path, results: str, message: str
) -> None:
    done = _run(project, "run", "--live", "--results", results)
    _refused(done, message)
    assert "Running against" not in done.stderr  # nothing started


@pytest.mark.parametrize("command", [["run"], ["cassettes"], ["report"]])
def test_a_malformed_tool_table_is_exit_2(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.docharness\nfeatures = 1\n")
    _refused(_run(tmp_path, *command), "pyproject.toml: malformed")


@pytest.mark.parametrize(
    ("data", "message"),
    [(b'{"schema": "\xff\xfe"}', "not UTF-8"), (b"[" * 100_000, "nested too deeply")],
    ids=["not utf-8", "deeply nested"],
)
def test_report_on_an_unreadable_results_file_is_exit_2(
    tmp_path: Path, data: bytes, message: str
) -> None:
    (tmp_path / "results.json").write_bytes(data)
    _refused(_run(tmp_path, "report", "--results", "results.json", "-o", "out"), message)


def test_a_lone_surrogate_in_an_error_still_gives_every_report(tmp_path: Path) -> None:
    step = StepResult(
        "When", "click", "action", "docs/x.txt", 3, StepStatus.FAILED, error="bad \ud800 body"
    )
    procedure = ProcedureResult("x/p", "P", "features/x.feature", 4, (step,))
    result = RunResult(
        RunInfo("live", "t", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00"),
        (PageResult("x", "docs/x.txt", "X", (procedure,)),),
    )
    save(result, tmp_path / "results.json")
    done = CliRunner().invoke(
        cli, ["report", "--results", str(tmp_path / "results.json"), "-o", str(tmp_path)]
    )
    assert done.exit_code == 0, done.output
    for name in ("index.html", "junit.xml", "cucumber.json"):
        assert "ud800" in (tmp_path / name).read_text(encoding="utf-8")


def test_cassettes_with_a_binary_spec_is_exit_2(project: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(bytes(range(256)) * 8)
    _refused(_run(project, "cassettes", "--spec", str(spec)), "not an OpenAPI document")


def test_a_gherkin_syntax_error_is_one_line_and_exit_2(project: Path, tmp_path: Path) -> None:
    features = tmp_path / "features"
    shutil.copytree(project / "features", features)
    broken = next(features.rglob("*.feature"))
    broken.write_text(broken.read_text().replace("  Scenario:", "  Scenaaario:", 1))
    done = _run(project, "run", "--live", str(features))
    _refused(done, "the run stopped before its scenarios ran")
    assert "not valid Gherkin: Scenaaario:" in done.stdout + done.stderr


def test_missing_live_settings_are_named_before_any_scenario(project: Path) -> None:
    done = _run(project, "run", "--live", "--api-url", "https://services.example.com/api/x")
    _refused(done, "MONGODB_ATLAS_PUBLIC_API_KEY")
    assert "fixture" not in done.stdout + done.stderr


def test_an_invalid_api_url_is_exit_2(project: Path) -> None:
    _refused(_run(project, "run", "--live", "--api-url", "not a url"), "is not an http(s) URL")


@pytest.fixture(scope="module")
def failing() -> Iterator[Emulator]:
    """A product whose deployments fail: the seed page's deploy steps fail against it."""
    emulator = Emulator(faults=Faults(fail_deploys="deployment failed on purpose")).start()
    yield emulator
    emulator.stop()


def test_json_prints_only_the_results(project: Path) -> None:
    done = _run(project, "run", "--live", "--json", "--results", "j/results.json")
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["schema"] == "docharness.results/1"


def test_quiet_prints_the_summary_with_totals_and_report_path(project: Path) -> None:
    done = _run(project, "run", "--live", "-q", "--results", "q/results.json")
    assert done.returncode in (0, 1), done.stderr
    assert "passed in" not in done.stdout and "failed in" not in done.stdout
    assert "[100%]" not in done.stdout
    lines = done.stdout.splitlines()
    assert lines[-2].startswith("total: 3 scenarios, ")
    assert lines[-1] == f"report: {Path('q/index.html')}"
    assert "Running against" not in done.stderr


def test_a_failure_is_printed_once(project: Path, failing: Emulator) -> None:
    done = _run(project, "run", "--live", "--api-url", failing.url, "--results", "f/r.json")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("deployment failed on purpose") >= 2  # pytest's, and the summary
    assert "During handling" not in done.stdout + done.stderr


def test_plain_pytest_writes_every_report_without_unknown_marks(project: Path) -> None:
    shutil.rmtree(project / "reports", ignore_errors=True)
    done = _run(
        project,
        "features",
        "-q",
        "-p",
        "no:cacheprovider",
        "--docharness-mode=live",
        "--docharness-emulator",
        "-W",
        "error::pytest.PytestUnknownMarkWarning",
        module="pytest",
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "PytestUnknownMarkWarning" not in done.stdout + done.stderr
    for name in ("results.json", "index.html", "junit.xml", "cucumber.json"):
        assert (project / "reports" / name).is_file(), name


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux `script` for a tty")
def test_on_a_terminal_the_progress_bar_is_not_torn_by_pytest_dots(project: Path) -> None:
    command = f"{sys.executable} -m harness run --live --results t/results.json"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_ATLAS_")}
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "verifying" in done.stdout  # the bar was drawn
    assert "total: 3 scenarios" in done.stdout
    assert "..." not in done.stdout and "[100%]" not in done.stdout
