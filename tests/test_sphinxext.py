"""harness.sphinxext: the snooty dialect inside Sphinx, the features builder, result badges.

Every test runs a real Sphinx build in-process into a temporary folder.
"""

from __future__ import annotations

import io
import pickle
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.cmd.build import build_main
from sphinx.errors import ConfigError, SphinxError
from sphinx.util.docutils import docutils_namespace, patch_docutils

from harness.gherkin import write_features
from harness.procedures import extract_project
from harness.procedures.model import Procedure
from harness.results import (
    PageResult,
    ProcedureResult,
    RunInfo,
    RunResult,
    StepResult,
    StepStatus,
    save,
)
from harness.rst import load_project, parse_page
from harness.rst import nodes as snooty

SEED_PAGE = "source/reference/terminating-and-reenabling-realm-sync"
GUIDE_PAGE = "source/sync/get-started"


@dataclass(frozen=True)
class Built:
    out: Path
    doctrees: Path
    status: str
    warnings: str

    def html(self, docname: str) -> str:
        """The page body (the theme's sidebar and footer left out)."""
        text = (self.out / f"{docname}.html").read_text(encoding="utf-8")
        return text[text.index('<div class="body"') : text.index('<div class="sphinxsidebar"')]


def build(
    srcdir: Path, out: Path, builder: str = "html", *, fresh: bool = True, **settings: Any
) -> Built:
    """One in-process Sphinx build; status and warnings captured."""
    status, warnings = io.StringIO(), io.StringIO()
    with patch_docutils(srcdir), docutils_namespace():  # as sphinx-build does
        app = Sphinx(
            srcdir,
            srcdir,
            out / builder,
            out / "doctrees",
            builder,
            confoverrides=settings,
            status=status,
            warning=warnings,
            freshenv=fresh,
        )
        app.build()
    return Built(out / builder, out / "doctrees", status.getvalue(), warnings.getvalue())


