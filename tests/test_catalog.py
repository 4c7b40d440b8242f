"""The catalog binds every sentence to exactly one entry, or says why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.catalog import (
    Bound,
    ByRule,
    CatalogError,
    Result,
    Unbound,
    bind,
    bind_step,
    load_catalog,
    parse_catalog,
)

SEED_STEPS = [
    (
        'in the "Sync" tab of the MongoDB Realm UI, click the red "Terminate Sync" button.',
        "action",
        "open-terminate-sync-modal",
    ),
    (
        "in the modal that pops up, check that you want to terminate sync by clicking the "
        '"I want to terminate Sync" checkbox and then click the "Terminate Sync" button '
        "on the modal.",
        "action",
        "confirm-terminate-sync",
    ),
    (
        'click the "Review & Deploy" button in the blue notification bar telling you that '
        "changes have been made to your MongoDB Realm app.",
        "action",
        "review-and-deploy",
    ),
    (
        'in the model that appears, review your changes and then click the green "Deploy" button.',
        "action",
        "deploy-draft",
    ),
    (
        "you have now terminated Realm Sync and should get a green notification bar on the top of "
        'the "Sync" page that states that your deployment was successful.',
        "outcome",
        "sync-terminated-and-deployed",
    ),
]


@pytest.mark.parametrize(("text", "kind", "entry_id"), SEED_STEPS)
def test_shipped_catalog_binds_each_seed_step(text: str, kind: str, entry_id: str) -> None:
    binding = bind(load_catalog(), text, kind)
    assert isinstance(binding, Bound), binding
    assert binding.entry.id == entry_id


def test_first_seed_step_is_ui_only_and_says_why() -> None:
    binding = bind(load_catalog(), SEED_STEPS[0][0], "action")
    assert isinstance(binding, Bound)
    assert binding.entry.result is Result.UI_ONLY
    assert "modal" in binding.entry.why


def test_renamed_button_is_unbound_with_a_suggestion() -> None:
    text = 'in the "Sync" tab of the MongoDB Realm UI, click the red "Disable Sync" button.'
    binding = bind(load_catalog(), text, "action")
    assert isinstance(binding, Unbound)
    assert '"Disable Sync"' in binding.reason
    suggestion = binding.suggestion()
    assert 'labels = ["Sync", "Disable Sync"]' in suggestion
    # The suggestion is valid catalog TOML a writer can paste.
    catalog = parse_catalog([("pasted.toml", suggestion)])
    assert isinstance(bind(catalog, text, "action"), Bound)


def test_outcome_entries_do_not_bind_actions() -> None:
    assert isinstance(bind(load_catalog(), SEED_STEPS[4][0], "action"), Unbound)


def test_tie_between_entries_is_reported_as_ambiguous() -> None:
    text = """
[[step]]
id = "a"
labels = ["Save"]
result = "ui-only"

[[step]]
id = "b"
labels = ["Save"]
result = "ui-only"
"""
    binding = bind(parse_catalog([("x.toml", text)]), 'click "Save".', "action")
    assert isinstance(binding, Unbound)
    assert "ambiguous" in binding.reason
    assert "x.toml:3" in binding.reason and "x.toml:8" in binding.reason


def test_more_specific_entry_wins() -> None:
    text = """
[[step]]
id = "generic"
labels = ["Save"]
result = "ui-only"

