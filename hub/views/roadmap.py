"""The roadmap: epics from every tool in lanes (by initiative, component, source or quarter),
with progress rolled up from their issues and a delivery health (``hub.views.health``).

Progress counts child issues by status category; canceled work leaves the denominator, since
it will never be done and should not hold an epic back. Canceled epics are hidden unless the
filter asks for them, and never count toward a lane's or an initiative's progress.

An epic belongs to the initiative a person assigned it to, else to its parent when that is an
initiative. Its window is [start date, or the day it was created; target date], open-ended
without a target; a date range keeps the epics whose window overlaps it.

Cost: four or five set-based statements whatever the number of epics — epics, initiatives,
issue counts per epic, open blockers of the epics, and component memberships when grouping
by component. Every statement narrows by the same epic subquery, never by a list of ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer

from hub.config import HUB_SOURCE
from hub.records import Level, StatusCategory
from hub.storage.models import (
    Component,
    Dependency,
    InitiativeAssignment,
    ItemComponent,
    Source,
    WorkItem,
)
from hub.views.health import (
    CLOSED,
    Blocker,
    Health,
    Schedule,
    health_of,
    initiative_health,
    slipping_blockers,
    worst,
)


class Grouping(StrEnum):
    INITIATIVE = "INITIATIVE"
    COMPONENT = "COMPONENT"
    SOURCE = "SOURCE"
    QUARTER = "QUARTER"


UNGROUPED_TITLES = {
    Grouping.INITIATIVE: "No initiative",
    Grouping.COMPONENT: "No component",
    Grouping.SOURCE: "No source",
    Grouping.QUARTER: "No date",
}
"""Titles of the last lane, which holds the epics that fit no group."""


@dataclass(frozen=True, slots=True)
class RoadmapFilter:
    """Which epics to show; an empty field narrows nothing. Names and keys match exactly."""

    sources: Sequence[str] = ()
    components: Sequence[str] = ()
    initiatives: Sequence[str] = ()
    """Tracker keys of initiatives (hub-native ones by their config key)."""
    status_categories: Sequence[StatusCategory] = ()
    """Empty means every category but CANCELED."""
    text: str | None = None
    """Case-insensitive substring of the epic's title or key."""

    @property
    def narrows(self) -> bool:
        return bool(
            self.sources
            or self.components
            or self.initiatives
            or self.status_categories
            or self.text
        )


@dataclass(slots=True)
class Progress:
    total: int = 0
    done: int = 0
    estimate_total: float = 0.0
    estimate_done: float = 0.0

    @property
    def ratio(self) -> float | None:
        """Share of children done, or None when there is nothing to count."""
        return self.done / self.total if self.total else None

    @property
    def estimate_ratio(self) -> float | None:
        return self.estimate_done / self.estimate_total if self.estimate_total else None

    def add(self, other: Progress) -> None:
        self.total += other.total
        self.done += other.done
        self.estimate_total += other.estimate_total
        self.estimate_done += other.estimate_done


@dataclass(slots=True)
class RoadmapEntry:
    """An epic or an initiative as the roadmap shows it."""

    id: str
    key: str
    title: str
    url: str
    source: str
    status_name: str
    status_category: StatusCategory
    start_date: date | None
    target_date: date | None
    completed_at: datetime | None
    created_on: date
    progress: Progress = field(default_factory=Progress)
    health: Health = Health.NO_DATES
    slipping_blockers: list[Blocker] = field(default_factory=list)

    @property
    def window_start(self) -> date:
        return self.start_date or self.created_on

    @property
    def slipping_blocker_keys(self) -> list[str]:
        return [blocker.key for blocker in self.slipping_blockers]


@dataclass(slots=True)
class Lane:
    """One group of epics; ``key`` is None for the last lane, of epics that fit no group.
    ``initiative`` is set only for an initiative's lane."""

    key: str | None
    title: str
    kind: Grouping
    initiative: RoadmapEntry | None = None
    epics: list[RoadmapEntry] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)
    health: Health = Health.NO_DATES


@dataclass(slots=True)
class Roadmap:
    lanes: list[Lane]
    summary: dict[Health, int]
    """Epics per health, each epic once even when it shows in several lanes."""
    items: dict[str, WorkItem]
    """The stored rows of every epic, initiative and slipping blocker shown, detached from
    their session, for callers that render more fields than the roadmap carries."""


