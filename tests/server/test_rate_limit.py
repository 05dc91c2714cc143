"""The token buckets behind the API's rate limit, on a clock the test moves."""

from __future__ import annotations

import httpx
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from hub.server.rate_limit import RateLimit, TokenBuckets


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def ok(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("ok")(scope, receive, send)


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(per_minute=60, burst=2, clock=clock)
    assert [buckets.take("a"), buckets.take("a")] == [0, 0]
    assert buckets.take("a") == 1.0
    assert buckets.take("b") == 0, "another key has its own bucket"
    clock.now += 0.5
    assert buckets.take("a") == 0.5
    clock.now += 0.5
    assert buckets.take("a") == 0
    clock.now += 3600
    assert [buckets.take("a"), buckets.take("a"), buckets.take("a")] == [0, 0, 1.0]


async def test_a_request_over_the_rate_gets_429_with_retry_after_in_whole_seconds() -> None:
    clock = FakeClock()
    app = RateLimit(ok, TokenBuckets(per_minute=12, burst=1, clock=clock))
    transport = httpx.ASGITransport(app=app, client=("192.0.2.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        first = await client.get("/")
        refused = await client.get("/")
        clock.now += 4
        still = await client.get("/")
        clock.now += 1
        again = await client.get("/")
    assert first.status_code == 200
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "5"
    assert refused.json()["errors"][0]["message"] == "too many requests: try again in 5 s"
    assert (still.status_code, still.headers["retry-after"]) == (429, "1")
    assert again.status_code == 200


async def test_requests_without_a_token_count_against_their_address() -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, clock=FakeClock())
    app = RateLimit(ok, buckets)
    statuses = []
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.1"):
        transport = httpx.ASGITransport(app=app, client=(address, 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            statuses.append((await client.get("/")).status_code)
    assert statuses == [200, 200, 429]
