"""A UI procedure that picks an option and turns on a toggle, verified by the deployed config.

A one-page docs project: choose the Email/Password provider, turn on its "Provider
Enabled" toggle, save, review and deploy. The option the page names is sent as the
API value fields.toml maps it to (``local-userpass``), the toggle state as
``disabled: false``, and both are read back from the deployed configuration after
this scenario's deployment. Recorded against the emulator, replayed and run live,
every step has the same status. A recording that deployed the other toggle state
fails the toggle's line; a page naming another option fails replay where it is
sent; an option or toggle label the fields file does not know leaves its line
unbound.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_project import Project, copy_project, recorded_page_project, run_steps

PAGE = "docs/source/authentication/email-password.txt"
PAGE_TEXT = """\
=======================
Enable a Login Provider
=======================

Procedure
---------

.. procedure::

   .. step:: Choose the provider

      Select the :guilabel:`Email/Password` provider.

   .. step:: Enable the provider

      Turn on the :guilabel:`Provider Enabled` toggle.

   .. step:: Save the provider

      Click :guilabel:`Save`.

   .. step:: Review the changes

      Click :guilabel:`Review & Deploy`.

   .. step:: Deploy the changes

      Click :guilabel:`Deploy`.
"""
OPTION, TOGGLE, SAVE, REVIEW, DEPLOY = 12, 16, 20, 24, 28
CASSETTE = "cassettes/authentication/email-password/enable-a-login-provider.yaml"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return recorded_page_project(tmp_path_factory.mktemp("providers"), PAGE, PAGE_TEXT, "providers")


@pytest.fixture
def project(recorded: Project, tmp_path: Path) -> Project:
    return copy_project(recorded, tmp_path / "project")


def _edit(project: Project, old: str, new: str) -> None:
    page = project.root / PAGE
    page.write_text(PAGE_TEXT.replace(old, new), encoding="utf-8")
    assert project.docharness("extract", "docs", "-o", "features").code == 0


@pytest.mark.parametrize("mode", ["replay", "live"])
def test_every_step_is_verified_in_replay_and_live(project: Project, mode: str) -> None:
    code, steps = run_steps(project, *(["--live"] if mode == "live" else []))
    assert code == 0
    assert {line: step["status"] for line, step in steps.items()} == dict.fromkeys(
        (OPTION, TOGGLE, SAVE, REVIEW, DEPLOY), "verified"
    )
    assert "auth_providers.type = 'local-userpass'" in steps[OPTION]["reason"]
    assert "auth_providers.disabled = 'false'" in steps[TOGGLE]["reason"]
    assert "GET .../pull" in steps[TOGGLE]["reason"]


def test_a_recording_that_deployed_the_provider_disabled_fails_the_toggle_line(
    project: Project,
) -> None:
    cassette = project.root / CASSETTE
    text = cassette.read_text(encoding="utf-8")
    head, pull, rest = text.partition("/pull\n")
    assert pull, "the read-back after the deployment is a pull"
    cassette.write_text(head + pull + rest.replace('"disabled":false', '"disabled":true', 1))
    code, steps = run_steps(project)
    assert code == 1
    assert steps[TOGGLE]["status"] == "failed"
    assert (
        "auth_providers.disabled is 'true' in the deployed auth_providers"
        in (steps[TOGGLE]["error"])
    )


def test_another_option_on_the_page_fails_replay_where_it_is_sent(project: Project) -> None:
    _edit(project, ":guilabel:`Email/Password`", ":guilabel:`Anonymous`")
    code, steps = run_steps(project)
    assert code == 1
    assert steps[SAVE]["status"] == "failed"
    assert "anon-user" in steps[SAVE]["error"] and "local-userpass" in steps[SAVE]["error"]
    code, steps = run_steps(project, "--live")  # the product does what the edited page says
    assert code == 0 and "'anon-user'" in steps[OPTION]["reason"]


def test_the_other_toggle_state_on_the_page_fails_replay_where_it_is_sent(
    project: Project,
) -> None:
    _edit(project, "Turn on the", "Turn off the")
    code, steps = run_steps(project)
    assert code == 1
    assert steps[SAVE]["status"] == "failed"
    code, steps = run_steps(project, "--live")
    assert code == 0 and "auth_providers.disabled = 'true'" in steps[TOGGLE]["reason"]


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        (":guilabel:`Email/Password`", ":guilabel:`Email/Passcode`", OPTION),
        (":guilabel:`Provider Enabled`", ":guilabel:`Provider Active`", TOGGLE),
    ],
)
def test_a_renamed_option_or_toggle_leaves_its_line_unbound(
    project: Project, old: str, new: str, line: int
) -> None:
    _edit(project, old, new)
    for args in ((), ("--live",)):
        done = project.docharness("run", *args)
        assert done.code == 1, done.output
        assert f"{PAGE}:{line}: unbound: " in done.output, done.output
