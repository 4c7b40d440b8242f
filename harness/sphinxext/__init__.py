"""sphinxext stage: the snooty dialect inside Sphinx, a ``features`` builder, result badges.

``extensions = ["harness.sphinxext"]`` in conf.py, then:

- ``sphinx-build -b html docs out`` builds a snooty project (the folder holding
  snooty.toml, or any folder below it). Pages are ``source/**/*.txt`` outside
  ``includes`` folders (``.rst`` files are included text); they are parsed
  with harness.rst's directives and roles (``harness.sphinxext.reading``),
  ``{+constants+}`` are substituted on ``source-read``, includes follow
  snooty's rules (``/`` is ``source/``, the extension may be left off),
  ``|name|`` falls back to snooty.toml. The dialect's nodes are turned into
  standard nodes only when written (``harness.sphinxext.convert``);
  references to other projects, link roles without a URL pattern and absent
  images are notes, not warnings.
- ``sphinx-build -b features docs features`` writes the .feature files of
  ``docharness extract docs -o features`` (``harness.sphinxext.builder``).
- With a results file, the HTML shows when and against what each procedure
  was verified, and each step's status (``harness.sphinxext.badges``).

Settings (conf.py):

- ``docharness_project``: the folder holding snooty.toml, relative to conf.py
  (default: the nearest one at or above the source folder).
- ``docharness_results``: the results.json to show (default
  ``<project>/../reports/results.json``; ``""`` for no badges).
- ``docharness_link_roles``: ``{"role": "https://host/path%s"}`` URL patterns for
  link roles such as ``:manual:`` (default none: their text is shown).

Problems the dialect finds are Sphinx warnings of type ``docharness`` with the
diagnostic code as subtype (``suppress_warnings = ["docharness.DH105"]``).
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

from harness import __version__
from harness.sphinxext.badges import (
    CSS_FILE,
    RESULTS_SETTING,
    ResultBadges,
    copy_css,
    load_marks,
    note_results_dependency,
)
from harness.sphinxext.builder import FeaturesBuilder
from harness.sphinxext.convert import LINK_ROLES_SETTING, DialectNodes, UnresolvedReferences
from harness.sphinxext.images import SnootyImages
from harness.sphinxext.project import PROJECT_SETTING, configure
from harness.sphinxext.reading import SnootyParser, substitute_page_constants

__all__ = ["FeaturesBuilder", "SnootyParser", "setup"]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Sphinx's entry point: settings, the ``.txt`` parser, transforms, events, the builder."""
    app.add_config_value(PROJECT_SETTING, "", "env", types=frozenset({str}))
    app.add_config_value(RESULTS_SETTING, None, "html", types=frozenset({str, type(None)}))
    app.add_config_value(LINK_ROLES_SETTING, {}, "html", types=frozenset({dict}))
    app.add_source_suffix(".txt", "snooty")
    app.add_source_parser(SnootyParser)
    app.connect("config-inited", configure)
    app.connect("source-read", substitute_page_constants)
    app.add_transform(SnootyImages)
    app.add_post_transform(DialectNodes)
    app.add_post_transform(UnresolvedReferences)
    app.add_post_transform(ResultBadges)
    app.connect("doctree-read", note_results_dependency)
    app.connect("write-started", load_marks)
    app.connect("build-finished", copy_css)
    app.add_css_file(CSS_FILE)
    app.add_builder(FeaturesBuilder)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
