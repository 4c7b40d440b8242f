"""What fuzzing (tests/test_fuzz_extract.py) found, kept as plain regression tests.

- fifty levels of nested procedures raised RecursionError out of extraction;
- one 100,000-character line took minutes (docutils' inline patterns are
  quadratic in a line's length);
- a legacy ``tabs:`` tab whose ``content: |`` block is empty raised ValueError;
- an include whose argument runs on over many lines (a lost blank line) named a
  file too long for the file system, and OSError escaped.

Very deep nesting and very long lines are now reported with their line; the
rest of the page is still read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.procedures import extract_project
from harness.procedures.inputs import FileStates, page_inputs
from harness.rst import load_project, parse_page, stack
from harness.rst import nodes as snooty
from harness.rst.codes import LINE_TOO_LONG, MISSING_INCLUDE, NESTING_TOO_DEEP
from harness.rst.parse import LINE_LIMIT


def _page(root: Path, text: str) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "snooty.toml").write_text('name = "limits"\n', encoding="utf-8")
    page = root / "source/page.txt"
    page.write_text(text, encoding="utf-8")
    return page


def _nested_procedures(depth: int) -> str:
    lines = []
    for level in range(depth):
        pad = " " * (6 * level)
        lines += [f"{pad}.. procedure::", "", f"{pad}   .. step:: Step {level + 1}", ""]
        lines += [f"{pad}      Click :guilabel:`Level {level + 1}`.", ""]
    return "\n".join(lines) + "\n"


HEAD = "Deep\n====\n\n1. Click :guilabel:`A`.\n2. Click :guilabel:`B`.\n\n"


def test_fifty_nested_procedures_are_read(tmp_path: Path) -> None:
    page = _page(tmp_path / "docs", HEAD + _nested_procedures(50))
    extraction = extract_project(page.parent.parent)
    [document] = extraction.documents
    assert len(document.procedures) == 2
    labels = [label for step in document.procedures[1].steps for label in step.labels]
    assert labels == [f"Level {n}" for n in range(1, 51)]
    assert NESTING_TOO_DEEP not in {d.code for d in extraction.diagnostics}


def test_nesting_past_the_stack_is_reported_at_its_first_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A smaller room than the real one, so that a hundred levels are enough to pass it.
    monkeypatch.setattr(stack, "STACK_ROOM", 1_500)
    page = _page(tmp_path / "docs", HEAD + _nested_procedures(120) + "\nAfter.\n")
    extraction = extract_project(page.parent.parent)
    [too_deep] = [d for d in extraction.diagnostics if d.code == NESTING_TOO_DEEP]
    assert (too_deep.path, too_deep.line) == ("source/page.txt", 9)
    assert page.read_text(encoding="utf-8").splitlines()[too_deep.line - 1].strip() == (
        ".. step:: Step 1"
    )
    [document] = extraction.documents
    assert [p.steps[0].labels for p in document.procedures] == [("A",)]  # the rest still read
    assert extract_project(page.parent.parent) == extraction


def test_a_line_past_the_limit_is_cut_and_reported(tmp_path: Path) -> None:
    long_line = "{+" * 50_000
    page = _page(tmp_path / "docs", HEAD + long_line + "\n\n3. Click :guilabel:`C`.\n")
    parsed = parse_page(load_project(page.parent.parent), page)
    [cut] = [d for d in parsed.diagnostics if d.code == LINE_TOO_LONG]
    assert (cut.path, cut.line, cut.column) == ("source/page.txt", 7, LINE_LIMIT + 1)
    assert "100,000 characters" in cut.message
    assert "C" in parsed.document.astext()


def test_lines_within_the_limit_are_read_whole(tmp_path: Path) -> None:
    words = ("Click :guilabel:`Save` now. " * 350).strip()
    assert len(words) < LINE_LIMIT
    page = _page(tmp_path / "docs", "Page\n====\n\n" + words + "\n")
    parsed = parse_page(load_project(page.parent.parent), page)
    assert LINE_TOO_LONG not in {d.code for d in parsed.diagnostics}
    assert parsed.document.astext().count("Save") == 350


def test_a_long_line_in_an_include_is_reported_in_the_include(tmp_path: Path) -> None:
    page = _page(tmp_path / "docs", "Page\n====\n\n.. include:: /includes/long.rst\n")
    include = page.parent / "includes/long.rst"
    include.parent.mkdir()
    include.write_text("Short.\n\n" + "word " * 4_000 + "\n", encoding="utf-8")
    parsed = parse_page(load_project(page.parent.parent), page)
    [cut] = [d for d in parsed.diagnostics if d.code == LINE_TOO_LONG]
    assert (cut.path, cut.line) == ("source/includes/long.rst", 3)


def test_a_legacy_tab_with_empty_content_is_read(tmp_path: Path) -> None:
    legacy = (
        "Page\n====\n\n.. tabs::\n\n   tabs:\n"
        "     - id: shell\n       content: |\n\n"
        "     - id: ui\n       content: |\n         Click :guilabel:`Save`.\n"
    )
    page = _page(tmp_path / "docs", legacy)
    parsed = parse_page(load_project(page.parent.parent), page)
    tabs = [node["tabid"] for node in parsed.document.findall(snooty.tab)]
    assert tabs == ["shell", "ui"]
    assert "Save" in parsed.document.astext()
    assert parsed.diagnostics == ()


def test_an_include_name_too_long_for_the_file_system_is_a_missing_include(
    tmp_path: Path,
) -> None:
    runaway = "Page\n====\n\n.. include:: /includes/\n" + "   more words of a paragraph\n" * 20
    page = _page(tmp_path / "docs", runaway + "\n" + ".. include:: " + "x" * 5_000 + "\n")
    extraction = extract_project(page.parent.parent)
    missing = [d for d in extraction.diagnostics if d.code == MISSING_INCLUDE]
    assert [(d.path, d.line) for d in missing] == [("source/page.txt", 4), ("source/page.txt", 26)]
    assert page_inputs(load_project(page.parent.parent), page, FileStates()) is not None
