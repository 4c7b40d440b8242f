"""The Admin API operations that catalog entries name.

Each operation does what the UI does for a step and checks what the page
says should follow, through :class:`harness.adminapi.AdminClient`. The
catalog decides *which* operation a sentence means; this module only knows
*how* to carry each one out. An operation returns a one-line account of
what it verified, or raises :class:`CheckFailed` when the product does not
behave as the page says.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.adminapi import AdminClient, Deployment, NotFoundError, SyncState
from harness.adminapi.sync import (
    DEFAULT_PARTITION_PERMISSIONS,
    partition_sync_patch,
    terminate_patch,
)
from harness.plugin.code_steps import CodeState


class CheckFailed(Exception):
    """The product answered, and the answer contradicts the page."""


class NothingToVerify(Exception):
    """The step is what the UI does, but the page gave nothing an Admin API read could
    confirm (no value entered): the step is ui-only, never verified."""


class FormIncomplete(CheckFailed):
    """The form lacks a value the operation sends: the page's fault, unless an earlier
    step that could have entered it was one docharness did not run (the scenario asks)."""


@dataclass(frozen=True)
class FormCheck:
    """A form value compared with the deployed configuration after this scenario's deployment."""

    name: str  # the form field, as the catalog's `form` names it
    expected: str
    found: str
    evidence: str  # which read showed ``found``

    @property
    def holds(self) -> bool:
        return self.expected == self.found


@dataclass
class ScenarioState:
    """What one scenario has learned and staged so far, as the UI session would hold it."""

    client: AdminClient
    deploy_timeout: float
    poll_interval: float
    service_id: str = ""
    draft_id: str = ""
    drafts_opened: list[str] = field(default_factory=list)
    deployment: Deployment | None = None  # the deployment this scenario created
    form: dict[str, str] = field(default_factory=dict)
    staged: dict[str, Any] = field(default_factory=dict)  # the config change this scenario staged
    reviewed: str = ""  # the draft whose diff a review step showed (its modal holds Deploy)
    form_checks: list[FormCheck] = field(default_factory=list)  # read back after deploying
    undeployed: dict[str, Any] = field(default_factory=dict)  # staged, not deployed yet
    code: CodeState = field(default_factory=CodeState)  # what curl/CLI steps hold (code_steps)
    # The resource whose form the UI shows (resource_ops): set by the last form, create or
    # update step of the resource model, with that step's line; a Save saves that form.
    open_form: tuple[str, int] = ("", 0)
    made: dict[str, str] = field(default_factory=dict)  # resource -> key of the item this run made
    # resource -> (key field, key) of an item this scenario deleted in a draft (for review)
    deleted: dict[str, tuple[str, str]] = field(default_factory=dict)
    gone: dict[str, str] = field(default_factory=dict)  # resource -> key this scenario deleted
    # Reads to run after this scenario's deployment (resource_ops: values read back).
    after_deploy: list[Callable[[ScenarioState], None]] = field(default_factory=list)

    def linked_cluster(self, *, fresh: bool = False) -> str:
        """The id of the app's mongodb-atlas service, asked once per scenario (or again)."""
        if fresh or not self.service_id:
            try:
                self.service_id = self.client.find_service("mongodb-atlas").id
            except NotFoundError as error:
                raise CheckFailed(f"the app has no linked Atlas cluster: {error}") from None
        return self.service_id

    def sync_state(self) -> SyncState:
        return self.client.get_sync_state(self.linked_cluster())

    def deployed_sync_state(self) -> SyncState:
        """The sync settings as deployed, never as a draft shows them.

        A config read answers with the caller's draft view while that user has
        a draft open; the pulled app configuration (``GET .../pull``, what the
        CLI's pull exports) shows only what is deployed.
        """
        return self.client.get_deployed_sync_state(self.linked_cluster())

    def stage_change(self, change: Mapping[str, Any]) -> str:
        """Put ``change`` into the user's draft and remember it for the review step."""
        draft = self.stage()
        self.client.patch_service_config(self.linked_cluster(), change)
        self.staged = merge_change(self.staged, change)
        self.undeployed = merge_change(self.undeployed, change)
        return draft

    def stage(self) -> str:
        """Open (or reuse) the user's draft, as the UI does before its first change."""
        if self.client.get_deploy_config().ui_drafts_disabled:
            raise CheckFailed(
                "drafts are disabled for this app (deploy config ui_drafts_disabled), so changes "
                "deploy at once and no Review & Deploy bar appears"
            )
        if not self.draft_id:
            draft = self.client.open_draft(reuse_existing=True)
            self.draft_id = draft.id
            self.drafts_opened.append(draft.id)
        return self.draft_id


