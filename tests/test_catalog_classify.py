"""The resource model: interface, kind and resource of a step; external only by explicit rule."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from harness.catalog.classify import (
    Classification,
    RulesError,
    StepFacts,
    classify,
    default_rules,
    parse_rules,
)

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"{CORPUS} is absent (the shared development corpora)"
)


def _files() -> list[tuple[str, str]]:
    folder = resources.files("harness.catalog")
    return [
        (f"harness/catalog/{n}", folder.joinpath(n).read_text("utf-8"))
        for n in ("interfaces.toml", "kinds.toml", "resources.toml")
    ]


def _without(file_index: int, entry_id: str) -> tuple[tuple[str, str], ...]:
    """The shipped rules with one [[...]] table (by id) removed from one file."""
    files = _files()
    name, text = files[file_index]
    blocks = text.split("\n[[")
    kept = [b for b in blocks if f'id = "{entry_id}"' not in b]
    assert len(kept) == len(blocks) - 1, entry_id
    files[file_index] = (name, "\n[[".join(kept))
    return tuple(files)


# Rules applied to single steps


def test_the_tab_decides_the_interface() -> None:
    found = classify(StepFacts("Deploy your app.", tab="cli"))
    assert (found.interface, found.kind) == ("cli", "deploy")
    assert "tab 'cli'" in found.evidence[0].detail


def test_navigation_is_read_in_the_ui_and_needs_no_resource() -> None:
    found = classify(
        StepFacts('Click "Functions" in the left navigation menu.', labels=("Functions",))
    )
    assert (found.interface, found.kind, found.resource) == ("ui", "navigation", None)
    assert found.classified and not found.external


def test_a_save_button_is_a_save_of_the_pages_resource() -> None:
    found = classify(StepFacts('Click "Save".', labels=("Save",), page="functions"))
    assert (found.kind, found.resource) == ("save", "functions")
    assert found.why("kind").endswith("(save-button)")
    assert "page functions" in next(e.detail for e in found.evidence if e.field == "resource")


def test_an_sdk_tab_is_external_by_its_rule() -> None:
    found = classify(StepFacts("Open a synced realm.", tab="swift"))
    assert found.external and found.interface == "sdk"
    assert found.why("external").endswith("(sdk)")


def test_a_third_party_console_is_external_by_name() -> None:
    found = classify(StepFacts("Follow Facebook's official guide to create a new Facebook app."))
    assert found.external and found.interface == "third-party"
    assert found.why("external").endswith("(console-facebook)")


def test_app_services_evidence_keeps_a_step_that_names_a_console_inside() -> None:
    text = (
        "To connect your Facebook app to App Services, find the App ID and add it to your "
        "authentication provider configuration."
    )
    found = classify(StepFacts(text))
    assert not found.external
    assert found.resource == "auth_providers"


def test_a_cli_command_in_the_code_decides_interface_kind_and_resource() -> None:
    facts = StepFacts("Run this.", code=(("shell", "realm-cli push --remote myapp"),))
    found = classify(facts)
    assert (found.interface, found.kind) == ("cli", "deploy")
    login = classify(StepFacts("Log in.", code=(("shell", "realm-cli login --api-key K"),)))
    assert (login.kind, login.resource) == ("create", "session")


def test_an_admin_api_request_names_its_resource_before_the_sentence_does() -> None:
    code = 'curl -X POST https://services.cloud.mongodb.com/api/admin/v3.0/groups/G/apps -d "{}"'
    found = classify(
        StepFacts("Create an app through the create endpoint.", code=(("shell", code),))
    )
    assert (found.interface, found.kind, found.resource) == ("api", "create", "apps")


def test_a_sentence_no_rule_explains_stays_unclassified_never_external() -> None:
    found = classify(StepFacts("Perform a rolling resync."))
    assert not found.classified and not found.external
    assert found.missing == "kind"


def test_a_bare_click_on_a_button_no_rule_knows_stays_unexplained() -> None:
    """A renamed button must not become navigation (and so ui-only) by default."""
    found = classify(StepFacts('Click "Deploy Now".', labels=("Deploy Now",)))
    assert found.kind is None and not found.classified
    assert classify(StepFacts('Click "Deploy".', labels=("Deploy",))).kind == "deploy"


def test_a_ui_tab_keeps_a_step_that_mentions_client_apps_inside() -> None:
    text = "Click the toggle to let client apps recover unsynced changes."
    assert classify(StepFacts(text)).external
    assert not classify(StepFacts(text, tab="ui")).external


def test_a_verb_after_to_is_a_purpose_and_a_bare_purpose_still_names_the_kind() -> None:
    text = "Go to the Project Dashboard where you want to delete the App."
    assert classify(StepFacts(text)).kind == "navigation"
    purpose = classify(StepFacts("To define a new function from the App Services UI:"))
    assert (purpose.kind, purpose.resource) == ("form", "functions")


def test_removing_the_console_rule_leaves_the_step_unexplained_not_external() -> None:
    """There is no catch-all: without its rule, the Facebook step is no longer external."""
    rules = parse_rules(*_without(0, "console-facebook"))
    found = classify(
        StepFacts("Follow Facebook's official guide to create a new Facebook app."), rules
    )
    assert not found.external


def test_removing_the_sdk_tab_rule_makes_the_tab_unknown() -> None:
    facts = StepFacts("Run it.", tab="swift")
    assert classify(facts).external
    assert not classify(facts, parse_rules(*_without(0, "sdk"))).external


def test_removing_the_save_rules_changes_the_kind() -> None:
    without = parse_rules(*_without(1, "save-button"))
    assert classify(StepFacts('Click "Save".', labels=("Save",)), without).kind != "save"


def test_from_sentence_reads_the_scenario_tags() -> None:
    facts = StepFacts.from_sentence('Click "Save".', "action", ["@page:functions", "@tab:ui"])
    assert (facts.page, facts.tab, facts.labels) == ("functions", "ui", ("Save",))
    assert classify(facts).resource == "functions"


def test_a_bad_pattern_is_reported_with_file_line_and_rule() -> None:
    files = list(_files())
    name, text = files[1]
    files[1] = (name, text.replace('verbs = ["save"]', 'verbs = ["save"]\nphrases = ["("]'))
    with pytest.raises(
        RulesError, match=r"harness/catalog/kinds\.toml:\d+ \(save-verb\): bad pattern"
    ):
        parse_rules(*files)


def test_every_resource_names_spec_operations() -> None:
    """The operationIds of the resource model are the official spec's (the emulator's copy)."""
    import yaml

    spec_file = resources.files("harness.emulator").joinpath("admin-v3.yaml")
    spec = yaml.safe_load(spec_file.read_text("utf-8"))
    known = {
        op["operationId"]
        for path in spec["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for resource in default_rules().resources:
        assert resource.read in known, resource.id
        assert set(resource.operations) <= known, (resource.id, set(resource.operations) - known)


# The development corpora, from temporary copies


def _corpus(name: str, tmp_path: Path) -> dict[str, list[tuple[StepFacts, Classification]]]:
    from harness.procedures import extract_project

    project = tmp_path / name
    shutil.copytree(CORPUS / name, project)
    extraction = extract_project(project)
    found: dict[str, list[tuple[StepFacts, Classification]]] = {}
    for document in extraction.documents:
        for procedure in document.procedures:
            for step in procedure.steps:
                facts = StepFacts.from_step(step, procedure, document.page)
                found.setdefault(str(step.location), []).append((facts, classify(facts)))
    return found


def _at(found: dict[str, list[tuple[StepFacts, Classification]]], where: str) -> Classification:
    assert where in found, f"{where} is not a step of the corpus"
    return found[where][0][1]


@needs_corpus
@pytest.mark.parametrize("name", ["app-services", "realm-2021"])
def test_at_most_five_percent_of_corpus_steps_stay_unclassified(name: str, tmp_path: Path) -> None:
    from harness.gherkin.text import slug, step_sentence
    from harness.procedures import extract_project

    found = _corpus(name, tmp_path)
    results = [c for entries in found.values() for _, c in entries]
    unexplained = [c for c in results if not c.classified]
    assert len(results) > 300
    assert len(unexplained) / len(results) <= 0.05
    # and the model does not get there by calling everything external
    assert sum(c.external for c in results) / len(results) < 0.5
    # The runner sees only the Gherkin sentence and the scenario's tags: also <= 5%.
    seen = []
    for document in extract_project(tmp_path / name).documents:
        for procedure in document.procedures:
            tags = {f"page:{document.page}"}
            tags |= {f"tab:{slug(procedure.tab)}"} if procedure.tab else set()
            for step in procedure.steps:
                facts = StepFacts.from_sentence(step_sentence(step), step.kind.value, tags)
                seen.append(classify(facts))
    assert sum(not c.classified for c in seen) / len(seen) <= 0.05


@needs_corpus
def test_known_app_services_steps(tmp_path: Path) -> None:
    found = _corpus("app-services", tmp_path)
    nav = _at(found, "source/functions.txt:223")  # Click "Functions" in the left navigation menu.
    assert (nav.interface, nav.kind) == ("ui", "navigation")
    save = _at(found, "source/values-and-secrets/define-a-value.txt:95")  # click "Save"
    assert (save.interface, save.kind, save.resource) == ("ui", "save", "values")
    push = _at(found, "source/functions.txt:528")  # Push the function configuration ...
    assert (push.interface, push.kind, push.resource) == ("cli", "deploy", "functions")
    terminate = _at(found, "source/sync/configure/pause-or-terminate-sync.txt:191")
    assert (terminate.kind, terminate.resource) == ("delete", "sync")
    outcome = _at(found, "source/sync/configure/pause-or-terminate-sync.txt:225")
    assert (outcome.kind, outcome.resource) == ("observation", "sync")
    trigger = _at(found, "source/triggers/disable.txt:50")  # Switch the "Enabled" toggle ...
    assert (trigger.kind, trigger.resource) == ("form", "triggers")
    facebook = _at(found, "source/authentication/facebook.txt:179")
    assert facebook.external and facebook.why("external").endswith("(console-facebook)")
    firebase = _at(found, "source/authentication/custom-jwt.txt:666")
    assert firebase.external and firebase.why("external").endswith("(console-firebase)")
    # Code written for a Twilio webhook goes into an App Services function: not external
    twilio = _at(found, "source/services/convert-webhooks-to-endpoints.txt:107")
    assert not twilio.external and twilio.classified
    client = _at(found, "source/sync/local-to-sync.txt:123")  # Delete the local realm file.
    assert client.external and client.interface == "sdk"


@needs_corpus
def test_known_realm_2021_steps(tmp_path: Path) -> None:
    found = _corpus("realm-2021", tmp_path)
    seed = "source/reference/terminating-and-reenabling-realm-sync.txt"
    button = _at(found, f"{seed}:66")  # the red "Terminate Sync" button
    assert (button.interface, button.kind, button.resource) == ("ui", "delete", "sync")
    apple = _at(found, "source/includes/steps-apple-auth-configure.yaml:12")
    # "Click Identifiers in the left navigation menu": Apple's console, by the enclosing step
    assert apple.external and apple.why("external").endswith("(console-apple)")
    provider = _at(found, "source/includes/steps-apple-auth-configure.yaml:197")
    assert not provider.external and provider.resource == "auth_providers"
    vs = _at(found, "source/includes/steps-install-dotnet-vs-mac.yaml:5")
    assert vs.external and vs.interface == "ide"
    kotlin = _at(found, "source/includes/steps-tutorial-android-kotlin.yaml:211")
    assert kotlin.external and kotlin.interface == "sdk"
