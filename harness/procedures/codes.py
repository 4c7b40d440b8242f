"""Diagnostic codes of the procedures stage (DH2xx), and the table of all codes."""

from __future__ import annotations

from harness.commands.codes import CODE_CODES
from harness.diagnostics import Severity
from harness.rst.codes import RST_CODES, LintCode

BROKEN_LIST_ITEM = "DH201"
NUMBERING = "DH202"
UNTITLED_STEP = "DH203"
EMPTY_PROCEDURE = "DH204"
DOC_TARGET_MISSING = "DH205"
DOC_TARGET_WITHOUT_PROCEDURE = "DH206"
UNRESOLVED_REF = "DH207"
ORPHAN_PAGE = "DH208"
PAGE_OUTSIDE = "DH209"

PROCEDURE_CODES: tuple[LintCode, ...] = (
    LintCode(
        BROKEN_LIST_ITEM,
        Severity.ERROR,
        "a numbered item's continuation line is not indented, so the page shows it as a"
        " paragraph; the extractor still reads it as the next step",
    ),
    LintCode(NUMBERING, Severity.WARNING, "a numbered list skips or repeats a number"),
    LintCode(UNTITLED_STEP, Severity.WARNING, "a .. step:: has no title"),
    LintCode(EMPTY_PROCEDURE, Severity.WARNING, "a .. procedure:: has no steps"),
    LintCode(
        DOC_TARGET_MISSING,
        Severity.WARNING,
        '"follow the steps in :doc:`X`" names a page that is not in the project',
    ),
    LintCode(
        DOC_TARGET_WITHOUT_PROCEDURE,
        Severity.WARNING,
        '"follow the steps in :doc:`X`" names a page that has no procedure',
    ),
    LintCode(
        UNRESOLVED_REF,
        Severity.WARNING,
        "a :ref: names a label no page of the project defines (a notice in a project"
        " without source/index.txt, or whose snooty.toml lists intersphinx inventories)",
    ),
    LintCode(
        ORPHAN_PAGE,
        Severity.WARNING,
        "a page no toctree lists, so readers cannot navigate to it (a notice in a project"
        " without source/index.txt, which is a fragment of a larger one)",
    ),
    LintCode(
        PAGE_OUTSIDE,
        Severity.ERROR,
        "a page is a symlink to a file outside the docs folder: it is not read",
    ),
)


_SEVERITY = {entry.code: entry.severity for entry in PROCEDURE_CODES}


def severity_of(code: str) -> Severity:
    """The severity of a DH2xx code, as the table says: the one place it is decided."""
    return _SEVERITY[code]


def lint_codes() -> tuple[LintCode, ...]:
    """Every diagnostic code docharness emits while reading docs, in code order."""
    return tuple(sorted((*RST_CODES, *PROCEDURE_CODES, *CODE_CODES), key=lambda entry: entry.code))
