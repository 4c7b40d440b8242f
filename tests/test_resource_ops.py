"""The resource model's generic operations, run step by step against a real emulator.

A Value is named and given a value by two form steps, saved, reviewed and
deployed; the form steps are verified only by the deployed configuration read
after this scenario's deployment. A product that stores or deploys another value
fails the step that says which value, naming both; a page that enters no value
gives ui-only steps, never verified ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.adminapi import AdminClient, Credentials, RetryPolicy, Target
from harness.catalog import Bound, ByRule, Unbound, bind_step, load_catalog
from harness.catalog.classify import RulesError
from harness.catalog.generic import parse_fields
from harness.catalog.model import Result
from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
)
from harness.plugin.operations import ScenarioState
from harness.plugin.scenario import ScenarioInfo, ScenarioRun, StepFailure, StepRef
from harness.results import StepStatus

PAGE = frozenset({"page:values-and-secrets/define-a-value"})
STEPS = (
    'Enter `greeting` in the "Value Name" field.',
    'Enter `hello` in the "Value" field.',
    'Click "Save".',
    'Click "Review & Deploy".',
    'Click "Deploy".',
)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    server = Emulator().start()
    yield server
    server.stop()


class Rewrite(httpx.BaseTransport):
    """The network to the emulator, with one kind of answer or request changed: a product
    that stores or deploys something else than it was sent."""

    def __init__(
        self, method: str, suffix: str, old: str, new: str, *, answer: bool, after: int = 0
    ) -> None:
        self.inner = httpx.HTTPTransport()
        self.after = after  # requests of that kind left untouched first
        self.method, self.suffix, self.old, self.new, self.answer = (
            method,
            suffix,
            old,
            new,
            answer,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        hit = request.method == self.method and request.url.path.endswith(self.suffix)
        if hit and self.after > 0:
            self.after -= 1
            hit = False
        if hit and not self.answer:
            body = request.content.replace(self.old.encode(), self.new.encode())
            request = httpx.Request(
                request.method,
                request.url,
                headers={k: v for k, v in request.headers.items() if k != "content-length"},
                content=body,
            )
        response = self.inner.handle_request(request)
        if hit and self.answer:
            response.read()
            text = response.content.replace(self.old.encode(), self.new.encode())
            return httpx.Response(
                response.status_code, content=text, headers={"content-type": "application/json"}
            )
        return response


def _client(emulator: Emulator, transport: httpx.BaseTransport | None = None) -> AdminClient:
    return AdminClient(
        Target(DEFAULT_GROUP_ID, DEFAULT_APP_ID, emulator.url),
        Credentials(DEFAULT_PUBLIC_KEY, DEFAULT_PRIVATE_KEY),
        transport=transport,
        retry=RetryPolicy(max_attempts=1),
        sleep=lambda _: None,
    )


FEATURE = Path(__file__).with_name("resource-ops.feature")  # written by the fixture below


@pytest.fixture(autouse=True, scope="module")
def feature(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The feature file the steps come from (code steps look there for code blocks)."""
    global FEATURE
    FEATURE = tmp_path_factory.mktemp("feature") / "v.feature"
    FEATURE.write_text("Feature: V\n  Scenario: V\n" + "    And a step\n" * 10, encoding="utf-8")
    yield FEATURE


def _scenario(
    client: AdminClient, texts: tuple[str, ...] = STEPS, page: frozenset[str] = PAGE
) -> ScenarioRun:
    steps = tuple(
        StepRef("And", text, "action", 2 + line, "p.txt", 10 + line)
        for line, text in enumerate(texts, 1)
    )
    info = ScenarioInfo("v/v", "Define a Value", page, FEATURE, 1, steps)
    state = ScenarioState(client=client, deploy_timeout=5.0, poll_interval=0.01)
    return ScenarioRun(info, load_catalog(), state)


def _play(run: ScenarioRun) -> str:
    """Perform every step; the failure's message, or "" when the scenario passed."""
    try:
        for ref in run.info.steps:
            run.perform(ref)
    except StepFailure as failure:
        return str(failure)
    finally:
        run.cleanup()
    return ""


def _statuses(run: ScenarioRun) -> list[StepStatus]:
    return [step.status for step in run.result("v.feature").steps]


# Binding


def test_a_form_step_with_a_value_for_a_known_field_binds_to_the_pending_change() -> None:
    found = bind_step(load_catalog(), STEPS[0], "action", PAGE)
    assert isinstance(found, Bound)
    assert found.entry.form == (("values.name", "$literal1"),)
    assert found.entry.source.startswith("harness/catalog/fields.toml:")


