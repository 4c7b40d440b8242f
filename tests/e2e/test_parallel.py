"""``docharness run -n 2`` (pytest-xdist workers) reports exactly what a serial run does."""

from __future__ import annotations

import json
from pathlib import Path

from e2e_project import Project

TIMING_KEYS = frozenset({"started", "finished", "duration_ms"})


def _without_timing(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [_without_timing(item) for item in value]
    return value


def _results(path: Path) -> object:
    return _without_timing(json.loads(path.read_text(encoding="utf-8")))


def test_replay_with_two_workers_gives_the_serial_results(project: Project) -> None:
    serial = project.docharness("run", "--replay", "--results", "serial/results.json")
    assert serial.code == 0, serial.output
    parallel = project.docharness("run", "--replay", "-n", "2", "--results", "two/results.json")
    assert parallel.code == 0, parallel.output
    expected = _results(project.root / "serial/results.json")
    assert _results(project.root / "two/results.json") == expected
    steps = [
        step
        for page in expected["pages"]  # type: ignore[index]
        for procedure in page["procedures"]
        for step in procedure["steps"]
    ]
    assert steps and {step["status"] for step in steps} >= {"verified"}
    assert _summary(parallel.stdout) == _summary(serial.stdout).replace("serial/", "two/")


def _summary(stdout: str) -> str:
    """docharness's own summary, after pytest's progress lines (which differ with -n)."""
    return stdout[stdout.index("docharness run (") :]
