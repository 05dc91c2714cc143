"""What the roadmap shows: lanes of epics, with progress and health, and the filter that
chooses them. Built by ``hub.views.roadmap`` from the rows ``hub.views.roadmap_queries``
reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from hub.contract.records import DeclaredHealth, StatusCategory
from hub.storage.models import WorkItem
from hub.views.derived_dates import DateOrigin, ShownDates, Span, shown_dates
from hub.views.filter_values import check_text
from hub.views.health import Blocker, Health, disagrees


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
    """Which epics to show; an empty field narrows nothing. Names match exactly, initiatives
    by key in any case or by hub id."""

    sources: Sequence[str] = ()
    components: Sequence[str] = ()
    initiatives: Sequence[str] = ()
    """Keys (any case) or hub ids of initiatives (hub-native ones by their config key)."""
    status_categories: Sequence[StatusCategory] = ()
    """Empty means every category but CANCELED."""
    text: str | None = None
    """Case-insensitive substring of the epic's title or key."""

    def __post_init__(self) -> None:
        check_text(self.text)

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
    start_origin: DateOrigin | None = None
    target_origin: DateOrigin | None = None
    """Where the dates shown came from: CHILDREN where derived (``hub.views.derived_dates``)."""
    declared_health: DeclaredHealth | None = None
    progress: Progress = field(default_factory=Progress)
    health: Health = Health.NO_DATES
    slipping_blockers: list[Blocker] = field(default_factory=list)

    @property
    def dates(self) -> ShownDates:
        return ShownDates(self.start_date, self.start_origin, self.target_date, self.target_origin)

    @property
    def health_disagrees(self) -> bool:
        return disagrees(self.declared_health, self.health)

    @property
    def window_start(self) -> date:
        return self.start_date or self.created_on

    @classmethod
    def from_row(cls, row: WorkItem, source: str, children: Span | None = None) -> RoadmapEntry:
        """The row as shown, its missing dates derived from ``children`` where given."""
        dates = shown_dates(row, children)
        return cls(
            id=row.id,
            key=row.key,
            title=row.title,
            url=row.url,
            source=source,
            status_name=row.status_name,
            status_category=row.status_category,
            start_date=dates.start,
            target_date=dates.target,
            completed_at=row.completed_at,
            created_on=row.created_at.astimezone(UTC).date(),
            start_origin=dates.start_origin,
            target_origin=dates.target_origin,
            declared_health=row.declared_health,
        )


@dataclass(slots=True)
class Lane:
    """One group of epics; ``key`` is None for the last lane, of epics that fit no group.
    ``initiative`` is set only for an initiative's lane.

    Initiative lanes nest as their initiatives do: ``parent`` is the lane of the parent
    initiative, ``children`` those of its sub-initiatives, ``depth`` the number of lanes
    above. ``epics`` are the lane's own; ``progress`` and ``health`` roll up its children's
    too."""

    key: str | None
    title: str
    kind: Grouping
    initiative: RoadmapEntry | None = None
    epics: list[RoadmapEntry] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)
    health: Health = Health.NO_DATES
    parent: Lane | None = field(default=None, repr=False, compare=False)
    children: list[Lane] = field(default_factory=list, repr=False, compare=False)
    depth: int = 0

    def nested_epics(self) -> list[RoadmapEntry]:
        """The lane's epics and those of every lane under it, at any depth."""
        found: list[RoadmapEntry] = []
        stack = [self]
        while stack:
            lane = stack.pop()
            found += lane.epics
            stack += lane.children
        return found


@dataclass(slots=True)
class Roadmap:
    lanes: list[Lane]
    summary: dict[Health, int]
    """Epics per health, each epic once even when it shows in several lanes."""
    items: dict[str, WorkItem]
    """The stored rows of every epic, initiative and slipping blocker shown, detached from
    their session, for callers that render more fields than the roadmap carries."""
