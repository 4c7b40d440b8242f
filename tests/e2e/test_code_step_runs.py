"""Steps whose code is a realm-cli command or a curl request, run as evidence.

A small docs project with one page: a CLI procedure (login, pull, edit
``sync/config.json``, push), an Admin API procedure of curl requests (read the
service config, create a draft, PATCH the config, deploy the draft) and a Data
API call. It is recorded against the emulator (a real server on 127.0.0.1),
replayed offline and run live; then edits a reviewer would try (a flag, a
path, a JSON field, ``-h`` for ``-H``, a missing ``\\``, the push left out)
must fail at the right line, in replay and live alike.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_project import (
    REPO_ROOT,
    Project,
    copy_project,
    page_project,
    recorded_page_project,
    run_steps,
)

from harness.commands import classify_url, parse_cli, parse_curls
from harness.emulator import DEFAULT_APP_ID, Emulator
from harness.procedures import extract_project

PAGE = "docs/source/code-steps.txt"
CLI, API, DATA = (
    "Enable Sync with the CLI",
    "Change the Cluster Configuration with the Admin API",
    "Query a Collection with the Data API",
)
PAGE_TEXT = (Path(__file__).with_name("code-steps.txt")).read_text(encoding="utf-8")

# doc line -> status, for the unedited page (the same in record, replay and live)
EXPECTED = {
    12: "verified",  # realm-cli login
    20: "verified",  # realm-cli pull
    28: "verified",  # the sync/config.json edit, read back after the push
    43: "verified",  # realm-cli push: its deployment, then the deployed config
    56: "verified",  # curl GET .../services/{id}/config
    66: "verified",  # curl POST .../drafts, listed by GET .../drafts
    75: "verified",  # curl PATCH .../config, read back
    86: "verified",  # curl POST .../drafts/{id}/deployment, polled to successful
    100: "external",  # the Data API
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The project, extracted and recorded against a local emulator (live)."""
    return recorded_page_project(
        tmp_path_factory.mktemp("code-steps"), PAGE, PAGE_TEXT, "codesteps"
    )


@pytest.fixture
def project(recorded: Project, tmp_path: Path) -> Project:
    """A copy of the recorded project that a test may edit."""
    return copy_project(recorded, tmp_path / "project")


@pytest.mark.parametrize("mode", ["replay", "live"])
def test_every_step_is_verified_or_external(project: Project, mode: str) -> None:
    code, steps = run_steps(project, *(["--live"] if mode == "live" else []))
    assert code == 0
    assert {line: step["status"] for line, step in steps.items()} == EXPECTED
    assert "deployment" in steps[43]["reason"] and "code-steps.txt:28" in steps[43]["reason"]
    assert "GET .../pull" in steps[28]["reason"]
    assert "Data API" in steps[100]["reason"]
    assert any(call["path"].endswith("/push") for call in steps[43]["calls"])


def test_the_recording_holds_the_requests_the_commands_make(recorded: Project) -> None:
    cassette = (recorded.root / "cassettes/code-steps/enable-sync-with-the-cli.yaml").read_text()
    assert "/push" in cassette and "/pull" in cassette
    assert "client_max_offline_days" in cassette  # the page's edit went out with the push
    assert "Private API Key" not in cassette


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


@dataclass(frozen=True)
class Edit:
    name: str
    apply: Callable[[str], str]
    line: int  # the step whose line fails
    status: str
    says: str  # in the step's error (or reason, when unbound)


