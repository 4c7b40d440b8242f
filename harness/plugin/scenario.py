"""One scenario's run: bind each step through the catalog, verify it, record the result."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from vcr.errors import CannotOverwriteExistingCassetteException

from harness.adminapi import AdminClientError, Exchange
from harness.catalog import (
    Bound,
    ByRule,
    Catalog,
    Precondition,
    Result,
    Sentence,
    StepEntry,
    bind_step,
)
from harness.catalog.generic import FIELDS_FILE
from harness.plugin.cassettes import divergence
from harness.plugin.code_steps import run_code_step
from harness.plugin.features import doc_location
from harness.plugin.known import KnownFinding
from harness.plugin.operations import (
    OPERATIONS,
    CheckFailed,
    FormCheck,
    FormIncomplete,
    NothingToVerify,
    ScenarioState,
)
from harness.results import ApiCall, ProcedureResult, StepResult, StepStatus

# Errors that mean "the product or its recording answered differently than the page
# says", reported on the step; anything else is a bug in docharness and propagates.
# A replayed request with no recorded answer is one of them: the product was asked
# something the recording never saw.
_STEP_ERRORS: tuple[type[Exception], ...] = (
    CheckFailed,
    AdminClientError,
    CannotOverwriteExistingCassetteException,
)


CLEANUP_ATTEMPTS = 3


class StepFailure(Exception):
    """Raised to fail the scenario; its text is the doc location and the reason."""


@dataclass(frozen=True)
class StepRef:
    """A feature step as pytest-bdd parsed it, plus the doc location above it."""

    keyword: str
    text: str
    kind: str  # action | outcome
    feature_line: int
    doc_path: str  # relative to the current directory
    doc_line: int

    def result(self, status: StepStatus, **details: Any) -> StepResult:
        """This step's result; ``details`` are StepResult's optional fields."""
        return StepResult(
            keyword=self.keyword,
            text=self.text,
            kind=self.kind,
            path=self.doc_path,
            line=self.doc_line,
            status=status,
            labels=Sentence.parse(self.text).labels,
            **details,
        )


@dataclass(frozen=True)
class ScenarioInfo:
    id: str
    title: str
    tags: frozenset[str]
    feature_file: Path
    feature_line: int
    steps: tuple[StepRef, ...]
    tab: str = ""


def step_refs(
    feature_file: Path, docs_dir: Path, raw_steps: list[tuple[str, str, str, int]]
) -> tuple[StepRef, ...]:
    """(keyword, type, text, line) from pytest-bdd, joined with the ``# path:line`` comments."""
    refs = []
    for keyword, step_type, text, line in raw_steps:
        location = doc_location(str(feature_file), line)
        doc_path = str(docs_dir / location.path) if location else str(feature_file)
        refs.append(
            StepRef(
                keyword=keyword,
                text=text,
                kind="outcome" if step_type == "then" else "action",
                feature_line=line,
                doc_path=doc_path,
                doc_line=location.line if location else line,
            )
        )
    return tuple(refs)


def _resolve(
    template: str, entry: StepEntry, labels: tuple[str, ...], literals: tuple[str, ...]
) -> str:
    """``$literal1`` / ``$label2`` in a form value, taken from the step sentence."""
    for prefix, values in (("$literal", literals), ("$label", labels)):
        if template.startswith(prefix) and template[len(prefix) :].isdigit():
            index = int(template[len(prefix) :]) - 1
            if index >= len(values):
                raise CheckFailed(
                    f"catalog entry {entry.id} ({entry.source}) wants {template}, "
                    f"but the sentence has only {len(values)}"
                )
            return values[index]
    return template


