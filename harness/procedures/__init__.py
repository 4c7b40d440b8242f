"""procedures stage: doctree -> Document / Procedure / Step, plus lint diagnostics.

Public API:

- ``extract_project(path, *, progress=None) -> Extraction``: every page of a
  project, with "follow the steps in :doc:`X`" resolved across pages.
- ``extract_page(project, parsed) -> Document``: one parsed page.
- ``Extraction``: ``root``, ``documents`` (sorted by page), ``diagnostics``.
- ``lint_codes()``: every diagnostic code (code, severity, meaning).
"""

from harness.procedures.codes import lint_codes
from harness.procedures.project import Extraction, extract_page, extract_project

__all__ = ["Extraction", "extract_page", "extract_project", "lint_codes"]
