"""A step's body under its step line: one step argument, then the rest as comments.

Gherkin gives a step at most one argument, so the step's first code block
becomes a DocString (its language as the content type) or, without code, its
first table a DataTable; every other piece follows as ``#`` comment lines in
the order written (see the package docstring for the exact shapes).
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.gherkin.text import one_line
from harness.procedures.model import Block, Step

_ARGUMENT = "      "  # step arguments sit two spaces deeper than the step line
_COMMENT = "    #"
_DELIMITERS = ('"""', "```")


def step_argument(step: Step) -> Block | None:
    """The block that becomes the step's argument: its first code, else its first table."""
    code = next((block for block in step.body if block.kind == "code"), None)
    if code is not None and code.text.strip():
        return code
    return next((block for block in step.body if block.kind == "table" and block.rows), None)


def step_body(step: Step) -> Iterator[str]:
    """The lines after a step line: its argument, then the other blocks as comments."""
    argument = step_argument(step)
    if argument is not None:
        yield from doc_string(argument) if argument.kind == "code" else data_table(argument.rows)
    for block in step.body:
        if block is not argument:
            yield from _comment(block)


def doc_string(block: Block) -> Iterator[str]:
    """A DocString: ``\"\"\"<language>``, the code as written, ``\"\"\"``.

    Uses backticks when the code holds three double quotes, and escapes the
    delimiter's quotes when it holds both kinds."""
    text = block.text
    delimiter = next((d for d in _DELIMITERS if d not in text), '"""')
    if delimiter in text:
        text = text.replace('"""', '\\"\\"\\"')
    language = "".join(char for char in block.language if char.isalnum() or char in "+-_.#")
    yield f"{_ARGUMENT}{delimiter}{language}"
    for line in _lines(text):
        yield f"{_ARGUMENT}{line}".rstrip()
    yield f"{_ARGUMENT}{delimiter}"


def data_table(rows: tuple[tuple[str, ...], ...]) -> Iterator[str]:
    """A DataTable: one ``| cell | cell |`` line a row, ``|`` and ``\\`` escaped."""
    for row in rows:
        cells = " | ".join(_cell(cell) for cell in row)
        yield f"{_ARGUMENT}| {cells} |"


def _cell(text: str) -> str:
    return one_line(text.replace("\\", "\\\\").replace("|", "\\|"))


def _lines(text: str) -> list[str]:
    """The code's lines, split wherever a Gherkin reader would split them (``\\x85``,
    ``\\u2028`` and the like too), so that no piece of code lands outside its block."""
    return text.splitlines() or [""]


def _comment(block: Block) -> Iterator[str]:
    where = f"{block.location.path}:{block.location.line}"
    if block.kind in {"code", "output"}:
        language = f" {block.language}" if block.language else ""
        yield f"{_COMMENT} {block.kind}{language} ({where}):"
        for line in _lines(block.text):
            yield f"{_COMMENT}   {line}".rstrip()
    elif block.kind == "table":
        yield f"{_COMMENT} table ({where}):"
        for row in block.rows:
            yield f"{_COMMENT}   | {' | '.join(_cell(cell) for cell in row)} |"
    elif block.kind == "list":
        yield f"{_COMMENT} list ({where}):"
        for item in block.text.split("\n"):
            yield f"{_COMMENT}   - {one_line(item)}"
    else:
        kind = block.title or block.kind
        yield f"{_COMMENT} {kind} ({where}): {one_line(block.text)}"
