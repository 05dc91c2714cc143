"""GraphQL types of the unified model; every relation resolves through a DataLoader."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TypeVar

import strawberry

import hub.views.item_filter as view
from hub.contract.config import SourceConfig
from hub.contract.records import (
    EARLIEST_DAY,
    LATEST_DAY,
    DateSource,
    DeclaredHealth,
    Level,
    StatusCategory,
)
from hub.storage import models
from hub.views import derived_dates
from hub.views.derived_dates import ShownDates, derive, needs_children, own_dates
from hub.views.filter_values import MAX_TEXT_LENGTH
from hub.views.items import count_items
from schema.context import Info
from schema.runs import SourceHealth, SyncRun, health_of

T = TypeVar("T")

strawberry.enum(Level, description="Where an item sits in the hierarchy.")
strawberry.enum(StatusCategory, description="The tracker status, mapped to one of four categories.")
strawberry.enum(
    DateSource,
    description="Where a date came from. FIELD: a date field of the item. PROJECT_FIELD: a "
    "date field of a planning project holding it (GitHub Projects). ITERATION, SPRINT, "
    "RELEASE, MILESTONE, CYCLE: the dates of the iteration, sprint, release (fix version), "
    "milestone or cycle it is in. CHILDREN: derived when read, the earliest start or latest "
    "target of its children, for an epic or initiative without a date of its own. MANUAL: "
    "declared in the hub (the config or the API).",
)
strawberry.enum(
    DeclaredHealth,
    description="The health a team declared in a status update (GitHub Projects, Linear).",
)


@strawberry.type(description="Where a date came from.")
class DateOrigin:
    source: DateSource
    field: str | None = strawberry.field(
        description="The name of the field, sprint, iteration... it was read from, as the "
        "tracker calls it; null where there is none (derived dates) or it is not known."
    )

    @classmethod
    def from_view(cls, origin: derived_dates.DateOrigin | None) -> DateOrigin | None:
        return None if origin is None else cls(source=origin.source, field=origin.field)


@strawberry.type(description="What a team said about an item's health, and when and who.")
class HealthUpdate:
    status: DeclaredHealth
    at: datetime | None = strawberry.field(description="When the team said it.")
    by: str | None = strawberry.field(description="Who said it, as the tracker names them.")
    note: str | None = strawberry.field(description="The update's text, as written.")

    @classmethod
    def from_row(cls, row: models.WorkItem) -> HealthUpdate | None:
        if row.declared_health is None:
            return None
        return cls(
            status=row.declared_health,
            at=row.declared_health_at,
            by=row.declared_health_by,
            note=row.declared_health_note,
        )


@strawberry.type(description="A dated checkpoint of an epic (a Linear project milestone).")
class Milestone:
    name: str
    target_date: date | None
    status: str | None = strawberry.field(
        description="Where it stands, in the tracker's words (Linear: done, next, overdue, "
        "unstarted)."
    )
    progress: float | None = strawberry.field(description="The share of its work done, 0 to 1.")
    sort_order: strawberry.Private[float | None]

    @classmethod
    def list_from_row(cls, row: models.WorkItem) -> list[Milestone]:
        """The row's milestones in the tracker's order, then by date: unordered and undated
        ones last."""
        milestones = [
            cls(
                name=m["name"],
                target_date=date.fromisoformat(m["target_date"]) if m.get("target_date") else None,
                status=m.get("status"),
                progress=m.get("progress"),
                sort_order=m.get("sort_order"),
            )
            for m in row.milestones or ()
        ]
        return sorted(
            milestones,
            key=lambda m: (
                m.sort_order is None,
                m.sort_order or 0.0,
                m.target_date is None,
                m.target_date or date.min,
            ),
        )


@strawberry.type(description="A configured tracker connection.")
class Source:
    name: str
    kind: str
    base_url: str

    @classmethod
    def from_row(cls, row: models.Source) -> Source:
        return cls(name=row.name, kind=row.kind, base_url=row.base_url)

    @classmethod
    def from_config(cls, config: SourceConfig) -> Source:
        """A configured source that has never been synced, so has no row yet."""
        return cls(name=config.name, kind=config.kind, base_url=config.base)

    @strawberry.field(
        description="Seconds between scheduled syncs; null where this server schedules none "
        "of this source."
    )
    def every(self, info: Info) -> int | None:
        config = info.context.source(self.name)
        return None if config is None else int(config.every.total_seconds())

    @strawberry.field(description="The newest sync of this source, running or finished.")
    async def last_run(self, info: Info) -> SyncRun | None:
        row = await info.context.loaders.newest_run_by_source_name.load(self.name)
        return None if row is None else SyncRun.from_row(row, self.name)

    @strawberry.field
    async def health(self, info: Info) -> SourceHealth:
        row = await info.context.loaders.newest_run_by_source_name.load(self.name)
        syncs = info.context.syncs
        syncing_here = syncs is not None and syncs.is_syncing(self.name)
        return health_of(row, syncing_here=syncing_here)

    @strawberry.field(
        description="When the newest change a webhook brought was applied; null if none was."
    )
    async def last_change_applied_at(self, info: Info) -> datetime | None:
        stats = await info.context.loaders.delivery_stats_by_source_name.load(self.name)
        return stats.last_applied_at

    @strawberry.field(description="Webhook deliveries waiting to be applied or retried.")
    async def pending_deliveries(self, info: Info) -> int:
        stats = await info.context.loaders.delivery_stats_by_source_name.load(self.name)
        return stats.pending


@strawberry.type(description="A platform component of the hub's catalog.")
class Component:
    name: str
    owner: str | None
    description: str | None

    @classmethod
    def from_row(cls, row: models.Component) -> Component:
        return cls(name=row.name, owner=row.owner, description=row.description)


@strawberry.type(description="A person as one tracker knows them.")
class Person:
    name: str | None
    email: str | None

    @classmethod
    def from_row(cls, row: models.Person) -> Person:
        return cls(name=row.name, email=row.email)


def _items(rows: list[models.WorkItem]) -> list[Item]:
    return [Item.from_row(row) for row in rows]


@strawberry.type(description="An initiative, epic or issue from any tracker.")
class Item:
    id: strawberry.ID = strawberry.field(description="Stable hub id: `source:external_id`.")
    key: str = strawberry.field(description="The tracker's key, e.g. `PAY-12` or `org/repo#34`.")
    title: str
    url: str
    level: Level
    status: str = strawberry.field(description="The status name as the tracker shows it.")
    status_category: StatusCategory
    completed_at: datetime | None
    labels: list[str]
    estimate: float | None
    created_at: datetime
    updated_at: datetime
    declared_health: HealthUpdate | None = strawberry.field(
        description="The team's latest status update; null when it gave none. The hub's own "
        "judgement is the roadmap's `health`."
    )
    milestones: list[Milestone] = strawberry.field(
        description="An epic's dated checkpoints, in the tracker's order, then by date; empty "
        "for other items."
    )

    parent_id: strawberry.Private[str | None]
    source_id: strawberry.Private[int]
    assignee_id: strawberry.Private[str | None]
    own_dates: strawberry.Private[ShownDates]
    shown: strawberry.Private[ShownDates | None]
    """The dates as shown, where the reader already derived them (the roadmap)."""

    @classmethod
    def from_row(cls, row: models.WorkItem, dates: ShownDates | None = None) -> Item:
        """``dates``: the row's dates as shown, where the caller derived them already."""
        return cls(
            id=strawberry.ID(row.id),
            key=row.key,
            title=row.title,
            url=row.url,
            level=row.level,
            status=row.status_name,
            status_category=row.status_category,
            completed_at=row.completed_at,
            labels=list(row.labels),
            estimate=row.estimate,
            created_at=row.created_at,
            updated_at=row.updated_at,
            parent_id=row.parent_id,
            source_id=row.source_id,
            assignee_id=row.assignee_id,
            declared_health=HealthUpdate.from_row(row),
            milestones=Milestone.list_from_row(row),
            own_dates=own_dates(row),
            shown=dates,
        )

    def _dates(self, info: Info, pick: Callable[[ShownDates], T]) -> T | Awaitable[T]:
        """``pick`` of the dates as shown; at once where they are known (most items: no
        awaiting per field), else once the children's span is loaded."""
        if self.shown is not None:
            return pick(self.shown)
        if not needs_children(self.own_dates, self.level):
            return pick(self.own_dates)
        return self._derived(info, pick)

    async def _derived(self, info: Info, pick: Callable[[ShownDates], T]) -> T:
        span = await info.context.loaders.child_span_by_id.load(self.id)
        return pick(derive(self.own_dates, self.level, span))

    @strawberry.field(
        description="The item's start date; for an epic or initiative without one, the "
        "earliest start among its children (see `startDateSource`).",
        graphql_type=date | None,
    )
    def start_date(self, info: Info) -> date | None | Awaitable[date | None]:
        return self._dates(info, lambda dates: dates.start)

    @strawberry.field(
        description="The item's target date; for an epic or initiative without one, the "
        "latest target among its children (see `targetDateSource`).",
        graphql_type=date | None,
    )
    def target_date(self, info: Info) -> date | None | Awaitable[date | None]:
        return self._dates(info, lambda dates: dates.target)

    @strawberry.field(
        description="Where `startDate` came from; null when there is none. CHILDREN marks a "
        "derived date, which never replaces a declared one.",
        graphql_type=DateOrigin | None,
    )
    def start_date_source(self, info: Info) -> DateOrigin | None | Awaitable[DateOrigin | None]:
        return self._dates(info, lambda dates: DateOrigin.from_view(dates.start_origin))

    @strawberry.field(
        description="Where `targetDate` came from; null when there is none.",
        graphql_type=DateOrigin | None,
    )
    def target_date_source(self, info: Info) -> DateOrigin | None | Awaitable[DateOrigin | None]:
        return self._dates(info, lambda dates: DateOrigin.from_view(dates.target_origin))

    @strawberry.field(description="Null when there is none, or the hub has not seen it.")
    async def parent(self, info: Info) -> Item | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.item_by_id.load(self.parent_id)
        return None if row is None else Item.from_row(row)

    @strawberry.field(description="Items whose parent this is, by key.")
    async def children(self, info: Info) -> list[Item]:
        return _items(await info.context.loaders.children_by_parent_id.load(self.id))

    @strawberry.field(description="Items that block this one, from any source and provenance.")
    async def blockers(self, info: Info) -> list[Item]:
        return _items(await info.context.loaders.blockers_by_item_id.load(self.id))

    @strawberry.field(description="Items this one blocks, from any source and provenance.")
    async def blocking(self, info: Info) -> list[Item]:
        return _items(await info.context.loaders.blocking_by_item_id.load(self.id))

    @strawberry.field(
        description="Items of other tools that this one mentions in its title or description."
    )
    async def links(self, info: Info) -> list[Item]:
        return _items(await info.context.loaders.links_by_item_id.load(self.id))

    @strawberry.field
    async def components(self, info: Info) -> list[Component]:
        rows = await info.context.loaders.components_by_item_id.load(self.id)
        return [Component.from_row(row) for row in rows]

    @strawberry.field
    async def source(self, info: Info) -> Source:
        row = await info.context.loaders.source_by_id.load(self.source_id)
        if row is None:  # the foreign key makes this impossible short of a race with deletion
            raise LookupError(f"source {self.source_id} of item {self.id} is gone")
        return Source.from_row(row)

    @strawberry.field
    async def assignee(self, info: Info) -> Person | None:
        if self.assignee_id is None:
            return None
        row = await info.context.loaders.person_by_id.load(self.assignee_id)
        return None if row is None else Person.from_row(row)


