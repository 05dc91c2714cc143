"""The roadmap's statements: four or five set-based queries whatever the number of epics —
epics, initiatives, issue counts per epic, open blockers of the epics, and component
memberships when grouping by component — and one more for the initiatives a filter names.
Every statement narrows by the same epic subquery, never by a list of epic ids."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer

from hub.contract.records import Level, StatusCategory
from hub.storage.models import (
    Component,
    Dependency,
    InitiativeAssignment,
    ItemComponent,
    Source,
    WorkItem,
)
from hub.views.health import CLOSED, Blocker
from hub.views.roadmap_model import Progress, RoadmapFilter
from hub.views.roadmap_tree import with_descendants

INITIATIVE_OF = func.coalesce(InitiativeAssignment.initiative_id, WorkItem.parent_id)
"""A person's assignment outranks the tracker parent and the hub's label rules."""


def _without_large_columns(entity: Any) -> tuple[Any, ...]:
    return (defer(entity.raw, raiseload=True), defer(entity.body, raiseload=True))


def epics(
    *columns: Any,
    filter: RoadmapFilter,
    start: date | None,
    end: date | None,
    initiatives: Collection[str] = (),
) -> Select[Any]:
    """Live epics matching the filter and date range, with their source and assignment;
    ``initiatives`` are the ids ``filter.initiatives`` stands for (``chosen_initiatives``)."""
    return (
        select(*columns)
        .select_from(WorkItem)
        .join(Source, Source.id == WorkItem.source_id)
        .outerjoin(InitiativeAssignment, InitiativeAssignment.item_id == WorkItem.id)
        .where(
            WorkItem.level == Level.EPIC,
            WorkItem.deleted == false(),
            *_conditions(filter, initiatives),
            *_overlapping(start, end),
        )
    )


def _conditions(filter: RoadmapFilter, initiatives: Collection[str]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        WorkItem.status_category.in_(filter.status_categories)
        if filter.status_categories
        else WorkItem.status_category != StatusCategory.CANCELED
    ]
    if filter.sources:
        conditions.append(Source.name.in_(filter.sources))
    if filter.components:
        members = (
            select(ItemComponent.item_id)
            .join(Component, Component.id == ItemComponent.component_id)
            .where(Component.name.in_(filter.components))
        )
        conditions.append(WorkItem.id.in_(members))
    if filter.initiatives:
        chosen = sorted(initiatives)
        # The candidates first, found by index (children, assigned items); then the rule,
        # which no index serves and would otherwise be tried on every epic.
        child, assigned = aliased(WorkItem), aliased(InitiativeAssignment)
        candidates = union(
            select(child.id).where(child.parent_id.in_(chosen)),
            select(assigned.item_id).where(assigned.initiative_id.in_(chosen)),
        )
        conditions += [WorkItem.id.in_(candidates), INITIATIVE_OF.in_(chosen)]
    if filter.text:
        conditions.append(
            WorkItem.title.icontains(filter.text, autoescape=True)
            | WorkItem.key.icontains(filter.text, autoescape=True)
        )
    return conditions


def _overlapping(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    """The epic's window [start date or creation day, target date] overlaps [start, end]."""
    conditions: list[ColumnElement[bool]] = []
    if end is not None:
        after_end = datetime.combine(end + timedelta(days=1), time(), UTC)
        conditions.append(
            or_(
                WorkItem.start_date <= end,
                and_(WorkItem.start_date.is_(None), WorkItem.created_at < after_end),
            )
        )
    if start is not None:
        conditions.append(or_(WorkItem.target_date.is_(None), WorkItem.target_date >= start))
    return conditions


