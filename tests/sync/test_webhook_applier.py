"""The webhook applier: due deliveries coalesced per source, the items re-read and stored as a
sync stores them, gone ones tombstoned, failures retried with backoff then failed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import Skipped
from connectors.webhooks import WebhookEvent
from hub.contract.config import SourceConfig
from hub.contract.records import ItemRecord, Provenance
from hub.storage.models import Dependency, PendingRebuild, WebhookDelivery, WorkItem
from hub.sync.rules import HubRules
from hub.sync.webhooks import WebhookApplier, record_delivery
from hub.sync.webhooks.deliveries import KEPT_FOR, claim_due
from tests.stored import StoredRows
from tests.sync.fakes import T0, EngineFor, FakeConnector, item
from tests.sync.webhook_fakes import HOOKED, TrackerConnector, failing_with_token

NOW = T0 + timedelta(days=1)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def receive(
    sessions: async_sessionmaker[AsyncSession],
    delivery_id: str,
    refs: tuple[str, ...] = (),
    deleted: tuple[str, ...] = (),
    source: SourceConfig = HOOKED,
    at: datetime = NOW,
) -> None:
    event = WebhookEvent(delivery_id, "issue.updated", refs, deleted)
    assert await record_delivery(sessions, source, HubRules(), event, at)


def applier_of(
    engine_for: EngineFor, connector: FakeConnector, clock: Clock, **options: Any
) -> WebhookApplier:
    return WebhookApplier(engine_for(connector, clock=clock), [HOOKED], **options)


async def statuses(stored: StoredRows) -> dict[str, tuple[str, int]]:
    rows = await stored.rows(
        select(WebhookDelivery.delivery_id, WebhookDelivery.status, WebhookDelivery.attempts)
    )
    return {d: (s, a) for d, s, a in rows}


async def titles(stored: StoredRows) -> dict[str, str]:
    rows = await stored.rows(
        select(WorkItem.key, WorkItem.title).where(WorkItem.deleted.is_(False))
    )
    return {key: title for key, title in rows}


async def test_deliveries_about_one_item_cost_one_read_and_store_its_current_state(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    tracker = {"1": item(1, title="Current"), "2": item(2, parent_external_id="1")}
    connector = TrackerConnector(HOOKED, tracker)
    for number, refs in enumerate([("1",), ("1", "2"), ("1",)]):
        await receive(sessions, f"d-{number}", refs)

    assert await applier_of(engine_for, connector, clock).apply_due() == 3

    assert connector.fetched == [["1", "2"]]
    assert await titles(stored) == {"PAY-1": "Current", "PAY-2": "Item 2"}
    child = await stored.scalar(select(WorkItem.parent_id).where(WorkItem.key == "PAY-2"))
    assert child == "jira:1"
    assert await statuses(stored) == {f"d-{n}": ("applied", 1) for n in range(3)}
    applied = await stored.rows(select(WebhookDelivery.applied_at).distinct())
    assert [at for (at,) in applied] == [NOW]


async def test_an_item_the_tracker_no_longer_has_is_tombstoned(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    await engine_for(FakeConnector(HOOKED, [item(1), item(2)])).sync(HOOKED)
    connector = TrackerConnector(HOOKED, {"2": item(2, title="Still here")})
    await receive(sessions, "d-1", deleted=("1",))
    await receive(sessions, "d-2", deleted=("2",))  # the tracker says so, but still has it

    await applier_of(engine_for, connector, clock).apply_due()

    assert await titles(stored) == {"PAY-2": "Still here"}
    assert await stored.scalar(select(WorkItem.deleted).where(WorkItem.key == "PAY-1"))


async def test_an_item_gone_by_its_key_is_tombstoned(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    await engine_for(FakeConnector(HOOKED, [item(1)])).sync(HOOKED)
    await receive(sessions, "d-1", deleted=("PAY-1",))

    await applier_of(engine_for, TrackerConnector(HOOKED, {}), clock).apply_due()

    assert await titles(stored) == {}


async def test_tracker_links_and_mentions_are_recomputed(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    other = HOOKED.model_copy(update={"name": "other"})
    await engine_for(FakeConnector(other, [item(7, key="ENG-7")])).sync(other)
    tracker = {
        "1": item(1, blocks=("2",), body="Blocked by ENG-7"),
        "2": item(2),
    }
    await receive(sessions, "d-1", ("1", "2"))

    await applier_of(engine_for, TrackerConnector(HOOKED, tracker), clock).apply_due()

    edges = await stored.rows(
        select(Dependency.blocker_id, Dependency.blocked_id, Dependency.provenance)
    )
    assert sorted(edges) == [
        ("jira:1", "jira:2", Provenance.TRACKER),
        ("other:7", "jira:1", Provenance.MENTION),
    ]


async def test_a_failure_is_retried_with_growing_waits_then_failed_redacted(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    connector = TrackerConnector(HOOKED, {}, failure=failing_with_token(HOOKED))
    applier = applier_of(
        engine_for, connector, clock, max_attempts=3, retry_after=timedelta(seconds=10)
    )
    await receive(sessions, "d-1", ("1",))

    waits = []
    for _attempt in range(3):
        assert await applier.apply_due() == 1
        due = await stored.scalar(select(WebhookDelivery.next_attempt_at))
        if due is not None:
            waits.append((due - clock.now).total_seconds())
            assert await applier.apply_due() == 0  # not due yet
            clock.now = due

    [row] = await stored.all(WebhookDelivery)
    assert waits == [10, 40]
    assert (row.status, row.attempts, row.applied_at) == ("failed", 3, None)
    assert row.error is not None and "jira answered 500" in row.error
    assert "secret-token" not in row.error
    assert len(connector.fetched) == 3


async def test_a_connector_that_raises_a_bug_fails_the_attempt_not_the_applier(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    connector = TrackerConnector(HOOKED, {}, failure=KeyError("x"))
    await receive(sessions, "d-1", ("1",))

    await applier_of(engine_for, connector, clock).apply_due()

    [row] = await stored.all(WebhookDelivery)
    assert (row.status, row.attempts, row.error) == ("pending", 1, "internal error: KeyError")


async def test_a_source_no_longer_configured_fails_at_once(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    gone = HOOKED.model_copy(update={"name": "removed"})
    await receive(sessions, "d-1", ("1",), source=gone)

    await applier_of(engine_for, TrackerConnector(HOOKED, {}), clock).apply_due()

    [row] = await stored.all(WebhookDelivery)
    assert (row.status, row.error) == ("failed", "source 'removed' is no longer configured")


async def test_skipped_items_are_noted_on_an_applied_delivery(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    tracker = {"1": item(1), "2": item(2, key="")}
    connector = TrackerConnector(HOOKED, tracker, skipped=[Skipped("PAY-3", "no summary")])
    await receive(sessions, "d-1", ("1", "2", "3"))

    await applier_of(engine_for, connector, clock).apply_due()

    [row] = await stored.all(WebhookDelivery)
    assert row.status == "applied"
    assert row.error is not None
    assert "PAY-3: no summary" in row.error and "key is empty" in row.error
    assert await titles(stored) == {"PAY-1": "Item 1"}


async def test_a_claimed_delivery_waits_for_its_lease_before_another_applier_takes_it(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    await receive(sessions, "d-1", ("1",))
    lease = timedelta(minutes=10)
    [claimed] = await claim_due(sessions, NOW, lease=lease, limit=10)  # then the applier died
    assert claimed.attempts == 1
    applier = applier_of(engine_for, TrackerConnector(HOOKED, {"1": item(1)}), clock, lease=lease)

    assert await applier.apply_due() == 0
    clock.now = NOW + lease
    assert await applier.apply_due() == 1
    assert await statuses(stored) == {"d-1": ("applied", 2)}


async def test_a_running_applier_applies_what_was_left_and_what_it_is_woken_for(
    sessions, engine_for: EngineFor, stored: StoredRows
) -> None:
    tracker: dict[str, ItemRecord] = {"1": item(1), "2": item(2)}
    # on the real clock, as this applier runs: a delivery older than a week would be pruned
    await receive(sessions, "left-by-a-crash", ("1",), at=datetime.now(UTC))
    applier = WebhookApplier(
        engine_for(TrackerConnector(HOOKED, tracker)), [HOOKED], poll_seconds=3600
    )

    async with applier.lifespan():
        await wait_for(lambda: stored.count(WorkItem, WorkItem.key == "PAY-1"))
        await receive(sessions, "new", ("2",), at=datetime.now(UTC))
        applier.wake()
        await wait_for(lambda: stored.count(WorkItem, WorkItem.key == "PAY-2"))

    assert await statuses(stored) == {"left-by-a-crash": ("applied", 1), "new": ("applied", 1)}


async def wait_for(count: Callable[[], Awaitable[int]]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if await count():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the applier did not apply the delivery")


async def test_a_delivery_for_a_source_whose_secret_is_unset_fails_naming_the_variable(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    unset = HOOKED.model_copy(
        update={"token_env": "TEST_UNSET_TOKEN", "token": HOOKED.token.__class__("")}
    )
    await receive(sessions, "d-1", ("1",))
    applier = WebhookApplier(engine_for(TrackerConnector(HOOKED, {}), clock=clock), [unset])

    await applier.apply_due()

    [row] = await stored.all(WebhookDelivery)
    assert row.status == "pending"
    assert row.error is not None and "TEST_UNSET_TOKEN" in row.error


async def test_a_running_applier_resolves_mentions_at_most_every_few_seconds(
    sessions, engine_for: EngineFor, stored: StoredRows
) -> None:
    other = HOOKED.model_copy(update={"name": "other"})
    await engine_for(FakeConnector(other, [item(7, key="ENG-7")])).sync(other)
    tracker = {"1": item(1), "2": item(2, body="Blocked by ENG-7")}
    applier = WebhookApplier(
        engine_for(TrackerConnector(HOOKED, tracker)),
        [HOOKED],
        poll_seconds=3600,
        resolve_every=2.0,  # the first pass resolves; the second waits for the interval
    )

    async with applier.lifespan():
        await receive(sessions, "d-1", ("1",))
        applier.wake()
        await wait_for(lambda: stored.count(WorkItem, WorkItem.key == "PAY-1"))
        await receive(sessions, "d-2", ("2",))
        applier.wake()
        await wait_for(lambda: stored.count(WorkItem, WorkItem.key == "PAY-2"))
        mentioned = Dependency.provenance == Provenance.MENTION
        assert await stored.count(Dependency, mentioned) == 0
        await wait_for(lambda: stored.count(Dependency, mentioned))


@pytest.mark.parametrize(
    ("now_in_the_tracker", "owed_on_sqlite"),
    [
        (item(1, title="Renamed", body="Blocked by ENG-7"), False),
        (item(1, body="Blocked by ENG-8"), True),
        (item(1, key="PAY-100", body="Blocked by ENG-7"), True),
        (item(1, body="Blocked by ENG-7", deleted=True), True),
    ],
    ids=["title only", "another mention", "another key", "deleted"],
)
async def test_on_sqlite_a_pass_owes_a_rebuild_of_mentions_only_if_it_changed_their_inputs(
    sessions,
    engine_for: EngineFor,
    stored: StoredRows,
    clock: Clock,
    engine,
    now_in_the_tracker: ItemRecord,
    owed_on_sqlite: bool,
) -> None:
    await engine_for(FakeConnector(HOOKED, [item(1, body="Blocked by ENG-7")])).sync(HOOKED)
    assert await stored.count(PendingRebuild) == 0
    await receive(sessions, "d-1", ("1",))
    connector = TrackerConnector(HOOKED, {"1": now_in_the_tracker})

    await applier_of(engine_for, connector, clock).apply_due(resolve=False)

    sqlite = engine.dialect.name == "sqlite"
    assert await stored.count(PendingRebuild) == (1 if owed_on_sqlite or not sqlite else 0)


async def test_a_pass_that_tombstones_owes_a_rebuild_of_mentions(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    await engine_for(FakeConnector(HOOKED, [item(1), item(2)])).sync(HOOKED)
    await receive(sessions, "d-1", ("1",), deleted=("2",))

    await applier_of(engine_for, TrackerConnector(HOOKED, {"1": item(1)}), clock).apply_due(
        resolve=False
    )

    assert await stored.count(PendingRebuild) == 1


async def test_finished_deliveries_are_deleted_once_past_their_week_pending_ones_stay(
    sessions, engine_for: EngineFor, stored: StoredRows, clock: Clock
) -> None:
    """The table would otherwise keep every delivery ever received; a week is long past the
    trackers' last redelivery, which is still recognised until then."""
    for delivery in ("applied", "ignored"):
        await receive(sessions, delivery, ("1",) if delivery == "applied" else ())
    applier = applier_of(engine_for, TrackerConnector(HOOKED, {"1": item(1)}), clock)
    assert await applier.apply_due() == 1
    await receive(sessions, "pending", ("1",))  # not applied yet, as if its tracker were down

    clock.now = NOW + KEPT_FOR
    assert await applier.prune() == 0  # a week old exactly: kept
    assert not await record_delivery(
        sessions, HOOKED, HubRules(), WebhookEvent("applied", "issue.updated", ("1",)), NOW
    )  # a redelivery is still known
    clock.now = NOW + KEPT_FOR + timedelta(seconds=1)
    assert await applier.prune() == 2
    assert await statuses(stored) == {"pending": ("pending", 0)}
