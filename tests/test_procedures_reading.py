"""Each page is walked right after it is parsed, and its doctree dropped.

A page that links to a page read later is walked again once every title is
known, so the result is what walking with the whole project's titles gives;
only a few doctrees are kept for that second walk. Real parser, small projects
written to a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.procedures import extract_project
from harness.procedures.parallel import ProcessReader, cpu_count
from harness.procedures.project import PAGES_PER_PROCESS, _reading
from harness.procedures.reading import KEEP_DOCTREES, PageReader
from harness.rst import load_project


def _project(root: Path, pages: dict[str, str]) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "snooty.toml").write_text('name = "x"\n', encoding="utf-8")
    for name, text in pages.items():
        (root / f"source/{name}.txt").write_text(text, encoding="utf-8")
    return root


def _step_texts(root: Path, jobs: int = 1) -> dict[str, list[str]]:
    extraction = extract_project(root, jobs=jobs)
    return {
        document.page: [step.text for p in document.procedures for step in p.steps]
        for document in extraction.documents
    }


_LINKING = "Linking\n=======\n\n1. Read :ref:`later-label` and :doc:`zz`.\n2. Read :ref:`twice`.\n"
_TWICE = ".. _twice:\n\nFirst Twice\n===========\n\nText.\n"
_LATER = (
    "Last Page\n=========\n\n.. _later-label:\n\nLater Section\n-------------\n\n"
    ".. _twice:\n\nSecond Twice\n------------\n\nText.\n"
)


def test_links_to_pages_read_later_show_the_titles_of_the_whole_project(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "docs", {"aa": _LINKING, "mm": _TWICE, "zz": _LATER})
    texts = _step_texts(root)
    # Page aa is read first: its first walk knew none of these titles; a label
    # defined twice shows the later page's section, as snooty does.
    assert texts["aa"] == ["Read Later Section and Last Page.", "Read Second Twice."]
    assert _step_texts(root, jobs=2) == texts


def test_a_reader_drops_each_doctree_unless_a_title_was_not_known_yet(tmp_path: Path) -> None:
    pages = {f"p{n:03d}": f"Page {n}\n=======\n\n1. Click :guilabel:`Go`.\n" for n in range(5)}
    linking = "1. Read :doc:`zz`.\n2. Click Go.\n"
    pages.update({f"q{n:03d}": f"Q {n}\n====\n\n{linking}" for n in range(KEEP_DOCTREES + 3)})
    pages["zz"] = "Last\n====\n\nText.\n"
    root = _project(tmp_path / "docs", pages)
    project = load_project(root)
    reader = PageReader(project, track_inputs=False)
    files = project.pages()
    reader.read_all(files[:5], (), lambda done: None)
    assert reader.kept == {}  # p000..p004 asked for no title
    walked = reader.read_all(files[5:], (), lambda done: None)
    assert len(reader.kept) == KEEP_DOCTREES  # at most that many, then parsed again
    assert walked[0].result.titles_used[0].title is None  # zz was not read yet
    titles = [page.read.titles for page in walked]
    again = reader.walk_all(files[5:-1], titles)
    assert reader.kept == {}
    assert {page.result.entries[0].procedure.steps[0].text for page in again} == {"Read Last."}


@pytest.mark.parametrize("pages", [1, PAGES_PER_PROCESS - 1])
def test_auto_jobs_stays_in_this_process_for_a_small_project(
    tmp_path: Path, pages: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))  # every processor idle
    project = load_project(_project(tmp_path / "docs", {"a": "A\n=\n"}))
    with _reading(project, 0, pages, track_inputs=False) as reader:
        assert isinstance(reader, PageReader)


def test_auto_jobs_uses_idle_processors_once_a_project_pays_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cpu_count() < 2:
        pytest.skip("one processor: auto never starts a worker here")
    project = load_project(_project(tmp_path / "docs", {"a": "A\n=\n"}))
    monkeypatch.setattr(os, "getloadavg", lambda: (0.9, 0.0, 0.0))  # only this process runs
    with _reading(project, 0, 2 * PAGES_PER_PROCESS, track_inputs=False) as reader:
        assert isinstance(reader, ProcessReader)
        assert len(reader.workers) == 1  # this process reads too
    busy = float(cpu_count() + 1)  # every processor has work besides this process
    monkeypatch.setattr(os, "getloadavg", lambda: (busy, 0.0, 0.0))
    with _reading(project, 0, 100 * PAGES_PER_PROCESS, track_inputs=False) as reader:
        assert isinstance(reader, PageReader)
