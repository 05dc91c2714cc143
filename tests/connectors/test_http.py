"""The shared HTTP policy: what is retried, how long it waits, and what errors say.

A fake clock and a fake sleep stand in for time: sleeping advances the clock, so every wait
is recorded exactly and no test waits for real.
"""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
import respx

from connectors.http.client import TrackerHttp, tls_context
from connectors.http.limits import wait_from_headers
from connectors.http.pacing import pace_delay
from connectors.http.retry import RetryPolicy
from hub.contract.errors import TrackerAuthError, TrackerRequestError, TrackerUnavailable
from tests.connectors.conftest import FakeClock, FakeSleep

BASE = "https://tracker.example"
URL = f"{BASE}/api/items"
SECRET = "s3cr3t-t0k3n"
NOW = 1_732_877_000.0
"""2024-11-29 10:43:20 UTC."""
WAIT_MAX = 120.0
SECONDARY = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}


class Interrupted(Exception):
    """Stands in for a sync stopped in the middle of a wait."""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def sleep(clock: FakeClock) -> FakeSleep:
    """Sleeping moves the clock: every wait is recorded exactly."""
    return FakeSleep(clock)


def make_client(
    sleep: FakeSleep,
    *,
    headers: dict[str, str] | None = None,
    policy: RetryPolicy | None = None,
    is_rate_limited: Callable[[httpx.Response], bool] | None = None,
) -> TrackerHttp:
    return TrackerHttp(
        source="acme",
        base_url=BASE,
        headers={"Authorization": f"Bearer {SECRET}"} if headers is None else headers,
        policy=policy or RetryPolicy(attempts=4, wait_max=WAIT_MAX),
        is_rate_limited=is_rate_limited,
        sleep=sleep,
        clock=sleep.clock,
    )


@pytest.fixture
async def http(sleep: FakeSleep) -> AsyncIterator[TrackerHttp]:
    client = make_client(sleep)
    yield client
    await client.aclose()


async def get(http: TrackerHttp, url: str) -> httpx.Response:
    """A GET as connectors send one, through ``request_json``."""
    response, _ = await http.request_json("GET", url)
    return response


async def post(http: TrackerHttp, url: str) -> httpx.Response:
    response, _ = await http.request_json("POST", url)
    return response


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def linear_ratelimited(response: httpx.Response) -> bool:
    return response.status_code == 400 and b"RATELIMITED" in response.content


def github_graphql_ratelimited(response: httpx.Response) -> bool:
    return response.status_code == 200 and b"RATE_LIMITED" in response.content


# Retries of server errors, timeouts and dropped connections


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep, status: int
) -> None:
    route = mock.get(URL).mock(
        side_effect=[httpx.Response(status), httpx.Response(status), httpx.Response(200, json=[])]
    )
    response = await get(http, "/api/items")
    assert response.status_code == 200
    assert route.call_count == 3
    assert (http.stats.requests, http.stats.retries) == (3, 2)
    assert len(sleep.waits) == 2
    assert all(0 <= w <= http.policy.backoff_max for w in sleep.waits)


