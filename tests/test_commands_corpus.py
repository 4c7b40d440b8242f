"""harness/commands on the real App Services pages (a temp copy of ../shared/corpus/app-services).

The blocks are found by a raw text scan of the rST (``.. code-block:: LANG`` and
``.. input::`` with ``:language: LANG``), which is enough to feed the library
real code at real doc lines.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.commands import codes as c
from harness.commands import lint_code, parse_cli, parse_curls, parse_json_block
from harness.commands.match import match_request
from harness.commands.spec import SpecIndex, load_spec_index
from harness.diagnostics import Diagnostic

_DIRECTIVE = re.compile(r"^(\s*)\.\. (?:code-block|code|sourcecode|input)::\s*(\S*)\s*$")
_LANGUAGE = re.compile(r"^\s*:language:\s*(\S+)")
SHELL = ("shell", "sh", "bash")


@dataclass(frozen=True)
class Block:
    path: str  # relative to source/
    language: str
    line: int  # 1-based doc line of the block's first line
    column: int  # 1-based doc column of its text
    code: str


def scan(source: Path) -> Iterator[Block]:
    """Every literal code block of the pages under ``source``, dedented."""
    for page in sorted(source.rglob("*")):
        if page.suffix not in (".txt", ".rst"):
            continue
        lines = page.read_text(encoding="utf-8").split("\n")
        index = 0
        while index < len(lines):
            match = _DIRECTIVE.match(lines[index])
            if not match:
                index += 1
                continue
            indent, language = len(match.group(1)), match.group(2)
            index += 1
            while (
                index < len(lines)
                and _indent(lines[index]) > indent
                and (lines[index].lstrip().startswith(":"))
            ):
                option = _LANGUAGE.match(lines[index])
                language = option.group(1) if option else language
                index += 1
            start = index
            while index < len(lines) and (
                not lines[index].strip() or _indent(lines[index]) > indent
            ):
                index += 1
            body = lines[start:index]
            while body and not body[0].strip():
                body.pop(0)
                start += 1
            while body and not body[-1].strip():
                body.pop()
            if body:
                dedent = min(_indent(line) for line in body if line.strip())
                yield Block(
                    page.relative_to(source).as_posix(),
                    language,
                    start + 1,
                    dedent + 1,
                    "\n".join(line[dedent:] for line in body),
                )


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) if line.strip() else 1 << 30


@pytest.fixture(scope="module")
def source(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = shared_dir / "corpus" / "app-services"
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is absent: the App Services pages are needed for this test")
    copy = tmp_path_factory.mktemp("commands") / "app-services"
    shutil.copytree(corpus, copy)
    return copy / "source"


@pytest.fixture(scope="module")
def spec(shared_dir: Path) -> SpecIndex:
    return load_spec_index(shared_dir / "openapi" / "admin-v3.yaml")


@pytest.fixture(scope="module")
def blocks(source: Path) -> list[Block]:
    return list(scan(source))


@pytest.fixture(scope="module")
def findings(blocks: list[Block], spec: SpecIndex) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for block in blocks:
        found.extend(
            lint_code(
                block.code,
                block.language,
                block.path,
                block.line,
                first_column=block.column,
                spec=spec,
            )
        )
    return found


def test_every_admin_api_curl_maps_to_an_operation(blocks: list[Block], spec: SpecIndex) -> None:
    mapped = []
    kinds: Counter[str] = Counter()
    for block in blocks:
        if block.language not in SHELL:
            continue
        for request in parse_curls(block.code):
            match = match_request(request, spec)
            kinds[match.destination.kind] += 1
            if match.destination.kind == "admin-api":
                assert match.operation is not None, (block.path, block.line + request.line)
                mapped.append((block.path, block.line + request.line, match.operation.operation_id))
    assert kinds["unknown"] == 0, kinds
    assert sorted(mapped) == [
        ("includes/api-authenticate-instructions.rst", 5, "adminLogin"),
        ("manage-apps/create/create-with-api.txt", 67, "adminCreateApplication"),
        ("manage-apps/create/create-with-api.txt", 86, "adminCreateApplication"),
        ("manage-apps/deploy/manual/deploy-api.txt", 43, "adminCreateDeploymentDraft"),
        ("manage-apps/deploy/manual/deploy-api.txt", 61, "adminDiscardDraft"),
        ("manage-apps/deploy/manual/deploy-api.txt", 81, "adminDeployDraft"),
        ("sync/configure/enable-sync.txt", 362, "adminListServices"),
        ("sync/configure/enable-sync.txt", 376, "adminGetServiceConfig"),
        ("sync/configure/enable-sync.txt", 567, "adminUpdateServiceConfig"),
    ]
    assert kinds["data-api"] > 0  # the Data API pages' curls are external, with a reason


def test_broken_curls_are_found_at_their_lines(findings: list[Diagnostic]) -> None:
    shell_defects = sorted(
        (d.path, d.line, d.column, d.code)
        for d in findings
        if d.code in (c.HELP_FLAG_AS_HEADER, c.MISSING_CONTINUATION, c.UNQUOTED_METACHARACTERS)
    )
    page = "sync/configure/enable-sync.txt"
    assert shell_defects == [
        (page, 364, 18, c.HELP_FLAG_AS_HEADER),
        (page, 378, 18, c.HELP_FLAG_AS_HEADER),
        (page, 569, 18, c.HELP_FLAG_AS_HEADER),
        (page, 570, 18, c.HELP_FLAG_AS_HEADER),
        (page, 570, 53, c.MISSING_CONTINUATION),  # the PATCH never gets its -d
    ]


def test_every_admin_api_curl_uses_the_legacy_host(findings: list[Diagnostic]) -> None:
    legacy = [d for d in findings if d.code == c.LEGACY_HOST]
    assert len(legacy) == 9


def test_cli_commands_translate_or_are_unbound_with_a_message(blocks: list[Block]) -> None:
    commands: Counter[str] = Counter()
    unbound = []
    for block in blocks:
        if block.language not in SHELL:
            continue
        for plan in parse_cli(block.code):
            if plan.unbound:
                unbound.append((block.path, block.line + plan.line, plan.unbound))
            else:
                assert plan.operations or plan.command == "whoami", plan
                commands[plan.command] += 1
    assert unbound == [
        ("functions.txt", 581, "function run has no flag --function"),
        ("functions.txt", 592, "function run has no flag --function"),
        (
            "manage-apps/configure/export/export-with-cli.txt",
            59,
            "'realm-cli pull [options]' is a usage synopsis, not a command to run",
        ),
    ]
    translated = sum(commands.values())
    assert commands["push"] >= 20 and commands["pull"] >= 10 and commands["login"] >= 4
    assert translated / (translated + len(unbound)) > 0.9


def test_cli_flag_findings(findings: list[Diagnostic]) -> None:
    flags = sorted(
        (d.path, d.line, d.code)
        for d in findings
        if d.code in (c.UNKNOWN_CLI_FLAG, c.UNKNOWN_CLI_COMMAND, c.FLAG_INSIDE_QUOTES)
    )
    assert flags == [
        ("functions.txt", 582, c.UNKNOWN_CLI_FLAG),
        ("functions.txt", 593, c.UNKNOWN_CLI_FLAG),
    ]


def test_json_blocks_parse_after_filling(blocks: list[Block], findings: list[Diagnostic]) -> None:
    json_blocks = [b for b in blocks if b.language == "json"]
    failing = [b for b in json_blocks if not parse_json_block(b.code).parsed]
    reported = {(d.path, d.line) for d in findings if d.code == c.JSON_DOES_NOT_PARSE}
    assert len(json_blocks) > 50 and 0 < len(failing) < len(json_blocks)
    for block in failing:  # each one is reported once, at a line inside the block
        at = [
            line
            for path, line in reported
            if path == block.path and block.line <= line < block.line + block.code.count("\n") + 1
        ]
        assert len(at) == 1, block


def test_editing_a_verified_command_makes_its_line_fail(
    blocks: list[Block], spec: SpecIndex
) -> None:
    (block,) = [
        b for b in blocks if b.path == "manage-apps/create/create-with-api.txt" and b.line == 67
    ]
    assert {d.code for d in lint_code(block.code, "shell", block.path, block.line, spec=spec)} == {
        c.LEGACY_HOST
    }
    edits = {
        block.code.replace("/apps'", "/app'"): (c.NO_SPEC_OPERATION, 67),
        block.code.replace("--header 'Authorization", "-h 'Authorization"): (
            c.HELP_FLAG_AS_HEADER,
            68,
        ),
        block.code.replace('"name"', '"name": 1, "x"'): (c.BODY_DOES_NOT_FIT_SPEC, 70),
    }
    for edited, (code, line) in edits.items():
        found = {
            (d.code, d.line) for d in lint_code(edited, "shell", block.path, block.line, spec=spec)
        }
        assert (code, line) in found, (code, found)
    (push,) = [b for b in blocks if b.path == "sync/configure/enable-sync.txt" and "push" in b.code]
    edited = push.code.replace("--remote", "--remot")
    assert [d.code for d in lint_code(edited, "shell", push.path, push.line)] == [
        c.UNKNOWN_CLI_FLAG
    ]