def _dotted(change: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """The leaves of a nested change with their dotted paths, as a message names them."""
    found: list[tuple[str, Any]] = []
    for key, value in change.items():
        path = f"{prefix}{key}"
        found += _dotted(value, f"{path}.") if isinstance(value, Mapping) else [(path, value)]
    return found


@dataclass
class ScenarioRun:
    """Carries a scenario from its preconditions to its last step, recording each result."""

    info: ScenarioInfo
    catalog: Catalog
    state: ScenarioState
    allow_unbound: bool = False
    results: list[StepResult] = field(default_factory=list)
    preconditions: list[StepResult] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    failed: bool = False
    blocked: str = ""  # why steps that change the app must not run (a failed precondition)
    stopped: bool = False  # a step was skipped for ``blocked``: every later step is skipped too
    form_origin: dict[str, int] = field(default_factory=dict)  # form field -> index in results
    undiscarded_drafts: list[str] = field(default_factory=list)
    stand_ins: set[str] = field(default_factory=set)  # form fields holding a stand-in value
    staged_at: int | None = None  # index in results of the step that staged undeployed changes
    known: tuple[KnownFinding, ...] = ()  # accepted findings: they do not fail the scenario
    known_stop: str = ""  # a known finding stopped the scenario: later steps are skipped
    deferred: set[int] = field(default_factory=set)  # review/deploy steps with nothing staged
    deployed_at: int | None = None  # index in results of the step that made the last deployment

    def on_exchange(self, exchange: Exchange) -> None:
        self.calls.append(
            ApiCall(
                method=exchange.method,
                path=exchange.path,
                status=exchange.status or 0,
                duration_ms=round(exchange.duration_seconds * 1000, 3),
            )
        )

    def _run(self, operation: str, args: Mapping[str, str]) -> tuple[str, str, tuple[ApiCall, ...]]:
        """(verified message, error message, calls) of one operation."""
        start = len(self.calls)
        try:
            message = OPERATIONS[operation].run(self.state, args)
        except CannotOverwriteExistingCassetteException as error:
            return (
                "",
                f"{divergence(error)} (the page and the recording differ: re-record with "
                "`docharness run --record` if the page is right)",
                tuple(self.calls[start:]),
            )
        except FormIncomplete as missing:
            unsent = self._unsent_input()
            if unsent is None:
                return "", str(missing), tuple(self.calls[start:])
            raise NothingToVerify(
                f"{missing}, and the step at line {unsent.line} ({unsent.text[:60]!r}) that "
                f"could is {unsent.status.value}: docharness entered nothing for it, so the "
                "form cannot be sent as the page fills it"
            ) from missing
        except _STEP_ERRORS as error:
            return "", str(error), tuple(self.calls[start:])
        return message, "", tuple(self.calls[start:])

    # Preconditions

    def generic_preconditions(self) -> tuple[Precondition, ...]:
        """For a delete step of the resource model whose scenario makes no item of that
        resource first: a precondition that makes one for this run (named after the
        scenario, so replay sends what was recorded). A delete never touches an item
        this run did not make."""
        needed: dict[str, Precondition] = {}
        saved: set[str] = set()
        for ref in self.info.steps:
            binding = bind_step(self.catalog, ref.text, ref.kind, self.info.tags)
            if not isinstance(binding, Bound) or not binding.entry.id.startswith("generic-"):
                continue
            resource = dict(binding.entry.args).get("resource", "")
            if binding.entry.operation in ("resource_save", "resource_save_deploy"):
                saved.add(resource)
            elif binding.entry.operation == "resource_delete" and resource not in saved:
                digest = hashlib.sha256(self.info.id.encode()).hexdigest()[:8]
                name = f"docharness-{digest}"
                needed.setdefault(
                    resource,
                    Precondition(
                        id=f"generic-{resource}-item",
                        source=binding.entry.source,
                        applies_to=frozenset(),
                        text=f"an item of {resource} made by this run exists ({name!r}), for "
                        f"the delete at line {ref.doc_line} to delete",
                        check="resource_made",
                        args=(("resource", resource), ("name", name)),
                        establish="resource_make",
                    ),
                )
        return tuple(needed.values())

    def establish_preconditions(self, found: tuple[Precondition, ...]) -> None:
        first = self.info.steps[0] if self.info.steps else None
        for precondition in (*found, *self.generic_preconditions()):
            args = dict(precondition.args)
            started = time.perf_counter()
            message, error, calls = self._run(precondition.check, args)
            if error and precondition.establish:
                established, error, more = self._run(precondition.establish, args)
                calls += more
                if not error:
                    message, error, again = self._run(precondition.check, args)
                    calls += again
                    message = f"established: {established}; {message}" if not error else message
            if error and not self.blocked:
                self.blocked = f"precondition {precondition.id!r} does not hold: {error}"
            self.preconditions.append(
                StepResult(
                    keyword="Given",
                    text=precondition.text,
                    kind="precondition",
                    path=first.doc_path if first else str(self.info.feature_file),
                    line=first.doc_line if first else self.info.feature_line,
                    status=StepStatus.FAILED if error else StepStatus.VERIFIED,
                    catalog_entry=precondition.id,
                    reason=message,
                    error=error,
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                    calls=calls,
                )
            )

    def setup_failed(self, error: str) -> None:
        """Record why the scenario could not start, where reports look for failures."""
        self.failed = True
        first = self.info.steps[0] if self.info.steps else None
        self.preconditions.append(
            StepResult(
                keyword="Given",
                text="the scenario can run here",
                kind="precondition",
                path=first.doc_path if first else str(self.info.feature_file),
                line=first.doc_line if first else self.info.feature_line,
                status=StepStatus.FAILED,
                error=error,
            )
        )

    # Steps

    def perform(self, ref: StepRef) -> None:
        """Run one step; after the scenario's last step, check what it left undeployed.

        A failure that a known-findings entry accepts stops the scenario like any
        failure (the steps after it are skipped), but does not fail it.
        """
        if self.known_stop:
            reason = "not reached: an earlier step failed (a known finding)"
            self.results.append(
                ref.result(StepStatus.SKIPPED, reason=reason, known=self.known_stop)
            )
            return
        try:
            self._perform(ref)
            if ref is self.info.steps[-1]:
                self.finish()
        except StepFailure:
            if not self._accept_known():
                raise

    def _accept_known(self) -> bool:
        """Mark the scenario's failures known when an entry accepts every one of them."""
        failed = [
            (index, step)
            for index, step in enumerate(self.results)
            if step.status is StepStatus.FAILED and not step.known
        ]
        found = []
        for index, step in failed:
            entry = next(
                (
                    k
                    for k in self.known
                    if k.matches(self.info.id, step.path, step.line, "failed", step.error)
                ),
                None,
            )
            if entry is None:
                return False
            found.append((index, step, entry))
        if not found:
            return False
        for index, step, entry in found:
            self.results[index] = replace(step, known=entry.source)
        self.known_stop = found[0][2].source
        return True

    def _perform(self, ref: StepRef) -> None:
        started = time.perf_counter()
        ran = run_code_step(self, ref)  # a curl/CLI step runs its code, not its sentence
        if ran is not None:
            self.results.append(ran)
            if ran.status is StepStatus.FAILED:
                self.failed = True
                raise StepFailure(f"{ref.doc_path}:{ref.doc_line}: {ref.text}\n  {ran.error}")
            return
        binding = bind_step(self.catalog, ref.text, ref.kind, self.info.tags)
        if isinstance(binding, ByRule):
            status = StepStatus.EXTERNAL if binding.status == "external" else StepStatus.UI_ONLY
            self._record(ref, status, started, catalog_entry=binding.rule, reason=binding.reason)
            return
        if not isinstance(binding, Bound):
            self._record(
                ref,
                StepStatus.UNBOUND,
                started,
                reason=f"{binding.reason}; add a catalog entry such as:\n{binding.suggestion()}",
            )
            return
        entry = binding.entry
        self._note_open_form(entry, ref)
        changes_app = bool(entry.operation) and OPERATIONS[entry.operation].changes_app
        if self.blocked and (changes_app or self.stopped):
            self.stopped = True
            self._record(
                ref,
                StepStatus.SKIPPED,
                started,
                catalog_entry=entry.id,
                reason=f"not run: {self.blocked}, and this step would change the app",
            )
            return
        try:
            for name, template in entry.form:
                self.state.form[name] = _resolve(
                    template, entry, binding.sentence.labels, binding.sentence.literals
                )
                self.form_origin[name] = len(self.results)
        except CheckFailed as mismatch:
            self._fail(ref, entry, started, str(mismatch), ())
        why = entry.why
        for name, value in entry.stand_in:
            self.state.form[name] = value
            self.form_origin[name] = len(self.results)
            self.stand_ins.add(name)
        if entry.stand_in:
            entered = ", ".join(f"{name} = {value!r}" for name, value in entry.stand_in)
            why = f"{why} docharness entered a stand-in ({entered}): no evidence of the page."
        if entry.result is Result.UI_ONLY:
            self._record(
                ref, StepStatus.UI_ONLY, started, catalog_entry=entry.id, reason=why.strip()
            )
            return
        unsent = self._unsent_input() if OPERATIONS[entry.operation].needs_staged else None
        if unsent is not None and not self.state.undeployed and not self.state.draft_id:
            done = self.state.deployment
            after = self.deployed_at is not None and all(
                step is not unsent for step in self.results[self.deployed_at :]
            )
            reason = (
                f"nothing left to review or deploy: this scenario's change is deployed "
                f"already (deployment {done.id}, by an earlier step); the page's values were "
                "read back after it"
                if done is not None and after
                else f"nothing staged to review or deploy: the change the page makes at line "
                f"{unsent.line} ({unsent.text[:60]!r}) is {unsent.status.value}, so docharness "
                "sent nothing for it; the deploy cannot be checked without that change"
            )
            self.deferred.add(len(self.results))
            self._record(ref, StepStatus.UI_ONLY, started, catalog_entry=entry.id, reason=reason)
            return
        deployment = self.state.deployment
        try:
            message, error, calls = self._run(entry.operation, dict(entry.args))
        except NothingToVerify as nothing:
            if OPERATIONS[entry.operation].needs_staged:
                self.deferred.add(len(self.results))
            reason = f"{entry.why}: {nothing}" if entry.why else str(nothing)
            self._record(ref, StepStatus.UI_ONLY, started, catalog_entry=entry.id, reason=reason)
            return
        if error:
            self._fail(ref, entry, started, error, calls)
        self._record(
            ref, StepStatus.VERIFIED, started, catalog_entry=entry.id, reason=message, calls=calls
        )
        if self.state.deployment is not deployment:
            self.deployed_at = len(self.results) - 1
        if not self.state.undeployed:
            self.staged_at = None
        elif self.staged_at is None:
            self.staged_at = len(self.results) - 1
        self._settle_form_checks()

    def _note_open_form(self, entry: StepEntry, ref: StepRef) -> None:
        """A generic form, create or update step shows its resource's form; a later Save
        saves that form (harness/plugin/resource_ops.py compares)."""
        resource = dict(entry.args).get("resource", "")
        opens = entry.id.endswith(("-create", "-update")) or entry.result is Result.UI_ONLY
        if entry.id.startswith("generic-") and resource and opens:
            self.state.open_form = (resource, ref.doc_line)

    def _unsent_input(self) -> StepResult | None:
        """The last earlier step that may change the app but that docharness did not send:
        unbound, or ui-only input of the resource model (a form field, save or create whose
        values the page leaves out or docharness does not map). Navigation and catalog
        entries that only open a modal are not such steps."""
        return next(
            (
                step
                for index, step in reversed(list(enumerate(self.results)))
                if index not in self.deferred
                and (
                    step.status is StepStatus.UNBOUND
                    or (
                        step.status is StepStatus.UI_ONLY
                        and step.catalog_entry.startswith(("generic-", FIELDS_FILE))
                    )
                )
            ),
            None,
        )

    def finish(self) -> None:
        """After the last step: a change this scenario staged and never deployed fails.

        The reader's app only gets what a deployment deploys; a page that stages a
        change in a draft and ends there leaves the app without it. The failure is
        reported at the step that staged the change (else the last step), naming it.
        """
        if self.failed or not self.state.undeployed:
            return
        index = self.staged_at if self.staged_at is not None else len(self.results) - 1
        step = self.results[index]
        change = ", ".join(
            f"{key} = {json.dumps(value)}" for key, value in _dotted(self.state.undeployed)
        )
        draft = self.state.draft_id or "?"
        error = (
            f"this step staged a change in draft {draft} ({change}) and no later step of the "
            "page deploys it (no Review & Deploy, then Deploy): the scenario ends with the "
            "change still in the draft, so the app never gets it"
        )
        self.failed = True
        self.results[index] = replace(step, status=StepStatus.FAILED, error=error)
        raise StepFailure(f"{step.path}:{step.line}: {step.text}\n  {error}")

    def _settle_form_checks(self) -> None:
        """Mark the form steps whose values the deployed configuration confirmed, or fail one."""
        checks: dict[int, list[FormCheck]] = {}
        for check in self.state.form_checks:
            if check.name in self.form_origin:
                checks.setdefault(self.form_origin[check.name], []).append(check)
        self.state.form_checks.clear()
        for index, found in sorted(checks.items()):
            step = self.results[index]
            wrong = [c for c in found if not c.holds]
            if wrong:
                error = "; ".join(
                    f"{c.name} is {c.found!r} in the {c.evidence}, but the page sets {c.expected!r}"
                    for c in wrong
                )
                self.failed = True
                self.results[index] = replace(step, status=StepStatus.FAILED, error=error)
                raise StepFailure(f"{step.path}:{step.line}: {step.text}\n  {error}")
            if step.status is StepStatus.UI_ONLY and not self.stand_ins & {c.name for c in found}:
                values = ", ".join(f"{c.name} = {c.found!r}" for c in found)
                reason = f"confirmed by the {found[0].evidence}: {values}"
                self.results[index] = replace(step, status=StepStatus.VERIFIED, reason=reason)

    def _fail(
        self, ref: StepRef, entry: StepEntry, started: float, error: str, calls: tuple[ApiCall, ...]
    ) -> NoReturn:
        self.failed = True
        self._record(
            ref, StepStatus.FAILED, started, catalog_entry=entry.id, error=error, calls=calls
        )
        raise StepFailure(f"{ref.doc_path}:{ref.doc_line}: {ref.text}\n  {error}")

    def _record(self, ref: StepRef, status: StepStatus, started: float, **details: Any) -> None:
        elapsed = round((time.perf_counter() - started) * 1000, 3)
        self.results.append(ref.result(status, duration_ms=elapsed, **details))

    def unbound_summary(self) -> str:
        unbound = [r for r in self.results if r.status is StepStatus.UNBOUND]
        return "\n".join(
            f"{r.path}:{r.line}: unbound step: {r.text}\n  {r.reason}" for r in unbound
        )

    def result(self, feature_file: str) -> ProcedureResult:
        """The procedure's result; steps never reached are SKIPPED, with their doc lines."""
        done = len(self.results)
        skipped = [
            ref.result(
                StepStatus.SKIPPED,
                reason="not reached: an earlier step failed",
                known=self.known_stop,
            )
            for ref in self.info.steps[done:]
        ]
        return ProcedureResult(
            id=self.info.id,
            title=self.info.title,
            feature=feature_file,
            feature_line=self.info.feature_line,
            steps=(*self.results, *skipped),
            tab=self.info.tab,
            preconditions=tuple(self.preconditions),
            undiscarded_drafts=tuple(self.undiscarded_drafts),
        )

    def cleanup(self, attempts: int = CLEANUP_ATTEMPTS) -> None:
        """Discard the drafts this scenario opened and left open, so the app is not left dirty.

        Each attempt lists the drafts again (the client retries each request
        itself too); a draft still open after the last attempt is kept in
        ``undiscarded_drafts`` for the summary and results.json.
        """
        if not self.state.drafts_opened:
            return
        left = list(self.state.drafts_opened)
        for _ in range(attempts):
            try:
                open_ids = {draft.id for draft in self.state.client.list_drafts()}
                left = [draft_id for draft_id in left if draft_id in open_ids]
                for draft_id in list(left):
                    self.state.client.discard_draft(draft_id)
                    left.remove(draft_id)
            except _STEP_ERRORS:
                continue  # try again; what is left is reported below
            if not left:
                return
        self.undiscarded_drafts = left
