"""`hub webhooks setup`: register the hub's webhook in a source's tracker, or print the steps."""

from __future__ import annotations

import click

from hub.cli.common import configuration, run
from hub.contract.errors import ConfigError


@click.group("webhooks")
def webhooks_group() -> None:
    """The webhooks trackers send the hub (see docs/webhooks.md)."""


@webhooks_group.command()
@click.option("--source", "source_name", required=True, help="The configured source.")
@click.option(
    "--url",
    "public_url",
    required=True,
    help="The hub's public address, e.g. https://hub.example.com; the hook posts to "
    "<url>/webhooks/<source>.",
)
@click.pass_context
def setup(ctx: click.Context, source_name: str, public_url: str) -> None:
    """Register the source's webhook in its tracker, signed with the secret its
    `webhook_secret_env` names.

    Where the token may not manage webhooks, prints the steps to do it by hand and exits 0;
    a hook already posting to the hub is left as it is. Other failures exit 1.
    """
    from connectors.webhook_setup import Outcome, set_up_webhooks

    try:
        source = configuration(ctx).source(source_name)
    except ConfigError as exc:  # an unknown source, named with the configured ones
        raise click.ClickException(str(exc)) from None
    results = run(set_up_webhooks(source, public_url))
    manual = False
    for result in results:
        where = f"{source.name}: {result.place}"
        if result.outcome is Outcome.CREATED:
            click.echo(f"{where}: created the webhook ({result.detail})")
        elif result.outcome is Outcome.EXISTS:
            click.echo(f"{where}: {result.detail}; nothing created")
        else:
            manual = True
            click.echo(
                f"{where}: the tracker {result.detail}: the token may not manage its "
                "webhooks. Set it up by hand:"
            )
            for number, step in enumerate(result.steps, start=1):
                click.echo(f"  {number}. {step}")
    if manual:
        click.echo(
            "The scheduled sync keeps the source correct meanwhile; webhooks only make "
            "it fresh sooner."
        )
