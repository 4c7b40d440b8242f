"""The outcome of a run, as data: what ``docharness run`` writes and every report reads.

Shared like :mod:`harness.diagnostics`: the runner fills it, the report stage
renders it, and neither imports the other. The JSON form carries
``SCHEMA`` so that a report never misreads a file from another version.
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.fileio import write_atomic

SCHEMA = "docharness.results/1"


class StepStatus(enum.Enum):
    VERIFIED = "verified"  # an Admin API call showed the step happened
    UI_ONLY = "ui-only"  # no API can observe it: reported, never counted as passed
    UNBOUND = "unbound"  # no catalog entry matches the sentence
    FAILED = "failed"  # the API showed the product does not behave as the page says
    SKIPPED = "skipped"  # not reached: an earlier step of the scenario failed
    EXTERNAL = (
        "external"  # a call outside the Admin API (Data API, GraphQL): never passed or failing
    )


class ResultsError(Exception):
    """A results file that cannot be read: missing, not JSON, or another schema."""


@dataclass(frozen=True)
class ApiCall:
    method: str
    path: str  # URL path below the API base, e.g. /groups/{id}/apps/{id}/drafts
    status: int
    duration_ms: float


@dataclass(frozen=True)
class StepResult:
    keyword: str  # Given / When / Then / And
    text: str  # the step sentence as the feature states it
    kind: str  # "action" | "outcome" | "precondition"
    path: str  # doc file relative to the current directory, e.g. docs/source/x.txt
    line: int
    status: StepStatus
    labels: tuple[str, ...] = ()
    catalog_entry: str = ""  # id of the catalog entry that bound the step
    reason: str = ""  # why ui-only / what was verified / which entry is missing
    error: str = ""  # failure message, for FAILED
    duration_ms: float = 0.0
    calls: tuple[ApiCall, ...] = ()
    # The known-findings entry that accepted this failure (or the failure that kept this
    # step from running), e.g. "docs/known-findings.toml:3": it no longer fails the run.
    known: str = ""


@dataclass(frozen=True)
class ProcedureResult:
    id: str
    title: str
    feature: str  # .feature file relative to the current directory
    feature_line: int
    steps: tuple[StepResult, ...]
    tab: str = ""
    preconditions: tuple[StepResult, ...] = ()
    undiscarded_drafts: tuple[str, ...] = ()  # drafts cleanup could not discard: the app is dirty

    @property
    def passed(self) -> bool:
        """Passed means nothing failed and nothing is unbound; ui-only steps do not fail it."""
        return self.passes(allow_unbound=False)

    def passes(self, allow_unbound: bool) -> bool:
        """The verdict: no step failed or was skipped, and none unbound unless allowed."""
        statuses = {step.status for step in (*self.preconditions, *self.steps) if not step.known}
        return not statuses & blocking_statuses(allow_unbound)

    @property
    def known_findings(self) -> tuple[StepResult, ...]:
        """Failed steps a known-findings entry accepted."""
        return tuple(s for s in self.steps if s.known and s.status is StepStatus.FAILED)


def blocking_statuses(allow_unbound: bool) -> frozenset[StepStatus]:
    """The statuses that fail a procedure: the one rule behind every verdict."""
    found = {StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.UNBOUND}
    if allow_unbound:
        found.discard(StepStatus.UNBOUND)
    return frozenset(found)


@dataclass(frozen=True)
class PageResult:
    page: str  # page path below source/, without extension
    path: str  # doc file relative to the current directory
    title: str
    procedures: tuple[ProcedureResult, ...]


@dataclass(frozen=True)
class RunInfo:
    mode: str  # replay | record | live
    target: str  # "cassettes/" or the API base URL (never credentials)
    started: str  # ISO 8601, UTC
    finished: str
    versions: dict[str, str] = field(default_factory=dict)
    allow_unbound: bool = False  # run with --allow-unbound: unbound steps do not fail it
    # known-findings entries for pages this run checked that matched no failure: the page
    # may be fixed, and a stale entry could one day accept a new failure; remove them
    known_unused: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunResult:
    run: RunInfo
    pages: tuple[PageResult, ...]

    def all_steps(self) -> list[StepResult]:
        return [s for p in self.pages for proc in p.procedures for s in proc.steps]

    def procedure_passed(self, procedure: ProcedureResult) -> bool:
        return procedure.passes(self.run.allow_unbound)

    @property
    def passed(self) -> bool:
        """The run's verdict, which the exit code and every report state."""
        return all(self.procedure_passed(p) for page in self.pages for p in page.procedures)


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def dumps(result: RunResult) -> str:
    """Stable, diff-friendly JSON (sorted keys, two-space indent, trailing newline)."""
    payload = {"schema": SCHEMA, **_encode(asdict(result))}
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _step(raw: dict[str, Any]) -> StepResult:
    return StepResult(
        keyword=raw["keyword"],
        text=raw["text"],
        kind=raw["kind"],
        path=raw["path"],
        line=int(raw["line"]),
        status=StepStatus(raw["status"]),
        labels=tuple(raw.get("labels", ())),
        catalog_entry=raw.get("catalog_entry", ""),
        reason=raw.get("reason", ""),
        error=raw.get("error", ""),
        duration_ms=float(raw.get("duration_ms", 0.0)),
        calls=tuple(ApiCall(**call) for call in raw.get("calls", ())),
        known=raw.get("known", ""),
    )


def loads(text: str, source: str = "results.json") -> RunResult:
    """Parse results JSON; any problem is a :class:`ResultsError` naming ``source``."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultsError(f"{source}:{error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        found = raw.get("schema") if isinstance(raw, dict) else type(raw).__name__
        raise ResultsError(f"{source}: expected schema {SCHEMA!r}, found {found!r}")
    try:
        return RunResult(
            run=RunInfo(
                **{**raw["run"], "known_unused": tuple(raw["run"].get("known_unused", ()))}
            ),
            pages=tuple(
                PageResult(
                    page=page["page"],
                    path=page["path"],
                    title=page["title"],
                    procedures=tuple(
                        ProcedureResult(
                            id=proc["id"],
                            title=proc["title"],
                            feature=proc["feature"],
                            feature_line=int(proc["feature_line"]),
                            tab=proc.get("tab", ""),
                            steps=tuple(_step(s) for s in proc["steps"]),
                            preconditions=tuple(_step(s) for s in proc.get("preconditions", ())),
                            undiscarded_drafts=tuple(proc.get("undiscarded_drafts", ())),
                        )
                        for proc in page["procedures"]
                    ),
                )
                for page in raw["pages"]
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ResultsError(f"{source}: malformed results: {error!r}") from None


def load(path: Path) -> RunResult:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ResultsError(f"{path}: cannot read results: {error.strerror}") from None
    return loads(text, str(path))


def save(result: RunResult, path: Path) -> None:
    write_atomic(path, dumps(result))
