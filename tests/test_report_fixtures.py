"""Run results for the report tests: the seed page and Get Started with Sync, as a run records them.

The step texts and lines are those of docs/ (the feature sentences, with UI
labels in double quotes and literals in backticks). Imported by the other
test_report_* modules, with ``steps_of``, which reads the steps back out of
a rendered report; its own test checks the fixture survives the results
file format, so what the tests render is what a run can actually write.
"""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

from harness.results import (
    ApiCall,
    PageResult,
    ProcedureResult,
    RunInfo,
    RunResult,
    StepResult,
    StepStatus,
    dumps,
    loads,
)

SEED = "docs/source/reference/terminating-and-reenabling-realm-sync.txt"
GET_STARTED = "docs/source/sync/get-started.txt"
APP = "/groups/5f0a1b2c3d4e5f6a7b8c9d01/apps/5f0a1b2c3d4e5f6a7b8c9d02"
SERVICE = f"{APP}/services/5f0a1b2c3d4e5f6a7b8c9d03"
DEPLOY_ERROR = 'deployment 5f0a1b2c3d4e5f6a7b8c9d07 ended "failed": cluster Cluster0 is paused'
PARTITION_SENTENCE = (
    'under "Sync Type", select "Partition-Based", then select `_partition` from the '
    '"Choose a Partition Key" dropdown'
)

V, UI, UNBOUND, FAILED, SKIPPED = (
    StepStatus.VERIFIED,
    StepStatus.UI_ONLY,
    StepStatus.UNBOUND,
    StepStatus.FAILED,
    StepStatus.SKIPPED,
)


def call(method: str, path: str, status: int, ms: float) -> ApiCall:
    return ApiCall(method=method, path=path, status=status, duration_ms=ms)


def step(
    keyword: str,
    text: str,
    path: str,
    line: int,
    status: StepStatus,
    entry: str,
    reason: str = "",
    calls: tuple[ApiCall, ...] = (),
    kind: str = "action",
) -> StepResult:
    return StepResult(
        keyword=keyword,
        text=text,
        kind=kind,
        path=path,
        line=line,
        status=status,
        catalog_entry=entry,
        reason=reason,
        duration_ms=sum(c.duration_ms for c in calls),
        calls=calls,
    )


def _review(path: str, line: int) -> StepResult:
    return step(
        "And",
        'click the "Review & Deploy" button in the blue notification bar telling you that '
        "changes have been made to your MongoDB Realm app",
        path,
        line,
        V,
        "review-and-deploy",
        "The open draft's diff lists the sync change.",
        (call("GET", f"{APP}/drafts", 200, 41.0), call("GET", f"{APP}/drafts/d1/diff", 200, 38.5)),
    )


def _deploy(path: str, line: int, text: str) -> StepResult:
    return step(
        "And",
        text,
        path,
        line,
        V,
        "deploy-draft",
        "The deployment of the draft ended successful.",
        (
            call("POST", f"{APP}/drafts/d1/deployment", 201, 120.0),
            call("GET", f"{APP}/deployments/5f0a1b2c3d4e5f6a7b8c9d07", 200, 35.25),
        ),
    )


def _sync_state(text: str, path: str, line: int, entry: str) -> StepResult:
    return step(
        "Given",
        text,
        path,
        line,
        V,
        entry,
        calls=(
            call("GET", f"{APP}/services", 200, 30.0),
            call("GET", f"{SERVICE}/config", 200, 25.0),
        ),
        kind="precondition",
    )


