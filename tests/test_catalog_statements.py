"""Prose in procedures: what asks for nothing, what only looks, and what a conceptual rule
reports external. Each rule is shown to matter by removing it."""

from __future__ import annotations

from importlib import resources

import pytest

from harness.catalog.bind import ByRule, Unbound, bind_step
from harness.catalog.classify import StepFacts, classify, parse_rules
from harness.catalog.load import load_catalog

CONCEPTUAL = "conceptual: the step states a fact and asks the reader to do nothing"


def _files() -> list[tuple[str, str]]:
    folder = resources.files("harness.catalog")
    return [
        (f"harness/catalog/{n}", folder.joinpath(n).read_text("utf-8"))
        for n in ("interfaces.toml", "kinds.toml", "resources.toml")
    ]


def _without(file_index: int, old: str, new: str = "") -> tuple[tuple[str, str], ...]:
    """The shipped rules with one piece of text of one file replaced."""
    files = _files()
    name, text = files[file_index]
    assert old in text, old
    files[file_index] = (name, text.replace(old, new))
    return tuple(files)


def _without_table(file_index: int, entry_id: str) -> tuple[tuple[str, str], ...]:
    files = _files()
    name, text = files[file_index]
    blocks = text.split("\n[[")
    kept = [b for b in blocks if f'id = "{entry_id}"' not in b]
    assert len(kept) == len(blocks) - 1, entry_id
    files[file_index] = (name, "\n[[".join(kept))
    return tuple(files)


# [statements]: a purpose clause or an offered possibility is not the action


PURPOSE_THEN_NAVIGATION = (
    "To define sync rules and enable Device Sync for your app, navigate to the "
    '"Device Sync" screen through the left navigation menu.'
)
OFFER_THEN_NAVIGATION = (
    "You can create and manage roles from the rules screen of the UI. To get to the rules "
    'screen, click "Rules" beneath "Data Access" in the left navigation menu.'
)


@pytest.mark.parametrize("text", [PURPOSE_THEN_NAVIGATION, OFFER_THEN_NAVIGATION])
def test_the_action_decides_the_kind_not_a_purpose_or_an_offer(text: str) -> None:
    facts = StepFacts.from_sentence(text, "action")
    assert classify(facts).kind == "navigation"
    binding = bind_step(load_catalog(), text, "action")
    assert isinstance(binding, ByRule) and binding.status == "ui-only"
    without = parse_rules(*_without(1, "[statements]\npatterns", "[unused]\npatterns"))
    assert classify(facts, without).kind != "navigation"


def test_a_step_that_only_offers_is_still_read_whole() -> None:
    """Nothing left after the statements: the step is read as written, never dropped."""
    found = classify(StepFacts("You can delete a trigger from the list of triggers."))
    assert (found.kind, found.resource) == ("delete", "triggers")


def test_a_delete_item_of_a_drop_down_menu_is_a_delete() -> None:
    text = 'Click the `...` on the app\'s tile and select "Delete App" from the drop-down menu.'
    found = classify(StepFacts.from_sentence(text, "action"))
    assert (found.kind, found.resource) == ("delete", "apps")


# Steps that look and change nothing: ui-only by a rule that says why


def test_finding_an_item_in_a_list_is_ui_only_with_the_rules_reason() -> None:
    text = 'On the "Database Triggers" tab, find the trigger that you want to resume in the list.'
    binding = bind_step(load_catalog(), text, "action", frozenset({"page:triggers/x"}))
    assert isinstance(binding, ByRule) and binding.status == "ui-only"
    assert "finding an item in a list" in binding.reason and "locate-in-list" in binding.rule
    without = parse_rules(*_without_table(1, "locate-in-list"))
    assert classify(StepFacts.from_sentence(text, "action"), without).kind != "navigation"


def test_a_copy_button_is_ui_only_with_the_rules_reason() -> None:
    text = "To copy the App ID, click the copy icon next to it."
    binding = bind_step(load_catalog(), text, "action")
    assert isinstance(binding, ByRule) and binding.status == "ui-only"
    assert "clipboard" in binding.reason
    without = parse_rules(*_without_table(1, "copy-to-clipboard"))
    assert classify(StepFacts.from_sentence(text, "action"), without).kind != "navigation"


