"""``docharness emulator``: serve the local Admin API until Ctrl-C.

It prints what a client needs (base URL, ids, keys): the keys are the
emulator's fixed, published ones and open nothing else, so printing them is
safe, and the server only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import click

from harness.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_GROUP_ID,
    DEFAULT_PRIVATE_KEY,
    DEFAULT_PUBLIC_KEY,
    Faults,
    serve,
)


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one.",
)
@click.option(
    "--fail-deploys",
    metavar="MSG",
    default="",
    help="Every deployment ends 'failed' with MSG as its status_error_message.",
)
@click.option("--stall-deployments", is_flag=True, help="Deployments stay 'pending' forever.")
@click.option(
    "--token-ttl",
    type=click.FloatRange(min=0),
    default=Faults().token_ttl_seconds,
    show_default=True,
    help="Access token lifetime in seconds (the real one is 30 minutes).",
)
@click.option(
    "--throttle-next",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Answer the next N API requests (not login) with 429 and Retry-After: 0.",
)
@click.option(
    "--unavailable-next",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Answer the next N API requests (not login) with 503.",
)
@click.option("--sync-terminated", is_flag=True, help='Start with Sync terminated (state "").')
@click.option("--drafts-disabled", is_flag=True, help="Start with ui_drafts_disabled: true.")
def emulator(
    port: int,
    fail_deploys: str,
    stall_deployments: bool,
    token_ttl: float,
    throttle_next: int,
    unavailable_next: int,
    sync_terminated: bool,
    drafts_disabled: bool,
) -> int:
    """Serve a local Atlas App Services Admin API on 127.0.0.1 until Ctrl-C.

    Reset it between runs with: POST /__emulator/reset (a JSON object of faults).
    """
    faults = Faults(
        fail_deploys=fail_deploys,
        stall_deployments=stall_deployments,
        token_ttl_seconds=token_ttl,
        throttle_next=throttle_next,
        unavailable_next=unavailable_next,
        sync_terminated=sync_terminated,
        ui_drafts_disabled=drafts_disabled,
    )
    try:
        serve(port, faults, ready=_announce)
    except OSError as error:
        click.echo(
            f"docharness: error: cannot listen on 127.0.0.1:{port}: {error.strerror or error}",
            err=True,
        )
        return 2
    click.echo("Emulator stopped.")
    return 0


def _announce(url: str) -> None:
    click.echo(f"Admin API emulator at {url}")
    click.echo(f"  group id     {DEFAULT_GROUP_ID}")
    click.echo(f"  app id       {DEFAULT_APP_ID}")
    click.echo(f"  public key   {DEFAULT_PUBLIC_KEY}")
    click.echo(f"  private key  {DEFAULT_PRIVATE_KEY}   (fixed emulator key, not a secret)")
    click.echo("Press Ctrl-C to stop.")
