"""The catalog binds every sentence to exactly one entry, or says why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.catalog import (
    Bound,
    CatalogError,
    Result,
    Unbound,
    bind,
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
