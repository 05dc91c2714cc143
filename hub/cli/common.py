"""What every command shares: errors the hub explains become one line and exit status 1."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from hub.contract.config import HubConfig, load_config
from hub.contract.errors import HubError

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


def write_text(text: str, output: str, what: str) -> None:
    """``text`` to stdout for ``-``, else to the file ``output`` with Unix newlines, saying
    so on stderr."""
    if output == "-":
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
    click.echo(f"{what} written to {output}", err=True)
