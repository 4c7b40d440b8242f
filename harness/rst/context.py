"""The state one page's parse shares with the dialect's directives and roles.

docutils hands directives and roles the document, not our objects; the context
rides on the document (``document.snooty``) so that they can report
diagnostics and read the project without globals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.diagnostics import Diagnostic, Severity
from harness.rst.giza import GizaReader
from harness.rst.project import Project

# Reads an include: its lines (constants substituted) and the problems found doing so.
IncludeReader = Callable[[Path], tuple[list[str], tuple[Diagnostic, ...]]]


@dataclass
class ParseContext:
    """Mutable while one page is parsed; dropped once the ParsedPage is built."""

    project: Project
    page: str  # page path relative to source/, without extension
    read_include: IncludeReader
    giza: GizaReader | None = None  # generated includes (steps-*.yaml, extracts-*.yaml)
    default_domain: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)  # source -> lines, for columns
    paths: dict[str, str] = field(default_factory=dict)  # source -> project path, memoised

    def report(
        self,
        code: str,
        severity: Severity,
        message: str,
        source: str | Path | None,
        line: int | None,
        column: int = 1,
        hint: str = "",
    ) -> None:
        """Record a diagnostic at ``source:line`` (an absolute path docutils knows)."""
        self.diagnostics.append(
            Diagnostic(
                path=self.relpath(source),
                line=max(line or 1, 1),
                column=max(column, 1),
                code=code,
                severity=severity,
                message=message,
                hint=hint,
            )
        )

    def relpath(self, source: str | Path | None) -> str:
        """A docutils source (absolute path, maybe an include) as a project path."""
        if not source:
            return self.project.relpath(self.project.source_dir / f"{self.page}.txt")
        text = str(source)
        known = self.paths.get(text)
        if known is None:
            bare = text
            for prefix in ("internal padding after ", "internal padding before "):
                bare = bare.removeprefix(prefix)
            known = self.paths[text] = self.project.relpath(bare)
        return known


def context_of(document: Any) -> ParseContext | None:
    """The context of a document being parsed by harness.rst, if it is one."""
    found = getattr(document, "snooty", None)
    return found if isinstance(found, ParseContext) else None