[[step]]
id = "specific"
labels = ["Save"]
verbs = ["click"]
result = "ui-only"
"""
    binding = bind(parse_catalog([("x.toml", text)]), 'click "Save".', "action")
    assert isinstance(binding, Bound) and binding.entry.id == "specific"


def test_verbs_must_appear_outside_labels() -> None:
    text = '[[step]]\nid = "t"\nlabels = ["Click here"]\nverbs = ["click"]\nresult = "ui-only"\n'
    catalog = parse_catalog([("x.toml", text)])
    assert isinstance(bind(catalog, 'press "Click here".', "action"), Unbound)
    assert isinstance(bind(catalog, 'click "Click here".', "action"), Bound)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[step]]\nid = "x"\n', "x.toml:2: a verified step needs an `operation`"),
        ('[[step]]\nid = "x"\nresult = "maybe"\n', "x.toml:2: `result` must be"),
        ('[[step]]\nid = "x"\nresult = "ui-only"\ncolour = 1\n', "unknown key(s) colour"),
        ('[[step]]\nresult = "ui-only"\n', "[[step]] number 1 has no `id`"),
        ('[[step]]\nid = "x"\noperation = "nope"\n', "unknown operation 'nope'"),
        ('[[step]]\nid = "x"\nresult = "ui-only"\nphrases = ["("]\n', "bad phrase pattern"),
        ("[[step]\n", "x.toml: "),
        ('[[precondition]]\nid = "p"\ncheck = "op"\n', "needs `applies_to`"),
    ],
)
def test_mistakes_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(CatalogError) as raised:
        parse_catalog([("x.toml", text)], known_operations=frozenset({"op"}))
    assert message in str(raised.value)


def test_extending_never_silently_replaces_an_entry(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text('[[step]]\nid = "deploy-draft"\nresult = "ui-only"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"already defined at harness/catalog/catalog\.toml:"):
        load_catalog([extra])


def test_project_catalog_adds_entries(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[step]]\nid = "disable"\nlabels = ["Sync", "Disable Sync"]\nresult = "ui-only"\n',
        encoding="utf-8",
    )
    catalog = load_catalog([extra])
    binding = bind(catalog, 'click the "Disable Sync" button in the "Sync" tab.', "action")
    assert isinstance(binding, Bound) and binding.entry.source == f"{extra}:2"


def test_unreadable_catalog_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read catalog"):
        load_catalog([tmp_path / "missing.toml"])


def test_preconditions_apply_by_tag() -> None:
    catalog = load_catalog()
    found = catalog.preconditions_for(frozenset({"label:terminating-realm-sync"}))
    assert [p.id for p in found] == ["sync-is-enabled"]
    assert catalog.preconditions_for(frozenset({"label:unrelated"})) == ()


def test_context_restricts_an_entry_to_scenarios_with_those_tags() -> None:
    text = """
[[step]]
id = "save-anywhere"
labels = ["Save"]
result = "ui-only"

