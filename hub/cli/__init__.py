"""The ``hub`` command: database, sync, serve, API tokens, the config's reference, schema
export, reports, demo and simulators, webhook set-up, one module per command group."""

from __future__ import annotations

import logging
import sys

import click

from hub.cli.config import config_group
from hub.cli.db import db
from hub.cli.demo import demo, sim
from hub.cli.report import report
from hub.cli.sdl import schema_group
from hub.cli.sync import EXIT_BUSY, serve, sync
from hub.cli.token import token
from hub.cli.webhooks import webhooks_group

__all__ = ["EXIT_BUSY", "main"]


@click.group()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: $HUB_CONFIG or hub.toml).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug details.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """Tracker Hub: Jira, GitHub and Linear in one roadmap."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    ctx.obj = {"config_path": config_path}


for command in (
    db,
    sync,
    serve,
    token,
    config_group,
    schema_group,
    report,
    demo,
    sim,
    webhooks_group,
):
    main.add_command(command)
