"""Fuzzing extraction with damaged copies of real pages.

Each example copies one page of ../shared/corpus/app-services (and the includes
it reads) into a scratch project with the corpus's snooty.toml, damages the
page the ways writers and editors do (cut short, stray bytes, lost
indentation, unclosed markup, very deep nesting, very long lines) and extracts
it. Whatever the damage: nothing raises, every diagnostic names a file of the
project and a line that file has, and extracting again (filling the page cache,
then from it) gives the same output.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docutils import nodes
from docutils.statemachine import string2lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.gherkin import feature_files
from harness.procedures import Extraction, extract_project
from harness.procedures.inputs import FileStates, page_inputs
from harness.rst import load_project, parse_page
from harness.rst import nodes as snooty

CORPUS = "corpus/app-services"
# Whole extractions are slow next to hypothesis' usual examples: no deadline.
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]

Mutation = Callable[[bytes], bytes]


@functools.cache
def _corpus(shared: Path) -> tuple[Path, tuple[Path, ...], dict[Path, tuple[Path, ...]]]:
    """The corpus root, its pages, and the files each page reads besides itself."""
    project = load_project(shared / CORPUS)
    states = FileStates()
    reads: dict[Path, tuple[Path, ...]] = {}
    for page in project.pages():
        inputs = page_inputs(project, page, states) or ()
        reads[page] = tuple(Path(path) for path, state in inputs if state and Path(path) != page)
    return project.root, project.pages(), reads


def _scratch(corpus: Path, page: Path, includes: tuple[Path, ...], text: bytes, into: Path) -> Path:
    """A project holding ``text`` where ``page`` was, with the includes it reads."""
    root = into / "docs"
    root.mkdir()
    shutil.copy(corpus / "snooty.toml", root / "snooty.toml")
    for include in includes:
        target = root / include.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(include, target)
    target = root / page.relative_to(corpus)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text)
    return root


def _line_count(path: Path) -> int:
    """Lines as the parser numbers them (docutils splits on every Unicode line break)."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return len(string2lines(text, 8, convert_whitespace=True))


def _check(root: Path, cache: Path) -> Extraction:
    """Extract three times: without the cache, filling it, and from it; all the same."""
    first = extract_project(root)
    again = extract_project(root, cache_dir=cache)
    assert again == first
    assert feature_files(again) == feature_files(first)
    assert extract_project(root, cache_dir=cache) == first
    counts: dict[str, int] = {}
    diagnostics = {*first.diagnostics, *(d for doc in first.documents for d in doc.diagnostics)}
    for diagnostic in diagnostics:
        path = root / diagnostic.path
        assert path.is_file(), diagnostic.format()
        if diagnostic.path not in counts:
            counts[diagnostic.path] = _line_count(path)
        assert 1 <= diagnostic.line <= counts[diagnostic.path] + 1, diagnostic.format()
    for document in first.documents:
        for procedure in document.procedures:
            for location in (procedure.location, *(s.location for s in procedure.steps)):
                assert (root / location.path).is_file(), str(location)
                assert location.line >= 1, str(location)
    return first


# -- mutations ----------------------------------------------------------------------


def _at(data: st.DataObject, text: bytes) -> int:
    return data.draw(st.integers(0, len(text)), label="position")


def _line_start(data: st.DataObject, text: bytes) -> int:
    starts = [0, *(i + 1 for i, byte in enumerate(text) if byte == 0x0A)]
    return data.draw(st.sampled_from(starts), label="line")


def truncate(data: st.DataObject, text: bytes) -> bytes:
    return text[: _at(data, text)]


def random_bytes(data: st.DataObject, text: bytes) -> bytes:
    where = _at(data, text)
    noise = data.draw(st.binary(min_size=1, max_size=64), label="bytes")
    return text[:where] + noise + text[where:]


def dedent(data: st.DataObject, text: bytes) -> bytes:
    lines = text.split(b"\n")
    first = data.draw(st.integers(0, max(len(lines) - 1, 0)), label="first line")
    count = data.draw(st.integers(1, 40), label="lines")
    for index in range(first, min(first + count, len(lines))):
        lines[index] = lines[index].lstrip(b" \t")
    return b"\n".join(lines)


UNBALANCED = (
    b"**", b"*", b"`", b"``", b":guilabel:`", b":guilabel:`Save", b":doc:`", b":ref:`x <",
    b"|", b"|sub", b"_`", b"[#]_", b".. ", b".. step::", b"{+", b"{+nothing-declared+}",
    b"\n1. ", b"\n#. ", b"\n.. procedure::\n", b"\n.. include:: /includes/\n", b"\\",
)  # fmt: skip


def unbalanced(data: st.DataObject, text: bytes) -> bytes:
    where = _at(data, text)
    return text[:where] + data.draw(st.sampled_from(UNBALANCED), label="markup") + text[where:]


MUTATIONS = {
    "truncate": truncate,
    "random bytes": random_bytes,
    "dedent": dedent,
    "unbalanced": unbalanced,
}


