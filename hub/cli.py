"""The ``hub`` command: database, sync, serve, demo and simulators."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from hub.config import HubConfig, load_config
from hub.errors import HubError

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


@main.command()
@click.option("--source", "source_name", help="Sync only this source.")
@click.option("--full", is_flag=True, help="Ignore cursors and read everything again.")
@click.pass_context
def sync(ctx: click.Context, source_name: str | None, full: bool) -> None:
    """Sync the configured sources now."""
    from hub.runner import sync_sources

    config = configuration(ctx)
    reports = run(sync_sources(config, source_name=source_name, full=full))
    for report in reports:
        click.echo(report.summary())
    if not all(report.ok for report in reports):
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--graphiql/--no-graphiql", default=False, help="Serve the GraphiQL IDE.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, graphiql: bool) -> None:
    """Serve the GraphQL API."""
    from hub.runner import serve_api

    run(serve_api(configuration(ctx), host=host, port=port, graphiql=graphiql))


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
@click.option("--seed", default=7, show_default=True)
def sim_run(kind: str, items: int, port: int, seed: int) -> None:
    """Serve one simulated tracker of the demo world on 127.0.0.1."""
    import uvicorn

    from hub.demo import simulator_app

    app, credentials = simulator_app(kind, items, seed)
    click.echo(f"{kind} simulator on http://127.0.0.1:{port} — {credentials}")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
