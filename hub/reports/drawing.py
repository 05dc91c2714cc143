"""The ``Dependencies`` query's data as the DOT and Mermaid reports draw it: which items and
edges to show and how to mark them, decided once for both formats.

A drawing shows the items that take part in a dependency shown, and the item asked about.
Cycles and the critical path are followed past the depth asked (the API reports them in
full), so their items and edges are added, marked as lying beyond the depth. An edge is in a
cycle when both its items are in the same cycle (every edge inside a strongly connected group
lies on a circle); the blockers of each cycle's items name those edges. A critical path
of one item (nothing open blocks the roots) is no path, and is not marked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

STATUS_FILLS = {
    "TODO": "#f1f3f5",
    "IN_PROGRESS": "#d0ebff",
    "DONE": "#d3f9d8",
    "CANCELED": "#ffffff",
}
PLAIN, CYCLE, CRITICAL = "#868e96", "#c92a2a", "#e8590c"
"""Edge colours: a plain dependency, one that closes a cycle, one on the critical path."""


@dataclass(slots=True)
class DrawnItem:
    name: str
    """An identifier safe in DOT and Mermaid, derived from the key."""
    key: str
    title: str
    url: str
    source: str
    source_kind: str
    level: str
    status: str
    status_category: str
    target_date: str | None
    root: bool = False
    beyond_depth: bool = False
    in_cycle: bool = False
    on_critical_path: bool = False


@dataclass(slots=True)
class DrawnEdge:
    blocker: str
    blocked: str
    """Hub ids of the two items: ``blocker`` blocks ``blocked``."""
    provenance: list[str]
    crosses_tools: bool
    in_cycle: bool = False
    on_critical_path: bool = False
    late_blocker: bool = False
    """The blocker is open and due after the item it blocks."""


@dataclass(slots=True)
class Drawing:
    title: str
    items: dict[str, DrawnItem] = field(default_factory=dict)
    """By hub id, in the order the API listed them. Not by key: a Jira project and a Linear
    team may share a key prefix."""
    edges: list[DrawnEdge] = field(default_factory=list)
    cycles: int = 0


@dataclass(slots=True)
class Section:
    """One graph of a report of several, e.g. an initiative's, under its own heading."""

    heading: str
    drawing: Drawing


def summary(drawing: Drawing) -> str:
    """``7 items, 7 dependencies, 1 cycle, 2 on the critical path``."""
    critical = sum(1 for edge in drawing.edges if edge.on_critical_path)
    return (
        f"{_count(len(drawing.items), 'item')}, {_count(len(drawing.edges), 'dependency')}, "
        f"{_count(drawing.cycles, 'cycle')}, {critical} on the critical path"
    )


def _count(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") else f"{n} {noun}s"


def drawing(title: str, graphs: Iterable[dict[str, Any]], roots: Iterable[str] = ()) -> Drawing:
    """One drawing of one or more ``dependencyGraph`` results (several roots are merged);
    ``roots`` are keys (any case) or hub ids to mark as what the drawing was asked about."""
    found = Drawing(title=title)
    edges: dict[tuple[str, str], DrawnEdge] = {}
    cycles: set[frozenset[str]] = set()
    shown: dict[str, DrawnItem] = {}
    for graph in graphs:
        for node in graph["nodes"]:
            shown.setdefault(node["id"], _item(node))
        for edge in graph["edges"]:
            pair = (edge["blocker"]["id"], edge["blocked"]["id"])
            edges.setdefault(pair, DrawnEdge(*pair, edge["provenance"], edge["crossesTools"]))
        for cycle in graph["cycles"]:
            members = {item["id"] for item in cycle}
            cycles.add(frozenset(members))
            for item in cycle:
                _beyond(shown, item).in_cycle = True
            for item in cycle:
                for blocker in item["blockers"]:
                    if blocker["id"] in members:
                        _add_edge(edges, shown, blocker["id"], item["id"]).in_cycle = True
        path = graph["criticalPath"] if len(graph["criticalPath"]) > 1 else []
        for item in path:
            _beyond(shown, item).on_critical_path = True
        for blocker, blocked in zip(path, path[1:], strict=False):
            _add_edge(edges, shown, blocker["id"], blocked["id"]).on_critical_path = True
        for conflict in graph["scheduleConflicts"]:
            pair = (conflict["blocker"]["id"], conflict["blocked"]["id"])
            if pair in edges:
                edges[pair].late_blocker = True
    roots = {root.lower() for root in roots}
    linked = {item_id for edge in edges.values() for item_id in (edge.blocker, edge.blocked)}
    for item_id, item in shown.items():
        item.root = item.key.lower() in roots or item_id.lower() in roots
        if item_id in linked or item.root:
            found.items[item_id] = item
    _name(found.items.values())
    found.edges = list(edges.values())
    found.cycles = len(cycles)
    return found


def _item(node: dict[str, Any]) -> DrawnItem:
    return DrawnItem(
        name="",
        key=node["key"],
        title=node["title"],
        url=node["url"],
        source=node["source"]["name"],
        source_kind=node["source"]["kind"],
        level=node["level"],
        status=node["status"],
        status_category=node["statusCategory"],
        target_date=node["targetDate"],
    )


def _beyond(shown: dict[str, DrawnItem], node: dict[str, Any]) -> DrawnItem:
    """The item shown for ``node``, added as beyond the depth when the graph left it out."""
    if node["id"] not in shown:
        shown[node["id"]] = _item(node)
        shown[node["id"]].beyond_depth = True
    return shown[node["id"]]


def _add_edge(
    edges: dict[tuple[str, str], DrawnEdge],
    shown: dict[str, DrawnItem],
    blocker: str,
    blocked: str,
) -> DrawnEdge:
    """The edge between two items shown, added when it lies beyond the depth asked."""
    if (blocker, blocked) not in edges:
        crosses = shown[blocker].source != shown[blocked].source
        edges[(blocker, blocked)] = DrawnEdge(blocker, blocked, [], crosses)
    return edges[(blocker, blocked)]


def _name(items: Iterable[DrawnItem]) -> None:
    """Gives each item a name of letters, digits and underscores from its key (``ACME-12`` →
    ``n_ACME_12``, ``org/repo#3`` → ``n_org_repo_3``); the prefix keeps clear of keywords such
    as ``end``, and a counter tells apart keys that sanitize alike."""
    taken: set[str] = set()
    for item in items:
        base = "n_" + re.sub(r"[^A-Za-z0-9]+", "_", item.key).strip("_")
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        item.name = candidate
