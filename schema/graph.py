"""Root field of the Dependencies view: the graph around an item, an initiative or a
component, with its cycles, critical path, blocked work and schedule conflicts.

The view returns hub ids; every ``Item`` resolves through the request's ``item_by_id``
loader, so a larger graph costs more rows, not more statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated

import strawberry
from graphql import GraphQLError

from hub.errors import NotFound
from hub.records import Provenance
from hub.views.dependencies import DependencyView, RootKind, dependency_view
from hub.views.graph import Direction
from schema.context import Info
from schema.types import Item

MIN_DEPTH, MAX_DEPTH = 1, 10

strawberry.enum(Provenance, description="Where a dependency comes from.")
strawberry.enum(RootKind, name="DependencyRoot", description="What the graph's root names.")
strawberry.enum(Direction, description="Which way to follow dependencies from the root.")


async def _items(info: Info, ids: Iterable[str]) -> list[Item]:
    """Items in the order given; one that vanished since the graph was read is left out."""
    rows = await info.context.loaders.item_by_id.load_many(list(ids))
    return [Item.from_row(row) for row in rows if row is not None]


async def _item(info: Info, item_id: str) -> Item:
    row = await info.context.loaders.item_by_id.load(item_id)
    if row is None:  # deleted between reading the graph and loading the item
        raise LookupError(f"item {item_id} left the graph while it was being read")
    return Item.from_row(row)


@strawberry.type(description="`blocker` blocks `blocked`.")
class DependencyEdge:
    blocker_id: strawberry.Private[str]
    blocked_id: strawberry.Private[str]
    provenance: list[Provenance] = strawberry.field(
        description="Every source of this dependency: tracker link, mention, manual."
    )
    crosses_tools: bool = strawberry.field(description="The two items live in different sources.")

    @strawberry.field
    async def blocker(self, info: Info) -> Item:
        return await _item(info, self.blocker_id)

    @strawberry.field
    async def blocked(self, info: Info) -> Item:
        return await _item(info, self.blocked_id)


@strawberry.type(description="An open blocker due after the item it blocks is due.")
class ScheduleConflict:
    blocker_id: strawberry.Private[str]
    blocked_id: strawberry.Private[str]
    blocker_target: date | None
    blocked_target: date | None

    @strawberry.field
    async def blocker(self, info: Info) -> Item:
        return await _item(info, self.blocker_id)

    @strawberry.field
    async def blocked(self, info: Info) -> Item:
        return await _item(info, self.blocked_id)


@strawberry.type(description="The dependencies around a root, and what they put at risk.")
class DependencyGraph:
    view: strawberry.Private[DependencyView]

    @strawberry.field(description="Items within the depth asked, the roots included, by key.")
    async def nodes(self, info: Info) -> list[Item]:
        return await _items(info, self.view.nodes)

    @strawberry.field(description="Every dependency between two of the nodes.")
    def edges(self) -> list[DependencyEdge]:
        return [
            DependencyEdge(
                blocker_id=edge.blocker,
                blocked_id=edge.blocked,
                provenance=list(edge.provenances),
                crosses_tools=edge.crosses_tools,
            )
            for edge in self.view.edges
        ]

    @strawberry.field(
        description="Items that block each other in a circle, each group by key; every cycle "
        "touching the nodes, in full."
    )
    async def cycles(self, info: Info) -> list[list[Item]]:
        return [await _items(info, cycle) for cycle in self.view.cycles]

    @strawberry.field(
        description="The longest chain of open blockers ending at a root, first blocker "
        "first; ties go to the chain with the latest target date. Followed to any depth; "
        "edges inside a cycle are left out."
    )
    async def critical_path(self, info: Info) -> list[Item]:
        return await _items(info, self.view.critical_path)

    @strawberry.field(description="Nodes with at least one open blocker, by key.")
    async def blocked_by_open_work(self, info: Info) -> list[Item]:
        return await _items(info, self.view.blocked_by_open_work)

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
        return DependencyGraph(view=view)
