"""The ``hub`` command: database, sync, serve, API tokens, schema export, demo and simulators."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, TypeVar

import click

from hub.config import HubConfig, load_config
from hub.errors import HubError
from hub.reports.cli import report as report_group

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; a HubError becomes a one-line message and exit status 1."""
    try:
        return asyncio.run(coroutine)
    except HubError as exc:
        raise click.ClickException(str(exc)) from None


def configuration(ctx: click.Context) -> HubConfig:
    try:
        return load_config(ctx.obj["config_path"])
    except HubError as exc:
        raise click.ClickException(str(exc)) from None


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


main.add_command(report_group)


@main.group()
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


EXIT_BUSY = 75
"""EX_TEMPFAIL: a source was being synced elsewhere; trying again later will do."""


@main.command()
@click.option("--source", "source_name", help="Sync only this source.")
@click.option("--full", is_flag=True, help="Ignore cursors and read everything again.")
@click.option(
    "--wait",
    is_flag=True,
    help="If another process is syncing a source, wait for it instead of skipping the source.",
)
@click.pass_context
def sync(ctx: click.Context, source_name: str | None, full: bool, wait: bool) -> None:
    """Sync the configured sources now, showing progress on stderr.

    Exit status: 0 when every sync succeeded, 1 when one failed, 75 when none failed but a
    source was busy (synced by another process; see --wait).
    """
    from hub.progress import SyncProgress
    from hub.runner import sync_sources

    config = configuration(ctx)
    display = SyncProgress(sys.stderr)
    reports = run(
        sync_sources(config, source_name=source_name, full=full, wait=wait, display=display)
    )
    for report in reports:
        if report.status == "busy":
            click.echo(f"{report.source}: busy — {report.error}", err=True)
        else:
            click.echo(report.summary())
    if any(report.status not in ("succeeded", "busy") for report in reports):
        sys.exit(1)
    if any(report.status == "busy" for report in reports):
        sys.exit(EXIT_BUSY)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--graphiql/--no-graphiql", default=False, help="Serve the GraphiQL IDE.")
@click.option(
    "--schedule/--no-schedule",
    default=True,
    help="Sync each source every `every` while serving (default), or only on demand.",
)
@click.option(
    "--production",
    is_flag=True,
    help="Turn introspection and GraphiQL off (as `[api] production = true` does).",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, graphiql: bool, schedule: bool, production: bool
) -> None:
    """Serve the GraphQL API and run the scheduled syncs.

    Every request needs `Authorization: Bearer <token>`; create tokens with `hub token create`.
    """
    from hub.runner import serve_api

    run(
        serve_api(
            configuration(ctx),
            host=host,
            port=port,
            graphiql=graphiql,
            schedule=schedule,
            production=production,
        )
    )


@main.group()
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
    from hub.tokens import create_token

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
    from hub.tokens import TokenInfo, list_tokens

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
    from hub.tokens import revoke_token

    config = configuration(ctx)

    async def go() -> bool:
        async with open_database(config.database_url) as sessions:
            return await revoke_token(sessions, name)

    revoked = run(go())
    click.echo(f"token '{name}' " + ("revoked" if revoked else "was revoked already"))


@main.group("schema")
def schema_group() -> None:
    """The GraphQL schema."""


@schema_group.command("export")
@click.option(
    "--output",
    "-o",
    default="schema.graphql",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write the SDL; `-` for stdout.",
)
def schema_export(output: str) -> None:
    """Write the schema's SDL, as committed in schema.graphql for clients and reviews."""
    from schema import schema

    sdl = schema.as_str() + "\n"
    if output == "-":
        click.echo(sdl, nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="\n") as file:
        file.write(sdl)
    click.echo(f"schema written to {output}", err=True)


@main.command()
@click.option("--items", default=2000, show_default=True, help="Issues per simulated tracker.")
@click.option("--port", default=8000, show_default=True, type=int, help="GraphQL port.")
@click.option(
    "--database", default="hub-demo.db", show_default=True, help="SQLite file, recreated."
)
@click.option("--serve/--no-serve", "keep_serving", default=True, help="Serve GraphQL afterwards.")
def demo(items: int, port: int, database: str, keep_serving: bool) -> None:
    """Simulated trackers → sync → roadmap → GraphQL, with nothing configured."""
    from hub.demo import run_demo

    run(run_demo(items=items, port=port, database=database, keep_serving=keep_serving))


@main.group()
def sim() -> None:
    """Run a tracker simulator on its own, for trying connectors by hand."""


@sim.command("run")
@click.argument("kind", type=click.Choice(["jira", "github", "linear"]))
@click.option("--items", default=2000, show_default=True)
@click.option("--port", default=8801, show_default=True, type=int)
@click.option("--seed", default=7, show_default=True, help="Seeds the world and the faults.")
@click.option(
    "--rate-limit-after",
    type=click.IntRange(min=0),
    help="Answer as the tracker does when rate limited after N requests.",
)
@click.option(
    "--rate-limit-for",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many requests are rate limited before recovering.",
)
@click.option(
    "--retry-after",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds advertised to rate-limited clients.",
)
@click.option(
    "--error-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of 500/502/503."
)
@click.option("--slow", default=0.0, type=click.FloatRange(min=0), help="Seconds before answering.")
@click.option(
    "--drop-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of dropped connections."
)
@click.option(
    "--truncate-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of 200s cut in half."
)
@click.option(
    "--malformed-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of 200s with garbage."
)
@click.option(
    "--repeat-page-token", is_flag=True, help="Hand back the page token instead of advancing."
)
@click.option(
    "--mutate-while-paging",
    default=0,
    type=click.IntRange(min=0),
    help="Touch N random issues after each page of the issue listing.",
)
def sim_run(
    kind: str,
    items: int,
    port: int,
    seed: int,
    rate_limit_after: int | None,
    rate_limit_for: int,
    retry_after: float,
    error_rate: float,
    slow: float,
    drop_rate: float,
    truncate_rate: float,
    malformed_rate: float,
    repeat_page_token: bool,
    mutate_while_paging: int,
) -> None:
    """Serve one simulated tracker of the demo world on 127.0.0.1, optionally with faults."""
    import uvicorn

    from connectors.simulators.faults import Faults
    from hub.demo import simulator_app

    faults = Faults(
        rate_limit_after=rate_limit_after,
        rate_limit_for=rate_limit_for,
        retry_after=retry_after,
        error_rate=error_rate,
        slow_seconds=slow,
        drop_rate=drop_rate,
        truncate_rate=truncate_rate,
        malformed_rate=malformed_rate,
        repeat_page_token=repeat_page_token,
        mutate_while_paging=mutate_while_paging,
        seed=seed,
    )
    app, credentials = simulator_app(kind, items, seed, faults)
    click.echo(f"{kind} simulator on http://127.0.0.1:{port} — {credentials}")
    if faults != Faults(seed=seed):
        click.echo(f"injecting {faults}")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
