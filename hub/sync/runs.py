"""Bookkeeping of syncs in the database: the source's row, its runs and cursors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import SourceConfig
from hub.contract.records import RunStatus
from hub.storage.database import transaction
from hub.storage.models import Source, SyncCursor, SyncRun
from hub.storage.upsert import upsert
from hub.sync.native import store_hub_config
from hub.sync.report import SyncReport
from hub.sync.rules import HubRules

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class Registered:
    """The source's row as a sync of it starts."""

    source_id: int
    fingerprint: str | None
    """The fingerprint of the rules its items were stored with."""
    reconciled_at: datetime | None
    """When its deletions were last reconciled; None before its first sync."""


async def register(
    sessions: Sessions, source: SourceConfig, rules: HubRules, now: datetime
) -> Registered:
    """Write the source's row as configured; what is stored about it."""
    async with transaction(sessions) as session:
        await store_hub_config(session, rules, now)
        await upsert(
            session,
            Source,
            [
                {
                    "name": source.name,
                    "kind": source.kind,
                    "base_url": source.base,
                    "created_at": now,
                }
            ],
            key=["name"],
            update=["kind", "base_url"],
        )
        row = (
            await session.execute(
                select(Source.id, Source.mapping_fingerprint, Source.reconciled_at).where(
                    Source.name == source.name
                )
            )
        ).one()
    return Registered(row.id, row.mapping_fingerprint, row.reconciled_at)


async def start_run(sessions: Sessions, source_id: int, full: bool, now: datetime) -> int:
    """A new run; runs still marked running were cut short, since we now hold the lock."""
    async with transaction(sessions) as session:
        await session.execute(
            update(SyncRun)
            .where(SyncRun.source_id == source_id, SyncRun.status == RunStatus.RUNNING)
            .values(status=RunStatus.INTERRUPTED, finished_at=now)
        )
        run = SyncRun(source_id=source_id, full=full, status=RunStatus.RUNNING, started_at=now)
        session.add(run)
        await session.flush()
        return run.id


async def record_progress(sessions: Sessions, run_id: int, report: SyncReport) -> None:
    async with transaction(sessions) as session:
        await session.execute(update(SyncRun).where(SyncRun.id == run_id).values(**_counts(report)))


async def finish_run(sessions: Sessions, run_id: int, report: SyncReport, now: datetime) -> None:
    async with transaction(sessions) as session:
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(
                status=report.status,
                full=report.full,
                finished_at=now,
                error=report.error if report.error is not None else report.skipped_text(),
                **_counts(report),
            )
        )


def _counts(report: SyncReport) -> dict[str, int]:
    c = report.counts
    return {
        "fetched": c.fetched,
        "created": c.created,
        "updated": c.updated,
        "unchanged": c.unchanged,
        "deleted": report.deleted,
        "skipped": report.skipped_count,
        "requests": report.requests,
        "retries": report.retries,
    }


async def cursors(sessions: Sessions, source_id: int) -> dict[str, str]:
    async with sessions() as session:
        rows = await session.execute(
            select(SyncCursor.stream, SyncCursor.value).where(SyncCursor.source_id == source_id)
        )
        return {stream: value for stream, value in rows}


async def save_fingerprint(sessions: Sessions, source_id: int, fingerprint: str) -> None:
    async with transaction(sessions) as session:
        await session.execute(
            update(Source).where(Source.id == source_id).values(mapping_fingerprint=fingerprint)
        )


async def save_reconciled(session: AsyncSession, source_id: int, now: datetime) -> None:
    await session.execute(update(Source).where(Source.id == source_id).values(reconciled_at=now))
