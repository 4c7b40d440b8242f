"""Writing and checking features/: atomic, idempotent, never touching hand-written files."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.gherkin import (
    GENERATED_MARK,
    check_features,
    feature_path,
    is_generated,
    render_document,
    write_features,
)
from harness.procedures import Extraction
from harness.procedures.model import Document, Procedure, SourceLocation, Step, StepKind


def page(name: str, *steps: str) -> Document:
    """A page with one procedure holding one action per text (none: no procedure)."""
    path = f"source/{name}.txt"
    procedures: tuple[Procedure, ...] = ()
    if steps:
        model_steps = tuple(
            Step(str(n), StepKind.ACTION, text, SourceLocation(path, 10 + n))
            for n, text in enumerate(steps, start=1)
        )
        procedures = (Procedure(f"{name}/do", "Do it", SourceLocation(path, 8), model_steps),)
    return Document(page=name, path=path, title=name.title(), procedures=procedures)


def extraction(*documents: Document) -> Extraction:
    return Extraction(root=Path("/docs"), documents=documents, diagnostics=())


HAND_WRITTEN = "Feature: written by a person\n\n  Scenario: mine\n    Given something\n"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_writes_one_file_per_page_with_procedures(tmp_path: Path) -> None:
    docs = (page("a/first", "Click A."), page("b/empty"), page("second", "Click B."))
    result = write_features(extraction(*docs), tmp_path / "features")
    out = tmp_path / "features"
    assert result.written == (out / "a/first.feature", out / "second.feature")
    assert result.unchanged == result.removed == result.refused == ()
    assert tree(out) == {
        "a/first.feature": (render_document(docs[0]) or "").encode(),
        "second.feature": (render_document(docs[2]) or "").encode(),
    }
    assert all(is_generated(path) for path in result.written)


def test_rewriting_the_same_extraction_changes_nothing(tmp_path: Path) -> None:
    docs = extraction(page("a", "Click A."), page("b", "Click B."))
    write_features(docs, tmp_path)
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in tmp_path.rglob("*.feature")}
    result = write_features(docs, tmp_path)
    assert result.written == ()
    assert result.unchanged == (tmp_path / "a.feature", tmp_path / "b.feature")
    assert {p: (p.stat().st_ino, p.read_bytes()) for p in tmp_path.rglob("*.feature")} == before
    assert check_features(docs, tmp_path) == ""


def test_a_changed_page_is_rewritten_and_no_temp_file_is_left(tmp_path: Path) -> None:
    write_features(extraction(page("a", "Click A."), page("b", "Click B.")), tmp_path)
    result = write_features(extraction(page("a", "Click A."), page("b", "Click C.")), tmp_path)
    assert result.written == (tmp_path / "b.feature",)
    assert result.unchanged == (tmp_path / "a.feature",)
    assert "When Click C." in (tmp_path / "b.feature").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.feature", "b.feature"]


def test_stale_generated_files_are_removed_with_their_empty_folders(tmp_path: Path) -> None:
    write_features(extraction(page("keep", "Go."), page("old/deep/gone", "Go.")), tmp_path)
    (tmp_path / "notes.feature").write_text(HAND_WRITTEN)
    (tmp_path / "old" / "README.md").write_text("kept\n")
    result = write_features(extraction(page("keep", "Go."), page("old/deep/gone")), tmp_path)
    assert result.removed == (tmp_path / "old/deep/gone.feature",)
    assert not (tmp_path / "old" / "deep").exists()
    assert (tmp_path / "old" / "README.md").read_text() == "kept\n"
    assert (tmp_path / "notes.feature").read_text() == HAND_WRITTEN
    assert (tmp_path / "keep.feature").exists()


def test_a_hand_written_file_in_the_way_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "a.feature").write_text(HAND_WRITTEN)
    result = write_features(extraction(page("a", "Click A."), page("b", "Click B.")), tmp_path)
    assert result.refused == (tmp_path / "a.feature",)
    assert result.written == (tmp_path / "b.feature",)
    assert (tmp_path / "a.feature").read_text() == HAND_WRITTEN


def test_check_reports_missing_changed_and_stale_files_and_writes_nothing(tmp_path: Path) -> None:
    write_features(extraction(page("changed", "Click A."), page("stale", "Go.")), tmp_path)
    before = tree(tmp_path)
    diff = check_features(extraction(page("changed", "Click B."), page("new", "Start.")), tmp_path)
    assert tree(tmp_path) == before
    changed = (tmp_path / "changed.feature").as_posix()
    new = (tmp_path / "new.feature").as_posix()
    stale = (tmp_path / "stale.feature").as_posix()
    assert f"--- {changed}\n+++ {changed}\n" in diff
    assert "-    When Click A.\n+    When Click B.\n" in diff
    assert f"--- /dev/null\n+++ {new}\n" in diff
    assert "+    When Start.\n" in diff
    assert f"--- {stale}\n+++ /dev/null\n" in diff
    assert f"-{GENERATED_MARK} from source/stale.txt\n" in diff


def test_check_on_a_missing_folder_lists_every_file(tmp_path: Path) -> None:
    diff = check_features(extraction(page("a", "Go."), page("b", "Go.")), tmp_path / "none")
    assert diff.count("--- /dev/null\n") == 2
    assert not (tmp_path / "none").exists()


def test_check_diff_marks_a_missing_final_newline(tmp_path: Path) -> None:
    docs = extraction(page("a", "Go."))
    write_features(docs, tmp_path)
    target = tmp_path / "a.feature"
    target.write_bytes(target.read_bytes().rstrip(b"\n"))
    diff = check_features(docs, tmp_path)
    assert "\\ No newline at end of file\n" in diff
    assert diff.endswith("\n")


def test_page_paths_cannot_leave_the_features_folder() -> None:
    assert feature_path("reference/x").as_posix() == "reference/x.feature"
    with pytest.raises(ValueError, match="would leave"):
        feature_path("../outside")
    with pytest.raises(ValueError, match="would leave"):
        feature_path("/abs/page")
