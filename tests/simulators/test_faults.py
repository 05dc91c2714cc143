"""Fault injection: each knob serves exactly its fault, in each tracker's real shape."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

from hub.cli import main
from simulators import (
    Faults,
    GitHubWorld,
    JiraWorld,
    LinearWorld,
    create_github_app,
    create_jira_app,
    create_linear_app,
    serve,
)

EMAIL, TOKEN = "pm@acme.example", "secret-token"
JIRA_SEARCH = "/rest/api/3/search/jql"
GITHUB_ISSUES = "/repos/acme/payments-api/issues"
LINEAR_PAGE = """
query Page($after: String) {
  issues(first: 20, after: $after, orderBy: updatedAt) {
    pageInfo { hasNextPage endCursor }
    nodes { id updatedAt }
  }
}
"""
KINDS = ("jira", "github", "linear")
Probe = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


@dataclass
class Tracker:
    app: Starlette
    world: Any
    base_url: str
    headers: dict[str, str]
    probe: Probe

    def client(self, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=transport or httpx.ASGITransport(app=self.app),
            base_url=self.base_url,
            headers=self.headers,
        )


async def jira_probe(client: httpx.AsyncClient, token: str | None = None) -> httpx.Response:
    params: dict[str, str | int] = {
        "jql": "project = PAY ORDER BY updated ASC",
        "fields": "summary",
        "maxResults": 10,
        "nextPageToken": token or "",
    }
    return await client.get(JIRA_SEARCH, params=params)


async def github_probe(client: httpx.AsyncClient) -> httpx.Response:
    params: dict[str, str | int] = {
        "state": "all",
        "sort": "updated",
        "direction": "asc",
        "per_page": 10,
    }
    return await client.get(GITHUB_ISSUES, params=params)


async def linear_probe(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post("/graphql", json={"query": LINEAR_PAGE, "variables": {}})


def tracker(kind: str, faults: Faults | None = None) -> Tracker:
    if kind == "jira":
        jira = JiraWorld(120, seed=3)
        app = create_jira_app(jira, email=EMAIL, token=TOKEN, faults=faults)
        auth = httpx.BasicAuth(EMAIL, TOKEN)._auth_header
        return Tracker(app, jira, "https://acme.atlassian.net", {"Authorization": auth}, jira_probe)
    if kind == "github":
        github = GitHubWorld(120, seed=5)
        app = create_github_app(github, token=TOKEN, faults=faults)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return Tracker(app, github, "https://api.github.com", headers, github_probe)
    linear = LinearWorld(120, seed=3)
    app = create_linear_app(linear, api_key=TOKEN, faults=faults)
    return Tracker(app, linear, "https://api.linear.app", {"Authorization": TOKEN}, linear_probe)


async def probe_many(subject: Tracker, count: int) -> list[httpx.Response]:
    async with subject.client() as client:
        return [await subject.probe(client) for _ in range(count)]


def is_json(response: httpx.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


def outcome(response: httpx.Response) -> tuple[int, bool]:
    return response.status_code, is_json(response)


@pytest.mark.parametrize("kind", KINDS)
async def test_faults_are_off_by_default(kind: str) -> None:
    subject = tracker(kind)
    responses = await probe_many(subject, 25)
    assert [outcome(r) for r in responses] == [(200, True)] * 25
    assert subject.app.state.faults == {}


def test_faults_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError):
        Faults(rate_limit_after=-1)


@pytest.mark.parametrize("kind", KINDS)
async def test_rate_limit_hits_after_n_requests_and_recovers(kind: str) -> None:
    subject = tracker(kind, Faults(rate_limit_after=2, rate_limit_for=3, retry_after=30))
    responses = await probe_many(subject, 7)
    limited = {"jira": 429, "github": 403, "linear": 400}[kind]
    assert [r.status_code for r in responses] == [200, 200, limited, limited, limited, 200, 200]
    assert subject.app.state.faults == {"rate_limit": 3}


async def test_jira_rate_limit_shape() -> None:
    subject = tracker("jira", Faults(rate_limit_after=0, retry_after=120))
    (response,) = await probe_many(subject, 1)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "120"
    reset = datetime.strptime(response.headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%MZ")
    assert 60 <= reset.replace(tzinfo=UTC).timestamp() - time.time() <= 120
    assert response.json()["errorMessages"]


async def test_github_rest_rate_limit_shape() -> None:
    subject = tracker("github", Faults(rate_limit_after=0, retry_after=30))
    (response,) = await probe_many(subject, 1)
    assert response.status_code == 403
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers["x-ratelimit-resource"] == "core"
    assert 29 <= int(response.headers["x-ratelimit-reset"]) - time.time() <= 31
    assert "rate limit" in response.json()["message"]


async def test_github_graphql_rate_limit_is_http_200() -> None:
    subject = tracker("github", Faults(rate_limit_after=0, retry_after=30))
    async with subject.client() as client:
        response = await client.post("/graphql", json={"query": "{ viewer { login } }"})
    assert response.status_code == 200
    assert response.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert response.headers["x-ratelimit-resource"] == "graphql"
    assert response.headers["x-ratelimit-remaining"] == "0"


async def test_linear_rate_limit_shape() -> None:
    subject = tracker("linear", Faults(rate_limit_after=0, retry_after=30))
    (response,) = await probe_many(subject, 1)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "RATELIMITED"
    assert "data" not in body
    reset_ms = int(response.headers["x-ratelimit-requests-reset"])
    assert 29_000 <= reset_ms - time.time() * 1000 <= 31_000
    assert response.headers["x-ratelimit-requests-remaining"] == "0"
    assert response.headers["retry-after"] == "30"


@pytest.mark.parametrize("kind", KINDS)
async def test_error_rate_serves_server_errors(kind: str) -> None:
    subject = tracker(kind, Faults(error_rate=1.0))
    responses = await probe_many(subject, 20)
    assert {r.status_code for r in responses} == {500, 502, 503}
    assert subject.app.state.faults == {"error": 20}


@pytest.mark.parametrize("kind", KINDS)
async def test_truncated_body_is_the_first_half(kind: str) -> None:
    (clean,) = await probe_many(tracker(kind), 1)
    subject = tracker(kind, Faults(truncate_rate=1.0))
    (cut,) = await probe_many(subject, 1)
    assert cut.status_code == 200
    assert cut.content == clean.content[: len(clean.content) // 2]
    assert int(cut.headers["content-length"]) == len(cut.content)
    with pytest.raises(json.JSONDecodeError):
        cut.json()
    assert subject.app.state.faults == {"truncate": 1}


@pytest.mark.parametrize("kind", KINDS)
async def test_malformed_body_is_not_json(kind: str) -> None:
    subject = tracker(kind, Faults(malformed_rate=1.0))
    responses = await probe_many(subject, 3)
    assert [outcome(r) for r in responses] == [(200, False)] * 3
    assert subject.app.state.faults == {"malformed": 3}


async def test_spoiling_leaves_errors_alone() -> None:
    subject = tracker("jira", Faults(truncate_rate=1.0))
    async with subject.client() as client:
        response = await client.get(JIRA_SEARCH)
    assert response.status_code == 400 and response.json()["errorMessages"]
    assert subject.app.state.faults == {}


@pytest.mark.parametrize("kind", KINDS)
async def test_random_faults_follow_the_seed(kind: str) -> None:
    def mixed(seed: int) -> Faults:
        return Faults(error_rate=0.2, truncate_rate=0.2, malformed_rate=0.2, seed=seed)

    first = [outcome(r) for r in await probe_many(tracker(kind, mixed(11)), 40)]
    again = [outcome(r) for r in await probe_many(tracker(kind, mixed(11)), 40)]
    other = [outcome(r) for r in await probe_many(tracker(kind, mixed(12)), 40)]
    assert first == again != other
    assert {(200, True), (200, False)} <= set(first)
    assert any(status >= 500 for status, _ in first)


@pytest.mark.parametrize("kind", KINDS)
async def test_dropped_connection_is_a_transport_error_over_http(kind: str) -> None:
    subject = tracker(kind, Faults(drop_rate=0.5, seed=1))
    with serve(subject.app) as url:
        async with httpx.AsyncClient(base_url=url, headers=subject.headers) as client:
            dropped = answered = 0
            for _ in range(12):
                try:
                    response = await subject.probe(client)
                except httpx.RemoteProtocolError:
                    dropped += 1
                else:
                    assert response.status_code == 200
                    answered += 1
    assert dropped and answered
    assert subject.app.state.faults == {"drop": dropped}


async def test_dropped_connection_is_a_transport_error_in_process() -> None:
    subject = tracker("github", Faults(drop_rate=1.0))
    async with subject.client() as client:
        with pytest.raises(httpx.TransportError):
            await subject.probe(client)


async def test_slow_answers_wait_before_answering() -> None:
    subject = tracker("linear", Faults(slow_seconds=0.3))
    with serve(subject.app) as url:
        async with httpx.AsyncClient(base_url=url, headers=subject.headers) as client:
            started = time.monotonic()
            assert (await subject.probe(client)).status_code == 200
            assert time.monotonic() - started >= 0.3
            with pytest.raises(httpx.ReadTimeout):
                await client.post("/graphql", json={"query": LINEAR_PAGE}, timeout=0.05)
    assert subject.app.state.faults["slow"] == 2


async def test_jira_repeats_next_page_token() -> None:
    subject = tracker("jira", Faults(repeat_page_token=True))
    async with subject.client() as client:
        first = (await jira_probe(client)).json()["nextPageToken"]
        second = (await jira_probe(client, first)).json()
    assert second["nextPageToken"] == first and second["isLast"] is False
    assert subject.app.state.faults == {"repeat_page_token": 1}


async def test_github_repeats_next_link() -> None:
    subject = tracker("github", Faults(repeat_page_token=True))
    async with subject.client() as client:
        first = (await github_probe(client)).links["next"]["url"]
        second = (await client.get(first)).links["next"]["url"]
        third = (await client.get(second)).links["next"]["url"]
    assert first == second == third
    assert subject.app.state.faults == {"repeat_page_token": 2}


async def test_linear_repeats_end_cursor() -> None:
    subject = tracker("linear", Faults(repeat_page_token=True))
    async with subject.client() as client:
        first = (await linear_probe(client)).json()["data"]["issues"]["pageInfo"]
        body = {"query": LINEAR_PAGE, "variables": {"after": first["endCursor"]}}
        second = (await client.post("/graphql", json=body)).json()["data"]["issues"]["pageInfo"]
    assert second == {"hasNextPage": True, "endCursor": first["endCursor"]}
    assert subject.app.state.faults == {"repeat_page_token": 1}


def updated_times(kind: str, world: Any) -> dict[Any, int]:
    if kind == "jira":
        return {row.id: row.updated_ms for row in world}
    if kind == "github":
        return {row.id: row.updated_at for row in world}
    return {row.id: row.updated_ms for row in world.issues.values()}


@pytest.mark.parametrize("kind", KINDS)
async def test_mutate_while_paging_touches_items_after_each_page(kind: str) -> None:
    subject = tracker(kind, Faults(mutate_while_paging=3))
    before = updated_times(kind, subject.world)
    await probe_many(subject, 1)
    after = updated_times(kind, subject.world)
    moved = [key for key, value in after.items() if value != before[key]]
    assert len(moved) == 3
    assert all(after[key] > max(before.values()) for key in moved)
    await probe_many(subject, 2)
    assert subject.app.state.faults == {"mutate_while_paging": 9}


async def test_mutated_items_move_to_the_end_of_an_updated_listing() -> None:
    subject = tracker("jira", Faults(mutate_while_paging=4, seed=2))
    before = updated_times("jira", subject.world)
    await probe_many(subject, 1)
    moved = {k for k, v in updated_times("jira", subject.world).items() if v > before[k]}
    newest = sorted(subject.world, key=lambda row: row.updated_ms)[-len(moved) :]
    assert {row.id for row in newest} == moved and len(moved) == 4


def test_sim_run_passes_flags_into_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_app(kind: str, items: int, seed: int, faults: Faults | None = None) -> Any:
        seen.update(kind=kind, faults=faults)
        return object(), "creds"

    monkeypatch.setattr("hub.demo.simulator_app", fake_app)
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    flags = [
        "sim", "run", "linear", "--seed", "9", "--rate-limit-after", "5", "--error-rate", "0.1",
        "--slow", "0.2", "--drop-rate", "0.05", "--truncate-rate", "0.03",
        "--malformed-rate", "0.02", "--repeat-page-token", "--mutate-while-paging", "4",
    ]  # fmt: skip
    result = CliRunner().invoke(main, flags)
    assert result.exit_code == 0, result.output
    assert seen["faults"] == Faults(
        rate_limit_after=5,
        error_rate=0.1,
        slow_seconds=0.2,
        drop_rate=0.05,
        truncate_rate=0.03,
        malformed_rate=0.02,
        repeat_page_token=True,
        mutate_while_paging=4,
        seed=9,
    )
