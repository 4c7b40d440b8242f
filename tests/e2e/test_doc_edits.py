"""Documentation edits a reviewer would try: each must fail at the right line, in replay
and live alike, and replay and live must agree step by step.

Every edit changes the seed page or the page it links to, re-extracts the features,
then runs ``docharness run`` offline (the committed recordings) and ``--live``
(the local emulator). The recordings are of the unedited pages, so replay sees the
edit only through the requests the run makes: a step that sends what the recording
never saw fails there, as the product would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from e2e_project import Project

SEED = "docs/source/reference/terminating-and-reenabling-realm-sync.txt"
ROOT = Path(__file__).resolve().parents[2]
LINKED = "docs/source/includes/steps-enable-sync-ui.yaml"  # the real page's procedure
TERMINATE, REENABLE, ENABLE = "Terminate Realm Sync", "Re-enable Realm Sync", "Enable Sync"


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"the page no longer holds {old!r}"
        return text.replace(old, new, 1)

    return edit


def _swap(first: str, second: str) -> Callable[[str], str]:
    """Swap two blocks of the page (each given whole)."""

    def edit(text: str) -> str:
        assert first in text and second in text
        return text.replace(first, "\0").replace(second, first).replace("\0", second)

    return edit


SEED_STEP_3 = """3. Click the :guilabel:`Review & Deploy` button in the blue notification bar
telling you that changes have been made to your {+backend+} app."""
SEED_STEP_4 = """4. In the model that appears, review your changes and then click the green
:guilabel:`Deploy` button."""
YAML_BLOCKS = (ROOT / LINKED).read_text(encoding="utf-8").split("---\n")
CONFIGURE_STEP, ENABLE_STEP, SDK_STEP = YAML_BLOCKS[2], YAML_BLOCKS[3], YAML_BLOCKS[4].rstrip("\n")
ENABLE_LINE = "click :guilabel:`Enable Sync`"  # the line the enable step is read at, wherever it is


@dataclass(frozen=True)
class Edit:
    name: str
    page: str  # SEED or LINKED
    apply: Callable[[str], str]
    # procedure title -> (doc path, line, status) of its first failed or unbound step;
    # line 0 means "the line of the outcome sentence in the edited page", a string the
    # line of the edited page that holds it
    expected: dict[str, tuple[str, int | str, str]]
    keyword: str = ""  # docharness run -k
    new_pages: tuple[tuple[str, str], ...] = ()  # (path, text) written before extracting


def _line_holding(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


def _outcome_line(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if "You have now" in line)


EDITS = [
    Edit(
        "seed: rename a button",
        SEED,
        _replace("red :guilabel:`Terminate Sync` button.", "red :guilabel:`Disable Sync` button."),
        {TERMINATE: (SEED, 66, "unbound")},
        "terminate",
    ),
    Edit(
        "seed: rename the modal button",
        SEED,
        _replace(
            ":guilabel:`Terminate Sync` button on the modal.",
            ":guilabel:`Confirm` button on the modal.",
        ),
        {TERMINATE: (SEED, 71, "unbound")},
        "terminate",
    ),
    Edit(
        "seed: swap steps 3 and 4",
        SEED,
        _swap(SEED_STEP_3, SEED_STEP_4),
        {TERMINATE: (SEED, 78, "failed")},
        "terminate",
    ),
    Edit(
        "seed: delete the deploy step",
        SEED,
        _replace(SEED_STEP_4, ""),
        {TERMINATE: (SEED, 0, "failed")},
        "terminate",
    ),
    Edit(
        "seed: negate the outcome",
        SEED,
        _replace(
            "You have now terminated {+sync+}",
            "You have now paused {+sync+}: it is not terminated,",
        ),
        {TERMINATE: (SEED, 90, "unbound")},
        "terminate",
    ),
    Edit(
        "seed: state another outcome",
        SEED,
        _replace(
            "You have now terminated {+sync+} and should get a green",
            "You have now terminated {+sync+} and should get a red",
        ),
        {TERMINATE: (SEED, 90, "unbound")},
        "terminate",
    ),
    Edit(
        "seed: break the link",
        SEED,
        _replace("</sync/get-started>", "</sync/get-startd>"),
        {REENABLE: (SEED, 101, "failed")},
        "re_enable",
    ),
    Edit(
        "seed: link to a page without a procedure",
        SEED,
        _replace("</sync/get-started>", "</sync/overview>"),
        {REENABLE: (SEED, 101, "failed")},
        "re_enable",
        (
            (
                "docs/source/sync/overview.txt",
                "========\nOverview\n========\n\nSync keeps data in step.\n",
            ),
        ),
    ),
    Edit(
        "linked: rename the Enable Sync button",
        LINKED,
        _replace("click :guilabel:`Enable Sync` to", "click :guilabel:`Start Sync` to"),
        {ENABLE: (LINKED, 37, "unbound"), REENABLE: (LINKED, 37, "unbound")},
    ),
    Edit(
        "linked: rename the Sync menu label",
        LINKED,
        _replace("click :guilabel:`Sync` beneath", "click :guilabel:`Realm Sync` beneath"),
        {ENABLE: (LINKED, 4, "unbound"), REENABLE: (LINKED, 4, "unbound")},
    ),
    Edit(
        "linked: rename a sub-step",
        LINKED,
        _replace("**Choose a Partition Key:**", "**Choose a Shard Key:**"),
        {ENABLE: (LINKED, 31, "unbound"), REENABLE: (LINKED, 31, "unbound")},
    ),
    Edit(
        "linked: swap steps 3 and 4 (enable before the form)",
        LINKED,
        _swap(CONFIGURE_STEP, ENABLE_STEP),
        {ENABLE: (LINKED, ENABLE_LINE, "failed"), REENABLE: (LINKED, ENABLE_LINE, "failed")},
    ),
    Edit(
        # The known finding is accepted at line 37 only: moved, it fails the run again.
        "linked: swap steps 4 and 5 (the never-deployed change moves)",
        LINKED,
        _swap(ENABLE_STEP.rstrip("\n"), SDK_STEP),
        {ENABLE: (LINKED, ENABLE_LINE, "failed"), REENABLE: (LINKED, ENABLE_LINE, "failed")},
    ),
]


def _procedures(project: Project) -> dict[str, dict[str, Any]]:
    data = json.loads((project.root / "reports/results.json").read_text(encoding="utf-8"))
    return {proc["title"]: proc for page in data["pages"] for proc in page["procedures"]}


def _first_problem(procedure: dict[str, Any]) -> tuple[str, int, str] | None:
    for step in procedure["steps"]:
        if step["status"] in ("failed", "unbound"):
            return step["path"], step["line"], step["status"]
    return None


def _statuses(procedure: dict[str, Any]) -> list[tuple[int, str]]:
    steps = (*procedure["preconditions"], *procedure["steps"])
    return [(step["line"], step["status"]) for step in steps]


def _run(project: Project, *args: str) -> dict[str, dict[str, Any]]:
    done = project.docharness("run", *args)
    assert done.code == 1, done.output
    assert "Traceback" not in done.output
    return _procedures(project)


@pytest.mark.parametrize("edit", EDITS, ids=[edit.name for edit in EDITS])
def test_edit_fails_at_its_line_in_replay_and_live(project: Project, edit: Edit) -> None:
    page = project.root / edit.page
    text = edit.apply(page.read_text(encoding="utf-8"))
    page.write_text(text, encoding="utf-8")
    for path, content in edit.new_pages:
        (project.root / path).write_text(content, encoding="utf-8")
    extracted = project.docharness("extract", "docs", "-o", "features")
    assert extracted.code in (0, 1), extracted.output
    keyword = ("-k", edit.keyword) if edit.keyword else ()
    replay = _run(project, *keyword)
    live = _run(project, "--live", *keyword)
    for title, (path, line, status) in edit.expected.items():
        at = _line_holding(text, line) if isinstance(line, str) else line or _outcome_line(text)
        wanted = (path, at, status)
        assert _first_problem(replay[title]) == wanted, replay[title]
        assert _first_problem(live[title]) == wanted, live[title]
        assert _statuses(replay[title]) == _statuses(live[title])


def test_unedited_pages_pass_with_the_same_status_per_step_in_replay_and_live(
    project: Project,
) -> None:
    """The real page's one finding is known (docs/known-findings.toml): reported, not failing."""
    assert project.docharness("run").code == 0
    replay = _procedures(project)
    assert project.docharness("run", "--live").code == 0
    live = _procedures(project)
    assert replay.keys() == live.keys() == {TERMINATE, REENABLE, ENABLE}
    for title in replay:
        assert _statuses(replay[title]) == _statuses(live[title]), title
        statuses = {status for _, status in _statuses(replay[title])}
        assert statuses <= {"verified", "ui-only", "external", "failed"}
    for title in (REENABLE, ENABLE):
        failed = [s for s in replay[title]["steps"] if s["status"] == "failed"]
        assert [(s["path"], s["line"]) for s in failed] == [(LINKED, 37)]
        assert failed[0]["known"] == "docs/known-findings.toml:10"
        assert "no later step of the page deploys it" in failed[0]["error"]
        by_line = {s["line"]: s for s in replay[title]["steps"] if s["path"] == LINKED}
        assert by_line[46]["status"] == "external"  # the SDK step, by the resource model's rule
        assert "interfaces.toml" in by_line[46]["catalog_entry"]
        for line in (30, 31):  # the page names no value: a stand-in, never evidence
            assert by_line[line]["status"] == "ui-only"
            assert "stand-in" in by_line[line]["reason"]
    assert {s["status"] for s in replay[TERMINATE]["steps"]} == {"verified", "ui-only"}


