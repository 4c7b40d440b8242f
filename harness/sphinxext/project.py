"""Which snooty project a Sphinx build reads, and how its diagnostics reach Sphinx's log.

The project (``snooty.toml``: constants, substitutions, the ``source/`` folder)
is found once, when the configuration is read, so that every later hook asks
the same project and a missing or malformed ``snooty.toml`` stops the build
with one clear message instead of a traceback per page.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging

from harness.diagnostics import Diagnostic, Severity
from harness.rst import Project, ProjectError, load_project
from harness.rst.project import CONFIG_NAME

logger = logging.getLogger(__name__)

PROJECT_SETTING = "docharness_project"


def configure(app: Sphinx, config: Config) -> None:
    """Pin the project root and make Sphinx read exactly the snooty pages.

    Pages are ``source/**/*.txt``; ``.rst`` files and ``includes`` folders hold
    included text, not pages (``docharness extract`` reads the same set). A
    ``source_suffix`` set in conf.py is left as it is.
    """
    root = _project_root(app, config)
    try:
        project = load_project(root)
    except ProjectError as error:
        raise ConfigError(str(error)) from None
    config[PROJECT_SETTING] = str(project.root)
    if config.source_suffix == {".rst": "restructuredtext"}:
        config.source_suffix = {}  # Sphinx's default; the extension adds .txt
    source = project.source_dir.resolve()
    srcdir = Path(app.srcdir).resolve()
    if not source.is_relative_to(srcdir):
        return
    prefix = source.relative_to(srcdir).as_posix()
    prefix = "" if prefix == "." else f"{prefix}/"
    if prefix and list(config.include_patterns) == ["**"]:
        config.include_patterns = [f"{prefix}**"]
    config.exclude_patterns = [
        *config.exclude_patterns,
        f"{prefix}includes/**",
        f"{prefix}**/includes/**",
    ]


def _project_root(app: Sphinx, config: Config) -> Path:
    """``docharness_project`` (relative to conf.py), else the nearest folder at or above
    the source folder that holds snooty.toml."""
    setting = str(config[PROJECT_SETTING] or "")
    if setting:
        return Path(app.confdir) / setting
    srcdir = Path(app.srcdir).resolve()
    for folder in (srcdir, *srcdir.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(
        f"harness.sphinxext: no {CONFIG_NAME} in {srcdir} or any folder above it;"
        f" set {PROJECT_SETTING} in conf.py to the folder holding {CONFIG_NAME}"
    )


def project_of(config: Config) -> Project:
    """The project ``configure`` pinned, re-read only when snooty.toml changes."""
    root = Path(config[PROJECT_SETTING])
    try:
        status = (root / CONFIG_NAME).stat()
        stamp = (status.st_mtime_ns, status.st_size)
    except OSError:
        stamp = (0, 0)
    return _load(root, stamp)


@functools.lru_cache(maxsize=4)
def _load(root: Path, stamp: tuple[int, int]) -> Project:
    return load_project(root)


def report(project: Project, diagnostics: Iterable[Diagnostic]) -> None:
    """Diagnostics in Sphinx's log at their file and line.

    Errors and warnings are Sphinx warnings (``-W`` fails on them; silence one
    code with ``suppress_warnings = ["docharness.DH105"]``); notes stay notes.
    """
    for diagnostic in sorted(set(diagnostics)):
        location = f"{project.root / diagnostic.path}:{diagnostic.line}"
        text = f"{diagnostic.code} {diagnostic.message}"
        if diagnostic.hint:
            text = f"{text} (hint: {diagnostic.hint})"
        if diagnostic.severity is Severity.INFO:
            logger.info(text, location=location)
        else:
            logger.warning(text, location=location, type="docharness", subtype=diagnostic.code)
