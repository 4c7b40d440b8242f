"""Reading pages in worker processes gives exactly what one process gives.

Real worker processes and the real corpus; outputs are compared with the
serial run of the same version, byte for byte where a file is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import cli
from harness.gherkin import feature_files
from harness.procedures import extract_project


def test_two_processes_give_the_serial_extraction_of_the_corpus(shared_dir: Path) -> None:
    root = shared_dir / "corpus/app-services"
    serial = extract_project(root)
    calls: list[tuple[int, int]] = []
    parallel = extract_project(
        root, jobs=2, progress=lambda done, total: calls.append((done, total))
    )
    assert parallel == serial
    assert feature_files(parallel) == feature_files(serial)
    total = len(serial.documents)
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})  # only forward


def test_workers_and_cache_together_give_the_serial_extraction(
    shared_dir: Path, tmp_path: Path
) -> None:
    root = shared_dir / "corpus/app-services"
    serial = extract_project(root)
    cache = tmp_path / "cache"
    assert extract_project(root, jobs=2, cache_dir=cache) == serial
    assert extract_project(root, jobs=2, cache_dir=cache) == serial
    assert extract_project(root, jobs=1, cache_dir=cache) == serial


def test_more_workers_than_pages_and_one_per_processor(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "source").mkdir(parents=True)
    (root / "snooty.toml").write_text('name = "x"\n', encoding="utf-8")
    for name in ("a", "b", "c"):
        (root / f"source/{name}.txt").write_text(
            f"Page {name}\n======\n\n1. Click :guilabel:`{name}`.\n2. Click :guilabel:`Go`.\n",
            encoding="utf-8",
        )
    serial = extract_project(root)
    assert extract_project(root, jobs=8) == serial
    assert extract_project(root, jobs=0) == serial
    with pytest.raises(ValueError, match="jobs"):
        extract_project(root, jobs=-1)


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), standalone_mode=False)
    assert result.exception is None, result.exc_info
    return result.return_value, result.stdout, result.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.feature")}


def test_extract_and_lint_with_j2_write_byte_identical_output(
    shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(shared_dir / "corpus/app-services", docs)
    monkeypatch.chdir(tmp_path)
    code, _, _ = _cli("extract", "docs", "-o", "serial", "--no-cache")
    assert code == 0
    code, _, _ = _cli("extract", "docs", "-o", "parallel", "-j", "2", "--no-cache")
    assert code == 0
    assert _files(tmp_path / "parallel") == _files(tmp_path / "serial") != {}
    serial_lint = _cli("lint", "docs", "--no-cache", "--format", "json")
    parallel_lint = _cli("lint", "docs", "-j", "auto", "--no-cache", "--format", "json")
    assert parallel_lint == serial_lint
    assert not (docs / ".docharness-cache").exists()


def test_extract_keeps_its_cache_in_the_current_folder_unless_told(
    tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(repo_root / "docs", tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    assert _cli("extract", "docs", "-o", "features")[0] == 0
    assert list((tmp_path / ".docharness-cache").rglob("*.json"))
    assert not (tmp_path / "docs/.docharness-cache").exists()
    assert _cli("extract", "docs", "-o", "features2", "--cache-dir", "elsewhere")[0] == 0
    assert list((tmp_path / "elsewhere").rglob("*.json"))
    assert _files(tmp_path / "features") == _files(tmp_path / "features2")


def test_a_bad_jobs_value_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(tmp_path), "-j", "many"])
    assert result.exit_code == 2
    assert "not a number of processes" in result.output
