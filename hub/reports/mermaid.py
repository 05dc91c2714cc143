"""The dependency graph as a Mermaid flowchart, for a ```` ```mermaid ```` block in Markdown.

Node ids are sanitized keys (``drawing``); labels are quoted, with Mermaid's entity codes for
the characters that would end the quote or be read as HTML or entities. Items are filled by
status category; items and edges of a cycle are red, of the critical path thick orange
(``linkStyle`` by edge index); edges that cross tools are dotted.
"""

from __future__ import annotations

from functools import lru_cache

from hub.reports import markdown
from hub.reports.drawing import (
    CRITICAL,
    CYCLE,
    STATUS_FILLS,
    Drawing,
    DrawnEdge,
    DrawnItem,
    Section,
    summary,
)
from hub.reports.splitting import split
from hub.reports.text import one_line, shorten, web_url

MAX_TEXT_SIZE = 50_000
"""Mermaid's default ``maxTextSize``: it refuses to draw a longer diagram."""

STATUS_CLASSES = {
    "TODO": "statusTodo",
    "IN_PROGRESS": "statusInProgress",
    "DONE": "statusDone",
    "CANCELED": "statusCanceled",
}
CLASS_DEFS = [
    *(
        f"classDef {name} fill:{STATUS_FILLS[category]},stroke:#495057,color:#212529"
        for category, name in STATUS_CLASSES.items()
    ),
    "classDef beyond stroke-dasharray:5 3",
    "classDef root stroke-width:3px",
    # Defined last so that they win over the status colours.
    f"classDef cycle stroke:{CYCLE},stroke-width:3px",
    f"classDef critical stroke:{CRITICAL},stroke-width:3px",
]
TITLE_WIDTH = 60

_ENTITIES = {
    "&": "#amp;",
    '"': "#quot;",
    "#": "#35;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
}


LEGEND = (
    "Red: a cycle. Thick orange: the critical path. Dotted: crosses tools. Dashed outline: "
    "beyond the depth asked. Thick outline: the item asked about."
)


def fits(drawing: Drawing) -> bool:
    return _length(drawing) <= MAX_TEXT_SIZE


def _length(drawing: Drawing) -> int:
    return len(render_dependencies(drawing))


def render_graph(drawing: Drawing) -> str:
    """A bare flowchart when it fits in one diagram; otherwise Markdown of diagrams that do."""
    if fits(drawing):
        return render_dependencies(drawing)
    return render_sections(drawing.title, [Section(drawing.title, drawing)])


def render_sections(title: str, sections: list[Section]) -> str:
    """Markdown: a heading per section (e.g. per initiative), each with one ``mermaid`` block
    per diagram, since one Mermaid chart holds one diagram of at most ``MAX_TEXT_SIZE``
    characters. A graph too large for one is split into clusters that fit (``splitting``)."""
    lines = [f"# {markdown.escape(title)}", "", LEGEND]
    if not sections:
        lines += ["", "No initiatives."]
    for section in sections:
        lines += ["", f"## {markdown.escape(section.heading)}", "", summary(section.drawing) + "."]
        if not section.drawing.items:
            lines += ["", "No dependencies."]
            continue
        drawn = split(section.drawing, _length, MAX_TEXT_SIZE)
        if len(drawn.parts) > 1:
            lines += ["", _split_note(len(drawn.parts), drawn.clusters_cut)]
        for part in drawn.parts:
            lines += ["", "```mermaid", render_dependencies(part).rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


def _split_note(parts: int, cut: int) -> str:
    limit = f"Too large for one Mermaid diagram ({MAX_TEXT_SIZE:,} characters at most)"
    if not cut:
        return f"{limit}: drawn as {parts} diagrams, each of whole clusters of linked items."
    clusters = "1 cluster of linked items was" if cut == 1 else f"{cut} clusters were"
    return (
        f"{limit}: drawn as {parts} diagrams. {clusters} too large for one diagram and cut "
        "by its dependencies, so an item where a cut falls appears in both diagrams; "
        "`--format dot` draws the graph whole."
    )


def render_dependencies(drawing: Drawing) -> str:
    """One flowchart, however long; ``render_sections`` keeps each under Mermaid's limit."""
    lines = [
        "flowchart LR",
        f"  %% {escape(drawing.title)}",
        "  %% Red: a cycle. Thick orange: the critical path. Dotted: crosses tools.",
        "  %% Dashed outline: beyond the depth asked. Thick outline: the item asked about.",
    ]
    lines += [f'  {item.name}["{_label(item)}"]' for item in drawing.items.values()]
    if not drawing.items:
        lines.append('  nothing["No dependencies"]')
    lines += [_edge(drawing, edge) for edge in drawing.edges]
    for item in drawing.items.values():
        url = web_url(item.url)
        if url:
            lines.append(f'  click {item.name} href "{url}" _blank')
    lines += [f"  {line}" for line in CLASS_DEFS]
    lines += _classes(drawing)
    lines += _link_styles(drawing)
    return "\n".join(lines) + "\n"


def escape(text: str) -> str:
    return "".join(_ENTITIES.get(char, char) for char in one_line(text))


def _label(item: DrawnItem) -> str:
    return _label_of(item.key, item.source, item.title)


@lru_cache(maxsize=65_536)
def _label_of(key: str, source: str, title: str) -> str:
    """Cached: splitting a large graph renders each item several times over."""
    return f"{escape(key)} · {escape(source)}<br/>{escape(shorten(one_line(title), TITLE_WIDTH))}"


def _edge(drawing: Drawing, edge: DrawnEdge) -> str:
    arrow = "-.->" if edge.crosses_tools else "-->"
    notes = [p.lower() for p in edge.provenance if p != "TRACKER"]
    if edge.late_blocker:
        notes.append("late")
    label = f'|"{escape(" + ".join(notes))}"|' if notes else ""
    blocker, blocked = drawing.items[edge.blocker].name, drawing.items[edge.blocked].name
    return f"  {blocker} {arrow}{label} {blocked}"


def _classes(drawing: Drawing) -> list[str]:
    members: dict[str, list[str]] = {}
    for item in drawing.items.values():
        names = [STATUS_CLASSES.get(item.status_category, STATUS_CLASSES["TODO"])]
        names += [
            name
            for name, applies in (
                ("beyond", item.beyond_depth),
                ("root", item.root),
                ("cycle", item.in_cycle),
                ("critical", item.on_critical_path),
            )
            if applies
        ]
        for name in names:
            members.setdefault(name, []).append(item.name)
    return [f"  class {','.join(ids)} {name}" for name, ids in members.items()]


def _link_styles(drawing: Drawing) -> list[str]:
    cycle = [str(n) for n, edge in enumerate(drawing.edges) if edge.in_cycle]
    critical = [str(n) for n, edge in enumerate(drawing.edges) if edge.on_critical_path]
    lines = []
    if cycle:
        lines.append(f"  linkStyle {','.join(cycle)} stroke:{CYCLE},stroke-width:3px")
    if critical:
        lines.append(f"  linkStyle {','.join(critical)} stroke:{CRITICAL},stroke-width:4px")
    return lines