def terminate() -> ProcedureResult:
    return ProcedureResult(
        id="reference/terminating-and-reenabling-realm-sync/terminate-realm-sync",
        title="Terminate Realm Sync",
        feature="features/reference/terminating-and-reenabling-realm-sync.feature",
        feature_line=6,
        preconditions=(
            _sync_state(
                "Sync is enabled (the page starts from an app that uses Realm Sync)",
                SEED,
                18,
                "sync-is-enabled",
            ),
        ),
        steps=(
            step(
                "When",
                'in the "Sync" tab of the MongoDB Realm UI, click the red "Terminate Sync" button',
                SEED,
                66,
                UI,
                "open-terminate-sync-modal",
                "The red button only opens a confirmation modal; nothing changes until the "
                "modal is confirmed.",
            ),
            step(
                "And",
                "in the modal that pops up, check that you want to terminate sync by clicking the "
                '"I want to terminate Sync" checkbox and then click the "Terminate Sync" button '
                "on the modal",
                SEED,
                71,
                V,
                "confirm-terminate-sync",
                'The draft holds sync state "".',
                (
                    call("POST", f"{APP}/drafts", 201, 52.0),
                    call("PATCH", f"{SERVICE}/config", 204, 61.0),
                ),
            ),
            _review(SEED, 78),
            _deploy(
                SEED,
                84,
                "in the model that appears, review your changes and then click the green "
                '"Deploy" button',
            ),
            step(
                "Then",
                "you have now terminated Realm Sync and should get a green notification bar on the "
                'top of the "Sync" page that states that your deployment was successful',
                SEED,
                90,
                V,
                "sync-terminated-and-deployed",
                'The latest deployment is successful and the sync state is "".',
                (
                    call("GET", f"{APP}/deployments", 200, 33.0),
                    call("GET", f"{SERVICE}/config", 200, 24.0),
                ),
                kind="outcome",
            ),
        ),
    )


def enable_steps() -> tuple[StepResult, ...]:
    """The seven steps and the outcome of Get Started with Sync, lines 39-72."""
    form = "A form field: its value is sent when Sync is enabled."
    return (
        step(
            "When",
            'in the "Sync" tab of the Realm UI, select your linked cluster from the '
            '"Select Cluster To Sync" dropdown',
            GET_STARTED,
            39,
            V,
            "select-cluster-to-sync",
            "The app has a mongodb-atlas service.",
            (call("GET", f"{APP}/services", 200, 29.0),),
        ),
        step("And", PARTITION_SENTENCE, GET_STARTED, 44, UI, "choose-partition-key", form),
        step(
            "And",
            'enter `todo` in the "Define a Database Name" field. Clients write synced objects to '
            "this database.",
            GET_STARTED,
            50,
            UI,
            "define-database-name",
            form,
        ),
        step(
            "And",
            'turn on the "Development Mode" toggle so that the data models of your client app '
            "define the sync schema.",
            GET_STARTED,
            55,
            UI,
            "turn-on-development-mode",
            "A form toggle: its value is sent when Sync is enabled.",
        ),
        step(
            "And",
            'click the "Enable Sync" button.',
            GET_STARTED,
            60,
            V,
            "enable-sync",
            "The draft holds the sync configuration from the form.",
            (call("PATCH", f"{SERVICE}/config", 204, 58.0),),
        ),
        _review(GET_STARTED, 64),
        _deploy(
            GET_STARTED,
            69,
            "in the modal that appears, review your changes and then click the green "
            '"Deploy" button.',
        ),
        step(
            "Then",
            'you have now enabled Realm Sync: the "Sync" page shows that your deployment was '
            "successful.",
            GET_STARTED,
            72,
            V,
            "sync-enabled-and-deployed",
            'The latest deployment is successful and the sync state is "enabled".',
            (call("GET", f"{SERVICE}/config", 200, 26.0),),
            kind="outcome",
        ),
    )


def _terminated(line: int, path: str) -> StepResult:
    return _sync_state(
        "Sync is terminated (the procedure turns it on again)", path, line, "sync-is-not-enabled"
    )


def reenable() -> ProcedureResult:
    return ProcedureResult(
        id="reference/terminating-and-reenabling-realm-sync/re-enable-realm-sync",
        title="Re-enable Realm Sync",
        feature="features/reference/terminating-and-reenabling-realm-sync.feature",
        feature_line=22,
        preconditions=(_terminated(101, SEED),),
        steps=enable_steps(),
    )


