"""A step keeps its whole body: code, output, tables, later paragraphs, notes,
figures and sub-steps, with its own text first."""

from __future__ import annotations

from pathlib import Path

from harness.procedures import extract_project
from harness.procedures.model import Procedure, Step


def procedures(root: Path, text: str, extra: dict[str, str] | None = None) -> list[Procedure]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "snooty.toml").write_text('name = "t"\n', encoding="utf-8")
    for name, content in {"page.txt": "Guide\n=====\n\n" + text, **(extra or {})}.items():
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    [document] = [d for d in extract_project(root).documents if d.page == "page"]
    return list(document.procedures)


def kinds(step: Step) -> list[str]:
    return [block.kind for block in step.body]


def test_a_command_before_its_explanation_keeps_the_command(tmp_path: Path) -> None:
    """The issue's example: the body is the command, then "if the key imports ..."."""
    text = (
        ".. procedure::\n\n"
        "   .. step:: Import the public key\n\n"
        "      .. code-block:: bash\n\n"
        "         curl https://pgp.mongodb.com/compass.asc | gpg --import\n\n"
        "      If the key imports successfully, the command returns:\n\n"
        "      .. code-block:: none\n\n"
        "         gpg: key imported\n\n"
        "   .. step:: Verify\n\n      Run ``gpg --verify``.\n"
    )
    [procedure] = procedures(tmp_path, text)
    first = procedure.steps[0]
    assert first.text == "Import the public key"  # the step's own text, not a later paragraph
    assert kinds(first) == ["code", "paragraph", "code"]
    assert (first.body[0].text, first.body[0].language) == (
        "curl https://pgp.mongodb.com/compass.asc | gpg --import",
        "bash",
    )
    assert first.body[1].text == "If the key imports successfully, the command returns:"
    assert first.body[0].location.line == 10


def test_io_code_blocks_tables_notes_lists_and_figures(tmp_path: Path) -> None:
    text = (
        "1. Run the query:\n\n"
        "   .. io-code-block::\n\n"
        "      .. input::\n         :language: javascript\n\n         db.items.find()\n\n"
        '      .. output::\n         :language: json\n\n         { "n": 1 }\n\n'
        "   .. list-table::\n      :header-rows: 1\n\n"
        "      * - Field\n        - Value\n      * - name\n        - a | b\n\n"
        "   .. note::\n\n      Queries time out.\n\n"
        "   - first\n   - second\n\n"
        "   .. figure:: /images/x.png\n      :alt: the result\n\n"
        "2. Click :guilabel:`Save`.\n"
    )
    [procedure] = procedures(tmp_path, text)
    step = procedure.steps[0]
    assert kinds(step) == ["code", "output", "table", "note", "list", "figure"]
    assert [(b.text, b.language) for b in step.body[:2]] == [
        ("db.items.find()", "javascript"),
        ('{ "n": 1 }', "json"),
    ]
    assert step.body[2].rows == (("Field", "Value"), ("name", "a | b"))
    assert (step.body[3].title, step.body[3].text) == ("note", "Queries time out.")
    assert step.body[4].text == "first\nsecond"
    assert step.body[5].text == "the result" and step.figures == ("the result",)


def test_literalinclude_reads_only_files_inside_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("TOP SECRET\n", encoding="utf-8")
    text = (
        "1. Write the function:\n\n"
        "   .. literalinclude:: /code/hello.js\n      :language: javascript\n"
        "      :start-after: start\n      :end-before: end\n\n"
        "2. Read the secret:\n\n   .. literalinclude:: ../../secret.txt\n"
    )
    code = "// start\nexports = () => 1;\n// end\n"
    [procedure] = procedures(tmp_path / "docs", text, {"code/hello.js": code})
    assert [(b.text, b.language) for b in procedure.steps[0].code] == [
        ("exports = () => 1;", "javascript")
    ]
    assert procedure.steps[1].body == ()  # the file outside the project is not read


def test_numbered_lists_inside_tabs_inside_a_step_are_sub_steps(tmp_path: Path) -> None:
    text = (
        ".. procedure::\n\n"
        "   .. step:: Configure the provider\n\n"
        "      .. tabs::\n\n"
        "         .. tab:: UI\n            :tabid: ui\n\n"
        "            #. Double-click the provider.\n"
        "            #. Set :guilabel:`Enabled`.\n\n"
        "   .. step:: Deploy\n\n      Click :guilabel:`Deploy`.\n"
    )
    [procedure] = procedures(tmp_path, text)
    assert [(s.number, s.text) for s in procedure.steps] == [
        ("1", "Configure the provider"),
        ("1.1", "Double-click the provider."),
        ("1.2", 'Set "Enabled".'),
        ("2", 'Click "Deploy".'),
    ]


def test_a_numbered_list_of_double_click_items_is_a_procedure(tmp_path: Path) -> None:
    text = "1. Double-click the installer.\n2. Double-click the app icon.\n"
    [procedure] = procedures(tmp_path, text)
    assert [s.text for s in procedure.steps] == [
        "Double-click the installer.",
        "Double-click the app icon.",
    ]


def test_continuation_items_numbered_3_inside_a_tab(tmp_path: Path) -> None:
    """A list broken by a code block and continued with ``3.`` inside a tab is one
    procedure (the code belongs to step 2)."""
    text = (
        ".. tabs::\n\n   .. tab:: CLI\n      :tabid: cli\n\n"
        "      1. Install the CLI.\n"
        "      2. Log in:\n\n"
        "      .. code-block:: shell\n\n         realm-cli login\n\n"
        "      3. Pull the app.\n"
    )
    [procedure] = procedures(tmp_path, text)
    assert [(s.number, s.text) for s in procedure.steps] == [
        ("1", "Install the CLI."),
        ("2", "Log in:"),
        ("3", "Pull the app."),
    ]
    assert [b.text for b in procedure.steps[1].code] == ["realm-cli login"]
    assert procedure.tab == "cli"


def test_a_procedure_narrating_what_the_system_does_is_not_a_scenario(tmp_path: Path) -> None:
    narrating = (
        "How It Works\n------------\n\n.. procedure::\n\n"
        "   .. step:: The trigger fires\n\n      App Services evaluates the match expression.\n\n"
        "   .. step:: The function runs\n\n      Atlas Functions receive the change event.\n\n"
        "Set It Up\n---------\n\n.. procedure::\n\n"
        "   .. step:: The trigger\n\n      Click :guilabel:`Add Trigger`.\n\n"
        "   .. step:: The function\n\n      The function editor opens.\n"
    )
    found = procedures(tmp_path, narrating)
    assert [p.title for p in found] == ["Set It Up"]


def test_code_inside_a_note_or_a_table_cell_is_still_the_steps_code(tmp_path: Path) -> None:
    text = (
        ".. procedure::\n\n"
        "   .. step:: Define the values\n\n"
        "      Add a file.\n\n"
        "      .. example::\n\n"
        "         A values file looks like this:\n\n"
        "         .. code-block:: json\n\n"
        '            { "values": {} }\n\n'
        "   .. step:: Add the record\n\n"
        "      .. list-table::\n         :header-rows: 1\n\n"
        "         * - Name\n           - Value\n"
        "         * - CNAME\n           - .. code-block:: none\n\n"
        "                 app.example.com\n"
    )
    [procedure] = procedures(tmp_path, text)
    first, second = procedure.steps
    assert kinds(first) == ["note", "code"]
    assert (first.body[0].text, first.code[0].language) == (
        "A values file looks like this:",
        "json",
    )
    assert kinds(second) == ["table", "code"]
    assert second.code[0].text == "app.example.com"
