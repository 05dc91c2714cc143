"""Writes one transaction's items into the unified model, in the caller's transaction.

A transaction costs a fixed number of statements whatever its size: one read of the stored
content hashes, then one bulk statement per table for what actually changed.

Component links of a changed item are replaced. So are the tracker dependencies it blocks:
every tracker lists an item's outgoing "blocks" completely (Linear lists nothing else), so
a link removed in the tracker disappears when its blocker is stored again. Incoming links
that Jira and GitHub also report are added, never removed from the blocked side. Manual and
mention dependencies are never touched here.

A tracker item is never replaced by an older state of itself (its ``updated_at`` strictly
before the stored one): a sync may store a page read before a webhook stored the item's
newer state. An equal time is stored, as new hub rules re-map items that did not change.
Hub-native items have no such history (config initiatives carry a fixed time). The stored
time is read at the start of the transaction, so a newer state committed by another one
between that read and the write is still overwritten; the next change of the item, or the
next full sync, puts it right.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

import orjson
from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.config import HUB_SOURCE
from hub.contract.records import (
    DateSource,
    ItemRecord,
    MilestoneRecord,
    Provenance,
    StatusCategory,
    hub_id,
)
from hub.storage.id_lists import among, plan_per_batch
from hub.storage.models import (
    Component,
    Dependency,
    ItemComponent,
    Person,
    SyncCursor,
    WorkItem,
)
from hub.storage.upsert import upsert
from hub.sync.links import store_mentions
from hub.sync.rules import HubRules


@dataclass(slots=True)
class StoreCounts:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: StoreCounts) -> None:
        self.fetched += other.fetched
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


_mapped_fields = attrgetter(*(f.name for f in fields(ItemRecord) if f.name != "raw"))


def content_hash(record: ItemRecord, salt: str = "") -> str:
    """A digest of everything stored about an item; equal digests mean nothing to write.

    Mapped fields are hashed as JSON (orjson writes their flat values, tuples, enums, dates
    and person records in C, faster than their ``repr``) and the raw payload as the bytes the
    connector handed over. ``salt`` is the fingerprint of the hub rules, so that new rules
    rewrite every item. SHA-256, cut to 128 bits: on CPUs with SHA instructions it is faster
    than BLAKE2b.
    """
    digest = hashlib.sha256(salt.encode())
    digest.update(orjson.dumps(_mapped_fields(record)))
    digest.update(record.raw)
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Target:
    """Where items go: the source's row, name and kind, and the rules that shape them."""

    source_id: int
    source_name: str
    kind: str
    rules: HubRules
    fingerprint: str
    statuses: Mapping[str, StatusCategory] = field(default_factory=dict)
    """The source's status-name overrides, applied to every tool alike."""


async def store_items(
    session: AsyncSession,
    target: Target,
    items: Sequence[ItemRecord],
    now: datetime,
    digests: Sequence[str] | None = None,
) -> StoreCounts:
    """Store ``items``; ``digests`` are their ``content_hash`` where the caller has them."""
    if digests is None:
        digests = [content_hash(item, target.fingerprint) for item in items]
    by_id: dict[str, ItemRecord] = {}
    hashes: dict[str, str] = {}
    for item, digest in zip(items, digests, strict=True):
        item_id = hub_id(target.source_name, item.external_id)
        by_id[item_id], hashes[item_id] = item, digest
    connection = await session.connection()
    await plan_per_batch(connection)
    dialect = connection.dialect.name
    rows = await connection.execute(
        select(WorkItem.id, WorkItem.content_hash, WorkItem.updated_at).where(
            among(dialect, WorkItem.id, by_id)
        )
    )
    stored: dict[str, str] = {}
    newer: set[str] = set()
    for item_id, digest, updated_at in rows:
        stored[item_id] = digest
        if target.kind != HUB_SOURCE and by_id[item_id].updated_at < updated_at:
            newer.add(item_id)
    changed = {
        i: item for i, item in by_id.items() if stored.get(i) != hashes[i] and i not in newer
    }
    counts = StoreCounts(
        fetched=len(items),
        created=sum(1 for i in changed if i not in stored),
        updated=sum(1 for i in changed if i in stored),
        unchanged=len(by_id) - len(changed),
    )
    if not changed:
        return counts

    await _store_people(session, target, changed.values())
    await upsert(
        session,
        WorkItem,
        [_item_row(i, item, target, hashes[i], now) for i, item in changed.items()],
        key=["id"],
    )
    await _replace_components(
        session, {i: target.rules.components_for(target.kind, item) for i, item in changed.items()}
    )
    await _replace_tracker_dependencies(session, target, changed, now)
    await store_mentions(session, target.source_id, changed)
    return counts


async def save_cursor(
    session: AsyncSession, *, source_id: int, stream: str, value: str, now: datetime
) -> None:
    await upsert(
        session,
        SyncCursor,
        [{"source_id": source_id, "stream": stream, "value": value, "updated_at": now}],
        key=["source_id", "stream"],
    )


