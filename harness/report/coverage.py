"""Coverage: which share of the documented steps an Admin API call actually verified.

The number a CI gate checks (``docharness report --coverage --fail-under N``)
is the verified share of steps: verified steps / all steps x 100, where the
steps are every action and outcome of every procedure in the results
(preconditions come from the catalog, not the page, and are not counted).
UI-only, unbound, failed and skipped steps all count against it: a step no
API call observed is not covered, however the run went.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.report.status import (
    LABELS,
    ORDER,
    Tally,
    checked_steps,
    location,
    page_status,
    percent,
    procedure_status,
    tally,
)
from harness.results import RunResult, StepResult, StepStatus

DEFINITION = (
    "verified share of steps = verified steps / all steps x 100 "
    "(preconditions excluded; ui-only steps are not verified)"
)
GROUPING = (
    "pages and procedures count under their worst step (failed, unbound, skipped, ui only, "
    "verified): ui only there means passed, with steps no API can observe"
)


@dataclass(frozen=True)
class Coverage:
    """Counts per status at each level; a procedure or page counts under its worst step."""

    pages: Tally
    procedures: Tally
    steps: Tally
    unbound: tuple[StepResult, ...]  # one per distinct sentence, by path and line

    @property
    def verified_share(self) -> float:
        return self.steps.share(StepStatus.VERIFIED)

    def below(self, fail_under: float) -> bool:
        """True when the verified share of steps is under ``fail_under`` percent."""
        return self.verified_share < fail_under


def measure(result: RunResult) -> Coverage:
    procedures = [proc for page in result.pages for proc in page.procedures]
    unbound = {
        (step.path, step.line, step.text): step
        for proc in procedures
        for step in checked_steps(proc)
        if step.status is StepStatus.UNBOUND
    }
    return Coverage(
        pages=tally(page_status(page) for page in result.pages),
        procedures=tally(procedure_status(proc) for proc in procedures),
        steps=tally(step.status for step in result.all_steps()),
        unbound=tuple(unbound[key] for key in sorted(unbound)),
    )


def _row(name: str, counts: Tally) -> str:
    cells = [f"{counts.count(status)} ({percent(counts.share(status))})" for status in ORDER]
    return f"{name:<12}{counts.total:>7}" + "".join(f"{cell:>15}" for cell in cells)


def format_coverage(coverage: Coverage) -> str:
    """The plain-text report: a table per level, the gate figure, then each unbound sentence."""
    header = f"{'':<12}{'total':>7}" + "".join(f"{LABELS[s].lower():>15}" for s in ORDER)
    steps = coverage.steps
    lines = [
        header,
        _row("pages", coverage.pages),
        _row("procedures", coverage.procedures),
        _row("steps", steps),
        "",
        f"Verified share of steps: {percent(coverage.verified_share)} "
        f"({steps.count(StepStatus.VERIFIED)} of {steps.total})",
        f"  {DEFINITION}",
        f"  {GROUPING}",
    ]
    if coverage.unbound:
        lines += [
            "",
            f"Unbound sentences ({len(coverage.unbound)}): no catalog entry matches them; "
            "add a [[step]] entry for each to harness/catalog/catalog.toml",
        ]
        lines += [f"  {location(step)}: {step.text}" for step in coverage.unbound]
    return "\n".join(lines) + "\n"
