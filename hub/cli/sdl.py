"""`hub schema export`: the GraphQL schema's SDL."""

from __future__ import annotations

import click


@click.group("schema")
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
