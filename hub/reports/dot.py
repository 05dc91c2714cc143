"""The dependency graph as Graphviz DOT (``dot -Tsvg deps.dot -o deps.svg``).

Boxes are filled by status category and outlined in their tracker's colour; each links to
the tracker. Edges that close a cycle are red, the critical path is thick orange, edges that
cross tools are dashed. Labels are DOT escape strings, so a title's backslashes and quotes
are escaped and its own line breaks removed before the label's ``\\n`` breaks go in.
"""

from __future__ import annotations

import textwrap

from hub.reports.drawing import (
    CRITICAL,
    CYCLE,
    PLAIN,
    STATUS_FILLS,
    Drawing,
    DrawnEdge,
    DrawnItem,
    Section,
)
from hub.reports.drawing import summary as drawing_summary
from hub.reports.text import one_line, shorten, web_url

TRACKER_COLOURS = {"jira": "#0052cc", "github": "#24292f", "linear": "#5e6ad2"}
OTHER_TRACKER = "#868e96"
TITLE_WIDTH, TITLE_LINE = 80, 32

LEGEND_COMMENT = """\
// Legend: boxes are filled by status (grey to do, blue in progress, green done, white
// canceled) and outlined in their tracker's colour; a double outline is the item asked about,
// a dashed one an item beyond the depth asked (reached through a cycle or the critical path).
// Red edges close a cycle, thick orange edges are the critical path, dashed edges cross
// tools; "late" marks an open blocker due after the item it blocks."""

LEGEND_NODE = f"""\
  legend [shape=plaintext, style="", margin=0, label=<
    <TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">
      <TR><TD COLSPAN="2"><B>Legend</B></TD></TR>
      <TR><TD BGCOLOR="{STATUS_FILLS["TODO"]}">to do</TD>
          <TD><FONT COLOR="{PLAIN}">blocks →</FONT></TD></TR>
      <TR><TD BGCOLOR="{STATUS_FILLS["IN_PROGRESS"]}">in progress</TD>
          <TD><FONT COLOR="{PLAIN}">crosses tools (dashed) →</FONT></TD></TR>
      <TR><TD BGCOLOR="{STATUS_FILLS["DONE"]}">done</TD>
          <TD><FONT COLOR="{CYCLE}"><B>in a cycle →</B></FONT></TD></TR>
      <TR><TD BGCOLOR="{STATUS_FILLS["CANCELED"]}">canceled</TD>
          <TD><FONT COLOR="{CRITICAL}"><B>critical path →</B></FONT></TD></TR>
    </TABLE>>];"""


def render_dependencies(drawing: Drawing) -> str:
    lines = _opening(drawing.title, drawing_summary(drawing))
    lines += _body(drawing, indent="  ")
    lines += [LEGEND_NODE, "}"]
    return "\n".join(lines) + "\n"


def render_clusters(title: str, sections: list[Section]) -> str:
    """One graph, a cluster per section (e.g. per initiative) with its own graph drawn in it:
    an item in several sections' graphs is drawn in each, so every cluster reads alone."""
    graphs = "1 graph" if len(sections) == 1 else f"{len(sections)} graphs"
    lines = _opening(title, f"{graphs}, one cluster each")
    for number, section in enumerate(sections, 1):
        lines += [
            f"  subgraph cluster_{number} {{",
            f"    // {one_line(section.heading)} ({drawing_summary(section.drawing)})",
            f'    graph [label="{escape(section.heading)}", style="rounded", color="{PLAIN}"];',
            *_body(section.drawing, indent="    ", prefix=f"c{number}_"),
            "  }",
        ]
    if not sections:
        lines.append('  nothing [shape=plaintext, style="", label="No initiatives"];')
    lines += [LEGEND_NODE, "}"]
    return "\n".join(lines) + "\n"


def _opening(title: str, summary: str) -> list[str]:
    return [
        f"// {one_line(title)}: {summary}.",
        "// Written by `hub report dependencies`; draw it with `dot -Tsvg FILE -o FILE.svg`.",
        LEGEND_COMMENT,
        "digraph dependencies {",
        f'  graph [rankdir=LR, charset="UTF-8", fontname="Helvetica", labelloc=t, '
        f'label="{escape(title)}"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        f'  edge [fontname="Helvetica", fontsize=9, color="{PLAIN}"];',
    ]


def _body(drawing: Drawing, *, indent: str, prefix: str = "") -> list[str]:
    """The drawing's nodes and edges; ``prefix`` keeps node names apart between clusters."""
    lines = [indent + _node(item, prefix) for item in drawing.items.values()]
    if not drawing.items:
        lines.append(
            f'{indent}{prefix}nothing [shape=plaintext, style="", label="No dependencies"];'
        )
    lines += [indent + _edge(drawing, edge, prefix) for edge in drawing.edges]
    return lines


def escape(text: str) -> str:
    """Text for a DOT escape string: one line, with backslashes and quotes escaped."""
    return one_line(text).replace("\\", "\\\\").replace('"', '\\"')


def _node(item: DrawnItem, prefix: str) -> str:
    title = textwrap.wrap(
        shorten(one_line(item.title), TITLE_WIDTH), TITLE_LINE, break_on_hyphens=False
    )
    label = "\\n".join(escape(line) for line in [f"{item.key} · {item.source}", *title])
    target = f", due {item.target_date}" if item.target_date else ""
    tooltip = escape(f"{item.key}: {item.title} ({item.status}{target})")
    style = "rounded,filled,dashed" if item.beyond_depth else "rounded,filled"
    attributes = [
        f'label="{label}"',
        f'tooltip="{tooltip}"',
        f'style="{style}"',
        f'fillcolor="{STATUS_FILLS.get(item.status_category, STATUS_FILLS["TODO"])}"',
        f'color="{TRACKER_COLOURS.get(item.source_kind, OTHER_TRACKER)}"',
    ]
    url = web_url(item.url)
    if url:
        attributes += [f'URL="{escape(url)}"', 'target="_blank"']
    if item.root:
        attributes.append("peripheries=2")
    return f"{prefix}{item.name} [{', '.join(attributes)}];"


def _edge(drawing: Drawing, edge: DrawnEdge, prefix: str) -> str:
    attributes = []
    if edge.in_cycle:
        attributes += [f'color="{CYCLE}"', "penwidth=2.5"]
    elif edge.on_critical_path:
        attributes += [f'color="{CRITICAL}"', "penwidth=3.5"]
    if edge.crosses_tools:
        attributes.append("style=dashed")
    notes = [p.lower() for p in edge.provenance if p != "TRACKER"]
    if edge.late_blocker:
        notes.append("late")
    if notes:
        attributes.append(f'label="{escape(" + ".join(notes))}"')
    blocker, blocked = drawing.items[edge.blocker].name, drawing.items[edge.blocked].name
    link = f"{prefix}{blocker} -> {prefix}{blocked}"
    return link + (f" [{', '.join(attributes)}];" if attributes else ";")