async def test_server_errors_give_up_as_unavailable(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    route = mock.get(URL).respond(503)
    with pytest.raises(
        TrackerUnavailable, match="answered 503.*gave up after 4 attempts"
    ) as caught:
        await get(http, "/api/items")
    assert caught.value.status == 503
    assert route.call_count == 4
    assert (http.stats.requests, http.stats.retries) == (4, 3)
    assert len(sleep.waits) == 3, "no wait after the last attempt"


async def test_backoff_is_capped(mock: respx.MockRouter, sleep: FakeSleep) -> None:
    mock.get(URL).respond(500)
    client = TrackerHttp(
        source="acme",
        base_url=BASE,
        policy=RetryPolicy(attempts=12, backoff_max=2.0),
        sleep=sleep,
        clock=sleep.clock,
    )
    with pytest.raises(TrackerUnavailable):
        await get(client, "/api/items")
    await client.aclose()
    assert len(sleep.waits) == 11
    assert max(sleep.waits) <= 2.0


async def test_server_error_with_retry_after_waits_that_long(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    busy = httpx.Response(503, headers={"Retry-After": "45"})
    route = mock.get(URL).mock(side_effect=[busy, httpx.Response(200, json={})])
    await get(http, "/api/items")
    assert route.call_count == 2
    assert sleep.waits == [45.0]


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.WriteTimeout("slow"),
        httpx.PoolTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.ReadError("connection reset by peer"),
        httpx.WriteError("broken pipe"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
async def test_timeouts_and_dropped_connections_are_retried(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep, error: Exception
) -> None:
    route = mock.get(URL).mock(side_effect=[error, httpx.Response(200, json={})])
    assert (await get(http, "/api/items")).status_code == 200
    assert route.call_count == 2
    assert (http.stats.requests, http.stats.retries) == (2, 1)
    assert len(sleep.waits) == 1


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (httpx.ReadTimeout("slow"), "timed out"),
        (httpx.RemoteProtocolError("dropped"), "failed: RemoteProtocolError"),
    ],
)
async def test_timeouts_and_drops_give_up_as_unavailable(
    mock: respx.MockRouter, http: TrackerHttp, error: Exception, said: str
) -> None:
    route = mock.get(URL).mock(side_effect=error)
    with pytest.raises(TrackerUnavailable, match=said):
        await get(http, "/api/items")
    assert route.call_count == http.stats.requests == 4


# What is never retried


@pytest.mark.parametrize(
    ("status", "error", "hint"),
    [
        (400, TrackerRequestError, "refused the request"),
        (401, TrackerAuthError, "credentials"),
        (403, TrackerAuthError, "credentials"),
        (404, TrackerRequestError, "project or repository name"),
        (405, TrackerRequestError, "refused the request"),
        (409, TrackerRequestError, "refused the request"),
        (410, TrackerRequestError, "refused the request"),
        (422, TrackerRequestError, "refused the request"),
    ],
)
async def test_client_errors_are_not_retried_and_say_what_to_fix(
    mock: respx.MockRouter,
    http: TrackerHttp,
    sleep: FakeSleep,
    status: int,
    error: type[Exception],
    hint: str,
) -> None:
    body = {"errorMessages": ["The value 'PAYX' does not exist for the field 'project'."]}
    route = mock.get(URL).respond(status, json=body)
    with pytest.raises(error) as caught:
        await get(http, "/api/items?jql=project%3DPAYX&maxResults=50")
    message = str(caught.value)
    assert getattr(caught.value, "status", None) == status
    assert f"answered {status} to GET /api/items:" in message
    assert hint in message
    assert "'PAYX' does not exist" in message
    assert "jql" not in message and "maxResults" not in message
    assert route.call_count == http.stats.requests == 1
    assert http.stats.retries == 0
    assert sleep.waits == []


async def test_long_bodies_are_cut_short(mock: respx.MockRouter, http: TrackerHttp) -> None:
    mock.get(URL).respond(400, text="x" * 5000)
    with pytest.raises(TrackerRequestError) as caught:
        await get(http, "/api/items")
    assert len(str(caught.value)) < 500


async def test_forbidden_with_budget_left_and_no_limit_message_is_an_auth_error(
    mock: respx.MockRouter, http: TrackerHttp
) -> None:
    forbidden = httpx.Response(
        403,
        headers={"x-ratelimit-remaining": "4990", "x-ratelimit-reset": str(int(NOW) + 60)},
        json={"message": "Resource not accessible by personal access token"},
    )
    route = mock.get(URL).mock(return_value=forbidden)
    with pytest.raises(TrackerAuthError, match="Resource not accessible"):
        await get(http, "/api/items")
    assert route.call_count == 1


# Rate limits, with each tracker's headers and units


async def test_github_primary_limit_403_waits_until_the_reset_in_epoch_seconds(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    limited = httpx.Response(
        403,
        headers={
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": str(int(NOW) + 60),
        },
        json={"message": "API rate limit exceeded for user ID 1."},
    )
    route = mock.get(URL).mock(side_effect=[limited, httpx.Response(200, json=[])])
    assert (await get(http, "/api/items")).status_code == 200
    assert route.call_count == 2
    assert sleep.waits == [60.0]


async def test_github_primary_limit_429_waits_until_the_reset(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    limited = httpx.Response(
        429, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 75)}
    )
    mock.get(URL).mock(side_effect=[limited, httpx.Response(200, json={})])
    await get(http, "/api/items")
    assert sleep.waits == [75.0]


async def test_github_graphql_limit_in_a_200_body_waits_until_the_reset(
    mock: respx.MockRouter, sleep: FakeSleep
) -> None:
    limited = httpx.Response(
        200,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 40)},
        json={"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]},
    )
    route = mock.post(URL).mock(side_effect=[limited, httpx.Response(200, json={"data": {}})])
    client = make_client(sleep, is_rate_limited=github_graphql_ratelimited)
    assert (await post(client, "/api/items")).json() == {"data": {}}
    await client.aclose()
    assert route.call_count == client.stats.requests == 2
    assert sleep.waits == [40.0]


