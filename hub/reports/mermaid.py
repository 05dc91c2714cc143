"""The dependency graph as a Mermaid flowchart, for a ```` ```mermaid ```` block in Markdown.

Node ids are sanitized keys (``drawing``); labels are quoted, with Mermaid's entity codes for
the characters that would end the quote or be read as HTML or entities. Items are filled by
status category; items and edges of a cycle are red, of the critical path thick orange
(``linkStyle`` by edge index); edges that cross tools are dotted.
"""

from __future__ import annotations

from hub.reports.drawing import CRITICAL, CYCLE, STATUS_FILLS, Drawing, DrawnEdge, DrawnItem
from hub.reports.text import one_line, shorten, web_url

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


def render_dependencies(drawing: Drawing) -> str:
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
    title = escape(shorten(one_line(item.title), TITLE_WIDTH))
    return f"{escape(item.key)} · {escape(item.source)}<br/>{title}"


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