def test_without_the_known_findings_file_the_real_page_fails_the_run_at_its_line(
    project: Project,
) -> None:
    (project.root / "docs/known-findings.toml").unlink()
    for args in ((), ("--live",)):
        done = project.docharness("run", *args)
        assert done.code == 1, done.output
        assert f"{LINKED}:37: failed: this step staged a change in draft" in done.output
        procedures = _procedures(project)
        for title in (REENABLE, ENABLE):
            assert _first_problem(procedures[title]) == (LINKED, 37, "failed")
            assert not procedures[title]["steps"][-3]["known"]


def test_a_known_finding_accepts_only_its_own_failure(project: Project) -> None:
    """An entry for another line, or for other words, accepts nothing."""
    known = project.root / "docs/known-findings.toml"
    text = known.read_text(encoding="utf-8")
    for edited in (
        text.replace("line = 37", "line = 36"),
        text.replace('contains = "no later step', 'contains = "the form has no'),
    ):
        known.write_text(edited, encoding="utf-8")
        done = project.docharness("run")
        assert done.code == 1, done.output
        assert "(known finding" not in done.output
        assert "known-findings.toml:10: this known finding did not occur" in done.output


def test_a_malformed_known_findings_file_stops_the_run_with_its_line(project: Project) -> None:
    known = project.root / "docs/known-findings.toml"
    known.write_text('[[finding]]\npath = "../../etc/passwd"\nline = 1\ncontains = "x"\n')
    done = project.docharness("run")
    assert done.code == 2, done.output
    assert "docs/known-findings.toml:1: `path` must name a file inside docs/" in done.output
    assert "Traceback" not in done.output


