"""Reading snooty pages inside Sphinx with harness.rst's own directives and roles.

Sphinx parses a ``.txt`` page with its reST parser while harness.rst's dialect
lookups sit in front of Sphinx's (the same lookups ``harness.rst.parse_page``
uses), so a page makes the same ``procedure``/``step``/``tabs``/``xref`` nodes
in both. Constants are substituted on ``source-read``, before parsing, and
never add lines, so Sphinx's line numbers are the writer's.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes, utils
from docutils.parsers.rst import Parser
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.parsers import RSTParser
from sphinx.util import logging

from harness.diagnostics import Diagnostic
from harness.rst import Project
from harness.rst import nodes as snooty
from harness.rst.codes import UNKNOWN_ROLE
from harness.rst.constants import substitute_constants
from harness.rst.context import IncludeReader, ParseContext
from harness.rst.giza import GizaReader
from harness.rst.parse import dialect_lookups, include_lines
from harness.sphinxext.project import project_of, report

logger = logging.getLogger(__name__)


class SnootyParser(RSTParser):
    """Sphinx's reST parser with the snooty dialect in front (filetype ``snooty``)."""

    supported = ("snooty",)

    def parse(self, inputstring: str | StringList, document: nodes.document) -> None:
        env: BuildEnvironment = document.settings.env
        project = project_of(env.config)
        source = Path(document["source"])
        context = ParseContext(
            project=project,
            page=project.page_name(source),
            read_include=_include_reader(project, env, document.settings.tab_width),
            giza=GizaReader(project, on_read=env.note_dependency),
        )
        document.snooty = context
        try:
            with dialect_lookups(context):
                super().parse(inputstring, document)
                _define_project_substitutions(project, document)
        finally:
            del document.snooty
        # Snooty builds its navigation from its own table of contents, never from
        # Sphinx toctrees: no page is "not included in any toctree".
        env.metadata[env.docname]["orphan"] = True
        report(project, context.diagnostics)
        for node in document.findall(snooty.unknown_role):
            logger.warning(
                '%s unknown role ":%s:" (its text is kept)',
                UNKNOWN_ROLE,
                node["role"],
                location=node,
                type="docharness",
                subtype=UNKNOWN_ROLE,
            )


def _define_project_substitutions(project: Project, document: nodes.document) -> None:
    """``|name|`` falls back to snooty.toml ``[substitutions]`` when the page (with its
    includes) does not define it; docutils' own transform then replaces the references."""
    for reference in document.findall(nodes.substitution_reference):
        name = reference["refname"]
        value = project.substitutions.get(name)
        if value is None or nodes.fully_normalize_name(name) in document.substitution_names:
            continue
        definition = nodes.substitution_definition(value, "", *_inline(value, document))
        document.note_substitution_def(definition, name)


def _inline(value: str, document: nodes.document) -> list[nodes.Node]:
    """A substitution value as inline nodes: values may hold roles (``:binary:`x```)."""
    scratch = utils.new_document(document["source"], document.settings)
    scratch.snooty = document.snooty
    Parser().parse(value, scratch)
    paragraph = next(iter(scratch.findall(nodes.paragraph)), None)
    return list(paragraph.children) if paragraph is not None else [nodes.Text(value)]


def _include_reader(project: Project, env: BuildEnvironment, tab_width: int) -> IncludeReader:
    """Reads an include with constants substituted, and tells Sphinx the page depends on it."""

    def read(path: Path) -> tuple[list[str], tuple[Diagnostic, ...]]:
        env.note_dependency(path)
        return include_lines(project, path, tab_width)

    return read


def substitute_page_constants(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: ``{+name+}`` from snooty.toml, before the page is parsed."""
    project = project_of(app.config)
    path = project.relpath(app.env.doc2path(docname))
    source[0], problems = substitute_constants(source[0], project.constants, path)
    report(project, problems)
