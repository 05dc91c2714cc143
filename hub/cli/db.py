"""`hub db`: the database schema."""

from __future__ import annotations

import click

from hub.cli.common import configuration, run


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply every pending migration."""
    from hub.storage.database import create_engine, redact
    from hub.storage.migrate import upgrade

    config = configuration(ctx)

    async def go() -> None:
        engine = create_engine(config.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    run(go())
    click.echo(f"database {redact(config.database_url)} is up to date")
