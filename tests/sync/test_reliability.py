"""Locks, tombstones, bad records and interrupted runs, through the engine and the database."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import Batch
from hub.contract.config import SourceConfig
from hub.contract.errors import SyncInProgress
from hub.contract.records import ItemRecord, Level, RunStatus, raw_json
from hub.storage.models import Source, SyncCursor, SyncRun, WorkItem
from hub.sync.lock import source_lock
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, T0, EngineFor, FakeConnector, item


class SlowConnector(FakeConnector):
    """Serves its batches only once ``go`` is set, so a second sync can try to overlap."""

    def __init__(self, source: SourceConfig, items: Sequence[ItemRecord]) -> None:
        super().__init__(source, items)
        self.go = asyncio.Event()
        self.started = asyncio.Event()

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        self.started.set()
        await self.go.wait()
        async for batch in super().batches(stream, cursor):
            yield batch


class CensusConnector(FakeConnector):
    has_census = True

    def __init__(
        self, source: SourceConfig, items: Sequence[ItemRecord], *, live: Sequence[str]
    ) -> None:
        super().__init__(source, items)
        self.live = list(live)
        self.censuses = 0

    async def census(self) -> AsyncIterator[Sequence[str]]:
        self.censuses += 1
        yield self.live


async def test_a_second_sync_of_a_busy_source_is_refused_or_waits(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    items = [item(n) for n in range(1, 5)]
    first = SlowConnector(SOURCE, items)
    running = asyncio.create_task(engine_for(first).sync(SOURCE))
    await first.started.wait()

    refused = await engine_for(FakeConnector(SOURCE, items)).sync(SOURCE)
    assert refused.status == RunStatus.BUSY
    assert "being synced by another process" in (refused.error or "")

    waiter = FakeConnector(SOURCE, items)
    waiting = asyncio.create_task(engine_for(waiter, wait_for_lock=True).sync(SOURCE))
    await asyncio.sleep(0.2)
    assert waiter.cursors_seen == []
    first.go.set()
    assert (await running).ok
    assert (await waiting).ok
    assert waiter.cursors_seen == ["4"]
    statuses = [s for (s,) in await stored.rows(select(SyncRun.status).order_by(SyncRun.id))]
    assert statuses == ["succeeded", "succeeded"]


async def test_the_lock_dies_with_its_holder(engine: AsyncEngine, database_url: str) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import asyncio, sys
                from hub.storage.database import create_engine
                from hub.sync.lock import source_lock
                async def hold():
                    async with source_lock(create_engine({database_url!r}), "jira"):
                        print("held", flush=True)
                        await asyncio.sleep(60)
                asyncio.run(hold())
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(SyncInProgress, match="being synced by another process"):
            async with source_lock(engine, "jira"):
                pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    async with source_lock(engine, "jira"):
        pass


async def test_a_census_tombstones_what_it_no_longer_lists_and_restores_what_returns(
    engine_for: EngineFor,
    stored: StoredRows,
) -> None:
    items = [item(n) for n in range(1, 5)]
    await engine_for(FakeConnector(SOURCE, items), clock=lambda: T0).sync(SOURCE)
    later = T0 + timedelta(days=3)

    census = CensusConnector(SOURCE, items, live=["1", "2", "4"])
    report = await engine_for(census, clock=lambda: later).sync(SOURCE)
    assert report.ok and report.deleted == 1 and not report.full
    deleted = dict(await stored.rows(select(WorkItem.key, WorkItem.deleted)))
    assert deleted == {"PAY-1": False, "PAY-2": False, "PAY-3": True, "PAY-4": False}

    back = CensusConnector(SOURCE, items, live=["1", "2", "3", "4"])
    report = await engine_for(back, clock=lambda: later + timedelta(days=2)).sync(SOURCE)
    assert report.deleted == 0
    assert not any(d for _, d in await stored.rows(select(WorkItem.key, WorkItem.deleted)))


async def test_the_first_sync_starts_the_reconciliation_clock_and_each_reconciliation_resets_it(
    engine_for: EngineFor,
    stored: StoredRows,
) -> None:
    items = [item(n) for n in range(1, 3)]

    async def sync_at(moment: datetime) -> CensusConnector:
        connector = CensusConnector(SOURCE, items, live=["1", "2"])
        report = await engine_for(connector, clock=lambda: moment).sync(SOURCE)
        assert report.ok and not report.full, report.error
        return connector

    async def reconciled_at() -> datetime | None:
        return await stored.scalar(select(Source.reconciled_at).where(Source.name == SOURCE.name))

    assert (await sync_at(T0)).censuses == 0
    assert await reconciled_at() == T0
    early = T0 + SOURCE.reconcile_every - timedelta(seconds=1)
    assert (await sync_at(early)).censuses == 0
    assert await reconciled_at() == T0
    due = T0 + SOURCE.reconcile_every
    assert (await sync_at(due)).censuses == 1
    assert await reconciled_at() == due
    assert [s for (s,) in await stored.rows(select(SyncCursor.stream))] == ["issues"]


async def test_without_a_census_a_due_reconciliation_is_a_full_sync(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    items = [item(n) for n in range(1, 5)]
    await engine_for(FakeConnector(SOURCE, items), clock=lambda: T0).sync(SOURCE)
    gone = FakeConnector(SOURCE, items[:2])
    report = await engine_for(gone, clock=lambda: T0 + timedelta(days=3)).sync(SOURCE)
    assert report.full and report.deleted == 2
    assert gone.cursors_seen == [None]
    alive = await stored.rows(select(WorkItem.key).where(WorkItem.deleted.is_(False)))
    assert sorted(k for (k,) in alive) == ["PAY-1", "PAY-2"]


async def test_records_that_cannot_be_stored_are_skipped_and_the_rest_kept(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    items = [
        item(1, title="nul\x00in title", body="and\x00body", raw=raw_json({"x": "a\x00b"})),
        item(2, key="K" * 300),
        item(3, title="ünïcödé 🙂 " * 10_000, level=Level.EPIC),
        item(4, body="x" * 2_000_000),
    ]
    report = await engine_for(FakeConnector(SOURCE, items, batch_size=10)).sync(SOURCE)
    assert report.ok
    assert [(s.key[:3], "at most 200" in s.reason) for s in report.skipped] == [("KKK", True)]
    by_key = {r.key: r for r in await stored.all(WorkItem)}
    assert by_key["PAY-1"].title == "nulin title" and by_key["PAY-1"].raw == {"x": "ab"}
    assert by_key["PAY-3"].title.startswith("ünïcödé 🙂")
    assert len(by_key["PAY-4"].body) == 1_000_000
    (run,) = await stored.rows(select(SyncRun.skipped, SyncRun.error))
    assert run.skipped == 1 and "KKK" in (run.error or "")


async def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(
    sessions, engine_for: EngineFor, stored: StoredRows
) -> None:
    items = [item(n) for n in range(1, 3)]
    await engine_for(FakeConnector(SOURCE, items)).sync(SOURCE)
    async with sessions() as session, session.begin():
        (source_id,) = (await session.execute(select(SyncRun.source_id))).one()
        session.add(SyncRun(source_id=source_id, status="running", started_at=T0))
    await engine_for(FakeConnector(SOURCE, items)).sync(SOURCE)
    statuses = [s for (s,) in await stored.rows(select(SyncRun.status).order_by(SyncRun.id))]
    assert statuses == ["succeeded", "interrupted", "succeeded"]
