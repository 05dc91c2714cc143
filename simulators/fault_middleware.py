"""One ASGI middleware that serves the HTTP-level faults for all three simulators.

Only the rate-limit answer differs per tracker, so each app passes its ``RateLimitAnswer``.
Random draws happen for every request in a fixed order, so with a given seed the same request
sequence meets the same faults whichever other knobs are on.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulators.fault_answers import RateLimitAnswer
from simulators.faults import Faults

ERROR_STATUSES = (500, 502, 503)
GARBAGE = b'<html><body><h1>Gateway says hi</h1>\x00\xff not JSON {"issues": [</body>'
DROPPED_LENGTH = 4096


class ConnectionDropped(httpx.RemoteProtocolError):
    """Cuts a response short after its status line.

    uvicorn closes the socket mid-body, so a real client gets ``httpx.RemoteProtocolError``;
    ``httpx.ASGITransport`` re-raises this subclass, so in-process clients see the same type.
    """


class _QuietDrops(logging.Filter):
    """Keeps uvicorn from logging a traceback for every connection dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


_QUIET_DROPS = _QuietDrops()


@dataclass(frozen=True, slots=True)
class _Roll:
    drop: float
    error: float
    malformed: float
    truncate: float
    status: int

    @classmethod
    def draw(cls, rng: random.Random) -> _Roll:
        drop, error, malformed, truncate = (rng.random() for _ in range(4))
        return cls(drop, error, malformed, truncate, rng.choice(ERROR_STATUSES))


def _server_error(status: int) -> Response:
    if status == 500:
        return JSONResponse({"message": "Internal Server Error"}, 500)
    reason = "Bad Gateway" if status == 502 else "Service Unavailable"
    html = f"<html><head><title>{status} {reason}</title></head><body>{reason}</body></html>"
    return PlainTextResponse(html, status, media_type="text/html")


class FaultMiddleware:
    """Serves rate limits, slowness, drops, 5xx, malformed and truncated bodies per ``Faults``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: Faults,
        injected: Counter[str],
        rate_limited: RateLimitAnswer,
    ) -> None:
        self.app = app
        self.faults = faults
        self.injected = injected
        self.rate_limited = rate_limited
        self.rng = random.Random(faults.seed)
        self.requests = 0
        if faults.drop_rate > 0:
            logging.getLogger("uvicorn.error").addFilter(_QUIET_DROPS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        faults = self.faults
        self.requests += 1
        roll = _Roll.draw(self.rng)
        if faults.rate_limited(self.requests):
            self.injected["rate_limit"] += 1
            await self.rate_limited(scope, faults.retry_after)(scope, receive, send)
            return
        if faults.slow_seconds > 0:
            self.injected["slow"] += 1
            await asyncio.sleep(faults.slow_seconds)
        if roll.drop < faults.drop_rate:
            self.injected["drop"] += 1
            await self._drop(receive, send)
        if roll.error < faults.error_rate:
            self.injected["error"] += 1
            await _server_error(roll.status)(scope, receive, send)
            return
        malformed = roll.malformed < faults.malformed_rate
        if malformed or roll.truncate < faults.truncate_rate:
            await self._spoil(scope, receive, send, malformed=malformed)
            return
        await self.app(scope, receive, send)

    async def _drop(self, receive: Receive, send: Send) -> None:
        """Reads the request first: closing on unread bytes makes the client see a reset instead."""
        message: Message = {"more_body": True}
        while message.get("more_body", False):
            message = await receive()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(DROPPED_LENGTH).encode()),
                ],
            }
        )
        raise ConnectionDropped("the simulator dropped the connection")

    async def _spoil(self, scope: Scope, receive: Receive, send: Send, *, malformed: bool) -> None:
        """Runs the app, then replaces a 200's body with garbage or with its first half."""
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if start.get("status") == 200 and body:
            self.injected["malformed" if malformed else "truncate"] += 1
            body = GARBAGE if malformed else body[: len(body) // 2]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def install_faults(
    app: Starlette, faults: Faults, injected: Counter[str], rate_limited: RateLimitAnswer
) -> None:
    """Makes the fault middleware the app's outermost and exposes ``app.state.faults``."""
    app.state.faults = injected
    app.add_middleware(FaultMiddleware, faults=faults, injected=injected, rate_limited=rate_limited)
