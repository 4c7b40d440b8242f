"""UI procedures whose deploy sentence also saves: the page's own values are sent, deployed
and read back.

Two one-page docs projects, recorded against the emulator, replayed and run live:
- the API Key page: select the "API Keys" provider, then "If the API Key provider is
  not currently enabled, enable it and then deploy your application." The deploy step
  saves the provider (type and name from the option, ``disabled: false`` from
  "enable it"), reviews and deploys it; the deployed configuration confirms both lines.
- the custom user data page: turn the "Enable Custom User Data" toggle on, leave the
  collection to the reader, and "Once you have configured ..., deploy". docharness sends
  stand-ins for the collection (named in the reason, never evidence), so the toggle's
  state is saved, deployed and read back.
Record, replay and live give every step the same status. Renaming the option or the
toggle on the page leaves its line unbound; turning "enable it" into "disable it"
fails replay at that line, where the request differs from the recording.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_project import Project, copy_project, recorded_page_project, run_steps

API_KEY_PAGE = "docs/source/authentication/api-key.txt"
API_KEY_TEXT = """\
================
API Key Provider
================

Procedure
---------

.. procedure::

   .. step:: Choose the provider

      Select the :guilabel:`API Keys` provider.

   .. step:: Enable the provider

      If the API Key provider is not currently enabled, enable it and then
      deploy your application.
"""
OPTION, ENABLE = 12, 16

CUD_PAGE = "docs/source/users/enable-custom-user-data.txt"
CUD_TEXT = """\
=======================
Enable Custom User Data
=======================

Procedure
---------

.. procedure::

   .. step:: Enable Custom User Data

      Set the :guilabel:`Enable Custom User Data` toggle to :guilabel:`On`.

   .. step:: Specify the User ID Field

      Specify the name of the field that contains each user's ID.

   .. step:: Deploy the Updated Application

      Once you have configured the custom user data collection, deploy your
      application.
"""
TOGGLE, USER_ID, DEPLOY = 12, 16, 20


@pytest.fixture(scope="module")
def api_key(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return recorded_page_project(
        tmp_path_factory.mktemp("api-key"), API_KEY_PAGE, API_KEY_TEXT, "api-key"
    )


@pytest.fixture(scope="module")
def custom_user_data(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return recorded_page_project(tmp_path_factory.mktemp("cud"), CUD_PAGE, CUD_TEXT, "cud")


def _edit(project: Project, page: str, text: str, old: str, new: str) -> None:
    assert old in text
    (project.root / page).write_text(text.replace(old, new), encoding="utf-8")
    assert project.docharness("extract", "docs", "-o", "features").code == 0


@pytest.mark.parametrize("mode", ["record", "replay", "live"])
def test_enable_it_and_then_deploy_is_verified_alike_in_every_mode(
    api_key: Project, tmp_path: Path, mode: str
) -> None:
    project = copy_project(api_key, tmp_path / "p")
    code, steps = run_steps(project, *({"record": ["--record"], "live": ["--live"]}.get(mode, [])))
    assert code == 0
    assert {line: step["status"] for line, step in steps.items()} == {
        OPTION: "verified",
        ENABLE: "verified",
    }
    assert "auth_providers.type = 'api-key'" in steps[OPTION]["reason"]
    assert "GET .../pull" in steps[OPTION]["reason"]
    assert "disabled = 'false'" in steps[ENABLE]["reason"]
    assert "is successful" in steps[ENABLE]["reason"]


def test_disable_it_on_the_page_fails_replay_where_it_is_sent(
    api_key: Project, tmp_path: Path
) -> None:
    project = copy_project(api_key, tmp_path / "p")
    _edit(project, API_KEY_PAGE, API_KEY_TEXT, "enable it and then", "disable it and then")
    code, steps = run_steps(project)
    assert code == 1
    assert steps[ENABLE]["status"] == "failed"
    code, steps = run_steps(project, "--live")  # the product does what the edited page says
    assert code == 0 and "disabled = 'true'" in steps[ENABLE]["reason"]


@pytest.mark.parametrize("mode", ["record", "replay", "live"])
def test_custom_user_data_is_verified_alike_with_named_stand_ins(
    custom_user_data: Project, tmp_path: Path, mode: str
) -> None:
    project = copy_project(custom_user_data, tmp_path / "p")
    code, steps = run_steps(project, *({"record": ["--record"], "live": ["--live"]}.get(mode, [])))
    assert code == 0
    assert {line: step["status"] for line, step in steps.items()} == {
        TOGGLE: "verified",
        USER_ID: "ui-only",
        DEPLOY: "verified",
    }
    assert "custom_user_data.enabled = 'true'" in steps[TOGGLE]["reason"]
    assert "stand-ins the API needs, no evidence of the page" in steps[DEPLOY]["reason"]
    assert "user_id_field = 'user_id'" in steps[DEPLOY]["reason"]


@pytest.mark.parametrize(
    ("which", "old", "new", "line"),
    [
        ("api-key", ":guilabel:`API Keys`", ":guilabel:`API Kees`", OPTION),
        ("cud", ":guilabel:`Enable Custom User Data`", ":guilabel:`Use Custom Data`", TOGGLE),
    ],
)
def test_a_renamed_option_or_toggle_leaves_its_line_unbound(
    api_key: Project,
    custom_user_data: Project,
    tmp_path: Path,
    which: str,
    old: str,
    new: str,
    line: int,
) -> None:
    recorded, page, text = (
        (api_key, API_KEY_PAGE, API_KEY_TEXT)
        if which == "api-key"
        else (custom_user_data, CUD_PAGE, CUD_TEXT)
    )
    project = copy_project(recorded, tmp_path / "p")
    _edit(project, page, text, old, new)
    for args in ((), ("--live",)):
        done = project.docharness("run", *args)
        assert done.code == 1, done.output
        assert f"{page}:{line}: unbound: " in done.output, done.output
