"""The HTML report in a real browser: headless Chromium renders it offline and shows every status.

Chromium parses the file exactly as a reader's browser would, so a markup slip
that hides a step or a badge fails here even when the string looks right. The
test skips when no Chromium is installed (Debian: ``apt-get install chromium``);
CI installs it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_report_fixtures import DEPLOY_ERROR, failing_result, seed_result, steps_of

from harness.report import write_reports
from harness.report.status import LABELS
from harness.results import RunResult, StepStatus

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium); CI installs it",
)

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _chromium(tmp_path: Path, name: str, *args: str) -> str:
    assert CHROMIUM is not None
    profile = tmp_path / f"profile-{name}"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _render(result: RunResult, tmp_path: Path) -> Path:
    [index, *_] = write_reports(result, tmp_path / "reports")
    return index


def test_chromium_shows_every_step_with_a_status(tmp_path: Path) -> None:
    index = _render(seed_result(), tmp_path)
    dom = _chromium(tmp_path, "dom", "--dump-dom", index.as_uri())
    steps = steps_of(dom, "Terminate Realm Sync")
    assert len(steps) == 6  # the precondition, four numbered steps and the outcome
    for status, text in steps:
        assert LABELS[StepStatus(status)] in text
    assert [status for status, _ in steps].count("ui-only") == 1

    screenshot = tmp_path / "report.png"
    _chromium(
        tmp_path, "shot", f"--screenshot={screenshot}", "--window-size=1280,2000", index.as_uri()
    )
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chromium_shows_the_failure(tmp_path: Path) -> None:
    index = _render(failing_result(), tmp_path)
    dom = _chromium(tmp_path, "dom", "--dump-dom", index.as_uri())
    failed = [text for status, text in steps_of(dom, "Terminate Realm Sync") if status == "failed"]
    assert len(failed) == 1
    assert DEPLOY_ERROR in failed[0] and "Failed" in failed[0]