async def roadmap(
    session: AsyncSession,
    *,
    group_by: Grouping = Grouping.INITIATIVE,
    start: date | None = None,
    end: date | None = None,
    filter: RoadmapFilter | None = None,
    today: date | None = None,
) -> Roadmap:
    """Epics matching ``filter`` whose window overlaps [start, end], in lanes by ``group_by``."""
    filter = filter or RoadmapFilter()
    today = today or datetime.now(UTC).date()
    epic_ids = _epics(WorkItem.id, filter=filter, start=start, end=end).correlate(None)
    items: dict[str, WorkItem] = {}

    epic_rows = await _epic_rows(session, _epics(WorkItem, filter=filter, start=start, end=end))
    progress = await _child_progress(session, epic_ids)
    blockers = await _open_blockers(session, epic_ids)
    epics: list[RoadmapEntry] = []
    initiative_of: dict[str, str | None] = {}
    for row, source, initiative_id in epic_rows:
        epic = _entry(row, source)
        epic.progress = progress.get(epic.id, Progress())
        _judge_epic(epic, [b for b, _ in blockers.get(epic.id, [])], today)
        items[epic.id] = row
        items.update((b.id, r) for b, r in blockers.get(epic.id, []) if b in epic.slipping_blockers)
        epics.append(epic)
        initiative_of[epic.id] = initiative_id

    if group_by is Grouping.INITIATIVE:
        initiatives = await _initiatives(session)
        show_empty = not filter.narrows and start is None and end is None
        lanes = _initiative_lanes(epics, initiative_of, initiatives, today, show_empty)
        items.update((i.id, initiatives[i.id][1]) for i in _lane_initiatives(lanes))
    elif group_by is Grouping.COMPONENT:
        components = await _components(session, epic_ids)
        lanes = _lanes(epics, group_by, lambda e: [(n, n) for n in components.get(e.id, [])])
    elif group_by is Grouping.SOURCE:
        lanes = _lanes(epics, group_by, lambda e: [(e.source, e.source)])
    else:
        lanes = _lanes(epics, group_by, _quarter)
    return Roadmap(lanes=lanes, summary=_summary(epics), items=items)


def _judge_epic(epic: RoadmapEntry, blockers: list[Blocker], today: date) -> None:
    schedule = Schedule(
        epic.status_category, epic.window_start, epic.target_date, epic.progress.ratio
    )
    epic.health = health_of(schedule, today, blockers)
    if epic.status_category not in CLOSED:
        epic.slipping_blockers = slipping_blockers(epic.target_date, blockers, today)


def _summary(epics: Iterable[RoadmapEntry]) -> dict[Health, int]:
    counts = dict.fromkeys(Health, 0)
    for epic in epics:
        counts[epic.health] += 1
    return counts


def _rolled_up(lane: Lane) -> Lane:
    for epic in lane.epics:
        if epic.status_category is not StatusCategory.CANCELED:
            lane.progress.add(epic.progress)
    lane.health = worst(epic.health for epic in lane.epics)
    return lane


def _lanes(
    epics: Iterable[RoadmapEntry],
    kind: Grouping,
    groups_of: Callable[[RoadmapEntry], list[tuple[str, str]]],
) -> list[Lane]:
    """Lanes by (key, title) in key order; an epic in several groups shows in each, and an
    epic in none goes to the last lane."""
    lanes: dict[str, Lane] = {}
    ungrouped = Lane(key=None, title=UNGROUPED_TITLES[kind], kind=kind)
    for epic in epics:
        groups = groups_of(epic)
        for key, title in groups:
            lanes.setdefault(key, Lane(key=key, title=title, kind=kind)).epics.append(epic)
        if not groups:
            ungrouped.epics.append(epic)
    ordered = [lanes[key] for key in sorted(lanes)]
    return [_rolled_up(lane) for lane in ordered + ([ungrouped] if ungrouped.epics else [])]


def _quarter(epic: RoadmapEntry) -> list[tuple[str, str]]:
    if epic.target_date is None:
        return []
    year, quarter = epic.target_date.year, (epic.target_date.month - 1) // 3 + 1
    return [(f"{year}-Q{quarter}", f"Q{quarter} {year}")]


def _initiative_lanes(
    epics: Iterable[RoadmapEntry],
    initiative_of: dict[str, str | None],
    initiatives: dict[str, tuple[RoadmapEntry, WorkItem]],
    today: date,
    show_empty: bool,
) -> list[Lane]:
    """A lane per initiative with epics shown (or per live initiative when nothing narrows
    the roadmap), hub-native initiatives first, then the epics under no initiative."""
    kind = Grouping.INITIATIVE
    lanes: dict[str, Lane] = {}
    ungrouped = Lane(key=None, title=UNGROUPED_TITLES[kind], kind=kind)
    if show_empty:
        for initiative, _ in initiatives.values():
            if initiative.status_category is not StatusCategory.CANCELED:
                lanes[initiative.id] = _initiative_lane(initiative)
    for epic in epics:
        found = initiatives.get(initiative_of[epic.id] or "")
        if found is None:
            ungrouped.epics.append(epic)
            continue
        lane = lanes.setdefault(found[0].id, _initiative_lane(found[0]))
        lane.epics.append(epic)
    for lane in lanes.values():
        _judge_initiative(lane, today)
    ordered = sorted(lanes.values(), key=lambda lane: _order(lane.initiative))
    return ordered + ([_rolled_up(ungrouped)] if ungrouped.epics else [])


