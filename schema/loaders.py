"""Per-request DataLoaders: every relation a resolver follows costs one SQL statement per batch.

Each batch opens its own short session, because strawberry resolves sibling fields
concurrently and one ``AsyncSession`` must not be shared between concurrent tasks. Loaders
return ORM rows detached from their session; relationships are ``lazy="raise"`` and the
large ``raw``/``body`` columns are deferred with raiseload, so an accidental lazy load fails
loudly instead of quietly costing a statement per item.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Executable, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from hub.storage.models import (
    Component,
    Dependency,
    ItemComponent,
    ItemLink,
    Person,
    Source,
    SyncRun,
    WebhookDelivery,
    WorkItem,
)
from hub.views.components import items_at_risk
from hub.views.derived_dates import Span, child_spans
from hub.views.items import visible_items

MAX_BATCH_SIZE = 1000
"""Bounds the ``IN`` list of one statement (SQLite and asyncpg cap bound parameters)."""

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")
Sessions = async_sessionmaker[AsyncSession]


async def _all(sessions: Sessions, statement: Executable) -> list[Any]:
    async with sessions() as session:
        return list((await session.execute(statement)).all())


def _by_key(keys: Sequence[Key], pairs: Iterable[tuple[Key, Value]]) -> list[Value | None]:
    found = dict(pairs)
    return [found.get(key) for key in keys]


def _grouped(keys: Sequence[Key], pairs: Iterable[tuple[Key, Value]]) -> list[list[Value]]:
    groups: dict[Key, list[Value]] = {key: [] for key in keys}
    for key, value in pairs:
        groups[key].append(value)
    return [groups[key] for key in keys]


def _grouped_unique_items(
    keys: Sequence[str], pairs: Iterable[tuple[str, WorkItem]]
) -> list[list[WorkItem]]:
    """Items per key, each at most once: a dependency has one row per provenance."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for key, item in pairs:
        if (key, item.id) not in seen:
            seen.add((key, item.id))
            unique.append((key, item))
    return _grouped(keys, unique)


async def load_items_by_id(sessions: Sessions, ids: list[str]) -> list[WorkItem | None]:
    rows = await _all(sessions, visible_items().where(WorkItem.id.in_(ids)))
    return _by_key(ids, ((row.WorkItem.id, row.WorkItem) for row in rows))


async def load_items_by_key(sessions: Sessions, keys: list[str]) -> list[list[WorkItem]]:
    """Keys in any case, as people type them (the mutations read them so too). Tracker keys
    are unique within a tracker, not across sources: a key may match several."""
    lowered = [key.lower() for key in keys]
    statement = (
        visible_items().where(func.lower(WorkItem.key).in_(set(lowered))).order_by(WorkItem.id)
    )
    rows = await _all(sessions, statement)
    return _grouped(lowered, ((row.WorkItem.key.lower(), row.WorkItem) for row in rows))


async def load_children(sessions: Sessions, parent_ids: list[str]) -> list[list[WorkItem]]:
    statement = (
        visible_items()
        .where(WorkItem.parent_id.in_(parent_ids))
        .order_by(WorkItem.key, WorkItem.id)
    )
    rows = await _all(sessions, statement)
    return _grouped(parent_ids, ((row.WorkItem.parent_id, row.WorkItem) for row in rows))


async def load_child_spans(sessions: Sessions, parent_ids: list[str]) -> list[Span]:
    """The dates each item's children span, for items that derive dates from them."""
    async with sessions() as session:
        spans = await child_spans(session, parent_ids)
    return [spans[parent_id] for parent_id in parent_ids]


async def _related(
    sessions: Sessions,
    item_ids: list[str],
    owner: InstrumentedAttribute[str],
    other: InstrumentedAttribute[str],
) -> list[list[WorkItem]]:
    """For each id, the live items on the ``other`` end of rows whose ``owner`` end is it."""
    statement = (
        visible_items()
        .add_columns(owner)
        .join(other.class_, other == WorkItem.id)
        .where(owner.in_(item_ids))
        .order_by(WorkItem.key, WorkItem.id)
    )
    rows = await _all(sessions, statement)
    return _grouped_unique_items(item_ids, ((row[1], row.WorkItem) for row in rows))


async def load_blockers(sessions: Sessions, item_ids: list[str]) -> list[list[WorkItem]]:
    """Items that block each item, whatever the provenance of the dependency."""
    return await _related(sessions, item_ids, Dependency.blocked_id, Dependency.blocker_id)


async def load_blocking(sessions: Sessions, item_ids: list[str]) -> list[list[WorkItem]]:
    """Items that each item blocks, whatever the provenance of the dependency."""
    return await _related(sessions, item_ids, Dependency.blocker_id, Dependency.blocked_id)


async def load_links(sessions: Sessions, item_ids: list[str]) -> list[list[WorkItem]]:
    """Items that each item mentions in its text without a blocking phrase (other tools only)."""
    return await _related(sessions, item_ids, ItemLink.from_id, ItemLink.to_id)


