"""A page's parse does not depend on which pages the process parsed before.

Caching pages and parsing them in several processes both rely on it. docutils
keeps roles defined with ``.. role::`` in a process-wide registry; before the
fix, a role defined on one page changed how a later page of the same process
read, and a role first met as unknown stayed unknown on the page defining it
(regression tests; each test uses a role name of its own, because the old
code remembered answers for the whole process).
"""

from __future__ import annotations

from pathlib import Path

from harness.procedures import extract_project
from harness.rst import load_project, parse_page
from harness.rst.codes import UNKNOWN_ROLE


def _project(root: Path, role: str) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "snooty.toml").write_text('name = "isolation"\n', encoding="utf-8")
    defines = f"Defines\n=======\n\n.. role:: {role}(literal)\n\nSay :{role}:`hello`.\n"
    uses = f"Uses\n====\n\nSay :{role}:`hello` too.\n"
    (root / "source/a-defines.txt").write_text(defines, encoding="utf-8")
    (root / "source/b-uses.txt").write_text(uses, encoding="utf-8")
    return root


def _shape(root: Path, page: str) -> tuple[str, tuple[str, ...]]:
    parsed = parse_page(load_project(root), root / "source" / page)
    return parsed.document.pformat(), tuple(d.code for d in parsed.diagnostics)


def test_a_role_defined_on_one_page_does_not_reach_the_next(tmp_path: Path) -> None:
    root = _project(tmp_path / "docs", "shout-once")
    _shape(root, "a-defines.txt")
    tree, codes = _shape(root, "b-uses.txt")
    assert UNKNOWN_ROLE in codes
    assert "<literal" not in tree
    assert _shape(root, "b-uses.txt") == (tree, codes)


def test_the_page_that_defines_a_role_uses_it_after_a_page_that_does_not(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "docs", "shout-twice")
    _shape(root, "b-uses.txt")
    tree, codes = _shape(root, "a-defines.txt")
    assert "<literal" in tree and "hello" in tree
    assert UNKNOWN_ROLE not in codes


def test_a_project_extracts_the_same_whatever_was_parsed_before(tmp_path: Path) -> None:
    root = _project(tmp_path / "docs", "shout-thrice")
    first = extract_project(root)
    _shape(root, "a-defines.txt")
    _shape(root, "b-uses.txt")
    assert extract_project(root) == first
    [uses] = [doc for doc in first.documents if doc.page == "b-uses"]
    assert UNKNOWN_ROLE in {d.code for d in uses.diagnostics}
