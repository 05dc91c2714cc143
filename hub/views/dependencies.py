"""Dependencies as people ask about them; for now, the edges that cross tools."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.records import Provenance
from hub.storage.models import Dependency, Source, WorkItem


@dataclass(frozen=True, slots=True)
class Edge:
    blocker_key: str
    blocker_source: str
    blocked_key: str
    blocked_source: str
    provenance: Provenance


async def cross_tool_dependencies(session: AsyncSession, *, limit: int = 100) -> list[Edge]:
    """Dependencies whose two ends live in different sources, between live items."""
    blocker, blocked = aliased(WorkItem), aliased(WorkItem)
    blocker_source, blocked_source = aliased(Source), aliased(Source)
    rows = await session.execute(
        select(
            blocker.key,
            blocker_source.name,
            blocked.key,
            blocked_source.name,
            Dependency.provenance,
        )
        .join(blocker, blocker.id == Dependency.blocker_id)
        .join(blocked, blocked.id == Dependency.blocked_id)
        .join(blocker_source, blocker_source.id == blocker.source_id)
        .join(blocked_source, blocked_source.id == blocked.source_id)
        .where(
            blocker.source_id != blocked.source_id,
            blocker.deleted.is_(False),
            blocked.deleted.is_(False),
        )
        .order_by(blocked.level, blocked.key, blocker.key)
        .limit(limit)
    )
    return [Edge(*row) for row in rows]