@pytest.mark.parametrize(
    ("spent", "expected"),
    [("requests", 45.0), ("complexity", 90.0)],
)
async def test_linear_400_ratelimited_waits_for_the_spent_budget_in_epoch_ms(
    mock: respx.MockRouter, sleep: FakeSleep, spent: str, expected: float
) -> None:
    headers = {
        "x-ratelimit-requests-limit": "1500",
        "x-ratelimit-requests-remaining": "0" if spent == "requests" else "700",
        "x-ratelimit-requests-reset": str(int((NOW + 45) * 1000)),
        "x-ratelimit-complexity-limit": "250000",
        "x-ratelimit-complexity-remaining": "0" if spent == "complexity" else "90000",
        "x-ratelimit-complexity-reset": str(int((NOW + 90) * 1000)),
    }
    body = {"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]}
    limited = httpx.Response(400, headers=headers, json=body)
    route = mock.post(URL).mock(side_effect=[limited, httpx.Response(200, json={"data": {}})])
    client = make_client(sleep, is_rate_limited=linear_ratelimited)
    assert (await post(client, "/api/items")).status_code == 200
    await client.aclose()
    assert route.call_count == 2
    assert sleep.waits == [expected]


async def test_jira_429_waits_at_least_retry_after_in_seconds(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "12"})
    route = mock.get(URL).mock(side_effect=[limited, httpx.Response(200, json={})])
    await get(http, "/api/items")
    assert route.call_count == 2
    assert sleep.waits == [12.0]


async def test_jira_429_waits_until_the_iso_reset(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    limited = httpx.Response(429, headers={"X-RateLimit-Reset": iso(NOW + 80)})
    mock.get(URL).mock(side_effect=[limited, httpx.Response(200, json={})])
    await get(http, "/api/items")
    assert sleep.waits == [80.0]


async def test_retry_after_as_an_http_date(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "Fri, 29 Nov 2024 10:44:20 GMT"})
    mock.get(URL).mock(side_effect=[limited, httpx.Response(200, json={})])
    await get(http, "/api/items")
    assert sleep.waits == [60.0]


async def test_a_short_ask_still_gets_a_jittered_backoff(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    mock.get(URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "0"})] * 3
        + [httpx.Response(200, json={})]
    )
    await get(http, "/api/items")
    assert len(sleep.waits) == 3 and all(w >= 0 for w in sleep.waits)


# GitHub's secondary limits


@pytest.mark.parametrize("status", [403, 429])
async def test_secondary_limit_without_retry_after_waits_a_minute_then_longer(
    mock: respx.MockRouter, sleep: FakeSleep, status: int
) -> None:
    limited = httpx.Response(
        status,
        headers={"x-ratelimit-remaining": "4990", "x-ratelimit-reset": str(int(NOW) + 3000)},
        json=SECONDARY,
    )
    route = mock.get(URL).mock(side_effect=[limited, limited, httpx.Response(200, json={})])
    client = make_client(sleep, policy=RetryPolicy(attempts=4, wait_max=900))
    assert (await get(client, "/api/items")).status_code == 200
    await client.aclose()
    assert route.call_count == 3
    assert sleep.waits == [60.0, 120.0], "not the hourly reset of a budget with requests left"


