"""The committed recordings: complete, secret-free, and true to the official spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from harness.emulator.contract import load_spec, validate_interaction
from harness.gherkin import is_generated
from harness.plugin.cassettes import cassette_path

REPO_ROOT = Path(__file__).resolve().parent.parent
CASSETTES = sorted((REPO_ROOT / "cassettes").rglob("*.yaml"))


def _scenario_ids() -> list[str]:
    ids = []
    for feature in sorted((REPO_ROOT / "features").rglob("*.feature")):
        assert is_generated(feature), feature
        for line in feature.read_text(encoding="utf-8").splitlines():
            for tag in line.split():
                if tag.startswith("@id:"):
                    ids.append(tag[len("@id:") :])
    return ids


def test_every_scenario_has_a_recording_and_every_recording_a_scenario() -> None:
    ids = _scenario_ids()
    assert ids, "features/ holds no scenarios"
    expected = {cassette_path(REPO_ROOT / "cassettes", i) for i in ids}
    assert expected == set(CASSETTES)


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_recording_validates_against_the_official_spec(path: Path, shared_dir: Path) -> None:
    spec = load_spec(shared_dir / "openapi" / "admin-v3.yaml")
    interactions = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]
    problems = []
    for number, interaction in enumerate(interactions, start=1):
        request, response = interaction["request"], interaction["response"]
        headers = {k.lower(): v[0] for k, v in response.get("headers", {}).items()}
        for problem in validate_interaction(
            spec,
            request["method"],
            request["uri"],
            response["status"]["code"],
            request.get("body") or None,
            response["body"]["string"] or None,
            headers.get("content-type", "application/json"),
            response_headers=headers,
        ):
            problems.append(f"interaction {number} {request['method']} {request['uri']}: {problem}")
    assert problems == []


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_recording_holds_no_credentials(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "Bearer" not in text and "uthorization" not in text
    for interaction in yaml.safe_load(text)["interactions"]:
        body = interaction["request"].get("body") or ""
        if "apiKey" in body:
            assert json.loads(body) == {"username": "REDACTED", "apiKey": "REDACTED"}
        answer = interaction["response"]["body"]["string"]
        if "_token" in answer:
            tokens = json.loads(answer)
            assert all(
                str(tokens[k]).startswith("REDACTED")
                for k in ("access_token", "refresh_token")
                if k in tokens
            )
