"""Whole runs of ``docharness run``: replay, live, and a product or page that changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from e2e_project import Project

from harness.adminapi import AdminClient, Credentials, Target
from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Emulator,
)

SEED = "docs/source/reference/terminating-and-reenabling-realm-sync.txt"
GET_STARTED = "docs/source/includes/steps-enable-sync-ui.yaml"  # the real page's procedure


def _results(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (project.root / "reports/results.json").read_text(encoding="utf-8")
    )
    return data


def _procedure(project: Project, title: str) -> dict[str, Any]:
    for page in _results(project)["pages"]:
        for procedure in page["procedures"]:
            if procedure["title"] == title:
                return dict(procedure)
    raise AssertionError(f"no procedure {title!r} in results.json")


def _steps(project: Project, title: str) -> list[dict[str, Any]]:
    return list(_procedure(project, title)["steps"])


def test_replay_passes_both_seed_scenarios_offline(project: Project) -> None:
    done = project.docharness("run")
    assert done.code == 0, done.output
    assert "Terminate Realm Sync: passed" in done.stdout
    assert "Re-enable Realm Sync: passed, but for a known finding" in done.stdout
    steps = _steps(project, "Terminate Realm Sync")
    assert [(s["line"], s["status"]) for s in steps] == [
        (66, "ui-only"),
        (71, "verified"),
        (78, "verified"),
        (84, "verified"),
        (90, "verified"),
    ]
    assert {s["path"] for s in steps} == {SEED}
    reenable = _steps(project, "Re-enable Realm Sync")
    assert {s["path"] for s in reenable} == {GET_STARTED}
    # The real page ends in client SDK code and never deploys what it staged (a known finding).
    assert reenable[-1]["status"] == "external"
    assert [(s["line"], s["known"]) for s in reenable if s["status"] == "failed"] == [
        (37, "docs/known-findings.toml:10")
    ]


def test_live_run_starts_and_passes_against_the_local_emulator(project: Project) -> None:
    done = project.docharness("run", "--live")
    assert done.code == 0, done.output
    assert "local Admin API emulator on 127.0.0.1" in done.stderr
    assert "Terminate Realm Sync: passed" in done.stdout
    assert "Re-enable Realm Sync: passed, but for a known finding" in done.stdout


def test_renamed_button_fails_naming_page_and_line_66(project: Project) -> None:
    text = project.seed.read_text(encoding="utf-8")
    project.seed.write_text(
        text.replace(":guilabel:`Terminate Sync` button.", ":guilabel:`Disable Sync` button.", 1),
        encoding="utf-8",
    )
    extracted = project.docharness("extract", "docs", "-o", "features")
    assert extracted.code == 0, extracted.output
    done = project.docharness("run", "--live", "-k", "terminate")
    assert done.code == 1, done.output
    assert f"{SEED}:66: unbound" in done.stdout
    assert '"Disable Sync"' in done.output
    assert "Traceback" not in done.output
    assert next(s["status"] for s in _steps(project, "Terminate Realm Sync")) == "unbound"


def test_failed_precondition_skips_every_step_that_would_change_the_app(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    emulator = emulator_with(sync_terminated=True)
    done = project.docharness("run", "--live", "--api-url", emulator.url, "-k", "terminate")
    assert done.code == 1, done.output
    procedure = _procedure(project, "Terminate Realm Sync")
    precondition = procedure["preconditions"][0]
    assert precondition["status"] == "failed" and "sync state is ''" in precondition["error"]
    assert f"{SEED}:66: failed" in done.stdout  # preconditions stand at the first step's line
    statuses = [(s["line"], s["status"]) for s in procedure["steps"]]
    assert statuses == [
        (66, "ui-only"),
        (71, "skipped"),
        (78, "skipped"),
        (84, "skipped"),
        (90, "skipped"),
    ]
    assert "would change the app" in procedure["steps"][1]["reason"]
    assert not [c for s in procedure["steps"] for c in s["calls"] if c["method"] != "GET"]
    assert "Traceback" not in done.output


def _open_drafts(emulator: Emulator) -> list[str]:
    target = Target(DEFAULT_GROUP_ID, DEFAULT_APP_ID, emulator.url)
    with AdminClient(target, Credentials(DEFAULT_PUBLIC_KEY, DEFAULT_PRIVATE_KEY)) as client:
        return [draft.id for draft in client.list_drafts()]


def test_failed_deploy_reports_server_message_and_discards_the_draft(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    emulator = emulator_with(fail_deploys="cluster Cluster0 is paused")
    done = project.docharness("run", "--live", "--api-url", emulator.url, "-k", "terminate")
    assert done.code == 1, done.output
    assert f"{SEED}:84: failed" in done.stdout
    assert "cluster Cluster0 is paused" in done.stdout
    assert _open_drafts(emulator) == []


def test_expiring_tokens_throttling_and_outages_are_survived(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    emulator = emulator_with(token_ttl_seconds=0.05, throttle_next=2, unavailable_next=2)
    done = project.docharness("run", "--live", "--api-url", emulator.url, "-k", "terminate")
    assert done.code == 0, done.output
    procedure = _procedure(project, "Terminate Realm Sync")
    calls = [c for s in procedure["preconditions"] + procedure["steps"] for c in s["calls"]]
    statuses = [c["status"] for c in calls]
    assert 429 in statuses and 503 in statuses
    assert any(c["path"] == "/auth/session" for c in calls)


def test_deployment_that_never_finishes_hits_the_poll_bound(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    emulator = emulator_with(stall_deployments=True)
    done = project.docharness(
        "run", "--live", "--api-url", emulator.url, "-k", "terminate", "--deploy-timeout", "1"
    )
    assert done.code == 1, done.output
    assert f"{SEED}:84: failed" in done.stdout
    assert "pending" in done.stdout
    assert "Traceback" not in done.output


def test_recording_keeps_keys_and_tokens_out_of_every_cassette(project: Project) -> None:
    recorded = project.root / "cassettes"
    for old in recorded.rglob("*.yaml"):
        old.unlink()
    done = project.docharness("run", "--record")
    assert done.code == 0, done.output
    files = sorted(recorded.rglob("*.yaml"))
    assert len(files) == 3
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert DEFAULT_PRIVATE_KEY not in text and DEFAULT_PUBLIC_KEY not in text
        assert "Bearer" not in text and "uthorization" not in text
        for interaction in yaml.safe_load(text)["interactions"]:
            body = interaction["response"]["body"]["string"]
            if "token" in body:
                tokens = json.loads(body)
                for key in ("access_token", "refresh_token"):
                    assert tokens.get(key, "REDACTED").startswith("REDACTED"), path
            length = interaction["response"]["headers"].get("Content-Length")
            if length:
                assert int(length[0]) == len(body.encode()), path
    # What was recorded replays, and recording again writes the same bytes.
    assert project.docharness("run").code == 0
    first = {path: path.read_bytes() for path in files}
    assert project.docharness("run", "--record").code == 0
    assert {path: path.read_bytes() for path in sorted(recorded.rglob("*.yaml"))} == first


def test_live_run_against_a_remote_app_refuses_to_change_it(project: Project) -> None:
    env = {
        "MONGODB_ATLAS_PUBLIC_API_KEY": "pub",
        "MONGODB_ATLAS_PRIVATE_API_KEY": "not-a-real-key",
        "DOCHARNESS_GROUP_ID": DEFAULT_GROUP_ID,
        "DOCHARNESS_APP_ID": DEFAULT_APP_ID,
    }
    remote = "https://admin.example.test/api/admin/v3.0"
    done = project.docharness("run", "--live", "--api-url", remote, env=env)
    assert done.code == 1, done.output
    assert "refusing to run" in done.output and "--allow-destructive" in done.output
    assert "not-a-real-key" not in done.output
    for title in ("Terminate Realm Sync", "Re-enable Realm Sync"):
        procedure = _procedure(project, title)
        assert procedure["preconditions"][-1]["status"] == "failed"
        assert {s["status"] for s in procedure["steps"]} == {"skipped"}


def test_missing_recording_fails_clearly(project: Project) -> None:
    cassette = project.root / "cassettes/reference/terminating-and-reenabling-realm-sync"
    (cassette / "terminate-realm-sync.yaml").unlink()
    done = project.docharness("run", "-k", "terminate")
    assert done.code == 1
    assert "no recording for this scenario" in done.output
    assert "Traceback" not in done.output


def test_malformed_cassette_names_file_and_line(project: Project) -> None:
    cassette = (
        project.root
        / "cassettes/reference/terminating-and-reenabling-realm-sync/terminate-realm-sync.yaml"
    )
    lines = cassette.read_text(encoding="utf-8").splitlines()
    lines[5] = "  this: [is not: closed"
    cassette.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = project.docharness("run", "-k", "terminate")
    assert done.code == 1
    assert "terminate-realm-sync.yaml:" in done.output
    assert "malformed cassette YAML" in done.output
    assert "Traceback" not in done.output


def test_replay_fails_when_the_product_is_asked_something_unrecorded(project: Project) -> None:
    cassette = (
        project.root
        / "cassettes/reference/terminating-and-reenabling-realm-sync/terminate-realm-sync.yaml"
    )
    data = yaml.safe_load(cassette.read_text(encoding="utf-8"))
    data["interactions"] = [
        i for i in data["interactions"] if not i["request"]["uri"].endswith("/diff")
    ]
    cassette.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = project.docharness("run", "-k", "terminate")
    assert done.code == 1
    assert f"{SEED}:78: failed" in done.stdout
    assert "re-record" in done.stdout


def test_no_features_is_a_usage_error(project: Project, tmp_path: Path) -> None:
    done = project.docharness("run", str(tmp_path / "nowhere"))
    assert done.code == 2
    assert "no such features path" in done.stderr
