"""A throw-away copy of the project, and the ``docharness`` command run in it as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Completed:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass(frozen=True)
class Project:
    root: Path

    def docharness(self, *args: str, env: dict[str, str] | None = None) -> Completed:
        """Run the real command in a child process, as a user would."""
        return self.python("-m", "harness", *args, env=env)

    def python(self, *args: str, env: dict[str, str] | None = None) -> Completed:
        """Run Python (``-m pytest ...``, ``-m harness ...``) in the project, in a child process."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_ATLAS_")}
        environ.update(env or {})
        done = subprocess.run(
            [sys.executable, *args],
            cwd=self.root,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return Completed(done.returncode, done.stdout, done.stderr)

    @property
    def seed(self) -> Path:
        return self.root / "docs/source/reference/terminating-and-reenabling-realm-sync.txt"


def page_project(root: Path, page: str, text: str, name: str) -> Project:
    """A project of one written page, with this repository's [tool.docharness] settings,
    its features extracted."""
    (root / page).parent.mkdir(parents=True, exist_ok=True)
    (root / "docs/snooty.toml").write_text(f'name = "{name}"\ntitle = "{name.title()}"\n')
    (root / page).write_text(text, encoding="utf-8")
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    project = Project(root)
    extracted = project.docharness("extract", "docs", "-o", "features")
    assert extracted.code == 0, extracted.output
    return project


def recorded_page_project(root: Path, page: str, text: str, name: str) -> Project:
    """:func:`page_project`, recorded against a local emulator (``run --record`` passes)."""
    project = page_project(root, page, text, name)
    done = project.docharness("run", "--record")
    assert done.code == 0, done.output
    return project


def copy_project(project: Project, root: Path) -> Project:
    """A copy of ``project`` that a test may edit."""
    shutil.copytree(project.root, root)
    return Project(root)


def step_results(project: Project) -> dict[int, dict[str, Any]]:
    """The steps of the last run's ``reports/results.json``, by their doc line."""
    results = json.loads((project.root / "reports/results.json").read_text(encoding="utf-8"))
    return {
        step["line"]: step
        for page in results["pages"]
        for procedure in page["procedures"]
        for step in procedure["steps"]
    }


def run_steps(project: Project, *args: str) -> tuple[int, dict[int, dict[str, Any]]]:
    """``docharness run ARGS`` (which must not fail to start) and its steps by doc line."""
    done = project.docharness("run", *args)
    assert done.code in (0, 1), done.output
    return done.code, step_results(project)
