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
