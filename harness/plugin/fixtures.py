"""The fixtures a scenario runs in: its client, its cassette, its preconditions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.adminapi import AdminClient, ConfigurationError, Credentials, RetryPolicy, Target
from harness.adminapi.session import tls_context
from harness.catalog import Bound, bind
from harness.config import is_loopback
from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
)
from harness.plugin.cassettes import (
    CANONICAL_ORIGIN,
    CassetteError,
    Scrubber,
    cassette_path,
    keep_recording,
    recording_path,
    use_cassette,
)
from harness.plugin.code_steps import changes_app as code_changes_app
from harness.plugin.collect import relative, scenario_info
from harness.plugin.features import tag_values
from harness.plugin.operations import OPERATIONS, ScenarioState
from harness.plugin.options import RunSettings, run_settings
from harness.plugin.scenario import ScenarioInfo, ScenarioRun

REPLAY_BASE_URL = f"{CANONICAL_ORIGIN}/api/admin/v3.0"


def _client(settings: RunSettings, run: list[ScenarioRun]) -> AdminClient:
    def hook(exchange: Any) -> None:
        if run:
            run[0].on_exchange(exchange)

    if settings.mode == "replay":
        target = Target(DEFAULT_GROUP_ID, DEFAULT_APP_ID, REPLAY_BASE_URL)
        credentials = Credentials("replay-public-key", "replay-private-key")
        return AdminClient(target, credentials, sleep=lambda _: None, on_exchange=hook)
    if is_loopback(settings.api_url) and not os.environ.get("MONGODB_ATLAS_PRIVATE_API_KEY"):
        target = Target(DEFAULT_GROUP_ID, DEFAULT_APP_ID, settings.api_url)
        credentials = Credentials(DEFAULT_PUBLIC_KEY, DEFAULT_PRIVATE_KEY)
    else:
        target = Target.from_env(os.environ, base_url=settings.api_url)
        credentials = Credentials.from_env(os.environ)
    return AdminClient(target, credentials, retry=RetryPolicy(), on_exchange=hook)


def _reset_emulator(api_url: str) -> None:
    origin = api_url.split("/api/admin/", 1)[0]
    try:
        response = httpx.post(f"{origin}/__emulator/reset", timeout=10, verify=tls_context())
    except httpx.HTTPError as error:
        raise SetupRefused(f"cannot reset the emulator at {origin}: {error}") from None
    if response.status_code >= 300:
        raise SetupRefused(f"cannot reset the emulator at {origin}: HTTP {response.status_code}")


def _refuse_destructive(info: ScenarioInfo, settings: RunSettings) -> None:
    changing = []
    for ref in info.steps:
        binding = bind(settings.catalog, ref.text, ref.kind, info.tags)
        operation = binding.entry.operation if isinstance(binding, Bound) else ""
        if (operation and OPERATIONS[operation].changes_app) or code_changes_app(info, ref):
            changing.append(f"{ref.doc_path}:{ref.doc_line}")
    for precondition in settings.catalog.preconditions_for(info.tags):
        if precondition.establish and OPERATIONS[precondition.establish].changes_app:
            changing.append(f"precondition {precondition.id}")
    if changing:
        raise SetupRefused(
            f"refusing to run {info.id!r} against {settings.api_url}: it changes the app "
            f"({', '.join(changing)}). Pass --allow-destructive to run it against this app."
        )


@pytest.fixture
def docharness_scenario(request: pytest.FixtureRequest) -> Iterator[ScenarioRun]:
    """The run of the current scenario, inside its cassette (replay/record) if any."""
    settings = run_settings(request.config)
    info = scenario_info(request.node, settings)
    holder: list[ScenarioRun] = []
    feature = str(relative(info.feature_file))
    try:
        client = _client(settings, holder)
    except ConfigurationError as error:
        raise pytest.UsageError(f"docharness: {error}") from None
    state = ScenarioState(
        client=client,
        deploy_timeout=settings.deploy_timeout,
        # A deployment on this machine (the emulator) is done in milliseconds.
        poll_interval=0.001 if settings.mode == "replay" else _poll_interval(settings.api_url),
    )
    run = ScenarioRun(
        info, settings.catalog, state, allow_unbound=settings.allow_unbound, known=settings.known
    )
    holder.append(run)
    try:
        remote = settings.mode != "replay" and not is_loopback(settings.api_url)
        if remote and not settings.allow_destructive:
            _refuse_destructive(info, settings)
        if settings.reset and settings.mode != "replay":
            _reset_emulator(settings.api_url)
        path = cassette_path(settings.project.cassettes, info.id)
        recording = path
        if settings.mode == "record":  # recorded beside the cassette, which stays until it passed
            recording = recording_path(path)
            recording.unlink(missing_ok=True)
        with client, _cassette(settings, recording, client):
            run.establish_preconditions(settings.catalog.preconditions_for(info.tags))
            try:
                yield run
            finally:
                # A replay that failed has no recorded answers for the cleanup it would send.
                if settings.mode != "replay" or not run.failed:
                    run.cleanup()
        if settings.mode == "record":
            passed = run.result(feature).passes(settings.allow_unbound)
            # A failed recording never replaces a good one; with no cassette yet it is the only
            # record of what the product answered, and replay reports the same failure from it.
            first = not path.exists()
            keep_recording(recording, path, keep=passed or first or settings.record_failed)
    except (SetupRefused, CassetteError) as error:
        run.setup_failed(str(error))
        refused = str(error)
    else:
        refused = ""
    finally:
        page = (tag_values(info.tags, "page") or [info.feature_file.stem])[0]
        settings.procedures.setdefault(page, []).append((feature, run.result(feature)))
    if refused:
        pytest.fail(refused, pytrace=False)  # outside the except: the reason is shown once


def _poll_interval(api_url: str) -> float:
    return 0.02 if is_loopback(api_url) else 0.2


class SetupRefused(Exception):
    """The scenario must not run here (it would change a real app, or the emulator is gone)."""


def _cassette(
    settings: RunSettings, path: Path, client: AdminClient
) -> AbstractContextManager[Any]:
    if settings.mode == "live":
        return nullcontext()
    return use_cassette(
        path,
        record=settings.mode == "record",
        scrubber=Scrubber(),
        group_id=client.target.group_id,
        app_id=client.target.app_id,
    )


@pytest.fixture
def docharness_mode(request: pytest.FixtureRequest) -> str:
    """replay, record or live: for step definitions a project adds of its own."""
    return run_settings(request.config).mode


@pytest.fixture
def docharness_client(docharness_scenario: ScenarioRun) -> AdminClient:
    """The scenario's Admin API client (recording or live), for a project's own steps."""
    return docharness_scenario.state.client
