"""rst stage: the snooty dialect of reStructuredText, on docutils.

Public API:

- ``load_project(path) -> Project``: read ``snooty.toml`` (raises ``ProjectError``).
- ``parse_page(project, page_file) -> ParsedPage``: the doctree of one page with
  constants, includes, ``|substitutions|``, snooty directives and roles resolved,
  and every problem as a ``Diagnostic`` (never an exception, never stderr).
- ``harness.rst.nodes``: the node classes the dialect adds (procedure, step, tabs,
  tab, directive, guilabel, xref, unknown_role).
- ``RST_CODES``: the diagnostic codes this stage emits.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.rst.codes import RST_CODES, LintCode
    from harness.rst.parse import ParsedPage, parse_page
    from harness.rst.project import Project, ProjectError, load_project

__all__ = [
    "RST_CODES",
    "LintCode",
    "ParsedPage",
    "Project",
    "ProjectError",
    "load_project",
    "parse_page",
]

# Loaded on first use, so that what needs only the project settings (ProjectError,
# load_project) does not import docutils.
_HOMES = {
    "RST_CODES": "harness.rst.codes",
    "LintCode": "harness.rst.codes",
    "ParsedPage": "harness.rst.parse",
    "parse_page": "harness.rst.parse",
    "Project": "harness.rst.project",
    "ProjectError": "harness.rst.project",
    "load_project": "harness.rst.project",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
