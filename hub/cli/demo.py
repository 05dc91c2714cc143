"""`hub demo` and `hub sim`: the simulated trackers, synced and served, or one on its own."""

from __future__ import annotations

import click

from hub.cli.common import run


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
    app, credentials = simulator_app(kind, items, seed, faults)
    click.echo(f"{kind} simulator on http://127.0.0.1:{port} — {credentials}")
    if faults != Faults(seed=seed):
        click.echo(f"injecting {faults}")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
