"""Live progress of ``hub sync``, fed by the engine's ``progress`` callback.

On a terminal each source gets one line, rewritten in place and refreshed every second, so a
countdown shows while the connector waits out a rate limit. Anywhere else (CI logs, cron
mail) a line goes out every few batches or seconds instead, so logs stay short.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Callable
from typing import TextIO

from hub.sync import SyncReport
from hub.sync.engine import Progress

BATCHES_PER_LINE = 10
SECONDS_PER_LINE = 5.0
REFRESH_SECONDS = 1.0
CLEAR_TO_END = "\x1b[K"


def describe(report: SyncReport, *, elapsed: float, now: float) -> str:
    """One line of where a sync stands; ``now`` is on the clock of ``report.waiting_until``."""
    fetched = report.counts.fetched
    rate = fetched / elapsed if elapsed > 0 else 0.0
    stream = f" [{report.stream}]" if report.stream else ""
    line = (
        f"{report.source}{stream}: {fetched} items, {report.batches} batches, {rate:.0f} items/s, "
        f"{report.requests} requests, {report.retries} retries"
    )
    if report.waiting_until is not None and report.waiting_until > now:
        line += f", waiting {math.ceil(report.waiting_until - now)}s"
    return line


class SourceProgress:
    """The progress of one source's sync; call it with each report the engine passes."""

    def __init__(
        self,
        name: str,
        stream: TextIO,
        *,
        live: bool,
        clock: Callable[[], float],
        wait_clock: Callable[[], float],
        batches_per_line: int,
        seconds_per_line: float,
    ) -> None:
        self.name = name
        self.stream = stream
        self.live = live
        self.clock = clock
        self.wait_clock = wait_clock
        self.batches_per_line = batches_per_line
        self.seconds_per_line = seconds_per_line
        self.started = clock()
        self.report: SyncReport | None = None
        self._drawn = False
        self._shown_batches = 0
        self._shown_at = self.started
        self._shown_wait: float | None = None

    def __call__(self, report: SyncReport) -> None:
        self.report = report
        if self.live:
            self.redraw()
        elif self._due(report):
            self._write_line(report)

    def redraw(self) -> None:
        """Rewrite the terminal line, e.g. to count a wait down between two pages."""
        report = self.report or SyncReport(source=self.name)
        self.stream.write(f"\r{self._describe(report)}{CLEAR_TO_END}")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """Leave the last state on screen on its own line; logs get their summary elsewhere."""
        if self.live and self._drawn:
            self.redraw()
            self.stream.write("\n")
            self.stream.flush()

    def _due(self, report: SyncReport) -> bool:
        now = self.clock()
        new_wait = (
            report.waiting_until is not None
            and report.waiting_until > self.wait_clock()
            and report.waiting_until != self._shown_wait
        )
        return (
            new_wait
            or report.batches - self._shown_batches >= self.batches_per_line
            or now - self._shown_at >= self.seconds_per_line
        )

    def _write_line(self, report: SyncReport) -> None:
        self._shown_batches, self._shown_at = report.batches, self.clock()
        self._shown_wait = report.waiting_until
        self.stream.write(self._describe(report) + "\n")
        self.stream.flush()

    def _describe(self, report: SyncReport) -> str:
        return describe(report, elapsed=self.clock() - self.started, now=self.wait_clock())


class SyncProgress:
    """Progress displays for the sources of one ``hub sync``, synced one after another."""

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        wait_clock: Callable[[], float] = time.time,
        batches_per_line: int = BATCHES_PER_LINE,
        seconds_per_line: float = SECONDS_PER_LINE,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        """``live`` defaults to whether ``stream`` is a terminal. ``clock`` times the rate;
        ``wait_clock`` must be the clock of ``SyncReport.waiting_until``, which the HTTP
        client sets in epoch seconds (it compares rate-limit reset headers)."""
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.clock = clock
        self.wait_clock = wait_clock
        self.batches_per_line = batches_per_line
        self.seconds_per_line = seconds_per_line
        self.refresh_seconds = refresh_seconds

    @contextlib.asynccontextmanager
    async def source(self, name: str) -> AsyncIterator[Progress]:
        """The ``progress`` callback for the sync of ``name``, for the length of the block."""
        display = SourceProgress(
            name,
            self.stream,
            live=self.live,
            clock=self.clock,
            wait_clock=self.wait_clock,
            batches_per_line=self.batches_per_line,
            seconds_per_line=self.seconds_per_line,
        )
        ticker = asyncio.create_task(self._tick(display)) if self.live else None
        try:
            yield display
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
            display.finish()

    async def _tick(self, display: SourceProgress) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            display.redraw()
