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

from sqlalchemy import select

from connectors.base import Batch
from hub.contract.records import Level, raw_json
from hub.storage.models import Source, SyncCursor, SyncRun, WorkItem
from hub.sync import SyncEngine
from hub.sync.lock import source_lock
from tests.sync.fakes import T0, FakeConnector, item
from tests.sync.test_engine import SOURCE


class SlowConnector(FakeConnector):
    """Serves its pages only once ``go`` is set, so a second sync can try to overlap."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.go = asyncio.Event()
        self.started = asyncio.Event()

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        self.started.set()
        await self.go.wait()
        async for page in super().batches(stream, cursor):
            yield page


class CensusConnector(FakeConnector):
    has_census = True

    def __init__(self, *args: object, live: Sequence[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.live = list(live)
        self.censuses = 0

    async def census(self) -> AsyncIterator[Sequence[str]]:  # type: ignore[override]
        self.censuses += 1
        yield self.live


def engine_with(sessions, connector, **kwargs) -> SyncEngine:
    return SyncEngine(sessions, connector_factory=lambda s, transport=None: connector, **kwargs)


async def rows(sessions, statement):
    async with sessions() as session:
        return (await session.execute(statement)).all()


async def test_a_second_sync_of_a_busy_source_is_refused_or_waits(sessions) -> None:
    items = [item(n) for n in range(1, 5)]
    first = SlowConnector(SOURCE, items)
    running = asyncio.create_task(engine_with(sessions, first).sync(SOURCE))
    await first.started.wait()

    refused = await engine_with(sessions, FakeConnector(SOURCE, items)).sync(SOURCE)
    assert refused.status == "busy" and "being synced by another process" in refused.error

    waiter = FakeConnector(SOURCE, items)
    waiting = asyncio.create_task(engine_with(sessions, waiter, wait_for_lock=True).sync(SOURCE))
    await asyncio.sleep(0.2)
    assert waiter.cursors_seen == []
    first.go.set()
    assert (await running).ok
    assert (await waiting).ok
    assert waiter.cursors_seen == ["4"]
    statuses = [s for (s,) in await rows(sessions, select(SyncRun.status).order_by(SyncRun.id))]
    assert statuses == ["succeeded", "succeeded"]


async def test_the_lock_dies_with_its_holder(engine, database_url) -> None:
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
        try:
            async with source_lock(engine, "jira"):
                raise AssertionError("the lock was free while its holder lived")
        except Exception as exc:
            assert "being synced by another process" in str(exc)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    async with source_lock(engine, "jira"):
        pass


async def test_a_census_tombstones_what_it_no_longer_lists_and_restores_what_returns(
    sessions,
) -> None:
    items = [item(n) for n in range(1, 5)]
    await engine_with(sessions, FakeConnector(SOURCE, items), clock=lambda: T0).sync(SOURCE)
    later = T0 + timedelta(days=3)

    census = CensusConnector(SOURCE, items, live=["1", "2", "4"])
    report = await engine_with(sessions, census, clock=lambda: later).sync(SOURCE)
    assert report.ok and report.deleted == 1 and not report.full
    deleted = dict(await rows(sessions, select(WorkItem.key, WorkItem.deleted)))
    assert deleted == {"PAY-1": False, "PAY-2": False, "PAY-3": True, "PAY-4": False}

    back = CensusConnector(SOURCE, items, live=["1", "2", "3", "4"])
    report = await engine_with(sessions, back, clock=lambda: later + timedelta(days=2)).sync(SOURCE)
    assert report.deleted == 0
    assert not any(d for _, d in await rows(sessions, select(WorkItem.key, WorkItem.deleted)))


async def test_the_first_sync_starts_the_reconciliation_clock_and_each_reconciliation_resets_it(
    sessions,
) -> None:
    items = [item(n) for n in range(1, 3)]

    async def sync_at(moment: datetime) -> CensusConnector:
        connector = CensusConnector(SOURCE, items, live=["1", "2"])
        report = await engine_with(sessions, connector, clock=lambda: moment).sync(SOURCE)
        assert report.ok and not report.full, report.error
        return connector

    async def reconciled_at() -> datetime | None:
        async with sessions() as session:
            return await session.scalar(
                select(Source.reconciled_at).where(Source.name == SOURCE.name)
            )

    assert (await sync_at(T0)).censuses == 0
    assert await reconciled_at() == T0
    early = T0 + SOURCE.reconcile_every - timedelta(seconds=1)
    assert (await sync_at(early)).censuses == 0
    assert await reconciled_at() == T0
    due = T0 + SOURCE.reconcile_every
    assert (await sync_at(due)).censuses == 1
    assert await reconciled_at() == due
    assert [s for (s,) in await rows(sessions, select(SyncCursor.stream))] == ["issues"]


async def test_without_a_census_a_due_reconciliation_is_a_full_sync(sessions) -> None:
    items = [item(n) for n in range(1, 5)]
    await engine_with(sessions, FakeConnector(SOURCE, items), clock=lambda: T0).sync(SOURCE)
    gone = FakeConnector(SOURCE, items[:2])
    report = await engine_with(sessions, gone, clock=lambda: T0 + timedelta(days=3)).sync(SOURCE)
    assert report.full and report.deleted == 2
    assert gone.cursors_seen == [None]
    alive = await rows(sessions, select(WorkItem.key).where(WorkItem.deleted.is_(False)))
    assert sorted(k for (k,) in alive) == ["PAY-1", "PAY-2"]


async def test_records_that_cannot_be_stored_are_skipped_and_the_rest_kept(sessions) -> None:
    items = [
        item(1, title="nul\x00in title", body="and\x00body", raw=raw_json({"x": "a\x00b"})),
        item(2, key="K" * 300),
        item(3, title="ünïcödé 🙂 " * 10_000, level=Level.EPIC),
        item(4, body="x" * 2_000_000),
    ]
    report = await engine_with(sessions, FakeConnector(SOURCE, items, batch_size=10)).sync(SOURCE)
    assert report.ok
    assert [(s.key[:3], "at most 200" in s.reason) for s in report.skipped] == [("KKK", True)]
    stored = {r.key: r for (r,) in await rows(sessions, select(WorkItem))}
    assert stored["PAY-1"].title == "nulin title" and stored["PAY-1"].raw == {"x": "ab"}
    assert stored["PAY-3"].title.startswith("ünïcödé 🙂")
    assert len(stored["PAY-4"].body) == 1_000_000
    (run,) = await rows(sessions, select(SyncRun.skipped, SyncRun.error))
    assert run.skipped == 1 and "KKK" in run.error


async def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(sessions) -> None:
    items = [item(n) for n in range(1, 3)]
    await engine_with(sessions, FakeConnector(SOURCE, items)).sync(SOURCE)
    async with sessions() as session, session.begin():
        (source_id,) = (await session.execute(select(SyncRun.source_id))).one()
        session.add(SyncRun(source_id=source_id, status="running", started_at=T0))
    await engine_with(sessions, FakeConnector(SOURCE, items)).sync(SOURCE)
    statuses = [s for (s,) in await rows(sessions, select(SyncRun.status).order_by(SyncRun.id))]
    assert statuses == ["succeeded", "interrupted", "succeeded"]
