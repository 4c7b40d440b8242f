"""The parsed copy of the Admin API spec (harness/openapi.py): used only while it was made
from the YAML beside it, so it can make reading faster but never change what is read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.emulator.openapi import SPEC_PATH
from harness.openapi import (
    _parse,
    _parsed_copy,
    parsed_copy_path,
    read_spec_document,
    write_parsed_copy,
)


def test_the_shipped_copy_is_current() -> None:
    """Fails when admin-v3.yaml changed without `python -m harness.openapi SPEC.yaml`."""
    data = SPEC_PATH.read_bytes()
    copied = _parsed_copy(SPEC_PATH, data)
    assert copied is not None, "admin-v3.json is stale: python -m harness.openapi SPEC.yaml"
    assert copied == _parse(SPEC_PATH)


def test_a_matching_copy_is_what_is_read(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copy(SPEC_PATH, spec)
    copy_path = write_parsed_copy(spec)
    copy = json.loads(copy_path.read_text(encoding="utf-8"))
    copy["document"]["info"]["title"] = "from the copy"
    copy_path.write_text(json.dumps(copy), encoding="utf-8")
    assert read_spec_document(spec)["info"]["title"] == "from the copy"


def test_a_copy_of_other_bytes_is_ignored(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copy(SPEC_PATH, spec)
    write_parsed_copy(spec)
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("paths:", "x-edited: after the copy\npaths:", 1), "utf-8")
    document = read_spec_document(spec)
    assert document["x-edited"] == "after the copy"
    assert document == read_spec_document.__wrapped__(spec)  # same as without the copy


def test_a_broken_copy_is_ignored(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copy(SPEC_PATH, spec)
    parsed_copy_path(spec).write_text("{not json", encoding="utf-8")
    assert "paths" in read_spec_document(spec)
