"""Requests per API token, limited by a token bucket: 429 with ``Retry-After`` over the limit.

A request is counted against its token (``schema.access.current_grant``, set by
``hub.server.auth``), or against its client address where it carries none (the demo, which
needs no token). The buckets live in this process's memory: each replica limits on its own, so
N replicas allow N times the rate; a shared limit belongs in the reverse proxy
(docs/deployment.md).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from hub.server.refusals import error_response
from schema.access import current_grant

MAX_BUCKETS = 10_000
"""Clients remembered at once; the least recently seen is forgotten (and starts full again)."""


@dataclass(slots=True)
class Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """``burst`` requests at once, refilled at ``per_minute`` a minute, per key."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.clock = clock
        self.buckets: OrderedDict[str, Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0 when allowed, else the seconds to wait."""
        now = self.clock()
        bucket = self.buckets.pop(key, None) or Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self.buckets[key] = bucket
        if len(self.buckets) > MAX_BUCKETS:
            self.buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


class RateLimit:
    """ASGI middleware: a request over its key's rate gets 429 before the app sees it."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(client_key(scope))
        if not wait:
            await self.app(scope, receive, send)
            return
        seconds = max(1, math.ceil(wait))
        refusal = error_response(
            429,
            f"too many requests: try again in {seconds} s",
            "RATE_LIMITED",
            {"Retry-After": str(seconds)},
        )
        await refusal(scope, receive, send)


def client_key(scope: Scope) -> str:
    """Who a request counts against: its token's name, else its client address."""
    grant = current_grant.get()
    if grant is not None:
        return f"token:{grant.name}"
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"