[[step]]
id = "save-in-cli-tab"
labels = ["Save"]
context = ["tab:cli"]
operation = "deploy_draft"
"""
    catalog = parse_catalog([("x.toml", text)])
    in_cli = bind(catalog, 'click "Save".', "action", frozenset({"tab:cli", "page:p"}))
    in_ui = bind(catalog, 'click "Save".', "action", frozenset({"tab:ui"}))
    assert isinstance(in_cli, Bound) and in_cli.entry.id == "save-in-cli-tab"
    assert isinstance(in_ui, Bound) and in_ui.entry.id == "save-anywhere"


CLAIM_WORDS = '[claims]\nwords = ["not", "paused", "red", "never", "stopped", "disabled", ' + (
    '"terminated", "green", "successful"]'
)
TERMINATED = (
    "you have now terminated Realm Sync and should get a green notification bar on the top of "
    'the "Sync" page that states that your deployment was successful.'
)


@pytest.mark.parametrize(
    ("text", "claimed"),
    [
        (
            TERMINATED.replace("terminated Realm Sync", "paused Realm Sync: it is not terminated,"),
            '"not", "paused"',
        ),
        (TERMINATED.replace("a green notification", "a red notification"), '"red"'),
        (
            TERMINATED.replace("was successful.", "was successful, but Sync never stopped."),
            '"never", "stopped"',
        ),
        (
            TERMINATED.replace("terminated Realm Sync", "terminated and disabled Realm Sync"),
            '"disabled"',
        ),
    ],
)
def test_an_outcome_claiming_another_state_or_a_negation_is_unbound(
    text: str, claimed: str
) -> None:
    binding = bind(load_catalog(), text, "outcome")
    assert isinstance(binding, Unbound)
    assert f"the outcome claims {claimed}, which no catalog entry checks" in binding.reason
    pasted = parse_catalog([("c.toml", f"{CLAIM_WORDS}\n{binding.suggestion()}")])
    assert isinstance(bind(pasted, text, "outcome"), Bound)  # the suggested entry binds it


def test_the_outcome_as_written_binds_to_its_entry() -> None:
    binding = bind(load_catalog(), TERMINATED, "outcome")
    assert isinstance(binding, Bound) and binding.entry.id == "sync-terminated-and-deployed"


def test_claim_words_apply_to_outcomes_only() -> None:
    # "red" names the button's colour here, not a state the step claims
    action = 'in the "Sync" tab of the UI, click the red "Terminate Sync" button.'
    assert isinstance(bind(load_catalog(), action, "action"), Bound)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[claims]\nwords = ["on"]\n[[step]]\nid = "a"\nkind = "outcome"\n'
            'claims = ["off"]\nresult = "ui-only"\n',
            "x.toml:4: `claims` names off, not in any [claims] words",
        ),
        ('[claims]\nwords = "on"\nother = 1\n', "x.toml:1: [claims] holds only `words`"),
    ],
)
def test_claims_mistakes_are_catalog_errors(text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_catalog([("x.toml", text)])


# The real 2021 "Get Started with Sync" steps (includes/steps-enable-sync-ui.yaml), as extracted.
REAL_GET_STARTED = [
    (
        "You can enable Realm Sync rules from the Sync panel in the Realm UI. To get to the Sync "
        'panel, click "Sync" beneath "Build" in the left-hand navigation.',
        "navigate-to-sync-panel",
    ),
    (
        'The Sync panel presents you with two tabs: "Configuration" and "Development Mode". The '
        "tab that you should select depends on whether you want to define your object models in "
        "client-side code or prefer to use a server-side configuration.",
        "choose-sync-panel-tab",
    ),
    (
        "Follow the instructions in the Realm UI to configure sync for your cluster.",
        "follow-the-ui-instructions",
    ),
    (
        "Select a Cluster to Sync: Realm Sync applies to the entire cluster. Specify which "
        "cluster you want to sync in the dropdown.",
        "select-a-cluster-to-sync",
    ),
    (
        "Define a Database Name (Development Mode Tab Only): If you opted to use Development "
        "Mode, Realm needs to know which database in your cluster to use for new collections it "
        "creates for Sync. Specify that database name in the input field.",
        "define-a-database-name",
    ),
    (
        "Choose a Partition Key: Specify which field to use to determine which realm each object "
        "belongs to. See Partition Atlas Data into Realms.",
        "choose-a-partition-key",
    ),
    (
        "Define Permissions (Configuration Tab Only): Select a template from the dropdown or "
        "enter your read and write sync rule in the input boxes.",
        "define-sync-permissions",
    ),
    (
        'On the "Configuration" tab, click "Enable Sync" to enable sync.',
        "enable-sync-on-configuration-tab",
    ),
]


@pytest.mark.parametrize(("text", "entry_id"), REAL_GET_STARTED)
def test_the_real_get_started_wording_binds(text: str, entry_id: str) -> None:
    binding = bind(load_catalog(), text, "action")
    assert isinstance(binding, Bound), binding
    assert binding.entry.id == entry_id


def test_form_fields_the_page_leaves_to_the_reader_are_stand_ins_not_form_values() -> None:
    entries = {entry.id: entry for entry in load_catalog().steps}
    assert dict(entries["choose-a-partition-key"].stand_in) == {"partition_key": "_partition"}
    assert dict(entries["choose-a-partition-key"].form) == {"mode": "partition"}
    assert entries["define-a-database-name"].result is Result.UI_ONLY
    assert dict(entries["define-a-database-name"].stand_in) == {"database_name": "docharness"}


def test_a_step_outside_the_admin_api_is_external_by_rule() -> None:
    text = (
        "Now that you have enabled Realm Sync, you can open a synced realm using a client SDK "
        "to read and write synced data. See the client guide for your SDK:"
    )
    assert isinstance(bind(load_catalog(), text, "action"), Unbound)
    binding = bind_step(load_catalog(), text, "action", frozenset({"page:sync/get-started"}))
    assert isinstance(binding, ByRule)
    assert binding.status == "external"
    assert "client" in binding.reason and "interfaces.toml:" in binding.rule


def test_navigation_is_ui_only_by_rule_when_it_names_a_place() -> None:
    binding = bind_step(load_catalog(), 'Navigate to the "Triggers" page.', "action")
    assert isinstance(binding, ByRule)
    assert (binding.status, binding.rule.split(":")[0]) == ("ui-only", "harness/catalog/kinds.toml")


@pytest.mark.parametrize(
    "text",
    [
        'On the "Configuration" tab, click "Start Sync" to enable sync.',  # a renamed button
        # a form no entry checks, of a resource fields.toml does not list (a Secret's form
        # is listed: its save binds to the generic operation, ui-only without a value)
        'Enter the value in the "Development Mode" field and click "Save".',
    ],
)
def test_a_step_no_entry_checks_and_no_rule_explains_stays_unbound(text: str) -> None:
    assert isinstance(bind_step(load_catalog(), text, "action"), Unbound)


def test_an_outcome_an_entry_matched_is_never_rescued_by_a_rule() -> None:
    text = "You have now paused Realm Sync: it is not terminated; the deployment was successful."
    binding = bind_step(load_catalog(), text, "outcome")
    assert isinstance(binding, Unbound) and binding.matched
