"""``webhookDeliveries`` and the freshness webhooks give each ``Source``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import HubConfig, SourceConfig
from hub.storage.models import Source, WebhookDelivery
from schema import get_context, schema
from schema.webhooks import MAX_ERROR_CHARS

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def store_sources(sessions: Sessions, *names: str) -> None:
    async with sessions() as session, session.begin():
        for source_id, name in enumerate(names, start=1):
            session.add(
                Source(
                    id=source_id, name=name, kind="jira", base_url=f"https://{name}", created_at=NOW
                )
            )


async def store_delivery(
    sessions: Sessions,
    source_id: int,
    delivery_id: str,
    *,
    minute: int,
    status: str = "applied",
    applied_minute: int | None = None,
    error: str | None = None,
    attempts: int = 1,
) -> None:
    applied = None if applied_minute is None else NOW + timedelta(minutes=applied_minute)
    async with sessions() as session, session.begin():
        session.add(
            WebhookDelivery(
                source_id=source_id,
                delivery_id=delivery_id,
                event="jira:issue_updated",
                received_at=NOW + timedelta(minutes=minute),
                status=status,
                refs=["10001"],
                deleted=[],
                attempts=attempts,
                next_attempt_at=NOW + timedelta(minutes=minute + 1)
                if status == "pending"
                else None,
                applied_at=applied,
                error=error,
            )
        )


async def run(sessions: Sessions, query: str, config: HubConfig | None = None) -> Any:
    context = get_context(sessions, config=config or HubConfig())
    return await schema.execute(query, context_value=context)


async def data(sessions: Sessions, query: str, config: HubConfig | None = None) -> Any:
    result = await run(sessions, query, config)
    assert result.errors is None, result.errors
    return result.data


async def test_deliveries_newest_first_of_all_or_of_one_source(sessions) -> None:
    await store_sources(sessions, "jira", "linear")
    await store_delivery(sessions, 1, "d-1", minute=1, applied_minute=1)
    await store_delivery(sessions, 2, "d-2", minute=2, status="ignored", attempts=0)
    await store_delivery(sessions, 1, "d-3", minute=3, status="pending", error="boom")

    everything = await data(sessions, "{ webhookDeliveries { deliveryId source } }")
    assert everything["webhookDeliveries"] == [
        {"deliveryId": "d-3", "source": "jira"},
        {"deliveryId": "d-2", "source": "linear"},
        {"deliveryId": "d-1", "source": "jira"},
    ]
    query = """{ webhookDeliveries(source: "jira", first: 1) {
      source event deliveryId receivedAt appliedAt status attempts nextAttemptAt error } }"""
    assert (await data(sessions, query))["webhookDeliveries"] == [
        {
            "source": "jira",
            "event": "jira:issue_updated",
            "deliveryId": "d-3",
            "receivedAt": "2026-03-01T12:03:00+00:00",
            "appliedAt": None,
            "status": "PENDING",
            "attempts": 1,
            "nextAttemptAt": "2026-03-01T12:04:00+00:00",
            "error": "boom",
        }
    ]
    linear = await data(sessions, '{ webhookDeliveries(source: "linear") { status } }')
    assert linear["webhookDeliveries"] == [{"status": "IGNORED"}]


async def test_a_configured_source_without_deliveries_has_none(sessions) -> None:
    config = HubConfig(
        sources=(
            SourceConfig(
                name="gh", kind="github", base_url="https://api.github.com", repos=("a/b",),
                token_env="GITHUB_TOKEN",
            ),
        )
    )  # fmt: skip
    found = await data(sessions, '{ webhookDeliveries(source: "gh") { deliveryId } }', config)
    assert found["webhookDeliveries"] == []


async def test_an_unknown_source_is_refused_with_the_known_ones(sessions) -> None:
    await store_sources(sessions, "jira")
    result = await run(sessions, '{ webhookDeliveries(source: "jirra") { deliveryId } }')
    assert result.errors is not None
    message = result.errors[0].message
    assert "jirra" in message and "jira" in message.replace("jirra", "")


async def test_first_is_bounded(sessions) -> None:
    for first in (0, 101):
        result = await run(sessions, f"{{ webhookDeliveries(first: {first}) {{ deliveryId }} }}")
        assert result.errors is not None
        assert "`first` must be between 1 and 100" in result.errors[0].message


async def test_a_long_error_is_cut_to_its_bound(sessions) -> None:
    await store_sources(sessions, "jira")
    await store_delivery(sessions, 1, "d-1", minute=1, status="failed", error="x" * 5000)
    (delivery,) = (await data(sessions, "{ webhookDeliveries { error } }"))["webhookDeliveries"]
    assert len(delivery["error"]) == MAX_ERROR_CHARS and delivery["error"].endswith("…")


SOURCES = "{ sources { name lastChangeAppliedAt pendingDeliveries } }"


async def test_a_source_tells_its_last_applied_change_and_its_pending_deliveries(
    sessions,
) -> None:
    await store_sources(sessions, "jira", "linear")
    await store_delivery(sessions, 1, "d-1", minute=1, applied_minute=9)
    await store_delivery(sessions, 1, "d-2", minute=5, applied_minute=6)
    await store_delivery(sessions, 1, "d-3", minute=7, status="pending")
    await store_delivery(sessions, 1, "d-4", minute=8, status="pending")
    await store_delivery(sessions, 1, "d-5", minute=9, status="failed")
    await store_delivery(sessions, 2, "d-6", minute=2, status="ignored")

    assert (await data(sessions, SOURCES))["sources"] == [
        {"name": "jira", "lastChangeAppliedAt": "2026-03-01T12:09:00+00:00",
         "pendingDeliveries": 2},
        {"name": "linear", "lastChangeAppliedAt": None, "pendingDeliveries": 0},
    ]  # fmt: skip


async def test_sources_cost_one_statement_for_their_deliveries_however_many(
    sessions, count_statements
) -> None:
    names = [f"s{n}" for n in range(1, 7)]
    await store_sources(sessions, *names)
    for source_id in range(1, 7):
        await store_delivery(sessions, source_id, f"d-{source_id}", minute=1, applied_minute=2)
    with count_statements() as counter:
        found = await data(sessions, SOURCES)
    assert len(found["sources"]) == 6
    assert all(s["lastChangeAppliedAt"] for s in found["sources"])
    assert counter.count == 2  # the sources, then every source's delivery figures at once
