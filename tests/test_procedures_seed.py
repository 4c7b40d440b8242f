"""The seed page: what the whole harness starts from, extracted end to end.

Expectations come from reading the page (docs/source/reference/
terminating-and-reenabling-realm-sync.txt): a list whose items 2-4 docutils
shows as paragraphs, figures between items, the closing "You have now ..."
sentence, and a section that defers to the Get Started with Sync guide.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.diagnostics import Severity
from harness.procedures import Extraction, extract_project
from harness.procedures.model import Document, Procedure, StepKind

SEED = "reference/terminating-and-reenabling-realm-sync"
SEED_FILE = f"source/{SEED}.txt"

TERMINATE_STEPS = [
    (
        "1",
        66,
        'In the "Sync" tab of the MongoDB Realm UI, click the red "Terminate Sync" button.',
        ("Sync", "Terminate Sync"),
        ("the terminate sync button",),
    ),
    (
        "2",
        71,
        "In the modal that pops up, check that you want to terminate sync by clicking the"
        ' "I want to terminate Sync" checkbox and then click the "Terminate Sync" button on'
        " the modal.",
        ("I want to terminate Sync", "Terminate Sync"),
        ("the terminate sync model",),
    ),
    (
        "3",
        78,
        'Click the "Review & Deploy" button in the blue notification bar telling you that'
        " changes have been made to your MongoDB Realm app.",
        ("Review & Deploy",),
        ('"Review & Deploy" notification',),
    ),
    (
        "4",
        84,
        'In the model that appears, review your changes and then click the green "Deploy" button.',
        ("Deploy",),
        ("Review Changes Model",),
    ),
]
OUTCOME = (
    "You have now terminated Realm Sync and should get a green notification bar on the top"
    ' of the "Sync" page that states that your deployment was successful.'
)


@pytest.fixture(scope="module")
def extraction(repo_root: Path) -> Extraction:
    return extract_project(repo_root / "docs")


def document(extraction: Extraction, page: str) -> Document:
    [found] = [doc for doc in extraction.documents if doc.page == page]
    return found


def procedure(doc: Document, title: str) -> Procedure:
    [found] = [proc for proc in doc.procedures if proc.title == title]
    return found


def assert_terminate(proc: Procedure) -> None:
    assert proc.id == f"{SEED}/terminate-realm-sync"
    assert proc.section_path == (
        "Terminating & Re-enabling Realm Sync",
        "Terminate Realm Sync",
        "Procedure",
    )
    assert proc.labels == ("terminating-realm-sync",)
    assert (proc.tab, proc.included_from) == ("", "")
    assert str(proc.location) == f"{SEED_FILE}:66"
    actions = [step for step in proc.steps if step.kind is StepKind.ACTION]
    assert [(s.number, s.location.line, s.text, s.labels, s.figures) for s in actions] == (
        TERMINATE_STEPS
    )
    assert all(step.location.path == SEED_FILE for step in proc.steps)
    assert all(step.title == "" for step in proc.steps)
    outcome = proc.steps[-1]
    assert len(proc.steps) == 5
    assert (outcome.kind, outcome.number, outcome.location.line) == (StepKind.OUTCOME, "", 90)
    assert outcome.text == OUTCOME
    assert outcome.labels == ("Sync",)


def test_the_seed_page_names_its_procedures_after_their_sections(extraction: Extraction) -> None:
    seed = document(extraction, SEED)
    assert seed.path == SEED_FILE
    assert seed.title == "Terminating & Re-enabling Realm Sync"
    assert [proc.title for proc in seed.procedures] == [
        "Terminate Realm Sync",
        "Re-enable Realm Sync",
    ]
    assert "terminating-and-reenabling-sync" in seed.labels


def test_terminate_realm_sync_has_four_actions_and_the_outcome(extraction: Extraction) -> None:
    assert_terminate(procedure(document(extraction, SEED), "Terminate Realm Sync"))


def test_re_enable_follows_the_get_started_guide(extraction: Extraction) -> None:
    reenable = procedure(document(extraction, SEED), "Re-enable Realm Sync")
    assert reenable.id == f"{SEED}/re-enable-realm-sync"
    assert reenable.included_from == "sync/get-started"
    assert reenable.labels == ("re-enable-realm-sync",)
    assert str(reenable.location) == f"{SEED_FILE}:101"
    guide = procedure(document(extraction, "sync/get-started"), "Enable Sync")
    assert reenable.steps == guide.steps
    # The real 2021 page: its procedure is the giza step file includes/steps-enable-sync-ui.yaml,
    # with a numbered sub-list inside step 3 and an SDK step at the end (no outcome sentence).
    assert [step.title for step in reenable.steps if step.title] == [
        "Navigate to the Realm Sync Panel",
        "Decide Whether to Use Development Mode",
        "Configure Sync",
        "Save the Configuration and Enable Sync",
        "Sync Data from a Client",
    ]
    yaml = "source/includes/steps-enable-sync-ui.yaml"
    assert [str(step.location) for step in reenable.steps] == [
        f"{yaml}:{line}" for line in (4, 11, 27, 29, 30, 31, 32, 37, 46)
    ]
    assert all(step.kind is not StepKind.OUTCOME for step in reenable.steps)
    enable = reenable.steps[7]
    assert enable.text == 'On the "Configuration" tab, click "Enable Sync" to enable sync.'
    assert enable.labels == ("Configuration", "Enable Sync")


def test_constants_are_substituted_everywhere(extraction: Extraction) -> None:
    for doc in extraction.documents:
        for proc in doc.procedures:
            for step in proc.steps:
                assert "{+" not in step.text and "{+" not in step.title


def test_only_the_broken_items_are_reported(extraction: Extraction) -> None:
    serious = [d for d in extraction.diagnostics if d.severity is not Severity.INFO]
    assert [(d.path, d.line, d.code, d.severity) for d in serious] == [
        (SEED_FILE, line, "DH201", Severity.ERROR) for line in (71, 78, 84)
    ]
    for diagnostic, number in zip(serious, "234", strict=True):
        assert f"item {number} " in diagnostic.message
        assert diagnostic.hint == "indent the continuation line(s) to line up with the item text"
    assert not [d for d in extraction.diagnostics if d.code in {"DH105", "DH106"}]


def test_extraction_is_deterministic(extraction: Extraction, repo_root: Path) -> None:
    assert extract_project(repo_root / "docs") == extraction


def test_the_verbatim_seed_with_its_2021_constants(shared_dir: Path, tmp_path: Path) -> None:
    """The page as published, in a project with the constants of its own 2021 docs."""
    shutil.copy(shared_dir / "corpus/realm-2021/snooty.toml", tmp_path / "snooty.toml")
    target = tmp_path / SEED_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(shared_dir / "seed/terminating-and-reenabling-realm-sync.txt", target)
    extraction = extract_project(tmp_path)
    [seed] = extraction.documents
    terminate, reenable = seed.procedures
    assert_terminate(terminate)
    assert [str(step.location) for step in reenable.steps] == [f"{SEED_FILE}:101"]
    serious = [d for d in extraction.diagnostics if d.severity is not Severity.INFO]
    assert [(d.line, d.code) for d in serious] == [
        (71, "DH201"),
        (78, "DH201"),
        (84, "DH201"),
        (101, "DH205"),
    ]
    assert "sync/get-started" in serious[-1].message
