"""``docharness catalog``: what the catalog can verify, and entries for the steps it cannot bind.

Without options it lists the catalog's operations, the Admin API resources of
the resource model and the catalog files in use. ``--suggest`` reads a docs
project the way ``docharness extract`` does, binds every step as ``run`` would,
and groups the unbound ones into entries to paste into the project's own
catalog file (``[tool.docharness] catalogs``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from harness.cli.extract import Reading, UsageProblem, _fail, _read_project, reading_options
from harness.config import ConfigError, ProjectConfig, read_project_config

if TYPE_CHECKING:
    from harness.catalog import Catalog
    from harness.catalog.classify import Classification, StepFacts
    from harness.procedures import Extraction
    from harness.procedures.model import Step

DEFAULT_PROJECT_CATALOG = "docharness-catalog.toml"


def _config() -> ProjectConfig:
    try:
        return read_project_config(Path("."))
    except ConfigError as error:
        raise UsageProblem(str(error)) from None


def _shown(path: Path) -> str:
    here = Path.cwd().resolve()
    resolved = path.resolve()
    return (resolved.relative_to(here) if resolved.is_relative_to(here) else path).as_posix()


def catalog_advice(config: ProjectConfig) -> tuple[str, str]:
    """(the project's catalog file, how to start one): where a writer pastes entries."""
    if config.catalogs:
        return _shown(config.catalogs[0]), ""
    return DEFAULT_PROJECT_CATALOG, (
        f'add `catalogs = ["{DEFAULT_PROJECT_CATALOG}"]` under [tool.docharness] in '
        f"pyproject.toml, then create {DEFAULT_PROJECT_CATALOG} with these entries"
    )


def _load(config: ProjectConfig) -> Catalog:
    """The catalog the run would use, with the project's rules files in use too."""
    from harness.catalog import CatalogError, load_catalog
    from harness.catalog.classify import RulesError, load_rules, use_rules
    from harness.plugin.operations import OPERATIONS

    try:
        use_rules(load_rules(config.rules) if config.rules else None)
        return load_catalog(config.catalogs, frozenset(OPERATIONS))
    except (CatalogError, RulesError) as error:
        raise UsageProblem(str(error)) from None


def _listing(config: ProjectConfig) -> None:
    from harness.catalog.classify import default_rules
    from harness.plugin.operations import OPERATIONS

    catalog = _load(config)
    click.echo("Catalog operations (the `operation` of a [[step]] entry):")
    for name, spec in sorted(OPERATIONS.items()):
        change = "changes the app" if spec.changes_app else "reads only"
        click.echo(f"  {name:<28} {spec.summary} ({change})")
    click.echo("")
    click.echo(
        "Resources (harness/catalog/resources.toml and the project's own), with the Admin API "
        "read that verifies them:"
    )
    for resource in default_rules().resources:
        click.echo(
            f"  {resource.id:<18} {resource.title}: {resource.read} "
            f"({resource.path}; {len(resource.operations)} spec operations)"
        )
    click.echo("")
    click.echo(f"Catalog files: {', '.join(catalog.files)} ({len(catalog.steps)} step entries)")
    target, advice = catalog_advice(config)
    click.echo(f"Project catalog: {target}" + (f" ({advice})" if advice else ""))


@dataclass
class Binding:
    """How ``run`` would bind a project's steps, and the steps it could not."""

    total: int = 0
    by_entry: int = 0
    by_code: int = 0  # curl/CLI steps (and JSON edits after a pull): run by their code
    by_rule: Counter[str] = field(default_factory=Counter)  # "external" / "ui-only" -> steps
    unbound: list[tuple[str, StepFacts, Classification]] = field(default_factory=list)


def bind_project(extraction: Extraction, catalog: Catalog) -> Binding:
    """Bind every step as the runner does (its sentence and its scenario's tags).

    A step whose code the run executes (a curl or realm-cli command, a JSON edit
    after a pull) is counted apart: its code decides it, not a catalog entry. A
    step no catalog entry and no resource-model rule binds is unbound, with the
    classification the run made of it; only when that explains nothing is it
    classified again from everything the page says (code, titles, sections), so
    that its suggested entry names a kind and resource. That second reading never
    makes it external: the run reports it unbound, and so does the advice.
    """
    from harness.catalog import Bound, ByRule, bind_step
    from harness.catalog.classify import StepFacts, classify
    from harness.gherkin.text import slug, step_sentence

    found = Binding()
    for document in extraction.documents:
        for procedure in document.procedures:
            tags = {f"page:{document.page}", f"id:{procedure.id}"}
            tags.update(f"label:{label}" for label in procedure.labels)
            if procedure.tab:
                tags.add(f"tab:{slug(procedure.tab) or 'tab'}")
            pulled = False
            for step in procedure.steps:
                found.total += 1
                by_code, pulled = _runs_by_code(step, pulled)
                if by_code:
                    found.by_code += 1
                    continue
                sentence = step_sentence(step)
                binding = bind_step(catalog, sentence, step.kind.value, frozenset(tags))
                if isinstance(binding, Bound):
                    found.by_entry += 1
                elif isinstance(binding, ByRule):
                    found.by_rule[binding.status] += 1
                else:
                    run = classify(StepFacts.from_sentence(sentence, step.kind.value, tags))
                    facts = StepFacts.from_step(step, procedure, document.page)
                    richer = classify(facts)
                    usable = richer.classified and not richer.external
                    chosen = richer if not run.classified and usable else run
                    found.unbound.append((str(step.location), facts, chosen))
    return found


def _runs_by_code(step: Step, pulled: bool) -> tuple[bool, bool]:
    """(whether the run executes the step's code, whether the procedure has pulled the app).

    The same test as harness/plugin/code_steps.py: a shell block holding a curl or
    realm-cli command, or a JSON block once an earlier step pulled the app.
    """
    from harness.commands import parse_cli, parse_curls
    from harness.commands.lint import JSON_LANGUAGES, SHELL_LANGUAGES

    runs = False
    for block in step.code:
        language = block.language.casefold()
        if language in SHELL_LANGUAGES | {"", "text", "none"}:
            plans = parse_cli(block.text)
            runs = runs or bool(plans or parse_curls(block.text))
            pulled = pulled or any(plan.command in ("pull", "export") for plan in plans)
        elif language in JSON_LANGUAGES and pulled:
            runs = True
    return runs, pulled


@click.command()
@click.argument("docs", required=False, type=click.Path(path_type=Path))
@click.option(
    "--suggest",
    is_flag=True,
    help="Read DOCS, and print entries for the steps no catalog entry binds.",
)
@reading_options
def catalog(
    docs: Path | None, suggest: bool, jobs: int, cache_dir: Path | None, no_cache: bool
) -> int:
    """List the catalog's operations and resources; --suggest entries for unbound steps.

    DOCS (with --suggest) is the folder holding snooty.toml (default:
    [tool.docharness] docs in ./pyproject.toml, else docs). The entries are
    grouped by what the steps do (kind, resource, UI labels, verb) and meant
    for the project's own catalog file, the first of [tool.docharness]
    catalogs. External steps (SDK code, third-party consoles) need no entry.

    \b
    Exit codes:
      0  listed, or every step is bound
      1  --suggest found unbound steps (the entries say what to add)
      2  could not run (no snooty.toml, a malformed catalog or pyproject.toml)
    """
    from harness.rst import ProjectError

    try:
        config = _config()
        if not suggest:
            _listing(config)
            return 0
        current = _load(config)
        extraction = _read_project(docs or config.docs, Reading(jobs, cache_dir, no_cache))
    except (UsageProblem, ProjectError, OSError) as error:
        return _fail(str(error))
    from harness.catalog.suggest import render
    from harness.catalog.suggest import suggest as group

    found = bind_project(extraction, current)
    target, advice = catalog_advice(config)
    summary = (
        f"{found.total} steps: {found.by_entry} bound by catalog entries, "
        f"{found.by_code} run by their code, "
        f"{found.by_rule['external']} external and {found.by_rule['ui-only']} ui-only by the "
        f"resource model's rules, {len(found.unbound)} unbound"
    )
    if not found.unbound:
        click.echo(f"{summary}.")
        return 0
    suggestions = group(found.unbound)
    click.echo(render(suggestions, target), nl=False)
    unexplained = sum(1 for _, _, c in found.unbound if not c.classified)
    click.echo(
        f"{summary} ({unexplained} that no rule explains); {len(suggestions)} groups. "
        f"Paste the entries into {target}" + (f" ({advice})" if advice else "") + ".",
        err=True,
    )
    return 1
