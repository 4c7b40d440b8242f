"""The ``docharness`` command: one sub-command per thing a user wants done.

Sub-commands load on first use (:class:`LazyGroup`): ``extract`` and ``lint``
never pay for pytest, the emulator's web stack or the OpenAPI validator, and
``docharness --help`` loads none of the sub-commands.
"""

from __future__ import annotations

import importlib

import click

from harness import __version__

# name -> (module, attribute, its short help: what `docharness --help` lists, a test keeps it true)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "extract": (
        "harness.cli.extract",
        "extract",
        "Write the procedures of DOCS as Gherkin .feature files.",
    ),
    "lint": ("harness.cli.extract", "lint", "Report markup in DOCS that readers would see broken."),
    "run": ("harness.cli.run", "run", "Verify every scenario in FEATURES (default: features/)..."),
    "report": (
        "harness.cli.report",
        "report",
        "Write the HTML, JUnit and cucumber reports of a run;...",
    ),
    "emulator": (
        "harness.cli.emulator",
        "emulator",
        "Serve a local Atlas App Services Admin API on 127.0.0.1...",
    ),
    "cassettes": (
        "harness.cli.cassettes",
        "cassettes",
        "Check that every scenario has a recording, that no...",
    ),
    "catalog": (
        "harness.cli.catalog",
        "catalog",
        "List the catalog's operations and resources; --suggest...",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when one is run, not when the group is built."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS`, without importing any command."""
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    docharness catalog --suggest          catalog entries to paste for unbound steps

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
