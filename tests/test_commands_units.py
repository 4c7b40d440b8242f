"""harness/commands on small, hand-made inputs: each check here fails when its check is removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.commands import (
    CODE_CODES,
    EditError,
    apply_edit,
    apply_to_pull,
    classify_url,
    fill,
    find_placeholders,
    lint_code,
    locate,
    parse_cli,
    parse_curls,
    parse_json_block,
    resolve,
    translate,
)
from harness.commands import codes as c
from harness.commands.jsonedit import named_in_prose
from harness.commands.match import match_request
from harness.commands.placeholders import reader_choice
from harness.commands.shell import split_commands
from harness.commands.spec import SpecIndex, load_spec_index
from harness.diagnostics import Diagnostic, Severity
from harness.openapi import SpecError


@pytest.fixture(scope="module")
def spec(shared_dir: Path) -> SpecIndex:
    return load_spec_index(shared_dir / "openapi" / "admin-v3.yaml")


def codes_of(code: str, language: str = "shell", spec: SpecIndex | None = None) -> list[str]:
    return [d.code for d in lint_code(code, language, "page.txt", 1, spec=spec)]


# --- the shell reader ---------------------------------------------------------------------


def test_shell_words_quotes_and_continuations() -> None:
    code = 'curl -X POST \\\n  -H \'A: b c\' \\\n  --data "{\\"k\\": 1}" url\necho done # note'
    first, second = split_commands(code)
    assert [w.text for w in first.words] == [
        "curl",
        "-X",
        "POST",
        "-H",
        "A: b c",
        "--data",
        '{"k": 1}',
        "url",
    ]
    assert (first.words[3].line, first.words[3].column) == (1, 2)
    assert first.ended_by == "newline" and (first.line, first.end_line) == (0, 2)
    assert [w.text for w in second.words] == ["echo", "done"]


def test_shell_separators_and_substitution() -> None:
    commands = split_commands("output=$(realm-cli app describe)\ncd x && realm-cli push")
    assert [[w.text for w in c.words] for c in commands] == [
        ["output="],
        ["realm-cli", "app", "describe"],
        ["cd", "x"],
        ["realm-cli", "push"],
    ]


def test_angle_placeholders_stay_in_their_word() -> None:
    (command,) = split_commands("realm-cli users create --email=<User's Email Address> --x")
    assert command.words[3].text == "--email=<User's Email Address>"


# --- placeholders ---------------------------------------------------------------------------


def test_placeholder_kinds_and_keys() -> None:
    text = "<Project ID> {+app-id+} {{app_id}} $GROUP_ID {groupId} {MongoDB_Service_ID}"
    found = find_placeholders(text)
    assert [(p.kind, p.key) for p in found] == [
        ("angle", "groupId"),
        ("snooty", "clientAppId"),
        ("mustache", "appId"),
        ("env", "groupId"),
        ("brace", "groupId"),
        ("brace", "serviceId"),
    ]
    assert found[1].column == text.index("{+app-id+}")


def test_fill_leaves_unknown_placeholders() -> None:
    filled, left = fill('{"name": "<AppName>", "x": "<Nothing Known>"}', {"appName": "demo"})
    assert filled == '{"name": "demo", "x": "<Nothing Known>"}'
    assert [p.name for p in left] == ["Nothing Known"]


def test_a_reader_choice_is_a_chosen_value_no_run_value_stands_for() -> None:
    """placeholders.toml [reader_choices]: names and modes the reader picks; never an id and
    never a value the run should know (an app's name, a cluster's)."""
    text = (
        "<Function Name> <Read Preference Mode (other than primary)> <Tag Value> <action>"
        " <App Services User ID> <Realm User Id> <App Name> <Cluster Name> <Widget>"
    )
    chosen = {p.name: reader_choice(p) for p in find_placeholders(text)}
    assert chosen == {
        "Function Name": True,
        "Read Preference Mode (other than primary)": True,
        "Tag Value": True,
        "action": True,
        "App Services User ID": False,
        "Realm User Id": False,
        "App Name": False,
        "Cluster Name": False,
        "Widget": False,
    }


def test_app_id_and_client_app_id_are_different_values() -> None:
    (client,) = find_placeholders("<App ID>")
    (internal,) = find_placeholders("{APP_ID}")
    assert (client.key, internal.key) == ("clientAppId", "appId")


# --- curl -----------------------------------------------------------------------------------


def test_curl_parse_request() -> None:
    (request,) = parse_curls(
        "curl --request POST"
        " 'https://services.cloud.mongodb.com/api/admin/v3.0/groups/<GroupID>/apps' \\\n"
        "  --header 'Authorization:  Bearer <AccessToken>' \\\n"
        "  -u user:pass \\\n"
        '  --data \'{ "name": "<AppName>" }\''
    )
    assert request.method == "POST"
    assert request.path == "/api/admin/v3.0/groups/<GroupID>/apps"
    assert request.header("authorization") == "Bearer <AccessToken>"
    assert request.body == '{ "name": "<AppName>" }' and request.body_at == (3, 2)
    assert request.user == "user:pass"
    assert [p.key for p in request.placeholders] == ["groupId", "accessToken", "appName"]
    assert request.problems == () and request.sends


def test_curl_method_defaults_and_attached_values() -> None:
    (get, post, patch) = parse_curls(
        "curl https://h/x\ncurl -d @body.json https://h/y\ncurl -XPATCH https://h/z"
    )
    assert (get.method, post.method, patch.method) == ("GET", "POST", "PATCH")
    assert post.body_file == "body.json" and post.body is None


def test_curl_help_flag_where_a_header_is_meant() -> None:
    (request,) = parse_curls("curl https://h/x \\\n  -X GET \\\n  -h 'Authorization: Bearer t'")
    (problem,) = request.problems
    assert (problem.code, problem.line, problem.column) == (c.HELP_FLAG_AS_HEADER, 2, 2)
    assert request.header("Authorization") is None and not request.sends


def test_curl_missing_continuation_drops_the_body() -> None:
    code = "curl https://h/x \\\n  -X PATCH \\\n  -H 'A: b'\n  -d @/sync/config.json"
    (request,) = parse_curls(code)
    assert request.body_file is None  # the shell never gives curl the -d
    (problem,) = request.problems
    assert (problem.code, problem.line, problem.column) == (c.MISSING_CONTINUATION, 2, 11)


def test_curl_unquoted_url_with_placeholder_and_metacharacters() -> None:
    code = "curl -X GET https://h/api/admin/v3.0/groups/<Project ID>/apps?product=atlas -H 'A: b'"
    (request,) = parse_curls(code)
    (problem,) = request.problems
    assert (problem.code, problem.column) == (c.UNQUOTED_METACHARACTERS, 12)
    quoted = code.replace("https://h/api/admin/v3.0/groups/<Project ID>/apps?product=atlas", "'&'")
    assert parse_curls(quoted)[0].problems == ()


def test_resolve_fills_path_parameters_by_spec_name(spec: SpecIndex) -> None:
    (request,) = parse_curls(
        "curl -X GET"
        " 'https://realm.mongodb.com/api/admin/v3.0/groups/{GROUP_ID}/apps/<App ID>/services'"
        " -H 'Authorization: Bearer <Valid Access Token>'"
    )
    operation = spec.match(request.method, request.path)
    assert operation is not None and operation.operation_id == "adminListServices"
    values = {"groupId": "g1", "appId": "a1", "clientAppId": "myapp-abcde", "accessToken": "t"}
    resolved = resolve(request, values, operation)
    assert resolved.path == "/api/admin/v3.0/groups/g1/apps/a1/services"
    assert resolved.headers == (("Authorization", "Bearer t"),) and resolved.unresolved == ()


# --- the spec -------------------------------------------------------------------------------


def test_spec_match_prefers_literal_segments(spec: SpecIndex) -> None:
    push = spec.match("PATCH", "/api/admin/v3.0/groups/g/apps/a/push")
    notifications = spec.match("GET", "/groups/g/apps/a/push/notifications")
    assert push is not None and push.operation_id == "adminPushAppConfiguration"
    assert push.param("appId") == "a"
    assert notifications is not None and notifications.operation_id == "adminListNotifications"
    assert spec.match("PUT", "/groups/g/apps/a/push") is None
    assert spec.methods_for("/groups/g/apps/a/push") == ("PATCH",)


def test_spec_body_validation(spec: SpecIndex) -> None:
    login = spec.by_id("adminLogin")
    assert login is not None
    assert spec.validate_body(login, {"username": "u", "apiKey": "k"}) == []
    problems = spec.validate_body(login, {"username": 3})
    assert problems == ["/: 'apiKey' is a required property", "/username: must be of type string"]


def test_spec_errors_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "spec.yaml"
    broken.write_text("openapi: 3.1.0\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"spec\.yaml: not an OpenAPI document"):
        load_spec_index(broken)
    with pytest.raises(SpecError, match="cannot read"):
        load_spec_index(tmp_path / "missing.yaml")


def test_match_request_codes(spec: SpecIndex) -> None:
    legacy = "curl -X POST 'https://realm.mongodb.com/api/admin/v3.0/groups/{groupId}/apps/{appId}/drafts'"
    assert codes_of(legacy, spec=spec) == [c.LEGACY_HOST]
    current = legacy.replace("realm.mongodb.com", "services.cloud.mongodb.com")
    assert codes_of(current, spec=spec) == []
    assert codes_of(current.replace("drafts", "draftz"), spec=spec) == [c.NO_SPEC_OPERATION]
    wrong_method = current.replace("-X POST", "-X PUT")
    (finding,) = lint_code(wrong_method, "shell", "p.txt", 1, spec=spec)
    assert finding.hint == "the spec has GET, POST for this path"
    login = (
        "curl -X POST https://services.cloud.mongodb.com/api/admin/v3.0/auth/providers/mongodb-cloud/login"
        ' -d \'{"username": "<Public API Key>", "apiKey": "<Private API Key>"}\''
    )
    assert codes_of(login, spec=spec) == []
    assert codes_of(login.replace('"apiKey"', '"key"'), spec=spec) == [c.BODY_DOES_NOT_FIT_SPEC]
    assert codes_of(login.replace("}'", "'"), spec=spec) == [c.JSON_DOES_NOT_PARSE]


def test_runnable_needs_an_operation_and_no_error(spec: SpecIndex) -> None:
    url = "'https://services.cloud.mongodb.com/api/admin/v3.0/groups/g/apps'"
    assert match_request(parse_curls(f"curl {url}")[0], spec).runnable
    assert not match_request(parse_curls(f"curl {url} -h 'A: b'")[0], spec).runnable
    assert not match_request(parse_curls(f"curl -X PUT {url}")[0], spec).runnable


# --- external -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://data.mongodb-api.com/app/<App ID>/endpoint/data/v1/action/findOne", "data-api"),
        ("https://<Region>.<Cloud>.data.mongodb-api.com/app/<App ID>/endpoint/data/v1", "data-api"),
        ("https://data.mongodb-api.com/app/myapp/endpoint/myService/hook", "https-endpoint"),
        ("https://realm.mongodb.com/api/client/v2.0/app/<App ID>/graphql", "graphql"),
        (
            "https://realm.mongodb.com/api/client/v2.0/app/x/auth/providers/local-userpass/login",
            "client-auth",
        ),
        ("https://realm.mongodb.com/api/client/v2.0/app/x/service/s/incoming_webhook/w", "webhook"),
        ("https://services.cloud.mongodb.com/api/admin/v3.0/groups/g/apps", "admin-api"),
        ("https://example.com/x", "unknown"),
    ],
)
def test_classify_url(url: str, kind: str) -> None:
    destination = classify_url(url)
    assert destination.kind == kind and destination.reason


def test_external_requests_are_not_linted_against_the_spec(spec: SpecIndex) -> None:
    code = "curl -X POST https://data.mongodb-api.com/app/<App ID>/endpoint/data/v1/action/nothing"
    assert codes_of(code, spec=spec) == []


# --- the CLI --------------------------------------------------------------------------------


def test_cli_push_and_its_alias_import() -> None:
    push, imported = parse_cli('realm-cli push --remote="<Your App ID>" -y\nrealm-cli import')
    assert push.command == imported.command == "push"
    assert push.operations == (
        "adminListApplications",
        "adminPushAppConfiguration",
        "adminListDeployments",
    )
    assert push.flag("--remote") == "<Your App ID>" and push.flag("--yes") == ""
    assert push.unbound is None and push.problems == ()


def test_cli_1x_export_and_import_keep_their_own_flags() -> None:
    # 2021 pages still show realm-cli 1.x: `export --app-id` was right then; `pull --app-id` never.
    exported = translate("realm-cli export --app-id=<App ID> --include-hosting")
    assert exported.command == "pull" and exported.problems == ()
    assert exported.written == "export"  # messages name the command as the page wrote it
    assert exported.flag("--app-id") == "<App ID>"
    assert translate("realm-cli import --strategy=replace --include-dependencies").problems == ()
    assert [p.code for p in translate("realm-cli pull --app-id=x").problems] == [c.UNKNOWN_CLI_FLAG]
    assert [p.code for p in translate("realm-cli push --strategy=merge").problems] == [
        c.UNKNOWN_CLI_FLAG
    ]


def test_cli_login_pull_and_flag_dependent_plans() -> None:
    assert translate("realm-cli login --api-key=k --private-api-key=p").operations == (
        "adminLogin",
    )
    assert translate("appservices pull --remote app-x").flag("--remote") == "app-x"
    assert translate("realm-cli users list --pending").operations[-1] == "adminListPendingUsers"
    assert translate("realm-cli users create --type=email").operations[-1] == "adminCreateUser"
    assert translate("realm-cli users create --type=api-key").operations[-1] == "adminCreateApiKey"
    assert translate("realm-cli function run --name=sum --args=1 --args=2").values("--args") == (
        "1",
        "2",
    )
    assert translate("x=$(realm-cli app describe)").command == "apps describe"


def test_cli_unknown_flag_is_unbound_with_a_message() -> None:
    plan = translate("realm-cli function run \\\n  --function=sum")
    assert plan.unbound == "function run has no flag --function"
    (problem,) = plan.problems
    assert (problem.code, problem.line, problem.column) == (c.UNKNOWN_CLI_FLAG, 1, 2)
    assert "--name" in problem.hint


def test_cli_unknown_command_is_unbound() -> None:
    plan = translate("realm-cli schema validate --app=x")
    assert plan.unbound is not None and "schema validate" in plan.unbound
    assert [p.code for p in plan.problems] == [c.UNKNOWN_CLI_COMMAND]
    assert translate("npm install").unbound == "'npm' is not realm-cli or appservices"


def test_cli_flag_inside_quotes_and_synopsis() -> None:
    plan = translate('realm-cli push --remote="<Your App ID>  --include-hosting"')
    assert [p.code for p in plan.problems] == [c.FLAG_INSIDE_QUOTES] and plan.unbound
    synopsis = translate("realm-cli pull --remote=<App ID> --local=<Path> [options]")
    assert synopsis.unbound is not None and "synopsis" in synopsis.unbound
    assert synopsis.problems == ()


def test_cli_missing_continuation() -> None:
    plan = translate("realm-cli secrets create --app=x\n  --name=n")
    assert [p.code for p in plan.problems] == [c.MISSING_CONTINUATION]
    assert plan.flag("--name") is None


# --- JSON blocks and edits -------------------------------------------------------------------


def test_json_block_with_ellipsis_and_placeholders() -> None:
    block = parse_json_block('{\n  ...\n  "sync": {"db": "<Database Name>"},\n  ...\n}')
    assert block.parsed and block.value == {"sync": {"db": "<Database Name>"}}
    typed = parse_json_block('{"on": <Boolean>, "n": <Number>, "s": <Whatever>, "x": true|false}')
    assert typed.value == {"on": True, "n": 0, "s": "<Whatever>", "x": True}
    choice = parse_json_block('{"state": <"enabled" | "disabled">, "when": { <JSON Expression> }}')
    assert choice.value == {"state": "enabled", "when": {}}
    fragment = parse_json_block('"hosting": {"enabled": true}')
    assert fragment.fragment and fragment.value == {"hosting": {"enabled": True}}
    comment = parse_json_block('{\n  "a": 1,\n  // more fields\n  "b": 2\n}')
    assert not comment.parsed and (comment.line, comment.column) == (2, 2)
    filled = parse_json_block('{\n  "name": "<AppName>"\n}', {"appName": "demo"})
    assert filled.value == {"name": "demo"}
    assert not parse_json_block('{"a": 1,}').parsed  # a trailing comma the doc wrote stays an error


def test_apply_edit_merges_into_the_pulled_file() -> None:
    tree = {"sync/config.json": {"type": "flexible", "state": "disabled", "permissions": {"a": 1}}}
    edited = apply_edit(tree, "/sync/config.json", {"state": "enabled", "permissions": {"b": 2}})
    assert edited["sync/config.json"] == {
        "type": "flexible",
        "state": "enabled",
        "permissions": {"a": 1, "b": 2},
    }
    assert tree["sync/config.json"]["state"] == "disabled"
    added = apply_edit(tree, "data_sources/mongodb-atlas/db/coll/rules.json", {"roles": []})
    assert added["data_sources/mongodb-atlas/db/coll/rules.json"] == {"roles": []}


def test_apply_to_pull_puts_each_file_where_push_takes_it() -> None:
    pulled = {
        "name": "app",
        "sync": {"state": ""},
        "data_sources": [
            {"name": "mongodb-atlas", "type": "mongodb-atlas", "config": {}, "rules": []}
        ],
        "schemas": [],
    }
    synced = apply_to_pull(pulled, "/sync/config.json", {"state": "enabled"})
    assert synced["sync"] == {"state": "enabled"} and pulled["sync"] == {"state": ""}
    rules = apply_to_pull(pulled, "data_sources/mongodb-atlas/db/coll/rules.json", {"roles": []})
    assert rules["data_sources"][0]["rules"] == [
        {"database": "db", "collection": "coll", "roles": []}
    ]
    again = apply_to_pull(rules, "data_sources/mongodb-atlas/db/coll/rules.json", {"filters": []})
    assert again["data_sources"][0]["rules"] == [
        {"database": "db", "collection": "coll", "roles": [], "filters": []}
    ]
    schema = apply_to_pull(pulled, "data_sources/mongodb-atlas/db/coll/schema.json", {"title": "T"})
    assert schema["schemas"] == [
        {
            "metadata": {"data_source": "mongodb-atlas", "database": "db", "collection": "coll"},
            "schema": {"title": "T"},
        }
    ]
    assert apply_to_pull(pulled, "realm_config.json", {"environment": "qa"})["environment"] == "qa"
    assert locate("environments/production.json") == ("environments", "values", "production")
    with pytest.raises(EditError, match=r"config_files\.toml"):
        apply_to_pull(pulled, "auth/providers.json", {})


def test_a_list_file_takes_the_item_its_json_names() -> None:
    pulled = {"functions": [{"name": "a", "private": False}, {"name": "b", "private": False}]}
    edited = apply_to_pull(pulled, "functions/config.json", {"name": "b", "private": True})
    assert edited["functions"] == [
        {"name": "a", "private": False},
        {"name": "b", "private": True},
    ]
    added = apply_to_pull(pulled, "functions/config.json", {"name": "c"})
    assert added["functions"][-1] == {"name": "c"}
    with pytest.raises(EditError, match="must name its item by 'name'"):
        apply_to_pull(pulled, "functions/config.json", {"private": True})


def test_a_file_the_prose_means_is_named_by_the_json() -> None:
    text = "add a field to the top level of the Trigger  JSON definition:"
    assert named_in_prose(text, {"name": "steve", "disabled": True}) == "triggers/steve.json"
    assert named_in_prose(text, {"disabled": True}) is None
    assert named_in_prose("open the file", {"name": "steve"}) is None


@pytest.mark.parametrize("name", ["../secrets.json", "a/../../b.json", "sync/config.yaml", ""])
def test_apply_edit_keeps_files_inside_the_app(name: str) -> None:
    with pytest.raises(EditError):
        apply_edit({}, name, {})


# --- lint_code as Diagnostics ------------------------------------------------------------------


def test_lint_code_positions_are_doc_positions() -> None:
    code = "curl https://h/x \\\n  -h 'Authorization: Bearer t'"
    (finding,) = lint_code(code, "bash", "source/page.txt", 40, first_column=10)
    assert finding == Diagnostic(
        "source/page.txt",
        41,
        12,
        c.HELP_FLAG_AS_HEADER,
        Severity.ERROR,
        finding.message,
        "write -H (capital) before a header",
    )
    assert finding.format().startswith("source/page.txt:41:12: DH301")
    assert "-h is curl's help flag" in finding.format()


def test_lint_json_and_other_languages() -> None:
    assert codes_of('{"a": }', "json") == [c.JSON_DOES_NOT_PARSE]
    assert codes_of('{"a": }', "javascript") == []
    assert codes_of("realm-cli pull --remote x --bogus", "sh") == [c.UNKNOWN_CLI_FLAG]


def test_code_table() -> None:
    found = [entry.code for entry in CODE_CODES]
    assert found == sorted(set(found)) and all(code.startswith("DH3") for code in found)
    emitted = {
        value
        for name, value in vars(c).items()
        if name.isupper() and isinstance(value, str) and value.startswith("DH3")
    }
    assert emitted == set(found)


def test_every_cli_operation_is_in_the_spec(spec: SpecIndex) -> None:
    from harness.commands.cli import table

    named = {
        operation
        for command in table().commands.values()
        for operation in (*command.operations, *(o for _, _, ops in command.when for o in ops))
    }
    assert named and {o for o in named if spec.by_id(o) is None} == set()


_SHELLISH = st.text(
    alphabet=st.sampled_from(list("curl realm-cli push -X -H -h -d '\"\\\n<>{}$?&|;()[]=:/ab")),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(code=_SHELLISH, language=st.sampled_from(["shell", "json", "bash"]))
def test_lint_code_never_raises(code: str, language: str) -> None:
    for finding in lint_code(code, language, "p.txt", 1):
        assert finding.line >= 1 and finding.column >= 1


def test_plan_operations_are_spec_requests(spec: SpecIndex) -> None:
    from harness.commands.match import plan_operations

    push = plan_operations(translate("realm-cli import --remote=app-x"), spec)
    assert [(o.method, o.template) for o in push] == [
        ("GET", "/groups/{groupId}/apps"),
        ("PATCH", "/groups/{groupId}/apps/{appId}/push"),
        ("GET", "/groups/{groupId}/apps/{appId}/deployments"),
    ]
    pull = plan_operations(translate("appservices pull --remote=app-x"), spec)
    assert pull[-1].template == "/groups/{groupId}/apps/{appId}/pull"
    assert plan_operations(translate("realm-cli pull --bogus"), spec) == ()


def test_output_block_compared_with_an_answer() -> None:
    from harness.commands.output import output_mismatches

    shown = '{\n  "access_token": "<access_token>",\n  "user_id": "<user_id>",\n  ...\n}'
    assert output_mismatches(shown, {"access_token": "t", "user_id": "u", "extra": 1}) == []
    assert output_mismatches(shown, {"access_token": "secret-t"}) == [
        "$.user_id: shown on the page, missing from the answer"
    ]
    state = '{"state": "enabled", "count": <Number>, "items": [{"name": "a"}]}'
    answer = {"state": "enabled", "count": 3, "items": [{"name": "b"}, {"name": "a"}]}
    assert output_mismatches(state, answer) == []
    assert output_mismatches(state, {**answer, "state": "disabled"}) == [
        "$.state: the page shows 'enabled', the answer has another value"
    ]
    assert output_mismatches(state, {**answer, "items": [{"name": "b"}]}) == [
        "$.items[0]: no item of the answer matches the page's item"
    ]
    assert output_mismatches("Successfully pushed", {}) is None
    loose = '{"on": true|false, "when": { <JSON Expression> }, "n": <Number>}'
    assert output_mismatches(loose, {"on": False, "when": {"%%true": 1}, "n": 1}) == []
