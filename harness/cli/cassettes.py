"""``docharness cassettes``: check the recordings before trusting an offline run."""

from __future__ import annotations

from pathlib import Path

import click

from harness.config import ConfigError, read_project_config


@click.command()
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The official Admin API OpenAPI file; every interaction is validated against it "
    "(modulo the deviations in harness/emulator/deviations.py).",
)
@click.option("--features", type=click.Path(path_type=Path), default=None, help="Features folder.")
@click.option(
    "--cassettes", type=click.Path(path_type=Path), default=None, help="Cassettes folder."
)
def cassettes(spec: Path | None, features: Path | None, cassettes: Path | None) -> int:
    """Check that every scenario has a recording, that no recording holds credentials,
    and (with --spec) that every recorded exchange conforms to the Admin API spec.

    Exit 0 when all is well, 1 when a problem was found, 2 when the spec cannot be read.
    """
    from harness.emulator.contract import load_spec
    from harness.openapi import SpecError
    from harness.plugin.audit import audit

    try:
        project = read_project_config(Path.cwd())
        if spec is not None:
            load_spec(spec)  # a spec that cannot be read stops the audit before any cassette
    except (ConfigError, SpecError) as error:
        click.echo(f"docharness: error: {error}", err=True)
        return 2
    except (ValueError, RecursionError) as error:  # not UTF-8, not YAML, not a mapping
        click.echo(f"docharness: error: {spec}: not an OpenAPI document: {error}", err=True)
        return 2
    features_dir = features or project.features
    cassettes_dir = cassettes or project.cassettes
    try:
        findings = audit(features_dir, cassettes_dir, spec)
    except SpecError as error:
        click.echo(f"docharness: error: {error}", err=True)
        return 2
    for finding in findings:
        click.echo(finding.format())
    count = len(list(cassettes_dir.rglob("*.yaml"))) if cassettes_dir.is_dir() else 0
    checks = "coverage, credentials" + (", spec" if spec else "")
    click.echo(f"{count} cassettes checked ({checks}): {len(findings)} problem(s)", err=True)
    return 1 if findings else 0