def copy_docs(repo_root: Path, tmp_path: Path) -> Path:
    """docs/ (with its conf.py) at ``<tmp>/project/docs``, so ``../reports`` is ours."""
    target = tmp_path / "project" / "docs"
    shutil.copytree(repo_root / "docs", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def paragraph_with(html: str, text: str) -> str:
    """The HTML of the one paragraph that contains ``text``."""
    found = [p for p in re.findall(r"<p[ >].*?</p>", html, re.DOTALL) if text in p]
    assert len(found) == 1, f"{len(found)} paragraphs contain {text!r}"
    return found[0]


# -- sphinx-build -W on docs/ ------------------------------------------------------------


@pytest.fixture(scope="module")
def docs_build(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """``sphinx-build -W -b html docs <out>``, exactly as a writer runs it."""
    out = tmp_path_factory.mktemp("docs-html")
    warnings = out / "warnings.txt"
    arguments = ["-W", "-q", "-N", "-b", "html", "-d", str(out / "doctrees"), "-w", str(warnings)]
    code = build_main([*arguments, str(repo_root / "docs"), str(out / "html")])
    text = warnings.read_text(encoding="utf-8") if warnings.exists() else ""
    assert code == 0, f"sphinx-build -W failed:\n{text}"
    return Built(out / "html", out / "doctrees", "", text)


def test_sphinx_build_with_warnings_as_errors_passes_on_docs(docs_build: Built) -> None:
    assert docs_build.warnings == ""
    assert (docs_build.out / f"{SEED_PAGE}.html").is_file()
    assert (docs_build.out / f"{GUIDE_PAGE}.html").is_file()


def test_html_shows_the_dialect(docs_build: Built) -> None:
    seed = docs_build.html(SEED_PAGE)
    assert '<span class="guilabel">Terminate Sync</span>' in seed
    assert "Realm Sync" in seed and "{+sync+}" not in seed
    assert '<p class="admonition-title">Recovering Unsynchronized Changes' in seed
    # An absent figure shows its alt text; another project's label shows its text.
    assert '<span class="docharness-missing-image">the terminate sync button</span>' in seed
    assert "Client Reset using the Android SDK" in paragraph_with(seed, "Android SDK")
    assert "<a " not in paragraph_with(seed, "Android SDK")
    # :doc: and :ref: to this project's pages are links.
    assert 'href="../sync/get-started.html"' in paragraph_with(seed, "follow the steps")
    assert 'href="../sync/get-started.html#enable-sync"' in paragraph_with(seed, "If you have")
    guide = docs_build.html(GUIDE_PAGE)
    steps = re.findall(r'<li class="docharness-step"><p class="step-title"><strong>(.*?)<', guide)
    # the real 2021 page: its steps come from includes/steps-enable-sync-ui.yaml
    assert steps[:2] == [
        "Navigate to the Realm Sync Panel",
        "Decide Whether to Use Development Mode",
    ]
    assert len(steps) == 5


def test_sphinx_doctrees_hold_the_nodes_harness_rst_makes(
    docs_build: Built, repo_root: Path
) -> None:
    """The same dialect inside Sphinx: every dialect node, its attributes, text and line."""
    project = load_project(repo_root / "docs")
    kinds = (
        snooty.procedure, snooty.step, snooty.step_title, snooty.tabs, snooty.tab,
        snooty.directive, snooty.guilabel, snooty.xref, snooty.unknown_role,
    )  # fmt: skip

    def signature(document: nodes.document) -> list[tuple[Any, ...]]:
        return [
            (
                node.tagname,
                project.relpath(node.source) if node.source else None,
                node.line,
                node.astext(),
                sorted(node.non_default_attributes().items()),
            )
            for node in document.findall(lambda node: isinstance(node, kinds))
        ]

    for page_file in project.pages():
        docname = page_file.relative_to(project.root).with_suffix("").as_posix()
        with (docs_build.doctrees / f"{docname}.doctree").open("rb") as stored:
            in_sphinx = signature(pickle.load(stored))
        assert in_sphinx, docname
        assert in_sphinx == signature(parse_page(project, page_file).document), docname


# -- snooty semantics on a small project ---------------------------------------------------

SNOOTY_TOML = """\
name = "demo"

[constants]
ui = "Demo UI"
cli = ":binary:`demo-cli`"

[substitutions]
product = "Demo *Cloud*"
"""

PAGE = """\
.. _guide-page:

=====
Guide
=====

Uses |product| in the {+ui+}, with {+cli+}.

.. include:: /includes/steps

.. mystery-directive:: argument

   Kept text inside.

Some :nosuchrole:`role text` and {+undeclared+} here.

See :ref:`guide-page`, :doc:`other` and :ref:`elsewhere-label`.

.. include:: note.rst

.. figure:: /images/shown.png
   :alt: a shown picture

.. figure:: /images/absent.png
   :alt: an absent picture
"""

STEPS = """\
.. procedure::

   .. step:: Open the {+ui+}

      Click :guilabel:`Open` in the {+ui+}.
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A snooty project whose conf.py lives beside snooty.toml."""
    root = tmp_path / "demo"
    (root / "source" / "includes").mkdir(parents=True)
    (root / "snooty.toml").write_text(SNOOTY_TOML, encoding="utf-8")
    (root / "conf.py").write_text(
        'extensions = ["harness.sphinxext"]\nroot_doc = "source/guide"\n', encoding="utf-8"
    )
    (root / "source" / "guide.txt").write_text(PAGE, encoding="utf-8")
    (root / "source" / "other.txt").write_text("=====\nOther\n=====\n\nText.\n", encoding="utf-8")
    (root / "source" / "includes" / "steps.rst").write_text(STEPS, encoding="utf-8")
    (root / "source" / "note.rst").write_text("A note beside the page.\n", encoding="utf-8")
    (root / "source" / "images").mkdir()
    (root / "source" / "images" / "shown.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


def test_constants_includes_and_substitutions_follow_snooty(demo: Path, tmp_path: Path) -> None:
    built = build(demo, tmp_path / "out")
    guide = built.html("source/guide")
    assert "Uses Demo <em>Cloud</em> in the Demo UI, with" in guide
    assert '<code class="xref mongodb mongodb-binary' in paragraph_with(guide, "Uses Demo")
    # The include, found from source/ without its extension, with its constants.
    assert "<strong>Open the Demo UI</strong>" in guide
    assert '<span class="guilabel">Open</span> in the Demo UI' in guide
    assert "Kept text inside." in guide
    assert "<p>A note beside the page.</p>" in guide  # relative to the including file
    # Includes are not pages: .rst files, and everything in includes/.
    assert not (built.out / "source" / "includes").exists()
    assert not (built.out / "source" / "note.html").exists()
    links = paragraph_with(guide, "See ")
    assert 'href="#guide-page"' in links and 'href="other.html"' in links
    assert "elsewhere-label" in links and links.count("<a ") == 2
    # Image paths start at source/; an absent image shows its alt text.
    assert '<img alt="a shown picture" src="../_images/shown.png"' in guide
    assert (built.out / "_images" / "shown.png").is_file()
    assert '<span class="docharness-missing-image">an absent picture</span>' in guide


def test_dialect_problems_are_warnings_at_the_written_line(demo: Path, tmp_path: Path) -> None:
    built = build(demo, tmp_path / "out")
    page = demo / "source" / "guide.txt"
    warnings = sorted(built.warnings.strip().splitlines())
    # source/images exists, so an image missing from it is broken for readers
    [image] = [warning for warning in warnings if " DH109 " in warning]
    assert image.startswith(f"{page}:24: WARNING: DH109 figure file not found in the project")
    warnings.remove(image)
    assert len(warnings) == 3, built.warnings
    assert warnings[0].startswith(f"{page}:11: WARNING: DH105 unknown directive")
    assert "mystery-directive" in warnings[0]
    assert warnings[1].startswith(f"{page}:15: WARNING: DH101 undeclared constant {{+undeclared+}}")
    assert warnings[2].startswith(f"{page}:15: WARNING: DH106 unknown role")
    assert ":nosuchrole:" in warnings[2]
    # Another project's label is a note, and the absent image shows its alt text.
    assert f"{page}:17: docharness: :ref:`elsewhere-label` is not in this project" in built.status
    assert f"{page}:24: docharness: image /images/absent.png is not in the project" in built.status


def test_an_edited_include_rebuilds_the_page_that_includes_it(demo: Path, tmp_path: Path) -> None:
    build(demo, tmp_path / "out")
    steps = demo / "source" / "includes" / "steps.rst"
    steps.write_text(STEPS.replace(":guilabel:`Open`", ":guilabel:`Launch`"), encoding="utf-8")
    rebuilt = build(demo, tmp_path / "out", fresh=False)
    assert '<span class="guilabel">Launch</span>' in rebuilt.html("source/guide")


def test_link_roles_link_where_a_url_pattern_is_set(repo_root: Path, tmp_path: Path) -> None:
    docs = copy_docs(repo_root, tmp_path)
    with (docs / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('docharness_link_roles = {"manual": "https://example.com/manual%s"}\n')
    built = build(docs, tmp_path / "out", docharness_results="")
    oplog = paragraph_with(built.html(SEED_PAGE), "oplog")
    assert 'href="https://example.com/manual/core/replica-set-oplog/"' in oplog
    assert built.warnings == ""


def test_no_snooty_toml_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text('extensions = ["harness.sphinxext"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no snooty\.toml in .* or any folder above"):
        build(tmp_path, tmp_path / "out")


def test_a_malformed_snooty_toml_names_its_line(demo: Path, tmp_path: Path) -> None:
    (demo / "snooty.toml").write_text('name = "demo"\n[constants\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"snooty\.toml:2: malformed"):
        build(demo, tmp_path / "out")


# -- the features builder -------------------------------------------------------------------


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_same_features(docs: Path, tmp_path: Path) -> dict[str, bytes]:
    """``-b features`` and ``docharness extract``'s calls write the same files, byte for byte."""
    built = build(docs, tmp_path / "sphinx", "features")
    assert built.warnings == ""
    from_sphinx = built.out
    from_cli = tmp_path / "cli"
    write_features(extract_project(docs), from_cli)
    written = files_under(from_sphinx)
    assert written, "no features written"
    assert set(written) == set(files_under(from_cli))
    assert written == files_under(from_cli)
    return written


def test_features_builder_writes_what_extract_writes(repo_root: Path, tmp_path: Path) -> None:
    assert_same_features(repo_root / "docs", tmp_path)


def test_features_builder_reads_giza_steps_like_extract(
    repo_root: Path, tmp_path: Path, shared_dir: Path
) -> None:
    """The real 2021 Get Started page, whose procedure is a giza step file."""
    docs = copy_docs(repo_root, tmp_path)
    realm = shared_dir / "corpus/realm-2021/source"
    shutil.copy(realm / "sync/get-started.txt", docs / "source/sync/get-started.txt")
    shutil.copy(realm.parent / "snooty.toml", docs / "snooty.toml")  # its 2021 constants
    includes = docs / "source/includes"
    includes.mkdir(exist_ok=True)
    for name in ("steps-enable-sync-ui.yaml", "mongodb-4.4-required-for-sync-admonition.rst"):
        shutil.copy(realm / "includes" / name, includes / name)
    written = assert_same_features(docs, tmp_path)
    assert (
        b"# source/includes/steps-enable-sync-ui.yaml:29\n" in written["sync/get-started.feature"]
    )


def test_features_builder_follows_an_edit(repo_root: Path, tmp_path: Path) -> None:
    docs = copy_docs(repo_root, tmp_path)
    steps = docs / "source" / "includes" / "steps-enable-sync-ui.yaml"
    text = steps.read_text(encoding="utf-8")
    steps.write_text(text.replace("`Enable Sync` to", "`Turn On Sync` to"), encoding="utf-8")
    written = assert_same_features(docs, tmp_path)
    assert b'click "Turn On Sync" to enable sync' in written["sync/get-started.feature"]
    # The seed page follows the guide's steps, so its feature changes too.
    seed = written["reference/terminating-and-reenabling-realm-sync.feature"]
    assert b'click "Turn On Sync" to enable sync' in seed


@pytest.mark.slow
def test_features_builder_matches_extract_on_the_real_corpus(
    shared_dir: Path, tmp_path: Path
) -> None:
    """40 real pages, read in place with no conf.py (``-C``): no warning, the same bytes."""
    corpus = shared_dir / "corpus" / "app-services"
    warnings = tmp_path / "warnings.txt"
    settings = ["-C", "-D", "extensions=harness.sphinxext", "-D", "root_doc=source/functions"]
    options = ["-W", "-q", "-N", "-b", "features", "-d", str(tmp_path / "doctrees")]
    code = build_main([*settings, *options, "-w", str(warnings), str(corpus), str(tmp_path / "s")])
    assert code == 0, warnings.read_text(encoding="utf-8")
    write_features(extract_project(corpus), tmp_path / "cli")
    written = files_under(tmp_path / "s")
    assert len(written) > 30
    assert written == files_under(tmp_path / "cli")


def test_features_builder_never_overwrites_a_hand_written_file(
    repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "features"
    mine = out / "sync" / "get-started.feature"
    mine.parent.mkdir(parents=True)
    mine.write_text("Feature: written by a person\n", encoding="utf-8")
    with pytest.raises(SphinxError, match=r"not overwritten(.|\n)*get-started\.feature"):
        build(repo_root / "docs", tmp_path / "out", "features")
    assert mine.read_text(encoding="utf-8") == "Feature: written by a person\n"
    assert (out / "reference" / "terminating-and-reenabling-realm-sync.feature").is_file()


# -- result badges --------------------------------------------------------------------------

FAILURE = "sync state is 'disabled', the page says 'enabled'"


def results_for(docs: Path, path: Path, last: StepStatus = StepStatus.SKIPPED) -> RunResult:
    """A run of the guide's procedure: step 1 verified, step 2 failed, the rest skipped
    (the last one ``last``)."""
    document = next(d for d in extract_project(docs).documents if d.page == "sync/get-started")
    procedure: Procedure = document.procedures[0]
    statuses = [StepStatus.VERIFIED, StepStatus.FAILED]
    statuses += [StepStatus.SKIPPED] * (len(procedure.steps) - len(statuses) - 1) + [last]
    steps = []
    for step, status in zip(procedure.steps, statuses, strict=True):
        steps.append(
            StepResult(
                keyword="When",
                text=step.text,
                kind=step.kind.value,
                path=f"docs/{step.location.path}",
                line=step.location.line,
                status=status,
                error=FAILURE if status is StepStatus.FAILED else "",
            )
        )
    run = RunResult(
        run=RunInfo(
            mode="replay",
            target="cassettes/",
            started="2025-03-04T09:59:30+00:00",
            finished="2025-03-04T10:00:00+00:00",
        ),
        pages=(
            PageResult(
                page=document.page,
                path=f"docs/{document.path}",
                title=document.title,
                procedures=(
                    ProcedureResult(
                        id=procedure.id,
                        title=procedure.title,
                        feature="features/sync/get-started.feature",
                        feature_line=7,
                        steps=tuple(steps),
                    ),
                ),
            ),
        ),
    )
    save(run, path)
    return run


def test_badges_show_the_run_and_mark_the_failed_step(repo_root: Path, tmp_path: Path) -> None:
    docs = copy_docs(repo_root, tmp_path)
    results = results_for(docs, docs.parent / "reports" / "results.json")  # the default place
    skipped = len(results.all_steps()) - 2
    built = build(docs, tmp_path / "out")
    assert built.warnings == ""
    guide = built.html(GUIDE_PAGE)
    run = paragraph_with(guide, "verified on")
    assert "verified on 2025-03-04 against cassettes/: " in run
    assert '<span class="docharness-badge docharness-failed">failed</span>' in run
    assert f"(1 failed, {skipped} skipped, 1 verified)" in run
    first = paragraph_with(guide, "beneath")
    assert '<span class="docharness-badge docharness-verified">verified</span>' in first
    second = paragraph_with(guide, "presents you with two tabs")
    assert '<span class="docharness-badge docharness-failed">failed</span>' in second
    assert "sync state is &#x27;disabled&#x27;" in second or "sync state is 'disabled'" in second
    assert "docharness-failed" not in paragraph_with(guide, "Follow the instructions")
    assert "verified on" not in built.html(SEED_PAGE)
    assert (built.out / "_static" / "docharness.css").is_file()


def test_an_external_step_gets_its_own_badge(repo_root: Path, tmp_path: Path) -> None:
    docs = copy_docs(repo_root, tmp_path)
    results_for(docs, docs.parent / "reports" / "results.json", last=StepStatus.EXTERNAL)
    built = build(docs, tmp_path / "out")
    assert built.warnings == ""
    sdk = paragraph_with(built.html(GUIDE_PAGE), "client SDK")
    assert '<span class="docharness-badge docharness-external">external</span>' in sdk


def test_no_results_no_badges(repo_root: Path, tmp_path: Path) -> None:
    docs = copy_docs(repo_root, tmp_path)
    built = build(docs, tmp_path / "out")
    assert built.warnings == ""
    for docname in (SEED_PAGE, GUIDE_PAGE):
        html = built.html(docname)
        assert "verified on" not in html
        assert "docharness-badge" not in html


def test_results_setting_names_the_file_or_turns_badges_off(
    repo_root: Path, tmp_path: Path
) -> None:
    docs = copy_docs(repo_root, tmp_path)
    results_for(docs, tmp_path / "elsewhere" / "run.json")
    shown = build(docs, tmp_path / "shown", docharness_results="../../elsewhere/run.json")
    assert "verified on 2025-03-04" in shown.html(GUIDE_PAGE)
    results_for(docs, docs.parent / "reports" / "results.json")
    hidden = build(docs, tmp_path / "hidden", docharness_results="")
    assert "docharness-badge" not in hidden.html(GUIDE_PAGE)


def test_an_unreadable_results_file_is_a_warning_without_badges(
    repo_root: Path, tmp_path: Path
) -> None:
    docs = copy_docs(repo_root, tmp_path)
    results = docs.parent / "reports" / "results.json"
    results.parent.mkdir()
    results.write_text('{"schema": "something else"}', encoding="utf-8")
    built = build(docs, tmp_path / "out")
    assert str(results) in built.warnings and "no result badges" in built.warnings
    assert "docharness-badge" not in built.html(GUIDE_PAGE)
