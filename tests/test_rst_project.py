"""harness.rst.project: finding and reading a snooty project (snooty.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.rst import ProjectError, load_project


def test_loads_the_repository_docs_project(repo_root: Path) -> None:
    project = load_project(repo_root / "docs")
    assert project.root == (repo_root / "docs").resolve()
    assert project.source_dir == project.root / "source"
    assert project.name == "realm"
    assert project.constants["sync"] == "Realm Sync"
    assert project.substitutions["atlas"] == "Atlas"


def test_a_page_finds_its_project_upward(repo_root: Path) -> None:
    page = repo_root / "docs/source/reference/terminating-and-reenabling-realm-sync.txt"
    assert load_project(page).root == (repo_root / "docs").resolve()


def test_pages_are_txt_files_outside_includes(tmp_path: Path) -> None:
    (tmp_path / "snooty.toml").write_text('name = "t"\n')
    for name in ("index.txt", "a/b.txt", "includes/x.txt", "a/includes/y.txt", "a/c.rst"):
        (tmp_path / "source" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "source" / name).write_text("Text\n")
    project = load_project(tmp_path)
    assert [project.relpath(page) for page in project.pages()] == [
        "source/a/b.txt",
        "source/index.txt",
    ]
    assert project.page_name(tmp_path / "source/a/b.txt") == "a/b"


def test_a_folder_without_snooty_toml_is_a_project_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "not-docs"
    folder.mkdir()
    with pytest.raises(ProjectError) as raised:
        load_project(folder)
    assert str(folder) in str(raised.value)
    assert "snooty.toml" in str(raised.value)
    assert raised.value.path == folder


def test_a_page_outside_any_project_is_a_project_error(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Text\n")
    with pytest.raises(ProjectError, match=r"no snooty\.toml found"):
        load_project(page)


def test_malformed_snooty_toml_names_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "snooty.toml"
    config.write_text('name = "t"\n\n[constants]\nsync = \n')
    with pytest.raises(ProjectError) as raised:
        load_project(tmp_path)
    assert raised.value.path == config
    assert raised.value.line == 4
    assert f"{config}:4:" in str(raised.value)


def test_a_constant_that_is_a_table_is_a_project_error(tmp_path: Path) -> None:
    (tmp_path / "snooty.toml").write_text("[constants]\nsync = { a = 1 }\n")
    with pytest.raises(ProjectError, match=r"\[constants\] sync must be a string"):
        load_project(tmp_path)


def test_scalar_constants_are_read_as_text(tmp_path: Path) -> None:
    (tmp_path / "snooty.toml").write_text("[constants]\nversion = 3\n")
    assert load_project(tmp_path).constants["version"] == "3"
