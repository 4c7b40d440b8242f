"""Write the reports of a run into a folder: what ``docharness report`` and ``docharness run`` call.

A report path may be one a person chose (``--junit ci/junit.xml``), so a file
is only replaced when it is empty or already a generated report of its kind;
anything else is refused before a single report is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from harness.fileio import write_atomic
from harness.report.cucumber import render_cucumber
from harness.report.html import GENERATOR, render_html
from harness.report.junit import GENERATED_MARK, render_junit
from harness.results import RunResult

HTML_NAME = "index.html"
JUNIT_NAME = "junit.xml"
CUCUMBER_NAME = "cucumber.json"


class ReportError(Exception):
    """A report that must not be written: its path holds a file a person wrote."""


def _is_our_html(text: str) -> bool:
    return f'<meta name="generator" content="{GENERATOR}">' in text


def _is_our_junit(text: str) -> bool:
    return GENERATED_MARK in text[:500]


def _is_cucumber_report(text: str) -> bool:
    """Cucumber JSON carries no generator mark, so accept any cucumber report:
    those are tool output, never hand-written."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(data, list) and all(
        isinstance(feature, dict) and "uri" in feature and "elements" in feature for feature in data
    )


def _check_replaceable(path: Path, generated: Callable[[str], bool]) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError) as error:
        raise ReportError(f"{path}: cannot check before overwriting: {error}") from None
    if text.strip() and not generated(text):
        raise ReportError(
            f"{path}: refusing to overwrite a file docharness did not generate; "
            "move it or choose another path"
        )


def write_reports(
    result: RunResult,
    out_dir: Path,
    *,
    html: bool = True,
    junit: Path | None = None,
    cucumber: Path | None = None,
) -> list[Path]:
    """Write index.html (unless ``html`` is false), junit.xml and cucumber.json.

    ``junit`` and ``cucumber`` default to files in ``out_dir``. Returns the paths
    written, in that order. Raises :class:`ReportError` (nothing written) when a
    target holds a file that is not a generated report.
    """
    plan: list[tuple[Path, Callable[[str], bool], Callable[[RunResult], str]]] = []
    if html:
        plan.append((out_dir / HTML_NAME, _is_our_html, render_html))
    plan.append((junit or out_dir / JUNIT_NAME, _is_our_junit, render_junit))
    plan.append((cucumber or out_dir / CUCUMBER_NAME, _is_cucumber_report, render_cucumber))
    for path, generated, _ in plan:
        _check_replaceable(path, generated)
    for path, _, render in plan:
        write_atomic(path, render(result))
    return [path for path, _, _ in plan]
