"""Item lists: live items in (key, hub id) order, a page at a time after a position, and how
many match a filter in all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, false, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from hub.storage.models import WorkItem
from hub.views.item_filter import ItemFilter, filter_conditions

Position = tuple[str, str]
"""Where a page ends: the (key, hub id) of its last item; the next page starts after it."""


def visible_items() -> Select[WorkItem]:
    """Non-deleted work items, without the large columns no reader of a list needs."""
    return (
        select(WorkItem)
        .options(defer(WorkItem.raw, raiseload=True), defer(WorkItem.body, raiseload=True))
        .where(WorkItem.deleted == false())
    )


def position(item: WorkItem) -> Position:
    return (item.key, item.id)


@dataclass(frozen=True, slots=True)
class ItemPage:
    items: list[WorkItem]
    has_next_page: bool


async def item_page(
    session: AsyncSession, item_filter: ItemFilter, *, first: int, after: Position | None = None
) -> ItemPage:
    """Up to ``first`` matching items after ``after``; one statement, which reads one item
    more to tell whether another page follows."""
    statement = visible_items().where(*filter_conditions(item_filter))
    if after is not None:
        statement = statement.where(tuple_(WorkItem.key, WorkItem.id) > after)
    statement = statement.order_by(WorkItem.key, WorkItem.id).limit(first + 1)
    rows = list((await session.scalars(statement)).all())
    return ItemPage(items=rows[:first], has_next_page=len(rows) > first)


async def count_items(session: AsyncSession, item_filter: ItemFilter) -> int:
    """Live items matching the filter, across all pages."""
    matching = (
        visible_items()
        .where(*filter_conditions(item_filter))
        .with_only_columns(WorkItem.id)
        .subquery()
    )
    return (await session.execute(select(func.count()).select_from(matching))).scalar_one()