async def load_components(sessions: Sessions, item_ids: list[str]) -> list[list[Component]]:
    statement = (
        select(ItemComponent.item_id, Component)
        .join(Component, Component.id == ItemComponent.component_id)
        .where(ItemComponent.item_id.in_(item_ids))
        .order_by(Component.name)
    )
    rows = await _all(sessions, statement)
    return _grouped(item_ids, ((row.item_id, row.Component) for row in rows))


async def load_sources(sessions: Sessions, ids: list[int]) -> list[Source | None]:
    rows = await _all(sessions, select(Source).where(Source.id.in_(ids)))
    return _by_key(ids, ((row.Source.id, row.Source) for row in rows))


async def load_people(sessions: Sessions, ids: list[str]) -> list[Person | None]:
    rows = await _all(sessions, select(Person).where(Person.id.in_(ids)))
    return _by_key(ids, ((row.Person.id, row.Person) for row in rows))


async def load_newest_runs(sessions: Sessions, names: list[str]) -> list[SyncRun | None]:
    """The newest run of each source, by name; run ids grow with every run."""
    newest = (
        select(func.max(SyncRun.id))
        .join(Source, Source.id == SyncRun.source_id)
        .where(Source.name.in_(names))
        .group_by(SyncRun.source_id)
    )
    statement = (
        select(Source.name, SyncRun)
        .join(Source, Source.id == SyncRun.source_id)
        .where(SyncRun.id.in_(newest))
    )
    rows = await _all(sessions, statement)
    return _by_key(names, ((row.name, row.SyncRun) for row in rows))


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """How fresh webhooks keep a source: its newest applied change, its deliveries waiting."""

    last_applied_at: datetime | None = None
    pending: int = 0


async def load_delivery_stats(sessions: Sessions, names: list[str]) -> list[DeliveryStats]:
    """Each source's delivery figures by name, in one grouped statement."""
    pending = func.count(WebhookDelivery.id).filter(WebhookDelivery.status == "pending")
    statement = (
        select(Source.name, func.max(WebhookDelivery.applied_at), pending)
        .join(Source, Source.id == WebhookDelivery.source_id)
        .where(Source.name.in_(names))
        .group_by(Source.name)
    )
    rows = await _all(sessions, statement)
    found = _by_key(names, ((row[0], DeliveryStats(row[1], row[2])) for row in rows))
    return [stats or DeliveryStats() for stats in found]


async def load_items_at_risk(sessions: Sessions, keys: list[tuple[int, int]]) -> list[list[str]]:
    """Hub ids of items at risk per (component id, how many); one query per page size asked."""
    today = datetime.now(UTC).date()
    found: dict[tuple[int, int], list[str]] = {}
    for first in sorted({first for _, first in keys}):
        component_ids = [component_id for component_id, size in keys if size == first]
        async with sessions() as session:
            at_risk = await items_at_risk(session, component_ids, today=today, first=first)
        found.update(((component_id, first), ids) for component_id, ids in at_risk.items())
    return [found[key] for key in keys]


@dataclass(frozen=True, slots=True)
class Loaders:
    """One set per request, so nothing cached outlives the request that loaded it."""

    item_by_id: DataLoader[str, WorkItem | None]
    items_by_key: DataLoader[str, list[WorkItem]]
    children_by_parent_id: DataLoader[str, list[WorkItem]]
    child_span_by_id: DataLoader[str, Span]
    blockers_by_item_id: DataLoader[str, list[WorkItem]]
    blocking_by_item_id: DataLoader[str, list[WorkItem]]
    links_by_item_id: DataLoader[str, list[WorkItem]]
    components_by_item_id: DataLoader[str, list[Component]]
    source_by_id: DataLoader[int, Source | None]
    person_by_id: DataLoader[str, Person | None]
    newest_run_by_source_name: DataLoader[str, SyncRun | None]
    items_at_risk_by_component: DataLoader[tuple[int, int], list[str]]
    delivery_stats_by_source_name: DataLoader[str, DeliveryStats]


def create_loaders(sessions: Sessions) -> Loaders:
    def loader(load: Any) -> DataLoader[Any, Any]:
        return DataLoader(load_fn=partial(load, sessions), max_batch_size=MAX_BATCH_SIZE)

    return Loaders(
        item_by_id=loader(load_items_by_id),
        items_by_key=loader(load_items_by_key),
        children_by_parent_id=loader(load_children),
        child_span_by_id=loader(load_child_spans),
        blockers_by_item_id=loader(load_blockers),
        blocking_by_item_id=loader(load_blocking),
        links_by_item_id=loader(load_links),
        components_by_item_id=loader(load_components),
        source_by_id=loader(load_sources),
        person_by_id=loader(load_people),
        newest_run_by_source_name=loader(load_newest_runs),
        items_at_risk_by_component=loader(load_items_at_risk),
        delivery_stats_by_source_name=loader(load_delivery_stats),
    )