# For each construct: how far each level is indented past the last, and its lines.
NESTING = {
    "directives": (3, ["{pad}.. note::", "", "{pad}   Level {n}.", ""]),
    "procedures": (
        6,
        [
            "{pad}.. procedure::", "",
            "{pad}   .. step:: Step {n}", "",
            "{pad}      Click :guilabel:`Level {n}`.", "",
        ],
    ),
    "lists": (4, ["{pad}{n}. Click :guilabel:`Level {n}`.", ""]),
    "bullets": (2, ["{pad}- Level {n}", ""]),
    "tabs": (
        6,
        [
            "{pad}.. tabs::", "",
            "{pad}   .. tab:: T{n}", "{pad}      :tabid: t{n}", "",
            "{pad}      Level {n}.", "",
        ],
    ),
}  # fmt: skip


def _nested(kind: str, depth: int) -> bytes:
    """``depth`` levels of one construct, each inside the last."""
    step, template = NESTING[kind]
    lines = [
        line.format(pad=" " * (step * level), n=level + 1)
        for level in range(depth)
        for line in template
    ]
    return ("\n".join(lines) + "\n").encode()


# -- tests --------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(data=st.data())
def test_damaged_pages_never_crash_and_diagnose_real_lines(
    shared_dir: Path, data: st.DataObject
) -> None:
    corpus, pages, reads = _corpus(shared_dir)
    page = data.draw(st.sampled_from(pages), label="page")
    text = page.read_bytes()
    for name in data.draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3)):
        text = MUTATIONS[name](data, text)
    with tempfile.TemporaryDirectory() as scratch:
        _check(_scratch(corpus, page, reads[page], text, Path(scratch)), Path(scratch) / "cache")


@settings(max_examples=20, deadline=None, suppress_health_check=SLOW)
@given(
    data=st.data(),
    kind=st.sampled_from(sorted(NESTING)),
)
def test_fifty_levels_of_nesting_are_read_or_reported(
    shared_dir: Path, data: st.DataObject, kind: str
) -> None:
    corpus, pages, reads = _corpus(shared_dir)
    page = data.draw(st.sampled_from(pages), label="page")
    text = page.read_bytes()
    where = _line_start(data, text)
    text = text[:where] + b"\n" + _nested(kind, 50) + b"\n" + text[where:]
    with tempfile.TemporaryDirectory() as scratch:
        _check(_scratch(corpus, page, reads[page], text, Path(scratch)), Path(scratch) / "cache")


HUGE = (
    b"word " * 20_000,
    b"Click :guilabel:`" + b"x" * 100_000,
    b"**" + b"bold " * 20_000,
    b"``" + b"`" * 100_000,
    b"1. " + b"Click :guilabel:`Save` and " * 4_000,
    b"=" * 100_000,
    b"{+" * 50_000,
    b"|" * 100_000,
)


@settings(max_examples=15, deadline=None, suppress_health_check=SLOW)
@given(data=st.data(), line=st.sampled_from(HUGE))
def test_lines_of_a_hundred_thousand_characters(
    shared_dir: Path, data: st.DataObject, line: bytes
) -> None:
    corpus, pages, reads = _corpus(shared_dir)
    page = data.draw(st.sampled_from(pages), label="page")
    text = page.read_bytes()
    where = _line_start(data, text)
    text = text[:where] + line + b"\n\n" + text[where:]
    with tempfile.TemporaryDirectory() as scratch:
        _check(_scratch(corpus, page, reads[page], text, Path(scratch)), Path(scratch) / "cache")


def test_the_corpus_itself_passes_the_same_checks(shared_dir: Path, tmp_path: Path) -> None:
    """The undamaged corpus meets what the fuzz tests demand of damaged pages."""
    extraction = _check(shared_dir / CORPUS, tmp_path / "cache")
    assert extraction.documents


NESTED_NODE = {
    "directives": nodes.admonition,
    "procedures": snooty.procedure,
    "lists": nodes.enumerated_list,
    "bullets": nodes.bullet_list,
    "tabs": snooty.tabs,
}


@pytest.mark.parametrize("kind", sorted(NESTING))
def test_fifty_levels_are_read_as_fifty_levels(tmp_path: Path, kind: str) -> None:
    """The nesting the fuzz test inserts is read, not cut short: fifty levels deep."""
    root = tmp_path / "docs"
    (root / "source").mkdir(parents=True)
    (root / "snooty.toml").write_text('name = "deep"\n', encoding="utf-8")
    (root / "source/page.txt").write_bytes(b"Deep\n====\n\n" + _nested(kind, 50))
    document = parse_page(load_project(root), root / "source/page.txt").document
    kind_node = NESTED_NODE[kind]

    def depth(node: nodes.Node) -> int:
        found = 0
        while node is not None:
            found += isinstance(node, kind_node)
            node = node.parent
        return found

    assert max(depth(node) for node in document.findall(kind_node)) == 50
