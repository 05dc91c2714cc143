"""Transactions are stored while the next batches are fetched, yet one at a time and in order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.records import ItemRecord
from hub.storage.models import SyncCursor, WorkItem
from hub.sync import engine as engine_module
from hub.sync import store
from hub.sync.pipeline import InOrder
from hub.sync.store import StoreCounts, Target
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, EngineFor, FakeConnector, item


async def test_work_runs_one_at_a_time_in_order_behind_the_caller() -> None:
    log: list[str] = []

    async def work(name: str) -> None:
        log.append(f"{name} starts")
        await asyncio.sleep(0)
        log.append(f"{name} ends")

    stores = InOrder()
    await stores.submit(work("a"))
    log.append("caller goes on")
    await stores.submit(work("b"))
    await stores.drain()
    assert log == ["caller goes on", "a starts", "a ends", "b starts", "b ends"]


async def test_nothing_runs_after_a_failure() -> None:
    ran: list[str] = []

    async def fail() -> None:
        raise RuntimeError("disk full")

    async def work() -> None:
        ran.append("later")

    stores = InOrder()
    await stores.submit(fail())
    with pytest.raises(RuntimeError, match="disk full"):
        await stores.submit(work())
    with pytest.raises(RuntimeError, match="disk full"):
        await stores.drain()
    await asyncio.sleep(0)
    assert ran == []


async def test_abandoned_work_is_cancelled() -> None:
    started, finished = asyncio.Event(), []

    async def slow() -> None:
        started.set()
        await asyncio.sleep(60)
        finished.append(True)

    stores = InOrder()
    await stores.submit(slow())
    await started.wait()
    await stores.abandon()
    assert finished == []


async def test_after_a_failed_transaction_no_later_one_is_stored(
    engine_for: EngineFor, stored: StoredRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "ITEMS_PER_TRANSACTION", 2)
    calls = 0

    async def store_items(
        session: AsyncSession,
        target: Target,
        items: Sequence[ItemRecord],
        now: datetime,
        digests: Sequence[str] | None = None,
    ) -> StoreCounts:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the database went away")
        return await store.store_items(session, target, items, now, digests)

    monkeypatch.setattr(engine_module, "store_items", store_items)
    items = [item(n) for n in range(1, 9)]
    with pytest.raises(RuntimeError, match="went away"):
        await engine_for(FakeConnector(SOURCE, items)).sync(SOURCE)
    assert calls == 2
    assert await stored.count(WorkItem) == 2
    assert await stored.scalar(select(SyncCursor.value)) == "2"
