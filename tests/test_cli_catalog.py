"""``docharness catalog``: the listing, and --suggest entries for the project's own catalog file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import cli

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

PAGE = """\
========
Triggers
========

Create a Trigger
----------------

1. Click :guilabel:`Triggers` in the left navigation menu.

#. Follow Facebook's official guide to create a new Facebook app.

#. Perform a rolling resync.

#. Click :guilabel:`Save`.
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["catalog", *args], standalone_mode=False)
    assert result.exception is None, result.exc_info
    return result.return_value, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A docs project with one page, and a pyproject naming the project's catalog file."""
    (tmp_path / "docs" / "source").mkdir(parents=True)
    (tmp_path / "docs" / "snooty.toml").write_text('name = "t"\n', encoding="utf-8")
    (tmp_path / "docs" / "source" / "triggers.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.docharness]\ncatalogs = ["my-catalog.toml"]\n', encoding="utf-8"
    )
    (tmp_path / "my-catalog.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_listing_names_operations_resources_and_the_project_catalog(project: Path) -> None:
    code, out, _ = run()
    assert code == 0
    assert re.search(r"^  deploy_draft ", out, re.MULTILINE)
    assert re.search(
        r"^  functions +Functions: adminListFunctions \(~/functions;", out, re.MULTILINE
    )
    assert "Project catalog: my-catalog.toml" in out


def test_suggest_groups_unbound_steps_into_entries_for_the_project_catalog(project: Path) -> None:
    code, out, err = run("--suggest", "--no-cache")
    assert code == 1
    assert out.startswith("# Entries to paste into my-catalog.toml")
    assert "Paste the entries into my-catalog.toml." in err
    assert (
        "4 steps: 0 bound by catalog entries, 0 run by their code, 1 external and 1 ui-only "
        "by the resource "
        "model's rules, 2 unbound (1 that no rule explains)"
    ) in err
    # navigation and the Facebook console are explained by rules: no entry for them
    assert "source/triggers.txt:8" not in out and "Facebook" not in out
    assert "source/triggers.txt:12: Perform a rolling resync." in out
    assert "no rule explains this step (missing: kind)" in out
    # the save of a trigger needs an operation that reads triggers back: commented out
    # (the run binds from the sentence and the page path, which name no resource here)
    assert "# 1 step: save of triggers (ui)" in out
    assert "no catalog operation does yet" in out
    entry = out[out.index("# [[step]]") :].split("\n\n")[0]
    assert '# labels = ["Save"]' in entry and '# context = ["page:triggers"]' in entry
    # Uncommented, with an operation chosen, the entry loads and binds the step.
    ready = "\n".join(line.removeprefix("# ") for line in entry.splitlines())
    ready = ready.replace('operation = "..."', 'operation = "review_draft"')
    (project / "my-catalog.toml").write_text(ready + "\n", encoding="utf-8")
    code, out, err = run("--suggest", "--no-cache")
    assert code == 1
    assert "4 steps: 1 bound by catalog entries" in err and "1 unbound" in err
    assert "source/triggers.txt:14" not in out


CODE_PAGE = """\
=====
Build
=====

Build It
--------

1. Pull the app:

   .. code-block:: shell

      realm-cli pull --remote myapp

#. Add the following code to your app:

   .. code-block:: swift

      let app = App(id: "myapp")
"""


def test_suggest_counts_code_steps_apart_and_never_calls_an_unbound_step_external(
    project: Path,
) -> None:
    """The advice says what the run says: a CLI step runs by its code, and a step the run
    leaves unbound is not "external" because its code block (which the run does not read
    for binding) is client code."""
    (project / "docs" / "source" / "triggers.txt").unlink()
    (project / "docs" / "source" / "build.txt").write_text(CODE_PAGE, encoding="utf-8")
    code, out, err = run("--suggest", "--no-cache")
    assert code == 1
    assert "2 steps: 0 bound by catalog entries, 1 run by their code," in err
    assert "1 unbound" in err
    assert "source/build.txt:14: Add the following code to your app:" in out
    assert "no entry needed" not in out and "external" not in out


def test_without_a_project_catalog_the_advice_says_how_to_start_one(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.docharness]\n", encoding="utf-8")
    _, out, err = run("--suggest", "--no-cache")
    assert out.startswith("# Entries to paste into docharness-catalog.toml")
    assert 'add `catalogs = ["docharness-catalog.toml"]` under [tool.docharness]' in err


def test_a_malformed_project_catalog_is_one_line_and_exit_2(project: Path) -> None:
    (project / "my-catalog.toml").write_text("[[step]]\nid = 1\nnope = 2\n", encoding="utf-8")
    code, out, err = run("--suggest", "--no-cache")
    assert code == 2 and out == ""
    assert err.startswith("docharness: error: my-catalog.toml")
    assert len(err.strip().splitlines()) == 1


def test_no_docs_project_is_exit_2(project: Path) -> None:
    shutil.rmtree(project / "docs")
    code, _, err = run("--suggest", "--no-cache")
    assert code == 2
    assert err.startswith("docharness: error: ")


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (the shared corpora)")
def test_suggest_on_a_copy_of_the_app_services_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(CORPUS / "app-services", tmp_path / "docs")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.docharness]\ncatalogs = ["app-catalog.toml"]\n', encoding="utf-8"
    )
    (tmp_path / "app-catalog.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--suggest", "--no-cache")
    assert code == 1
    assert out.startswith("# Entries to paste into app-catalog.toml")
    total, unexplained = map(
        int, re.search(r"(\d+) steps: .* unbound \((\d+) that no rule explains\)", err).groups()
    )
    assert total > 300 and unexplained <= 0.05 * total
    # Navigation is ui-only by rule, so it needs no entry; an observation of users does (a
    # save of a value binds to the generic operation of the resources in fields.toml).
    assert 'Select "App Users" from the left navigation menu.' not in out
    assert "# 2 steps: observation of users (ui)" in out and "save of values" not in out


