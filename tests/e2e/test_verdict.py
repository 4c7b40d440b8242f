"""One verdict everywhere: exit code, summary, results.json, JUnit, cucumber and the HTML
report say the same, with and without --allow-unbound; and run refuses stale features."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

from e2e_project import Completed, Project

from harness.emulator import Emulator
from harness.results import load

SEED = "docs/source/reference/terminating-and-reenabling-realm-sync.txt"


def _verdicts(project: Project, done: Completed) -> dict[str, bool]:
    """Whether each output says the run passed."""
    reports = project.root / "reports"
    junit = ET.parse(reports / "junit.xml").getroot()
    cucumber = json.loads((reports / "cucumber.json").read_text(encoding="utf-8"))
    statuses = {
        step["result"]["status"]
        for feature in cucumber
        for scenario in feature["elements"]
        for step in scenario["steps"]
    }
    html = (reports / "index.html").read_text(encoding="utf-8")
    return {
        "exit code": done.code == 0,
        "summary": "FAILED" not in done.stdout and " 0 failed;" in done.stdout,
        "results.json": load(reports / "results.json").passed,
        "junit": junit.get("failures") == "0",
        "cucumber": statuses <= {"passed", "skipped"} and "failed" not in statuses,
        "html": '<h2 id="verdict-title">Passed' in html and "<title>Passed" in html,
    }


def test_a_failed_precondition_fails_every_output(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    emulator = emulator_with(sync_terminated=True)
    done = project.docharness("run", "--live", "--api-url", emulator.url, "-k", "terminate")
    assert set(_verdicts(project, done).values()) == {False}, done.output
    html = (project.root / "reports/index.html").read_text(encoding="utf-8")
    assert html.index('id="verdict-title">Failed') < html.index('id="summary-title"')
    case = ET.parse(project.root / "reports/junit.xml").getroot().find(".//testcase")
    assert case is not None and case.get("line") == "66" and case.get("file") == SEED


def test_allowed_unbound_steps_pass_every_output(project: Project) -> None:
    page = project.seed
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "red :guilabel:`Terminate Sync` button.", "red :guilabel:`Disable Sync` button.", 1
        ),
        encoding="utf-8",
    )
    assert project.docharness("extract", "docs", "-o", "features").code in (0, 1)
    strict = project.docharness("run", "-k", "terminate")
    assert set(_verdicts(project, strict).values()) == {False}, strict.output
    allowed = project.docharness("run", "-k", "terminate", "--allow-unbound")
    assert set(_verdicts(project, allowed).values()) == {True}, allowed.output
    assert f"{SEED}:66: unbound" in allowed.stdout


def test_a_passing_run_passes_every_output_with_ui_only_steps(project: Project) -> None:
    """The bundled docs pass with the real page's one known finding, reported everywhere."""
    done = project.docharness("run")
    assert set(_verdicts(project, done).values()) == {True}, done.output
    html = (project.root / "reports/index.html").read_text(encoding="utf-8")
    assert '<h2 id="verdict-title">Passed, but for known findings</h2>' in html
    junit = ET.parse(project.root / "reports/junit.xml").getroot()
    assert junit.get("skipped") == "2"  # Enable Sync and Re-enable Realm Sync


def test_without_its_known_finding_the_real_page_fails_every_output(project: Project) -> None:
    (project.root / "docs/known-findings.toml").unlink()
    done = project.docharness("run")
    assert set(_verdicts(project, done).values()) == {False}, done.output


def test_run_refuses_stale_features_and_extract_regenerates_them(project: Project) -> None:
    page = project.seed
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "Click the :guilabel:`Review", "Now click the :guilabel:`Review", 1
        ),
        encoding="utf-8",
    )
    stale = project.docharness("run")
    assert stale.code == 1, stale.output
    assert "features/reference/terminating-and-reenabling-realm-sync.feature" in stale.stderr
    assert "docharness run --extract" in stale.stderr
    assert not (project.root / "reports/results.json").exists()
    fresh = project.docharness("run", "--extract", "-k", "terminate")
    assert (
        "regenerated features/reference/terminating-and-reenabling-realm-sync.feature"
        in fresh.stderr
    )
    assert fresh.code == 0, fresh.output  # the changed wording still binds and replays
    assert project.docharness("extract", "docs", "-o", "features", "--check").code == 0


def test_pytest_on_the_features_fails_on_a_failed_precondition(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    emulator = emulator_with(sync_terminated=True)
    done = project.python(
        "-m",
        "pytest",
        "features",
        "-q",
        "-k",
        "terminate",
        "-p",
        "no:cacheprovider",
        "--docharness-mode=live",
        f"--api-url={emulator.url}",
    )
    assert done.code == 1, done.output
    assert "precondition 'sync-is-enabled' does not hold" in done.output
