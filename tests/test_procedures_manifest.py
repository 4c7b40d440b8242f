"""The warm path of ``docharness extract``: taken only when nothing at all changed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import harness
import harness.procedures
from harness.cli import cli
from harness.procedures import manifest

_PAGE = """\
=====
Title
=====

Configure
---------

.. procedure::

   .. step:: Open the settings

      Click :guilabel:`{+button+}`.

   .. step:: Finish

      .. include:: /includes/finish.rst
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    docs = tmp_path / "docs"
    (docs / "source/includes").mkdir(parents=True)
    (docs / "snooty.toml").write_text('name = "t"\n[constants]\nbutton = "Save Draft"\n')
    (docs / "source/index.txt").write_text(_PAGE, encoding="utf-8")
    (docs / "source/includes/finish.rst").write_text("Click :guilabel:`Deploy`.\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


Extract = Callable[..., tuple[int, str, int]]


@pytest.fixture
def extract(monkeypatch: pytest.MonkeyPatch) -> Extract:
    """Run ``docharness extract docs -o features``: (exit code, stderr, pages read)."""
    from harness.procedures.project import extract_project

    def run(*extra: str) -> tuple[int, str, int]:
        calls: list[Any] = []

        def counted(*args: Any, **kwargs: Any) -> Any:
            calls.append(args)
            return extract_project(*args, **kwargs)

        monkeypatch.setattr(harness.procedures, "extract_project", counted, raising=False)
        result = CliRunner().invoke(cli, ["extract", "docs", "-o", "features", *extra])
        return result.exit_code, result.stderr, len(calls)

    return run


def _feature(project: Path) -> str:
    return (project / "features/index.feature").read_text(encoding="utf-8")


def test_a_second_run_reads_nothing_and_prints_the_same(project: Path, extract: Extract) -> None:
    code, first, read = extract()
    assert (code, read) == (0, 1)
    code, second, read = extract()
    assert (code, read) == (0, 0)
    assert first.replace("1 files written, 0 unchanged", "0 files written, 1 unchanged") == second
    code, checked, read = extract("--check")
    assert (code, read) == (0, 0)
    assert "is up to date" in checked or code == 0


def test_without_a_cache_there_is_no_warm_path(project: Path, extract: Extract) -> None:
    extract("--no-cache")
    assert extract("--no-cache")[2] == 1


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: _edit(p / "docs/source/index.txt", "Open the", "Open all the"), "Open all the"),
        (lambda p: _edit(p / "docs/source/includes/finish.rst", "Deploy", "Ship"), '"Ship"'),
        (lambda p: _edit(p / "docs/snooty.toml", "Save Draft", "Keep"), '"Keep"'),
    ],
    ids=["page", "include", "snooty.toml"],
)
def test_a_changed_input_is_read_again(
    project: Path, extract: Extract, change: Callable[[Path], None], expected: str
) -> None:
    extract()
    change(project)
    code, _, read = extract()
    assert (code, read) == (0, 1)
    assert expected in _feature(project)


def test_a_new_page_is_read(project: Path, extract: Extract) -> None:
    extract()
    (project / "docs/source/other.txt").write_text(_PAGE.replace("Title", "Other"))
    assert extract()[2] == 1
    assert (project / "features/other.feature").is_file()


def test_another_docharness_version_reads_again(
    project: Path, extract: Extract, monkeypatch: pytest.MonkeyPatch
) -> None:
    extract()
    monkeypatch.setattr(harness, "__version__", "999")
    manifest.fingerprint.cache_clear()
    try:
        assert extract()[2] == 1
    finally:
        manifest.fingerprint.cache_clear()


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.write_text(f.read_text() + "\n# edited\n"),
        lambda f: f.unlink(),
        lambda f: (f.parent / "stale.feature").write_text(f.read_text()),
    ],
    ids=["edited", "deleted", "stale file added"],
)
def test_a_changed_output_is_made_current_again(
    project: Path, extract: Extract, change: Callable[[Path], object]
) -> None:
    extract()
    expected = _feature(project)
    change(project / "features/index.feature")
    code, _, read = extract()
    assert (code, read) == (0, 1)
    assert _feature(project) == expected
    assert not (project / "features/stale.feature").exists()


def test_a_csv_table_reading_a_file_never_takes_the_warm_path(
    project: Path, extract: Extract
) -> None:
    _edit(
        project / "docs/source/index.txt",
        "Configure\n---------\n",
        "Configure\n---------\n\n.. csv-table:: T\n   :file: data.csv\n",
    )
    (project / "docs/source/data.csv").write_text("a,b\n")
    extract()
    assert extract()[2] == 1


def test_a_damaged_manifest_is_ignored(project: Path, extract: Extract) -> None:
    extract()
    (entry,) = (project / ".docharness-cache/manifest").iterdir()
    entry.write_text("{not json")
    assert extract()[2] == 1
    assert extract()[2] == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_where_the_manifest_belongs_is_not_read(project: Path, extract: Extract) -> None:
    extract()
    (entry,) = (project / ".docharness-cache/manifest").iterdir()
    entry.unlink()
    os.mkfifo(entry)
    assert (
        manifest.WarmPath(
            project / ".docharness-cache", project / "docs", project / "features"
        ).replay()
        is None
    )
