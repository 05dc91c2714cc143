"""Storing one batch while the next is fetched, without ever storing out of order."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class InOrder:
    """Runs submitted coroutines one at a time, in order, each in the background of what the
    caller does next. After a failure nothing more runs: every later ``submit`` and ``drain``
    raises that failure again, so no batch is ever stored after one that was not."""

    def __init__(self) -> None:
        self._running: asyncio.Task[None] | None = None

    async def submit(self, work: Coroutine[Any, Any, None]) -> None:
        """Wait for the previous work, then start this one and return at once."""
        try:
            await self.drain()
        except BaseException:
            work.close()
            raise
        self._running = asyncio.create_task(work)

    async def drain(self) -> None:
        """Wait for the work started last; raise its failure."""
        if self._running is not None:
            await self._running
            self._running = None

    async def abandon(self) -> None:
        """Cancel the work in progress (a transaction then rolls back) and wait for it."""
        if self._running is not None:
            self._running.cancel()
            await asyncio.gather(self._running, return_exceptions=True)
