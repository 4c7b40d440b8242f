"""The snooty vocabulary: every name of the spec is known, with its kind."""

from __future__ import annotations

import tomllib
from pathlib import Path

from harness.rst import load_project, parse_page, vocabulary
from harness.rst.spec import dialect


def test_vocabulary_toml_is_what_the_generator_makes_of_the_spec(shared_dir: Path) -> None:
    spec = tomllib.loads((shared_dir / "reference/snooty-rstspec.toml").read_text("utf-8"))
    generated = vocabulary.generate(spec, "snooty-parser rstspec.toml")
    assert vocabulary.OUTPUT.read_text(encoding="utf-8") == generated


def test_every_name_of_the_spec_is_known(shared_dir: Path) -> None:
    spec = tomllib.loads((shared_dir / "reference/snooty-rstspec.toml").read_text("utf-8"))
    known = dialect()
    unknown_directives = [n for n in spec["directive"] if known.directive_kind(n, "") is None]
    unknown_roles = [n for n in spec["role"] if known.role(n, "") is None]
    assert (unknown_directives, unknown_roles) == ([], [])
    for name in spec["rstobject"]:  # an rstobject is a directive and a role
        assert known.directive_kind(name, "") is not None, name
        assert known.role(name, "") is not None, name


def test_rstobjects_and_link_roles_from_the_issue_parse_without_warnings(
    tmp_path: Path,
) -> None:
    text = (
        ".. default-domain:: mongodb\n\n"
        ".. sync-client-message:: upload\n\n   Sends changes.\n\n"
        "See :sync-server-message:`download`, :dbtools:`mongodump </mongodump>`,\n"
        ":node-driver:`the driver </>`, :rubygems:`gems </x>`, :mdb-shell:`shell </>`,\n"
        ":git-scm:`git </doc>`.\n"
    )
    (tmp_path / "snooty.toml").write_text('name = "t"\n', encoding="utf-8")
    (tmp_path / "source").mkdir()
    (tmp_path / "source/page.txt").write_text(text, encoding="utf-8")
    page = parse_page(load_project(tmp_path), tmp_path / "source/page.txt")
    assert [d.code for d in page.diagnostics] == []


def test_link_roles_carry_their_url_template() -> None:
    assert dialect().link_url("dbtools", "/mongodump") == (
        "https://www.mongodb.com/docs/database-tools/mongodump"
    )
    assert dialect().link_url("no-such-role", "/x") == ""


def test_a_directive_kind_follows_inherit() -> None:
    table = {"code-block": {"content_type": "raw"}, "code": {"inherit": "code-block"}}
    assert vocabulary.directive_kind(table, "code") == "literal"
    roles = {"ref": {}, "card-ref": {"inherit": "ref"}, "x": {"type": {"link": "u%s"}}}
    assert vocabulary.role_kind(roles, "card-ref") == ("ref", "")
    assert vocabulary.role_kind(roles, "x") == ("link", "u%s")
