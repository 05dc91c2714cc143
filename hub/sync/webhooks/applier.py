"""Applies recorded webhook deliveries after they were answered: the items they name are read
again from the tracker and stored through the same path as a sync.

Each pass claims the due deliveries, gathers them per source (a burst of events about one
item costs one read of it), asks the source's connector for the items' current state
(``Connector.fetch_items``), and stores that state as a sync stores a batch: screened, by
``store_items`` with the source's rules, assignments put back, the items the tracker no
longer has tombstoned, the deliveries marked applied in the same transaction. Mentions and
initiative parents are then resolved again, as at the end of a sync, but at most every
``RESOLVE_EVERY`` seconds: the rebuild of mentions reads every stored reference, while the
change itself is visible as soon as its pass commits. A rebuild not yet made is owed in the
database, so a sync, or the next applier after a crash, makes it.
The event's own body is never used: events arrive late and out of order, and the tracker's
current state wins.

The applier does not take the source's sync lock, so a webhook is never held up by a long
sync; ``store_items`` keeps the newer state of an item whichever of the two stores last.
A failed pass leaves its deliveries due again after a growing wait, then failed, with the
error redacted of the source's secrets; the scheduled sync remains the safety net.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import traceback
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from connectors.base import Connector
from connectors.http.client import source_secrets
from connectors.http.redaction import Redactor
from hub.contract.config import SourceConfig
from hub.contract.errors import HubError
from hub.contract.records import hub_id
from hub.storage.database import transaction
from hub.sync.assignments import apply_assignments
from hub.sync.engine import SyncEngine
from hub.sync.links import resolve_mentions
from hub.sync.native import resolve_initiative_parents
from hub.sync.report import SyncReport
from hub.sync.screen import screen
from hub.sync.store import Target, store_items
from hub.sync.tombstones import tombstone
from hub.sync.webhooks.deliveries import (
    KEPT_FOR,
    Claimed,
    claim_due,
    mark_applied,
    mark_failed,
    prune_finished,
    source_names,
)
from hub.sync.webhooks.mention_inputs import MentionWatch

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=10)
"""The wait after a first failed attempt; each further one waits four times longer."""
LEASE = timedelta(minutes=10)
"""How long a claimed delivery is held before another applier may take it again."""
DELIVERIES_PER_PASS = 500
POLL_SECONDS = 5.0
PRUNE_EVERY = 3600.0
"""Seconds between two deletions of old finished deliveries (the first comes with the first
pass)."""
"""How often an idle applier looks for deliveries due again or recorded by another replica."""
RESOLVE_EVERY = 5.0
"""Seconds between two rebuilds of mentions while deliveries keep coming; none waits longer.
A rebuild reads every stored reference (about a second at 100,000 items on SQLite, where it
holds the one writer's lock all along)."""


class WebhookApplier:
    """Applies due deliveries of ``sources`` through ``engine``'s sessions, rules and
    connectors; ``wake`` after recording a delivery starts a pass at once.

    ``start_delay`` holds the first pass back (test equipment: a process killed after
    answering and before applying)."""

    def __init__(
        self,
        engine: SyncEngine,
        sources: Sequence[SourceConfig],
        *,
        start_delay: float = 0.0,
        poll_seconds: float = POLL_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        retry_after: timedelta = RETRY_AFTER,
        lease: timedelta = LEASE,
        per_pass: int = DELIVERIES_PER_PASS,
        resolve_every: float = RESOLVE_EVERY,
    ) -> None:
        self.engine = engine
        self.sources = {source.name: source for source in sources}
        self.start_delay = start_delay
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self.retry_after = retry_after
        self.lease = lease
        self.per_pass = per_pass
        self.resolve_every = resolve_every
        self._resolved_at = -math.inf
        self._pruned_at = -math.inf
        self._owed = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="webhook applier")

    async def stop(self) -> None:
        """Stop after cancelling a pass under way: its deliveries come due again when their
        lease ends, and whatever it committed stays."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[WebhookApplier]:
        self.start()
        try:
            yield self
        finally:
            await self.stop()

    async def _run(self) -> None:
        await asyncio.sleep(self.start_delay)
        while True:
            self._wake.clear()
            try:
                claimed = await self.apply_due(resolve=False)
                if self._owed and self._since_resolved() >= self.resolve_every:
                    await self.resolve()
                if time.monotonic() - self._pruned_at >= PRUNE_EVERY:
                    await self.prune()
            except Exception:  # the database is away: try again on the next wake or poll
                log.exception("webhook applier: a pass failed")
                claimed = 0
            if claimed:
                continue  # more may be due: a full pass, or deliveries that came meanwhile
            wait = self.poll_seconds
            if self._owed:
                wait = min(wait, max(0.0, self.resolve_every - self._since_resolved()))
            with suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()

    async def prune(self) -> int:
        """Finished deliveries older than ``KEPT_FOR`` deleted; how many."""
        self._pruned_at = time.monotonic()
        pruned = await prune_finished(self.engine.sessions, self.engine.clock() - KEPT_FOR)
        if pruned:
            log.info("webhook deliveries: %d finished ones older than %s deleted", pruned, KEPT_FOR)
        return pruned

    def _since_resolved(self) -> float:
        return time.monotonic() - self._resolved_at

    async def resolve(self) -> None:
        """Mentions and initiative parents resolved again, as at the end of a sync."""
        self._owed = False
        self._resolved_at = time.monotonic()
        async with transaction(self.engine.sessions) as session:
            await resolve_mentions(session, self.engine.clock())
            await resolve_initiative_parents(session)

    async def apply_due(self, *, resolve: bool = True) -> int:
        """One pass over the deliveries due now (those a crash left included); how many.
        Mentions and parents are resolved after it, unless ``resolve`` is off."""
        now = self.engine.clock()
        claimed = await claim_due(self.engine.sessions, now, lease=self.lease, limit=self.per_pass)
        if not claimed:
            return 0
        per_source: dict[int, list[Claimed]] = defaultdict(list)
        for delivery in claimed:
            per_source[delivery.source_id].append(delivery)
        names = await source_names(self.engine.sessions, list(per_source))
        await asyncio.gather(
            *(
                self._apply(source_id, names.get(source_id, ""), deliveries)
                for source_id, deliveries in per_source.items()
            )
        )
        self._owed = True
        if resolve:
            await self.resolve()
        return len(claimed)

    async def _apply(self, source_id: int, name: str, deliveries: list[Claimed]) -> None:
        source = self.sources.get(name)
        if source is None:
            await self._failed(deliveries, f"source '{name}' is no longer configured", retry=False)
            return
        try:
            connector = self.engine.connector_factory(
                source.with_secrets(), transport=self.engine.transport
            )
        except HubError as exc:
            await self._failed(deliveries, str(exc))
            return
        try:
            await self._fetch_and_store(connector, source, source_id, deliveries)
        except HubError as exc:
            # Connectors redact what they build from answers; this catches whatever slipped by.
            error = connector.redactor(str(exc))
            log.warning("webhooks of %s not applied: %s", source.name, error)
            await self._failed(deliveries, error)
        except Exception as exc:
            redact = Redactor.of_credentials(source_secrets(source))
            log.error("webhooks of %s raised\n%s", source.name, redact(traceback.format_exc()))
            await self._failed(deliveries, f"internal error: {type(exc).__name__}")
        finally:
            await connector.aclose()

    async def _fetch_and_store(
        self, connector: Connector, source: SourceConfig, source_id: int, deliveries: list[Claimed]
    ) -> None:
        refs = list(dict.fromkeys(ref for d in deliveries for ref in (*d.refs, *d.deleted)))
        fetched = await connector.fetch_items(refs)
        items, refused = screen(fetched.items)
        rules = self.engine.rules
        target = Target(
            source_id, source.name, source.kind, rules, rules.fingerprint(source), source.statuses
        )
        report = SyncReport(source=source.name)
        report.skip([*fetched.skipped, *refused])
        now = self.engine.clock()
        item_ids = [hub_id(source.name, i.external_id) for i in items]
        async with transaction(self.engine.sessions) as session:
            await mark_applied(session, [d.id for d in deliveries], now, report.skipped_text())
            watch = MentionWatch(session, item_ids)
            await watch.start()
            counts = await store_items(session, target, items, now)
            if counts.created or counts.updated:
                await apply_assignments(session, item_ids)
            tombstoned = await tombstone(session, source_id=source_id, refs=fetched.gone)
            await watch.finish(tombstoned=tombstoned)
        self.engine.metrics.webhooks_applied(source.name, [d.received_at for d in deliveries], now)

    async def _failed(self, deliveries: list[Claimed], error: str, *, retry: bool = True) -> None:
        await mark_failed(
            self.engine.sessions,
            deliveries,
            error,
            self.engine.clock(),
            max_attempts=self.max_attempts if retry else 0,
            retry_after=self.retry_after,
        )
