"""The app-services corpus: 40 real pages of mongodb/docs-app-services (read in place).

How the pinned counts were checked: for every page in PINNED the structure was
listed with ``grep -n`` for headings, ``.. procedure::``, ``.. step::``,
``.. tab::``/``:tabid:``, numbered items and "You have now"/"follow the steps"
sentences, and the following pages were read in full around their procedures
and counted by hand: users/create (UI tab list of 4; two ``#.`` lists of 4 and
5 items whose last item is the outcome), sync/configure/pause-or-terminate-sync
(two 4-step procedures whose last step ends with "You have now ...", and two
"follow the steps in :ref:`enable-sync`" sections that borrow the 6-step UI
procedure of enable-sync), hosting/use-a-custom-404-page (UI 3 steps + 4 numbered
sub-steps, CLI 5), reference/find-your-project-or-app-id (3 + 2), triggers/disable
(3 + 4; the "1. A database trigger is disabled" list describes events, not
steps), values-and-secrets/define-and-manage-secrets (3 + 4 + 2 + 3),
authentication/api-key (one UI list of 5), services/convert-webhooks-to-endpoints
(3 + 3 + 3 + 4), functions (UI 8 steps with 2 + 2 sub-steps, CLI 4 steps with a
nested 4-step procedure), schemas/enforce-a-schema (UI 6 + 8 sub-steps, CLI 5,
a 3-item list), schemas/relationships (only the two numbered lists inside UI
tabs; the numbered headings are sections, not list items), manage-apps/deploy
(numbered lists only inside a list-table: summaries, no procedure),
sync/configure/compact-disk ("1." then "#." items of one list) and
sync/local-to-sync (two overview lists of 3, a 7-item list, a "follow the
steps in :ref:`<enable-flexible-sync>`" section, and a broken "follow the steps
in :ref:`<create-a-realm-app>`" that becomes a one-step procedure failing at its
line). custom-jwt's Firebase step 2 holds a numbered list of 5 in its UI tab:
its sub-steps (a numbered list inside a tab inside a step). The other rows agree with
the ``.. step::`` counts below and were spot-checked the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docutils import nodes

from harness.diagnostics import Severity
from harness.procedures import Extraction, extract_project
from harness.rst import load_project, parse_page

# page -> (procedures, steps including sub-steps and outcomes)
PINNED: dict[str, tuple[int, int]] = {
    "authentication/api-key": (1, 5),
    "authentication/custom-jwt": (3, 19),
    "authentication/facebook": (1, 4),
    "data-api/generated-endpoints": (2, 10),
    "functions": (2, 20),
    "hosting/enable-hosting": (1, 2),
    "hosting/upload-content-to-app-services": (2, 7),
    "hosting/use-a-custom-404-page": (2, 12),
    "manage-apps/configure/change-environments": (2, 7),
    "manage-apps/configure/config/template-expansions": (2, 8),
    "manage-apps/configure/export/export-with-cli": (1, 2),
    "manage-apps/configure/export/export-with-ui": (1, 4),
    "manage-apps/create/create-with-api": (1, 3),
    "manage-apps/delete/delete-with-ui": (1, 2),
    "manage-apps/deploy": (0, 0),
    "manage-apps/deploy/automated/sdlc": (3, 8),
    "manage-apps/deploy/disable-deployment-drafts": (1, 4),
    "manage-apps/deploy/manual/deploy-api": (1, 3),
    "mongodb": (2, 7),
    "mongodb/define-roles-and-permissions": (2, 14),
    "mongodb/read-preference": (2, 8),
    "reference/find-your-project-or-app-id": (2, 5),
    "schemas/enforce-a-schema": (3, 22),
    "schemas/relationships": (2, 6),
    "services/configure/services": (2, 12),
    "services/convert-webhooks-to-endpoints": (4, 13),
    "sync/configure/compact-disk": (1, 2),
    "sync/configure/enable-sync": (3, 17),
    "sync/configure/pause-or-terminate-sync": (4, 22),
    "sync/data-model/create-a-schema": (2, 7),
    "sync/error-handling/client-resets": (2, 7),
    "sync/local-to-sync": (5, 20),
    "triggers/authentication-triggers": (1, 2),
    "triggers/database-triggers": (3, 7),
    "triggers/disable": (2, 7),
    "users/create": (3, 15),
    "users/enable-custom-user-data": (2, 11),
    "users/find-and-view": (2, 5),
    "values-and-secrets/define-a-value": (2, 8),
    "values-and-secrets/define-and-manage-secrets": (4, 12),
}

_STEP = re.compile(r"^\s*\.\. step::", re.MULTILINE)
_INCLUDE = re.compile(r"^\s*\.\. include::\s*(\S+)", re.MULTILINE)


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Path:
    return shared_dir / "corpus/app-services"


@pytest.fixture(scope="module")
def extraction(corpus: Path) -> Extraction:
    return extract_project(corpus)


def textual_steps(corpus: Path, path: Path, seen: frozenset[Path] = frozenset()) -> int:
    """``.. step::`` lines in a file and, recursively, in the files it includes."""
    text = path.read_text(encoding="utf-8")
    count = len(_STEP.findall(text))
    for argument in _INCLUDE.findall(text):
        base = (
            corpus / "source" / argument.lstrip("/")
            if argument.startswith("/")
            else path.parent / argument
        )
        for candidate in (base, base.with_name(base.name + ".rst")):
            if candidate.is_file() and candidate not in seen:
                count += textual_steps(corpus, candidate, seen | {path})
                break
    return count


def test_every_page_is_extracted_with_the_pinned_counts(extraction: Extraction) -> None:
    found = {
        doc.page: (len(doc.procedures), sum(len(proc.steps) for proc in doc.procedures))
        for doc in extraction.documents
    }
    assert found == PINNED


def test_every_step_directive_is_a_step_of_some_procedure(
    extraction: Extraction, corpus: Path
) -> None:
    for doc in extraction.documents:
        written = textual_steps(corpus, corpus / doc.path)
        own = {
            (step.location.path, step.location.line)
            for proc in doc.procedures
            if not proc.included_from
            for step in proc.steps
            if step.title
        }
        assert len(own) == written, doc.page


def test_no_unknown_directive_role_or_lost_content(extraction: Extraction, corpus: Path) -> None:
    assert not [d for d in extraction.diagnostics if d.code in {"DH105", "DH106"}]
    # DH3xx: the commands in steps (curl, CLI), checked and tested by harness.commands
    reading = [d for d in extraction.diagnostics if not d.code.startswith("DH3")]
    assert not [d for d in reading if d.severity is Severity.ERROR]
    project = load_project(corpus)
    for page_file in project.pages():
        document = parse_page(project, page_file).document
        serious = [m for m in document.findall(nodes.system_message) if m["level"] >= 3]
        assert serious == [], page_file
        assert not list(document.findall(nodes.problematic)), page_file


def test_the_only_warning_is_a_link_to_a_page_outside_the_corpus(extraction: Extraction) -> None:
    """The corpus is 40 pages of a larger project: one "follow the steps" names a
    label defined on a page that was not copied. The code examples literalinclude
    shows and the figures' images were not copied either: their folders are absent,
    so they are notices, not warnings."""
    warnings = [
        d
        for d in extraction.diagnostics
        if d.severity is Severity.WARNING and not d.code.startswith("DH3")  # commands' checks
    ]
    assert [(d.path, d.line, d.code) for d in warnings] == [
        ("source/sync/local-to-sync.txt", 45, "DH205")
    ]
    assert "create-a-realm-app" in warnings[0].message
    absent = [d for d in extraction.diagnostics if d.code == "DH109"]
    assert len(absent) == 79 and {d.severity for d in absent} == {Severity.INFO}


def test_steps_from_includes_point_into_the_include(extraction: Extraction) -> None:
    [doc] = [d for d in extraction.documents if d.page == "manage-apps/create/create-with-api"]
    [proc] = doc.procedures
    first = proc.steps[0]
    assert first.title == "Authenticate a MongoDB Atlas User"
    assert str(first.location) == "source/includes/api-authenticate-instructions.rst:1"


def test_the_2022_terminate_sync_procedure(extraction: Extraction) -> None:
    """The seed page's later version: steps as directives, the outcome inside step 4."""
    [doc] = [d for d in extraction.documents if d.page == "sync/configure/pause-or-terminate-sync"]
    terminate = next(p for p in doc.procedures if p.title == "Terminate Sync")
    assert terminate.labels == ("terminating-realm-sync",)
    assert [s.title for s in terminate.steps] == [
        "Press the Terminate Sync Button",
        "Confirm That You Want to Terminate Sync",
        "Review Your Changes",
        "Deploy Your App to Terminate Sync",
        "",
    ]
    assert terminate.steps[-1].text.startswith("You have now terminated Device Sync")
    assert terminate.steps[-1].figures == ("Review Changes Model",)
    assert terminate.steps[1].labels == ("I want to terminate Sync", "Terminate Sync")