def _initiative_lane(initiative: RoadmapEntry) -> Lane:
    return Lane(
        key=initiative.key, title=initiative.title, kind=Grouping.INITIATIVE, initiative=initiative
    )


def _judge_initiative(lane: Lane, today: date) -> None:
    """Rolls the epics' progress up into the initiative and judges it. Without a start date
    of its own, the initiative starts with its earliest epic (hub-native initiatives have no
    meaningful creation date)."""
    initiative = lane.initiative
    assert initiative is not None
    _rolled_up(lane)
    initiative.progress = lane.progress
    start = initiative.start_date or min((epic.window_start for epic in lane.epics), default=None)
    schedule = Schedule(
        initiative.status_category, start, initiative.target_date, lane.progress.ratio
    )
    initiative.health = initiative_health(schedule, today, (e.health for e in lane.epics))
    lane.health = initiative.health


def _lane_initiatives(lanes: Iterable[Lane]) -> Iterable[RoadmapEntry]:
    return (lane.initiative for lane in lanes if lane.initiative is not None)


def _order(entry: RoadmapEntry | None) -> tuple[bool, date, str]:
    """Hub-native initiatives (the ones spanning tools) first, then by target date."""
    if entry is None:
        return (True, date.max, "")
    return (entry.source != HUB_SOURCE, entry.target_date or date.max, entry.key)


def _entry(row: WorkItem, source: str) -> RoadmapEntry:
    return RoadmapEntry(
        id=row.id,
        key=row.key,
        title=row.title,
        url=row.url,
        source=source,
        status_name=row.status_name,
        status_category=row.status_category,
        start_date=row.start_date,
        target_date=row.target_date,
        completed_at=row.completed_at,
        created_on=row.created_at.astimezone(UTC).date(),
    )


# Queries ------------------------------------------------------------------------------------

_INITIATIVE_OF = func.coalesce(InitiativeAssignment.initiative_id, WorkItem.parent_id)
"""A person's assignment outranks the tracker parent and the hub's label rules."""


def _without_large_columns(entity: Any) -> tuple[Any, ...]:
    return (defer(entity.raw, raiseload=True), defer(entity.body, raiseload=True))


def _epics(
    *columns: Any, filter: RoadmapFilter, start: date | None, end: date | None
) -> Select[Any]:
    """Live epics matching the filter and date range, with their source and assignment."""
    return (
        select(*columns)
        .select_from(WorkItem)
        .join(Source, Source.id == WorkItem.source_id)
        .outerjoin(InitiativeAssignment, InitiativeAssignment.item_id == WorkItem.id)
        .where(
            WorkItem.level == Level.EPIC,
            WorkItem.deleted == false(),
            *_conditions(filter),
            *_overlapping(start, end),
        )
    )


def _conditions(filter: RoadmapFilter) -> list[ColumnElement[bool]]:
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
        initiative = aliased(WorkItem)
        chosen = select(initiative.id).where(
            initiative.level == Level.INITIATIVE, initiative.key.in_(filter.initiatives)
        )
        conditions.append(_INITIATIVE_OF.in_(chosen))
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


async def _epic_rows(
    session: AsyncSession, statement: Select[Any]
) -> list[tuple[WorkItem, str, str | None]]:
    rows = await session.execute(
        statement.add_columns(Source.name, _INITIATIVE_OF)
        .options(*_without_large_columns(WorkItem))
        .order_by(WorkItem.target_date.is_(None), WorkItem.target_date, WorkItem.key)
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def _initiatives(session: AsyncSession) -> dict[str, tuple[RoadmapEntry, WorkItem]]:
    """Every live initiative; there are few."""
    rows = await session.execute(
        select(WorkItem, Source.name)
        .join(Source, Source.id == WorkItem.source_id)
        .options(*_without_large_columns(WorkItem))
        .where(WorkItem.level == Level.INITIATIVE, WorkItem.deleted == false())
    )
    return {row.id: (_entry(row, source), row) for row, source in rows}


async def _child_progress(session: AsyncSession, epic_ids: Select[Any]) -> dict[str, Progress]:
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


async def _open_blockers(
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


async def _components(session: AsyncSession, epic_ids: Select[Any]) -> dict[str, list[str]]:
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