EDITS = [
    Edit(
        "a CLI flag",
        _replace('realm-cli pull --remote="', 'realm-cli pull --remot="'),
        20,
        "failed",
        "code-steps.txt:24: DH307 pull has no flag --remot",
    ),
    Edit(
        "a CLI flag's value",
        _replace(
            'realm-cli pull --remote="<Your App ID>"', 'realm-cli pull --remote="<Your App ID>."'
        ),
        20,
        "failed",
        "realm-cli pull: --remote names no app of the project once filled in",
    ),
    Edit(
        "a JSON field",
        _replace('"client_max_offline_days": 30', '"client_max_offline_dayz": 30'),
        28,
        "failed",
        "not deployed: the push at docs/source/code-steps.txt:43 failed",
    ),
    Edit(
        "a curl path",
        _replace(
            "{APP_ID}/services/{MongoDB_Service_ID}/config \\\n           -X GET",
            "{APP_ID}/servics/{MongoDB_Service_ID}/config \\\n           -X GET",
        ),
        56,
        "failed",
        "DH305 GET /groups/{GROUP_ID}/apps/{APP_ID}/servics/{MongoDB_Service_ID}/config is no",
    ),
    Edit(
        "a curl body's JSON field",
        _replace('-d \'{"readPreference": "nearest"}\'', '-d \'{"readPreferenc": "nearest"}\''),
        75,
        "failed",
        "/config",  # replay: the recording has another body; live: the API refuses it
    ),
    Edit(
        "-h for -H",
        _replace(
            "-X GET \\\n           -H 'Authorization", "-X GET \\\n           -h 'Authorization"
        ),
        56,
        "failed",
        "code-steps.txt:62: DH301 -h is curl's help flag",
    ),
    Edit(
        "a missing continuation",
        _replace(
            "-H 'Content-Type: application/json' \\\n", "-H 'Content-Type: application/json'\n"
        ),
        75,
        "failed",
        "code-steps.txt:81: DH302 line ends the command",
    ),
    Edit(
        "the push left out",
        _replace(
            "   .. step:: Deploy the Sync Configuration\n\n"
            "      To deploy your changes, push your app configuration:\n\n"
            "      .. code-block:: shell\n\n"
            '         realm-cli push --remote="<Your App ID>"\n',
            "",
        ),
        28,
        "unbound",
        "no push in this procedure",
    ),
]


@pytest.mark.parametrize("edit", EDITS, ids=[edit.name for edit in EDITS])
def test_an_edited_command_fails_at_its_line_in_replay_and_live(
    project: Project, edit: Edit
) -> None:
    page = project.root / PAGE
    page.write_text(edit.apply(page.read_text(encoding="utf-8")), encoding="utf-8")
    assert project.docharness("extract", "docs", "-o", "features").code == 0
    statuses = {}
    for mode in ("replay", "live"):
        code, steps = run_steps(project, *(["--live"] if mode == "live" else []))
        assert code == 1, mode
        step = steps[edit.line]
        assert step["status"] == edit.status, (mode, step)
        assert edit.says in (step["error"] or step["reason"]), (mode, step)
        statuses[mode] = {line: s["status"] for line, s in steps.items()}
    assert statuses["replay"] == statuses["live"]


# Each check of harness/plugin/code_steps.py, caught by a recording or an emulator fault that
# only that check catches (the page unedited).


def _edit_answer(
    project: Project,
    cassette: str,
    method: str,
    suffix: str,
    change: Callable[[Any], Any],
    which: int = -1,
) -> None:
    """Change the JSON answer of the ``which``-th recorded ``method`` request whose URL ends so."""
    path = project.root / "cassettes/code-steps" / cassette
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = [
        i
        for i in data["interactions"]
        if i["request"]["method"] == method and i["request"]["uri"].endswith(suffix)
    ]
    response = found[which]["response"]
    body = json.dumps(change(json.loads(response["body"]["string"])), separators=(",", ":"))
    response["body"]["string"] = body
    response["headers"]["Content-Length"] = [str(len(body.encode()))]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _with(key: str, value: Any) -> Callable[[Any], Any]:
    def change(answer: Any) -> Any:
        answer[key] = value
        return answer

    return change


def test_the_pushed_edit_is_read_back_from_the_deployed_config(project: Project) -> None:
    def other_value(answer: Any) -> Any:
        answer["sync"]["client_max_offline_days"] = 31
        return answer

    _edit_answer(project, "enable-sync-with-the-cli.yaml", "GET", "/pull", other_value)
    code, steps = run_steps(project)
    assert code == 1
    assert steps[28]["status"] == "failed"
    assert "$.client_max_offline_days" in steps[28]["error"]
    assert steps[43]["status"] == "failed"


def test_the_push_must_make_one_deployment(project: Project) -> None:
    _edit_answer(project, "enable-sync-with-the-cli.yaml", "GET", "/deployments", lambda _: [])
    code, steps = run_steps(project)
    assert code == 1
    assert "the push made 0 deployments" in steps[43]["error"]
    assert steps[28]["status"] == "failed"  # its edit was never confirmed


def test_a_curl_write_is_read_back(project: Project) -> None:
    cassette = "change-the-cluster-configuration-with-the-admin-api.yaml"
    _edit_answer(project, cassette, "GET", "/config", _with("readPreference", "primary"))
    code, steps = run_steps(project)
    assert code == 1
    assert steps[75]["status"] == "failed"
    assert "$.readPreference" in steps[75]["error"]


def test_a_created_draft_must_be_listed(project: Project) -> None:
    cassette = "change-the-cluster-configuration-with-the-admin-api.yaml"
    _edit_answer(project, cassette, "GET", "/drafts", lambda _: [], which=0)
    code, steps = run_steps(project)
    assert code == 1
    assert "does not list what POST made" in steps[66]["error"]


