"""Diagnostics shared by every pipeline stage.

A diagnostic always names a file and a line so that a docs writer can jump to
it; stages report problems as values instead of raising, and only the CLI
decides what ends a run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in a documentation project, anchored to ``path:line:column``."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    hint: str = ""

    def format(self) -> str:
        """The ``path:line:col: CODE message`` form editors and CI understand."""
        text = f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
