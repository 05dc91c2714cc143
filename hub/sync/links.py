"""Cross-tool links found in text.

Each stored item's references are extracted once, when the item changes (``store_mentions``,
called by ``store_items``). After a sync all of them are resolved again against the items the
hub knows (``resolve_mentions``): a removed mention disappears, and a mention resolves as soon
as the item it names arrives from another tool, whatever order the sources sync in. Only
after a change, though: whatever changes items, their keys or whether they are deleted also
marks the rebuild as owed (``mentions_changed``, in the same transaction), and a sync that
changed nothing anywhere skips it: on a large hub the rebuild would be most of its time.
Only references to other sources count: inside one tool its own links are the truth. A key
that several live items share resolves to nothing rather than to a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Select,
    Table,
    case,
    delete,
    func,
    literal,
    null,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.contract.records import ItemRecord, Provenance
from hub.storage.id_lists import among
from hub.storage.models import (
    Base,
    Dependency,
    ItemLink,
    ItemMention,
    PendingRebuild,
    WorkItem,
)
from hub.storage.types import UTCDateTime
from hub.storage.upsert import upsert
from hub.sync.mentions import Relation, find_mentions


@dataclass(frozen=True, slots=True)
class MentionCounts:
    dependencies: int
    links: int


async def store_mentions(
    session: AsyncSession, source_id: int, items: Mapping[str, ItemRecord]
) -> None:
    """Replace the references found in the text of these (changed) items."""
    connection = await session.connection()
    await connection.execute(
        delete(ItemMention).where(among(connection.dialect.name, ItemMention.item_id, items))
    )
    rows = [
        {"item_id": item_id, "key": m.key.lower(), "relation": m.relation, "source_id": source_id}
        for item_id, item in items.items()
        for m in find_mentions(f"{item.title}\n{item.body}")
    ]
    await upsert(session, ItemMention, rows, key=["item_id", "key"], update=[])
    await mentions_changed(session)


MENTIONS_LOCK = 0x7A6B_0001
"""Advisory lock serialising rebuilds when syncs of several sources end together."""

MENTIONS = "mentions"
"""The ``PendingRebuild`` of resolved mentions."""


async def mentions_changed(session: AsyncSession) -> None:
    """Owe a rebuild of resolved mentions, in the transaction of the change that made it so."""
    await upsert(session, PendingRebuild, [{"name": MENTIONS}], key=["name"], update=[])


async def resolve_mentions(session: AsyncSession, now: datetime) -> MentionCounts | None:
    """Rebuild every mention dependency and link from the stored references, inside the
    database: however many there are, none of them passes through the hub's memory.

    Only when a rebuild is owed; None when none was. The mark is taken first: a change that
    commits while the rebuild runs (and that the rebuild may not see) marks it owed again.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MENTIONS_LOCK})
    owed = await session.execute(delete(PendingRebuild).where(PendingRebuild.name == MENTIONS))
    if not cast(CursorResult[Any], owed).rowcount:
        return None
    mentioning = aliased(WorkItem)
    target_key = func.lower(WorkItem.key)
    targets = (
        select(
            target_key.label("key"),
            func.min(WorkItem.id).label("id"),
            func.min(WorkItem.source_id).label("source_id"),
        )
        .where(WorkItem.deleted.is_(False), target_key.in_(select(ItemMention.key)))
        .group_by(target_key)
        .having(func.count() == 1)
        .subquery()
    )
    resolved = (
        select(
            ItemMention.item_id,
            ItemMention.relation,
            ItemMention.source_id,
            targets.c.id.label("target"),
        )
        .join(targets, targets.c.key == ItemMention.key)
        .join(mentioning, mentioning.id == ItemMention.item_id)
        .where(targets.c.source_id != ItemMention.source_id, mentioning.deleted.is_(False))
        .subquery()
    )
    blocked_by = resolved.c.relation == Relation.BLOCKED_BY
    await session.execute(delete(Dependency).where(Dependency.provenance == Provenance.MENTION))
    await session.execute(delete(ItemLink))
    dependencies = await _insert_new(
        session,
        Dependency,
        ["blocker_id", "blocked_id", "provenance", "source_id", "note", "created_at"],
        select(
            case((blocked_by, resolved.c.target), else_=resolved.c.item_id),
            case((blocked_by, resolved.c.item_id), else_=resolved.c.target),
            literal(Provenance.MENTION.value),
            resolved.c.source_id,
            null(),
            literal(now, UTCDateTime()),
        ).where(resolved.c.relation.in_([Relation.BLOCKED_BY, Relation.BLOCKS])),
    )
    links = await _insert_new(
        session,
        ItemLink,
        ["from_id", "to_id"],
        select(resolved.c.item_id, resolved.c.target).where(
            resolved.c.relation.not_in([Relation.BLOCKED_BY, Relation.BLOCKS])
        ),
    )
    return MentionCounts(dependencies, links)


async def _insert_new(
    session: AsyncSession, model: type[Base], columns: list[str], rows: Select[Any]
) -> int:
    """``INSERT ... SELECT`` skipping rows already there (one pair named twice); how many."""
    table = cast(Table, model.__table__)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).from_select(columns, rows).on_conflict_do_nothing()
    result = await session.execute(statement)
    return int(cast(CursorResult[Any], result).rowcount or 0)
