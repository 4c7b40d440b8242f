"""A step's body in the feature: its code as a DocString, a table as a DataTable, the
rest as comments; pytest-bdd reads the arguments back exactly."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_bdd.parser import FeatureParser

from harness.gherkin import render_document
from harness.procedures.model import Block, Document, Procedure, SourceLocation, Step, StepKind

HERE = SourceLocation("source/page.txt", 5)


def feature_of(*steps: Step) -> str:
    procedure = Procedure("page/p", "P", HERE, steps)
    document = Document("page", "source/page.txt", "Page", (procedure,))
    return render_document(document) or ""


def step(text: str, *body: Block, number: str = "1") -> Step:
    return Step(number, StepKind.ACTION, text, HERE, body=body)


def parsed_steps(tmp_path: Path, text: str) -> list:  # type: ignore[type-arg]
    (tmp_path / "page.feature").write_text(text, encoding="utf-8")
    feature = FeatureParser(str(tmp_path), "page.feature").parse()
    [scenario] = feature.scenarios.values()
    return list(scenario.steps)


def test_code_is_a_docstring_with_its_language(tmp_path: Path) -> None:
    code = Block("code", 'curl -s https://x | gpg --import\n  echo "done"', HERE, "bash")
    text = feature_of(step("Import the key.", code))
    assert '    When Import the key.\n      """bash\n      curl -s' in text
    [parsed] = parsed_steps(tmp_path, text)
    assert parsed.docstring == code.text
    assert parsed.name == "Import the key."


def test_code_holding_three_quotes_uses_backticks(tmp_path: Path) -> None:
    code = Block("code", 'print("""x""")', HERE, "python")
    text = feature_of(step("Run it.", code))
    assert '      ```python\n      print("""x""")\n      ```' in text
    [parsed] = parsed_steps(tmp_path, text)
    assert parsed.docstring == code.text


def test_a_table_is_a_datatable_with_cells_escaped(tmp_path: Path) -> None:
    table = Block("table", "", HERE, rows=(("Field", "Value"), ("a|b", "back\\slash")))
    [parsed] = parsed_steps(tmp_path, feature_of(step("Set the fields:", table)))
    assert parsed.datatable.raw() == [["Field", "Value"], ["a|b", "back\\slash"]]


def test_the_rest_of_the_body_is_comments_in_order(tmp_path: Path) -> None:
    body = (
        Block("code", "realm-cli push", HERE, "shell"),
        Block("paragraph", "The command prints:", SourceLocation("source/page.txt", 9)),
        Block("output", "Deployed.", SourceLocation("source/page.txt", 11)),
        Block("note", "It takes a minute.", HERE, title="tip"),
        Block("list", "one\ntwo", HERE),
        Block("figure", "the result", HERE),
    )
    text = feature_of(step("Push.", *body), step("Next.", number="2"))
    after = text.split('      """\n', 1)[1]
    assert after.splitlines()[:8] == [
        "    # paragraph (source/page.txt:9): The command prints:",
        "    # output (source/page.txt:11):",
        "    #   Deployed.",
        "    # tip (source/page.txt:5): It takes a minute.",
        "    # list (source/page.txt:5):",
        "    #   - one",
        "    #   - two",
        "    # figure (source/page.txt:5): the result",
    ]
    parsed = parsed_steps(tmp_path, text)
    assert [p.name for p in parsed] == ["Push.", "Next."]
    lines = text.split("\n")
    assert lines[parsed[1].line_number - 2] == "    # source/page.txt:5"


@settings(max_examples=60, deadline=None)
@given(code=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
def test_any_code_survives_as_a_docstring(tmp_path_factory: object, code: str) -> None:
    """Whatever a code block holds (quotes, backticks, tables, comments), the feature
    still parses and the step keeps its place."""
    folder = tmp_path_factory.mktemp("doc")  # type: ignore[attr-defined]
    text = feature_of(step("Run.", Block("code", code, HERE, "bash")), step("Next.", number="2"))
    parsed = parsed_steps(folder, text)
    assert [p.name for p in parsed] == ["Run.", "Next."]
    assert (parsed[0].docstring is not None) == bool(code.strip())  # blank code: no argument