def test_a_form_step_without_a_value_is_ui_only_form_input() -> None:
    found = bind_step(load_catalog(), 'Enter a unique "Value Name".', "action", PAGE)
    assert isinstance(found, ByRule) and found.status == "ui-only"
    assert "no value" in found.reason and "fields.toml" in found.rule


def test_save_and_deploy_bind_to_the_generic_operations_of_their_resource() -> None:
    save = bind_step(load_catalog(), "Save the value.", "action", PAGE)
    deploy = bind_step(load_catalog(), "Deploy your changes.", "action", PAGE)
    assert isinstance(save, Bound) and save.entry.operation == "resource_save"
    assert dict(save.entry.args) == {"resource": "values"}
    assert isinstance(deploy, Bound) and deploy.entry.operation == "resource_deploy"


def test_delete_observation_outcome_and_unlisted_resources_stay_unbound() -> None:
    catalog = load_catalog()
    assert isinstance(bind_step(catalog, 'Click "Delete Value".', "action", PAGE), Unbound)
    assert isinstance(bind_step(catalog, "Confirm that the value exists.", "action", PAGE), Unbound)
    outcome = bind_step(catalog, "The value `greeting` is saved.", "outcome", PAGE)
    assert isinstance(outcome, Unbound)
    apps = frozenset({"page:manage-apps/create/create-with-ui"})
    assert isinstance(bind_step(catalog, "Create the app.", "action", apps), Unbound)


def test_a_renamed_label_leaves_the_step_unbound_never_generic() -> None:
    catalog = load_catalog()
    renamed = 'Enter `greeting` in the "Value Title" field.'
    assert isinstance(bind_step(catalog, renamed, "action", PAGE), Unbound)
    assert isinstance(bind_step(catalog, 'Click "Save Now".', "action", PAGE), Unbound)
    hosting = frozenset({"page:hosting/enable-hosting"})
    assert isinstance(bind_step(catalog, 'Click "Disable Hosting".', "action", hosting), Unbound)


def test_a_resource_listed_without_fields_binds_its_save_ui_only() -> None:
    schemas = frozenset({"page:schemas/enforce-a-schema"})
    found = bind_step(load_catalog(), 'Click "Save".', "action", schemas)
    assert isinstance(found, Bound) and found.entry.operation == "resource_save"
    form = bind_step(load_catalog(), "Specify the sample size.", "action", schemas)
    assert isinstance(form, ByRule) and form.status == "ui-only"
    assert "does not map" in form.reason


def test_a_fields_file_without_a_key_is_refused_with_its_line() -> None:
    with pytest.raises(RulesError, match=r"fields.toml:2 \(values\): needs key"):
        parse_fields(
            "fields.toml",
            '\n[resource.values]\napi = "values"\ndeployed = "values"\n'
            '[[resource.values.field]]\nname = "name"\nlabels = ["Name"]\n',
        )


# Running against the emulator


def test_every_step_is_verified_and_the_value_is_deployed(emulator: Emulator) -> None:
    with _client(emulator) as client:
        run = _scenario(client)
        assert _play(run) == ""
        assert _statuses(run) == [StepStatus.VERIFIED] * 5
        steps = run.result("v.feature").steps
        assert "deployed values (GET .../pull)" in steps[1].reason
        assert "values.value = 'hello'" in steps[1].reason
        assert "read back from the draft" in steps[2].reason
        deployed = client.pull_config()["values"]
        assert [(v["name"], v["value"]) for v in deployed] == [("greeting", "hello")]


