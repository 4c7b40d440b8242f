"""The page cache: an unchanged project is read from it, any change that alters a
page's output is seen, and a damaged or foreign cache is rebuilt, never trusted.

Every expectation is checked against an extraction without the cache, so the
tests say "same result as reading everything again", not a hard-coded result.
A counting wrapper around the real parser shows which pages were parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.gherkin import feature_files
from harness.procedures import Extraction, extract_project, reading
from harness.procedures.cache import PageCache, fingerprint
from harness.procedures.codec import CodecError, decode, encode
from harness.procedures.inputs import FileStates, page_inputs
from harness.procedures.model import Document, Link, Procedure, SourceLocation, Step, StepKind
from harness.procedures.pages import PageResult
from harness.rst import load_project, parse_page
from harness.rst.codes import MISSING_INCLUDE

CONFIG = 'name = "cache-test"\n\n[constants]\nproduct = "Realm"\n'
STEPS = """Set Up {+product+}
================

.. _setup-steps:

Steps
-----

1. Click :guilabel:`Create`.
2. Click :guilabel:`Save`.

.. include:: /includes/more.rst
"""
MORE = """You have now set up the app.

.. include:: /includes/deep
"""
DEEP = ".. figure:: /images/done.png\n   :alt: The green bar\n"
FOLLOW = """Again
=====

Do It Again
-----------

To do it again, follow the steps in :doc:`/setup`.

Check It
--------

1. Open :ref:`setup-steps` again.
2. Click :guilabel:`Check`.
"""
PAGES = {
    "source/setup.txt": STEPS,
    "source/includes/more.rst": MORE,
    "source/includes/deep.rst": DEEP,
    "source/again.txt": FOLLOW,
    "source/alone.txt": "Alone\n=====\n\n1. Click :guilabel:`A`.\n2. Click :guilabel:`B`.\n",
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    write(root, {"snooty.toml": CONFIG, **PAGES})
    return root


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages the real parser is asked for, by name, in order."""
    seen: list[str] = []

    def counting(project: object, page_file: Path) -> object:
        seen.append(Path(page_file).stem)
        return parse_page(project, page_file)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "parse_page", counting)
    return seen


def cached(root: Path, cache: Path) -> Extraction:
    return extract_project(root, cache_dir=cache)


def assert_same_as_fresh(root: Path, extraction: Extraction) -> None:
    fresh = extract_project(root)
    assert extraction == fresh
    assert feature_files(extraction) == feature_files(fresh)


def test_an_unchanged_project_is_read_from_the_cache(
    project: Path, tmp_path: Path, parsed: list[str]
) -> None:
    cache = tmp_path / "cache"
    first = cached(project, cache)
    assert sorted(parsed) == ["again", "alone", "setup"]
    parsed.clear()
    second = cached(project, cache)
    assert parsed == []
    assert second == first
    assert_same_as_fresh(project, second)


