"""A UI procedure that deletes a Secret, verified by reading back that it is gone.

A one-page docs project: open the Secret's menu, choose Delete Secret, confirm. The
scenario makes no Secret itself, so a precondition makes one for this run (named
after the scenario); the delete step deletes that one, never another, and reads
back that it is no longer listed; the confirmation is ui-only (a second read of the
same absence could not fail). Recorded against
the emulator, replayed and run live, every step has the same status. A recording
that still lists the Secret fails the delete's line; a renamed button leaves it
unbound.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from e2e_project import Project, copy_project, recorded_page_project

PAGE = "docs/source/values-and-secrets/define-and-manage-secrets.txt"
PAGE_TEXT = """\
===============
Delete a Secret
===============

Procedure
---------

.. procedure::

   .. step:: Delete the Secret

      Find the Secret in the table, open its :guilabel:`Actions` menu, and select
      :guilabel:`Delete Secret`.

   .. step:: Confirm the deletion

      Confirm that you want to delete the secret.
"""
DELETE, CONFIRM = 12, 17
CASSETTE = "cassettes/values-and-secrets/define-and-manage-secrets/delete-a-secret.yaml"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return recorded_page_project(tmp_path_factory.mktemp("secrets"), PAGE, PAGE_TEXT, "secrets")


@pytest.fixture
def project(recorded: Project, tmp_path: Path) -> Project:
    return copy_project(recorded, tmp_path / "project")


def _run(project: Project, *args: str) -> tuple[int, dict[str, Any]]:
    done = project.docharness("run", *args)
    assert done.code in (0, 1), done.output
    results = json.loads((project.root / "reports/results.json").read_text(encoding="utf-8"))
    [procedure] = [p for page in results["pages"] for p in page["procedures"]]
    return done.code, procedure


@pytest.mark.parametrize("mode", ["replay", "live"])
def test_the_secret_this_run_made_is_deleted_in_replay_and_live(
    project: Project, mode: str
) -> None:
    code, procedure = _run(project, *(["--live"] if mode == "live" else []))
    assert code == 0
    [made] = procedure["preconditions"]
    assert made["status"] == "verified" and "made by this run" in made["text"]
    steps = {step["line"]: step for step in procedure["steps"]}
    assert {line: step["status"] for line, step in steps.items()} == {
        DELETE: "verified",
        CONFIRM: "ui-only",
    }
    assert "a second one would add none" in steps[CONFIRM]["reason"]
    assert "no longer listed" in steps[DELETE]["reason"]


def test_a_recording_that_still_lists_the_secret_fails_the_delete_line(project: Project) -> None:
    cassette = project.root / CASSETTE
    text = cassette.read_text(encoding="utf-8")
    _, made = _run(project)
    name = made["preconditions"][0]["text"].split("'")[1]
    head, delete, rest = text.partition("method: DELETE")
    assert delete, "the delete step sends a DELETE"
    listed = f'[{{"_id":"1","name":"{name}"}}]'
    cassette.write_text(head + delete + rest.replace("string: '[]'", f"string: '{listed}'", 1))
    code, procedure = _run(project)
    assert code == 1
    steps = {step["line"]: step for step in procedure["steps"]}
    assert steps[DELETE]["status"] == "failed"
    assert "is still listed" in steps[DELETE]["error"]


def test_a_renamed_delete_button_leaves_its_line_unbound(project: Project) -> None:
    page = project.root / PAGE
    page.write_text(PAGE_TEXT.replace("`Delete Secret`", "`Remove Secret`"), encoding="utf-8")
    assert project.docharness("extract", "docs", "-o", "features").code == 0
    for args in ((), ("--live",)):
        done = project.docharness("run", *args)
        assert done.code == 1, done.output
        assert f"{PAGE}:{DELETE}: unbound: " in done.output, done.output
