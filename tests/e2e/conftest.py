"""A throw-away copy of the project for whole runs of the ``docharness`` command."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from e2e_project import Project

from harness.emulator import Emulator, Faults

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """docs/, features/, cassettes/ and pyproject.toml copied from the repository."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("docs", "features", "cassettes"):
        shutil.copytree(REPO_ROOT / name, root / name)
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    return Project(root)


@pytest.fixture
def emulator_with() -> Iterator[Callable[..., Emulator]]:
    """Start emulators with faults; all are stopped after the test."""
    started: list[Emulator] = []

    def start(**faults: object) -> Emulator:
        emulator = Emulator(faults=Faults(**faults)).start()  # type: ignore[arg-type]
        # Faults' fields are typed; a wrong name or value fails here, loudly.
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()
