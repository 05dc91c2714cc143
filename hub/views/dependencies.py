"""Dependencies as people ask about them: the edges that cross tools, and the graph around
an item, an initiative or a component (``hub.views.graph`` does the graph work, after
``hub.views.graph_loading`` reads it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.contract.errors import NotFound
from hub.contract.records import Level, Provenance
from hub.storage.models import (
    Component,
    Dependency,
    InitiativeAssignment,
    ItemComponent,
    Source,
    WorkItem,
)
from hub.views.graph import (
    Direction,
    Node,
    ScheduleConflict,
    blocked_by_open_work,
    critical_path,
    cycles,
    neighbourhood,
    schedule_conflicts,
)
from hub.views.graph import Edge as GraphEdge
from hub.views.graph_loading import load_graph, node_columns


@dataclass(frozen=True, slots=True)
class Edge:
    blocker_key: str
    blocker_source: str
    blocked_key: str
    blocked_source: str
    provenance: Provenance


async def cross_tool_dependencies(session: AsyncSession, *, limit: int = 100) -> list[Edge]:
    """Dependencies whose two ends live in different sources, between live items."""
    blocker, blocked = aliased(WorkItem), aliased(WorkItem)
    blocker_source, blocked_source = aliased(Source), aliased(Source)
    rows = await session.execute(
        select(
            blocker.key,
            blocker_source.name,
            blocked.key,
            blocked_source.name,
            Dependency.provenance,
        )
        .join(blocker, blocker.id == Dependency.blocker_id)
        .join(blocked, blocked.id == Dependency.blocked_id)
        .join(blocker_source, blocker_source.id == blocker.source_id)
        .join(blocked_source, blocked_source.id == blocked.source_id)
        .where(
            blocker.source_id != blocked.source_id,
            blocker.deleted.is_(False),
            blocked.deleted.is_(False),
        )
        .order_by(blocked.level, blocked.key, blocker.key)
        .limit(limit)
    )
    return [Edge(*row) for row in rows]


class RootKind(StrEnum):
    ITEM = "ITEM"
    """One item, by tracker key (any case) or hub id."""
    INITIATIVE = "INITIATIVE"
    """An initiative's epics and their issues, by the initiative's key or hub id."""
    COMPONENT = "COMPONENT"
    """The live items of a catalog component, by name."""


@dataclass(frozen=True, slots=True)
class DependencyView:
    roots: list[str]
    nodes: list[str]
    edges: list[GraphEdge]
    cycles: list[list[str]]
    critical_path: list[str]
    blocked_by_open_work: list[str]
    schedule_conflicts: list[ScheduleConflict]


async def dependency_view(
    session: AsyncSession, root: str, kind: RootKind, direction: Direction, depth: int
) -> DependencyView:
    """Everything the Dependencies view shows around a root, from three or four queries.

    An item root is shown even without dependencies; of an initiative's or a component's
    items, only those that take part in a dependency: the others would be dots without lines.
    """
    root_ids = await root_selection(session, root, kind)
    roots = await _nodes(session, root_ids)
    if kind == RootKind.ITEM and not roots:
        raise NotFound(f"no live item has the key or hub id {root!r}")
    graph = await load_graph(session, [node.id for node in roots], direction, depth)
    if kind == RootKind.ITEM:
        for node in roots:
            graph.add(node)
    shown_roots = [node.id for node in roots if node.id in graph.nodes]
    around = neighbourhood(graph, shown_roots, direction, depth)
    return DependencyView(
        roots=graph.sorted_ids(shown_roots),
        nodes=around.nodes,
        edges=around.edges,
        cycles=cycles(graph, around.nodes),
        critical_path=critical_path(graph, shown_roots),
        blocked_by_open_work=blocked_by_open_work(graph, around.nodes),
        schedule_conflicts=schedule_conflicts(graph, around.edges),
    )


async def _nodes(session: AsyncSession, ids: Select[Any]) -> list[Node]:
    chosen = ids.subquery()
    statement = (
        select(*node_columns())
        .join(chosen, chosen.c[0] == WorkItem.id)
        .where(WorkItem.deleted == false())
    )
    return [Node(*row) for row in await session.execute(statement)]


def _named(root: str) -> ColumnElement[bool]:
    return or_(WorkItem.id == root, func.lower(WorkItem.key) == root.lower())


async def root_selection(session: AsyncSession, root: str, kind: RootKind) -> Select[Any]:
    """The ids a graph starts from, deleted items included (callers keep the live ones);
    ``NotFound`` when an initiative or component names nothing (an item root is checked
    by its caller)."""
    if kind == RootKind.ITEM:
        return select(WorkItem.id).where(_named(root))
    if kind == RootKind.INITIATIVE:
        initiatives = await session.scalars(
            select(WorkItem.id).where(
                _named(root), WorkItem.level == Level.INITIATIVE, WorkItem.deleted == false()
            )
        )
        initiative_ids: list[str] = list(initiatives)
        if not initiative_ids:
            raise NotFound(f"no live initiative has the key or hub id {root!r}")
        return _under_initiatives(initiative_ids)
    component_id = await session.scalar(select(Component.id).where(Component.name == root))
    if component_id is None:
        raise NotFound(f"no component of the catalog is named {root!r}")
    return select(ItemComponent.item_id).where(ItemComponent.component_id == component_id)


def _under_initiatives(initiative_ids: list[str]) -> Select[Any]:
    """Ids of the live epics under the initiatives (a person's assignment outranks the
    tracker parent) and of those epics' issues: a union of lookups by parent, so that each
    part is an index search rather than a scan of every item."""
    assigned_anywhere = select(InitiativeAssignment.item_id)
    epics = union(
        select(InitiativeAssignment.item_id)
        .join(WorkItem, WorkItem.id == InitiativeAssignment.item_id)
        .where(
            InitiativeAssignment.initiative_id.in_(initiative_ids),
            WorkItem.level == Level.EPIC,
            WorkItem.deleted == false(),
        ),
        select(WorkItem.id).where(
            WorkItem.parent_id.in_(initiative_ids),
            WorkItem.level == Level.EPIC,
            WorkItem.deleted == false(),
            WorkItem.id.not_in(assigned_anywhere),
        ),
    ).cte("epics")
    # Read twice; SQLite would otherwise build it once into a table without an index and
    # then scan that table for every issue (docs/api-benchmarks.md has the figures).
    epics = epics.prefix_with("NOT MATERIALIZED")
    # "Not an epic or initiative" rather than "an issue": SQLite answers an equality on the
    # level by reading every issue, where the parent index reads only these epics' own.
    issues = (
        select(WorkItem.id)
        .join(epics, epics.c[0] == WorkItem.parent_id)
        .where(WorkItem.level.not_in([Level.EPIC, Level.INITIATIVE]))
    )
    ids = select(epics.c[0]).union(issues).subquery()
    return select(ids.c[0])
