"""The reports a real run writes: JUnit at doc lines, and the HTML page in real Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_project import Project

from harness.emulator import Emulator

SEED = "docs/source/reference/terminating-and-reenabling-realm-sync.txt"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _rendered_text(index: Path, profile: Path) -> str:
    """The page as Chromium renders it, tags stripped to text."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            index.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return " ".join(re.sub(r"<[^>]+>", " ", done.stdout).split())


def test_junit_of_a_replayed_run_points_at_doc_lines(project: Project) -> None:
    assert project.docharness("run").code == 0
    suites = ET.parse(project.root / "reports/junit.xml").getroot()
    cases = {case.get("name"): case for case in suites.iter("testcase")}
    terminate = next(case for name, case in cases.items() if "Terminate Realm Sync" in str(name))
    assert (terminate.get("file"), terminate.get("line")) == (SEED, "66")
    assert not any(case.find("failure") is not None for case in cases.values())


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed; CI installs it")
def test_failing_run_shows_the_failure_in_the_html_report(
    project: Project, emulator_with: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator = emulator_with(fail_deploys="cluster Cluster0 is paused")
    done = project.docharness("run", "--live", "--api-url", emulator.url, "-k", "terminate")
    assert done.code == 1
    text = _rendered_text(project.root / "reports/index.html", tmp_path / "profile")
    assert "Terminate Realm Sync" in text
    assert "cluster Cluster0 is paused" in text
    assert "UI only" in text and "Failed" in text
    junit = ET.parse(project.root / "reports/junit.xml").getroot()
    failure = next(junit.iter("failure"))
    assert f"{SEED}:84" in (failure.get("message") or "")
