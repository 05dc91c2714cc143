"""A tracker that never finishes answering, for the tests and bench of the request deadline.

It sends its headers, then one byte every ``every`` seconds of a body it promises to be much
longer. Each read gets a byte well before httpx's read timeout, so only an overall deadline
ends such a request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"


class DrippingTracker:
    def __init__(self, every: float) -> None:
        self.every = every
        self.requests = 0
        self.asked = asyncio.Event()
        """Set once a request has come in."""
        self.answering: set[asyncio.Task[None]] = set()

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.answering.add(task)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            await reader.readexactly(length)
            self.requests += 1
            self.asked.set()
            writer.write(HEADERS + b"[")
            while True:
                await writer.drain()
                await asyncio.sleep(self.every)
                writer.write(b" ")
        writer.close()
        self.answering.discard(task)


@asynccontextmanager
async def dripping_tracker(every: float = 0.2) -> AsyncIterator[tuple[str, DrippingTracker]]:
    """The tracker's base URL while it listens on a free local port."""
    tracker = DrippingTracker(every)
    server = await asyncio.start_server(tracker.answer, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}", tracker
    finally:
        server.close()
        for task in list(tracker.answering):
            task.cancel()
        await asyncio.gather(*tracker.answering, return_exceptions=True)
