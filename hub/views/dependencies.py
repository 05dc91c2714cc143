"""Dependencies as people ask about them: the edges that cross tools, and the graph around
an item, an initiative or a component (``hub.views.graph`` does the graph work)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
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
    """Everything the Dependencies view shows around a root, from three or four queries.

    An item root is shown even without dependencies; of an initiative's or a component's
    items, only those that take part in a dependency: the others would be dots without lines.
    """
    named = await root_condition(session, root, kind)
    roots = await _nodes(session, named)
    if kind == RootKind.ITEM and not roots:
        raise NotFound(f"no live item has the key or hub id {root!r}")
    graph = await load_graph(session, _live_ids(named), direction, depth)
    if kind == RootKind.ITEM:
        for node in roots:
            graph.add(node)
    root_ids = [node.id for node in roots if node.id in graph.nodes]
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


def _live_ids(*conditions: ColumnElement[bool]) -> Select[Any]:
    return select(WorkItem.id).where(WorkItem.deleted == false(), *conditions)


async def _nodes(session: AsyncSession, *conditions: ColumnElement[bool]) -> list[Node]:
    statement = select(*node_columns()).where(WorkItem.deleted == false(), *conditions)
    return [Node(*row) for row in await session.execute(statement)]


def _named(root: str) -> ColumnElement[bool]:
    return or_(WorkItem.id == root, func.lower(WorkItem.key) == root.lower())


async def root_condition(session: AsyncSession, root: str, kind: RootKind) -> ColumnElement[bool]:
    """Which items a graph starts from, as a condition on ``WorkItem``; ``NotFound`` when an
    initiative or component root names nothing (an item root is checked by its caller)."""
    if kind == RootKind.ITEM:
        return _named(root)
    if kind == RootKind.INITIATIVE:
        initiatives = await session.scalars(
            _live_ids(_named(root), WorkItem.level == Level.INITIATIVE)
        )
        initiative_ids: list[str] = list(initiatives)
        if not initiative_ids:
            raise NotFound(f"no live initiative has the key or hub id {root!r}")
        return _under_initiatives(initiative_ids)
    component_id = await session.scalar(select(Component.id).where(Component.name == root))
    if component_id is None:
        raise NotFound(f"no component of the catalog is named {root!r}")
    in_component = select(ItemComponent.item_id).where(ItemComponent.component_id == component_id)
    return WorkItem.id.in_(in_component)


async def resolve_roots(session: AsyncSession, root: str, kind: RootKind) -> list[Node]:
    """The live items a graph starts from; ``NotFound`` when the root names nothing."""
    nodes = await _nodes(session, await root_condition(session, root, kind))
    if kind == RootKind.ITEM and not nodes:
        raise NotFound(f"no live item has the key or hub id {root!r}")
    return nodes


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
