"""Giza YAML: generated step and extract includes, read as snooty reads them, with
every step pointing at the YAML file and line a writer edits."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.diagnostics import Severity
from harness.procedures import Extraction, extract_project
from harness.procedures.model import Document

STEPS = """\
title: Open the Panel
ref: open
content: |
  Click :guilabel:`Sync` in the {+ui+}.
---
title: Configure It
ref: configure
pre: |
  Before you start, read this.
content: |
  Follow the instructions.

  1. Pick a cluster.
  #. Name a database.
---
title: Run the Tool
ref: run
action:
  heading: Run the command
  language: bash
  code: |
    realm-cli push
post: |
  The command prints the deployment.
"""

REUSE = """\
source:
  file: steps-base.yaml
  ref: open
title: Open the Other Panel
---
inherit:
  file: steps-base.yaml
  ref: templated
replacement:
  thing: "Triggers"
"""

BASE = """\
title: Open the Panel
ref: open
content: |
  Click :guilabel:`Sync`.
---
title: Open {{thing}}
ref: templated
content: |
  Click :guilabel:`{{thing}}`.
"""

EXTRACTS = """\
ref: shared-note
content: |
  Click :guilabel:`Save` to keep it.
"""


def project(root: Path, pages: dict[str, str], includes: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    (root / "snooty.toml").write_text('name = "t"\n[constants]\nui = "Realm UI"\n')
    for name, text in pages.items():
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    folder = root / "source" / "includes"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in includes.items():
        (folder / name).write_text(text, encoding="utf-8")
    return root


def only_page(extraction: Extraction, page: str = "guide") -> Document:
    return next(d for d in extraction.documents if d.page == page)


def test_a_steps_file_becomes_a_procedure_at_the_yaml_lines(tmp_path: Path) -> None:
    page = "Guide\n=====\n\nDo It\n-----\n\n.. include:: /includes/steps/demo.rst\n"
    root = project(tmp_path / "docs", {"guide.txt": page}, {"steps-demo.yaml": STEPS})
    extraction = extract_project(root)
    [procedure] = only_page(extraction).procedures
    found = [(step.number, step.title, step.text, str(step.location)) for step in procedure.steps]
    yaml = "source/includes/steps-demo.yaml"
    assert found == [
        ("1", "Open the Panel", 'Click "Sync" in the Realm UI.', f"{yaml}:4"),
        ("2", "Configure It", "Before you start, read this.", f"{yaml}:9"),
        ("2.1", "", "Pick a cluster.", f"{yaml}:13"),
        ("2.2", "", "Name a database.", f"{yaml}:14"),
        ("3", "Run the Tool", "Run the command", f"{yaml}:19"),
    ]
    # the action's code is the step's code, at its own line; the post text follows
    [code] = procedure.steps[4].code
    assert (code.text, code.language, code.location.line) == ("realm-cli push", "bash", 22)
    assert [b.kind for b in procedure.steps[4].body] == ["code", "paragraph"]
    assert extraction.diagnostics == ()


def test_source_and_inherit_reuse_another_files_step(tmp_path: Path) -> None:
    page = "Guide\n=====\n\nDo It\n-----\n\n.. include:: /includes/steps/reuse.rst\n"
    includes = {"steps-reuse.yaml": REUSE, "steps-base.yaml": BASE}
    extraction = extract_project(project(tmp_path / "docs", {"guide.txt": page}, includes))
    [procedure] = only_page(extraction).procedures
    assert [(s.title, s.text, str(s.location)) for s in procedure.steps] == [
        # the title is overridden; the content comes from the base file, at its line
        ("Open the Other Panel", 'Click "Sync".', "source/includes/steps-base.yaml:4"),
        ("Open Triggers", 'Click "Triggers".', "source/includes/steps-base.yaml:9"),
    ]


def test_a_missing_reused_ref_is_reported_at_the_yaml_line(tmp_path: Path) -> None:
    page = "Guide\n=====\n\n.. include:: /includes/steps/reuse.rst\n"
    broken = "source:\n  file: steps-base.yaml\n  ref: nowhere\ntitle: T\n"
    includes = {"steps-reuse.yaml": broken, "steps-base.yaml": BASE}
    extraction = extract_project(project(tmp_path / "docs", {"guide.txt": page}, includes))
    [problem] = [d for d in extraction.diagnostics if d.code == "DH108"]
    assert (problem.path, problem.line) == ("source/includes/steps-reuse.yaml", 1)
    assert "nowhere" in problem.message


def test_malformed_yaml_is_an_error_at_its_line(tmp_path: Path) -> None:
    page = "Guide\n=====\n\n.. include:: /includes/steps/bad.rst\n"
    bad = "title: One\ncontent: |\n  Text.\n---\ntitle: [unclosed\n"
    extraction = extract_project(
        project(tmp_path / "docs", {"guide.txt": page}, {"steps-bad.yaml": bad})
    )
    [problem] = [d for d in extraction.diagnostics if d.code == "DH108"]
    assert (problem.path, problem.severity) == ("source/includes/steps-bad.yaml", Severity.ERROR)
    assert problem.line >= 5
    assert not [d for d in extraction.diagnostics if d.code == "DH103"]


def test_extracts_and_includes_paths_without_a_slash(tmp_path: Path) -> None:
    """``includes/...`` is read from source/ (snooty), not from the including page's folder;
    ``/includes/extracts/X.rst`` is the extract whose ref is X."""
    page = (
        "Guide\n=====\n\nDo It\n-----\n\n1. Open the page.\n"
        "2. Follow this:\n\n   .. include:: /includes/extracts/shared-note.rst\n\n"
        ".. include:: includes/plain.rst\n"
    )
    includes = {"extracts-misc.yaml": EXTRACTS, "plain.rst": "3. Click :guilabel:`Done`.\n"}
    root = project(tmp_path / "docs", {"deep/guide.txt": page}, includes)
    extraction = extract_project(root)
    [procedure] = only_page(extraction, "deep/guide").procedures
    assert [s.text for s in procedure.steps] == [
        "Open the page.",
        "Follow this:",
        'Click "Done".',
    ]
    [note] = procedure.steps[1].body
    assert (note.text, str(note.location)) == (
        'Click "Save" to keep it.',
        "source/includes/extracts-misc.yaml:3",
    )
    assert not [d for d in extraction.diagnostics if d.code == "DH103"]


def test_the_real_get_started_page_of_2021(shared_dir: Path, tmp_path: Path) -> None:
    """../shared/corpus/realm-2021: Get Started with Sync is a giza step file with a
    numbered sub-list in "Configure Sync" and an SDK step at the end."""
    root = tmp_path / "realm"
    shutil.copytree(shared_dir / "corpus/realm-2021", root)
    extraction = extract_project(root)
    [procedure] = only_page(extraction, "sync/get-started").procedures
    yaml = "source/includes/steps-enable-sync-ui.yaml"
    assert [(s.number, s.title, str(s.location)) for s in procedure.steps] == [
        ("1", "Navigate to the Realm Sync Panel", f"{yaml}:4"),
        ("2", "Decide Whether to Use Development Mode", f"{yaml}:11"),
        ("3", "Configure Sync", f"{yaml}:27"),
        ("3.1", "", f"{yaml}:29"),
        ("3.2", "", f"{yaml}:30"),
        ("3.3", "", f"{yaml}:31"),
        ("3.4", "", f"{yaml}:32"),
        ("4", "Save the Configuration and Enable Sync", f"{yaml}:37"),
        ("5", "Sync Data from a Client", f"{yaml}:46"),
    ]
    assert procedure.steps[0].labels == ("Sync", "Build")
    assert procedure.steps[3].text.startswith("Select a Cluster to Sync: Realm Sync applies")
    # no generated include is reported missing anywhere in the project
    assert not [d for d in extraction.diagnostics if d.code == "DH103"]