Operation = Callable[[ScenarioState, Mapping[str, str]], str]


@dataclass(frozen=True)
class OperationSpec:
    run: Operation
    changes_app: bool  # refused against a real app unless --allow-destructive
    summary: str
    # Reviews or deploys what earlier steps staged: with nothing staged, it can only
    # fail the page when docharness did every earlier step the page asked for.
    needs_staged: bool = False


def _describe(state: SyncState) -> str:
    return repr(state.state) if state.state else "'' (terminated)"


def merge_change(base: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in change.items():
        old = merged.get(key)
        both = isinstance(old, Mapping) and isinstance(value, Mapping)
        merged[key] = merge_change(old, value) if both else value  # type: ignore[arg-type]
    return merged


def _leaves(change: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in change.items():
        if isinstance(value, Mapping):
            yield from _leaves(value)
        else:
            yield key, value


def _added_lines(diffs: tuple[str, ...], marker: str = "+") -> set[str]:
    """The lines a unified diff adds (or, with marker "-", removes), stripped of the marker,
    indentation and trailing comma."""
    return {
        line[1:].strip().rstrip(",")
        for text in diffs
        for line in text.splitlines()
        if line.startswith(marker) and not line.startswith(marker * 3)
    }


def _form_value(value: object) -> str:
    """A read-back value as the catalog's `form` writes it (booleans as "true"/"false")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expect_sync_state(state: ScenarioState, args: Mapping[str, str]) -> str:
    expected = args.get("state", "")
    found = state.sync_state()
    if found.state != expected:
        raise CheckFailed(f"sync state is {_describe(found)}, expected {expected!r}")
    return f"sync state is {expected!r}"


def stage_terminate_sync(state: ScenarioState, args: Mapping[str, str]) -> str:
    found = state.sync_state()
    if found.state != "enabled":
        raise CheckFailed(
            f"the page terminates an enabled Sync, but the sync state is {_describe(found)}"
        )
    draft = state.stage_change(terminate_patch(found))
    staged = state.sync_state()
    if staged.state != "":
        raise CheckFailed(f"after terminating, the sync state reads {_describe(staged)}")
    return f"sync state '' staged in draft {draft}"


def stage_pause_sync(state: ScenarioState, args: Mapping[str, str]) -> str:
    """Pausing keeps the sync configuration and sets its state to "disabled"."""
    found = state.sync_state()
    if found.state != "enabled":
        raise CheckFailed(
            f"the page pauses an enabled Sync, but the sync state is {_describe(found)}"
        )
    draft = state.stage_change({key: {"state": "disabled"} for key in terminate_patch(found)})
    staged = state.sync_state()
    if staged.state != "disabled":
        raise CheckFailed(f"after pausing, the sync state reads {_describe(staged)}")
    return f"sync state 'disabled' (paused) staged in draft {draft}"


def find_linked_cluster(state: ScenarioState, args: Mapping[str, str]) -> str:
    return f"linked cluster service {state.linked_cluster(fresh=True)} found"


def stage_enable_sync(state: ScenarioState, args: Mapping[str, str]) -> str:
    form = state.form
    mode = form.get("mode", "partition")
    if mode != "partition":
        raise CheckFailed(f"sync mode {mode!r} is not supported by this operation yet")
    development_mode = form.get("development_mode") == "true"
    # The database is where Development Mode creates collections; without it the
    # product takes none (the 2021 Admin API page enables Sync with "database_name": "").
    needed = ("database_name", "partition_key") if development_mode else ("partition_key",)
    missing = [name for name in needed if not form.get(name)]
    if missing:
        raise FormIncomplete(
            f"the form has no {' or '.join(missing)}: an earlier step of the page should set it"
        )
    change = partition_sync_patch(
        form.get("database_name", ""),
        form["partition_key"],
        "string",
        development_mode,
        DEFAULT_PARTITION_PERMISSIONS,
    )
    draft = state.stage_change(change)
    staged = state.sync_state()
    if staged.state != "enabled":
        raise CheckFailed(f"after enabling, the sync state reads {_describe(staged)}")
    return f"partition sync on {form['partition_key']!r} staged in draft {draft}"


def follow_missing_procedure(state: ScenarioState, args: Mapping[str, str]) -> str:
    raise CheckFailed(
        f"the page sends the reader to the steps in {state.form.get('link', '?')!r}, and there "
        "are none there: fix the link (see `docharness lint`, DH205/DH206)"
    )


def review_draft(state: ScenarioState, args: Mapping[str, str]) -> str:
    drafts = state.client.list_drafts()
    if not drafts:
        raise CheckFailed("no draft holds changes, so there is nothing to review and deploy")
    if state.draft_id and state.draft_id not in {d.id for d in drafts}:
        raise CheckFailed(f"the draft {state.draft_id} that held the changes is gone")
    state.draft_id = state.draft_id or drafts[0].id
    diff = state.client.diff_draft(state.draft_id)
    if not diff.diffs:
        raise CheckFailed(f"draft {state.draft_id} shows no changes to review")
    if not state.staged and not state.deleted:
        raise CheckFailed(
            f"draft {state.draft_id} lists changes, but no earlier step of this scenario staged one"
        )
    added, removed = _added_lines(diff.diffs), _added_lines(diff.diffs, "-")
    missing = [
        f"{key} = {json.dumps(value)}"
        for key, value in _leaves(state.staged)
        if f"{json.dumps(key)}: {json.dumps(value)}" not in added
    ] + [
        f"{resource} {name!r} deleted"
        for resource, (key, name) in state.deleted.items()
        if f"{json.dumps(key)}: {json.dumps(name)}" not in removed
    ]
    if missing:
        raise CheckFailed(
            f"the diff of draft {state.draft_id} does not show this scenario's change "
            f"({', '.join(missing)})"
        )
    state.reviewed = state.draft_id
    return f"draft {state.draft_id} shows the staged change ({len(diff.diffs)} file(s) changed)"


def deploy_draft(state: ScenarioState, args: Mapping[str, str]) -> str:
    if not state.draft_id:
        raise CheckFailed("there is no draft to deploy: no earlier step staged a change")
    if state.reviewed != state.draft_id:
        raise CheckFailed(
            f"draft {state.draft_id} was not reviewed: the Deploy button is in the modal that "
            "Review & Deploy opens, and no earlier step opened it"
        )
    created = state.client.deploy_draft(state.draft_id)
    state.draft_id = ""
    state.deployment = state.client.wait_for_deployment(
        created.id, timeout=state.deploy_timeout, interval=state.poll_interval
    )
    state.undeployed, state.deleted, state.staged = {}, {}, {}
    if any("." not in name for name in state.form):  # "resource.field" is resource_ops'
        read_back_form(state)
    for read_back in state.after_deploy:
        read_back(state)
    state.after_deploy.clear()
    return f"deployment {created.id} is successful"


def read_back_form(state: ScenarioState) -> None:
    """Compare every form value with the deployed sync settings of the same name.

    A field the settings do not hold (no attribute of that name) is left
    unchecked, so the step that set it stays ui-only.
    """
    deployment = state.deployment.id if state.deployment else "?"
    deployed = state.deployed_sync_state()
    evidence = f"deployed sync config (GET .../pull) read after deployment {deployment}"
    for name, expected in state.form.items():
        if hasattr(deployed, name):
            found = _form_value(getattr(deployed, name))
            state.form_checks.append(FormCheck(name, expected, found, evidence))


def expect_deployed_sync_state(state: ScenarioState, args: Mapping[str, str]) -> str:
    """The outcome of this scenario's deployment: it ended successful, and what it deployed."""
    if state.deployment is None:
        raise CheckFailed(
            "no step of this scenario deployed a change, so there is no deployment to be successful"
        )
    deployment = state.client.get_deployment(state.deployment.id)
    if deployment.status != "successful":
        raise CheckFailed(f"deployment {deployment.id} is {deployment.status!r}, not successful")
    expected = args.get("state", "")
    found = state.deployed_sync_state()
    if found.state != expected:
        raise CheckFailed(
            f"after deployment {deployment.id} the deployed sync state is {_describe(found)}, "
            f"expected {expected!r}"
        )
    return f"deployment {deployment.id} successful; deployed sync state is {expected!r}"


def terminate_and_deploy(state: ScenarioState, args: Mapping[str, str]) -> str:
    """Put the app in the terminated state a re-enable procedure starts from."""
    stage_terminate_sync(state, args)
    review_draft(state, args)
    deploy_draft(state, args)
    # The page's own steps must stage and deploy their change themselves.
    state.staged, state.deployment = {}, None
    return "sync terminated and deployed"


def _generic(kind: str) -> Operation:
    """The resource model's generic operation of ``kind`` (harness/plugin/resource_ops.py),
    imported when it runs: that module builds on this one."""

    def run(state: ScenarioState, args: Mapping[str, str]) -> str:
        from harness.plugin.resource_ops import run_generic

        return run_generic(kind, state, args)

    return run


OPERATIONS: Mapping[str, OperationSpec] = {
    "expect_sync_state": OperationSpec(expect_sync_state, False, "the sync state is `state`"),
    "find_linked_cluster": OperationSpec(find_linked_cluster, False, "the app links a cluster"),
    "stage_terminate_sync": OperationSpec(
        stage_terminate_sync, True, "stage sync state '' in a draft (Sync must be enabled)"
    ),
    "stage_pause_sync": OperationSpec(
        stage_pause_sync, True, "stage sync state 'disabled' in a draft (Sync must be enabled)"
    ),
    "stage_enable_sync": OperationSpec(
        stage_enable_sync, True, "stage the sync configuration the form holds in a draft"
    ),
    "follow_missing_procedure": OperationSpec(
        follow_missing_procedure, False, "fails: the linked page has no procedure to follow"
    ),
    "review_draft": OperationSpec(
        review_draft, False, "the open draft lists changes", needs_staged=True
    ),
    "deploy_draft": OperationSpec(
        deploy_draft, True, "deploy the draft and wait for success", needs_staged=True
    ),
    "expect_deployed_sync_state": OperationSpec(
        expect_deployed_sync_state,
        False,
        "this scenario's deployment successful and deployed sync state `state`",
    ),
    "terminate_and_deploy": OperationSpec(
        terminate_and_deploy, True, "terminate Sync and deploy (a precondition)"
    ),
    "resource_save": OperationSpec(
        _generic("save"), True, "stage the form's fields of `resource` in the draft, read back"
    ),
    "resource_deploy": OperationSpec(
        _generic("deploy"),
        True,
        "review and deploy what this scenario staged, read back",
        needs_staged=True,
    ),
    "resource_save_deploy": OperationSpec(
        _generic("save_deploy"),
        True,
        "stage the form's fields of `resource`, then review and deploy them, read back",
    ),
    "resource_delete": OperationSpec(
        _generic("delete"), True, "delete the item of `resource` this run made, read back gone"
    ),
    "resource_made": OperationSpec(
        _generic("made"), False, "an item of `resource` made by this run exists"
    ),
    "resource_make": OperationSpec(
        _generic("make"),
        True,
        "make (and deploy) an item of `resource` for this run (a precondition)",
    ),
    "resource_observe": OperationSpec(
        _generic("observe"), False, "values this scenario deployed, in the deployed config"
    ),
}