async def test_secondary_limit_honours_retry_after(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    limited = httpx.Response(403, headers={"retry-after": "10"}, json=SECONDARY)
    mock.get(URL).mock(side_effect=[limited, httpx.Response(200, json={})])
    await get(http, "/api/items")
    assert sleep.waits == [10.0]


async def test_secondary_limit_escalation_is_capped_by_wait_max(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    mock.get(URL).mock(
        side_effect=[httpx.Response(403, json=SECONDARY)] * 3 + [httpx.Response(200, json={})]
    )
    await get(http, "/api/items")
    assert sleep.waits == [60.0, 120.0, 120.0]


async def test_secondary_limit_fails_at_once_when_a_minute_is_too_long(
    mock: respx.MockRouter, sleep: FakeSleep
) -> None:
    route = mock.get(URL).respond(403, json=SECONDARY)
    client = make_client(sleep, policy=RetryPolicy(wait_max=30))
    with pytest.raises(TrackerUnavailable, match="secondary rate limit.*wait 60s"):
        await get(client, "/api/items")
    await client.aclose()
    assert route.call_count == 1 and sleep.waits == []


# Waits longer than the hub accepts


@pytest.mark.parametrize(
    ("headers", "again"),
    [
        ({"Retry-After": "3600"}, "2024-11-29 11:43:20 UTC"),
        (
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 1800)},
            "2024-11-29 11:13:20 UTC",
        ),
        (
            {
                "x-ratelimit-requests-remaining": "0",
                "x-ratelimit-requests-reset": str(int((NOW + 600) * 1000)),
            },
            "2024-11-29 10:53:20 UTC",
        ),
        ({"X-RateLimit-Reset": iso(NOW + 300)}, "2024-11-29 10:48:20 UTC"),
    ],
)
async def test_a_wait_beyond_wait_max_fails_at_once_saying_when_to_retry(
    mock: respx.MockRouter,
    http: TrackerHttp,
    sleep: FakeSleep,
    headers: dict[str, str],
    again: str,
) -> None:
    route = mock.get(URL).respond(429, headers=headers)
    with pytest.raises(TrackerUnavailable, match=f"more than the 120s allowed.*{again}") as caught:
        await get(http, "/api/items")
    assert caught.value.status == 429
    assert route.call_count == http.stats.requests == 1
    assert sleep.waits == []