def _set_status(project: Project, cassette: str, method: str, suffix: str, status: int) -> None:
    """Change the status of the first recorded ``method`` request whose URL ends so."""
    path = project.root / "cassettes/code-steps" / cassette
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = next(
        i
        for i in data["interactions"]
        if i["request"]["method"] == method and i["request"]["uri"].endswith(suffix)
    )
    found["response"]["status"]["code"] = status
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("wrong", ["a field of the wrong type", "an undeclared status"])
def test_an_answer_the_spec_does_not_allow_fails_its_step_in_replay(
    project: Project, wrong: str
) -> None:
    cassette = "change-the-cluster-configuration-with-the-admin-api.yaml"
    if wrong == "an undeclared status":
        _set_status(project, cassette, "POST", "/drafts", 200)
        says = "-> 200: response: ResponseNotFound"
    else:
        _edit_answer(project, cassette, "POST", "/drafts", _with("user_id", 5))
        says = "response: $.user_id: fails type 'string'"
    code, steps = run_steps(project)
    assert code == 1
    assert steps[66]["status"] == "failed"
    error = steps[66]["error"]
    assert "adminCreateDeploymentDraft: the exchange does not fit the Admin API spec" in error
    assert says in error


def test_a_deploy_must_end_successful(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    emulator = emulator_with(fail_deploys="the cluster is unreachable")
    code, steps = run_steps(project, "--live", "--api-url", emulator.url)
    assert code == 1
    assert steps[43]["status"] == "failed" and steps[86]["status"] == "failed"
    assert "unreachable" in steps[86]["error"]


def test_a_remote_app_is_not_changed_by_code_steps_without_allow_destructive(
    project: Project,
) -> None:
    env = {
        "MONGODB_ATLAS_PUBLIC_API_KEY": "pub",
        "MONGODB_ATLAS_PRIVATE_API_KEY": "not-a-real-key",
        "DOCHARNESS_GROUP_ID": "5f0a1b2c3d4e5f6a7b8c9d01",
        "DOCHARNESS_APP_ID": "5f0a1b2c3d4e5f6a7b8c9d02",
    }
    remote = "https://admin.example.test/api/admin/v3.0"
    done = project.docharness("run", "--live", "--api-url", remote, env=env)
    assert done.code == 1, done.output
    assert "refusing to run 'code-steps/enable-sync-with-the-cli'" in done.output
    assert "docs/source/code-steps.txt:43" in done.output  # the push
    assert "docs/source/code-steps.txt:66" in done.output  # the POST of a draft
    assert "docs/source/code-steps.txt:56" not in done.output.split("refusing")[-1]  # a GET
    assert "not-a-real-key" not in done.output


# A second page: a login curl, a draft created (with a discard in an "important" box), the
# draft deployed, and a new app whose answer is compared with the output the page shows.
API_PAGE = "docs/source/admin-api.txt"


def _api_project(root: Path) -> Project:
    text = Path(__file__).with_name("admin-api.txt").read_text(encoding="utf-8")
    return page_project(root, API_PAGE, text, "more")


def test_login_drafts_and_a_new_app_with_its_output(tmp_path: Path) -> None:
    project = _api_project(tmp_path / "api")
    assert project.docharness("run", "--record").code == 0
    by_mode = {}
    for mode in ("replay", "live"):
        code, steps = run_steps(project, *(["--live"] if mode == "live" else []))
        assert code == 0, mode
        by_mode[mode] = {line: step["status"] for line, step in steps.items()}
        assert "logged in with the run's API key pair" in steps[12]["reason"]
        # the discard in the "important" box is a side case: never sent
        assert not any(call["method"] == "DELETE" for call in steps[23]["calls"])
        assert "deployment" in steps[39]["reason"] and "successful" in steps[39]["reason"]
        assert "output at line 66" in steps[52]["reason"]
        assert "deleted again" in steps[52]["reason"]
        # the template the reader chooses sits in an optional field: sent without it
        assert "sent without template_id: optional in the spec" in steps[79]["reason"]
        assert "read back by GET /groups/{groupId}/apps/{appId}" in steps[79]["reason"]
    assert (
        by_mode["replay"]
        == by_mode["live"]
        == {12: "verified", 23: "verified", 39: "verified", 52: "verified", 79: "verified"}
    )
    cassette = (project.root / "cassettes/admin-api/deploy-a-draft.yaml").read_text()
    assert "Private API Key" not in cassette


def test_an_output_the_answer_does_not_have_fails_at_the_outputs_line(tmp_path: Path) -> None:
    project = _api_project(tmp_path / "api")
    page = project.root / API_PAGE
    page.write_text(page.read_text().replace('"client_app_id": "<App ID>"', '"app_id": "<App ID>"'))
    assert project.docharness("extract", "docs", "-o", "features").code == 0
    code, steps = run_steps(project, "--live")
    assert code == 1
    assert steps[52]["status"] == "failed"
    assert "admin-api.txt:66" in steps[52]["error"] and "$.app_id" in steps[52]["error"]


# The app-services corpus (../shared): the code steps of 40 real pages, live against the
# emulator, recorded and replayed.


def _code_kinds(docs: Path) -> dict[tuple[str, int], str]:
    """(doc path, line) -> "cli" | "admin-curl" for every step whose code holds one."""
    kinds: dict[tuple[str, int], str] = {}
    for document in extract_project(docs).documents:
        for procedure in document.procedures:
            for step in procedure.steps:
                texts = [block.text for block in step.code]
                if any(parse_cli(text) for text in texts):
                    kinds[(step.location.path, step.location.line)] = "cli"
                elif any(
                    classify_url(request.url).kind == "admin-api"
                    for text in texts
                    for request in parse_curls(text)
                ):
                    kinds[(step.location.path, step.location.line)] = "admin-curl"
    return kinds


def test_the_corpus_code_steps_are_evidence_in_live_and_replay(
    shared_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(shared_dir / "corpus/app-services", root / "docs")
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    project = Project(root)
    assert project.docharness("extract", "docs", "-o", "features").code in (0, 1)
    runs = {}
    for mode, args in (
        ("live", ("--live",)),
        ("record", ("--record", "--record-failed")),
        ("replay", ()),
    ):
        done = project.docharness("run", "--allow-unbound", *args)
        assert done.code in (0, 1), done.output
        runs[mode] = _steps_by_place(project)
    statuses = {
        mode: {place: step["status"] for place, step in steps.items()}
        for mode, steps in runs.items()
    }
    assert statuses["replay"] == statuses["live"] == statuses["record"]  # ids differ in recordings
    kinds = _code_kinds(root / "docs")
    found: dict[str, list[dict[str, Any]]] = {"cli": [], "admin-curl": []}
    for (path, line), step in runs["live"].items():
        kind = kinds.get((path.split("docs/", 1)[-1], line))
        if kind:
            found[kind].append(step)
    cli = [step["status"] for step in found["cli"]]
    assert len(cli) >= 30 and cli.count("verified") / len(cli) >= 0.6, cli
    assert len(found["admin-curl"]) >= 5
    for step in found["admin-curl"]:
        # verified; failed naming a DH3xx defect at a doc line; skipped after such a failure;
        # or unbound only for a value no run has (a template app's id)
        if step["status"] == "failed":
            assert re.search(r"\.txt:\d+: DH3\d\d ", step["error"]), step
        elif step["status"] == "unbound":
            assert "no run value for" in step["reason"], step
        else:
            assert step["status"] in ("verified", "skipped"), step


def _steps_by_place(project: Project) -> dict[tuple[str, int], dict[str, Any]]:
    results = json.loads((project.root / "reports/results.json").read_text(encoding="utf-8"))
    return {
        (step["path"], step["line"]): {k: step[k] for k in ("status", "error", "reason")}
        for page in results["pages"]
        for procedure in page["procedures"]
        for step in procedure["steps"]
    }


# A third page: realm-cli commands other than login, pull and push, each the one request the
# CLI makes once it has found the app (harness/catalog/code.toml [cli]).
CLI_PAGE = "docs/source/cli-commands.txt"
CLI_EXPECTED = {
    12: "verified",  # apps describe: GET the app
    20: "verified",  # secrets create: POST, then listed by GET .../secrets
    28: "verified",  # secrets list
    36: "verified",  # users create: POST, then GET .../users/{id}
    45: "verified",  # users list
    53: "unbound",  # the CLI would prompt for what the page leaves out
    61: "unbound",  # function run: the emulator has no JavaScript runtime (no route)
    74: "verified",  # realm-cli pull
    82: "unbound",  # functions/config.json, named by the prose: a new function lacks its source
    94: "unbound",  # the trigger json definition: the app has no trigger by the page's name
    107: "verified",  # realm-cli push
    115: "unbound",  # secrets delete: its request needs the secret's id, not only the app
    123: "ui-only",  # a sync/config.json template: the page leaves <Database Name> to the reader
    133: "external",  # a usage synopsis documents the command and asks to run nothing
}


@pytest.fixture(scope="module")
def cli_recorded(tmp_path_factory: pytest.TempPathFactory) -> Project:
    text = Path(__file__).with_name("cli-commands.txt").read_text(encoding="utf-8")
    project = page_project(tmp_path_factory.mktemp("cli"), CLI_PAGE, text, "clicmds")
    done = project.docharness("run", "--record", "--allow-unbound")
    assert done.code == 0, done.output
    return project


@pytest.fixture
def cli_project(cli_recorded: Project, tmp_path: Path) -> Project:
    return copy_project(cli_recorded, tmp_path / "project")


@pytest.mark.parametrize("mode", ["replay", "live"])
def test_other_cli_commands_run_as_their_requests(cli_project: Project, mode: str) -> None:
    code, steps = run_steps(cli_project, "--allow-unbound", *(["--live"] if mode == "live" else []))
    assert code == 0
    assert {line: step["status"] for line, step in steps.items()} == CLI_EXPECTED
    assert "GET /groups/{groupId}/apps/{appId} answered" in steps[12]["reason"]
    assert "GET /groups/{groupId}/apps/{appId}/secrets lists" in steps[20]["reason"]
    assert "read back by GET /groups/{groupId}/apps/{appId}/users/{userId}" in steps[36]["reason"]
    assert "no run value for <User's Email Address>, --password" in steps[53]["reason"]
    assert "execute_function" in steps[61]["reason"] and "does not serve" in steps[61]["reason"]
    assert [c["method"] for c in steps[20]["calls"]][-2:] == ["POST", "GET"]
    assert "new item to functions/config.json without source" in steps[82]["reason"]
    assert "the reader's triggers/docharnessNoSuchTrigger.json" in steps[94]["reason"]
    assert "does not run 'realm-cli secrets delete' yet" in steps[115]["reason"]
    assert "the page leaves <Database Name> to the reader" in steps[123]["reason"]
    assert "usage synopsis" in steps[133]["reason"] and not steps[133]["calls"]


def test_the_cli_recording_keeps_no_password(cli_recorded: Project) -> None:
    cassette = CLI_PAGE.replace("docs/source/", "cassettes/").removesuffix(".txt")
    text = "".join(p.read_text() for p in (cli_recorded.root / cassette).glob("*.yaml"))
    assert "/users" in text and "not-a-real-password" not in text


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        ("secrets list --app=", "secrets list --ap=", 28, "DH307 secrets list has no flag --ap"),
        ("apps describe", "apps describ", 12, "not a command harness/commands/cli.toml knows"),
    ],
    ids=["a flag", "a command"],
)
def test_an_edited_cli_command_fails_or_is_unbound_at_its_line(
    cli_project: Project, old: str, new: str, line: int, says: str
) -> None:
    page = cli_project.root / CLI_PAGE
    page.write_text(page.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert cli_project.docharness("extract", "docs", "-o", "features").code in (0, 1)
    for mode in ("replay", "live"):
        code, steps = run_steps(
            cli_project, "--allow-unbound", *(["--live"] if mode == "live" else [])
        )
        assert says in (steps[line]["error"] or steps[line]["reason"]), (mode, steps[line])
        if "DH307" in says:
            assert code == 1 and steps[line]["status"] == "failed", mode
        else:
            assert steps[line]["status"] == "unbound", mode


def _edit_cli_answer(
    project: Project, method: str, suffix: str, change: Any, which: int = -1
) -> None:
    path = project.root / "cassettes/cli-commands/manage-users-and-secrets-with-the-cli.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = [
        i
        for i in data["interactions"]
        if i["request"]["method"] == method and i["request"]["uri"].endswith(suffix)
    ]
    response = found[which]["response"]
    body = json.dumps(change(json.loads(response["body"]["string"])))
    response["body"]["string"] = body
    response["headers"]["Content-Length"] = [str(len(body.encode()))]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_a_created_secret_must_be_listed(cli_project: Project) -> None:
    _edit_cli_answer(cli_project, "GET", "/secrets", lambda _: [], which=0)  # the read-back
    code, steps = run_steps(cli_project, "--allow-unbound")
    assert code == 1
    assert "does not list what POST made" in steps[20]["error"]


def test_a_cli_answer_the_spec_does_not_allow_fails_its_step(cli_project: Project) -> None:
    _edit_cli_answer(cli_project, "GET", "/apps/" + DEFAULT_APP_ID, lambda a: {**a, "name": 5})
    code, steps = run_steps(cli_project, "--allow-unbound")
    assert code == 1
    assert "adminGetApplication: the exchange does not fit the Admin API spec" in steps[12]["error"]
