"""Diagnostics shared by every pipeline stage.

A diagnostic always names a file and a line so that a docs writer can jump to
it; stages report problems as values instead of raising, and only the CLI
decides what ends a run.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
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
        """``path:line:col: CODE severity: message``, the form editors and CI understand."""
        text = f"{self.path}:{self.line}:{self.column}: {self.code} {self.severity.value}: "
        text += self.message
        return f"{text} (hint: {self.hint})" if self.hint else text

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def chosen(
    diagnostics: Iterable[Diagnostic],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    notices: bool = False,
) -> list[Diagnostic]:
    """The diagnostics a command shows: codes by prefix (``DH1`` selects DH101-DH199),
    ``select`` first (empty: all), then ``ignore``; notices (info severity, such as
    docutils' duplicate-target notes) only when asked for or selected by code."""
    selected = tuple(code.strip().upper() for code in select if code.strip())
    ignored = tuple(code.strip().upper() for code in ignore if code.strip())
    shown = []
    for diagnostic in diagnostics:
        named = bool(selected) and diagnostic.code.startswith(selected)
        if selected and not named:
            continue
        if ignored and diagnostic.code.startswith(ignored):
            continue
        if diagnostic.severity is Severity.INFO and not (notices or named):
            continue
        shown.append(diagnostic)
    return shown
