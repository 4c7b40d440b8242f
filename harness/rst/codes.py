"""Diagnostic codes of the rst stage (DH0xx reading, DH1xx dialect).

One table, so that the README, the linter and the tests agree on what each
code means and how serious it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.diagnostics import Severity


@dataclass(frozen=True)
class LintCode:
    """A diagnostic code, its usual severity and what it means to a docs writer."""

    code: str
    severity: Severity
    meaning: str


DOCUTILS_MESSAGE = "DH001"
UNREADABLE_FILE = "DH002"
NESTING_TOO_DEEP = "DH003"
LINE_TOO_LONG = "DH004"
DUPLICATE_TARGET = "DH005"
FILE_TOO_LARGE = "DH006"
PAGE_TOO_SLOW = "DH007"
UNDECLARED_CONSTANT = "DH101"
UNDEFINED_SUBSTITUTION = "DH102"
MISSING_INCLUDE = "DH103"
INCLUDE_CYCLE = "DH104"
UNKNOWN_DIRECTIVE = "DH105"
UNKNOWN_ROLE = "DH106"
TAB_WITHOUT_ID = "DH107"
GIZA_PROBLEM = "DH108"
MISSING_FILE = "DH109"
FILE_ACCESS = "DH110"

RST_CODES: tuple[LintCode, ...] = (
    LintCode(
        DOCUTILS_MESSAGE,
        Severity.WARNING,
        "docutils reported a markup problem (severity follows docutils: info, warning, error)",
    ),
    LintCode(UNREADABLE_FILE, Severity.ERROR, "a page or include cannot be read or is not UTF-8"),
    LintCode(
        NESTING_TOO_DEEP,
        Severity.ERROR,
        "blocks nested hundreds of levels deep: the outermost one is left out",
    ),
    LintCode(
        LINE_TOO_LONG,
        Severity.WARNING,
        "a line longer than 10,000 characters: only the first 10,000 are read",
    ),
    LintCode(
        DUPLICATE_TARGET,
        Severity.INFO,
        "docutils notes a repeated section title or link name (a notice: shown with --notices)",
    ),
    LintCode(
        FILE_TOO_LARGE,
        Severity.ERROR,
        "a page or include is too large for how deeply it nests (16 MiB flat, less when"
        " nested): it is not read, which bounds memory",
    ),
    LintCode(
        PAGE_TOO_SLOW,
        Severity.ERROR,
        "reading a page took longer than 60 seconds: it is left out (bounds time)",
    ),
    LintCode(UNDECLARED_CONSTANT, Severity.ERROR, "{+name+} is not declared in snooty.toml"),
    LintCode(
        UNDEFINED_SUBSTITUTION,
        Severity.ERROR,
        "|name| is defined neither on the page nor in snooty.toml [substitutions]",
    ),
    LintCode(MISSING_INCLUDE, Severity.ERROR, "an include names a file that does not exist"),
    LintCode(INCLUDE_CYCLE, Severity.ERROR, "an include includes itself, directly or not"),
    LintCode(
        UNKNOWN_DIRECTIVE,
        Severity.WARNING,
        "a directive the snooty dialect does not define (its content is kept and parsed)",
    ),
    LintCode(
        UNKNOWN_ROLE, Severity.WARNING, "a role the snooty dialect does not define (text kept)"
    ),
    LintCode(TAB_WITHOUT_ID, Severity.WARNING, "a tab has neither :tabid: nor a title"),
    LintCode(
        GIZA_PROBLEM,
        Severity.ERROR,
        "a giza YAML file (steps-*.yaml, extracts-*.yaml) is malformed or reuses a missing ref",
    ),
    LintCode(
        MISSING_FILE,
        Severity.WARNING,
        "a literalinclude, input/output, figure or image file is not in the project (readers"
        " see nothing there; a notice when its whole folder is absent, as in a partial copy)",
    ),
    LintCode(
        FILE_ACCESS,
        Severity.WARNING,
        "a csv-table names a URL: documents never make docharness fetch anything",
    ),
)
