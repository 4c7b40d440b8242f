"""Project settings: ``[tool.docharness]`` and the defaults a project without it gets."""

from __future__ import annotations

from pathlib import Path

from harness.config import read_project_config


def test_docs_default_to_the_docs_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "snooty.toml").write_text('name = "x"\n')
    assert read_project_config(tmp_path).docs == tmp_path / "docs"


def test_a_snooty_project_root_is_its_own_docs_folder(tmp_path: Path) -> None:
    """A docs repository run in place (snooty.toml at the root, no docs/) reports
    ``source/page.txt``, not a ``docs/source/page.txt`` that does not exist."""
    (tmp_path / "snooty.toml").write_text('name = "x"\n')
    assert read_project_config(tmp_path).docs.resolve() == tmp_path.resolve()


def test_configured_docs_win(tmp_path: Path) -> None:
    (tmp_path / "snooty.toml").write_text('name = "x"\n')
    (tmp_path / "pyproject.toml").write_text('[tool.docharness]\ndocs = "site"\n')
    assert read_project_config(tmp_path).docs == tmp_path / "site"
