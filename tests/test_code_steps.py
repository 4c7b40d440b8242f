"""Code in steps: how the runner reads a step's code from its feature, which config file a
JSON block edits, and the DH3xx lint at doc lines (the runs themselves are in
tests/e2e/test_code_steps.py, against the emulator)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from harness.cli import cli
from harness.commands import find_placeholders
from harness.gherkin import write_features
from harness.plugin.code_steps import (
    CodeState,
    _combine,
    _config_file,
    _drop_optional,
    is_code_step,
    spec,
    step_blocks,
)
from harness.procedures import extract_project
from harness.results import StepStatus

PAGE = """\
=====
Title
=====

Do It
-----

.. procedure::

   .. step:: Pull

      Run the following:

      .. code-block:: bash

         realm-cli pull --remote="<Your App ID>"

      Then look at the answer:

      .. code-block:: json

         {"a": 1}

   .. step:: Read

      Get the services:

      .. code-block:: shell

         curl https://realm.mongodb.com/api/admin/v3.0/groups/{GROUP_ID}/apps/{APP_ID}/services \\
           -X GET \\
           -h 'Authorization: Bearer <Valid Access Token>'

      .. code-block:: shell

         realm-cli push --remot="<Your App ID>"
"""


def _project(tmp_path: Path, page: str = PAGE) -> Path:
    docs = tmp_path / "docs"
    (docs / "source").mkdir(parents=True)
    (docs / "snooty.toml").write_text('name = "t"\n', encoding="utf-8")
    (docs / "source/page.txt").write_text(page, encoding="utf-8")
    return docs


def test_a_steps_code_is_read_from_its_feature_at_its_doc_lines(tmp_path: Path) -> None:
    docs = _project(tmp_path)
    write_features(extract_project(docs), tmp_path / "features")
    feature = tmp_path / "features/page.feature"
    lines = feature.read_text(encoding="utf-8").splitlines()
    pull = next(n for n, line in enumerate(lines, 1) if line.strip() == "When Run the following:")
    read = next(n for n, line in enumerate(lines, 1) if "Get the services:" in line)
    doc = str(docs / "source/page.txt")
    first = step_blocks(str(feature), pull, doc, 12)
    assert [(b.kind, b.language, b.line) for b in first] == [
        ("code", "bash", 16),
        ("code", "json", 22),
    ]
    assert first[0].text == 'realm-cli pull --remote="<Your App ID>"'
    assert first[1].text == '{"a": 1}'
    second = step_blocks(str(feature), read, doc, 26)
    assert [b.line for b in second] == [30, 36]
    assert second[0].text.splitlines()[2].startswith("  -h 'Authorization")


def test_json_is_an_edit_only_after_a_pull(tmp_path: Path) -> None:
    docs = _project(tmp_path)
    write_features(extract_project(docs), tmp_path / "features")
    feature = str(tmp_path / "features/page.feature")
    lines = (tmp_path / "features/page.feature").read_text(encoding="utf-8").splitlines()
    pull = next(n for n, line in enumerate(lines, 1) if line.strip() == "When Run the following:")
    blocks = [b for b in step_blocks(feature, pull, "", 12) if b.language == "json"]
    assert not is_code_step(blocks, CodeState())
    assert is_code_step(blocks, CodeState(pulled={}))


def test_the_config_file_of_an_edit_is_named_by_the_step() -> None:
    assert _config_file(["Add the following to `sync/config.json`:"]) == "sync/config.json"
    assert (
        _config_file(["# paragraph (x:1): The app has a `sync` directory.", "Add a `config.json`"])
        == "sync/config.json"
    )
    assert _config_file(["Edit `environments/production.json`"]) == "environments/production.json"
    assert _config_file(["Add the following:"]) is None
    assert _config_file(["Edit `../../etc/config.json`"]) is None  # never leaves the app folder


def test_a_step_with_several_commands_takes_the_worst_status() -> None:
    verified = (StepStatus.VERIFIED, "read")
    external = (StepStatus.EXTERNAL, "Data API")
    unbound = (StepStatus.UNBOUND, "no value")
    assert _combine([verified, external])[0] is StepStatus.EXTERNAL
    assert _combine([external, unbound, verified]) == (
        StepStatus.UNBOUND,
        "Data API; no value; read",
    )
    assert _combine([])[0] is StepStatus.UNBOUND


def test_lint_reports_code_problems_at_doc_lines(tmp_path: Path) -> None:
    docs = _project(tmp_path)
    result = CliRunner().invoke(cli, ["lint", str(docs), "--no-cache", "--select", "DH3"])
    assert result.exit_code == 1
    found = [line.split(": ", 2)[:2] for line in result.stdout.splitlines()]
    where = [(path.rsplit(":", 2)[1], code.split()[0]) for path, code in found]
    assert where == [("30", "DH304"), ("32", "DH301"), ("36", "DH307")]
    assert "write -H (capital)" in result.stdout


def test_a_clean_page_has_no_code_diagnostics(tmp_path: Path) -> None:
    clean = PAGE.replace("-h 'Auth", "-H 'Auth").replace("--remot=", "--remote=")
    clean = clean.replace("realm.mongodb.com", "services.cloud.mongodb.com")
    docs = _project(tmp_path, clean)
    result = CliRunner().invoke(cli, ["lint", str(docs), "--no-cache", "--select", "DH3"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_a_blocks_caption_and_admonition_are_read_from_the_page(tmp_path: Path) -> None:
    page = PAGE.replace(
        '      .. code-block:: json\n\n         {"a": 1}',
        '      .. code-block:: json\n         :caption: /sync/config.json\n\n         {"a": 1}',
    ).replace(
        "      .. code-block:: shell\n\n         realm-cli push",
        "      .. note::\n\n         If you must, push:\n\n"
        "         .. code-block:: shell\n\n            realm-cli push",
    )
    docs = _project(tmp_path, page)
    write_features(extract_project(docs), tmp_path / "features")
    feature = tmp_path / "features/page.feature"
    lines = feature.read_text(encoding="utf-8").splitlines()
    pull = next(n for n, line in enumerate(lines, 1) if line.strip() == "When Run the following:")
    read = next(n for n, line in enumerate(lines, 1) if "Get the services:" in line)
    doc = str(docs / "source/page.txt")
    json_block = step_blocks(str(feature), pull, doc, 12)[1]
    assert (json_block.caption, json_block.aside) == ("/sync/config.json", "")
    curl, push = step_blocks(str(feature), read, doc, 26)
    assert curl.aside == "" and push.aside == "note"
    assert is_code_step([push], CodeState()) is False  # code in a note is not run


def test_a_placeholder_is_dropped_only_inside_an_optional_body_field() -> None:
    index = spec()
    create_app = index.by_id("adminCreateApplication")
    create_secret = index.by_id("adminCreateASecret")
    assert create_app is not None and create_secret is not None
    template = find_placeholders('"<ChosenTemplateAppId>"')
    body = {"name": "app", "template_id": "<ChosenTemplateAppId>"}
    assert _drop_optional(index, create_app, body, template) == (
        {"name": "app"},
        ["template_id"],
        [],
    )
    # a secret's name and value are required: the request stays unsent
    secret = {"name": "s", "value": "<ChosenTemplateAppId>"}
    assert _drop_optional(index, create_secret, secret, template) == (secret, [], list(template))
    # a placeholder outside the body (a path, a header) is never dropped
    outside = find_placeholders("<Tag Key>")
    assert _drop_optional(index, create_app, body, outside)[2] == list(outside)
