"""`hub demo` and `hub sim`: the simulated trackers, synced and served, or one on its own."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from hub.cli.common import run

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp

    from simulators.faults import Faults
    from simulators.webhooks import Tracker, WebhookSender


@click.command()
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


@click.group()
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
@click.option(
    "--webhook-url",
    "webhook_urls",
    multiple=True,
    help="POST the tracker's signed webhooks here when the world changes (repeatable).",
)
@click.option(
    "--webhook-secret-env",
    help="Environment variable holding the webhooks' shared secret (needed with --webhook-url).",
)
@click.option(
    "--webhook-duplicates",
    default=0,
    type=click.IntRange(min=0),
    help="Send each delivery again N times with the same delivery id.",
)
@click.option(
    "--webhook-hold",
    default=0,
    type=click.IntRange(min=0),
    help="Hold deliveries until N wait, then send them newest first (out of order).",
)
@click.option("--webhook-forge", is_flag=True, help="Follow each delivery with a forged one.")
@click.option(
    "--change-every",
    default=0.0,
    type=click.FloatRange(min=0),
    help="Edit a random issue every N seconds (0: never), so webhooks go out.",
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
    webhook_urls: tuple[str, ...],
    webhook_secret_env: str | None,
    webhook_duplicates: int,
    webhook_hold: int,
    webhook_forge: bool,
    change_every: float,
) -> None:
    """Serve one simulated tracker of the demo world on 127.0.0.1, optionally with faults."""
    import uvicorn

    from hub.demo import simulator_app
    from simulators.faults import Faults

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
    if not webhook_urls and change_every == 0:
        app, credentials = simulator_app(kind, items, seed, faults)
        click.echo(f"{kind} simulator on http://127.0.0.1:{port} — {credentials}")
        if faults != Faults(seed=seed):
            click.echo(f"injecting {faults}")
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
        return
    sender = _webhook_sender(
        kind, webhook_urls, webhook_secret_env, webhook_duplicates, webhook_hold, webhook_forge
    )
    app, credentials, change = _changing_simulator(
        kind, items, seed, faults, sender, f"http://127.0.0.1:{port}"
    )
    click.echo(f"{kind} simulator on http://127.0.0.1:{port} — {credentials}")
    if faults != Faults(seed=seed):
        click.echo(f"injecting {faults}")
    if webhook_urls:
        click.echo(f"sending signed webhooks to {', '.join(webhook_urls)}")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    asyncio.run(_serve_changing(server, change, change_every))


def _webhook_sender(
    kind: str,
    urls: tuple[str, ...],
    secret_env: str | None,
    duplicates: int,
    hold: int,
    forge: bool,
) -> WebhookSender | None:
    """The sender ``hub sim run``'s webhook options ask for; None without ``--webhook-url``."""
    from simulators.webhooks import WebhookSender

    if not urls:
        return None
    if not secret_env:
        raise click.UsageError("--webhook-url needs --webhook-secret-env")
    secret = os.environ.get(secret_env)
    if not secret:
        raise click.UsageError(f"environment variable {secret_env} is not set or empty")
    tracker: Tracker = "jira" if kind == "jira" else "github" if kind == "github" else "linear"
    sender = WebhookSender(
        tracker, urls, secret.encode(), duplicates=duplicates, hold=hold, forge=forge
    )
    return sender.start()


def _changing_simulator(
    kind: str,
    items: int,
    seed: int,
    faults: Faults,
    sender: WebhookSender | None,
    base_url: str,
) -> tuple[ASGIApp, str, Callable[[], str]]:
    """One tracker of the demo world whose changes ``sender`` posts, and a call that edits a
    random issue of it (``--change-every``): ``hub.demo.simulator_app`` on a world kept so
    that it can be watched."""
    from hub.demo import simulator_app
    from simulators.demo_world import build_demo_world
    from simulators.webhook_events import change_something, connect

    world = build_demo_world(items, seed=seed)
    tracked = world.jira if kind == "jira" else world.github if kind == "github" else world.linear
    if sender is not None:
        connect(tracked, sender, base_url=base_url)
    rng = random.Random(seed)
    app, credentials = simulator_app(kind, items, seed, faults, world)
    return app, credentials, lambda: change_something(tracked, rng)


async def _serve_changing(
    server: uvicorn.Server, change: Callable[[], str] | None, every: float
) -> None:
    """Serve, editing an issue every ``every`` seconds in the server's own loop, so that a
    change never races a request."""

    async def churn() -> None:
        while change is not None and every > 0:
            await asyncio.sleep(every)
            click.echo(f"changed {change()}")

    task = asyncio.create_task(churn())
    try:
        await server.serve()
    finally:
        task.cancel()
