"""Test doubles for the sync engine: records, the Jira source the engine tests sync, and a
connector that serves batches from memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TypedDict, Unpack

import httpx
from pydantic import SecretStr

from connectors.base import Batch, Connector, Skipped
from connectors.http.stats import RequestStats
from hub.contract.config import SourceConfig
from hub.contract.errors import TrackerAuthError
from hub.contract.records import (
    DateSource,
    HealthUpdate,
    ItemRecord,
    Level,
    MilestoneRecord,
    PersonRecord,
    StatusCategory,
)
from hub.sync import SyncEngine
from hub.sync.rules import HubRules

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SOURCE = SourceConfig(
    name="jira",
    kind="jira",
    base_url="https://jira.example",
    projects=("PAY",),
    token_env="JIRA_TOKEN",
    email_env="JIRA_EMAIL",
).model_copy(update={"token": SecretStr("secret-token"), "email": SecretStr("a@b.c")})


class ItemChanges(TypedDict, total=False):
    """Any fields of an ``ItemRecord``, with their types."""

    external_id: str
    key: str
    url: str
    title: str
    level: Level
    status_name: str
    status_category: StatusCategory
    created_at: datetime
    updated_at: datetime
    body: str
    parent_external_id: str | None
    start_date: date | None
    target_date: date | None
    completed_at: datetime | None
    assignee: PersonRecord | None
    labels: tuple[str, ...]
    estimate: float | None
    components: tuple[str, ...]
    blocks: tuple[str, ...]
    blocked_by: tuple[str, ...]
    deleted: bool
    start_date_source: DateSource | None
    start_date_field: str | None
    target_date_source: DateSource | None
    target_date_field: str | None
    declared_health: HealthUpdate | None
    milestones: tuple[MilestoneRecord, ...]
    raw: bytes


def item(n: int, **changes: Unpack[ItemChanges]) -> ItemRecord:
    """Item ``PAY-<n>``, updated ``n`` minutes after ``T0``, with ``changes``."""
    record = ItemRecord(
        external_id=str(n),
        key=f"PAY-{n}",
        url=f"https://jira.example/browse/PAY-{n}",
        title=f"Item {n}",
        level=Level.ISSUE,
        status_name="To Do",
        status_category=StatusCategory.TODO,
        created_at=T0,
        updated_at=T0 + timedelta(minutes=n),
    )
    return replace(record, **changes)


class FakeConnector(Connector):
    """Serves ``items`` in batches of ``batch_size`` ordered by update time; cursor = minutes."""

    kind = "jira"

    def __init__(
        self,
        source: SourceConfig,
        items: Sequence[ItemRecord],
        *,
        batch_size: int = 2,
        fail_after_batches: int | None = None,
        failure: Exception | None = None,
        skipped: Sequence[Skipped] = (),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(source)
        self.items = sorted(items, key=lambda i: i.updated_at)
        self.batch_size = batch_size
        self.fail_after_batches = fail_after_batches
        self.failure = failure or TrackerAuthError("jira: the tracker answered 401")
        self.skipped = skipped
        self.cursors_seen: list[str | None] = []
        self._stats = RequestStats()
        self.closed = False

    def streams(self) -> Sequence[str]:
        return ["issues"]

    async def batches(self, stream: str, cursor: str | None) -> AsyncIterator[Batch]:
        self.cursors_seen.append(cursor)
        since = T0 + timedelta(minutes=int(cursor)) if cursor else None
        todo = [i for i in self.items if since is None or i.updated_at >= since]
        for number, start in enumerate(range(0, max(len(todo), 1), self.batch_size)):
            self._stats.requests += 1
            if self.fail_after_batches is not None and number >= self.fail_after_batches:
                raise self.failure
            chunk = todo[start : start + self.batch_size]
            last = max((i.updated_at for i in chunk), default=since)
            minutes = None if last is None else str(int((last - T0).total_seconds() // 60))
            yield Batch(items=chunk, cursor=minutes, skipped=self.skipped if number == 0 else ())

    @property
    def stats(self) -> RequestStats:
        return self._stats

    async def aclose(self) -> None:
        self.closed = True


class EngineFor(Protocol):
    """The ``engine_for`` fixture: an engine on the test database whose syncs all use
    ``connector``, whatever source they are given."""

    def __call__(
        self,
        connector: Connector,
        *,
        rules: HubRules | None = None,
        clock: Callable[[], datetime] | None = None,
        wait_for_lock: bool = False,
    ) -> SyncEngine: ...
