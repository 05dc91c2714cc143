"""`hub sync` and `hub serve`: syncs now, or the API with its scheduled syncs."""

from __future__ import annotations

import sys

import click

from hub.cli.common import configuration, run
from hub.cli.log_format import LOG_FORMATS, use_log_format
from hub.contract.records import RunStatus

EXIT_BUSY = 75
"""EX_TEMPFAIL: a source was being synced elsewhere; trying again later will do."""


@click.command()
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
        if report.status is RunStatus.BUSY:
            click.echo(f"{report.source}: busy — {report.error}", err=True)
        else:
            click.echo(report.summary())
    if any(report.status not in (RunStatus.SUCCEEDED, RunStatus.BUSY) for report in reports):
        sys.exit(1)
    if any(report.status is RunStatus.BUSY for report in reports):
        sys.exit(EXIT_BUSY)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
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
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="text",
    show_default=True,
    help="Write log lines as text, or as one JSON object each (time, level, logger, message).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    graphiql: bool,
    schedule: bool,
    production: bool,
    log_format: str,
) -> None:
    """Serve the GraphQL API and run the scheduled syncs.

    Every request needs `Authorization: Bearer <token>`; create tokens with `hub token create`.
    """
    from hub.runner import serve_api

    use_log_format(log_format)
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
