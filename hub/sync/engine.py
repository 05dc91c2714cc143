"""Runs the sync of one source: pages from its connector, stored page by page.

Each page is written in one transaction together with the cursor that follows it, so a sync
stopped at any point resumes from the last stored page and writes nothing twice. Every sync
leaves a SyncRun row: what was fetched, created, updated, skipped, the requests it cost, and
the error that stopped it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors import connector_for
from connectors.base import Connector, Skipped
from hub.config import SourceConfig
from hub.errors import HubError
from hub.storage.database import transaction
from hub.storage.models import Source, SyncCursor, SyncRun
from hub.sync.links import MentionCounts, resolve_mentions
from hub.sync.native import store_hub_config
from hub.sync.rules import HubRules
from hub.sync.store import PageCounts, Target, save_cursor, store_page
from hub.sync.upsert import upsert

log = logging.getLogger(__name__)

ConnectorFactory = Callable[..., Connector]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class SyncReport:
    source: str
    status: str = "running"
    full: bool = False
    counts: PageCounts = field(default_factory=PageCounts)
    pages: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    error: str | None = None
    seconds: float = 0.0
    mentions: MentionCounts | None = None

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"

    def summary(self) -> str:
        c = self.counts
        line = (
            f"{self.source}: {self.status} in {self.seconds:.1f}s — {c.fetched} fetched, "
            f"{c.created} created, {c.updated} updated, {c.unchanged} unchanged, "
            f"{len(self.skipped)} skipped; {self.requests} requests, {self.retries} retries"
        )
        if self.mentions is not None:
            line += (
                f"; cross-tool mentions: {self.mentions.dependencies} dependencies, "
                f"{self.mentions.links} links"
            )
        return f"{line}\n  error: {self.error}" if self.error else line


class SyncEngine:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        rules: HubRules | None = None,
        connector_factory: ConnectorFactory = connector_for,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.rules = rules or HubRules()
        self.connector_factory = connector_factory
        self.transport = transport
        self.clock = clock

    async def sync(self, source: SourceConfig, *, full: bool = False) -> SyncReport:
        """Sync one source. Tracker errors end the run as failed and are reported, not raised."""
        started = time.monotonic()
        fingerprint = self.rules.fingerprint(source)
        source_id, stored_fingerprint = await self._register(source)
        if stored_fingerprint is not None and stored_fingerprint != fingerprint:
            log.info("mapping rules of %s changed: syncing everything again", source.name)
            full = True
        report = SyncReport(source=source.name, full=full)
        target = Target(
            source_id, source.name, source.kind, self.rules, fingerprint, source.statuses
        )
        run_id = await self._start_run(source_id, full)
        connector = self.connector_factory(source, transport=self.transport)
        try:
            await connector.prepare()
            cursors = {} if full else await self._cursors(source_id)
            for stream in connector.streams():
                await self._sync_stream(connector, target, stream, cursors.get(stream), report)
            async with transaction(self.sessions) as session:
                report.mentions = await resolve_mentions(session, self.clock())
            await self._save_fingerprint(source_id, fingerprint)
            report.status = "succeeded"
        except HubError as exc:
            report.status, report.error = "failed", str(exc)
            log.warning("sync of %s failed: %s", source.name, exc)
        except BaseException as exc:
            report.status, report.error = "failed", f"internal error: {type(exc).__name__}"
            raise
        finally:
            report.requests, report.retries = connector.stats.requests, connector.stats.retries
            report.seconds = time.monotonic() - started
            await connector.aclose()
            await self._finish_run(run_id, report)
        return report

    async def _sync_stream(
        self,
        connector: Connector,
        target: Target,
        stream: str,
        cursor: str | None,
        report: SyncReport,
    ) -> None:
        async for page in connector.pages(stream, cursor):
            now = self.clock()
            async with transaction(self.sessions) as session:
                counts = await store_page(session, target, page.items, now)
                if page.cursor is not None:
                    await save_cursor(
                        session,
                        source_id=target.source_id,
                        stream=stream,
                        value=page.cursor,
                        now=now,
                    )
            report.counts.add(counts)
            report.skipped.extend(page.skipped)
            report.pages += 1

    async def _register(self, source: SourceConfig) -> tuple[int, str | None]:
        """The source's row id and the fingerprint of the rules its items were stored with."""
        async with transaction(self.sessions) as session:
            await store_hub_config(session, self.rules, self.clock())
            await upsert(
                session,
                Source,
                [
                    {
                        "name": source.name,
                        "kind": source.kind,
                        "base_url": source.base,
                        "created_at": self.clock(),
                    }
                ],
                key=["name"],
                update=["kind", "base_url"],
            )
            row = (
                await session.execute(
                    select(Source.id, Source.mapping_fingerprint).where(Source.name == source.name)
                )
            ).one()
        return row.id, row.mapping_fingerprint

    async def _save_fingerprint(self, source_id: int, fingerprint: str) -> None:
        async with transaction(self.sessions) as session:
            await session.execute(
                update(Source).where(Source.id == source_id).values(mapping_fingerprint=fingerprint)
            )

    async def _cursors(self, source_id: int) -> dict[str, str]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(SyncCursor.stream, SyncCursor.value).where(SyncCursor.source_id == source_id)
            )
            return {stream: value for stream, value in rows}

    async def _start_run(self, source_id: int, full: bool) -> int:
        async with transaction(self.sessions) as session:
            run = SyncRun(source_id=source_id, full=full, status="running", started_at=self.clock())
            session.add(run)
            await session.flush()
            return run.id

    async def _finish_run(self, run_id: int, report: SyncReport) -> None:
        c = report.counts
        async with transaction(self.sessions) as session:
            await session.execute(
                update(SyncRun)
                .where(SyncRun.id == run_id)
                .values(
                    status=report.status,
                    finished_at=self.clock(),
                    fetched=c.fetched,
                    created=c.created,
                    updated=c.updated,
                    unchanged=c.unchanged,
                    skipped=len(report.skipped),
                    requests=report.requests,
                    retries=report.retries,
                    error=_describe_skips(report) if report.error is None else report.error,
                )
            )


def _describe_skips(report: SyncReport, limit: int = 50) -> str | None:
    """Skipped items go on the run so that someone can fix them in the tracker."""
    if not report.skipped:
        return None
    lines = [f"{s.key}: {s.reason}" for s in report.skipped[:limit]]
    if len(report.skipped) > limit:
        lines.append(f"… and {len(report.skipped) - limit} more")
    return "skipped items:\n" + "\n".join(lines)
