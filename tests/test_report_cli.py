"""``docharness report``: files written, the coverage gate, and clear errors for bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_report_fixtures import SEED, seed_result, unbound_result

from harness.cli import cli, main
from harness.report import ReportError, write_reports
from harness.results import save


@pytest.fixture
def results(tmp_path: Path) -> Path:
    path = tmp_path / "reports" / "results.json"
    save(seed_result(), path)
    return path


def _invoke(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(cli, ["report", *args])
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    return outcome.exit_code, outcome.stdout, outcome.stderr


def test_writes_html_junit_and_cucumber_into_the_output_folder(results: Path) -> None:
    out = results.parent / "out"
    code, _, err = _invoke("--results", str(results), "-o", str(out))
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["cucumber.json", "index.html", "junit.xml"]
    assert "Terminate Realm Sync" in (out / "index.html").read_text(encoding="utf-8")
    case = ET.parse(out / "junit.xml").getroot().find(".//testcase")
    assert case is not None and case.get("file") == SEED
    assert json.loads((out / "cucumber.json").read_text(encoding="utf-8"))[0]["uri"] == SEED
    assert f"docharness: wrote {out / 'index.html'}" in err


def test_no_html_and_explicit_report_paths(results: Path, tmp_path: Path) -> None:
    junit, cucumber = tmp_path / "ci" / "j.xml", tmp_path / "ci" / "c.json"
    out = tmp_path / "out"
    args = ("--no-html", "--junit", str(junit), "--cucumber", str(cucumber), "-o", str(out))
    code, _, _ = _invoke("--results", str(results), *args)
    assert code == 0
    assert junit.is_file() and cucumber.is_file()
    assert not out.exists()


@pytest.mark.parametrize(("fail_under", "code"), [("66.7", 1), ("100", 1), ("66.6", 0), ("0", 0)])
def test_fail_under_gates_on_the_verified_share(results: Path, fail_under: str, code: int) -> None:
    outcome = _invoke(
        "--results", str(results), "-o", str(results.parent), "--fail-under", fail_under
    )
    assert outcome[0] == code
    verdict = "is below" if code else "meets"
    expected = f"verified share 66.7% (14 of 21 steps) {verdict} --fail-under {fail_under}\n"
    assert expected in outcome[2]


def test_coverage_prints_the_table_and_the_unbound_sentences(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    save(unbound_result(), path)
    code, out, _ = _invoke("--results", str(path), "-o", str(tmp_path), "--coverage")
    assert code == 0
    assert "Verified share of steps: 47.6% (10 of 21)" in out
    assert 'docs/source/sync/get-started.txt:44: under "Sync Type"' in out


def test_a_missing_results_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    code, _, err = _invoke("--results", str(missing), "-o", str(tmp_path))
    assert code == 2
    assert err.startswith(f"docharness: error: {missing}: cannot read results")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", ":1: not valid JSON"),
        ('{"schema": "docharness.results/0"}', "expected schema 'docharness.results/1'"),
        ('{"schema": "docharness.results/1", "run": {}}', "malformed results"),
    ],
)
def test_a_malformed_results_file_names_the_path(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "results.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = _invoke("--results", str(path), "-o", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith(f"docharness: error: {path}")
    assert expected in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_main_returns_the_exit_codes(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(results.parent)
    assert main(["report", "--results", str(results), "-o", out, "--fail-under", "90"]) == 1
    assert main(["report", "--results", str(results), "-o", out, "--fail-under", "50"]) == 0
    assert main(["report", "--results", str(results.parent / "x.json"), "-o", out]) == 2
    assert "docharness: error:" in capsys.readouterr().err


def test_a_hand_written_file_is_never_overwritten(results: Path, tmp_path: Path) -> None:
    mine = tmp_path / "junit.xml"
    mine.write_text("<notes>my own file</notes>\n", encoding="utf-8")
    code, _, err = _invoke("--results", str(results), "-o", str(tmp_path))
    assert code == 2
    assert f"docharness: error: {mine}: refusing to overwrite" in err
    assert mine.read_text(encoding="utf-8") == "<notes>my own file</notes>\n"
    assert not (tmp_path / "index.html").exists()  # nothing written when one target is refused


def test_generated_reports_are_replaced_byte_for_byte(tmp_path: Path) -> None:
    first = write_reports(seed_result(), tmp_path)
    before = [p.read_bytes() for p in first]
    second = write_reports(seed_result(), tmp_path)
    assert first == second and [p.read_bytes() for p in second] == before
    write_reports(unbound_result(), tmp_path)
    assert (tmp_path / "index.html").read_bytes() != before[0]


def test_write_reports_refuses_a_foreign_cucumber_file(tmp_path: Path) -> None:
    (tmp_path / "cucumber.json").write_text('{"mine": true}\n', encoding="utf-8")
    with pytest.raises(ReportError, match="refusing to overwrite"):
        write_reports(seed_result(), tmp_path)


def test_defaults_follow_the_reports_folder_of_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.docharness]\nreports = "out"\n', "utf-8")
    save(seed_result(), tmp_path / "out" / "results.json")
    monkeypatch.chdir(tmp_path)
    code, _, err = _invoke()
    assert code == 0, err
    assert (tmp_path / "out" / "index.html").is_file()
    assert not (tmp_path / "reports").exists()