async def test_rate_limits_that_outlast_the_attempts_give_up(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    route = mock.get(URL).respond(429, headers={"Retry-After": "5"})
    with pytest.raises(TrackerUnavailable, match="rate limited.*gave up after 4 attempts"):
        await get(http, "/api/items")
    assert route.call_count == 4
    assert sleep.waits == [5.0, 5.0, 5.0]


# Pacing before a limit is hit


Responder = Callable[[httpx.Request], httpx.Response]


def record_times(clock: FakeClock, response: httpx.Response) -> tuple[list[float], Responder]:
    times: list[float] = []

    def answer(_request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        return response

    return times, answer


@pytest.mark.parametrize(
    ("headers", "pause"),
    [
        (
            {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "10",
                "x-ratelimit-reset": str(int(NOW) + 100),
            },
            10.0,
        ),
        (
            {
                "x-ratelimit-requests-limit": "1500",
                "x-ratelimit-requests-remaining": "1400",
                "x-ratelimit-requests-reset": str(int((NOW + 50) * 1000)),
                "x-ratelimit-complexity-limit": "250000",
                "x-ratelimit-complexity-remaining": "2",
                "x-ratelimit-complexity-reset": str(int((NOW + 50) * 1000)),
            },
            25.0,
        ),
        (
            {
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "1",
                "X-RateLimit-Reset": iso(NOW + 40),
            },
            40.0,
        ),
        ({"x-ratelimit-remaining": "3", "x-ratelimit-reset": str(int(NOW) + 30)}, 10.0),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 9999)}, WAIT_MAX),
    ],
    ids=["github", "linear-complexity", "jira-iso", "no-limit-header", "capped-by-wait-max"],
)
async def test_a_low_budget_spaces_the_next_requests_until_its_reset(
    mock: respx.MockRouter,
    http: TrackerHttp,
    sleep: FakeSleep,
    clock: FakeClock,
    headers: dict[str, str],
    pause: float,
) -> None:
    times, answer = record_times(clock, httpx.Response(200, json={}, headers=headers))
    route = mock.get(URL).mock(side_effect=answer)
    await get(http, "/api/items")
    assert sleep.waits == [], "the first request goes at once"
    await get(http, "/api/items")
    assert sleep.waits == [pytest.approx(pause)]
    assert times == [NOW, pytest.approx(NOW + pause)], "the pause comes before the request"
    assert route.call_count == http.stats.requests == 2
    assert http.stats.retries == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4000", "x-ratelimit-reset": "0"},
        {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "251",
            "x-ratelimit-reset": str(int(NOW) + 3000),
        },
        {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "1"},
        {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "1",
            "x-ratelimit-reset": str(int(NOW) - 5),
        },
        {"x-ratelimit-reset": str(int(NOW) + 3000)},
    ],
    ids=["no-headers", "healthy", "just-above-5pct", "no-reset", "reset-passed", "no-remaining"],
)
async def test_no_pacing_without_a_low_budget(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep, headers: dict[str, str]
) -> None:
    route = mock.get(URL).mock(return_value=httpx.Response(200, json={}, headers=headers))
    for _ in range(3):
        await get(http, "/api/items")
    assert sleep.waits == []
    assert route.call_count == http.stats.requests == 3