def _item_row(
    item_id: str,
    item: ItemRecord,
    target: Target,
    digest: str,
    now: datetime,
) -> dict[str, Any]:
    source_name = target.source_name
    parent = target.rules.initiative_for(item) or (
        hub_id(source_name, item.parent_external_id) if item.parent_external_id else None
    )
    return {
        "id": item_id,
        "source_id": target.source_id,
        "external_id": item.external_id,
        "key": item.key,
        "url": item.url,
        "title": item.title,
        "body": item.body,
        "level": item.level,
        "status_name": item.status_name,
        "status_category": target.statuses.get(item.status_name, item.status_category),
        "parent_id": parent,
        "synced_parent_id": parent,
        "start_date": item.start_date,
        "target_date": item.target_date,
        **_date_origins(item),
        **_declared_health(item),
        "completed_at": item.completed_at,
        "assignee_id": (hub_id(source_name, item.assignee.external_id) if item.assignee else None),
        "labels": list(item.labels),
        "milestones": [_milestone_document(m) for m in item.milestones],
        "estimate": item.estimate,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "deleted": item.deleted,
        "raw": item.raw,  # the bytes just hashed, written as they are
        "content_hash": digest,
        "synced_at": now,
    }


def _date_origins(item: ItemRecord) -> dict[str, Any]:
    """A date without a source was read from a field of the item (what every connector did
    before dates had sources); no date, no source."""
    origins: dict[str, Any] = {}
    for end, day, source, name in (
        ("start", item.start_date, item.start_date_source, item.start_date_field),
        ("target", item.target_date, item.target_date_source, item.target_date_field),
    ):
        origins[f"{end}_date_source"] = None if day is None else source or DateSource.FIELD
        origins[f"{end}_date_field"] = None if day is None else name
    return origins


def _milestone_document(milestone: MilestoneRecord) -> dict[str, Any]:
    """A milestone as ``work_items.milestones`` keeps it: JSON, the date ISO."""
    day = milestone.target_date
    return {
        "id": milestone.external_id,
        "name": milestone.name,
        "target_date": None if day is None else day.isoformat(),
        "status": milestone.status,
        "progress": milestone.progress,
        "sort_order": milestone.sort_order,
    }


def _declared_health(item: ItemRecord) -> dict[str, Any]:
    update = item.declared_health
    return {
        "declared_health": None if update is None else update.status,
        "declared_health_at": None if update is None else update.at,
        "declared_health_by": None if update is None else update.by,
        "declared_health_note": None if update is None else update.note or None,
    }


async def _store_people(session: AsyncSession, target: Target, items: Iterable[ItemRecord]) -> None:
    people = {
        hub_id(target.source_name, item.assignee.external_id): item.assignee
        for item in items
        if item.assignee is not None
    }
    await upsert(
        session,
        Person,
        [
            {
                "id": person_id,
                "source_id": target.source_id,
                "external_id": person.external_id,
                "name": person.name,
                "email": person.email,
            }
            for person_id, person in people.items()
        ],
        key=["id"],
    )


async def _replace_components(session: AsyncSession, components: dict[str, list[str]]) -> None:
    connection = await session.connection()
    dialect = connection.dialect.name
    await connection.execute(
        delete(ItemComponent).where(among(dialect, ItemComponent.item_id, components))
    )
    names = sorted({name for names in components.values() for name in names})
    if not names:
        return
    await upsert(session, Component, [{"name": n} for n in names], key=["name"], update=[])
    rows = await connection.execute(
        select(Component.name, Component.id).where(among(dialect, Component.name, names))
    )
    ids = {name: component_id for name, component_id in rows}
    links = {(item_id, ids[name]) for item_id, names in components.items() for name in names}
    await upsert(
        session,
        ItemComponent,
        [{"item_id": item_id, "component_id": cid} for item_id, cid in sorted(links)],
        key=["item_id", "component_id"],
        update=[],
    )


async def _replace_tracker_dependencies(
    session: AsyncSession, target: Target, changed: dict[str, ItemRecord], now: datetime
) -> None:
    source_id, source_name = target.source_id, target.source_name
    connection = await session.connection()
    await connection.execute(
        delete(Dependency).where(
            and_(
                Dependency.provenance == Provenance.TRACKER,
                Dependency.source_id == source_id,
                among(connection.dialect.name, Dependency.blocker_id, changed),
            )
        )
    )
    edges: set[tuple[str, str]] = set()
    for item_id, item in changed.items():
        edges.update((item_id, hub_id(source_name, other)) for other in item.blocks)
        edges.update((hub_id(source_name, other), item_id) for other in item.blocked_by)
    await upsert(
        session,
        Dependency,
        [
            {
                "blocker_id": blocker,
                "blocked_id": blocked,
                "provenance": Provenance.TRACKER,
                "source_id": source_id,
                "note": None,
                "created_at": now,
            }
            for blocker, blocked in sorted(edges)
            if blocker != blocked
        ],
        key=["blocker_id", "blocked_id", "provenance"],
        update=[],
    )
