"""procedures stage: doctree -> Document / Procedure / Step, plus lint diagnostics.

Public API:

- ``extract_project(path, *, progress=None, jobs=1, cache_dir=None) -> Extraction``:
  every page of a project, with "follow the steps in :doc:`X`" resolved across
  pages; ``jobs`` processes parse pages, ``cache_dir`` keeps unchanged pages.
- ``extract_page(project, parsed) -> Document``: one parsed page.
- ``Extraction``: ``root``, ``documents`` (sorted by page), ``diagnostics``.
- ``lint_codes()``: every diagnostic code (code, severity, meaning).
- ``DEFAULT_CACHE_DIR``: the page cache folder the CLI uses (in the current folder).
"""

from harness.procedures.cache import DEFAULT_CACHE_DIR
from harness.procedures.codes import lint_codes
from harness.procedures.project import Extraction, extract_page, extract_project

__all__ = ["DEFAULT_CACHE_DIR", "Extraction", "extract_page", "extract_project", "lint_codes"]
