"""Cross-tool links found in text.

Each stored item's references are extracted once, when the item changes (``store_mentions``,
called by ``store_page``). After every sync all of them are resolved again against the items
the hub knows (``resolve_mentions``): a removed mention disappears, and a mention resolves as
soon as the item it names arrives from another tool, whatever order the sources sync in.
Only references to other sources count: inside one tool its own links are the truth. A key
that several live items share resolves to nothing rather than to a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.records import ItemRecord, Provenance
from hub.storage.models import Dependency, ItemLink, ItemMention, WorkItem
from hub.sync.among import among
from hub.sync.mentions import Relation, find_mentions
from hub.sync.upsert import upsert


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


MENTIONS_LOCK = 0x7A6B_0001
"""Advisory lock serialising rebuilds when syncs of several sources end together."""


async def resolve_mentions(session: AsyncSession, now: datetime) -> MentionCounts:
    """Rebuild every mention dependency and link from the stored references."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MENTIONS_LOCK})
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
    rows = await session.execute(
        select(ItemMention.item_id, ItemMention.relation, ItemMention.source_id, targets.c.id)
        .join(targets, targets.c.key == ItemMention.key)
        .join(mentioning, mentioning.id == ItemMention.item_id)
        .where(targets.c.source_id != ItemMention.source_id, mentioning.deleted.is_(False))
    )
    dependencies: dict[tuple[str, str], int] = {}
    links: set[tuple[str, str]] = set()
    for item_id, relation, source_id, target in rows:
        if relation == Relation.BLOCKED_BY:
            dependencies[(target, item_id)] = source_id
        elif relation == Relation.BLOCKS:
            dependencies[(item_id, target)] = source_id
        else:
            links.add((item_id, target))
    await session.execute(delete(Dependency).where(Dependency.provenance == Provenance.MENTION))
    await session.execute(delete(ItemLink))
    await upsert(
        session,
        Dependency,
        [
            {
                "blocker_id": blocker,
                "blocked_id": blocked,
                "provenance": Provenance.MENTION,
                "source_id": source_id,
                "note": None,
                "created_at": now,
            }
            for (blocker, blocked), source_id in sorted(dependencies.items())
        ],
        key=["blocker_id", "blocked_id", "provenance"],
        update=[],
    )
    await upsert(
        session,
        ItemLink,
        [{"from_id": a, "to_id": b} for a, b in sorted(links)],
        key=["from_id", "to_id"],
        update=[],
    )
    return MentionCounts(len(dependencies), len(links))
