"""Deletions: items a complete listing no longer shows are flagged deleted, not removed.

Incremental listings never show deletions (Jira, GitHub) or stop showing purged items
(Linear), so the hub reconciles: every item seen by a full sync, or by a census of ids, is
stamped with that run; afterwards the source's live items without the stamp are tombstoned.
A tombstone keeps the row (and its history) but hides it from views; if the item comes back,
its next sync writes it again, because a tombstone clears the stored content hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.records import hub_id
from hub.storage.id_lists import among, plan_per_batch
from hub.storage.models import WorkItem
from hub.sync.links import mentions_changed


async def mark_seen(
    session: AsyncSession,
    *,
    source_name: str,
    external_ids: Sequence[str],
    run_id: int,
    restore: bool = False,
) -> None:
    """Stamp items as seen by this run; a census also lifts tombstones of items it lists
    (their content is refreshed on their next change, as the cleared hash forces a write)."""
    if not external_ids:
        return
    ids = [hub_id(source_name, external_id) for external_id in external_ids]
    values: dict[str, object] = {"seen_run": run_id}
    if restore:
        values["deleted"] = False
    connection = await session.connection()
    await plan_per_batch(connection)
    await connection.execute(
        update(WorkItem).where(among(connection.dialect.name, WorkItem.id, ids)).values(**values)
    )
    if restore:
        await mentions_changed(session)


async def sweep(
    session: AsyncSession, *, source_id: int, run_id: int, stored_before: datetime
) -> int:
    """Tombstone the source's live items that this run did not see; how many.

    Items stored after ``stored_before`` are spared: search is eventually consistent, so an
    item just created may be listed by an incremental sync and not yet by a census.
    """
    result = await (await session.connection()).execute(
        update(WorkItem)
        .where(
            WorkItem.source_id == source_id,
            WorkItem.deleted.is_(False),
            WorkItem.synced_at < stored_before,
            or_(WorkItem.seen_run.is_(None), WorkItem.seen_run != run_id),
        )
        .values(deleted=True, content_hash="")
    )
    if result.rowcount:
        await mentions_changed(session)
    return int(result.rowcount or 0)


async def tombstone(session: AsyncSession, *, source_id: int, refs: Sequence[str]) -> int:
    """Tombstone the source's live items that ``refs`` name, by external id or tracker key
    (a webhook's re-read found them gone); how many."""
    if not refs:
        return 0
    connection = await session.connection()
    dialect = connection.dialect.name
    result = await connection.execute(
        update(WorkItem)
        .where(
            WorkItem.source_id == source_id,
            WorkItem.deleted.is_(False),
            or_(among(dialect, WorkItem.external_id, refs), among(dialect, WorkItem.key, refs)),
        )
        .values(deleted=True, content_hash="")
    )
    if result.rowcount:
        await mentions_changed(session)
    return int(result.rowcount or 0)
