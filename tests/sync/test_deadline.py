"""A tracker that drips its answer a byte at a time fails the sync at the request deadline,
with a message naming the tracker and the deadline, and frees the sync slot for the next
source (SQLite runs one sync at a time: a hung source used to stop every other one)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import connector_for
from connectors.base import Connector
from hub.contract.config import SourceConfig
from hub.contract.records import RunStatus
from hub.storage.models import Source, SyncRun
from hub.sync import SyncEngine
from hub.sync.scheduler import Scheduler
from simulators.dripping import dripping_tracker
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, FakeConnector, item

TOKEN = "drip-FAKE-0123456789abcdef"
HANG_GUARD = 30.0
"""Seconds before the test gives up on a sync that does not end (the old behaviour)."""


def dripping_source(base_url: str) -> SourceConfig:
    source = SourceConfig(
        name="dripping",
        kind="jira",
        base_url=base_url,
        projects=("PAY",),
        token_env="JIRA_TOKEN",
        request_deadline=timedelta(seconds=1),
    )
    return source.model_copy(update={"token": SecretStr(TOKEN)})


async def test_a_dripping_tracker_fails_at_the_deadline_and_frees_the_slot(
    sessions: async_sessionmaker[AsyncSession],
    stored: StoredRows,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore too: none of them shows the token
    async with dripping_tracker(every=0.2) as (url, tracker):
        dripping = dripping_source(url)
        other = SOURCE.model_copy(update={"name": "other"})

        def connectors(
            source: SourceConfig, transport: httpx.AsyncBaseTransport | None = None
        ) -> Connector:
            if source.name == dripping.name:
                return connector_for(source)
            return FakeConnector(source, [item(1), item(2)])

        engine = SyncEngine(sessions, connector_factory=connectors)
        scheduler = Scheduler(engine, [dripping, other], periodic=False, concurrency=1)
        stuck = asyncio.create_task(scheduler.run_now(dripping.name))
        await asyncio.wait_for(tracker.asked.wait(), HANG_GUARD)
        waiting = asyncio.create_task(scheduler.run_now(other.name))
        try:
            failed, synced = await asyncio.wait_for(asyncio.gather(stuck, waiting), HANG_GUARD)
        finally:
            await scheduler.stop()

    host = url.removeprefix("http://")
    assert failed.status is RunStatus.FAILED
    assert failed.error is not None
    assert failed.error.startswith(f"dripping: Jira at {host} did not answer within 1 s")
    assert tracker.requests == 1  # an answer past its deadline is not asked again
    assert synced.ok and synced.counts.created == 2
    runs = await stored.rows(
        select(Source.name, SyncRun.status, SyncRun.error)
        .join(Source, Source.id == SyncRun.source_id)
        .order_by(SyncRun.id)
    )
    assert [(name, status) for name, status, _ in runs] == [
        ("dripping", "failed"),
        ("other", "succeeded"),
    ]
    assert runs[0].error == failed.error
    assert "HTTP Request: GET" in caplog.text or "send_request_headers" in caplog.text
    assert TOKEN not in caplog.text
