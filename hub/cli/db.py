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
    """Create the schema, or apply every pending migration; says which it did."""
    from hub.runner import connect
    from hub.storage.database import redact, unreachable
    from hub.storage.migrate import current_revision, head_revision, upgrade

    config = configuration(ctx)

    async def go() -> str:
        engine = connect(config.database_url)
        try:
            try:
                before = await current_revision(engine)
            except Exception as exc:
                raise unreachable(config.database_url, exc) from None
            head = head_revision()
            if before == head:
                return f"is already at revision {head}"
            await upgrade(engine)
            if before is None:
                return f"had no schema: created it at revision {head}"
            return f"upgraded from revision {before} to {head}"
        finally:
            await engine.dispose()

    done = run(go())
    click.echo(f"database {redact(config.database_url)} {done}")
