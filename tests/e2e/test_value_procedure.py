"""A UI procedure that defines a Value, verified through the generic resource operations.

A small docs project with one page: name a Value, give it a value, save, review and
deploy, then find it in the list. It is recorded against the emulator (a real server
on 127.0.0.1), replayed and run live: every step has the same status in both. A
recording whose deployed configuration holds another value fails the form step that
entered it; a page whose value was changed fails, in replay, at the step that sends
it (naming the recorded request), and passes live, where the product stores what the
page says.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_project import Project, copy_project, recorded_page_project, run_steps

PAGE = "docs/source/values-and-secrets/define-a-value.txt"
PAGE_TEXT = """\
==============
Define a Value
==============

Procedure
---------

.. procedure::

   .. step:: Open the Values page

      Click :guilabel:`Values` in the left navigation menu.

   .. step:: Name the Value

      Enter ``greeting`` in the :guilabel:`Value Name` field.

   .. step:: Define the Value

      Enter ``hello`` in the :guilabel:`Value` field.

   .. step:: Save the Value

      Click :guilabel:`Save`.

   .. step:: Review the changes

      Click :guilabel:`Review & Deploy`.

   .. step:: Deploy the changes

      Click :guilabel:`Deploy`.

   .. step:: Check the value

      Find ``greeting`` in the list of values.
"""
# doc line -> status, for the unedited page (the same in record, replay and live)
EXPECTED = {
    12: "ui-only",  # navigation
    16: "verified",  # Value Name, read back from the deployed values
    20: "verified",  # Value, read back from the deployed values
    24: "verified",  # Save: created in the draft and read back from it
    28: "verified",  # Review & Deploy: the draft's diff holds this change
    32: "verified",  # Deploy: this scenario's deployment, successful
    36: "verified",  # the name, in the deployed values
}
CASSETTE = "cassettes/values-and-secrets/define-a-value/define-a-value.yaml"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return recorded_page_project(tmp_path_factory.mktemp("values"), PAGE, PAGE_TEXT, "values")


@pytest.fixture
def project(recorded: Project, tmp_path: Path) -> Project:
    return copy_project(recorded, tmp_path / "project")


@pytest.mark.parametrize("mode", ["replay", "live"])
def test_every_step_has_its_status_in_replay_and_live(project: Project, mode: str) -> None:
    code, steps = run_steps(project, *(["--live"] if mode == "live" else []))
    assert code == 0
    assert {line: step["status"] for line, step in steps.items()} == EXPECTED
    assert "GET .../pull" in steps[20]["reason"] and "'hello'" in steps[20]["reason"]


def test_a_recording_that_deployed_another_value_fails_the_form_step(project: Project) -> None:
    cassette = project.root / CASSETTE
    text = cassette.read_text(encoding="utf-8")
    pulls = text.split("/pull\n")
    assert len(pulls) == 3, "two pulls: the read-back after the deployment, the observation"
    pulls[1] = pulls[1].replace("hello", "hullo", 1)
    cassette.write_text("/pull\n".join(pulls))
    code, steps = run_steps(project)
    assert code == 1
    assert steps[20]["status"] == "failed"
    assert "value is 'hullo' in the deployed values" in steps[20]["error"]
    assert steps[16]["status"] == "verified"


def test_a_changed_value_on_the_page_fails_replay_where_it_is_sent(project: Project) -> None:
    page = project.root / PAGE
    page.write_text(PAGE_TEXT.replace("``hello``", "``hullo``"), encoding="utf-8")
    assert project.docharness("extract", "docs", "-o", "features").code == 0
    code, steps = run_steps(project)
    assert code == 1
    assert steps[24]["status"] == "failed"
    assert '"value": "hullo"' in steps[24]["error"] and '"value": "hello"' in steps[24]["error"]
    code, steps = run_steps(project, "--live")
    assert code == 0 and steps[20]["status"] == "verified"
    assert "'hullo'" in steps[20]["reason"]
