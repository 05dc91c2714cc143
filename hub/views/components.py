"""The component catalog as a platform PM reads it: who owns what, how much work is open,
what is at risk, and which components wait on which.

Every answer is one grouped query over all components, so the cost stays flat in the number
of components and items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.contract.records import StatusCategory
from hub.storage.models import Component, Dependency, ItemComponent, WorkItem
from hub.views.graph import OPEN


@dataclass(slots=True)
class ComponentSummary:
    id: int
    name: str
    owner: str | None
    description: str | None
    work: dict[StatusCategory, int] = field(default_factory=dict)
    """Live items per status category; categories without items are left out."""


async def catalog(session: AsyncSession) -> list[ComponentSummary]:
    """Every component by name, with its live items counted by status category."""
    components = await session.execute(
        select(Component.id, Component.name, Component.owner, Component.description).order_by(
            Component.name
        )
    )
    summaries = {row.id: ComponentSummary(*row) for row in components}
    counts = await session.execute(
        select(ItemComponent.component_id, WorkItem.status_category, func.count())
        .join(WorkItem, WorkItem.id == ItemComponent.item_id)
        .where(WorkItem.deleted == false())
        .group_by(ItemComponent.component_id, WorkItem.status_category)
    )
    for component_id, category, count in counts:
        summaries[component_id].work[category] = int(count)
    return list(summaries.values())


async def items_at_risk(
    session: AsyncSession, component_ids: Sequence[int], *, today: date, first: int
) -> dict[int, list[str]]:
    """Open items of each component that are overdue or wait on an open blocker due after
    them; at most ``first`` per component, soonest target first."""
    blocker = aliased(WorkItem)
    conflicting_blocker = exists().where(
        Dependency.blocked_id == WorkItem.id,
        blocker.id == Dependency.blocker_id,
        blocker.deleted == false(),
        blocker.status_category.in_(OPEN),
        blocker.target_date > WorkItem.target_date,
    )
    position = (
        func.row_number()
        .over(
            partition_by=ItemComponent.component_id,
            order_by=(WorkItem.target_date, WorkItem.key, WorkItem.id),
        )
        .label("position")
    )
    at_risk = (
        select(ItemComponent.component_id, WorkItem.id, position)
        .join(WorkItem, WorkItem.id == ItemComponent.item_id)
        .where(
            ItemComponent.component_id.in_(component_ids),
            WorkItem.deleted == false(),
            WorkItem.status_category.in_(OPEN),
            WorkItem.target_date.is_not(None),
            or_(WorkItem.target_date < today, conflicting_blocker),
        )
        .subquery()
    )
    rows = await session.execute(
        select(at_risk.c.component_id, at_risk.c.id)
        .where(at_risk.c.position <= first)
        .order_by(at_risk.c.component_id, at_risk.c.position)
    )
    found: dict[int, list[str]] = {component_id: [] for component_id in component_ids}
    for component_id, item_id in rows:
        found[component_id].append(item_id)
    return found


@dataclass(frozen=True, slots=True)
class ComponentDependency:
    """``count`` dependencies have their blocker in ``blocker`` and the item blocked in
    ``blocked``: how much the second waits on the first."""

    blocker: Component
    blocked: Component
    count: int


async def dependency_matrix(session: AsyncSession) -> list[ComponentDependency]:
    """Component-to-component dependencies derived from live item dependencies, each pair of
    items counted once whatever the number of provenances, largest counts first."""
    blocker_item, blocked_item = aliased(WorkItem), aliased(WorkItem)
    pairs = (
        select(Dependency.blocker_id, Dependency.blocked_id)
        .join(blocker_item, blocker_item.id == Dependency.blocker_id)
        .join(blocked_item, blocked_item.id == Dependency.blocked_id)
        .where(blocker_item.deleted == false(), blocked_item.deleted == false())
        .distinct()
        .subquery()
    )
    blocker_in, blocked_in = aliased(ItemComponent), aliased(ItemComponent)
    blocker, blocked = aliased(Component), aliased(Component)
    count = func.count().label("count")
    rows = await session.execute(
        select(blocker, blocked, count)
        .select_from(pairs)
        .join(blocker_in, blocker_in.item_id == pairs.c.blocker_id)
        .join(blocked_in, blocked_in.item_id == pairs.c.blocked_id)
        .join(blocker, blocker.id == blocker_in.component_id)
        .join(blocked, blocked.id == blocked_in.component_id)
        .where(blocker_in.component_id != blocked_in.component_id)
        .group_by(blocker.id, blocked.id)
        .order_by(count.desc(), blocker.name, blocked.name)
    )
    return [ComponentDependency(*row) for row in rows]
