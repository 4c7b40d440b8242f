"""``docharness catalog``: the listing, and --suggest entries for the project's own catalog file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import cli

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

PAGE = """\
=========
Functions
=========

Create a Function
-----------------

1. Click :guilabel:`Functions` in the left navigation menu.

#. Follow Facebook's official guide to create a new Facebook app.

#. Perform a rolling resync.
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["catalog", *args], standalone_mode=False)
    assert result.exception is None, result.exc_info
    return result.return_value, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A docs project with one page, and a pyproject naming the project's catalog file."""
    (tmp_path / "docs" / "source").mkdir(parents=True)
    (tmp_path / "docs" / "snooty.toml").write_text('name = "t"\n', encoding="utf-8")
    (tmp_path / "docs" / "source" / "functions.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.docharness]\ncatalogs = ["my-catalog.toml"]\n', encoding="utf-8"
    )
    (tmp_path / "my-catalog.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_listing_names_operations_resources_and_the_project_catalog(project: Path) -> None:
    code, out, _ = run()
    assert code == 0
    assert re.search(r"^  deploy_draft ", out, re.MULTILINE)
    assert re.search(
        r"^  functions +Functions: adminListFunctions \(~/functions;", out, re.MULTILINE
    )
    assert "Project catalog: my-catalog.toml" in out


def test_suggest_groups_unbound_steps_into_entries_for_the_project_catalog(project: Path) -> None:
    code, out, err = run("--suggest", "--no-cache")
    assert code == 1
    assert out.startswith("# Entries to paste into my-catalog.toml")
    assert "Paste the entries into my-catalog.toml." in err
    assert "3 of 3 steps unbound: 1 external, 1 that no rule explains" in err
    assert "source/functions.txt:8: Click" in out
    assert "by harness/catalog/interfaces.toml:" in out and "(console-facebook)" in out
    assert "no rule explains this step (missing: kind)" in out
    entry = out[out.index("[[step]]") :].split("\n\n")[0]
    assert 'labels = ["Functions"]' in entry and 'result = "ui-only"' in entry
    # Pasted into the project's catalog, the entry loads and binds the navigation step.
    (project / "my-catalog.toml").write_text(entry + "\n", encoding="utf-8")
    code, out, err = run("--suggest", "--no-cache")
    assert code == 1
    assert "2 of 3 steps unbound" in err
    assert "source/functions.txt:8" not in out


def test_without_a_project_catalog_the_advice_says_how_to_start_one(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.docharness]\n", encoding="utf-8")
    _, out, err = run("--suggest", "--no-cache")
    assert out.startswith("# Entries to paste into docharness-catalog.toml")
    assert 'add `catalogs = ["docharness-catalog.toml"]` under [tool.docharness]' in err


def test_a_malformed_project_catalog_is_one_line_and_exit_2(project: Path) -> None:
    (project / "my-catalog.toml").write_text("[[step]]\nid = 1\nnope = 2\n", encoding="utf-8")
    code, out, err = run("--suggest", "--no-cache")
    assert code == 2 and out == ""
    assert err.startswith("docharness: error: my-catalog.toml")
    assert len(err.strip().splitlines()) == 1


def test_no_docs_project_is_exit_2(project: Path) -> None:
    shutil.rmtree(project / "docs")
    code, _, err = run("--suggest", "--no-cache")
    assert code == 2
    assert err.startswith("docharness: error: ")


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (the shared corpora)")
def test_suggest_on_a_copy_of_the_app_services_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(CORPUS / "app-services", tmp_path / "docs")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.docharness]\ncatalogs = ["app-catalog.toml"]\n', encoding="utf-8"
    )
    (tmp_path / "app-catalog.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--suggest", "--no-cache")
    assert code == 1
    assert out.startswith("# Entries to paste into app-catalog.toml")
    _, total, unexplained = map(
        int, re.search(r"(\d+) of (\d+) steps unbound: \d+ external, (\d+) that", err).groups()
    )
    assert total > 300 and unexplained <= 0.05 * total
    assert 'Select "App Users" from the left navigation menu.' in out
