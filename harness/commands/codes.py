"""Diagnostic codes for code in steps (DH3xx): curl commands, CLI commands, JSON blocks.

One table, like ``harness/rst/codes.py`` and ``harness/procedures/codes.py``,
so the README, the linter and the tests agree on each code's meaning and
severity.
"""

from __future__ import annotations

from harness.diagnostics import Severity
from harness.rst.codes import LintCode

HELP_FLAG_AS_HEADER = "DH301"
MISSING_CONTINUATION = "DH302"
UNQUOTED_METACHARACTERS = "DH303"
LEGACY_HOST = "DH304"
NO_SPEC_OPERATION = "DH305"
JSON_DOES_NOT_PARSE = "DH306"
UNKNOWN_CLI_FLAG = "DH307"
UNKNOWN_CLI_COMMAND = "DH308"
BODY_DOES_NOT_FIT_SPEC = "DH309"
FLAG_INSIDE_QUOTES = "DH310"

CODE_CODES: tuple[LintCode, ...] = (
    LintCode(
        HELP_FLAG_AS_HEADER,
        Severity.ERROR,
        "curl is given -h (its help flag) with a header: it prints help and sends nothing;"
        " -H is meant",
    ),
    LintCode(
        MISSING_CONTINUATION,
        Severity.ERROR,
        "a line of a command does not end with '\\', so the options on the next lines run as"
        " a separate command and the request goes without them",
    ),
    LintCode(
        UNQUOTED_METACHARACTERS,
        Severity.ERROR,
        "an unquoted word holds a placeholder and shell metacharacters (? * [ & ...): once the"
        " reader fills it in, the shell globs or splits it",
    ),
    LintCode(
        LEGACY_HOST,
        Severity.WARNING,
        "an Admin API request uses the legacy host realm.mongodb.com instead of"
        " services.cloud.mongodb.com",
    ),
    LintCode(
        NO_SPEC_OPERATION,
        Severity.ERROR,
        "an Admin API request's method and path match no operation of the OpenAPI spec",
    ),
    LintCode(
        JSON_DOES_NOT_PARSE,
        Severity.WARNING,
        "a JSON block does not parse, even with its placeholders filled and '...' lines left out",
    ),
    LintCode(
        UNKNOWN_CLI_FLAG,
        Severity.ERROR,
        "a realm-cli/appservices command is given a flag that command does not have",
    ),
    LintCode(
        UNKNOWN_CLI_COMMAND,
        Severity.WARNING,
        "a realm-cli/appservices command that harness/commands/cli.toml does not know; the step"
        " is unbound",
    ),
    LintCode(
        BODY_DOES_NOT_FIT_SPEC,
        Severity.WARNING,
        "an Admin API request's JSON body does not fit the official spec's request schema (the"
        " spec is stricter than the product in places, so this warns; a run checks the real"
        " answer)",
    ),
    LintCode(
        FLAG_INSIDE_QUOTES,
        Severity.ERROR,
        "a quoted flag value also holds the next flag ('--remote=\"<id> --include-hosting\"'),"
        " so the CLI never sees that flag",
    ),
)

_SEVERITY = {entry.code: entry.severity for entry in CODE_CODES}


def severity_of(code: str) -> Severity:
    """The severity of a DH3xx code, as the table says."""
    return _SEVERITY[code]