DAYS = f"{EARLIEST_DAY} to {LATEST_DAY}"
"""The days a date argument may name."""


@strawberry.input(description="Every field given narrows the list; deleted items never appear.")
class ItemFilter:
    level: Level | None = None
    source: str | None = strawberry.field(
        default=None, description="Source name; one neither configured nor stored is an error."
    )
    status_category: StatusCategory | None = None
    component: str | None = strawberry.field(
        default=None, description="Component name; an unknown one is an error."
    )
    text: str | None = strawberry.field(
        default=None,
        description="Case-insensitive substring of the title or the key, at most "
        f"{MAX_TEXT_LENGTH} characters.",
    )
    status_categories: list[StatusCategory] | None = strawberry.field(
        default=None, description="Any of these status categories."
    )
    initiative: str | None = strawberry.field(
        default=None,
        description="Key or hub id of an initiative: its epics and their issues (items whose "
        "parent or grandparent it is); an unknown one is an error.",
    )
    assignee: str | None = strawberry.field(
        default=None,
        description="The assignee's name or email (any case), or their id in their tracker.",
    )
    label: str | None = strawberry.field(default=None, description="Carries this exact label.")
    target_from: date | None = strawberry.field(
        default=None, description=f"Target date on or after this day ({DAYS})."
    )
    target_to: date | None = strawberry.field(
        default=None, description=f"Target date on or before this day ({DAYS})."
    )

    def to_view(self) -> view.ItemFilter:
        return view.ItemFilter(
            level=self.level,
            source=self.source,
            status_category=self.status_category,
            component=self.component,
            text=self.text,
            status_categories=self.status_categories,
            initiative=self.initiative,
            assignee=self.assignee,
            label=self.label,
            target_from=self.target_from,
            target_to=self.target_to,
        )


@strawberry.type(description="Forward pagination only: pass `endCursor` as `after`.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    has_previous_page: bool = strawberry.field(
        default=False, description="Always false: the hub pages forward only."
    )
    start_cursor: str | None = None


@strawberry.type
class ItemEdge:
    cursor: str
    node: Item


@strawberry.type(description="A page of items ordered by key, then hub id.")
class ItemConnection:
    edges: list[ItemEdge]
    page_info: PageInfo
    item_filter: strawberry.Private[view.ItemFilter]

    @strawberry.field(description="Items matching the filter across all pages; costs a count.")
    async def total_count(self, info: Info) -> int:
        async with info.context.sessions() as session:
            return await count_items(session, self.item_filter)