def test_a_plain_add_or_create_button_is_a_known_label_of_a_create() -> None:
    """A step naming "Add" binds like any create; a renamed button still stays unbound."""
    tags = frozenset({"page:schemas/relationships"})
    assert not isinstance(bind_step(load_catalog(), 'Click "Add".', "action", tags), Unbound)
    assert isinstance(bind_step(load_catalog(), 'Click "Append".', "action", tags), Unbound)


# [[conceptual]]: explicit, and never for a step with a label, a literal, code or a request


@pytest.mark.parametrize(
    "text",
    [
        "You can use any hosted file as the app's error page. It's common to use an HTML "
        "file that links back to the home page.",
        "By default, a trigger runs its function as the system user.",
        "When a user logs in, App Services creates a session that expires after 30 minutes.",
        "To validate a request, some services require a secret in the request body.",
    ],
)
def test_statements_only_are_external_as_conceptual(text: str) -> None:
    binding = bind_step(load_catalog(), text, "action")
    assert isinstance(binding, ByRule), binding
    assert binding.status == "external" and binding.reason.startswith(CONCEPTUAL)
    assert "conceptual-statement" in binding.rule
    assert not classify(
        StepFacts(text), parse_rules(*_without_table(0, "conceptual-statement"))
    ).external


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Perform a rolling resync.", "action"),  # an imperative begins with its verb
        ("You must enable Development Mode before you continue.", "action"),  # a request
        ("Once your changes are merged, you can delete the development app.", "action"),
        ("The default value is `false` for every new function.", "action"),  # a literal
        ("The configuration file has the following form:", "action"),  # a block follows
        ("You have now paused Device Sync.", "outcome"),  # an outcome claims a state
    ],
)
def test_a_step_that_asks_names_a_label_or_claims_is_never_conceptual(text: str, kind: str) -> None:
    found = classify(StepFacts.from_sentence(text, kind))
    assert found.external_reason != CONCEPTUAL


# labels = "mentioned": a label only mentioned, in a condition or as the subject


@pytest.mark.parametrize(
    "text",
    [
        'A role\'s "Apply When" expression decides whether the role applies to a document.',
        'While "Development Mode" is on, App Services does not validate writes. When you turn '
        'off "Development Mode", App Services enforces the schema again.',
        '"Custom Domain" serves the hosted files at a domain of the reader\'s own.',
    ],
)
def test_a_label_only_mentioned_in_statements_is_conceptual(text: str) -> None:
    binding = bind_step(load_catalog(), text, "action", frozenset({"tab:ui"}))
    assert isinstance(binding, ByRule) and binding.reason.startswith(CONCEPTUAL), binding
    without = parse_rules(*_without(0, 'labels = "mentioned"\n'))
    assert classify(StepFacts.from_sentence(text, "action"), without).external_reason is None


@pytest.mark.parametrize(
    "text",
    [
        'The "Apply When" expression decides the role. Click "Apply When".',  # an imperative
        'You enable "Development Mode" on the sync page.',  # the label is the object
        'App Services may fail to generate the models. You can view the errors on the "SDKs" '
        "page.",  # an offer to look
        'A role\'s "Apply When" expression must return a boolean.',  # a requirement
    ],
)
def test_a_label_acted_on_or_required_is_never_conceptual(text: str) -> None:
    found = classify(StepFacts.from_sentence(text, "action", frozenset({"tab:ui"})))
    assert found.external_reason != CONCEPTUAL


def test_a_sentence_about_what_the_product_does_is_not_the_action() -> None:
    text = (
        'In the left navigation menu, click "Schema" to open the schema editor. App Services '
        "scans your linked cluster and lists its collections."
    )
    facts = StepFacts.from_sentence(text, "action")
    assert classify(facts).kind == "navigation"
    product = "|Atlas App Services|App Services|MongoDB Realm|Realm) "
    without = parse_rules(*_without(1, product, ") "))
    assert classify(facts, without).kind != "navigation"


