"""Runs the sync of one source: batches from its connector, stored in order.

Batches are written in transactions together with the cursor that follows them, so a sync
stopped at any point — an error, a crash, a kill — resumes from the last stored cursor and
writes nothing twice. Only one sync of a source runs at a time (``hub.sync.lock``). A full
sync, or a census of ids where the tracker offers one, reconciles deletions
(``hub.sync.tombstones``). Every sync leaves a SyncRun row with its counts, the requests it
cost and the error that stopped it, and is counted in the metrics (``hub.sync.metrics``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors import connector_for
from connectors.base import Batch, Connector, Skipped
from hub.contract.config import SourceConfig
from hub.contract.errors import HubError, SyncInProgress
from hub.contract.records import ItemRecord, RunStatus, hub_id
from hub.storage.database import transaction
from hub.storage.statistics import CHANGED_ROWS, refresh_statistics
from hub.sync import runs
from hub.sync.assignments import apply_assignments
from hub.sync.heap import freeze_long_lived_objects
from hub.sync.links import resolve_mentions
from hub.sync.lock import source_lock
from hub.sync.metrics import HUB_METRICS, HubMetrics
from hub.sync.native import resolve_initiative_parents
from hub.sync.pipeline import InOrder
from hub.sync.report import SyncReport
from hub.sync.rules import HubRules
from hub.sync.screen import screen
from hub.sync.store import Target, content_hash, save_cursor, store_items
from hub.sync.tombstones import mark_seen, sweep

log = logging.getLogger(__name__)

ConnectorFactory = Callable[..., Connector]
ITEMS_PER_TRANSACTION = 1000
"""Items stored per transaction at least; a connector's batches are gathered until they reach it."""
Progress = Callable[[SyncReport], None]
INTERRUPTED = "stopped before it finished (the hub was shut down); the next sync resumes here"


def utcnow() -> datetime:
    return datetime.now(UTC)


