"""``hub report``: the roadmap and the dependency graph as files to share.

Each report runs the API's own GraphQL document in process and renders its data, so a report
shows exactly what the API answers. Nothing is written until the report is complete.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from hub.reports import dot, json_report, markdown, mermaid, spreadsheet
from hub.reports.drawing import Section, drawing
from hub.reports.output import encoded, write_atomically

T = TypeVar("T")
Query = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
"""A GraphQL document and its variables to the data the API answers."""
Decorated = TypeVar("Decorated", bound=Callable[..., Any])


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date such as 2026-04-30") from None


def date_option(*names: str, help: str) -> Callable[[Decorated], Decorated]:
    return click.option(*names, metavar="YYYY-MM-DD", callback=iso_date, help=help)


OUTPUT = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the report to this file (replaced whole, never half-written); default stdout.",
)


@click.group("report")
def report() -> None:
    """The roadmap and the dependency graph as files, for people who never write GraphQL."""


@report.command("roadmap", short_help="The cross-tool roadmap as md, csv, html or json.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["md", "csv", "html", "json"]),
    default="md",
    show_default=True,
    help="md: a table per lane, for a pull request or a wiki. csv: a row per epic (and per "
    "initiative), for a spreadsheet; a file starts with a byte-order mark, for Excel. html: "
    "one self-contained page with a timeline. json: the API's `roadmap` data, for tools.",
)
@click.option(
    "--group-by",
    type=click.Choice(["initiative", "component", "source", "quarter"]),
    default="initiative",
    show_default=True,
    help="What each lane holds; an epic in several components shows in each.",
)
@date_option("--from", "start", help="Epics still running on or after this day.")
@date_option("--to", "end", help="Epics started on or before this day.")
@click.option(
    "--source", "sources", metavar="NAME", multiple=True, help="Only this source; repeatable."
)
@click.option(
    "--component",
    "components",
    metavar="NAME",
    multiple=True,
    help="Only this component; repeatable.",
)
@click.option(
    "--initiative",
    "initiatives",
    metavar="KEY",
    multiple=True,
    help="Only this initiative; repeatable.",
)
@date_option("--as-of", help="Judge health as of this day (default: today).")
@OUTPUT
@click.pass_context
def roadmap(
    ctx: click.Context,
    form: str,
    group_by: str,
    start: date | None,
    end: date | None,
    sources: tuple[str, ...],
    components: tuple[str, ...],
    initiatives: tuple[str, ...],
    as_of: date | None,
    output: str | None,
) -> None:
    """The cross-tool roadmap: lanes of epics with dates, status, progress and health."""
    from hub.reports.documents import ROADMAP_QUERY

    chosen = {"sources": sources, "components": components, "initiatives": initiatives}
    variables = {
        "groupBy": group_by.upper(),
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "filter": {name: list(values) for name, values in chosen.items() if values} or None,
    }
    data = _with_api(ctx, lambda query: query(ROADMAP_QUERY, variables), today=as_of)
    renderers: dict[str, Callable[[dict[str, Any]], str]] = {
        "md": markdown.render_roadmap,
        "csv": spreadsheet.render_roadmap,
        "json": json_report.render,
        "html": _html_roadmap,
    }
    # Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark.
    _emit(renderers[form](data), output, byte_order_mark=form == "csv")


@report.command("dependencies", short_help="The dependency graph as dot, mermaid or json.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["dot", "mermaid", "json"]),
    default="dot",
    show_default=True,
    help="dot: Graphviz (`dot -Tsvg`); without --root, a cluster per initiative. mermaid: a "
    "flowchart for a ```mermaid block; without --root, or when the graph is longer than "
    "Mermaid draws (50,000 characters), Markdown with a heading per initiative and ```mermaid "
    "blocks that each fit. json: the API's `dependencyGraph` data.",
)
@click.option(
    "--root",
    metavar="KEY|NAME",
    help="What to draw the graph around, as --root-kind says. Default: every initiative on the "
    "roadmap, one graph each (in JSON, a list under `dependencyGraphs`).",
)
@click.option(
    "--root-kind",
    type=click.Choice(["item", "initiative", "component"]),
    default="item",
    show_default=True,
    help="item: --root is an item's tracker key (PAY-12, acme/api#3, ENG-7). initiative: an "
    "initiative's key, for its epics and their issues. component: a catalog component's name, "
    "for its items.",
)
@click.option(
    "--direction",
    type=click.Choice(["upstream", "downstream", "both"]),
    default="both",
    show_default=True,
    help="upstream: what the root waits on. downstream: what waits on the root.",
)
@click.option(
    "--depth",
    metavar="N",
    default=3,
    show_default=True,
    type=int,
    help="How many dependencies away (1-10).",
)
@OUTPUT
@click.pass_context
def dependencies(
    ctx: click.Context,
    form: str,
    root: str | None,
    root_kind: str,
    direction: str,
    depth: int,
    output: str | None,
) -> None:
    """The dependency graph: cross-tool edges, cycles and the critical path marked.

    Cycles and the critical path are followed past --depth, as the API does. Drawings leave
    out items without a dependency shown; the JSON keeps every item.
    """
    if root is None and ctx.get_parameter_source("root_kind") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--root-kind needs --root")
    shape = {"direction": direction.upper(), "depth": depth}
    title = _graph_title(root, root_kind, direction, depth)
    if root is None:
        found = _with_api(ctx, lambda query: _every_initiative(query, shape))
        if form == "json":
            _emit(json_report.render({"dependencyGraphs": [graph for _, graph in found]}), output)
            return
        sections = _initiative_sections(found, direction, depth)
        render_all = dot.render_clusters if form == "dot" else mermaid.render_sections
        _emit(render_all(title, sections), output)
        return
    from hub.reports.documents import DEPENDENCIES_QUERY

    variables = {"root": root, "rootKind": root_kind.upper(), **shape}
    data = _with_api(ctx, lambda query: query(DEPENDENCIES_QUERY, variables))
    if form == "json":
        _emit(json_report.render(data), output)
        return
    roots = [root] if root_kind == "item" else []
    render = dot.render_dependencies if form == "dot" else mermaid.render_graph
    _emit(render(drawing(title, [data["dependencyGraph"]], roots)), output)


def _initiative_sections(
    found: list[tuple[str, dict[str, Any]]], direction: str, depth: int
) -> list[Section]:
    """A drawing per initiative, headed by its key and title."""
    return [
        Section(
            heading=f"{graph['root']}: {lane_title}",
            drawing=drawing(
                _graph_title(graph["root"], "initiative", direction, depth),
                [graph["dependencyGraph"]],
            ),
        )
        for lane_title, graph in found
    ]


def _graph_title(root: str | None, root_kind: str, direction: str, depth: int) -> str:
    if root is None:
        of = "every initiative"
    else:
        of = root if root_kind == "item" else f"{root_kind} {root}"
    scope = "both ways" if direction == "both" else direction
    return f"Dependencies of {of}, {scope}, {depth} deep"


async def _every_initiative(
    query: Query, shape: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The graph around each initiative the roadmap shows, one query each, with the
    initiative's title."""
    from hub.reports.documents import DEPENDENCIES_QUERY, ROADMAP_QUERY

    data = await query(ROADMAP_QUERY, {"groupBy": "INITIATIVE"})
    lanes = [lane for lane in data["roadmap"]["lanes"] if lane["initiative"] is not None]
    graphs = []
    for lane in lanes:
        variables = {"root": lane["key"], "rootKind": "INITIATIVE", **shape}
        graph = await query(DEPENDENCIES_QUERY, variables)
        graphs.append((lane["title"], {"root": lane["key"], "rootKind": "INITIATIVE", **graph}))
    return graphs


def _with_api(
    ctx: click.Context, work: Callable[[Query], Awaitable[T]], *, today: date | None = None
) -> T:
    """``work`` given queries on the configured database, answered as the server would with
    this config; a HubError is a one-line message."""
    from hub.cli.common import configuration, run
    from hub.reports.documents import run_query
    from hub.runner import open_database

    config = configuration(ctx)

    async def go() -> T:
        async with open_database(config.database_url) as sessions:

            async def query(document: str, variables: dict[str, Any]) -> dict[str, Any]:
                return await run_query(sessions, document, variables, config=config, today=today)

            return await work(query)

    return run(go())


def _html_roadmap(data: dict[str, Any]) -> str:
    """Imported when asked for: the page's module is larger than every other format's."""
    from hub.web.html_report import render_roadmap

    return render_roadmap(data)


def _emit(text: str, output: str | None, *, byte_order_mark: bool = False) -> None:
    if output is None or output == "-":
        click.echo(encoded(text), nl=False)
        return
    try:
        write_atomically(Path(output), encoded(text, byte_order_mark=byte_order_mark))
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
    click.echo(f"report written to {output}", err=True)
