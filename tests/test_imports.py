"""What each entry point imports: the commands that read docs, and pytest runs that never
collect a docharness feature, must not pay for the runner's heavy dependencies."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from harness.cli import COMMANDS, cli
from harness.gherkin import GENERATED_MARK
from harness.plugin import _GENERATED_MARK

HEAVY = ("openapi_core", "starlette", "uvicorn", "vcr", "pytest", "pytest_bdd", "httpx")

_PROBE = """
import json, sys
from harness.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as done:
    code = done.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
print("LOADED=" + json.dumps(heavy))
"""


def _loaded_by(args: list[str], cwd: Path, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    probe = _PROBE.replace("HEAVY", repr(json.dumps(heavy)))
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    marker = [line for line in done.stdout.splitlines() if line.startswith("LOADED=")]
    assert marker, done.stdout + done.stderr
    loaded: list[str] = json.loads(marker[-1][len("LOADED=") :])
    return loaded


@pytest.fixture
def docs_project(tmp_path: Path, repo_root: Path) -> Path:
    shutil.copytree(repo_root / "docs", tmp_path / "docs")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["extract", "docs", "-o", "features"],
        ["extract", "docs", "-o", "features", "--check"],
        ["lint", "docs"],
        ["lint", "--codes"],
    ],
    ids=lambda args: " ".join(args),
)
def test_reading_commands_never_import_the_runner(args: list[str], docs_project: Path) -> None:
    assert _loaded_by(args, docs_project) == []


def test_the_probe_sees_a_heavy_import(docs_project: Path) -> None:
    """The check above can fail: ``run --help`` loads pytest, and the probe notices."""
    assert "pytest" in _loaded_by(["run", "--help"], docs_project)


def test_pytest_without_docharness_features_loads_nothing_heavy(tmp_path: Path) -> None:
    """The pytest11 plugin costs projects that never use it almost nothing."""
    forbidden = ("openapi_core", "starlette", "uvicorn", "vcr", "httpx", "harness.plugin.active")
    (tmp_path / "test_light.py").write_text(
        "import sys\n\n\n"
        "def test_light():\n"
        f"    loaded = [m for m in {forbidden!r} if m in sys.modules]\n"
        "    assert 'harness.plugin' in sys.modules\n"
        "    assert loaded == []\n",
        encoding="utf-8",
    )
    (tmp_path / "hand.feature").write_text("Feature: someone else's\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_plugin_knows_the_generated_mark() -> None:
    assert GENERATED_MARK.encode("utf-8") == _GENERATED_MARK


def test_help_lists_each_command_with_its_own_short_help() -> None:
    context = click.Context(cli)
    for name, (_, _, short_help) in COMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None
        assert command.name == name
        assert command.get_short_help_str(limit=60) == short_help


def test_the_emulator_serves_without_loading_the_spec_validator() -> None:
    """openapi-core (about a second of imports) loads only when an interaction is checked
    against the spec, never to start the emulator and answer a request."""
    probe = (
        "import sys, httpx\n"
        "from harness.emulator import Emulator\n"
        "emulator = Emulator().start()\n"
        "try:\n"
        "    answer = httpx.get(emulator.url + '/groups/g/apps')\n"
        "finally:\n"
        "    emulator.stop()\n"
        "print('STATUS', answer.status_code, 'openapi_core' in sys.modules)\n"
        "from harness.emulator.contract import validate_interaction\n"
        "from harness.emulator.openapi import spec\n"
        "validate_interaction(spec(), 'GET', '/groups/g/apps', 200, None, '[]')\n"
        "print('AFTER', 'openapi_core' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.split()
    assert lines[lines.index("STATUS") + 2] == "False", done.stdout
    assert lines[lines.index("AFTER") + 1] == "True", done.stdout  # the probe can tell


def test_a_run_on_current_features_never_imports_docutils(tmp_path: Path, repo_root: Path) -> None:
    """The freshness check replays the manifest `extract` left: no page is parsed again."""
    for name in ("docs", "features", "cassettes"):
        shutil.copytree(repo_root / name, tmp_path / name)
    shutil.copy(repo_root / "pyproject.toml", tmp_path / "pyproject.toml")
    extract = [sys.executable, "-m", "harness", "extract"]
    done = subprocess.run(extract, cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    args = ["run", "--replay", "-q", "--results", str(tmp_path / "r/results.json")]
    assert _loaded_by(args, tmp_path, ("docutils", "multiprocessing")) == []
    (tmp_path / ".docharness-cache").rename(tmp_path / "elsewhere")  # the probe can tell
    assert _loaded_by(args, tmp_path, ("docutils",)) == ["docutils"]
