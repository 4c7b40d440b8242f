"""Gather every scenario's result into results.json (across xdist workers too)."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import pytest

from harness import __version__
from harness.gherkin import GENERATED_MARK
from harness.plugin.collect import relative
from harness.plugin.options import SETTINGS, RunSettings, now, run_settings
from harness.results import PageResult, RunInfo, RunResult, dumps, loads, save


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write results.json when scenarios ran; an xdist worker hands its part to the controller."""
    config = session.config
    if SETTINGS not in config.stash or not config.stash[SETTINGS].procedures:
        return
    settings = config.stash[SETTINGS]
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["docharness_results"] = dumps(build_results(settings))
        return
    save(build_results(settings), settings.results_path)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: gather a worker's results into this run's."""
    part = getattr(node, "workeroutput", {}).get("docharness_results")
    if not part:
        return
    settings = run_settings(node.config)
    for page in loads(part, "xdist worker results").pages:
        for procedure in page.procedures:
            settings.procedures.setdefault(page.page, []).append((procedure.feature, procedure))


def build_results(settings: RunSettings) -> RunResult:
    pages = []
    for page in sorted(settings.procedures):
        entries = settings.procedures[page]
        feature_path = Path(entries[0][0])
        source, title = _feature_header(feature_path)
        docs = relative(settings.project.docs)
        pages.append(
            PageResult(
                page=page,
                path=str(docs / source) if source else str(feature_path),
                title=title,
                procedures=tuple(sorted((p for _, p in entries), key=lambda p: p.feature_line)),
            )
        )
    return RunResult(
        run=RunInfo(
            mode=settings.mode,
            target=settings.target_label,
            started=settings.started,
            finished=now(),
            allow_unbound=settings.allow_unbound,
            known_unused=_known_unused(settings),
            versions={
                "docharness": __version__,
                "python": platform.python_version(),
                "pytest": pytest.__version__,
            },
        ),
        pages=tuple(pages),
    )


def _known_unused(settings: RunSettings) -> tuple[str, ...]:
    """Known-findings entries for a file this run checked that accepted no failure."""
    steps = [
        step
        for entries in settings.procedures.values()
        for _, procedure in entries
        for step in procedure.steps
    ]
    checked = {Path(step.path).resolve() for step in steps}
    used = {step.known for step in steps}
    return tuple(k.source for k in settings.known if k.path in checked and k.source not in used)


def _feature_header(feature_file: Path) -> tuple[str, str]:
    """(doc source path, feature title) from a generated feature's header."""
    source, title = "", feature_file.stem
    try:
        lines = feature_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return source, title
    for line in lines[:6]:
        if line.startswith(GENERATED_MARK + " from "):
            source = line[len(GENERATED_MARK + " from ") :].strip()
        elif line.strip().startswith("Feature:"):
            title = line.split(":", 1)[1].strip()
    return source, title
