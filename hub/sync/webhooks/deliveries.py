"""The ``webhook_deliveries`` table as a queue: a delivery recorded before it is answered,
claimed by an applier, then finished (applied, retried later, or failed).

A claim is a lease: it counts an attempt and pushes ``next_attempt_at`` past the time the
work may take, in one statement, so a second applier (another replica) skips the delivery,
and a delivery whose applier died (SIGKILL, a crash) becomes due again when the lease ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.webhooks import WebhookEvent
from hub.contract.config import SourceConfig
from hub.storage.database import transaction
from hub.storage.models import Source, WebhookDelivery
from hub.sync import runs
from hub.sync.rules import HubRules

Sessions = async_sessionmaker[AsyncSession]

PENDING, APPLIED, FAILED, IGNORED = "pending", "applied", "failed", "ignored"
"""A delivery's ``status``: waiting (or being applied), done, out of attempts, nothing to do."""
KEPT_FOR = timedelta(days=7)
"""How long a finished delivery stays: long past the trackers' last redelivery (Linear's
comes 6 h after the first, Jira retries for about 30 min), so a redelivery is still known
and ignored, while the table does not grow with every delivery ever received."""


async def record_delivery(
    sessions: Sessions,
    source: SourceConfig,
    rules: HubRules,
    event: WebhookEvent,
    now: datetime,
    source_id: int | None = None,
) -> int | None:
    """Record a verified delivery in a transaction of its own; the source's row id, or None
    when the source already has a delivery with its id (a redelivery), left as it was.

    ``source_id`` is the source's row id where the caller knows it. A source never synced has
    no row yet: it is registered as a sync would register it.
    """
    if source_id is None:
        source_id = await _source_id(sessions, source, rules, now)
    row = {
        "source_id": source_id,
        "delivery_id": event.delivery_id,
        "event": event.event,
        "received_at": now,
        "status": IGNORED if event.ignored else PENDING,
        "refs": list(event.refs),
        "deleted": list(event.deleted),
        "attempts": 0,
    }
    async with transaction(sessions) as session:
        insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
        statement = (
            insert(WebhookDelivery)
            .values(row)
            .on_conflict_do_nothing(index_elements=["source_id", "delivery_id"])
        )
        result = await session.execute(statement)
    return source_id if cast(CursorResult[Any], result).rowcount else None


async def _source_id(
    sessions: Sessions, source: SourceConfig, rules: HubRules, now: datetime
) -> int:
    async with sessions() as session:
        source_id = await session.scalar(select(Source.id).where(Source.name == source.name))
    if source_id is not None:
        return source_id
    return (await runs.register(sessions, source, rules, now)).source_id


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery an applier holds until its lease ends."""

    id: int
    source_id: int
    refs: tuple[str, ...]
    deleted: tuple[str, ...]
    attempts: int
    """Attempts so far, this one included."""
    received_at: datetime


async def claim_due(
    sessions: Sessions, now: datetime, *, lease: timedelta, limit: int
) -> list[Claimed]:
    """Take up to ``limit`` pending deliveries that are due, oldest first, for ``lease``."""
    async with transaction(sessions) as session:
        due = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == PENDING,
                or_(
                    WebhookDelivery.next_attempt_at.is_(None),
                    WebhookDelivery.next_attempt_at <= now,
                ),
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(due.scalar_subquery()))
            .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=now + lease)
            .returning(
                WebhookDelivery.id,
                WebhookDelivery.source_id,
                WebhookDelivery.refs,
                WebhookDelivery.deleted,
                WebhookDelivery.attempts,
                WebhookDelivery.received_at,
            )
            .execution_options(synchronize_session=False)
        )
        claimed = [
            Claimed(
                row.id,
                row.source_id,
                tuple(row.refs),
                tuple(row.deleted),
                row.attempts,
                row.received_at,
            )
            for row in rows
        ]
    return sorted(claimed, key=lambda delivery: delivery.id)


async def source_names(sessions: Sessions, source_ids: Sequence[int]) -> dict[int, str]:
    async with sessions() as session:
        rows = await session.execute(
            select(Source.id, Source.name).where(Source.id.in_(sorted(set(source_ids))))
        )
        return {source_id: name for source_id, name in rows}


async def mark_applied(
    session: AsyncSession, ids: Sequence[int], now: datetime, note: str | None = None
) -> None:
    """Applied, in the transaction that stored what the deliveries asked for; ``note`` says
    what was skipped, if anything was."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .values(status=APPLIED, applied_at=now, next_attempt_at=None, error=note)
    )


async def mark_failed(
    sessions: Sessions,
    deliveries: Sequence[Claimed],
    error: str,
    now: datetime,
    *,
    max_attempts: int,
    retry_after: timedelta,
) -> None:
    """Due again after a wait growing fourfold with each attempt (``retry_after`` after the
    first), or failed for good after ``max_attempts``; ``error`` is already redacted."""
    by_attempts: dict[int, list[int]] = defaultdict(list)
    for delivery in deliveries:
        by_attempts[delivery.attempts].append(delivery.id)
    async with transaction(sessions) as session:
        for attempts, ids in sorted(by_attempts.items()):
            done = attempts >= max_attempts
            values: dict[str, object] = {
                "status": FAILED if done else PENDING,
                "next_attempt_at": None if done else now + retry_after * 4 ** (attempts - 1),
                "error": error,
            }
            await session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(**values)
            )


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def prune_finished(sessions: Sessions, before: datetime) -> int:
    """Delete the deliveries received before ``before`` that are finished (applied, ignored
    or failed); pending ones stay whatever their age. How many went."""
    async with transaction(sessions) as session:
        result = await session.execute(
            delete(WebhookDelivery).where(
                WebhookDelivery.received_at < before,
                WebhookDelivery.status.in_((APPLIED, IGNORED, FAILED)),
            )
        )
    return cast(CursorResult[Any], result).rowcount or 0
