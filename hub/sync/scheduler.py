"""Scheduled syncs inside the ``hub serve`` process: one loop per source, on its own pace.

Each source's loop syncs, then sleeps ``source.every`` (±10% jitter, so that replicas and
sources drift apart instead of hitting the trackers together), measured from the start of
the sync; a sync that outlasts its interval is followed at once, never overlapped. A failing
source waits ``every × 2^failures`` (capped) and returns to its pace after a success, while
the other loops carry on. The engine's lock keeps other processes from syncing a source at
the same time; this module keeps its own loops and ``run_now`` from doing so.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Protocol

from connectors.http.client import source_secrets
from connectors.http.redaction import Redactor
from hub.contract.config import SourceConfig
from hub.contract.errors import NotFound
from hub.contract.records import RunStatus
from hub.sync.report import SyncReport

log = logging.getLogger(__name__)

JITTER = 0.1
MAX_BACKOFF = timedelta(hours=6)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
Uniform = Callable[[float, float], float]


def backoff(every: timedelta, failures: int, *, cap: timedelta = MAX_BACKOFF) -> float:
    """Seconds until the next sync after ``failures`` failures in a row.

    Never shorter than ``every``: a cap below a long interval must not make a failing
    source sync more often than a healthy one.
    """
    interval = every.total_seconds()
    return max(interval, min(interval * 2.0**failures, cap.total_seconds()))


class Syncs(Protocol):
    """What the scheduler asks of the ``SyncEngine``."""

    async def sync(self, source: SourceConfig, *, full: bool = False) -> SyncReport: ...


class Scheduler:
    """Periodic syncs of ``sources`` and on-demand ones (``run_now``) through one engine."""

    def __init__(
        self,
        engine: Syncs,
        sources: Sequence[SourceConfig],
        *,
        periodic: bool = True,
        concurrency: int | None = None,
        jitter: float = JITTER,
        max_backoff: timedelta = MAX_BACKOFF,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        uniform: Uniform = random.uniform,
    ) -> None:
        """``periodic=False`` keeps only ``run_now``; ``concurrency`` bounds syncs at once
        (1 suits SQLite, which takes one writer at a time)."""
        self.engine = engine
        self.sources = tuple(sources)
        self.periodic = periodic
        self.jitter = jitter
        self.max_backoff = max_backoff
        self._clock = clock
        self._sleep = sleep
        self._uniform = uniform
        self._slots = asyncio.Semaphore(concurrency or max(len(self.sources), 1))
        self._syncing: set[str] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._on_demand: set[asyncio.Task[SyncReport]] = set()

    def source(self, name: str) -> SourceConfig | None:
        return next((source for source in self.sources if source.name == name), None)

    def is_syncing(self, name: str) -> bool:
        """Whether this process is syncing ``name`` right now (other processes not included)."""
        return name in self._syncing

    @property
    def running(self) -> bool:
        return any(not loop.done() for loop in self._loops)

    def delay(self, source: SourceConfig, failures: int = 0) -> float:
        """Seconds from the start of one scheduled sync to the next, jitter included."""
        seconds = backoff(source.every, failures, cap=self.max_backoff)
        return seconds * (1 + self._uniform(-self.jitter, self.jitter))

    def start(self) -> None:
        """Start one loop per source; does nothing unless periodic or if already started."""
        if not self.periodic or self.running:
            return
        self._loops = [
            asyncio.create_task(self._loop(source), name=f"scheduled sync of {source.name}")
            for source in self.sources
        ]
        log.info("scheduled syncs of %d sources started", len(self._loops))

    async def stop(self) -> None:
        """Cancel the loops and any sync still running, and wait until they have ended."""
        tasks = [*self._loops, *self._on_demand]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loops = []

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[Scheduler]:
        """Started on entry, stopped on exit: the app's lifespan, or a test's."""
        self.start()
        try:
            yield self
        finally:
            await self.stop()

    async def run_now(self, name: str, *, full: bool = False) -> SyncReport:
        """Sync ``name`` at once; its report says ``busy`` if a sync of it is under way.

        The sync runs in a task of its own, so that a caller who goes away (a client that
        disconnects) does not cut it short. Raises NotFound for a source not configured.
        """
        source = self.source(name)
        if source is None:
            known = ", ".join(s.name for s in self.sources) or "none"
            raise NotFound(f"no source named '{name}' (configured: {known})")
        if self.is_syncing(name):
            return _busy(name)
        task = self._start_sync(source, full=full)
        self._on_demand.add(task)
        task.add_done_callback(self._on_demand.discard)
        return await asyncio.shield(task)

    def _start_sync(self, source: SourceConfig, *, full: bool = False) -> asyncio.Task[SyncReport]:
        """The source counts as syncing from this call on, before its task gets to run."""
        self._syncing.add(source.name)
        task = asyncio.create_task(self._sync(source, full), name=f"sync of {source.name}")
        task.add_done_callback(lambda _task: self._syncing.discard(source.name))
        return task

    async def _sync(self, source: SourceConfig, full: bool) -> SyncReport:
        async with self._slots:
            return await self.engine.sync(source, full=full)

    async def _loop(self, source: SourceConfig) -> None:
        failures = 0
        await self._sleep(self._uniform(0, self.jitter) * source.every.total_seconds())
        while True:
            started = self._clock()
            failures = await self._scheduled_sync(source, failures)
            elapsed = self._clock() - started
            await self._sleep(max(0.0, self.delay(source, failures) - elapsed))

    async def _scheduled_sync(self, source: SourceConfig, failures: int) -> int:
        """One scheduled sync; the number of failures in a row after it."""
        if self.is_syncing(source.name):
            log.info("scheduled sync of %s skipped: a sync of it is under way", source.name)
            return failures
        try:
            report = await self._start_sync(source)
        except Exception:
            # A bug's traceback, redacted: its messages may quote what a tracker answered.
            redact = Redactor.of_credentials(source_secrets(source))
            log.error(
                "scheduled sync of %s raised\n%s", source.name, redact(traceback.format_exc())
            )
            return self._failed(source, failures + 1, "internal error")
        if report.ok:
            log.info("scheduled sync: %s", report.summary().splitlines()[0])
            return 0
        if report.status is RunStatus.BUSY:
            log.info("scheduled sync of %s skipped: %s", source.name, report.error)
            return failures
        return self._failed(source, failures + 1, report.error or report.status)

    def _failed(self, source: SourceConfig, failures: int, reason: str) -> int:
        wait = backoff(source.every, failures, cap=self.max_backoff)
        log.warning(
            "scheduled sync of %s failed (%d in a row, next in about %.0fs): %s",
            source.name,
            failures,
            wait,
            reason,
        )
        return failures


def _busy(name: str) -> SyncReport:
    return SyncReport(
        source=name,
        status=RunStatus.BUSY,
        error=f"source '{name}' is already being synced by the hub",
    )
