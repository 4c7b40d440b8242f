"""A problem found in a code block, before it becomes a Diagnostic with the doc's path and line."""

from __future__ import annotations

from dataclasses import dataclass

from harness.commands.codes import severity_of
from harness.diagnostics import Severity


@dataclass(frozen=True)
class Problem:
    """A DH3xx problem at a 0-based line and column of the code block."""

    code: str
    line: int
    column: int
    message: str
    hint: str = ""

    @property
    def severity(self) -> Severity:
        return severity_of(self.code)
