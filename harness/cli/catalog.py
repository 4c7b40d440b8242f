"""``docharness catalog``: what the catalog can verify, and entries for the steps it cannot bind.

Without options it lists the catalog's operations, the Admin API resources of
the resource model and the catalog files in use. ``--suggest`` reads a docs
project the way ``docharness extract`` does, binds every step as ``run`` would,
and groups the unbound ones into entries to paste into the project's own
catalog file (``[tool.docharness] catalogs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from harness.cli.extract import Reading, UsageProblem, _fail, _read_project, reading_options
from harness.config import ConfigError, ProjectConfig, read_project_config

if TYPE_CHECKING:
    from harness.catalog import Catalog
    from harness.catalog.classify import Classification, StepFacts
    from harness.procedures import Extraction

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
    from harness.catalog import CatalogError, load_catalog
    from harness.plugin.operations import OPERATIONS

    try:
        return load_catalog(config.catalogs, frozenset(OPERATIONS))
    except CatalogError as error:
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
        "Resources (harness/catalog/resources.toml), with the Admin API read that verifies them:"
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


def unbound_steps(
    extraction: Extraction, catalog: Catalog
) -> list[tuple[str, StepFacts, Classification]]:
    """(file:line, facts, classification) of every step no catalog entry binds."""
    from harness.catalog import Bound, bind
    from harness.catalog.classify import StepFacts, classify
    from harness.gherkin.text import slug, step_sentence

    found = []
    for document in extraction.documents:
        for procedure in document.procedures:
            tags = {f"page:{document.page}", f"id:{procedure.id}"}
            tags.update(f"label:{label}" for label in procedure.labels)
            if procedure.tab:
                tags.add(f"tab:{slug(procedure.tab) or 'tab'}")
            for step in procedure.steps:
                binding = bind(catalog, step_sentence(step), step.kind.value, frozenset(tags))
                if isinstance(binding, Bound):
                    continue
                facts = StepFacts.from_step(step, procedure, document.page)
                found.append((str(step.location), facts, classify(facts)))
    return found


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

    unbound = unbound_steps(extraction, current)
    total = sum(len(p.steps) for d in extraction.documents for p in d.procedures)
    target, advice = catalog_advice(config)
    if not unbound:
        click.echo(f"All {total} steps are bound by the catalog ({', '.join(current.files)}).")
        return 0
    suggestions = group(unbound)
    click.echo(render(suggestions, target), nl=False)
    external = sum(1 for _, _, c in unbound if c.external)
    unexplained = sum(1 for _, _, c in unbound if not c.classified)
    click.echo(
        f"{len(unbound)} of {total} steps unbound: {external} external, {unexplained} that no rule "
        f"explains; {len(suggestions)} groups. Paste the entries into {target}"
        + (f" ({advice})" if advice else "")
        + ".",
        err=True,
    )
    return 1
