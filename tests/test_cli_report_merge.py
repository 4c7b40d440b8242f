"""``docharness report --merge DIR...``: the shards of one run, reported as one."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from harness.cli import cli
from harness.results import (
    PageResult,
    ProcedureResult,
    RunInfo,
    RunResult,
    StepResult,
    StepStatus,
    load,
    save,
)


def _shard(folder: Path, page: str, status: StepStatus, started: str) -> Path:
    step = StepResult("When", "click", "action", f"docs/{page}.txt", 3, status)
    procedure = ProcedureResult(f"{page}/p", "P", f"features/{page}.feature", 4, (step,))
    result = RunResult(
        RunInfo("replay", "cassettes/", started, started.replace(":00+", ":30+")),
        (PageResult(page, f"docs/{page}.txt", page.title(), (procedure,)),),
    )
    save(result, folder / "results.json")
    return folder


def _report(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(cli, ["report", *args])
    return done.exit_code, done.output


def test_merged_shards_give_one_report_set_with_the_run_verdict(tmp_path: Path) -> None:
    one = _shard(tmp_path / "s1", "b", StepStatus.VERIFIED, "2026-01-01T00:01:00+00:00")
    two = _shard(tmp_path / "s2", "a", StepStatus.VERIFIED, "2026-01-01T00:00:00+00:00")
    out = tmp_path / "out"
    code, output = _report("--merge", str(one), str(two), "-o", str(out))
    assert code == 0, output
    merged = load(out / "results.json")
    assert [page.page for page in merged.pages] == ["a", "b"]
    assert (merged.run.started, merged.run.finished) == (
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:01:30+00:00",
    )
    for name in ("index.html", "junit.xml", "cucumber.json"):
        assert (out / name).is_file()
    failed = _shard(tmp_path / "s3", "c", StepStatus.FAILED, "2026-01-01T00:00:00+00:00")
    code, output = _report("--merge", str(one), str(two), str(failed), "-o", str(out))
    assert code == 1, output
    assert 'failures="1"' in (out / "junit.xml").read_text(encoding="utf-8")


def test_overlapping_shards_are_refused(tmp_path: Path) -> None:
    one = _shard(tmp_path / "s1", "a", StepStatus.VERIFIED, "2026-01-01T00:00:00+00:00")
    again = _shard(tmp_path / "s2", "a", StepStatus.VERIFIED, "2026-01-01T00:00:00+00:00")
    code, output = _report("--merge", str(one), str(again), "-o", str(tmp_path / "out"))
    assert code == 2
    assert "overlap" in output
    assert not (tmp_path / "out/results.json").exists()


def test_a_shard_without_results_is_exit_2(tmp_path: Path) -> None:
    one = _shard(tmp_path / "s1", "a", StepStatus.VERIFIED, "2026-01-01T00:00:00+00:00")
    (tmp_path / "s2").mkdir()
    code, output = _report("--merge", str(one), str(tmp_path / "s2"), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "s2/results.json: cannot read results" in output


def test_merge_needs_folders_and_folders_need_merge(tmp_path: Path) -> None:
    one = _shard(tmp_path / "s1", "a", StepStatus.VERIFIED, "2026-01-01T00:00:00+00:00")
    assert _report("--merge", "-o", str(tmp_path / "o"))[0] == 2
    assert _report(str(one), "-o", str(tmp_path / "o"))[0] == 2
