"""`hub token`: API tokens for the GraphQL API (only their digests are stored)."""

from __future__ import annotations

from datetime import datetime

import click

from hub.cli.common import configuration, run


@click.group()
def token() -> None:
    """API tokens for the GraphQL API (only their digests are stored)."""


@token.command("create")
@click.argument("name")
@click.option(
    "--scope",
    type=click.Choice(["read", "write"]),
    default="read",
    show_default=True,
    help="`read` runs queries; `write` also runs mutations such as syncSource.",
)
@click.pass_context
def token_create(ctx: click.Context, name: str, scope: str) -> None:
    """Create a token and print it, once: the hub keeps only its digest."""
    from hub.runner import open_database
    from hub.storage.tokens import create_token

    config = configuration(ctx)

    async def go() -> str:
        async with open_database(config.database_url) as sessions:
            return await create_token(sessions, name, "write" if scope == "write" else "read")

    secret = run(go())
    click.echo(f"token '{name}' ({scope}) created; copy it now, it is not shown again:", err=True)
    click.echo(secret)


@token.command("list")
@click.pass_context
def token_list(ctx: click.Context) -> None:
    """Name, scope, creation, last use and revocation of every token (never the token)."""
    from hub.runner import open_database
    from hub.storage.tokens import TokenInfo, list_tokens

    config = configuration(ctx)

    async def go() -> list[TokenInfo]:
        async with open_database(config.database_url) as sessions:
            return await list_tokens(sessions)

    tokens = run(go())
    if not tokens:
        click.echo("no tokens: create one with `hub token create NAME --scope read`")
        return
    rows = [("NAME", "SCOPE", "CREATED", "LAST USED", "REVOKED")] + [
        (t.name, t.scope, when(t.created_at), when(t.last_used_at), when(t.revoked_at))
        for t in tokens
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


@token.command("revoke")
@click.argument("name")
@click.pass_context
def token_revoke(ctx: click.Context, name: str) -> None:
    """Refuse a token from now on; the row stays, for the audit."""
    from hub.runner import open_database
    from hub.storage.tokens import revoke_token

    config = configuration(ctx)

    async def go() -> bool:
        async with open_database(config.database_url) as sessions:
            return await revoke_token(sessions, name)

    revoked = run(go())
    click.echo(f"token '{name}' " + ("revoked" if revoked else "was revoked already"))
