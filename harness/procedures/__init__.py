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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.procedures.cache import DEFAULT_CACHE_DIR
    from harness.procedures.codes import lint_codes
    from harness.procedures.project import Extraction, extract_page, extract_project

__all__ = ["DEFAULT_CACHE_DIR", "Extraction", "extract_page", "extract_project", "lint_codes"]

# Loaded on first use, so that importing a light module of this package (the model,
# the warm-path manifest) does not import docutils.
_HOMES = {
    "DEFAULT_CACHE_DIR": "harness.procedures.cache",
    "lint_codes": "harness.procedures.codes",
    "Extraction": "harness.procedures.project",
    "extract_page": "harness.procedures.project",
    "extract_project": "harness.procedures.project",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
