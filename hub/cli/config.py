"""`hub config`: the configuration's reference page, and a check of a config file."""

from __future__ import annotations

import os

import click

from hub.cli.common import configuration, write_text


@click.group("config")
def config_group() -> None:
    """The config file: its reference, and a check of yours."""


@config_group.command("docs")
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write the page; `-` for stdout.",
)
def config_docs(output: str) -> None:
    """Write docs/configuration.md: every key with its type, default and example, from the
    config model."""
    from hub.cli.config_reference import render_reference

    write_text(render_reference(), output, "configuration reference")


@config_group.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """Load the config file and say, for each source, which secret variables are set (never
    their values); exit status 1 when one is missing."""
    from hub.cli.config_reference import duration

    config = configuration(ctx)
    missing = False
    for source in config.sources:
        variables = [v for v in (source.token_env, source.email_env) if v is not None]
        unset = [v for v in variables if not os.environ.get(v)]
        missing = missing or bool(unset)
        state = f"unset: {', '.join(unset)}" if unset else "secrets set"
        click.echo(f"{source.name} ({source.kind}, every {duration(source.every)}): {state}")
    if not config.sources:
        click.echo("no sources configured")
    if missing:
        raise SystemExit(1)
