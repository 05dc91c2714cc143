"""Dependencies as people ask about them: the edges that cross tools, and the graph around
an item, an initiative or a component (``hub.views.graph`` does the graph work)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.errors import NotFound
from hub.records import Level, Provenance
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
    load_graph,
    neighbourhood,
    node_columns,
    schedule_conflicts,
)
from hub.views.graph import Edge as GraphEdge


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
    """Everything the Dependencies view shows around a root, from three queries at most."""
    roots = await resolve_roots(session, root, kind)
    graph = await load_graph(session)
    for node in roots:
        graph.add(node)
    root_ids = [node.id for node in roots]
    around = neighbourhood(graph, root_ids, direction, depth)
    return DependencyView(
        roots=graph.sorted_ids(root_ids),
        nodes=around.nodes,
        edges=around.edges,
        cycles=cycles(graph, around.nodes),
        critical_path=critical_path(graph, root_ids),
        blocked_by_open_work=blocked_by_open_work(graph, around.nodes),
        schedule_conflicts=schedule_conflicts(graph, around.edges),
    )


async def _nodes(session: AsyncSession, *conditions: ColumnElement[bool]) -> list[Node]:
    statement = select(*node_columns()).where(WorkItem.deleted == false(), *conditions)
    return [Node(*row) for row in await session.execute(statement)]


def _named(root: str) -> ColumnElement[bool]:
    return or_(WorkItem.id == root, func.lower(WorkItem.key) == root.lower())


async def resolve_roots(session: AsyncSession, root: str, kind: RootKind) -> list[Node]:
    """The live items a graph starts from; ``NotFound`` when the root names nothing."""
    if kind == RootKind.ITEM:
        nodes = await _nodes(session, _named(root))
        if not nodes:
            raise NotFound(f"no live item has the key or hub id {root!r}")
        return nodes
    if kind == RootKind.INITIATIVE:
        initiatives = await _nodes(session, _named(root), WorkItem.level == Level.INITIATIVE)
        if not initiatives:
            raise NotFound(f"no live initiative has the key or hub id {root!r}")
        return await _nodes(session, _under_initiatives([node.id for node in initiatives]))
    component_id = await session.scalar(select(Component.id).where(Component.name == root))
    if component_id is None:
        raise NotFound(f"no component of the catalog is named {root!r}")
    in_component = select(ItemComponent.item_id).where(ItemComponent.component_id == component_id)
    return await _nodes(session, WorkItem.id.in_(in_component))


def _under_initiatives(initiative_ids: list[str]) -> ColumnElement[bool]:
    """Epics under the initiatives (a person's assignment outranks the tracker parent), and
    the issues of those epics."""
    assigned_here = select(InitiativeAssignment.item_id).where(
        InitiativeAssignment.initiative_id.in_(initiative_ids)
    )
    assigned_anywhere = select(InitiativeAssignment.item_id)
    epic = (WorkItem.level == Level.EPIC) & or_(
        WorkItem.id.in_(assigned_here),
        WorkItem.parent_id.in_(initiative_ids) & WorkItem.id.not_in(assigned_anywhere),
    )
    epic_ids = select(WorkItem.id).where(epic, WorkItem.deleted == false())
    return epic | ((WorkItem.level == Level.ISSUE) & WorkItem.parent_id.in_(epic_ids))
