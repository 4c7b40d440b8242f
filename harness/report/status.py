"""How statuses read in every report, and how step statuses sum up to procedures and pages.

One place for these rules so that the HTML, the coverage numbers, JUnit and
cucumber never disagree about what passed. A ui-only step is never a pass:
it only keeps a procedure from reading as fully verified.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from harness.results import (
    PageResult,
    ProcedureResult,
    StepResult,
    StepStatus,
    blocking_statuses,
)

# The order a reader meets the statuses in: every table and legend uses it.
ORDER: tuple[StepStatus, ...] = (
    StepStatus.VERIFIED,
    StepStatus.UI_ONLY,
    StepStatus.EXTERNAL,
    StepStatus.UNBOUND,
    StepStatus.FAILED,
    StepStatus.SKIPPED,
)

LABELS: dict[StepStatus, str] = {
    StepStatus.VERIFIED: "Verified",
    StepStatus.UI_ONLY: "UI only",
    StepStatus.UNBOUND: "Unbound",
    StepStatus.FAILED: "Failed",
    StepStatus.SKIPPED: "Skipped",
    StepStatus.EXTERNAL: "External",
}

# A procedure or page named by its worst step: "UI only" would read as if nothing was checked.
GROUP_LABELS: dict[StepStatus, str] = {
    **LABELS,
    StepStatus.UI_ONLY: "Partly verified",
    StepStatus.EXTERNAL: "Partly verified",
}

# Worst first: a group is as good as its worst member.
_SEVERITY: tuple[StepStatus, ...] = (
    StepStatus.FAILED,
    StepStatus.UNBOUND,
    StepStatus.SKIPPED,
    StepStatus.EXTERNAL,
    StepStatus.UI_ONLY,
    StepStatus.VERIFIED,
)

PROBLEMS = frozenset({StepStatus.FAILED, StepStatus.UNBOUND, StepStatus.SKIPPED})

UNBOUND_ADVICE = (
    "No catalog entry matches this sentence: add a [[step]] entry for it to "
    "harness/catalog/catalog.toml."
)


def worst(statuses: Iterable[StepStatus]) -> StepStatus:
    """The status that sums up a group; an empty group ran nothing, so it reads as skipped."""
    present = set(statuses)
    return next((status for status in _SEVERITY if status in present), StepStatus.SKIPPED)


def checked_steps(procedure: ProcedureResult) -> tuple[StepResult, ...]:
    """Preconditions, then the page's steps: everything that decides whether a procedure passed."""
    return (*procedure.preconditions, *procedure.steps)


def procedure_status(procedure: ProcedureResult) -> StepStatus:
    """The worst step, known findings aside: a badge never says failed where the verdict passed.

    The accepted failure keeps its own failed badge and note on its step.
    """
    return worst(step.status for step in checked_steps(procedure) if not step.known)


def page_status(page: PageResult) -> StepStatus:
    return worst(procedure_status(procedure) for procedure in page.procedures)


def first_problem(procedure: ProcedureResult, allow_unbound: bool = False) -> StepResult | None:
    """The step to blame: the first failed or unbound one, else the first that never ran.

    The page's own steps come before preconditions: a docs writer is sent to the
    first line of the page that the product contradicts. Under ``--allow-unbound``
    an unbound step is no problem (:func:`harness.results.blocking_statuses`), nor is a
    step a known-findings entry accepted.
    """
    steps = (*procedure.steps, *procedure.preconditions)
    blocking = blocking_statuses(allow_unbound)
    for wanted in (blocking - {StepStatus.SKIPPED}, {StepStatus.SKIPPED}):
        for step in steps:
            if step.status in wanted and not step.known:
                return step
    return None


def location(step: StepResult) -> str:
    return f"{step.path}:{step.line}"


@dataclass(frozen=True)
class Tally:
    """How many items of a group have each status; shares are percentages of the total."""

    counts: tuple[int, ...]  # one per status, in ORDER

    @property
    def total(self) -> int:
        return sum(self.counts)

    def count(self, status: StepStatus) -> int:
        return self.counts[ORDER.index(status)]

    def share(self, status: StepStatus) -> float:
        """Percentage of the total with ``status``; 0.0 for an empty group (nothing verified)."""
        return 100.0 * self.count(status) / self.total if self.total else 0.0


def tally(statuses: Iterable[StepStatus]) -> Tally:
    counter = Counter(statuses)
    return Tally(tuple(counter[status] for status in ORDER))


def percent(value: float) -> str:
    return f"{value:.1f}%"
