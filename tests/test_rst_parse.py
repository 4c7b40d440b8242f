"""harness.rst.parse_page: the snooty dialect on docutils, diagnostics instead of errors.

Every test builds a small project in tmp_path and parses it with the real
parser; no part of harness.rst is replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import states

from harness.diagnostics import Diagnostic, Severity
from harness.rst import ParsedPage, Project, load_project, parse_page
from harness.rst import nodes as snooty


def make_project(
    root: Path,
    files: dict[str, str | bytes],
    constants: dict[str, str] | None = None,
    substitutions: dict[str, str] | None = None,
) -> Project:
    """A project folder with snooty.toml and ``files`` under source/."""
    lines = ['name = "test"', "[constants]"]
    lines += [f"{name} = {json.dumps(value)}" for name, value in (constants or {}).items()]
    lines += ["[substitutions]"]
    lines += [f"{name} = {json.dumps(value)}" for name, value in (substitutions or {}).items()]
    root.mkdir(parents=True, exist_ok=True)
    (root / "snooty.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, content in files.items():
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return load_project(root)


def parse(project: Project, name: str = "page.txt") -> ParsedPage:
    return parse_page(project, project.source_dir / name)


def where(project: Project, node: nodes.Node) -> tuple[str, int]:
    return project.relpath(node.source), node.line


def paragraph(page: ParsedPage, starting: str) -> nodes.paragraph:
    found = [p for p in page.document.findall(nodes.paragraph) if p.astext().startswith(starting)]
    assert len(found) == 1, f"expected one paragraph starting {starting!r}, found {found}"
    return found[0]


def codes(page: ParsedPage) -> list[str]:
    return [diagnostic.code for diagnostic in page.diagnostics]


def only(page: ParsedPage, code: str) -> Diagnostic:
    found = [diagnostic for diagnostic in page.diagnostics if diagnostic.code == code]
    assert len(found) == 1, page.diagnostics
    return found[0]


# -- constants ------------------------------------------------------------------------


def test_constants_are_substituted_and_may_hold_markup(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {"page.txt": "Title\n=====\n\nRun {+cli-bin+} to manage {+sync+}.\n"},
        constants={"sync": "Realm Sync", "cli-bin": ":binary:`realm-cli`"},
    )
    page = parse(project)
    text = paragraph(page, "Run").astext()
    assert text == "Run realm-cli to manage Realm Sync."
    [xref] = page.document.findall(snooty.xref)
    assert (xref["role"], xref["target"]) == ("mongodb:binary", "realm-cli")
    assert page.diagnostics == ()


def test_a_constant_with_newlines_does_not_shift_line_numbers(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {"page.txt": "First {+multi+} here.\n\nSecond paragraph.\n"},
        constants={"multi": "one\ntwo\nthree"},
    )
    page = parse(project)
    assert paragraph(page, "First").astext() == "First one two three here."
    assert where(project, paragraph(page, "Second")) == ("source/page.txt", 3)


def test_an_undeclared_constant_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"page.txt": "Title\n=====\n\nUse the {+nope+} here.\n"}, constants={}
    )
    page = parse(project)
    problem = only(page, "DH101")
    assert (problem.path, problem.line, problem.column) == ("source/page.txt", 4, 9)
    assert problem.severity is Severity.ERROR
    assert "{+nope+}" in problem.message
    assert paragraph(page, "Use").astext() == "Use the {+nope+} here."


# -- reading files --------------------------------------------------------------------


def test_a_non_utf8_page_is_a_diagnostic_at_the_bad_byte(tmp_path: Path) -> None:
    content = "Title\n=====\n\nGood line.\n\nBad \xe9 byte.\n".encode("latin-1")
    project = make_project(tmp_path, {"page.txt": content})
    page = parse(project)
    problem = only(page, "DH002")
    assert (problem.path, problem.line, problem.column) == ("source/page.txt", 6, 5)
    assert "UTF-8" in problem.message
    assert paragraph(page, "Good line").astext() == "Good line."
    assert paragraph(page, "Bad").astext() == "Bad \ufffd byte."


def test_an_unreadable_page_is_a_diagnostic_not_an_exception(tmp_path: Path) -> None:
    project = make_project(tmp_path, {})
    page = parse_page(project, project.source_dir / "missing.txt")
    problem = only(page, "DH002")
    assert (problem.path, problem.line) == ("source/missing.txt", 1)
    assert page.document.children == []


def test_an_empty_page_is_an_empty_document(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"page.txt": ""})
    page = parse(project)
    assert page.document.children == []
    assert page.diagnostics == ()
    assert (page.page, page.path) == ("page", "source/page.txt")


def test_a_five_megabyte_page_parses(tmp_path: Path) -> None:
    prose = ("Terminate {+sync+} in your app to stop syncing data across devices. " * 14 + "\n") * 4
    unit = (
        prose + "\n"
    ) * 20 + "1. Click :guilabel:`Terminate Sync`.\n2. Click :guilabel:`Deploy`.\n\n"
    body = "Big Page\n========\n\n" + unit * ((5 * 1024 * 1024) // len(unit) + 1)
    project = make_project(tmp_path, {"page.txt": body}, constants={"sync": "Realm Sync"})
    page = parse(project)
    assert len(body) > 5 * 1024 * 1024
    lists = list(page.document.findall(nodes.enumerated_list))
    assert len(lists) == (5 * 1024 * 1024) // len(unit) + 1
    assert page.diagnostics == ()


def test_docutils_messages_become_diagnostics_and_never_reach_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, {"page.txt": "A Long Title\n=======\n\nText.\n"})
    page = parse(project)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    problem = only(page, "DH001")
    assert (problem.path, problem.line, problem.severity) == (
        "source/page.txt",
        2,
        Severity.WARNING,
    )
    assert "underline too short" in problem.message


# -- includes ---------------------------------------------------------------------------


def test_nested_includes_point_into_the_include_files(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "page.txt": "Title\n=====\n\nBefore.\n\n.. include:: /includes/outer.rst\n\nAfter.\n",
            "includes/outer.rst": "Outer {+sync+} line.\n\n.. include:: inner\n\nOuter again.\n",
            "includes/inner.rst": "\n\nInner line.\n",
        },
        constants={"sync": "Realm Sync"},
    )
    page = parse(project)
    assert where(project, paragraph(page, "Before")) == ("source/page.txt", 4)
    assert where(project, paragraph(page, "Outer Realm Sync")) == ("source/includes/outer.rst", 1)
    assert where(project, paragraph(page, "Inner")) == ("source/includes/inner.rst", 3)
    assert where(project, paragraph(page, "Outer again")) == ("source/includes/outer.rst", 5)
    assert where(project, paragraph(page, "After")) == ("source/page.txt", 8)
    assert page.diagnostics == ()


def test_an_include_relative_to_the_including_file(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "guide/page.txt": ".. include:: parts/body.rst\n",
            "guide/parts/body.rst": "Body text.\n",
        },
    )
    page = parse(project, "guide/page.txt")
    assert where(project, paragraph(page, "Body")) == ("source/guide/parts/body.rst", 1)


def test_an_include_inside_a_step_keeps_include_line_numbers(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "page.txt": (
                ".. procedure::\n\n   .. step:: One\n\n      .. include:: /includes/a.rst\n\n"
                "   .. step:: Two\n\n      Second step.\n"
            ),
            "includes/a.rst": "Included step text.\n",
        },
    )
    page = parse(project)
    assert where(project, paragraph(page, "Included")) == ("source/includes/a.rst", 1)
    assert where(project, paragraph(page, "Second")) == ("source/page.txt", 9)


def test_a_missing_include_is_reported_where_it_is_written(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"page.txt": "Before.\n\n.. include:: /includes/nope.rst\n\nAfter.\n"}
    )
    page = parse(project)
    problem = only(page, "DH103")
    assert (problem.path, problem.line, problem.severity) == ("source/page.txt", 3, Severity.ERROR)
    assert "/includes/nope.rst" in problem.message
    assert where(project, paragraph(page, "After")) == ("source/page.txt", 5)


def test_an_include_cycle_is_reported_at_the_including_line(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "page.txt": ".. include:: /includes/a.rst\n",
            "includes/a.rst": "A text.\n\n.. include:: /includes/b.rst\n",
            "includes/b.rst": "B text.\n\n\n.. include:: /includes/a.rst\n",
        },
    )
    page = parse(project)
    problem = only(page, "DH104")
    assert (problem.path, problem.line) == ("source/includes/b.rst", 4)
    assert "source/includes/a.rst" in problem.message
    assert [p.astext() for p in page.document.findall(nodes.paragraph)] == ["A text.", "B text."]


def test_undeclared_constants_in_includes_point_into_the_include(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {"page.txt": ".. include:: /includes/a.rst\n", "includes/a.rst": "\nUse {+nope+}.\n"},
    )
    problem = only(parse(project), "DH101")
    assert (problem.path, problem.line, problem.column) == ("source/includes/a.rst", 2, 5)


def test_includes_outside_the_project_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "secret.rst").write_text("Outside text.\n")
    project = make_project(tmp_path / "docs", {"page.txt": ".. include:: ../../secret.rst\n"})
    page = parse(project)
    assert only(page, "DH103").line == 1
    assert not list(page.document.findall(nodes.paragraph))


# -- substitutions ----------------------------------------------------------------------


def test_page_substitutions_then_snooty_toml_then_a_diagnostic(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "page.txt": (
                ".. |local| replace:: Local Value\n\n"
                "Uses |local| and |atlas| and |styled|.\n\n"
                "Then |unknown| here.\n"
            )
        },
        substitutions={"atlas": "Atlas", "styled": "the :guilabel:`Deploy` button"},
    )
    page = parse(project)
    assert paragraph(page, "Uses").astext() == "Uses Local Value and Atlas and the Deploy button."
    assert [label.astext() for label in page.document.findall(snooty.guilabel)] == ["Deploy"]
    assert paragraph(page, "Then").astext() == "Then |unknown| here."
    problem = only(page, "DH102")
    assert (problem.path, problem.line, problem.column) == ("source/page.txt", 5, 6)


# -- directives -------------------------------------------------------------------------


def test_an_unknown_directive_keeps_and_parses_its_content(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {"page.txt": "\n.. mystery:: Argument\n   :color: blue\n\n   Click :guilabel:`Go`.\n"},
    )
    page = parse(project)
    [node] = page.document.findall(snooty.directive)
    assert (node["name"], node["argument"], node["options"]) == (
        "mystery",
        "Argument",
        {"color": "blue"},
    )
    assert node["known"] is False
    assert where(project, paragraph(page, "Click")) == ("source/page.txt", 5)
    problem = only(page, "DH105")
    assert (problem.line, problem.severity) == (2, Severity.WARNING)
    assert "mystery" in problem.message


def test_code_directives_keep_their_body_literal(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "page.txt": (
                ".. code-block:: shell\n   :copyable: true\n\n   realm-cli push :guilabel:`x`\n"
            )
        },
    )
    page = parse(project)
    [block] = page.document.findall(nodes.literal_block)
    assert block.astext() == "realm-cli push :guilabel:`x`"
    assert where(project, block) == ("source/page.txt", 4)
    assert not list(page.document.findall(snooty.guilabel))
    assert page.diagnostics == ()


def test_directives_with_any_options_never_lose_content(tmp_path: Path) -> None:
    text = (
        ".. list-table::\n   :header-rows: 1\n   :widths: 20 80\n\n"
        "   * - Name\n     - Meaning\n\n   * - x\n     - the x\n\n"
        ".. io-code-block::\n\n   .. input:: /code/x.js\n      :language: js\n\n      run();\n\n"
        "   .. output::\n\n      done\n"
    )
    page = parse(make_project(tmp_path, {"page.txt": text}))
    names = [node["name"] for node in page.document.findall(snooty.directive)]
    assert names == []
    [table] = page.document.findall(nodes.table)
    assert [row.astext().split() for row in table.findall(nodes.row)] == [
        ["Name", "Meaning"],
        ["x", "the", "x"],
    ]
    blocks = [
        (b.astext(), b["language"], b["io"]) for b in page.document.findall(nodes.literal_block)
    ]
    assert blocks == [("run();", "js", "input"), ("done", "", "output")]
    assert page.diagnostics == ()


def test_admonitions_keep_snooty_titles(tmp_path: Path) -> None:
    text = ".. warning:: Recovering Changes\n\n   Body of the warning.\n\n.. note::\n\n   A note.\n"
    page = parse(make_project(tmp_path, {"page.txt": text}))
    warning, note = page.document.findall(nodes.admonition)
    assert warning["classes"] == ["warning"]
    assert warning[0].astext() == "Recovering Changes"
    assert warning[1].astext() == "Body of the warning."
    assert note["classes"] == ["note"]
    assert page.diagnostics == ()


def test_figures_keep_alt_text_without_an_image_file(tmp_path: Path) -> None:
    text = ".. figure:: /images/none.png\n   :alt: the button\n   :lightbox:\n\n   A caption.\n"
    page = parse(make_project(tmp_path, {"page.txt": text}))
    [figure] = page.document.findall(nodes.figure)
    [image] = figure.findall(nodes.image)
    assert (image["uri"], image["alt"]) == ("/images/none.png", "the button")
    assert figure.next_node(nodes.caption).astext() == "A caption."
    # source/images is not in the project at all (a partial copy): a notice only
    [absent] = page.diagnostics
    assert (absent.code, absent.severity, absent.line) == ("DH109", Severity.INFO, 1)


def test_a_missing_image_in_a_folder_that_exists_is_a_warning(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"page.txt": ".. image:: /images/gone.png\n"})
    (tmp_path / "source/images").mkdir()
    [missing] = parse(project).diagnostics
    assert (missing.code, missing.severity) == ("DH109", Severity.WARNING)
    assert "/images/gone.png" in missing.message


def test_tabs_of_every_kind_hold_tabs_with_ids(tmp_path: Path) -> None:
    text = (
        ".. tabs-realm-sdks::\n   :hidden: true\n\n"
        "   .. tab::\n      :tabid: android\n\n      Android text.\n\n"
        "   .. tab:: iOS Swift\n\n      Swift text.\n\n"
        ".. tabs-made-up::\n\n   .. tab::\n      :tabid: one\n\n      One.\n"
    )
    page = parse(make_project(tmp_path, {"page.txt": text}))
    first, second = page.document.findall(snooty.tabs)
    assert (first["name"], first["tabset"], first["hidden"]) == (
        "tabs-realm-sdks",
        "realm-sdks",
        True,
    )
    assert [tab["tabid"] for tab in first.findall(snooty.tab)] == ["android", "ios-swift"]
    assert second["tabset"] == "made-up"
    assert page.diagnostics == ()


def test_legacy_yaml_tabs_become_tabs_with_line_numbers(tmp_path: Path) -> None:
    text = (
        ".. tabs::\n\n   tabs:\n     - id: plain\n       name: Plain Text\n       content: |\n"
        "         Select :guilabel:`Plain Text`.\n\n"
        "     - id: secret\n       name: Secret\n       content: |\n         Select the secret.\n"
    )
    project = make_project(tmp_path, {"page.txt": text})
    page = parse(project)
    tabs = list(page.document.findall(snooty.tab))
    assert [(tab["tabid"], tab["title"]) for tab in tabs] == [
        ("plain", "Plain Text"),
        ("secret", "Secret"),
    ]
    assert where(project, paragraph(page, "Select Plain")) == ("source/page.txt", 7)
    assert where(project, paragraph(page, "Select the secret")) == ("source/page.txt", 12)
    assert page.diagnostics == ()


def test_procedure_and_step_directives(tmp_path: Path) -> None:
    text = (
        ".. procedure::\n   :style: normal\n\n"
        "   .. step:: Open the :guilabel:`Sync` tab\n\n      Body.\n\n"
        "   .. step::\n\n      Untitled body.\n"
    )
    page = parse(make_project(tmp_path, {"page.txt": text}))
    [procedure] = page.document.findall(snooty.procedure)
    assert procedure["style"] == "normal"
    first, second = procedure.findall(snooty.step)
    assert first["title"] == "Open the :guilabel:`Sync` tab"
    assert first[0].astext() == "Open the Sync tab"
    assert isinstance(first[0][1], snooty.guilabel)
    assert second["title"] == ""
    assert second[0].astext() == "Untitled body."


def test_contents_and_default_domain_leave_no_nodes(tmp_path: Path) -> None:
    text = ".. default-domain:: js\n\n.. contents:: On this page\n   :local:\n\nCall :func:`go`.\n"
    page = parse(make_project(tmp_path, {"page.txt": text}))
    assert [type(child).__name__ for child in page.document.children] == ["paragraph"]
    [xref] = page.document.findall(snooty.xref)
    assert xref["role"] == "js:func"


# -- roles --------------------------------------------------------------------------------


def test_roles_keep_their_text_and_name_what_they_link(tmp_path: Path) -> None:
    text = (
        "Click :guilabel:`Deploy`, see :ref:`the guide <enable-sync>` and :ref:`plain-label`,\n"
        "read :doc:`Start </sync/get-started>` and :doc:`other.txt`, the :manual:`oplog\n"
        "</core/oplog/>`, run :binary:`~bin.mongod` or :mongodb:method:`db.find()`,\n"
        "an :abbr:`API (Application Programming Interface)` and :file:`a.json`.\n"
    )
    page = parse(make_project(tmp_path, {"guide/page.txt": text}), "guide/page.txt")
    assert paragraph(page, "Click").astext() == (
        "Click Deploy, see the guide and plain-label,\nread Start and other.txt, the oplog,"
        " run mongod or db.find(),\nan API and a.json."
    )
    [label] = page.document.findall(snooty.guilabel)
    assert label.astext() == "Deploy"
    links = [
        (x["role"], x["target"], x["explicit"], x.astext())
        for x in page.document.findall(snooty.xref)
    ]
    assert links == [
        ("ref", "enable-sync", True, "the guide"),
        ("ref", "plain-label", False, "plain-label"),
        ("doc", "sync/get-started", True, "Start"),
        ("doc", "guide/other", False, "other.txt"),
        ("manual", "/core/oplog/", True, "oplog"),
        ("mongodb:binary", "~bin.mongod", False, "mongod"),
        ("mongodb:method", "db.find()", False, "db.find()"),
    ]
    [abbreviation] = page.document.findall(nodes.abbreviation)
    assert abbreviation["explanation"] == "Application Programming Interface"
    assert page.diagnostics == ()


def test_an_unknown_role_keeps_its_text_and_is_reported(tmp_path: Path) -> None:
    text = "Title\n=====\n\nFirst line\nthen :madeup:`kept text <target>` here.\n"
    project = make_project(tmp_path, {"page.txt": text})
    page = parse(project)
    assert paragraph(page, "First").astext() == "First line\nthen kept text here."
    problem = only(page, "DH106")
    assert (problem.path, problem.line, problem.column) == ("source/page.txt", 5, 6)
    assert ":madeup:" in problem.message
    assert problem.severity is Severity.WARNING


def test_roles_resolve_in_the_default_domain_first(tmp_path: Path) -> None:
    text = "Call :data:`x`.\n\n.. default-domain:: js\n\nCall :data:`y`.\n"
    page = parse(make_project(tmp_path, {"page.txt": text}))
    assert [x["role"] for x in page.document.findall(snooty.xref)] == ["mongodb:data", "js:data"]


def test_parsing_leaves_docutils_own_registries_untouched(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"page.txt": ".. procedure::\n\n   .. step:: One\n\n      Go.\n"}
    )
    assert list(parse(project).document.findall(snooty.step))
    assert states.RSTState.nested_sm is states.NestedStateMachine
    plain = publish_doctree(
        ".. procedure::\n\n   Text.\n\n:guilabel:`x`\n",
        settings_overrides={"report_level": 5, "halt_level": 5},
    )
    messages = [m.astext() for m in plain.findall(nodes.system_message)]
    assert any('Unknown directive type "procedure"' in text for text in messages)
    assert any('Unknown interpreted text role "guilabel"' in text for text in messages)


def test_section_titles_inside_directive_content_are_allowed(tmp_path: Path) -> None:
    text = (
        ".. procedure::\n\n   .. step:: Configure\n\n"
        "      Set User Authentication\n      =======================\n\n"
        "      Pick a user.\n"
    )
    page = parse(make_project(tmp_path, {"page.txt": text}))
    assert page.diagnostics == ()
    [section] = page.document.findall(nodes.section)
    assert isinstance(section.parent, snooty.step)
    assert section[0].astext() == "Set User Authentication"


def test_duplicate_section_titles_are_notices_not_warnings(tmp_path: Path) -> None:
    text = "Page\n====\n\nUsage\n-----\n\nOne.\n\nMore\n----\n\nUsage\n-----\n\nTwo.\n"
    [note] = parse(make_project(tmp_path, {"page.txt": text})).diagnostics
    assert (note.code, note.severity, note.line) == ("DH005", Severity.INFO, 13)