def seed_result() -> RunResult:
    """A run in which nothing failed: 21 steps, 14 verified, 7 ui-only."""
    return RunResult(
        run=RunInfo(
            mode="replay",
            target="cassettes/",
            started="2026-11-26T04:50:00+00:00",
            finished="2026-11-26T04:50:03.400000+00:00",
            versions={"docharness": "0.1.0", "python": "3.11"},
        ),
        pages=(
            PageResult(
                page="reference/terminating-and-reenabling-realm-sync",
                path=SEED,
                title="Terminating & Re-enabling Realm Sync",
                procedures=(terminate(), reenable()),
            ),
            PageResult(
                page="sync/get-started",
                path=GET_STARTED,
                title="Get Started with Sync",
                procedures=(
                    ProcedureResult(
                        id="sync/get-started/enable-sync",
                        title="Enable Sync",
                        feature="features/sync/get-started.feature",
                        feature_line=6,
                        preconditions=(_terminated(1, GET_STARTED),),
                        steps=enable_steps(),
                    ),
                ),
            ),
        ),
    )


def _with_procedure(result: RunResult, page: int, index: int, proc: ProcedureResult) -> RunResult:
    pages = list(result.pages)
    procedures = list(pages[page].procedures)
    procedures[index] = proc
    pages[page] = replace(pages[page], procedures=tuple(procedures))
    return replace(result, pages=tuple(pages))


def failing_result() -> RunResult:
    """The deployment of step 4 of Terminate Realm Sync fails; the outcome is not reached."""
    proc = terminate()
    steps = list(proc.steps)
    steps[3] = replace(
        steps[3],
        status=FAILED,
        reason="",
        error=DEPLOY_ERROR,
        calls=(
            call("POST", f"{APP}/drafts/d1/deployment", 201, 120.0),
            call("GET", f"{APP}/deployments/5f0a1b2c3d4e5f6a7b8c9d07", 200, 35.25),
        ),
    )
    steps[4] = replace(steps[4], status=SKIPPED, reason="", calls=(), duration_ms=0.0)
    return _with_procedure(seed_result(), 0, 0, replace(proc, steps=tuple(steps)))


def unbound_result() -> RunResult:
    """No catalog entry knows step 2 of Re-enable Realm Sync; the steps after it never run."""
    proc = reenable()
    steps = list(proc.steps)
    steps[1] = replace(
        steps[1],
        status=UNBOUND,
        catalog_entry="",
        reason='[[step]]\nid = "choose-a-partition-key"\nverbs = ["select"]',
    )
    for index in range(2, len(steps)):
        steps[index] = replace(steps[index], status=SKIPPED, reason="", calls=(), duration_ms=0.0)
    return _with_procedure(seed_result(), 0, 1, replace(proc, steps=tuple(steps)))


class _Steps(HTMLParser):
    """Collects (procedure title, data-status, text) for every step item."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.procedure = ""
        self.in_title = False
        self.depth_in_step = 0
        self.current: list[str] = []
        self.status = ""
        self.steps: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        values = dict(attrs)
        if tag == "h3":
            self.in_title, self.procedure = True, ""
        if self.depth_in_step:
            self.depth_in_step += 1
        elif tag == "li" and "step" in (values.get("class") or "").split():
            self.depth_in_step, self.current, self.status = 1, [], values.get("data-status") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if tag == "h3":
            self.in_title = False
        if self.depth_in_step:
            self.depth_in_step -= 1
            if not self.depth_in_step:
                text = " ".join(" ".join(self.current).split())
                self.steps.append((self.procedure, self.status, text))

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.procedure += data
        if self.depth_in_step:
            self.current.append(data)


def steps_of(document: str, procedure: str) -> list[tuple[str, str]]:
    parser = _Steps()
    parser.feed(document)
    return [(status, text) for title, status, text in parser.steps if title == procedure]


def test_fixtures_survive_the_results_file_format() -> None:
    for result in (seed_result(), failing_result(), unbound_result()):
        assert loads(dumps(result)) == result
    statuses = [s.status for s in seed_result().all_steps()]
    assert (len(statuses), statuses.count(V), statuses.count(UI)) == (21, 14, 7)