def test_a_file_picker_is_form_input() -> None:
    text = 'Under "Custom 404 Page", click "Choose File".'
    facts = StepFacts.from_sentence(text, "action", ["@page:hosting/use-a-custom-404-page"])
    assert (classify(facts).kind, classify(facts).resource) == ("form", "hosting")
    assert classify(facts, parse_rules(*_without_table(1, "file-picker"))).kind is None


def test_a_tab_or_menu_label_is_navigation_only_when_nothing_else_decides() -> None:
    menu = StepFacts.from_sentence('Click the file\'s "Actions (...)" button.', "action")
    assert classify(menu).kind == "navigation"
    binding = bind_step(load_catalog(), menu.text, "action")
    assert isinstance(binding, ByRule) and "a tab or menu" in binding.reason
    assert classify(menu, parse_rules(*_without_table(1, "place-label"))).kind is None
    form = StepFacts.from_sentence(
        'On the "Settings" tab, enter `hello` in the "Name" box.', "action"
    )
    assert classify(form).kind == "form"


def test_the_advanced_sample_options_are_the_schema_editors() -> None:
    text = 'Optionally, click "Advanced" and specify a query to refine the sample.'
    found = classify(StepFacts.from_sentence(text, "action", ["@page:schemas/enforce-a-schema"]))
    assert (found.kind, found.resource) == ("form", "schemas")
    resource = next(e for e in found.evidence if e.field == "resource")
    assert resource.detail.startswith("label 'Advanced'")


def test_a_place_label_next_to_a_button_no_rule_knows_leaves_the_step_unbound() -> None:
    text = 'On the "Configuration" tab, click "Start Now".'
    assert isinstance(bind_step(load_catalog(), text, "action"), Unbound)
    loose = parse_rules(*_without(1, "every_label = true\n"))
    assert classify(StepFacts.from_sentence(text, "action"), loose).kind == "navigation"


# Consoles and the reader's machine: explicit rules, each proven by removal


@pytest.mark.parametrize(
    "text",
    [
        'Click the blue plus icon next to "Identifiers".',
        'Click "Keys" in the left navigation menu.',
        'On the "Register a New Identifier" page, select "Services IDs" and click "Continue".',
        'Copy the "Key ID" and click "Download" to save the key as a `.p8` file.',
    ],
)
def test_apples_developer_console_is_external_by_its_labels(text: str) -> None:
    binding = bind_step(load_catalog(), text, "action", frozenset({"page:authentication/apple"}))
    assert isinstance(binding, ByRule) and binding.status == "external"
    assert "console-apple" in binding.rule
    without = parse_rules(*_without_table(0, "console-apple"))
    assert not classify(StepFacts.from_sentence(text, "action"), without).external


def test_the_app_services_side_of_an_apple_page_stays_inside() -> None:
    text = 'For "Client ID", enter the "Services ID" that you created.'
    assert not classify(StepFacts.from_sentence(text, "action")).external


def test_a_clone_on_the_readers_machine_is_external() -> None:
    text = "Clone a local copy of the Git repository that you linked to the app."
    found = classify(StepFacts.from_sentence(text, "action"))
    assert found.external and found.interface == "local"
    without = parse_rules(*_without_table(0, "reader-machine"))
    assert not classify(StepFacts.from_sentence(text, "action"), without).external


def test_the_cluster_dropdown_alone_finds_the_linked_cluster() -> None:
    text = 'Choose the cluster you want and select it from the "Select Cluster To Sync" dropdown.'
    binding = bind_step(load_catalog(), text, "action")
    assert not isinstance(binding, (Unbound, ByRule))
    assert binding.entry.operation == "find_linked_cluster"


def test_the_service_rule_buttons_name_rules() -> None:
    found = classify(StepFacts.from_sentence('Click "New Rule".', "action"))
    assert (found.kind, found.resource) == ("create", "rules")


