"""Root field of the Dependencies view: the graph around an item, an initiative or a
component, with its cycles, critical path, blocked work and schedule conflicts.

The view returns hub ids; every ``Item`` resolves through the request's ``item_by_id``
loader, so a larger graph costs more rows, not more statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated

import strawberry
from graphql import GraphQLError

from hub.contract.errors import NotFound
from hub.contract.records import Provenance
from hub.storage.models import WorkItem
from hub.views.dependencies import DependencyView, RootKind, dependency_view
from hub.views.graph import Direction
from schema.context import Info
from schema.types import Item

MIN_DEPTH, MAX_DEPTH = 1, 10

strawberry.enum(Provenance, description="Where a dependency comes from.")
strawberry.enum(RootKind, name="DependencyRoot", description="What the graph's root names.")
strawberry.enum(Direction, description="Which way to follow dependencies from the root.")


Rows = Mapping[str, WorkItem]
"""Every item the graph names, read in one batch when the graph is: the fields below resolve
from it at once, not through hundreds of separate loader awaits. An item deleted since the
graph was read is missing."""


async def _rows(info: Info, view: DependencyView) -> dict[str, WorkItem]:
    ids = {
        *view.nodes,
        *view.critical_path,
        *(item_id for cycle in view.cycles for item_id in cycle),
        *(end for c in view.schedule_conflicts for end in (c.blocker, c.blocked)),
    }
    rows = await info.context.loaders.item_by_id.load_many(sorted(ids))
    return {row.id: row for row in rows if row is not None}


def _items(rows: Rows, ids: Iterable[str]) -> list[Item]:
    """Items in the order given; one that vanished since the graph was read is left out."""
    return [Item.from_row(rows[item_id]) for item_id in ids if item_id in rows]


def _item(rows: Rows, item_id: str) -> Item:
    row = rows.get(item_id)
    if row is None:  # deleted between reading the graph and loading the item
        raise LookupError(f"item {item_id} left the graph while it was being read")
    return Item.from_row(row)


@strawberry.type
class BetweenTwoItems:
    """A pair of items: ``blocker`` blocks ``blocked``; both resolve from the graph's rows."""

    blocker_id: strawberry.Private[str]
    blocked_id: strawberry.Private[str]
    rows: strawberry.Private[Rows]

    @strawberry.field
    def blocker(self) -> Item:
        return _item(self.rows, self.blocker_id)

    @strawberry.field
    def blocked(self) -> Item:
        return _item(self.rows, self.blocked_id)


@strawberry.type(description="`blocker` blocks `blocked`.")
class DependencyEdge(BetweenTwoItems):
    provenance: list[Provenance] = strawberry.field(
        description="Every source of this dependency: tracker link, mention, manual."
    )
    crosses_tools: bool = strawberry.field(description="The two items live in different sources.")


@strawberry.type(description="An open blocker due after the item it blocks is due.")
class ScheduleConflict(BetweenTwoItems):
    blocker_target: date | None
    blocked_target: date | None


@strawberry.type(description="The dependencies around a root, and what they put at risk.")
class DependencyGraph:
    view: strawberry.Private[DependencyView]
    rows: strawberry.Private[Rows]

    @strawberry.field(description="Items within the depth asked, the roots included, by key.")
    def nodes(self) -> list[Item]:
        return _items(self.rows, self.view.nodes)

    @strawberry.field(description="Every dependency between two of the nodes.")
    def edges(self) -> list[DependencyEdge]:
        return [
            DependencyEdge(
                blocker_id=edge.blocker,
                blocked_id=edge.blocked,
                provenance=list(edge.provenances),
                crosses_tools=edge.crosses_tools,
                rows=self.rows,
            )
            for edge in self.view.edges
        ]

    @strawberry.field(
        description="Items that block each other in a circle, each group by key; every cycle "
        "touching the nodes, in full."
    )
    def cycles(self) -> list[list[Item]]:
        return [_items(self.rows, cycle) for cycle in self.view.cycles]

    @strawberry.field(
        description="The longest chain of open blockers ending at a root, first blocker "
        "first; ties go to the chain with the latest target date. Followed to any depth; "
        "edges inside a cycle are left out."
    )
    def critical_path(self) -> list[Item]:
        return _items(self.rows, self.view.critical_path)

    @strawberry.field(description="Nodes with at least one open blocker, by key.")
    def blocked_by_open_work(self) -> list[Item]:
        return _items(self.rows, self.view.blocked_by_open_work)

    @strawberry.field(
        description="Edges whose open blocker is due after the item it blocks: that item "
        "slips unless plans change."
    )
    def schedule_conflicts(self) -> list[ScheduleConflict]:
        return [
            ScheduleConflict(
                blocker_id=conflict.blocker,
                blocked_id=conflict.blocked,
                blocker_target=conflict.blocker_target,
                blocked_target=conflict.blocked_target,
                rows=self.rows,
            )
            for conflict in self.view.schedule_conflicts
        ]


@strawberry.type
class DependencyQuery:
    @strawberry.field(
        description="The dependency graph around an item (key or hub id), an initiative (its "
        f"epics and their issues) or a component (its items), {MIN_DEPTH} to {MAX_DEPTH} "
        "dependencies deep."
    )
    async def dependency_graph(
        self,
        info: Info,
        root_name: Annotated[
            str,
            strawberry.argument(
                name="root",
                description="An item's key or hub id, an initiative's, or a component's name.",
            ),
        ],
        root_kind: RootKind = RootKind.ITEM,
        direction: Direction = Direction.BOTH,
        depth: int = 3,
    ) -> DependencyGraph:
        if not MIN_DEPTH <= depth <= MAX_DEPTH:
            raise GraphQLError(
                f"`depth` must be between {MIN_DEPTH} and {MAX_DEPTH}, got {depth}; "
                "ask again from an item further out to see beyond."
            )
        try:
            async with info.context.sessions() as session:
                view = await dependency_view(session, root_name, root_kind, direction, depth)
        except NotFound as error:
            raise GraphQLError(f"{error}; check `root` and `rootKind`.") from None
        return DependencyGraph(view=view, rows=await _rows(info, view))