def test_a_project_extends_the_resource_model_with_its_own_rules_files(project: Path) -> None:
    """[tool.docharness] kinds/resources name files merged after the shipped rules: the
    project's verb and noun explain a step no shipped rule does; a clash is an error."""
    from harness.catalog.classify import use_rules

    (project / "pyproject.toml").write_text(
        '[tool.docharness]\ncatalogs = ["my-catalog.toml"]\n'
        'kinds = ["rules/kinds.toml"]\nresources = ["rules/resources.toml"]\n',
        encoding="utf-8",
    )
    (project / "rules").mkdir()
    (project / "rules" / "kinds.toml").write_text(
        '[[rule]]\nid = "perform"\nkind = "update"\nverbs = ["perform"]\n', encoding="utf-8"
    )
    (project / "rules" / "resources.toml").write_text(
        '[[resource]]\nid = "resync"\ntitle = "Resync"\nnouns = ["rolling resync"]\n',
        encoding="utf-8",
    )
    try:
        _, out, err = run("--suggest", "--no-cache")
        assert "no rule explains" not in out
        assert "# 1 step: update of resync (any interface)" in out
        assert "2 unbound (0 that no rule explains)" in err
        (project / "rules" / "kinds.toml").write_text(
            '[[rule]]\nid = "save-button"\nkind = "save"\nlabels = ["store"]\n', encoding="utf-8"
        )
        code, _, err = run("--suggest", "--no-cache")
        assert code == 2
        assert "rules/kinds.toml:2 (save-button): id 'save-button' is already used by" in err
    finally:
        use_rules(None)
    (project / "pyproject.toml").write_text(
        '[tool.docharness]\ncatalogs = ["my-catalog.toml"]\n', encoding="utf-8"
    )
    _, out, _ = run("--suggest", "--no-cache")
    assert "no rule explains this step (missing: kind)" in out