def test_a_condition_before_the_action_names_neither_kind_nor_resource() -> None:
    text = 'If Development Mode is off, press the "Review Draft & Deploy" button.'
    facts = StepFacts.from_sentence(text, "action", ["@page:triggers/disable"])
    assert (classify(facts).kind, classify(facts).resource) == ("deploy", "triggers")
    condition = '  "(?:^|(?<=[.!?]\\\\s))(?-i:If|When|Once|After|While) [^,.]+,\\\\s*",\n'
    assert classify(facts, parse_rules(*_without(1, condition))).resource == "sync"


def test_a_copy_label_is_ui_only_by_its_own_rule() -> None:
    text = 'Click "copy" next to the App ID.'
    binding = bind_step(load_catalog(), text, "action")
    assert isinstance(binding, ByRule) and "clipboard" in binding.reason
    without = parse_rules(*_without_table(1, "copy-button"))
    assert classify(StepFacts.from_sentence(text, "action"), without).kind != "navigation"


def test_navigation_naming_a_label_no_rules_file_knows_stays_unbound() -> None:
    """A renamed menu entry must fail its line, not pass as navigation."""
    known = 'To open the rules, click "Rules" beneath "Data Access" in the left navigation menu.'
    renamed = known.replace('"Rules"', '"Access Rules"')
    assert isinstance(bind_step(load_catalog(), known, "action"), ByRule)
    assert classify(StepFacts.from_sentence(renamed, "action")).kind == "navigation"
    assert isinstance(bind_step(load_catalog(), renamed, "action"), Unbound)


@pytest.mark.parametrize(
    "text",
    [
        "The authentication function must return a string that identifies the user.",
        "Once you've configured the trigger, all that's left is to deploy it.",
        "To use the app, you first need to add your App ID to the client's configuration.",
    ],
)
def test_a_requirement_or_a_next_step_said_as_a_fact_is_not_conceptual(text: str) -> None:
    assert classify(StepFacts(text)).external_reason != CONCEPTUAL


def test_a_statement_in_an_sdk_tutorial_is_client_code_not_conceptual() -> None:
    text = "A user can add and remove members of their own team from the Manage Team view."
    found = classify(StepFacts(text, page="tutorial/android-kotlin"))
    assert found.external and found.interface == "sdk"
    assert classify(StepFacts(text, page="triggers/overview")).external_reason == CONCEPTUAL


def test_the_trigger_forms_own_labels_name_triggers() -> None:
    """The Triggers page's buttons and fields, wherever a page names them."""
    text = 'To create a trigger, click "Add a Trigger".'
    found = classify(StepFacts.from_sentence(text, "action", ["@page:any/page"]))
    assert (found.kind, found.resource) == ("create", "triggers")
    assert not isinstance(bind_step(load_catalog(), text, "action"), Unbound)
    without = parse_rules(*_without(2, '"Add a Trigger", '))
    assert classify(StepFacts.from_sentence(text, "action"), without).resource != "triggers"


# A folder on the reader's computer, a confirmation, a box to check


def test_a_new_folder_is_the_readers_machine_even_in_a_cli_tab() -> None:
    text = "Create a new directory for your app and navigate into it."
    facts = StepFacts.from_sentence(text, "action", frozenset({"tab:cli"}))
    assert classify(facts).external_reason is not None
    without = parse_rules(*_without(0, "any_tab = true"))
    assert classify(facts, without).external_reason is None


def test_confirming_a_conversion_is_the_create_it_confirms() -> None:
    facts = StepFacts.from_sentence("Confirm that you want to run the conversion.", "action")
    assert classify(facts).kind == "create"
    assert classify(facts, parse_rules(*_without_table(1, "confirm-create"))).kind != "create"


def test_checking_a_box_is_form_input_even_after_a_sentence_naming_operations() -> None:
    text = (
        "Document-level permissions decide whether a role may insert or delete documents. "
        'To set the role\'s "Document-Level Permissions", check the box for each operation.'
    )
    facts = StepFacts.from_sentence(text, "action", frozenset({"tab:ui"}))
    assert (classify(facts).kind, classify(facts).resource) == ("form", "rules")
    loose = parse_rules(
        *_without(1, '"\\\\b(check|tick|clear|select) (the|each|a) (check ?)?box(es)?\\\\b", ')
    )
    assert classify(facts, loose).kind != "form"
