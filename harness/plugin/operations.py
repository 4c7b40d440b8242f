"""The Admin API operations that catalog entries name.

Each operation does what the UI does for a step and checks what the page
says should follow, through :class:`harness.adminapi.AdminClient`. The
catalog decides *which* operation a sentence means; this module only knows
*how* to carry each one out. An operation returns a one-line account of
what it verified, or raises :class:`CheckFailed` when the product does not
behave as the page says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from harness.adminapi import AdminClient, Deployment, NotFoundError, SyncState


class CheckFailed(Exception):
    """The product answered, and the answer contradicts the page."""


@dataclass
class ScenarioState:
    """What one scenario has learned and staged so far, as the UI session would hold it."""

    client: AdminClient
    deploy_timeout: float
    poll_interval: float
    service_id: str = ""
    draft_id: str = ""
    drafts_opened: list[str] = field(default_factory=list)
    deployment: Deployment | None = None
    form: dict[str, str] = field(default_factory=dict)

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


def _describe(state: SyncState) -> str:
    return repr(state.state) if state.state else "'' (terminated)"


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
    draft = state.stage()
    state.client.terminate_sync(state.linked_cluster())
    staged = state.sync_state()
    if staged.state != "":
        raise CheckFailed(f"after terminating, the sync state reads {_describe(staged)}")
    return f"sync state '' staged in draft {draft}"


def find_linked_cluster(state: ScenarioState, args: Mapping[str, str]) -> str:
    return f"linked cluster service {state.linked_cluster(fresh=True)} found"


def stage_enable_sync(state: ScenarioState, args: Mapping[str, str]) -> str:
    form = state.form
    mode = form.get("mode", "partition")
    if mode != "partition":
        raise CheckFailed(f"sync mode {mode!r} is not supported by this operation yet")
    missing = [name for name in ("database_name", "partition_key") if not form.get(name)]
    if missing:
        raise CheckFailed(
            f"the form has no {' or '.join(missing)}: an earlier step of the page should set it"
        )
    draft = state.stage()
    state.client.enable_partition_sync(
        state.linked_cluster(),
        database_name=form["database_name"],
        partition_key=form["partition_key"],
        development_mode=form.get("development_mode") == "true",
    )
    staged = state.sync_state()
    if staged.state != "enabled":
        raise CheckFailed(f"after enabling, the sync state reads {_describe(staged)}")
    return f"partition sync on {form['partition_key']!r} staged in draft {draft}"


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
    return f"draft {state.draft_id} lists {len(diff.diffs)} change(s)"


def deploy_draft(state: ScenarioState, args: Mapping[str, str]) -> str:
    if not state.draft_id:
        raise CheckFailed("there is no draft to deploy: no earlier step staged a change")
    created = state.client.deploy_draft(state.draft_id)
    state.draft_id = ""
    state.deployment = state.client.wait_for_deployment(
        created.id, timeout=state.deploy_timeout, interval=state.poll_interval
    )
    return f"deployment {created.id} is successful"


def expect_deployed_sync_state(state: ScenarioState, args: Mapping[str, str]) -> str:
    deployments = state.client.list_deployments()
    if not deployments or deployments[0].status != "successful":
        latest = deployments[0].status if deployments else "none"
        raise CheckFailed(f"the latest deployment is not successful (it is {latest})")
    return f"latest deployment successful; {expect_sync_state(state, args)}"


def terminate_and_deploy(state: ScenarioState, args: Mapping[str, str]) -> str:
    """Put the app in the terminated state a re-enable procedure starts from."""
    stage_terminate_sync(state, args)
    deploy_draft(state, args)
    return "sync terminated and deployed"


OPERATIONS: Mapping[str, OperationSpec] = {
    "expect_sync_state": OperationSpec(expect_sync_state, False, "the sync state is `state`"),
    "find_linked_cluster": OperationSpec(find_linked_cluster, False, "the app links a cluster"),
    "stage_terminate_sync": OperationSpec(
        stage_terminate_sync, True, "stage sync state '' in a draft (Sync must be enabled)"
    ),
    "stage_enable_sync": OperationSpec(
        stage_enable_sync, True, "stage the sync configuration the form holds in a draft"
    ),
    "review_draft": OperationSpec(review_draft, False, "the open draft lists changes"),
    "deploy_draft": OperationSpec(deploy_draft, True, "deploy the draft and wait for success"),
    "expect_deployed_sync_state": OperationSpec(
        expect_deployed_sync_state, False, "latest deployment successful and sync state `state`"
    ),
    "terminate_and_deploy": OperationSpec(
        terminate_and_deploy, True, "terminate Sync and deploy (a precondition)"
    ),
}