def test_an_app_without_a_linked_cluster_deploys_a_value_without_reading_sync(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        client.delete_resource("services", client.find_service("mongodb-atlas").id)
        run = _scenario(client)
        assert _play(run) == ""
    assert _statuses(run) == [StepStatus.VERIFIED] * 5


def test_a_deployment_that_holds_another_value_fails_the_form_step_naming_both(
    emulator: Emulator,
) -> None:
    lost = Rewrite("GET", "/pull", '"hello"', '"hullo"', answer=True)
    with _client(emulator, lost) as client:
        run = _scenario(client)
        failure = _play(run)
    assert failure.startswith("p.txt:12: Enter `hello`")
    assert "values.value is 'hullo' in the deployed values" in failure
    assert "the page sets 'hello'" in failure
    assert _statuses(run)[1] is StepStatus.FAILED


OBSERVE = "Find `hello` in the list of values."


def test_an_observation_of_a_deployed_value_is_verified_by_the_deployed_config(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        run = _scenario(client, (*STEPS, OBSERVE))
        assert _play(run) == ""
    assert _statuses(run) == [StepStatus.VERIFIED] * 6
    assert "value = 'hello'" in run.results[5].reason and "GET .../pull" in run.results[5].reason


def test_an_observation_the_deployed_config_contradicts_fails(emulator: Emulator) -> None:
    later = Rewrite("GET", "/pull", '"hello"', '"hullo"', answer=True, after=1)
    with _client(emulator, later) as client:
        failure = _play(_scenario(client, (*STEPS, OBSERVE)))
    assert failure.startswith("p.txt:16: Find `hello`")
    assert "value is 'hullo', not 'hello'" in failure


def test_an_observation_of_a_value_not_deployed_by_the_scenario_is_ui_only(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        run = _scenario(client, (OBSERVE, *STEPS[:2], OBSERVE))
        assert _play(run) == ""
        assert run.calls == []  # nothing to compare: nothing is even read
    assert _statuses(run)[0] is StepStatus.UI_ONLY and _statuses(run)[3] is StepStatus.UI_ONLY
    assert "nothing to compare" in run.results[0].reason


def test_an_observation_of_another_value_after_the_deployment_is_ui_only(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        run = _scenario(client, (*STEPS, "Find `goodbye` in the list of values."))
        assert _play(run) == ""
    assert _statuses(run)[5] is StepStatus.UI_ONLY
    assert "'goodbye', which no step of this scenario entered" in run.results[5].reason


def test_a_deployment_without_the_item_fails_the_name_step(emulator: Emulator) -> None:
    lost = Rewrite("GET", "/pull", '"greeting"', '"other"', answer=True)
    with _client(emulator, lost) as client:
        failure = _play(_scenario(client))
    assert failure.startswith("p.txt:11: Enter `greeting`")
    assert "'(no such item)'" in failure


def test_a_product_that_stores_another_value_fails_the_save_step(emulator: Emulator) -> None:
    stored = Rewrite("POST", "/values", '"hello"', '"hullo"', answer=False)
    with _client(emulator, stored) as client:
        run = _scenario(client)
        failure = _play(run)
    assert failure.startswith('p.txt:13: Click "Save"')
    assert "value is 'hullo', not 'hello'" in failure


def test_the_review_step_fails_when_the_draft_does_not_show_the_saved_value(
    emulator: Emulator,
) -> None:
    shown = Rewrite("GET", "/diff", "hello", "hullo", answer=True)
    with _client(emulator, shown) as client:
        failure = _play(_scenario(client))
    assert failure.startswith('p.txt:14: Click "Review & Deploy"')
    assert 'value = "hello"' in failure


def test_a_saved_change_never_deployed_fails_the_save_step(emulator: Emulator) -> None:
    with _client(emulator) as client:
        failure = _play(_scenario(client, STEPS[:3]))
    assert failure.startswith('p.txt:13: Click "Save"') and "no later step" in failure


def test_an_existing_item_is_updated_and_only_the_change_is_reviewed(emulator: Emulator) -> None:
    with _client(emulator) as client:
        client.create_resource("values", {"name": "greeting", "value": "hi", "private": False})
        run = _scenario(client)
        for ref in run.info.steps[:3]:
            run.perform(ref)
        assert "updated in draft" in run.results[2].reason
        assert run.state.staged == {"values": {"value": "hello"}}  # the name was there before
        for ref in run.info.steps[3:]:
            run.perform(ref)
        assert run.state.staged == {}  # deployed: a later review needs a change of its own
        deployed = client.pull_config()["values"]
    assert [(v["name"], v["value"]) for v in deployed] == [("greeting", "hello")]


def test_saving_the_value_already_deployed_stages_nothing_to_deploy(emulator: Emulator) -> None:
    with _client(emulator) as client:
        client.create_resource("values", {"name": "greeting", "value": "hello", "private": False})
        run = _scenario(client, (*STEPS[:3], "Deploy your changes."))
        assert _play(run) == ""
    ui, verified = StepStatus.UI_ONLY, StepStatus.VERIFIED
    assert _statuses(run) == [ui, ui, verified, ui]  # nothing deployed: form steps not read back
    assert "staged a change to deploy" in run.results[3].reason


def test_steps_that_enter_no_value_leave_save_and_deploy_ui_only(emulator: Emulator) -> None:
    texts = ('Enter a unique "Value Name".', "Save the value.", "Deploy your changes.")
    with _client(emulator) as client:
        run = _scenario(client, texts)
        assert _play(run) == ""
        assert client.list_drafts() == []
    assert _statuses(run) == [StepStatus.UI_ONLY] * 3
    assert "no earlier step entered a value" in run.results[1].reason
    # The deploy names the earlier step docharness sent nothing for, never fails the page.
    assert "nothing staged to review or deploy" in run.results[2].reason
    assert "line 12 ('Save the value.')" in run.results[2].reason


def test_a_value_without_a_name_cannot_be_read_back_so_save_is_ui_only(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        run = _scenario(client, (STEPS[1], STEPS[2]))
        assert _play(run) == ""
    assert _statuses(run) == [StepStatus.UI_ONLY, StepStatus.UI_ONLY]
    assert "not its name" in run.results[1].reason


def test_the_generic_deploy_reviews_and_deploys(emulator: Emulator) -> None:
    texts = (*STEPS[:3], "Deploy your changes.")
    with _client(emulator) as client:
        run = _scenario(client, texts)
        assert _play(run) == ""
    assert _statuses(run) == [StepStatus.VERIFIED] * 4
    assert "shows the staged change" in run.results[3].reason
    assert "is successful" in run.results[3].reason


def _requests(run: ScenarioRun) -> list[str]:
    return [f"{call.method} {call.path.rsplit('/', 1)[-1]}" for call in run.calls]


def test_the_form_values_go_out_in_one_request_per_save(emulator: Emulator) -> None:
    seen: list[bytes] = []

    class Spy(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and request.url.path.endswith("/values"):
                seen.append(request.content)
            return super().handle_request(request)

    with _client(emulator, Spy()) as client:
        _play(_scenario(client))
    assert [json.loads(body) for body in seen] == [
        {"private": False, "value": "hello", "name": "greeting"}
    ]


# Options and toggles (fields.toml): the choice the page names is sent and read back

PROVIDERS = frozenset({"page:authentication/email-password"})
PROVIDER_STEPS = (
    'Select the "Email/Password" provider.',
    'Turn on the "Provider Enabled" toggle.',
    'Click "Save".',
    'Click "Review & Deploy".',
    'Click "Deploy".',
)


def test_an_option_the_page_names_sets_its_api_value_and_the_fields_it_implies() -> None:
    found = bind_step(load_catalog(), PROVIDER_STEPS[0], "action", PROVIDERS)
    assert isinstance(found, Bound) and found.entry.result is Result.UI_ONLY
    assert found.entry.form == (
        ("auth_providers.type", "local-userpass"),
        ("auth_providers.name", "local-userpass"),
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('Turn on the "Provider Enabled" toggle.', "false"),
        ('Set the "Provider Enabled" toggle to "On".', "false"),
        ('Switch the "Provider Enabled" toggle off.', "true"),
        ('Set the "Provider Enabled" toggle to "Off".', "true"),
    ],
)
def test_a_toggle_state_the_page_names_sets_its_field_inverted_for_disabled(
    text: str, value: str
) -> None:
    found = bind_step(load_catalog(), text, "action", PROVIDERS)
    assert isinstance(found, Bound)
    assert found.entry.form == (("auth_providers.disabled", value),)


def test_a_toggle_named_in_an_update_is_form_input_and_in_a_save_is_saved_with_it() -> None:
    catalog = load_catalog()
    update = bind_step(catalog, 'If you must, disable "Provider Enabled".', "action", PROVIDERS)
    assert isinstance(update, Bound) and update.entry.result is Result.UI_ONLY
    assert update.entry.form == (("auth_providers.disabled", "true"),)
    save = bind_step(catalog, 'Disable "Provider Enabled" and save.', "action", PROVIDERS)
    assert isinstance(save, Bound) and save.entry.operation == "resource_save"
    assert save.entry.form == (("auth_providers.disabled", "true"),)


def test_a_toggle_without_a_state_is_ui_only_and_says_so() -> None:
    found = bind_step(load_catalog(), 'Click the "Provider Enabled" toggle.', "action", PROVIDERS)
    assert isinstance(found, ByRule) and found.status == "ui-only"
    assert "not whether to turn it on or off" in found.reason


def test_a_renamed_option_or_toggle_leaves_the_step_unbound() -> None:
    catalog = load_catalog()
    for renamed in (
        'Select the "Email/Passcode" provider.',
        'Turn on the "Provider Active" toggle.',
    ):
        assert isinstance(bind_step(catalog, renamed, "action", PROVIDERS), Unbound), renamed


def test_an_option_and_a_toggle_are_verified_by_the_deployed_config(emulator: Emulator) -> None:
    with _client(emulator) as client:
        run = _scenario(client, PROVIDER_STEPS, PROVIDERS)
        assert _play(run) == ""
        deployed = client.pull_config()["auth_providers"]
    assert _statuses(run) == [StepStatus.VERIFIED] * 5
    assert [(p["name"], p["type"], p["disabled"]) for p in deployed] == [
        ("local-userpass", "local-userpass", False)
    ]
    assert "auth_providers.disabled = 'false'" in run.results[1].reason
    assert "GET .../pull" in run.results[1].reason


def test_a_deployed_toggle_in_the_other_state_fails_the_toggle_step_naming_both(
    emulator: Emulator,
) -> None:
    flipped = Rewrite("GET", "/pull", '"disabled":false', '"disabled":true', answer=True)
    with _client(emulator, flipped) as client:
        run = _scenario(client, PROVIDER_STEPS, PROVIDERS)
        failure = _play(run)
    assert failure.startswith('p.txt:12: Turn on the "Provider Enabled"')
    assert "auth_providers.disabled is 'true'" in failure and "the page sets 'false'" in failure


def test_a_product_that_stores_another_toggle_state_fails_the_save_step(
    emulator: Emulator,
) -> None:
    stored = Rewrite("POST", "/auth_providers", '"disabled":false', '"disabled":true', answer=False)
    with _client(emulator, stored) as client:
        failure = _play(_scenario(client, PROVIDER_STEPS, PROVIDERS))
    assert failure.startswith('p.txt:13: Click "Save"')
    assert "disabled is 'true', not 'false'" in failure


def test_a_singleton_toggle_is_set_and_read_back_without_a_key(emulator: Emulator) -> None:
    page = frozenset({"page:users/enable-custom-user-data"})
    texts = ('Set the "Enable Custom User Data" toggle to "On".', *PROVIDER_STEPS[2:])
    with _client(emulator) as client:
        run = _scenario(client, texts, page)
        assert _play(run) == ""
        assert client.pull_config()["custom_user_data"]["enabled"] is True
    assert _statuses(run) == [StepStatus.VERIFIED] * 4
    assert "custom_user_data.enabled = 'true'" in run.results[0].reason


def test_a_save_while_another_resources_form_is_open_saves_nothing_of_this_one(
    emulator: Emulator,
) -> None:
    page = frozenset({"page:authentication/api-key"})
    texts = (PROVIDER_STEPS[0], 'Click "Create API Key".', 'Enter a name and click "Save".')
    with _client(emulator) as client:
        run = _scenario(client, texts, page)
        assert _play(run) == ""
        assert client.list_drafts() == []
    assert run.results[2].status is StepStatus.UI_ONLY
    assert "the api_keys form that line 12 opened" in run.results[2].reason


# A deploy with nothing staged


def test_a_deploy_after_input_docharness_did_not_send_is_ui_only_naming_it(
    emulator: Emulator,
) -> None:
    page = frozenset({"page:schemas/enforce-a-schema"})
    texts = ("Specify the sample size.", 'Click "Review & Deploy".', 'Click "Deploy".')
    with _client(emulator) as client:
        run = _scenario(client, texts, page)
        assert _play(run) == ""
    assert _statuses(run) == [StepStatus.UI_ONLY] * 3
    assert "line 11 ('Specify the sample size.') is ui-only" in run.results[1].reason


def test_each_deploy_with_nothing_staged_names_the_input_not_an_earlier_deploy(
    emulator: Emulator,
) -> None:
    page = frozenset({"page:schemas/enforce-a-schema"})
    texts = ("Specify the sample size.", "Deploy your changes.", 'Click "Review & Deploy".')
    with _client(emulator) as client:
        run = _scenario(client, texts, page)
        assert _play(run) == ""
    assert "line 11 ('Specify the sample size.')" in run.results[1].reason
    assert "line 11 ('Specify the sample size.')" in run.results[2].reason


def test_a_deploy_that_precedes_every_change_still_fails(emulator: Emulator) -> None:
    page = frozenset({"page:schemas/enforce-a-schema"})
    texts = ('Click "Review & Deploy".', "Specify the sample size.")
    with _client(emulator) as client:
        failure = _play(_scenario(client, texts, page))
    assert failure.startswith('p.txt:11: Click "Review & Deploy"')
    assert "no draft holds changes" in failure


def test_a_fields_file_toggle_without_its_field_is_refused_with_its_line() -> None:
    with pytest.raises(RulesError, match=r"fields.toml:2 \(x\): a toggle needs"):
        parse_fields(
            "fields.toml",
            '\n[resource.x]\napi = "x"\ndeployed = "x"\nsingleton = true\n'
            '[[resource.x.toggle]]\nlabels = ["On"]\non = true\noff = false\n',
        )


# Delete: only an item this run made, read back gone

SECRETS = frozenset({"page:values-and-secrets/define-and-manage-secrets"})
DELETE_SECRET = (
    'Find the value that you want to delete in the table, open its "Actions" menu, and '
    'select "Delete Secret".',
    "Confirm that you want to delete the secret.",
)


def _with_preconditions(run: ScenarioRun) -> ScenarioRun:
    run.establish_preconditions(())
    return run


def test_a_delete_without_an_item_of_this_run_gets_a_precondition_that_makes_one(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        client.create_resource("secrets", {"name": "theirs", "value": "x"})
        run = _with_preconditions(_scenario(client, DELETE_SECRET, SECRETS))
        [made] = run.preconditions
        assert made.status is StepStatus.VERIFIED and "made by this run" in made.text
        name = made.text.split("'")[1]
        assert name.startswith("docharness-")
        assert _play(run) == ""
        assert [s.name for s in client.list_resources("secrets")] == ["theirs"]  # never theirs
    assert _statuses(run) == [StepStatus.VERIFIED, StepStatus.UI_ONLY]
    assert f"secrets {name!r} deleted; no longer listed" in run.results[0].reason
    assert "a second one would add none" in run.results[1].reason


def test_a_delete_after_this_scenario_created_the_item_deletes_that_one(
    emulator: Emulator,
) -> None:
    texts = (*STEPS, "Delete the value.", 'Click "Review & Deploy".', 'Click "Deploy".')
    with _client(emulator) as client:
        run = _with_preconditions(_scenario(client, texts))
        assert run.preconditions == []  # the scenario makes its own item
        assert _play(run) == ""
        assert client.pull_config()["values"] == []
    assert _statuses(run) == [StepStatus.VERIFIED] * 8
    assert "values 'greeting' deleted in draft" in run.results[5].reason


def test_a_drafted_delete_is_reviewed_and_gone_from_the_deployed_config(
    emulator: Emulator,
) -> None:
    texts = ("Delete the value.", 'Click "Review & Deploy".', 'Click "Deploy".')
    with _client(emulator) as client:
        run = _with_preconditions(_scenario(client, texts))
        assert _play(run) == ""
        assert client.pull_config()["values"] == []
    assert _statuses(run) == [StepStatus.VERIFIED] * 3


def test_a_deployment_that_still_deploys_the_deleted_item_fails_the_deploy(
    emulator: Emulator,
) -> None:
    texts = ("Delete the value.", 'Click "Review & Deploy".', 'Click "Deploy".')
    name = f"docharness-{hashlib.sha256(b'v/v').hexdigest()[:8]}"  # named after the scenario
    kept = f'"values":[{{"name":"{name}","value":"","private":false}}]'
    with _client(emulator, Rewrite("GET", "/pull", '"values":[]', kept, answer=True)) as client:
        failure = _play(_with_preconditions(_scenario(client, texts)))
    assert failure.startswith('p.txt:13: Click "Deploy"')
    assert f"still deploys values {name!r}, which this scenario deleted" in failure


def test_a_review_that_does_not_show_the_deletion_fails(emulator: Emulator) -> None:
    texts = ("Delete the value.", 'Click "Review & Deploy".', 'Click "Deploy".')
    hidden = Rewrite("GET", "/diff", "\\n-", "\\n ", answer=True)  # no line removed
    with _client(emulator, hidden) as client:
        failure = _play(_with_preconditions(_scenario(client, texts)))
    assert failure.startswith('p.txt:12: Click "Review & Deploy"')
    assert "deleted)" in failure


def test_a_delete_with_nothing_of_this_run_to_delete_is_ui_only(emulator: Emulator) -> None:
    texts = ('Enter a unique "Value Name".', "Save the value.", "Delete the value.")
    with _client(emulator) as client:
        client.create_resource("values", {"name": "theirs", "value": "", "private": False})
        run = _with_preconditions(_scenario(client, texts))
        assert run.preconditions == []  # a save precedes it: no item is made for it
        assert _play(run) == ""
        assert [v.name for v in client.list_resources("values")] == ["theirs"]
    assert run.results[2].status is StepStatus.UI_ONLY
    assert "docharness deletes only what it made" in run.results[2].reason


def test_a_delete_of_a_resource_without_a_key_stays_unbound() -> None:
    schemas = frozenset({"page:schemas/enforce-a-schema"})
    assert isinstance(bind_step(load_catalog(), "Delete the schema.", "action", schemas), Unbound)


def test_a_product_that_still_lists_the_deleted_item_fails_the_delete(emulator: Emulator) -> None:
    name = f"docharness-{hashlib.sha256(b'v/v').hexdigest()[:8]}"
    # GET .../secrets: the precondition's check, the delete's lookup, then its read-back
    listed = Rewrite("GET", "/secrets", "[]", f'[{{"_id":"1","name":"{name}"}}]', answer=True)
    listed.after = 2
    with _client(emulator, listed) as client:
        failure = _play(_with_preconditions(_scenario(client, DELETE_SECRET, SECRETS)))
    assert failure.startswith("p.txt:11: Find the value")
    assert f"after deleting, secrets {name!r} is still listed" in failure


FUNCTIONS = frozenset({"page:functions/define-a-function"})


def test_a_boolean_field_takes_the_pages_literal_as_json(emulator: Emulator) -> None:
    texts = (
        'Enter `greet` in the "Name" field.',
        'Set "Private" to `true` to hide the function.',
        'Click "Save".',
        'Click "Review & Deploy".',
        'Click "Deploy".',
    )
    with _client(emulator) as client:
        run = _scenario(client, texts, FUNCTIONS)
        assert _play(run) == ""
        [deployed] = client.pull_config()["functions"]
    assert deployed["name"] == "greet" and deployed["private"] is True
    assert _statuses(run) == [StepStatus.VERIFIED] * 5
    assert "functions.private = 'true'" in run.results[1].reason


def test_a_boolean_field_given_no_boolean_is_ui_only_naming_the_value() -> None:
    text = 'Set "Private" to `yes`.'
    found = bind_step(load_catalog(), text, "action", FUNCTIONS)
    assert isinstance(found, ByRule) and found.status == "ui-only"
    assert "`yes`, which is not a value of that field" in found.reason


def test_a_resource_outside_drafts_is_verified_by_the_read_right_after_its_save(
    emulator: Emulator,
) -> None:
    texts = ('Enter `apiKey` in the "Secret Name" field.', 'Click "Save".')
    with _client(emulator) as client:
        run = _scenario(client, texts, SECRETS)
        assert _play(run) == ""  # nothing staged in a draft: nothing left undeployed
        assert client.list_drafts() == []
        assert [s.name for s in client.list_resources("secrets")] == ["apiKey"]
    assert _statuses(run) == [StepStatus.VERIFIED] * 2
    assert "secrets read back after this step saved it" in run.results[0].reason
    assert "outside drafts" in run.results[1].reason


def test_a_secret_stored_under_another_name_fails_the_name_step(emulator: Emulator) -> None:
    texts = ('Enter `apiKey` in the "Secret Name" field.', 'Click "Save".')
    renamed = Rewrite("POST", "/secrets", '"apiKey"', '"apiKay"', answer=False)
    with _client(emulator, renamed) as client:
        failure = _play(_scenario(client, texts, SECRETS))
    assert failure.startswith('p.txt:12: Click "Save"')
    assert "name is 'apiKay', not 'apiKey'" in failure


def test_a_trigger_named_by_the_page_is_made_valid_by_stand_ins_never_evidence(
    emulator: Emulator,
) -> None:
    page = frozenset({"page:triggers/scheduled-triggers"})
    texts = (
        'Enter `nightly` in the "Trigger Name" field.',
        'Switch the "Enabled" toggle off.',
        'Click "Save".',
        'Click "Review & Deploy".',
        'Click "Deploy".',
    )
    with _client(emulator) as client:
        run = _scenario(client, texts, page)
        assert _play(run) == ""
        [deployed] = client.pull_config()["triggers"]
    assert (deployed["name"], deployed["type"], deployed["disabled"]) == (
        "nightly",
        "SCHEDULED",
        True,
    )
    assert _statuses(run) == [StepStatus.VERIFIED] * 5
    # The stand-in type is sent and named as a stand-in, never shown as a value read back.
    read, _, stand_ins = run.results[2].reason.partition("(stand-ins the API needs")
    assert "type" not in read
    assert "no evidence of the page: " in stand_ins and "type = 'SCHEDULED'" in stand_ins


# A deploy sentence that also saves (fields.toml [[save_first]])

CUSTOM_USER_DATA = frozenset({"page:users/enable-custom-user-data"})
CUSTOM_USER_DATA_STEPS = (
    'Set the "Enable Custom User Data" toggle to "On".',
    "Specify the name of the field that contains each user's ID.",
    "Once you have configured the custom user data collection, deploy your application.",
)
API_KEY = frozenset({"page:authentication/api-key"})
API_KEY_STEPS = (
    'Select the "API Keys" provider.',
    "If the API Key provider is not currently enabled, enable it and then deploy your app.",
)


def test_a_deploy_that_saves_first_binds_to_save_and_deploy_with_the_state_it_names() -> None:
    catalog = load_catalog()
    enable = bind_step(catalog, API_KEY_STEPS[1], "action", API_KEY)
    assert isinstance(enable, Bound) and enable.entry.operation == "resource_save_deploy"
    assert enable.entry.form == (("auth_providers.disabled", "false"),)
    plain = bind_step(catalog, "Deploy your application.", "action", API_KEY)
    assert isinstance(plain, Bound) and plain.entry.operation != "resource_save_deploy"


def test_custom_user_data_is_saved_with_named_stand_ins_deployed_and_read_back(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        run = _scenario(client, CUSTOM_USER_DATA_STEPS, CUSTOM_USER_DATA)
        assert _play(run) == ""
        deployed = client.pull_config()["custom_user_data"]
        linked = client.find_service("mongodb-atlas").id
    assert deployed["enabled"] is True and deployed["mongo_service_id"] == linked
    assert _statuses(run) == [StepStatus.VERIFIED, StepStatus.UI_ONLY, StepStatus.VERIFIED]
    assert "custom_user_data.enabled = 'true'" in run.results[0].reason
    assert "GET .../pull" in run.results[0].reason
    saved = run.results[2].reason
    assert "read back from the draft: enabled = 'true'" in saved
    assert "no evidence of the page: collection_name = 'custom_user_data'" in saved
    assert f"mongo_service_id = '{linked}'" in saved and "is successful" in saved


def test_a_deployment_that_holds_the_other_state_fails_the_toggle_line(emulator: Emulator) -> None:
    deployed_off = Rewrite("GET", "/pull", '"enabled":true', '"enabled":false', answer=True)
    with _client(emulator, deployed_off) as client:
        failure = _play(_scenario(client, CUSTOM_USER_DATA_STEPS, CUSTOM_USER_DATA))
    assert failure.startswith('p.txt:11: Set the "Enable Custom User Data" toggle')
    assert "custom_user_data.enabled is 'false'" in failure and "sets 'true'" in failure


def test_a_plain_deploy_after_the_unsaved_toggle_saves_nothing(emulator: Emulator) -> None:
    texts = (*CUSTOM_USER_DATA_STEPS[:2], "Deploy your application.")
    with _client(emulator) as client:
        run = _scenario(client, texts, CUSTOM_USER_DATA)
        assert _play(run) == ""
        assert client.list_drafts() == []
    assert _statuses(run) == [StepStatus.UI_ONLY] * 3
    assert "nothing staged to review or deploy" in run.results[2].reason


def test_enable_it_and_then_deploy_enables_the_provider_and_deploys_it(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        run = _scenario(client, API_KEY_STEPS, API_KEY)
        assert _play(run) == ""
        deployed = client.pull_config()["auth_providers"]
    assert [(p["name"], p["type"], p["disabled"]) for p in deployed] == [
        ("api-key", "api-key", False)
    ]
    assert _statuses(run) == [StepStatus.VERIFIED] * 2
    assert "auth_providers.type = 'api-key'" in run.results[0].reason
    assert "disabled = 'false'" in run.results[1].reason
    assert "is successful" in run.results[1].reason


def test_a_provider_deployed_disabled_fails_the_enable_and_deploy_line(emulator: Emulator) -> None:
    deployed_off = Rewrite("GET", "/pull", '"disabled":false', '"disabled":true', answer=True)
    with _client(emulator, deployed_off) as client:
        failure = _play(_scenario(client, API_KEY_STEPS, API_KEY))
    assert failure.startswith("p.txt:12: If the API Key provider is not currently enabled")
    assert "auth_providers.disabled is 'true'" in failure


def test_a_provider_already_enabled_in_the_draft_leaves_the_step_ui_only(
    emulator: Emulator,
) -> None:
    with _client(emulator) as client:
        client.create_resource(
            "auth_providers", {"name": "api-key", "type": "api-key", "disabled": False}
        )
        run = _scenario(client, API_KEY_STEPS, API_KEY)
        assert _play(run) == ""
    assert _statuses(run) == [StepStatus.UI_ONLY] * 2
    assert "already held these values" in run.results[1].reason


def test_deploy_steps_after_the_scenarios_deployment_say_it_is_deployed_already(
    emulator: Emulator,
) -> None:
    texts = (*CUSTOM_USER_DATA_STEPS, 'Click "Review & Deploy".', "Specify the collection name.")
    texts += ('Click "Review & Deploy".',)
    with _client(emulator) as client:
        run = _scenario(client, texts, CUSTOM_USER_DATA)
        assert _play(run) == ""
    assert run.results[3].status is StepStatus.UI_ONLY
    assert "deployed already (deployment " in run.results[3].reason
    # Input after that deployment is a change of its own that docharness did not send.
    assert "line 15 ('Specify the collection name.') is ui-only" in run.results[5].reason
