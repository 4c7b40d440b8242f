"""Lint for the code in steps (DH3xx): shell blocks with curl or CLI commands, JSON blocks.

``lint_code`` takes one code block as the procedures model holds it and
returns ``harness.diagnostics.Diagnostic`` values at the doc's own lines, so
they sort and print with every other diagnostic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from harness.commands import codes
from harness.commands.cli import parse_cli
from harness.commands.curl import parse_curls
from harness.commands.jsonedit import parse_json_block
from harness.commands.match import match_request
from harness.commands.problems import Problem
from harness.diagnostics import Diagnostic

if TYPE_CHECKING:
    from harness.commands.spec import SpecIndex

SHELL_LANGUAGES = frozenset({"shell", "sh", "bash", "zsh", "console", "shell-session"})
JSON_LANGUAGES = frozenset({"json", "json5"})


def block_problems(
    code: str,
    language: str,
    *,
    spec: SpecIndex | None = None,
    values: Mapping[str, str] | None = None,
) -> list[Problem]:
    """The DH3xx problems of one code block, at 0-based lines and columns of the block."""
    language = language.strip().casefold()
    problems: list[Problem] = []
    if language in SHELL_LANGUAGES:
        for request in parse_curls(code):
            problems.extend(match_request(request, spec).problems)
        for plan in parse_cli(code):
            problems.extend(plan.problems)
    elif language in JSON_LANGUAGES:
        block = parse_json_block(code, values)
        if not block.parsed:
            problems.append(
                Problem(
                    codes.JSON_DOES_NOT_PARSE,
                    block.line,
                    block.column,
                    f"the JSON block does not parse: {block.error}",
                    "make it valid JSON (write '...' on a line of its own for the unchanged"
                    " rest; quote placeholders)",
                )
            )
    return sorted(set(problems), key=lambda p: (p.line, p.column, p.code))


def lint_code(
    code: str,
    language: str,
    path: str,
    first_line: int,
    *,
    first_column: int = 1,
    spec: SpecIndex | None = None,
    values: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """Diagnostics for one code block whose first line is doc line ``first_line`` of ``path``.

    ``first_column`` is the doc column of the block's text (its indentation plus one).
    Without ``spec``, requests are not matched against the Admin API (no DH305, DH309).
    """
    return [
        Diagnostic(
            path,
            first_line + problem.line,
            first_column + problem.column,
            problem.code,
            problem.severity,
            problem.message,
            problem.hint,
        )
        for problem in block_problems(code, language, spec=spec, values=values)
    ]
