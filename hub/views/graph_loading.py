"""Reading the blocking graph from the database: the whole of it, or only the part that
questions about some roots can reach.

Whatever the depth asked, the part is read with set-based queries (recursive walks in SQL,
not a round trip per hop); ``hub.views.graph`` answers the questions in memory.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Subquery, literal, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.storage.id_lists import id_table
from hub.storage.models import Dependency, WorkItem
from hub.views.graph import BlockingGraph, Direction, Node


def node_columns(item: type[WorkItem] = WorkItem) -> tuple[Any, ...]:
    """The columns a ``Node`` is made of, in its field order."""
    return (
        item.id,
        item.key,
        item.source_id,
        item.level,
        item.status_category,
        item.target_date,
        item.parent_id,
    )


async def load_graph(
    session: AsyncSession,
    roots: Collection[str] | None = None,
    direction: Direction = Direction.BOTH,
    depth: int = 0,
) -> BlockingGraph:
    """Dependencies between two live items, with both ends' attributes.

    Without ``roots``: the whole graph, in one query. With them (item ids): only the part
    that questions about the roots can reach — the edges into every item ``depth`` steps
    downstream of a root (when the direction goes that way) and into the roots, followed
    upstream to any depth, since the critical path, the cycles touching the nodes and their
    open blockers all lie upstream; and the roots' own edges. Two recursive walks in SQL,
    cycle-safe because UNION keeps each row once, then the live items at their ends: two
    queries, each sized right by the planner (a join of the walk to the items is not: both
    databases guess the walk far too large and read every item).
    """
    graph = BlockingGraph()
    if roots is None:
        await _load_whole(session, graph)
    else:
        dialect = session.get_bind().dialect.name
        around = _edges_around(id_table(roots, dialect), direction, depth)
        edges = (await session.execute(select(around))).all()
        ends = id_table({item_id for edge in edges for item_id in edge[:2]}, dialect)
        live = {
            row[0]: Node(*row)
            for row in await session.execute(
                select(*node_columns())
                .join(ends, ends.c.id == WorkItem.id)
                .where(WorkItem.deleted.is_(False))
            )
        }
        for blocker, blocked, provenance in edges:
            if blocker in live and blocked in live:
                graph.add(live[blocker])
                graph.add(live[blocked])
                graph.link(blocker, blocked, provenance)
    for ids in (*graph.blockers.values(), *graph.blocking.values()):
        ids.sort(key=lambda item_id: graph.nodes[item_id].order)
    return graph


async def _load_whole(session: AsyncSession, graph: BlockingGraph) -> None:
    width = len(node_columns(WorkItem))
    blocker, blocked = aliased(WorkItem), aliased(WorkItem)
    rows = await session.execute(
        select(Dependency.provenance, *node_columns(blocker), *node_columns(blocked))
        .join(blocker, blocker.id == Dependency.blocker_id)
        .join(blocked, blocked.id == Dependency.blocked_id)
        .where(blocker.deleted.is_(False), blocked.deleted.is_(False))
    )
    for row in rows:
        values: tuple[Any, ...] = tuple(row)
        blocker_node, blocked_node = Node(*values[1 : 1 + width]), Node(*values[1 + width :])
        graph.add(blocker_node)
        graph.add(blocked_node)
        graph.link(blocker_node.id, blocked_node.id, values[0])


_EDGE = (Dependency.blocker_id, Dependency.blocked_id, Dependency.provenance)


def _edges_around(roots: Subquery, direction: Direction, depth: int) -> Subquery:
    """The dependency rows ``load_graph`` needs around ``roots`` (a table of ids).

    The walks yield the rows themselves, so the items are joined once, to the few rows
    found: a join from a walk's ids back to all dependencies leaves SQLite and PostgreSQL
    guessing the walk's size, and they then read every dependency's items.
    """
    starts: Subquery = roots
    if direction in (Direction.DOWNSTREAM, Direction.BOTH) and depth > 0:
        reach = select(starts.c[0].label("id"), literal(0).label("hops")).cte(
            "downstream", recursive=True
        )
        reach = reach.union(
            select(Dependency.blocked_id, reach.c.hops + 1)
            .join(reach, Dependency.blocker_id == reach.c.id)
            .where(reach.c.hops < depth)
        )
        starts = select(reach.c.id).subquery()
    upstream = (
        select(*_EDGE)
        .join(starts, starts.c[0] == Dependency.blocked_id)
        .cte("upstream", recursive=True)
    )
    upstream = upstream.union(
        select(*_EDGE).join(upstream, Dependency.blocked_id == upstream.c.blocker_id)
    )
    # The roots' own edges too, so that a root shows whichever way it is linked.
    outgoing = select(*_EDGE).join(roots, roots.c.id == Dependency.blocker_id)
    return union(select(upstream), outgoing).subquery()
