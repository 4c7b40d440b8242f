"""``{+name+}`` constants: plain text substitution before rST parsing, as snooty does.

Done on the raw text so that constants work anywhere (in titles, directive
arguments, inside roles); values never add lines, so every line number that
docutils reports still points at the line the writer wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from harness.diagnostics import Diagnostic, Severity
from harness.rst.codes import UNDECLARED_CONSTANT

CONSTANT = re.compile(r"\{\+([\w-]+)\+\}")


def substitute_constants(
    text: str, constants: Mapping[str, str], path: str
) -> tuple[str, tuple[Diagnostic, ...]]:
    """Replace every declared ``{+name+}``; report undeclared ones at ``path:line:col``.

    An undeclared constant is left as written, so the page stays readable and the
    writer sees exactly what the reader would.
    """
    if "{+" not in text:
        return text, ()
    problems: list[Diagnostic] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        value = constants.get(name)
        if value is not None:
            return value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.append(
            Diagnostic(
                path=path,
                line=line,
                column=column,
                code=UNDECLARED_CONSTANT,
                severity=Severity.ERROR,
                message=f"undeclared constant {{+{name}+}}",
                hint="declare it under [constants] in snooty.toml, or fix the name",
            )
        )
        return match.group(0)

    return CONSTANT.sub(replace, text), tuple(problems)