async def test_pacing_ends_when_the_budget_recovers(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    low = httpx.Response(
        200,
        json={},
        headers={"x-ratelimit-remaining": "2", "x-ratelimit-reset": str(int(NOW) + 20)},
    )
    fresh = httpx.Response(
        200,
        json={},
        headers={"x-ratelimit-remaining": "5000", "x-ratelimit-reset": str(int(NOW) + 3600)},
    )
    mock.get(URL).mock(side_effect=[low, fresh, fresh])
    for _ in range(3):
        await get(http, "/api/items")
    assert sleep.waits == [10.0]


async def test_a_rate_limited_retry_is_not_paced_on_top_of_its_wait(
    mock: respx.MockRouter, http: TrackerHttp, sleep: FakeSleep
) -> None:
    limited = httpx.Response(
        429,
        headers={
            "retry-after": "5",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": str(int(NOW) + 100),
        },
    )
    route = mock.get(URL).mock(
        side_effect=[limited, httpx.Response(200, json={}), httpx.Response(200, json={})]
    )
    await get(http, "/api/items")
    await get(http, "/api/items")
    assert sleep.waits == [5.0]
    assert route.call_count == 3


# Stats for progress displays


async def test_stats_show_the_current_wait_and_add_up_waits(
    mock: respx.MockRouter, clock: FakeClock
) -> None:
    seen: list[float | None] = []
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        seen.append(client.stats.waiting_until)
        waits.append(seconds)
        clock.now += seconds

    low = httpx.Response(
        200,
        json={},
        headers={"x-ratelimit-remaining": "1", "x-ratelimit-reset": str(int(NOW) + 37)},
    )
    limited = httpx.Response(429, headers={"Retry-After": "30"})
    mock.get(URL).mock(side_effect=[limited, low, httpx.Response(200, json={})])
    client = TrackerHttp(source="acme", base_url=BASE, sleep=sleep, clock=clock)
    assert client.stats.waiting_until is None
    await get(client, "/api/items")
    assert client.stats.waiting_until is None
    await get(client, "/api/items")
    await client.aclose()

    assert waits == [30.0, 7.0]
    assert seen == [NOW + 30, NOW + 37]
    assert client.stats.waited == 37.0
    assert client.stats.waiting_until is None
    assert (client.stats.requests, client.stats.retries) == (3, 1)


async def test_a_cancelled_wait_is_not_shown_as_waiting(
    mock: respx.MockRouter, clock: FakeClock
) -> None:
    async def sleep(_seconds: float) -> None:
        raise Interrupted

    mock.get(URL).respond(429, headers={"Retry-After": "30"})
    client = TrackerHttp(source="acme", base_url=BASE, sleep=sleep, clock=clock)
    with pytest.raises(Interrupted):
        await get(client, "/api/items")
    await client.aclose()
    assert client.stats.waiting_until is None
    assert client.stats.waited == 0.0


# Secrets


@pytest.mark.parametrize(
    "outcome",
    [
        httpx.Response(400, text="bad"),
        httpx.Response(401),
        httpx.Response(403),
        httpx.Response(404, text="no such thing"),
        httpx.Response(503),
        httpx.ReadTimeout("slow"),
        httpx.ConnectError(f"could not reach {BASE}/api/items?access_token={SECRET}"),
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
        await get(http, f"/api/items?access_token={SECRET}&jql=project%3DPAY")
    message = str(caught.value)
    assert SECRET not in message
    assert "access_token" not in message
    assert "/api/items" in message
    assert caught.value.__cause__ is None


def echo_headers(status: int) -> Responder:
    """A tracker that echoes the request back, as some proxies and error pages do."""

    def answer(request: httpx.Request) -> httpx.Response:
        echoed = {"headers": dict(request.headers), "url": str(request.url)}
        text = json.dumps(echoed) + " " + request.headers.get("authorization", "")
        return httpx.Response(status, text=text)

    return answer


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
@pytest.mark.parametrize(
    ("headers", "secrets"),
    [
        ({"Authorization": f"Bearer {SECRET}"}, [SECRET]),
        ({"Authorization": f"lin_api_{SECRET}"}, [f"lin_api_{SECRET}"]),
        (
            {
                "Authorization": "Basic "
                + base64.b64encode(f"me@acme.io:{SECRET}".encode()).decode()
            },
            [SECRET, base64.b64encode(f"me@acme.io:{SECRET}".encode()).decode()],
        ),
        ({"X-Api-Key": SECRET}, [SECRET]),
    ],
    ids=["bearer", "linear-key", "jira-basic", "api-key"],
)
async def test_a_token_echoed_back_by_the_tracker_is_redacted(
    mock: respx.MockRouter,
    sleep: FakeSleep,
    status: int,
    headers: dict[str, str],
    secrets: list[str],
) -> None:
    mock.get(URL).mock(side_effect=echo_headers(status))
    client = make_client(sleep, headers=headers)
    with pytest.raises((TrackerAuthError, TrackerRequestError)) as caught:
        await get(client, f"/api/items?token={SECRET}")
    await client.aclose()
    message = str(caught.value)
    assert "[redacted]" in message
    for secret in secrets:
        assert secret not in message


# Header arithmetic


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "30"}, 30.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "Fri, 29 Nov 2024 10:44:20 GMT"}, 60.0),
        ({"retry-after": "Fri, 29 Nov 2024 10:44:20 -0000"}, 60.0),
        ({"x-ratelimit-reset": str(int(NOW) + 90)}, 90.0),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 90)}, 90.0),
        ({"x-ratelimit-remaining": "12", "x-ratelimit-reset": str(int(NOW) + 90)}, None),
        ({"x-ratelimit-requests-reset": str(int(NOW * 1000) + 2_500)}, 2.5),
        ({"x-ratelimit-complexity-reset": str(int(NOW * 1000) + 10_000)}, 10.0),
        (
            {
                "x-ratelimit-requests-remaining": "0",
                "x-ratelimit-requests-reset": str(int(NOW * 1000) + 20_000),
                "x-ratelimit-complexity-remaining": "0",
                "x-ratelimit-complexity-reset": str(int(NOW * 1000) + 50_000),
            },
            50.0,
        ),
        ({"x-ratelimit-reset": "2024-11-29T10:45:00Z"}, 100.0),
        ({"x-ratelimit-reset": "2024-11-29T10:45:00.000+00:00"}, 100.0),
        ({"x-ratelimit-reset": "2024-11-29T11:45:00.000+0100"}, 100.0),
        ({"x-ratelimit-reset": "2024-11-29T10:45:00"}, 100.0),
        ({"retry-after": "5", "x-ratelimit-reset": str(int(NOW) + 90)}, 5.0),
        ({"x-ratelimit-reset": str(int(NOW) - 30)}, 0.0),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "later"}, None),
        ({"x-ratelimit-reset": "soon"}, None),
        ({}, None),
    ],
)
def test_wait_from_headers(headers: dict[str, str], expected: float | None) -> None:
    waited = wait_from_headers(httpx.Headers(headers), now=NOW)
    assert waited == pytest.approx(expected) if expected is not None else waited is None


