"""The committed recordings: complete, secret-free, and true to the official spec."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from harness.cli import cli
from harness.plugin.audit import audit, scenario_ids

REPO_ROOT = Path(__file__).resolve().parent.parent
FEATURES = REPO_ROOT / "features"
CASSETTES = REPO_ROOT / "cassettes"


def test_committed_recordings_pass_the_audit_against_the_official_spec(shared_dir: Path) -> None:
    assert len(scenario_ids(FEATURES)) == len(list(CASSETTES.rglob("*.yaml"))) > 0
    assert audit(FEATURES, CASSETTES, shared_dir / "openapi" / "admin-v3.yaml") == []


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    features, cassettes = tmp_path / "features", tmp_path / "cassettes"
    shutil.copytree(FEATURES, features)
    shutil.copytree(CASSETTES, cassettes)
    return features, cassettes


def test_audit_finds_missing_and_orphan_recordings(tmp_path: Path) -> None:
    features, cassettes = _copy(tmp_path)
    [first, *_] = sorted(cassettes.rglob("*.yaml"))
    first.rename(cassettes / "stray.yaml")
    messages = [f.message for f in audit(features, cassettes)]
    assert any(m.startswith("missing: no recording for scenario") for m in messages)
    assert "orphan: no scenario in the features has this id" in messages


def test_audit_finds_a_recorded_token(tmp_path: Path) -> None:
    features, cassettes = _copy(tmp_path)
    [first, *_] = sorted(cassettes.rglob("*.yaml"))
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    login = data["interactions"][0]["response"]["body"]
    login["string"] = json.dumps({**json.loads(login["string"]), "access_token": "eyJreal"})
    first.write_text(yaml.safe_dump(data), encoding="utf-8")
    [finding] = audit(features, cassettes)
    assert (finding.path, finding.interaction) == (str(first), 1)
    assert "token was recorded" in finding.message


def test_audit_finds_an_api_key_left_in_a_login_body(tmp_path: Path) -> None:
    features, cassettes = _copy(tmp_path)
    [first, *_] = sorted(cassettes.rglob("*.yaml"))
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    login = data["interactions"][0]["request"]
    login["body"] = json.dumps({"username": "REDACTED", "apiKey": "ab12cd34-0000-4000-8000-ef56"})
    first.write_text(yaml.safe_dump(data), encoding="utf-8")
    findings = audit(features, cassettes)
    assert [(f.interaction, f.message) for f in findings] == [
        (1, "a credential was recorded in the request (apiKey)"),
        (1, "a login body keeps apiKey"),
    ]


def test_audit_finds_a_token_nested_in_an_answer(tmp_path: Path) -> None:
    features, cassettes = _copy(tmp_path)
    [first, *_] = sorted(cassettes.rglob("*.yaml"))
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    answer = data["interactions"][-1]["response"]["body"]
    answer["string"] = json.dumps([{"_id": "x", "meta": {"refresh_token": "eyJreal"}}])
    first.write_text(yaml.safe_dump(data), encoding="utf-8")
    [finding] = audit(features, cassettes)
    assert finding.interaction == len(data["interactions"])
    assert finding.message == "a token was recorded in the answer ([0].meta.refresh_token)"


def test_audit_finds_an_answer_the_spec_forbids(tmp_path: Path, shared_dir: Path) -> None:
    features, cassettes = _copy(tmp_path)
    [first, *_] = sorted(cassettes.rglob("*.yaml"))
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    number, deployment = next(
        (n, i)
        for n, i in enumerate(data["interactions"], 1)
        if "/deployments/" in i["request"]["uri"]
    )
    deployment["response"]["body"]["string"] = json.dumps({"_id": 5, "status": "successful"})
    first.write_text(yaml.safe_dump(data), encoding="utf-8")
    findings = audit(features, cassettes, shared_dir / "openapi" / "admin-v3.yaml")
    assert [(f.path, f.interaction) for f in findings] == [(str(first), number)]
    assert "_id" in findings[0].message


def test_cassettes_command_exit_codes(tmp_path: Path, shared_dir: Path) -> None:
    features, cassettes = _copy(tmp_path)
    runner = CliRunner()
    spec = str(shared_dir / "openapi" / "admin-v3.yaml")
    args = ["cassettes", "--features", str(features), "--cassettes", str(cassettes)]
    assert runner.invoke(cli, [*args, "--spec", spec]).exit_code == 0
    next(cassettes.rglob("*.yaml")).write_text("interactions: [", encoding="utf-8")
    done = runner.invoke(cli, args)
    assert done.exit_code == 1
    assert "malformed cassette YAML" in done.output
