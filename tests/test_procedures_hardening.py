"""Documents are untrusted input: ids and paths stay in their folders, nothing is
fetched or read from outside the project, and no page can hang or exhaust a run."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.gherkin import feature_files, write_features
from harness.gherkin.files import inside
from harness.procedures import extract_project
from harness.rst import load_project, parse_page
from harness.rst import parse as rst_parse

ESCAPE = "../../../../../../escape"


def project(root: Path, pages: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "snooty.toml").write_text('name = "t"\n', encoding="utf-8")
    for name, text in pages.items():
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def tabbed(tabid: str, title: str = "Do It") -> str:
    return (
        f"Guide\n=====\n\n{title}\n{'-' * max(len(title), 1)}\n\n.. tabs::\n\n"
        f"   .. tab:: UI\n      :tabid: {tabid}\n\n"
        "      1. Click :guilabel:`A`.\n      2. Click :guilabel:`B`.\n"
    )


def test_a_tab_id_cannot_walk_out_of_the_project(tmp_path: Path) -> None:
    root = project(tmp_path / "docs", {"page.txt": tabbed(ESCAPE)})
    [document] = extract_project(root).documents
    [procedure] = document.procedures
    assert procedure.id == "page/do-it/escape"
    out = tmp_path / "out" / "features"
    write_features(extract_project(root), out)
    text = (out / "page.feature").read_text(encoding="utf-8")
    assert "@tab:escape" in text and ".." not in text.split("Feature:")[1].split("Scenario")[0]
    assert not (tmp_path / "escape.yaml").exists()


_ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tabid=_ANY_TEXT, title=_ANY_TEXT, label=_ANY_TEXT)
def test_ids_and_paths_from_any_unicode_stay_in_their_folders(
    tmp_path_factory: pytest.TempPathFactory, tabid: str, title: str, label: str
) -> None:
    """Property: whatever a writer puts in a tab id, a section title or a label, the
    procedure ids (which name cassettes) and feature paths never leave their folder."""
    tabid, title = tabid.strip() or "x", title.strip().replace("`", "") or "x"
    label = "".join(c for c in label if c.isalnum()) or "x"
    root = tmp_path_factory.mktemp("docs")
    page = f".. _{label}:\n\n" + tabbed(tabid.replace("\\", ""), title)
    project(root, {"page.txt": page})
    extraction = extract_project(root)
    folder = (root / "cassettes").resolve()
    for document in extraction.documents:
        for procedure in document.procedures:
            parts = PurePosixPath(procedure.id).parts
            assert ".." not in parts and "." not in parts and procedure.id.isascii()
            assert (folder / f"{procedure.id}.yaml").resolve().is_relative_to(folder)
    for feature in feature_files(extraction):
        assert inside(feature.relative_path)
        for line in feature.text.splitlines():
            if line.strip().startswith("@"):
                for tag in line.split():
                    assert ".." not in tag.split(":", 1)[1].split("/")


def test_csv_table_files_outside_the_project_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("TOPSECRET,1\n", encoding="utf-8")
    inside_csv = "Field,Value\nname,a\n"
    text = (
        f"Page\n====\n\n.. csv-table::\n   :file: {secret}\n\n"
        ".. csv-table::\n   :file: ../../secret.csv\n\n"
        ".. csv-table::\n   :header-rows: 1\n   :file: /data/t.csv\n"
    )
    root = project(tmp_path / "docs", {"page.txt": text, "data/t.csv": inside_csv})
    parsed = parse_page(load_project(root), root / "source/page.txt")
    shown = parsed.document.astext() + " ".join(d.message for d in parsed.diagnostics)
    assert "TOPSECRET" not in shown
    assert "name" in parsed.document.astext()  # the project's own file is read


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"a,b\n")

        def log_message(self, *args: object) -> None:
            return

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/x.csv", hits
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_is_fetched_for_a_document(
    tmp_path: Path, counting_server: tuple[str, list[str]]
) -> None:
    url, hits = counting_server
    text = f"Page\n====\n\n.. csv-table::\n   :url: {url}\n\n.. raw:: html\n   :url: {url}\n"
    root = project(tmp_path / "docs", {"page.txt": text})
    extraction = extract_project(root)
    assert hits == []
    assert [d.code for d in extraction.diagnostics if d.code == "DH110"] == ["DH110"]


def test_a_symlinked_page_outside_the_project_is_reported_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Leak\n====\n\n|x|\n\n.. |x| replace:: LEAKED-TEXT\n", encoding="utf-8")
    root = project(tmp_path / "docs", {"page.txt": "Page\n====\n\nText.\n"})
    (root / "source" / "linked.txt").symlink_to(outside)
    extraction = extract_project(root)
    assert [d.page for d in extraction.documents] == ["page"]
    [problem] = [d for d in extraction.diagnostics if d.code == "DH209"]
    assert problem.path == "source/linked.txt"
    assert all("LEAKED" not in d.message for d in extraction.diagnostics)


def test_concurrent_extracts_into_one_folder_with_stale_files(tmp_path: Path) -> None:
    root = project(tmp_path / "docs", {"page.txt": tabbed("ui")})
    out = tmp_path / "features"
    for index in range(300):
        stale = out / f"old{index}" / "stale.feature"
        stale.parent.mkdir(parents=True)
        stale.write_text("# Generated by docharness from x\n", encoding="utf-8")
    command = [sys.executable, "-m", "harness", "extract", str(root), "-o", str(out), "--no-cache"]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.feature")) == ["page.feature"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_in_the_docs_and_the_cache_are_skipped(tmp_path: Path) -> None:
    root = project(tmp_path / "docs", {"page.txt": "Page\n====\n\n.. include:: /pipe.rst\n"})
    os.mkfifo(root / "source" / "fifo.txt")
    os.mkfifo(root / "source" / "pipe.rst")
    cache = tmp_path / "cache"
    first = [sys.executable, "-m", "harness", "extract", str(root), "-o", str(tmp_path / "f")]
    subprocess.run([*first, "--cache-dir", str(cache)], timeout=120, check=True)
    for entry in list(cache.rglob("*.json")):  # every cache and manifest file a FIFO
        entry.unlink()
        os.mkfifo(entry)
    done = subprocess.run([*first, "--cache-dir", str(cache)], timeout=120, capture_output=True)
    assert done.returncode == 0, done.stderr


def test_a_large_deeply_nested_page_is_not_read(tmp_path: Path) -> None:
    lines = ["Big", "===", ""]
    depth = 0
    while sum(map(len, lines)) < 800_000:
        lines += ["  " * (depth % 150) + "- " + "word " * 30, ""]
        depth += 1
    root = project(tmp_path / "docs", {"page.txt": "\n".join(lines)})
    parsed = parse_page(load_project(root), root / "source/page.txt")
    [problem] = parsed.diagnostics
    assert (problem.code, problem.line) == ("DH006", 1)
    assert "nested" in problem.message


def test_a_page_that_takes_too_long_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "Page\n====\n\n" + "".join(f"{i}. Click :guilabel:`B{i}`.\n" for i in range(1, 4000))
    root = project(tmp_path / "docs", {"page.txt": body})
    monkeypatch.setattr(rst_parse, "PAGE_SECONDS", 0.001)
    parsed = parse_page(load_project(root), root / "source/page.txt")
    assert [d.code for d in parsed.diagnostics] == ["DH007"]
    assert parsed.document.children == []


def test_the_time_limit_interrupts_and_restores_the_previous_handler() -> None:
    started = time.monotonic()
    with pytest.raises(rst_parse.PageTimeout), rst_parse.time_limit(0.05):
        time.sleep(5)
    assert time.monotonic() - started < 2
    with rst_parse.time_limit(5):
        pass  # no alarm left pending
    time.sleep(0.01)


def test_a_hand_edited_id_tag_cannot_name_a_cassette_outside_its_folder(tmp_path: Path) -> None:
    from harness.plugin.cassettes import cassette_path

    folder = (tmp_path / "cassettes").resolve()
    for scenario_id in ("../../escape", "/etc/passwd", "..\\..\\x", "a/../../b", ""):
        assert cassette_path(folder, scenario_id).resolve().is_relative_to(folder)
    assert cassette_path(folder, "page/do-it/ui") == folder / "page/do-it/ui.yaml"
