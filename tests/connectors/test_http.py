"""The shared HTTP policy: what is retried, how long it waits, and what errors say."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from connectors.http import RetryPolicy, TrackerHttp, wait_from_headers
from hub.errors import TrackerAuthError, TrackerRequestError, TrackerUnavailable

BASE = "https://tracker.example"
URL = f"{BASE}/api/items"
SECRET = "s3cr3t-t0k3n"


class FakeSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
async def http(sleep: FakeSleep) -> AsyncIterator[TrackerHttp]:
    client = TrackerHttp(
        source="acme",
        base_url=BASE,
        headers={"Authorization": f"Bearer {SECRET}"},
        policy=RetryPolicy(attempts=4, wait_max=120),
        sleep=sleep,
    )
    yield client
    await client.aclose()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep, status: int
) -> None:
    route = mock.get(URL).mock(
        side_effect=[httpx.Response(status), httpx.Response(status), httpx.Response(200, json=[])]
    )
    response = await http.get("/api/items")
    assert response.status_code == 200
    assert route.call_count == 3
    assert (http.stats.requests, http.stats.retries) == (3, 2)
    assert len(sleep.waits) == 2


async def test_server_errors_give_up_as_unavailable(
    mock: respx.MockRouter, http: TrackerHttp
) -> None:
    route = mock.get(URL).respond(503)
    with pytest.raises(TrackerUnavailable, match="answered 503.*gave up after 4 attempts"):
        await http.get("/api/items")
    assert route.call_count == 4


async def test_bad_request_is_not_retried(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    route = mock.post(URL).respond(400, json={"errorMessages": ["Unbounded JQL"]})
    with pytest.raises(TrackerRequestError, match="Unbounded JQL") as caught:
        await http.post("/api/items", json={"jql": "order by key"})
    assert caught.value.status == 400
    assert route.call_count == 1
    assert sleep.waits == []


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_errors_are_not_retried(
    mock: respx.MockRouter, http: TrackerHttp, status: int
) -> None:
    route = mock.get(URL).respond(status)
    with pytest.raises(TrackerAuthError, match="credentials") as caught:
        await http.get("/api/items")
    assert caught.value.status == status
    assert route.call_count == 1


async def test_403_with_no_remaining_quota_waits_until_reset(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    reset = int(time.time()) + 60
    limited = httpx.Response(
        403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        json={"message": "API rate limit exceeded"},
    )
    route = mock.get(URL).mock(side_effect=[limited, httpx.Response(200, json=[])])
    assert (await http.get("/api/items")).status_code == 200
    assert route.call_count == 2
    assert len(sleep.waits) == 1 and sleep.waits[0] >= 58


async def test_429_waits_at_least_retry_after(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "12"})
    mock.get(URL).mock(side_effect=[limited, httpx.Response(200)])
    await http.get("/api/items")
    assert sleep.waits[0] >= 12


async def test_a_wait_beyond_the_budget_fails_at_once(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    route = mock.get(URL).respond(429, headers={"Retry-After": "3600"})
    with pytest.raises(TrackerUnavailable, match="rate limited for 3600s"):
        await http.get("/api/items")
    assert route.call_count == 1
    assert sleep.waits == []


async def test_body_rate_limits_are_retried_when_recognised(
    mock: respx.MockRouter, sleep: FakeSleep
) -> None:
    def ratelimited(response: httpx.Response) -> bool:
        return response.status_code == 400 and b"RATELIMITED" in response.content

    body = {"errors": [{"extensions": {"code": "RATELIMITED"}}]}
    mock.post(URL).mock(side_effect=[httpx.Response(400, json=body), httpx.Response(200)])
    client = TrackerHttp(source="linear", base_url=BASE, is_rate_limited=ratelimited, sleep=sleep)
    try:
        assert (await client.post("/api/items")).status_code == 200
    finally:
        await client.aclose()
    assert client.stats.retries == 1


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"), httpx.ConnectError("refused")],
)
async def test_timeouts_and_dropped_connections_are_retried(
    mock: respx.MockRouter, http: TrackerHttp, error: Exception
) -> None:
    route = mock.get(URL).mock(side_effect=[error, httpx.Response(200)])
    assert (await http.get("/api/items")).status_code == 200
    assert route.call_count == 2


async def test_timeouts_give_up_as_unavailable(mock: respx.MockRouter, http: TrackerHttp) -> None:
    mock.get(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TrackerUnavailable, match="timed out"):
        await http.get("/api/items")


@pytest.mark.parametrize(
    "outcome",
    [
        httpx.Response(401),
        httpx.Response(403),
        httpx.Response(404, text="no such thing"),
        httpx.Response(503),
        httpx.ReadTimeout("slow"),
    ],
)
async def test_secrets_never_reach_error_messages(
    mock: respx.MockRouter, http: TrackerHttp, outcome: httpx.Response | Exception
) -> None:
    if isinstance(outcome, httpx.Response):
        mock.get(URL).mock(return_value=outcome)
    else:
        mock.get(URL).mock(side_effect=outcome)
    with pytest.raises((TrackerAuthError, TrackerRequestError, TrackerUnavailable)) as caught:
        await http.get(f"/api/items?access_token={SECRET}&jql=project%3DPAY")
    message = str(caught.value)
    assert SECRET not in message
    assert "access_token" not in message
    assert "/api/items" in message


NOW = 1_732_877_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "30"}, 30.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "Fri, 29 Nov 2024 10:44:20 GMT"}, 1_732_877_060.0 - NOW),
        ({"x-ratelimit-reset": str(int(NOW) + 90)}, 90.0),
        ({"x-ratelimit-requests-reset": str(int(NOW * 1000) + 2_500)}, 2.5),
        ({"x-ratelimit-complexity-reset": str(int(NOW * 1000) + 10_000)}, 10.0),
        ({"x-ratelimit-reset": "2024-11-29T10:45:00Z"}, 1_732_877_100.0 - NOW),
        ({"x-ratelimit-reset": "2024-11-29T10:45:00.000+00:00"}, 1_732_877_100.0 - NOW),
        ({"retry-after": "5", "x-ratelimit-reset": str(int(NOW) + 90)}, 5.0),
        ({"x-ratelimit-reset": str(int(NOW) - 30)}, 0.0),
        ({"retry-after": "later"}, None),
        ({}, None),
    ],
)
def test_wait_from_headers(headers: dict[str, str], expected: float | None) -> None:
    waited = wait_from_headers(httpx.Headers(headers), now=NOW)
    assert waited == pytest.approx(expected) if expected is not None else waited is None
