"""Result badges: what the last ``docharness run`` found, on the built HTML page.

With a results file (``docharness_results`` in conf.py, relative to conf.py;
by default ``<project root>/../reports/results.json``, where ``docharness
run`` writes it; an empty string turns badges off), each procedure gets a line
"verified on DATE against TARGET: passed|failed (counts)" and each step a
small badge with its status word (a failed step also shows the error).
Results are matched to the page by procedure id and step file and line as the
extractor gives them today (so a build with results runs the extractor once):
results from an older version of a page match only where its steps have not
moved, and the rest are counted in a note. No results file means no badges and
no warning; a file that cannot be read is a warning naming it.
"""

from __future__ import annotations

import datetime
import weakref
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from harness.fileio import write_atomic
from harness.procedures import Extraction, extract_project
from harness.procedures.model import SourceLocation
from harness.results import (
    ProcedureResult,
    ResultsError,
    RunInfo,
    RunResult,
    StepResult,
    StepStatus,
    load,
)
from harness.rst import Project, ProjectError
from harness.sphinxext.project import project_of

logger = logging.getLogger(__name__)

RESULTS_SETTING = "docharness_results"
CSS_FILE = "docharness.css"

# Which status a step shows when several runs of it disagree (a followed
# procedure runs another page's steps again): the worst one.
_WORST_FIRST = (
    StepStatus.FAILED,
    StepStatus.UNBOUND,
    StepStatus.SKIPPED,
    StepStatus.EXTERNAL,
    StepStatus.UI_ONLY,
    StepStatus.VERIFIED,
)
_SHOWN = {
    StepStatus.VERIFIED: "verified",
    StepStatus.UI_ONLY: "UI only",
    StepStatus.EXTERNAL: "external",
    StepStatus.UNBOUND: "unbound",
    StepStatus.FAILED: "failed",
    StepStatus.SKIPPED: "skipped",
}


@dataclass(frozen=True)
class Marks:
    """The results of one run, keyed by where the page says each procedure and step is."""

    run: RunInfo
    procedures: Mapping[SourceLocation, tuple[ProcedureResult, ...]]
    steps: Mapping[SourceLocation, tuple[StepResult, ...]]


# Read once per build (on write-started) for the writing post-transform.
_MARKS: weakref.WeakKeyDictionary[BuildEnvironment, Marks] = weakref.WeakKeyDictionary()


def results_file(app: Sphinx, project: Project) -> Path | None:
    setting = app.config[RESULTS_SETTING]
    if setting is None:
        return project.root.parent / "reports" / "results.json"
    return Path(app.confdir) / str(setting) if setting else None


def load_marks(app: Sphinx, builder: Builder) -> None:
    """``write-started``: read the results (HTML builders only) and match them to pages."""
    _MARKS.pop(builder.env, None)
    if builder.format != "html":
        return
    project = project_of(app.config)
    path = results_file(app, project)
    if path is None or not path.is_file():
        return
    try:
        run = load(path)
        extraction = extract_project(project.root)
    except (ResultsError, ProjectError) as error:
        logger.warning("%s: no result badges", error, type="docharness", subtype="results")
        return
    marks, unmatched = match(run, extraction)
    if unmatched:
        logger.info(
            "docharness: %d results in %s match no procedure or step of the pages as they"
            " are now (edited since the run?)",
            unmatched,
            path,
        )
    _MARKS[builder.env] = marks


def match(run: RunResult, extraction: Extraction) -> tuple[Marks, int]:
    """Results keyed by the current locations of their procedures and steps, and how many
    results found no procedure or step."""
    procedures = {p.id: p for document in extraction.documents for p in document.procedures}
    by_procedure: defaultdict[SourceLocation, list[ProcedureResult]] = defaultdict(list)
    by_step: defaultdict[SourceLocation, list[StepResult]] = defaultdict(list)
    unmatched = 0
    for page in run.pages:
        for result in page.procedures:
            procedure = procedures.get(result.id)
            if procedure is None:
                unmatched += 1
                continue
            by_procedure[procedure.location].append(result)
            for step_result in result.steps:
                where = next(
                    (
                        step.location
                        for step in procedure.steps
                        if step.location.line == step_result.line
                        and _same_file(step_result.path, step.location.path)
                    ),
                    None,
                )
                if where is None:
                    unmatched += 1
                else:
                    by_step[where].append(step_result)
    marks = Marks(
        run=run.run,
        procedures={where: tuple(found) for where, found in by_procedure.items()},
        steps={where: tuple(found) for where, found in by_step.items()},
    )
    return marks, unmatched