DEPLOY_STEPS = """---
title: Deploy
ref: deploy-sync
content: |
  Click the :guilabel:`Review & Deploy` button in the blue notification bar
  telling you that changes have been made to your {+backend+} app.
---
title: Confirm
ref: confirm-deploy-sync
content: |
  In the modal that appears, review your changes and then click the
  green :guilabel:`Deploy` button.
"""


def test_the_real_page_with_deploy_steps_added_passes_and_stand_ins_stay_ui_only(
    project: Project,
) -> None:
    """Fixing the page clears the finding; the deployed config then shows the stand-in values,
    and still those steps are not verified: docharness chose the values, not the page."""
    page = project.root / LINKED
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(SDK_STEP, DEPLOY_STEPS + "---\n" + SDK_STEP), encoding="utf-8")
    assert project.docharness("extract", "docs", "-o", "features").code in (0, 1)
    done = project.docharness("run", "--live", "-k", "get_started")
    assert done.code == 0, done.output
    [steps] = [p["steps"] for p in _procedures(project).values()]
    by_line = {s["line"]: s for s in steps if s["path"] == LINKED}
    assert by_line[37]["status"] == "verified" and not by_line[37]["known"]
    assert {by_line[line]["status"] for line in (30, 31)} == {"ui-only"}
    assert "stand-in" in by_line[31]["reason"]
    assert [s["status"] for s in steps].count("verified") == 4  # cluster, enable, review, deploy


def test_a_known_finding_that_no_longer_occurs_is_named_for_removal(project: Project) -> None:
    page = project.root / LINKED
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(SDK_STEP, DEPLOY_STEPS + "---\n" + SDK_STEP), encoding="utf-8")
    assert project.docharness("extract", "docs", "-o", "features").code in (0, 1)
    done = project.docharness("run", "--live")
    assert done.code == 0, done.output
    assert (
        "docs/known-findings.toml:10: this known finding did not occur: remove it if the page "
        "is fixed" in done.stdout
    )
    results = json.loads((project.root / "reports/results.json").read_text(encoding="utf-8"))
    assert results["run"]["known_unused"] == ["docs/known-findings.toml:10"]
    project.docharness("run", "--live", "-k", "terminate")  # the page not checked: not named
    results = json.loads((project.root / "reports/results.json").read_text(encoding="utf-8"))
    assert results["run"]["known_unused"] == []