def test_wait_from_headers_reads_plain_mappings_in_any_case() -> None:
    assert wait_from_headers({"Retry-After": "7"}, now=NOW) == 7.0


@pytest.mark.parametrize(
    ("remaining", "limit", "expected"),
    [
        ("250", "5000", 400.0),
        ("251", "5000", 0.0),
        ("5", None, 20_000.0),
        ("6", None, 0.0),
        ("5", "10", 20_000.0),
        ("0", "5000", 100_000.0),
    ],
)
def test_pace_delay(remaining: str, limit: str | None, expected: float) -> None:
    headers = {"x-ratelimit-remaining": remaining, "x-ratelimit-reset": str(int(NOW) + 100_000)}
    if limit is not None:
        headers["x-ratelimit-limit"] = limit
    policy = RetryPolicy(wait_max=1e9)
    assert pace_delay(headers, policy, NOW) == pytest.approx(expected)


async def test_a_body_that_is_not_json_is_fetched_again(
    mock: respx.MockRouter, http: TrackerHttp
) -> None:
    route = mock.get(f"{BASE}/x").mock(
        side_effect=[
            httpx.Response(200, text='{"issues": [{"id": "1"'),
            httpx.Response(200, text="<html>proxy error</html>"),
            httpx.Response(200, json={"issues": []}),
        ]
    )
    response, body = await http.request_json("GET", "/x")
    assert body == {"issues": []} and response.status_code == 200
    assert route.call_count == 3 and http.stats.retries == 2


async def test_bodies_that_never_parse_give_up_as_unavailable(
    mock: respx.MockRouter, http: TrackerHttp
) -> None:
    mock.get(f"{BASE}/x").mock(return_value=httpx.Response(200, text="not json"))
    with pytest.raises(TrackerUnavailable, match="not JSON"):
        await http.request_json("GET", "/x")


async def test_clients_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []

    def create_ssl_context() -> object:
        made.append(object())
        return ssl.create_default_context()

    monkeypatch.setattr(httpx, "create_ssl_context", create_ssl_context)
    tls_context.cache_clear()
    clients = [TrackerHttp(source="jira", base_url="https://jira.example") for _ in range(3)]
    for client in clients:
        await client.aclose()
    tls_context.cache_clear()
    assert len(made) == 1


async def test_a_lone_surrogate_escape_becomes_a_replacement_character(
    mock: respx.MockRouter, http: TrackerHttp
) -> None:
    """A text cut in the middle of an emoji: orjson refuses it, UTF-8 cannot carry it."""
    body = b'{"title": "cut \\ud83d", "pair": "\\ud83d\\ude00", "\\udc00": ["\\ud800x"]}'
    mock.get(f"{BASE}/x").mock(return_value=httpx.Response(200, content=body))
    _, parsed = await http.request_json("GET", "/x")
    assert parsed == {"title": "cut \ufffd", "pair": "😀", "\ufffd": ["\ufffdx"]}
    assert http.stats.retries == 0
