"""A throw-away copy of the project, and the ``docharness`` command run in it as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


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
