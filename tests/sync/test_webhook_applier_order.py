"""Out of order: a sync that stores a page read before a webhook stored the item's newer
state leaves the newer one; deliveries applied in any order end in the tracker's state."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.webhooks import WebhookEvent
from hub.contract.records import ItemRecord
from hub.storage.models import WorkItem
from hub.sync.rules import HubRules
from hub.sync.webhooks import WebhookApplier, record_delivery
from tests.stored import StoredRows
from tests.sync.fakes import T0, EngineFor, FakeConnector, item
from tests.sync.webhook_fakes import HOOKED, TrackerConnector

NEWER = item(1, title="Renamed in the tracker", updated_at=T0 + timedelta(hours=2))
OLDER = item(1, title="As an earlier page had it", updated_at=T0 + timedelta(hours=1))


async def apply_webhook(
    sessions: async_sessionmaker[AsyncSession], engine_for: EngineFor, tracker_state: ItemRecord
) -> None:
    event = WebhookEvent("d-1", "issue.updated", ("1",))
    await record_delivery(sessions, HOOKED, HubRules(), event, T0)
    connector = TrackerConnector(HOOKED, {"1": tracker_state})
    await WebhookApplier(engine_for(connector), [HOOKED]).apply_due()


async def title(stored: StoredRows) -> str | None:
    return await stored.scalar(select(WorkItem.title).where(WorkItem.key == "PAY-1"))


async def test_a_sync_storing_an_older_state_after_a_webhook_leaves_the_newer(
    sessions, engine_for: EngineFor, stored: StoredRows
) -> None:
    await apply_webhook(sessions, engine_for, NEWER)

    report = await engine_for(FakeConnector(HOOKED, [OLDER, item(2)])).sync(HOOKED)

    assert report.ok, report.error
    assert await title(stored) == "Renamed in the tracker"
    assert (report.counts.created, report.counts.unchanged) == (1, 1)


async def test_a_state_as_old_as_the_stored_one_is_stored(
    sessions, engine_for: EngineFor, stored: StoredRows
) -> None:
    """New hub rules re-map items whose tracker time did not move."""
    await apply_webhook(sessions, engine_for, NEWER)

    remapped = replace(NEWER, title="Re-mapped, same time")
    await engine_for(FakeConnector(HOOKED, [remapped])).sync(HOOKED)

    assert await title(stored) == "Re-mapped, same time"


async def test_a_newer_state_replaces_an_older_one(
    sessions, engine_for: EngineFor, stored: StoredRows
) -> None:
    await engine_for(FakeConnector(HOOKED, [OLDER])).sync(HOOKED)

    await apply_webhook(sessions, engine_for, NEWER)

    assert await title(stored) == "Renamed in the tracker"
