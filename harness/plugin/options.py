"""Command-line options, and the run's settings resolved from them once per session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from harness.config import MODES, ConfigError, ProjectConfig, is_loopback, read_project_config

if TYPE_CHECKING:  # imported when a run starts: pytest loads this module in every project
    from harness.catalog import Catalog
    from harness.emulator import Emulator
    from harness.plugin.known import KnownFinding
    from harness.results import ProcedureResult


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("docharness", "docharness: verify documented procedures")
    group.addoption(
        "--docharness-mode",
        choices=MODES,
        default="replay",
        help="replay cassettes offline (default), record them against --api-url, or run live",
    )
    group.addoption("--api-url", default="", help="Admin API base URL for record and live modes")
    group.addoption(
        "--docharness-reset",
        action="store_true",
        help="reset the local emulator at --api-url before each scenario",
    )
    group.addoption(
        "--allow-destructive",
        action="store_true",
        help="allow scenarios that change the app when --api-url is not on this machine",
    )
    group.addoption(
        "--allow-unbound",
        action="store_true",
        help="report steps no catalog entry matches without failing their scenario",
    )
    group.addoption(
        "--docharness-emulator",
        action="store_true",
        help="start a local Admin API emulator for the run (one per xdist worker) as --api-url",
    )
    group.addoption("--docharness-results", default="", help="results JSON path")
    group.addoption(
        "--docharness-record-failed",
        action="store_true",
        help="in record mode, also replace the cassettes of scenarios that failed",
    )
    group.addoption(
        "--docharness-no-reports",
        action="store_true",
        help="write results.json only, not the HTML, JUnit and cucumber reports beside it",
    )
    group.addoption(
        "--docharness-shard",
        default="",
        metavar="K/N",
        help="run only shard K of N: pages dealt to N shards, balanced by step count",
    )
    group.addoption(
        "--deploy-timeout", type=float, default=120.0, help="seconds to wait for a deployment"
    )


@dataclass
class RunSettings:
    """Everything a scenario needs from the session, resolved once."""

    mode: str
    api_url: str
    reset: bool
    allow_destructive: bool
    allow_unbound: bool
    deploy_timeout: float
    project: ProjectConfig
    catalog: Catalog
    results_path: Path
    started: str
    emulated: bool = False
    record_failed: bool = False  # replace a failed scenario's cassette too (else kept as it was)
    known: tuple[KnownFinding, ...] = ()  # the project's accepted findings (known-findings.toml)
    # page -> (feature file, result) of every scenario run so far
    procedures: dict[str, list[tuple[str, ProcedureResult]]] = field(default_factory=dict)

    @property
    def target_label(self) -> str:
        if self.mode == "replay":
            return "cassettes/"
        return "local emulator on 127.0.0.1" if self.emulated else self.api_url


SETTINGS = pytest.StashKey[RunSettings]()
EMULATOR: pytest.StashKey[Emulator] = pytest.StashKey()


def run_settings(config: pytest.Config) -> RunSettings:
    """The session's settings, resolved on first use (a started emulator included)."""
    if SETTINGS not in config.stash:
        from harness.catalog import CatalogError, load_catalog
        from harness.catalog.classify import RulesError, load_rules, use_rules
        from harness.plugin.known import KnownFindingsError, load_known_findings
        from harness.plugin.operations import OPERATIONS

        try:
            project = read_project_config(config.rootpath)
            use_rules(load_rules(project.rules) if project.rules else None)
            catalog = load_catalog(project.catalogs, frozenset(OPERATIONS))
            known = load_known_findings(project.docs, _shown(project.docs, config.rootpath))
        except (ConfigError, CatalogError, KnownFindingsError, RulesError) as error:
            raise pytest.UsageError(f"docharness: {error}") from None
        mode = config.getoption("docharness_mode")
        api_url = config.getoption("api_url").rstrip("/")
        reset = config.getoption("docharness_reset")
        if mode != "replay" and api_url:
            _check_target(api_url)
        if mode != "replay" and not api_url and config.getoption("docharness_emulator"):
            from harness.emulator import Emulator

            emulator = Emulator().start()
            config.stash[EMULATOR] = emulator
            api_url, reset = emulator.url, True
        if mode != "replay" and not api_url:
            raise pytest.UsageError(
                f"docharness: --docharness-mode={mode} needs --api-url or --docharness-emulator"
            )
        results = config.getoption("docharness_results")
        config.stash[SETTINGS] = RunSettings(
            mode=mode,
            api_url=api_url,
            reset=reset,
            allow_destructive=config.getoption("allow_destructive"),
            allow_unbound=config.getoption("allow_unbound"),
            deploy_timeout=config.getoption("deploy_timeout"),
            record_failed=config.getoption("docharness_record_failed"),
            known=known,
            project=project,
            catalog=catalog,
            results_path=Path(results) if results else project.reports / "results.json",
            started=now(),
            emulated=EMULATOR in config.stash,
        )
    return config.stash[SETTINGS]


def _shown(path: Path, root: Path) -> str:
    """``path`` as messages show it: relative to the run's root folder when below it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _check_target(api_url: str) -> None:
    """Stop the run before any scenario when the URL or the settings it needs are wrong."""
    import os
    from urllib.parse import urlsplit

    from harness.adminapi import ConfigurationError
    from harness.adminapi.settings import from_env

    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise pytest.UsageError(
            f"docharness: --api-url {api_url!r} is not an http(s) URL, e.g. "
            "https://services.cloud.mongodb.com/api/admin/v3.0"
        )
    # The same rule as the scenario's client: a loopback emulator may go without keys.
    if is_loopback(api_url) and not os.environ.get("MONGODB_ATLAS_PRIVATE_API_KEY"):
        return
    try:
        from_env(os.environ, base_url=api_url)
    except ConfigurationError as error:
        raise pytest.UsageError(f"docharness: {error}") from None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
