"""harness.procedures: what counts as a procedure, and what each step carries.

Each test writes a small project and extracts it with the real parser.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.diagnostics import Severity
from harness.procedures import Extraction, extract_page, extract_project, lint_codes
from harness.procedures.model import Document, Link, Procedure, StepKind
from harness.rst import load_project, parse_page


def write_project(root: Path, files: dict[str, str], **constants: str) -> Path:
    lines = ['name = "test"', "[constants]"]
    lines += [f"{name} = {json.dumps(value)}" for name, value in constants.items()]
    (root / "snooty.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, content in files.items():
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def extract(root: Path, files: dict[str, str], **constants: str) -> Extraction:
    return extract_project(write_project(root, files, **constants))


def page(extraction: Extraction, name: str = "page") -> Document:
    [found] = [doc for doc in extraction.documents if doc.page == name]
    return found


def steps(proc: Procedure) -> list[tuple[str, str, int]]:
    return [(step.number, step.text, step.location.line) for step in proc.steps]


def codes(extraction: Extraction) -> list[tuple[str, int, str]]:
    return [
        (d.path, d.line, d.code) for d in extraction.diagnostics if d.severity is not Severity.INFO
    ]


TITLE = "Guide\n=====\n\n"


def test_a_numbered_list_of_instructions_is_a_procedure(tmp_path: Path) -> None:
    text = TITLE + (
        ".. _do-it:\n\nDo It\n-----\n\n"
        "1. Click :guilabel:`Start`.\n2. Enter ``name`` in the field.\n"
        "3. Read :ref:`the docs <reference>` and :doc:`/other`.\n"
    )
    extraction = extract(tmp_path, {"page.txt": text, "other.txt": "Other Page\n==========\n"})
    [proc] = page(extraction).procedures
    assert (proc.id, proc.title, proc.labels) == ("page/do-it", "Do It", ("do-it",))
    assert proc.section_path == ("Guide", "Do It")
    assert steps(proc) == [
        ("1", 'Click "Start".', 9),
        ("2", "Enter `name` in the field.", 10),
        ("3", "Read the docs and Other Page.", 11),
    ]
    assert proc.steps[1].literals == ("name",)
    assert proc.steps[2].links == (
        Link("ref", "reference", "the docs"),
        Link("doc", "other", "Other Page"),
    )
    assert codes(extraction) == []


def test_a_descriptive_numbered_list_is_not_a_procedure(tmp_path: Path) -> None:
    text = TITLE + (
        "When a client resets, the SDK:\n\n"
        "1. Downloads a fresh copy of the realm.\n2. Merges the local changes.\n"
        "3. Reopens the realm.\n"
    )
    assert page(extract(tmp_path, {"page.txt": text})).procedures == ()


def test_a_single_item_is_not_a_procedure(tmp_path: Path) -> None:
    text = TITLE + "1. Click :guilabel:`Start`.\n"
    assert page(extract(tmp_path, {"page.txt": text})).procedures == ()


def test_a_generic_heading_defers_to_its_parent_section(tmp_path: Path) -> None:
    text = TITLE + (
        ".. _make-a-thing:\n\nMake a Thing\n------------\n\nSteps\n~~~~~\n\n"
        "#. Click :guilabel:`New`.\n#. Click :guilabel:`Save`.\n"
    )
    [proc] = page(extract(tmp_path, {"page.txt": text})).procedures
    assert (proc.title, proc.id, proc.labels) == (
        "Make a Thing",
        "page/make-a-thing",
        ("make-a-thing",),
    )
    assert proc.section_path == ("Guide", "Make a Thing", "Steps")


def test_figures_and_notes_between_items_keep_one_procedure(tmp_path: Path) -> None:
    text = TITLE + (
        "1. Click :guilabel:`One`.\n\n.. figure:: /images/one.png\n   :alt: first screen\n\n"
        ".. note::\n\n   A note between items.\n\n"
        "2. Click :guilabel:`Two`.\n\n.. figure:: /images/two.png\n   :alt: second screen\n"
    )
    extraction = extract(tmp_path, {"page.txt": text})
    [proc] = page(extraction).procedures
    assert steps(proc) == [("1", 'Click "One".', 4), ("2", 'Click "Two".', 13)]
    assert [step.figures for step in proc.steps] == [("first screen",), ("second screen",)]
    assert codes(extraction) == []


def test_broken_items_are_recovered_and_reported(tmp_path: Path) -> None:
    text = TITLE + (
        "1. Click :guilabel:`One`.\n\n"
        "2. Click :guilabel:`Two` and then\nthe :guilabel:`Other` button.\n\n"
        "3) Click :guilabel:`Three`\nnow.\n"
    )
    extraction = extract(tmp_path, {"page.txt": text})
    [proc] = page(extraction).procedures
    assert steps(proc) == [
        ("1", 'Click "One".', 4),
        ("2", 'Click "Two" and then the "Other" button.', 6),
        ("3", 'Click "Three" now.', 9),
    ]
    assert proc.steps[1].labels == ("Two", "Other")
    assert codes(extraction) == [("source/page.txt", 6, "DH201"), ("source/page.txt", 9, "DH201")]
    first = extraction.diagnostics[0]
    assert "item 2 " in first.message
    assert first.hint == "indent the continuation line(s) to line up with the item text"


def test_a_list_that_skips_or_repeats_a_number_is_reported(tmp_path: Path) -> None:
    text = TITLE + (
        "1. Click :guilabel:`One`.\n2. Click :guilabel:`Two`.\n\n.. note::\n\n   Note.\n\n"
        "4. Click :guilabel:`Four`.\n\n.. note::\n\n   Note.\n\n"
        "4. Click :guilabel:`Again`.\n"
    )
    extraction = extract(tmp_path, {"page.txt": text})
    [proc] = page(extraction).procedures
    assert [step.number for step in proc.steps] == ["1", "2", "3", "4"]
    numbering = [d for d in extraction.diagnostics if d.code == "DH202"]
    assert [(d.line, d.message) for d in numbering] == [
        (11, "numbered list skips a number: expected 3, found 4"),
        (17, "numbered list repeats a number: expected 5, found 4"),
    ]


def test_nested_lists_become_sub_steps(tmp_path: Path) -> None:
    text = TITLE + (
        "1. Open the app.\n"
        "2. Configure it:\n\n   a. Click :guilabel:`Settings`.\n   b. Click :guilabel:`Save`.\n\n"
        "3. Deploy the app.\n"
    )
    [proc] = page(extract(tmp_path, {"page.txt": text})).procedures
    assert steps(proc) == [
        ("1", "Open the app.", 4),
        ("2", "Configure it:", 5),
        ("2.1", 'Click "Settings".', 7),
        ("2.2", 'Click "Save".', 8),
        ("3", "Deploy the app.", 10),
    ]


def test_step_directives_carry_title_body_and_flattened_sub_procedures(tmp_path: Path) -> None:
    text = TITLE + (
        ".. procedure::\n\n"
        "   .. step:: Open the :guilabel:`Sync` tab\n\n"
        "      In the {+ui+}, click :guilabel:`Sync`.\n\n"
        "      .. figure:: /images/sync.png\n         :alt: the sync tab\n\n"
        "   .. step:: Configure\n\n"
        "      .. procedure::\n\n"
        "         .. step:: Pick a cluster\n\n            Select the cluster.\n\n"
        "         .. step:: Save\n\n            Click :guilabel:`Save`.\n\n"
        "   .. step:: Deploy\n\n      .. code-block:: shell\n\n         realm-cli push\n"
    )
    extraction = extract(tmp_path, {"page.txt": text}, ui="Realm UI")
    [proc] = page(extraction).procedures
    assert [(s.number, s.title, s.text) for s in proc.steps] == [
        ("1", 'Open the "Sync" tab', 'In the Realm UI, click "Sync".'),
        ("2", "Configure", "Configure"),
        ("2.1", "Pick a cluster", "Select the cluster."),
        ("2.2", "Save", 'Click "Save".'),
        ("3", "Deploy", "Deploy"),
    ]
    assert proc.steps[0].location.line == 8
    assert proc.steps[0].figures == ("the sync tab",)
    assert proc.steps[0].labels == ("Sync",)
    assert codes(extraction) == []


def test_untitled_steps_and_empty_procedures_are_reported(tmp_path: Path) -> None:
    text = TITLE + (
        "One\n---\n\n.. procedure::\n\n   .. step::\n\n      Do a thing.\n\n"
        "   .. step:: Named\n\n      Do another.\n\n"
        "Two\n---\n\n.. procedure::\n"
    )
    extraction = extract(tmp_path, {"page.txt": text})
    [proc] = page(extraction).procedures
    assert [step.text for step in proc.steps] == ["Do a thing.", "Do another."]
    assert codes(extraction) == [("source/page.txt", 9, "DH203"), ("source/page.txt", 20, "DH204")]


def test_each_tab_gets_its_own_procedure(tmp_path: Path) -> None:
    text = TITLE + (
        "Create a Thing\n--------------\n\n"
        ".. tabs-realm-admin-interfaces::\n\n"
        "   .. tab::\n      :tabid: ui\n\n"
        "      1. Click :guilabel:`New`.\n      2. Click :guilabel:`Save`.\n\n"
        "   .. tab::\n      :tabid: cli\n\n"
        "      .. procedure::\n\n"
        "         .. step:: Pull\n\n            Run ``realm-cli pull``.\n\n"
        "         .. step:: Push\n\n            Run ``realm-cli push``.\n"
    )
    procedures = page(extract(tmp_path, {"page.txt": text})).procedures
    assert [(p.id, p.tab, p.title) for p in procedures] == [
        ("page/create-a-thing/ui", "ui", "Create a Thing"),
        ("page/create-a-thing/cli", "cli", "Create a Thing"),
    ]
    assert [step.literals for step in procedures[1].steps] == [
        ("realm-cli pull",),
        ("realm-cli push",),
    ]


def test_procedures_sharing_a_name_get_numbered_ids(tmp_path: Path) -> None:
    text = TITLE + (
        "Setup\n-----\n\n1. Click :guilabel:`A`.\n2. Click :guilabel:`B`.\n\n"
        "Then, later:\n\n1. Click :guilabel:`C`.\n2. Click :guilabel:`D`.\n"
    )
    procedures = page(extract(tmp_path, {"page.txt": text})).procedures
    assert [p.id for p in procedures] == ["page/setup", "page/setup-2"]


def test_outcome_after_a_procedure_or_as_its_last_sentence(tmp_path: Path) -> None:
    text = TITLE + (
        "After\n-----\n\n1. Click :guilabel:`A`.\n2. Click :guilabel:`B`.\n\n"
        "You should see the :guilabel:`Done` banner.\n\n"
        "Last Item\n---------\n\n1. Click :guilabel:`A`.\n2. Click :guilabel:`B`.\n"
        "3. You should now have a new app.\n\n"
        "Inside\n------\n\n.. procedure::\n\n   .. step:: Go\n\n      Click :guilabel:`Go`.\n\n"
        "      You have now started.\n\n"
        "Not After\n---------\n\n1. Click :guilabel:`A`.\n2. Click :guilabel:`B`.\n\n"
        "Some other remark.\n\nYou should see nothing here.\n"
    )
    after, last_item, inside, not_after = page(extract(tmp_path, {"page.txt": text})).procedures
    assert [(s.number, s.kind) for s in after.steps][-1] == ("", StepKind.OUTCOME)
    assert after.steps[-1].text == 'You should see the "Done" banner.'
    assert (after.steps[-1].labels, after.steps[-1].location.line) == (("Done",), 10)
    assert [s.kind for s in last_item.steps] == [StepKind.ACTION] * 2 + [StepKind.OUTCOME]
    assert [s.number for s in last_item.steps] == ["1", "2", ""]
    assert [(s.kind, s.text) for s in inside.steps] == [
        (StepKind.ACTION, 'Click "Go".'),
        (StepKind.OUTCOME, "You have now started."),
    ]
    assert [s.kind for s in not_after.steps] == [StepKind.ACTION] * 2


def test_follow_the_steps_in_doc_borrows_that_page_procedure(tmp_path: Path) -> None:
    source = TITLE + (
        ".. _again:\n\nDo It Again\n-----------\n\n"
        "To do it again, follow the steps in the :doc:`Setup </setup>` guide.\n\n"
        "Missing\n-------\n\nFollow the steps in :doc:`/nowhere`.\n\n"
        "By Label\n--------\n\nFollow the instructions in :ref:`setup-steps`.\n"
    )
    setup = (
        "Setup\n=====\n\n.. _setup-steps:\n\nSteps\n-----\n\n"
        "1. Click :guilabel:`A`.\n2. Click :guilabel:`B`.\n"
    )
    extraction = extract(tmp_path, {"page.txt": source, "setup.txt": setup})
    again, broken, by_label = page(extraction).procedures
    [original] = page(extraction, "setup").procedures
    [link] = broken.steps  # a link to nowhere is one step that fails at the link's line
    assert (broken.title, str(link.location), link.links[0].target) == (
        "Missing",
        "source/page.txt:14",
        "nowhere",
    )
    assert (again.id, again.title, again.labels) == ("page/do-it-again", "Do It Again", ("again",))
    assert (again.included_from, str(again.location)) == ("setup", "source/page.txt:9")
    assert again.steps == original.steps
    assert [str(step.location) for step in again.steps] == [
        "source/setup.txt:9",
        "source/setup.txt:10",
    ]
    assert (by_label.id, by_label.included_from, by_label.steps) == (
        "page/by-label",
        "setup",
        original.steps,
    )
    [missing] = [d for d in extraction.diagnostics if d.code == "DH205"]
    assert (missing.path, missing.line, missing.severity) == (
        "source/page.txt",
        14,
        Severity.WARNING,
    )
    assert "nowhere" in missing.message


def test_follow_the_steps_in_a_page_without_procedure_is_reported(tmp_path: Path) -> None:
    source = TITLE + "Again\n-----\n\nFollow the steps in :doc:`/empty`.\n"
    extraction = extract(tmp_path, {"page.txt": source, "empty.txt": "Empty\n=====\n\nText.\n"})
    [broken] = page(extraction).procedures
    assert [str(step.location) for step in broken.steps] == ["source/page.txt:7"]
    assert codes(extraction) == [("source/page.txt", 7, "DH206")]


def test_extract_page_resolves_only_within_the_page(tmp_path: Path) -> None:
    source = TITLE + "Again\n-----\n\nFollow the steps in :doc:`/setup`.\n"
    root = write_project(tmp_path, {"page.txt": source})
    project = load_project(root)
    document = extract_page(project, parse_page(project, project.source_dir / "page.txt"))
    assert (document.page, document.path, document.title) == ("page", "source/page.txt", "Guide")
    assert document.procedures == ()
    assert document.diagnostics == ()


def test_bare_refs_show_the_title_of_the_section_they_name(tmp_path: Path) -> None:
    source = TITLE + "1. Read :ref:`setup-steps` first.\n2. Click :guilabel:`Go`.\n"
    setup = "Setup\n=====\n\n.. _setup-steps:\n\nPrepare Things\n--------------\n\nText.\n"
    [proc] = page(extract(tmp_path, {"page.txt": source, "setup.txt": setup})).procedures
    assert proc.steps[0].text == "Read Prepare Things first."
    assert proc.steps[0].links == (Link("ref", "setup-steps", "Prepare Things"),)


def test_project_diagnostics_report_an_include_once(tmp_path: Path) -> None:
    files = {
        "a.txt": "A\n=\n\n.. include:: /includes/shared.rst\n",
        "b.txt": "B\n=\n\n.. include:: /includes/shared.rst\n",
        "includes/shared.rst": "Uses {+missing+}.\n",
    }
    extraction = extract(tmp_path, files)
    assert codes(extraction) == [("source/includes/shared.rst", 1, "DH101")]
    assert [len(doc.diagnostics) for doc in extraction.documents] == [1, 1]


def test_progress_is_reported_per_page(tmp_path: Path) -> None:
    root = write_project(tmp_path, {f"p{n}.txt": "Text.\n" for n in range(3)})
    calls: list[tuple[int, int]] = []
    extraction = extract_project(root, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert [doc.page for doc in extraction.documents] == ["p0", "p1", "p2"]
    assert extraction.root == root.resolve()


def test_lint_codes_document_every_code_once() -> None:
    table = lint_codes()
    listed = [entry.code for entry in table]
    assert listed == sorted(set(listed))
    assert {"DH001", "DH002", "DH101", "DH102", "DH103", "DH104", "DH105", "DH106"} <= set(listed)
    assert {"DH201", "DH202", "DH203", "DH204", "DH205", "DH206"} <= set(listed)
    assert all(entry.meaning and isinstance(entry.severity, Severity) for entry in table)


def test_lettered_items_recover_only_letters(tmp_path: Path) -> None:
    text = TITLE + (
        "a. Click :guilabel:`One`.\n\n"
        "b. Click :guilabel:`Two` and\nthen :guilabel:`Save`.\n\n"
        "3. Click :guilabel:`Three` and\nthen stop.\n"
    )
    extraction = extract(tmp_path, {"page.txt": text})
    [proc] = page(extraction).procedures
    assert steps(proc) == [
        ("1", 'Click "One".', 4),
        ("2", 'Click "Two" and then "Save".', 6),
    ]
    assert codes(extraction) == [("source/page.txt", 6, "DH201")]
