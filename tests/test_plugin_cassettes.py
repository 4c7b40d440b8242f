"""Cassette pieces: scrubbing, stable ids, matching, and loading with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from vcr.request import Request

from harness.emulator import DEFAULT_APP_ID, DEFAULT_GROUP_ID
from harness.plugin.cassettes import (
    CassetteError,
    Scrubber,
    cassette_path,
    load_interactions,
    match_body,
    stable_ids,
    use_cassette,
)
from harness.plugin.features import doc_location, tag_values

REAL_GROUP = "aaaaaaaaaaaaaaaaaaaaaaaa"
REAL_APP = "bbbbbbbbbbbbbbbbbbbbbbbb"


def test_login_body_and_authorization_are_scrubbed() -> None:
    scrubber = Scrubber()
    body = json.dumps({"username": "pub-key", "apiKey": "very-secret"}).encode()
    request = Request(
        "POST",
        "http://127.0.0.1:1/api/admin/v3.0/auth/providers/mongodb-cloud/login",
        body,
        {"Authorization": "Bearer abc"},
    )
    cleaned = scrubber.request(request)
    assert "Authorization" not in cleaned.headers
    assert json.loads(cleaned.body) == {"username": "REDACTED", "apiKey": "REDACTED"}
    assert scrubber.secrets == {"very-secret"}
    # Filters run again on the already-scrubbed request; placeholders are no secrets.
    scrubber.request(cleaned)
    assert scrubber.secrets == {"very-secret"}


def test_tokens_in_answers_are_scrubbed_and_length_kept_right() -> None:
    scrubber = Scrubber()
    answer = json.dumps({"access_token": "tok-A", "refresh_token": "tok-R", "user_id": "u"})
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Length": ["999"], "Date": ["today"], "content-type": ["json"]},
        "body": {"string": answer.encode()},
    }
    cleaned = scrubber.response(response)
    payload = json.loads(cleaned["body"]["string"])
    assert payload["access_token"].startswith("REDACTED") and payload["user_id"] == "u"
    assert cleaned["headers"]["Content-Length"] == [str(len(cleaned["body"]["string"]))]
    assert "Date" not in cleaned["headers"]
    assert scrubber.secrets == {"tok-A", "tok-R"}


def test_tokens_nested_anywhere_in_an_answer_are_scrubbed() -> None:
    scrubber = Scrubber()
    answer = json.dumps([{"session": {"access_token": "tok-N", "password": "pw"}, "n": 1}])
    response = {"status": {"code": 200, "message": "OK"}, "body": {"string": answer.encode()}}
    payload = json.loads(scrubber.response(response)["body"]["string"])
    assert payload[0]["session"]["access_token"].startswith("REDACTED")
    assert payload[0]["session"]["password"].startswith("REDACTED") and payload[0]["n"] == 1
    assert scrubber.secrets == {"tok-N", "pw"}


def test_stable_ids_map_target_to_defaults_and_the_rest_in_order() -> None:
    other, another = "c" * 24, "d" * 24
    cassette = {
        "requests": [
            {"uri": f"https://h/groups/{REAL_GROUP}/apps/{REAL_APP}/x/{another}", "body": ""},
        ],
        "responses": [{"body": {"string": json.dumps({"_id": other, "next": another})}}],
    }
    mapping = stable_ids(cassette, REAL_GROUP, REAL_APP)
    assert mapping[REAL_GROUP] == DEFAULT_GROUP_ID
    assert mapping[REAL_APP] == DEFAULT_APP_ID
    assert mapping[another] == f"{1:024x}" and mapping[other] == f"{2:024x}"


def test_stable_ids_never_collide_with_ids_already_present() -> None:
    taken = f"{1:024x}"
    cassette = {
        "requests": [{"uri": f"https://h/{'e' * 24}/{taken}", "body": ""}],
        "responses": [],
    }
    mapping = stable_ids(cassette, REAL_GROUP, REAL_APP)
    assert len(set(mapping.values())) == len(mapping)
    assert mapping["e" * 24] != taken


def test_bodies_match_as_json_and_login_bodies_are_not_compared() -> None:
    def request(path: str, body: str) -> Request:
        return Request("POST", f"https://h{path}", body.encode(), {})

    match_body(request("/x", '{"a": 1, "b": 2}'), request("/x", '{"b": 2, "a": 1}'))
    with pytest.raises(AssertionError):
        match_body(request("/x", '{"a": 1}'), request("/x", '{"a": 2}'))
    login = "/api/admin/v3.0/auth/providers/mongodb-cloud/login"
    match_body(request(login, '{"apiKey": "x"}'), request(login, '{"apiKey": "y"}'))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\ninteractions: [\n  {request: [}\n", ":3: malformed cassette YAML"),
        ("- just a list\n", ":1: not a cassette"),
        ("interactions:\n- {request: {method: GET}}\n", "interaction 1 is malformed"),
    ],
)
def test_malformed_cassettes_name_the_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CassetteError, match=message):
        load_interactions(path)


def test_replay_without_a_recording_refuses_before_any_request(tmp_path: Path) -> None:
    with (
        pytest.raises(CassetteError, match="no recording for this scenario"),
        use_cassette(
            tmp_path / "none.yaml",
            record=False,
            scrubber=Scrubber(),
            group_id=DEFAULT_GROUP_ID,
            app_id=DEFAULT_APP_ID,
        ),
    ):
        pass


def test_replay_answers_from_the_recording_whatever_the_host(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "interactions": [
                    {
                        "request": {
                            "method": "GET",
                            "uri": "https://services.cloud.mongodb.com/api/admin/v3.0/ping",
                            "body": "",
                            "headers": {},
                        },
                        "response": {
                            "status": {"code": 200, "message": "OK"},
                            "headers": {"content-type": ["application/json"]},
                            "body": {"string": '{"ok": true}'},
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    scrubber = Scrubber()
    with use_cassette(
        path, record=False, scrubber=scrubber, group_id=DEFAULT_GROUP_ID, app_id=DEFAULT_APP_ID
    ):
        # Port 9 on loopback: nothing listens there, so only the recording can answer.
        answer = httpx.get("http://127.0.0.1:9/api/admin/v3.0/ping")
    assert answer.json() == {"ok": True}


def test_cassettes_are_named_by_scenario_id(tmp_path: Path) -> None:
    assert cassette_path(tmp_path, "reference/page/terminate-realm-sync") == (
        tmp_path / "reference/page/terminate-realm-sync.yaml"
    )


def test_doc_location_is_read_from_the_comment_above_a_step(tmp_path: Path) -> None:
    feature = tmp_path / "f.feature"
    feature.write_text(
        "Feature: F\n  Scenario: S\n    # source/a.txt:66\n    When click\n    Then done\n",
        encoding="utf-8",
    )
    location = doc_location(str(feature), 4)
    assert location is not None and (location.path, location.line) == ("source/a.txt", 66)
    assert doc_location(str(feature), 5) is None
    assert tag_values({"id:a/b", "label:x", "id:c"}, "id") == ["a/b", "c"]