class SyncEngine:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        rules: HubRules | None = None,
        connector_factory: ConnectorFactory = connector_for,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
        wait_for_lock: bool = False,
        metrics: HubMetrics = HUB_METRICS,
    ) -> None:
        self.sessions = sessions
        self.rules = rules or HubRules()
        self.connector_factory = connector_factory
        self.transport = transport
        self.clock = clock
        self.wait_for_lock = wait_for_lock
        self.metrics = metrics

    @property
    def database(self) -> AsyncEngine:
        bind = self.sessions.kw["bind"]
        assert isinstance(bind, AsyncEngine)
        return bind

    async def sync(
        self, source: SourceConfig, *, full: bool = False, progress: Progress | None = None
    ) -> SyncReport:
        """Sync one source. Tracker errors and a busy source end the run and are reported."""
        freeze_long_lived_objects()
        try:
            async with source_lock(self.database, source.name, wait=self.wait_for_lock):
                return await self._sync(source, full, progress or (lambda _report: None))
        except SyncInProgress as exc:
            return SyncReport(source=source.name, status=RunStatus.BUSY, error=str(exc))

    async def _sync(self, source: SourceConfig, full: bool, progress: Progress) -> SyncReport:
        started = time.monotonic()
        fingerprint = self.rules.fingerprint(source)
        registered = await runs.register(self.sessions, source, self.rules, self.clock())
        source_id, reconciled = registered.source_id, registered.reconciled_at
        if registered.fingerprint is not None and registered.fingerprint != fingerprint:
            log.info("mapping rules of %s changed: syncing everything again", source.name)
            full = True
        stored = await runs.cursors(self.sessions, source_id)
        connector = self.connector_factory(source, transport=self.transport)
        # The first sync lists everything and has nothing to tombstone; it starts the clock.
        due = reconciled is not None and self.clock() - reconciled >= source.reconcile_every
        census = due and not full and connector.has_census
        full = full or (due and not census)
        report = SyncReport(source=source.name, full=full, stats=connector.stats)
        run_started = self.clock()
        target = Target(
            source_id, source.name, source.kind, self.rules, fingerprint, source.statuses
        )
        run_id = await runs.start_run(self.sessions, source_id, full, self.clock())
        try:
            await connector.prepare()
            for stream in connector.streams():
                report.stream = stream
                cursor = None if full else stored.get(stream)
                await self._sync_stream(connector, target, stream, cursor, run_id, report, progress)
            if full or census:
                await self._reconcile(connector, census, target, run_id, run_started, report)
            elif reconciled is None:
                async with transaction(self.sessions) as session:
                    await runs.save_reconciled(session, source_id, self.clock())
            async with transaction(self.sessions) as session:
                report.mentions = await resolve_mentions(session, self.clock())
                await resolve_initiative_parents(session)  # config parents synced just now
            await runs.save_fingerprint(self.sessions, source_id, fingerprint)
            report.status = RunStatus.SUCCEEDED
        except HubError as exc:
            # Connectors redact what they build from answers; this catches whatever slipped by.
            report.status, report.error = RunStatus.FAILED, connector.redactor(str(exc))
            log.warning("sync of %s failed: %s", source.name, report.error)
        except asyncio.CancelledError:
            report.status, report.error = RunStatus.INTERRUPTED, INTERRUPTED
            log.warning("sync of %s stopped: %s", source.name, INTERRUPTED)
            raise
        except BaseException as exc:
            report.status, report.error = RunStatus.FAILED, f"internal error: {type(exc).__name__}"
            raise
        finally:
            _take_stats(connector, report)
            report.seconds = time.monotonic() - started
            await connector.aclose()
            self.metrics.sync_finished(report)
            await runs.finish_run(self.sessions, run_id, report, self.clock())
        changed = report.counts.created + report.counts.updated + report.deleted
        if changed >= CHANGED_ROWS:
            await refresh_statistics(self.database)
        return report

    async def _sync_stream(
        self,
        connector: Connector,
        target: Target,
        stream: str,
        cursor: str | None,
        run_id: int,
        report: SyncReport,
        progress: Progress,
    ) -> None:
        """Batches are gathered until they hold ``ITEMS_PER_TRANSACTION`` items, then stored in
        one transaction with the cursor of the last: fewer, larger statements cost far less
        per item, and a transaction is as safe to cut short as a single batch.

        While one transaction is stored the next batches are fetched, so that the tracker's
        latency and the database's work overlap; transactions still run one at a time, in order."""
        stores = InOrder()
        gathered: list[Arrived] = []
        size = 0

        def store(batches: list[Arrived]) -> Coroutine[Any, Any, None]:
            return self._store(batches, target, stream, run_id, report, connector, progress)

        try:
            async for batch in connector.batches(stream, cursor):
                gathered.append(Arrived.of(batch, target))
                size += len(batch.items)
                report.batches += 1
                if size >= ITEMS_PER_TRANSACTION:
                    await stores.submit(store(gathered))
                    gathered, size = [], 0
            if gathered:
                await stores.submit(store(gathered))
        except HubError:
            # Batches read before a tracker error are good: keep them, so a resume starts after.
            if gathered:
                await stores.submit(store(gathered))
            await stores.drain()
            raise
        except BaseException:
            await stores.abandon()
            raise
        await stores.drain()

    async def _store(
        self,
        batches: list[Arrived],
        target: Target,
        stream: str,
        run_id: int,
        report: SyncReport,
        connector: Connector,
        progress: Progress,
    ) -> None:
        items = [item for batch in batches for item in batch.items]
        digests = [digest for batch in batches for digest in batch.digests]
        cursor = next((b.batch.cursor for b in reversed(batches) if b.batch.cursor), None)
        now = self.clock()
        async with transaction(self.sessions) as session:
            counts = await store_items(session, target, items, now, digests)
            if counts.created or counts.updated:  # unchanged items kept their parent
                await apply_assignments(
                    session, [hub_id(target.source_name, i.external_id) for i in items]
                )
            if report.full:
                await mark_seen(
                    session,
                    source_name=target.source_name,
                    external_ids=[i.external_id for b in batches for i in b.batch.items],
                    run_id=run_id,
                )
            if cursor is not None:
                await save_cursor(
                    session, source_id=target.source_id, stream=stream, value=cursor, now=now
                )
        report.counts.add(counts)
        report.skip([s for b in batches for s in (*b.batch.skipped, *b.refused)])
        _take_stats(connector, report)
        progress(report)
        await runs.record_progress(self.sessions, run_id, report)

    async def _reconcile(
        self,
        connector: Connector,
        census: bool,
        target: Target,
        run_id: int,
        run_started: datetime,
        report: SyncReport,
    ) -> None:
        """Stamp what a census lists (a full sync stamped as it went), then tombstone the rest."""
        if census:
            async for ids in connector.census():
                async with transaction(self.sessions) as session:
                    await mark_seen(
                        session,
                        source_name=target.source_name,
                        external_ids=ids,
                        run_id=run_id,
                        restore=True,
                    )
        async with transaction(self.sessions) as session:
            report.deleted = await sweep(
                session, source_id=target.source_id, run_id=run_id, stored_before=run_started
            )
            await runs.save_reconciled(session, target.source_id, self.clock())


@dataclass(frozen=True, slots=True)
class Arrived:
    """A batch as it arrived, screened and hashed at once: its records were just built and are
    still in the CPU cache, so hashing them now costs less than in the transaction later."""

    batch: Batch
    items: list[ItemRecord]
    """The batch's items that can be stored, cleaned (``screen``)."""
    refused: list[Skipped]
    digests: list[str]
    """``content_hash`` of each of ``items``."""

    @classmethod
    def of(cls, batch: Batch, target: Target) -> Arrived:
        items, refused = screen(batch.items)
        return cls(batch, items, refused, [content_hash(i, target.fingerprint) for i in items])


def _take_stats(connector: Connector, report: SyncReport) -> None:
    stats = connector.stats
    report.requests, report.retries = stats.requests, stats.retries
    report.stats = stats