def test_progress_counts_cached_pages_too(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached(project, cache)
    calls: list[tuple[int, int]] = []
    extract_project(
        project, cache_dir=cache, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize(
    ("changed", "text"),
    [
        ("source/includes/more.rst", MORE.replace("set up the app", "set up everything")),
        ("source/includes/deep.rst", DEEP.replace("green", "blue")),
    ],
)
def test_editing_an_include_rereads_the_pages_that_include_it(
    project: Path, tmp_path: Path, parsed: list[str], changed: str, text: str
) -> None:
    cache = tmp_path / "cache"
    before = cached(project, cache)
    parsed.clear()
    write(project, {changed: text})
    after = cached(project, cache)
    assert parsed == ["setup"]
    assert after != before
    assert_same_as_fresh(project, after)


def test_a_borrowed_procedure_follows_an_edit_of_the_page_it_comes_from(
    project: Path, tmp_path: Path, parsed: list[str]
) -> None:
    cache = tmp_path / "cache"
    cached(project, cache)
    parsed.clear()
    write(project, {"source/setup.txt": STEPS.replace("`Save`", "`Keep`")})
    after = cached(project, cache)
    assert parsed == ["setup"]
    [again] = [doc for doc in after.documents if doc.page == "again"]
    assert again.procedures[0].included_from == "setup"
    assert again.procedures[0].steps[1].labels == ("Keep",)
    assert_same_as_fresh(project, after)


def test_a_renamed_section_rewalks_the_pages_whose_links_show_its_title(
    project: Path, tmp_path: Path, parsed: list[str]
) -> None:
    cache = tmp_path / "cache"
    before = cached(project, cache)
    parsed.clear()
    write(project, {"source/setup.txt": STEPS.replace("Steps\n-----", "Clicks\n------")})
    after = cached(project, cache)
    assert sorted(parsed) == ["again", "setup"]  # again.txt is unchanged, its link text is not
    assert after != before
    assert_same_as_fresh(project, after)


def test_a_changed_constant_rereads_every_page_that_uses_it(
    project: Path, tmp_path: Path, parsed: list[str]
) -> None:
    cache = tmp_path / "cache"
    before = cached(project, cache)
    parsed.clear()
    write(project, {"snooty.toml": CONFIG.replace('"Realm"', '"Atlas"')})
    after = cached(project, cache)
    assert sorted(parsed) == ["again", "alone", "setup"]
    assert [doc.title for doc in after.documents if doc.page == "setup"] == ["Set Up Atlas"]
    assert after != before
    assert_same_as_fresh(project, after)


def test_an_include_that_appears_later_is_seen(project: Path, tmp_path: Path) -> None:
    write(
        project,
        {"source/alone.txt": PAGES["source/alone.txt"] + "\n.. include:: /includes/later\n"},
    )
    cache = tmp_path / "cache"
    before = cached(project, cache)
    assert [d.line for d in before.diagnostics if d.code == MISSING_INCLUDE] == [7]
    write(project, {"source/includes/later.txt": "You have now clicked twice.\n"})
    after = cached(project, cache)
    assert [d for d in after.diagnostics if d.code == MISSING_INCLUDE] == []
    assert_same_as_fresh(project, after)


def test_a_new_and_a_removed_page_are_seen(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached(project, cache)
    store = PageCache(load_project(project), cache)
    alone = project / "source/alone.txt"
    assert store.entry_file(alone).is_file()
    alone.unlink()
    write(
        project,
        {"source/new.txt": "New\n===\n\n1. Click :guilabel:`X`.\n2. Click :guilabel:`Y`.\n"},
    )
    after = cached(project, cache)
    assert [doc.page for doc in after.documents] == ["again", "new", "setup"]
    assert not store.entry_file(alone).exists()
    assert_same_as_fresh(project, after)


def _entry(project: Path, cache: Path, page: str = "setup") -> Path:
    return PageCache(load_project(project), cache).entry_file(project / f"source/{page}.txt")


def _resign(body: bytes) -> bytes:
    """A body with a correct header: only what is inside can make it wrong."""
    return b"docharness-extract-cache/1 " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def _edit_entry(change: Callable[[dict[str, object]], None]) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        entry = json.loads(data.partition(b"\n")[2])
        change(entry)
        return _resign(json.dumps(entry).encode())

    return damage


def _set(key: str, value: object) -> Callable[[dict[str, object]], None]:
    return lambda entry: entry.__setitem__(key, value)


def _wrong_step_number(entry: dict[str, object]) -> None:
    result = entry["result"]
    assert isinstance(result, dict)
    result["entries"][0]["procedure"]["steps"][0]["number"] = 1  # an int where a str belongs


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "random bytes": lambda data: os.urandom(len(data)),
    "one flipped byte": lambda data: data[:-10] + bytes([data[-10] ^ 0x01]) + data[-9:],
    "other format": lambda data: data.replace(b"extract-cache/1 ", b"extract-cache/0 ", 1),
    "foreign json": lambda data: _resign(b'{"pages": [], "schema": "something else"}'),
    "not json": lambda data: _resign(b"\x80\x81 not json at all"),
    "deeply nested json": lambda data: _resign(b"[" * 100_000 + b"]" * 100_000),
    "other version": _edit_entry(_set("fingerprint", "0.0.1 docutils 0.1 python (3, 0) x")),
    "other project": _edit_entry(_set("project", "/elsewhere\n")),
    "other page": _edit_entry(_set("path", "source/alone.txt")),
    "missing field": _edit_entry(lambda entry: entry.pop("titles")),
    "extra field": _edit_entry(_set("extra", 1)),
    "wrong type": _edit_entry(_wrong_step_number),
    "unknown severity": _edit_entry(
        lambda entry: entry["result"]["diagnostics"].append(  # type: ignore[index]
            {
                "path": "source/setup.txt",
                "line": 1,
                "column": 1,
                "code": "DH000",
                "severity": "fatal",
                "message": "m",
                "hint": "",
            }
        )
    ),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_or_foreign_entry_is_rebuilt_not_trusted(
    project: Path, tmp_path: Path, parsed: list[str], damage: Callable[[bytes], bytes]
) -> None:
    cache = tmp_path / "cache"
    cached(project, cache)
    entry = _entry(project, cache)
    entry.write_bytes(damage(entry.read_bytes()))
    parsed.clear()
    after = cached(project, cache)
    assert parsed == ["setup"]
    assert_same_as_fresh(project, after)
    store = PageCache(load_project(project), cache)
    assert store.load(project / "source/setup.txt") is not None  # rewritten, valid again


def test_an_entry_with_a_changed_result_and_a_correct_digest_is_used(
    project: Path, tmp_path: Path
) -> None:
    """The digest guards against damage, the checks above against foreign files; an
    entry that passes all of them is what this docharness wrote, and is used as is."""
    cache = tmp_path / "cache"
    cached(project, cache)
    entry = _entry(project, cache)

    def retitle(entry_data: dict[str, object]) -> None:
        result = entry_data["result"]
        assert isinstance(result, dict)
        result["title"] = "Written By The Cache"

    entry.write_bytes(_edit_entry(retitle)(entry.read_bytes()))
    after = cached(project, cache)
    assert [doc.title for doc in after.documents if doc.page == "setup"] == ["Written By The Cache"]


def test_an_unwritable_cache_does_not_stop_extraction(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    assert_same_as_fresh(project, cached(project, blocker))
    assert blocker.read_text(encoding="utf-8") == "a file where the cache folder would be"


def test_the_cache_on_the_corpus_gives_the_uncached_result(
    shared_dir: Path, tmp_path: Path
) -> None:
    root = shared_dir / "corpus/app-services"
    cache = tmp_path / "cache"
    cold = cached(root, cache)
    warm = cached(root, cache)
    assert cold == warm
    assert_same_as_fresh(root, warm)
    assert not (root / ".docharness-cache").exists()


def test_inputs_cover_every_file_a_corpus_page_reads(shared_dir: Path) -> None:
    """Whatever the parser read (every node's source) is among the page's inputs."""
    project = load_project(shared_dir / "corpus/app-services")
    states = FileStates()
    for page_file in project.pages():
        inputs = page_inputs(project, page_file, states)
        assert inputs is not None
        listed = {str(Path(path).resolve()) for path, state in inputs if state}
        document = parse_page(project, page_file).document
        sources = {node.source for node in document.findall() if getattr(node, "source", None)}
        read = {
            str(Path(source.rpartition("internal padding after ")[2]).resolve())
            for source in sources
        }
        assert read <= listed, page_file


def test_inputs_find_includes_in_tables_and_on_the_next_line(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    table = (
        "Page\n====\n\n"
        "+----------------------------------+\n"
        "| .. include:: /includes/cell.rst  |\n"
        "+----------------------------------+\n\n"
        ".. include::\n   /includes/next.rst\n\n"
        ".. csv-table::\n   :file: data.csv\n"
    )
    write(root, {"snooty.toml": CONFIG, "source/page.txt": table})
    project = load_project(root)
    inputs = page_inputs(project, root / "source/page.txt", FileStates())
    assert inputs is not None
    paths = {Path(path).relative_to(root).as_posix() for path, _ in inputs}
    assert {"source/includes/cell.rst", "source/includes/next.rst", "source/data.csv"} <= paths


def test_files_a_page_shows_are_inputs_and_a_url_is_not(tmp_path: Path) -> None:
    """A csv-table URL is never fetched (so nothing but files can change a page); the
    files a csv-table, literalinclude or figure shows are inputs."""
    root = tmp_path / "docs"
    page = (
        "Page\n====\n\n.. csv-table::\n   :url: https://example.invalid/x.csv\n\n"
        ".. csv-table::\n   :file: /data/t.csv\n\n.. literalinclude:: /code/x.js\n\n"
        ".. figure:: /images/a.png\n"
    )
    write(root, {"snooty.toml": CONFIG, "source/page.txt": page, "source/data/t.csv": "a,b\n"})
    project = load_project(root)
    inputs = page_inputs(project, root / "source/page.txt", FileStates())
    assert inputs is not None
    names = {Path(path).relative_to(root).as_posix() for path, _state in inputs}
    assert {"source/data/t.csv", "source/code/x.js", "source/images/a.png"} <= names


def test_the_fingerprint_names_the_version_and_docutils() -> None:
    import docutils

    import harness

    assert fingerprint().startswith(f"{harness.__version__} docutils {docutils.__version__} ")


def test_the_codec_round_trips_the_model() -> None:
    step = Step(
        number="1",
        kind=StepKind.ACTION,
        text='Click "Save"',
        location=SourceLocation("source/p.txt", 3),
        labels=("Save",),
        links=(Link("doc", "x", "X"),),
    )
    procedure = Procedure("p/x", "X", SourceLocation("source/p.txt", 1), (step,), ("X",))
    document = Document("p", "source/p.txt", "P \udcff surrogate", (procedure,))
    data = json.loads(json.dumps(encode(document)))
    assert decode(Document, data) == document


@pytest.mark.parametrize(
    "data",
    [
        {
            "path": "p",
            "line": True,
            "column": 1,
            "code": "c",
            "severity": "error",
            "message": "m",
            "hint": "",
        },
        {
            "path": "p",
            "line": 1.5,
            "column": 1,
            "code": "c",
            "severity": "error",
            "message": "m",
            "hint": "",
        },
        {
            "path": "p",
            "line": 1,
            "column": 1,
            "code": "c",
            "severity": "loud",
            "message": "m",
            "hint": "",
        },
        {"path": "p", "line": 1, "column": 1, "code": "c", "severity": "error", "message": "m"},
        ["p", 1, 1, "c", "error", "m", ""],
        None,
    ],
)
def test_the_codec_refuses_what_is_not_the_type(data: object) -> None:
    from harness.diagnostics import Diagnostic

    with pytest.raises(CodecError):
        decode(Diagnostic, data)


def test_the_codec_refuses_a_result_with_an_unknown_entry_shape() -> None:
    result = {
        "page": "p",
        "path": "source/p.txt",
        "title": "P",
        "labels": [],
        "entries": [{"where": {"sections": [], "tabs": []}, "something": 1}],
        "diagnostics": [],
        "titles_used": [],
    }
    with pytest.raises(CodecError):
        decode(PageResult, result)
