"""`hub schema export`: the GraphQL schema's SDL."""

from __future__ import annotations

import click

from hub.cli.common import write_text


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

    write_text(schema.as_str() + "\n", output, "schema")