async def chosen_initiatives(session: AsyncSession, references: Sequence[str]) -> set[str]:
    """Ids of the initiatives named (by hub id, or key in any case) and of the live ones
    under them at any depth, from one read of every initiative's links (there are few):
    the walk happens here rather than in a recursive query, which the planners cannot size
    and which made every statement narrowed by it several times slower."""
    rows = await session.execute(
        select(WorkItem.id, WorkItem.key, WorkItem.parent_id, WorkItem.deleted).where(
            WorkItem.level == Level.INITIATIVE
        )
    )
    keys = {reference.lower() for reference in references}
    named, children = set(), defaultdict(list)
    for item_id, key, parent_id, deleted in rows:
        if item_id in references or key.lower() in keys:
            named.add(item_id)
        if parent_id is not None and not deleted:
            children[parent_id].append(item_id)
    return with_descendants(named, children)


EpicRow = tuple[WorkItem, str, str | None]
"""An epic's row, its source's name and the id of its initiative."""


async def epic_rows(session: AsyncSession, statement: Select[Any]) -> list[EpicRow]:
    rows = await session.execute(
        statement.add_columns(Source.name, INITIATIVE_OF)
        .options(*_without_large_columns(WorkItem))
        .order_by(WorkItem.target_date.is_(None), WorkItem.target_date, WorkItem.key)
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def initiatives(session: AsyncSession) -> list[tuple[WorkItem, str]]:
    """Every live initiative, with its source's name; there are few."""
    rows = await session.execute(
        select(WorkItem, Source.name)
        .join(Source, Source.id == WorkItem.source_id)
        .options(*_without_large_columns(WorkItem))
        .where(WorkItem.level == Level.INITIATIVE, WorkItem.deleted == false())
    )
    return [(row, source) for row, source in rows]


async def child_progress(session: AsyncSession, epic_ids: Select[Any]) -> dict[str, Progress]:
    """Progress of every epic shown from its child issues, in one grouped query."""
    is_done = WorkItem.status_category == StatusCategory.DONE
    estimate = func.coalesce(WorkItem.estimate, 0.0)
    rows = await session.execute(
        select(
            WorkItem.parent_id,
            func.count(),
            func.sum(case((is_done, 1), else_=0)),
            func.sum(estimate),
            func.sum(case((is_done, estimate), else_=0.0)),
        )
        .where(
            WorkItem.level == Level.ISSUE,
            WorkItem.deleted == false(),
            WorkItem.status_category != StatusCategory.CANCELED,
            WorkItem.parent_id.in_(epic_ids),
        )
        .group_by(WorkItem.parent_id)
    )
    return {
        parent_id: Progress(int(total), int(done or 0), float(est_total or 0), float(est_done or 0))
        for parent_id, total, done, est_total, est_done in rows
    }


async def open_blockers(
    session: AsyncSession, epic_ids: Select[Any]
) -> dict[str, list[tuple[Blocker, WorkItem]]]:
    """Live, open items blocking each epic shown, once each whatever the provenance."""
    blocker = aliased(WorkItem)
    rows = await session.execute(
        select(Dependency.blocked_id, blocker)
        .join(blocker, blocker.id == Dependency.blocker_id)
        .options(*_without_large_columns(blocker))
        .where(
            Dependency.blocked_id.in_(epic_ids),
            blocker.deleted == false(),
            blocker.status_category.not_in(CLOSED),
        )
        .order_by(blocker.key)
    )
    found: dict[str, dict[str, tuple[Blocker, WorkItem]]] = defaultdict(dict)
    for blocked_id, row in rows:
        found[blocked_id][row.id] = (
            Blocker(row.id, row.key, row.status_category, row.target_date),
            row,
        )
    return {blocked_id: list(by_id.values()) for blocked_id, by_id in found.items()}


async def components(session: AsyncSession, epic_ids: Select[Any]) -> dict[str, list[str]]:
    rows = await session.execute(
        select(ItemComponent.item_id, Component.name)
        .join(Component, Component.id == ItemComponent.component_id)
        .where(ItemComponent.item_id.in_(epic_ids))
        .order_by(Component.name)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for item_id, name in rows:
        found[item_id].append(name)
    return found
