"""The roadmap: initiatives and their epics, with progress rolled up from children.

Progress counts children by status category; canceled work leaves the denominator, since it
will never be done and should not hold an epic back. One aggregate query reads the children
of every epic at once, whatever the number of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import HUB_SOURCE
from hub.records import Level, StatusCategory
from hub.storage.models import Source, WorkItem


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
    id: str
    key: str
    title: str
    url: str
    source: str
    status_name: str
    status_category: StatusCategory
    start_date: date | None
    target_date: date | None
    progress: Progress = field(default_factory=Progress)


@dataclass(slots=True)
class Lane:
    """One initiative and its epics; ``initiative`` is None for epics under no initiative."""

    initiative: RoadmapEntry | None
    epics: list[RoadmapEntry] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)


async def roadmap(session: AsyncSession) -> list[Lane]:
    """Every initiative with its epics, then the epics under no initiative."""
    entries = await _entries(session, (Level.INITIATIVE, Level.EPIC))
    progress = await _child_progress(session)
    lanes: dict[str, Lane] = {}
    orphans = Lane(initiative=None)
    epics: list[tuple[RoadmapEntry, str | None]] = []
    for entry, level, parent_id in entries:
        if level == Level.INITIATIVE:
            lanes[entry.id] = Lane(initiative=entry)
        else:
            entry.progress = progress.get(entry.id, Progress())
            epics.append((entry, parent_id))
    for epic, parent_id in epics:
        lane = lanes.get(parent_id or "", orphans)
        lane.epics.append(epic)
        lane.progress.add(epic.progress)
    for lane in lanes.values():
        if lane.initiative is not None:
            lane.initiative.progress = lane.progress
    ordered = sorted(lanes.values(), key=lambda lane: _order(lane.initiative))
    return ordered + ([orphans] if orphans.epics else [])


def _order(entry: RoadmapEntry | None) -> tuple[bool, date, str]:
    """Hub-native initiatives (the ones spanning tools) first, then by target date."""
    if entry is None:
        return (True, date.max, "")
    return (entry.source != HUB_SOURCE, entry.target_date or date.max, entry.key)


async def _entries(
    session: AsyncSession, levels: tuple[Level, ...]
) -> list[tuple[RoadmapEntry, Level, str | None]]:
    rows = await session.execute(
        select(
            WorkItem.id,
            WorkItem.key,
            WorkItem.title,
            WorkItem.url,
            Source.name,
            WorkItem.status_name,
            WorkItem.status_category,
            WorkItem.start_date,
            WorkItem.target_date,
            WorkItem.level,
            WorkItem.parent_id,
        )
        .join(Source, Source.id == WorkItem.source_id)
        .where(WorkItem.level.in_(levels), WorkItem.deleted.is_(False))
        .order_by(WorkItem.target_date.is_(None), WorkItem.target_date, WorkItem.key)
    )
    return [(RoadmapEntry(*row[:9]), row.level, row.parent_id) for row in rows]


async def _child_progress(session: AsyncSession) -> dict[str, Progress]:
    """Progress of every epic from its child issues, in one grouped query."""
    epics = select(WorkItem.id).where(WorkItem.level == Level.EPIC).scalar_subquery()
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
            WorkItem.deleted.is_(False),
            WorkItem.status_category != StatusCategory.CANCELED,
            WorkItem.parent_id.in_(epics),
        )
        .group_by(WorkItem.parent_id)
    )
    return {
        parent_id: Progress(int(total), int(done or 0), float(est_total or 0), float(est_done or 0))
        for parent_id, total, done, est_total, est_done in rows
    }
