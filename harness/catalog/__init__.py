"""The step catalog: which UI action or outcome a sentence names, and what verifies it.

Knowledge lives in ``catalog.toml`` (and the project's own catalog files);
this package only loads it and binds sentences to it.
"""

from harness.catalog.bind import Bound, ByRule, Unbound, bind, bind_step
from harness.catalog.load import CatalogError, load_catalog, parse_catalog
from harness.catalog.model import Catalog, Precondition, Result, StepEntry
from harness.catalog.sentence import Sentence

__all__ = [
    "Bound",
    "ByRule",
    "Catalog",
    "CatalogError",
    "Precondition",
    "Result",
    "Sentence",
    "StepEntry",
    "Unbound",
    "bind",
    "bind_step",
    "load_catalog",
    "parse_catalog",
]
