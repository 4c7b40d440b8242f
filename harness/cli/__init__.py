"""The ``docharness`` command: one sub-command per thing a user wants done."""

from __future__ import annotations

import click

from harness import __version__
from harness.cli.cassettes import cassettes
from harness.cli.emulator import emulator
from harness.cli.extract import extract, lint
from harness.cli.report import report
from harness.cli.run import run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="docharness")
def cli() -> None:
    """Test that documented procedures still work.

    \b
    docharness extract docs -o features   write the procedures of docs/ as Gherkin
    docharness lint docs                  report markup that readers will see broken
    docharness run                        verify features/ offline, from cassettes
    docharness report --coverage          what share of the steps an API call verified
    docharness emulator                   serve a local Admin API on 127.0.0.1
    docharness cassettes --spec FILE      check recordings: complete, secret-free, to spec

    Exit codes: 0 success, 1 the docs or the product need attention
    (errors, stale features, failed steps), 2 the command could not run
    (bad arguments, no snooty.toml, unreadable files).
    """


@cli.result_callback()
@click.pass_context
def _exit_with(ctx: click.Context, /, code: object, **_: object) -> None:
    """Sub-commands return their exit code; make it the process's in every mode."""
    if isinstance(code, int):
        ctx.exit(code)


for _command in (extract, lint, run, report, emulator, cassettes):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Entry point for the console script and ``python -m harness``.

    Sub-commands return their exit code; click's own usage errors exit 2.
    """
    try:
        result = cli.main(args=argv, prog_name="docharness", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return 2 if error.exit_code == 2 else error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    return result if isinstance(result, int) else 0