def _same_file(result_path: str, project_path: str) -> bool:
    """A results path is relative to where the run started (``docs/source/x.txt``); the
    project's is relative to the project root (``source/x.txt``)."""
    shown = Path(result_path).as_posix()
    return shown == project_path or shown.endswith(f"/{project_path}")


class ResultBadges(SphinxPostTransform):
    """Insert the run line before each procedure and a badge into each step."""

    default_priority = 900  # after references are resolved: badges are plain text
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        marks = _MARKS.get(self.env)
        if marks is None:
            return
        blocks, paragraphs = self.index(project_of(self.config))
        for where, results in marks.procedures.items():
            block = blocks.get(where)
            if block is not None:
                lines = [_run_line(marks.run, result) for result in results]
                block.parent.insert(block.parent.index(block), lines)
        for where, steps in marks.steps.items():
            paragraph = paragraphs.get(where)
            if paragraph is None and where in blocks:
                paragraph = nodes.paragraph()
                blocks[where].insert(0, paragraph)
            if paragraph is not None:
                _badge_step(paragraph, steps)

    def index(
        self, project: Project
    ) -> tuple[dict[SourceLocation, nodes.Element], dict[SourceLocation, nodes.Element]]:
        """The first block and the first paragraph that start at each source line."""
        blocks: dict[SourceLocation, nodes.Element] = {}
        paragraphs: dict[SourceLocation, nodes.Element] = {}
        paths: dict[str, str] = {}
        for node in self.document.findall(nodes.Element):
            if not node.source or not node.line or isinstance(node, nodes.Invisible):
                continue
            path = paths.setdefault(node.source, project.relpath(node.source))
            where = SourceLocation(path, node.line)
            if isinstance(node, nodes.Body | nodes.list_item):
                blocks.setdefault(where, node)
            if isinstance(node, nodes.paragraph):
                paragraphs.setdefault(where, node)
        return blocks, paragraphs


def _run_line(run: RunInfo, result: ProcedureResult) -> nodes.paragraph:
    status = "passed" if result.passed else "failed"
    counts = Counter(step.status for step in result.steps)
    summary = ", ".join(f"{counts[s]} {_SHOWN[s]}" for s in _WORST_FIRST if counts[s])
    line = nodes.paragraph("", "", classes=["docharness-run", f"docharness-{status}"])
    line += nodes.Text(f"verified on {_date(run.finished)} against {run.target}: ")
    line += _badge(status, status)
    if summary:
        line += nodes.Text(f" ({summary})")
    return line


def _badge_step(paragraph: nodes.Element, steps: tuple[StepResult, ...]) -> None:
    worst = min(steps, key=lambda step: _WORST_FIRST.index(step.status))
    paragraph.insert(0, [_badge(_SHOWN[worst.status], worst.status.value), nodes.Text(" ")])
    if worst.status is StepStatus.FAILED and worst.error:
        paragraph += nodes.Text(" ")
        paragraph += nodes.inline(worst.error, worst.error, classes=["docharness-error"])


def _badge(text: str, status: str) -> nodes.inline:
    return nodes.inline(text, text, classes=["docharness-badge", f"docharness-{status}"])


def _date(timestamp: str) -> str:
    """The day of an ISO 8601 timestamp; anything else as written."""
    try:
        return datetime.datetime.fromisoformat(timestamp).date().isoformat()
    except ValueError:
        return timestamp


def note_results_dependency(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: a page whose run results change is rewritten with new badges."""
    if app.builder.format != "html":
        return
    path = results_file(app, project_of(app.config))
    if path is not None and path.is_file():
        app.env.note_dependency(path)


def copy_css(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the badge styles, next to Sphinx's own static files."""
    if exception is None and app.builder.format == "html":
        css = resources.files("harness.sphinxext").joinpath(CSS_FILE).read_bytes()
        write_atomic(Path(app.outdir) / "_static" / CSS_FILE, css)
