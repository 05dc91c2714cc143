"""The Linear client and connector over respx: auth, paging, cursors, GraphQL errors, limits.

Also checks every query document against Linear's schema (the in-repo subset the simulator
serves) and keeps each query under Linear's complexity limit at its largest page.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from graphql import FieldNode, SelectionSetNode, VariableNode, build_schema, parse, validate
from pydantic import SecretStr

import simulators
from connectors import connector_for
from connectors.base import Batch, Connector
from connectors.http.retry import RetryPolicy
from connectors.linear import LinearConnector
from connectors.linear.connector import StreamCursor, decode_cursor, encode_cursor
from connectors.linear.queries import MAX_FIRST, QUERIES, TEAMS_QUERY
from hub.contract.config import SourceConfig
from hub.contract.errors import (
    HubError,
    TrackerAuthError,
    TrackerDataError,
    TrackerRequestError,
    TrackerUnavailable,
)
from tests.connectors.conftest import FakeSleep

BASE = "https://api.linear.app"
GRAPHQL = f"{BASE}/graphql"
SCHEMA = Path(simulators.__file__).with_name("linear_schema.graphql")
COMPLEXITY_LIMIT = 10_000
OLD = "2024-11-01T00:00:00.000Z"


def make_source(**update: Any) -> SourceConfig:
    source = SourceConfig(
        name="linear", kind="linear", base_url=BASE, teams=("ENG", "PAY"), token_env="LINEAR_KEY"
    )
    return source.model_copy(update={"token": SecretStr("lin_api_s3cr3t"), **update})


def issue(n: int, updated: str = "2024-11-29T10:00:00.000Z", **fields: Any) -> dict[str, Any]:
    return {
        "id": f"issue-{n}",
        "identifier": f"ENG-{n}",
        "url": f"https://linear.app/acme/issue/ENG-{n}",
        "title": f"Issue {n}",
        "description": None,
        "estimate": None,
        "dueDate": None,
        "createdAt": "2024-11-01T08:00:00.000Z",
        "updatedAt": updated,
        "completedAt": None,
        "archivedAt": None,
        "trashed": False,
        "state": {"name": "Todo", "type": "unstarted"},
        "team": {"key": "ENG"},
        "parent": None,
        "project": None,
        "assignee": None,
        "labels": {"pageInfo": {"hasNextPage": False}, "nodes": []},
        "relations": {"pageInfo": {"hasNextPage": False}, "nodes": []},
        **fields,
    }


def answer(
    field: str, nodes: list[dict[str, Any]], end: str | None = None, **extra: Any
) -> httpx.Response:
    info = {"hasNextPage": end is not None, "endCursor": end}
    body = {"data": {field: {"pageInfo": info, "nodes": nodes}}, **extra}
    return httpx.Response(200, json=body)


def graphql_error(code: str, status: int = 200, **headers: str) -> httpx.Response:
    error = {"message": f"failed: {code}", "extensions": {"code": code}}
    return httpx.Response(status, json={"errors": [error]}, headers=headers)


@pytest.fixture
async def connector(sleep: FakeSleep) -> AsyncIterator[LinearConnector]:
    linear = LinearConnector(make_source(page_size=2), sleep=sleep)
    yield linear
    await linear.aclose()


async def collect(connector: Connector, stream: str, cursor: str | None = None) -> list[Batch]:
    return [b async for b in connector.batches(stream, cursor)]


def sent(route: respx.Route) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


def state(cursor: str | None) -> Any:
    return None if cursor is None else json.loads(cursor)


# --- requests -------------------------------------------------------------------------------


async def test_personal_key_is_sent_without_bearer(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    route = mock.post(GRAPHQL).mock(return_value=answer("issues", []))
    await collect(connector, "issues")

    request = route.calls.last.request
    assert request.headers["authorization"] == "lin_api_s3cr3t"
    assert request.headers["content-type"] == "application/json"


async def test_oauth_token_is_sent_as_bearer(mock: respx.MockRouter) -> None:
    route = mock.post(GRAPHQL).mock(return_value=answer("initiatives", []))
    async with LinearConnector(make_source(token=SecretStr("oauth-t0k3n"))) as linear:
        await collect(linear, "initiatives")
    assert route.calls.last.request.headers["authorization"] == "Bearer oauth-t0k3n"


async def test_first_request_of_each_stream(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    route = mock.post(GRAPHQL).mock(
        side_effect=[answer("initiatives", []), answer("projects", []), answer("issues", [])]
    )
    for stream in connector.streams():
        await collect(connector, stream)

    initiatives, projects, issues = sent(route)
    assert initiatives["variables"] == {"first": 2, "filter": {}, "after": None}
    assert projects["variables"]["filter"] == {
        "accessibleTeams": {"some": {"key": {"in": ["ENG", "PAY"]}}}
    }
    assert issues["variables"]["filter"] == {"team": {"key": {"in": ["ENG", "PAY"]}}}
    for body, field in zip((initiatives, projects, issues), connector.streams(), strict=True):
        assert f"{field}(" in body["query"]
        assert "orderBy: updatedAt" in body["query"]
        assert "includeArchived: true" in body["query"]


async def test_first_is_capped_per_stream(mock: respx.MockRouter) -> None:
    route = mock.post(GRAPHQL).mock(
        side_effect=[answer("initiatives", []), answer("projects", []), answer("issues", [])]
    )
    async with LinearConnector(make_source(page_size=250)) as linear:
        for stream in linear.streams():
            await collect(linear, stream)
    assert [b["variables"]["first"] for b in sent(route)] == [250, 60, 240]
    assert max(MAX_FIRST.values()) <= 250


# --- paging and cursors ---------------------------------------------------------------------


async def test_paging_follows_end_cursor_until_no_next_page(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    route = mock.post(GRAPHQL).mock(
        side_effect=[
            answer("issues", [issue(1), issue(2)], end="c-2"),
            answer("issues", [issue(3), issue(4)], end="c-4"),
            answer("issues", [issue(5)]),
        ]
    )
    batches = await collect(connector, "issues")

    assert [[i.key for i in b.items] for b in batches] == [
        ["ENG-1", "ENG-2"],
        ["ENG-3", "ENG-4"],
        ["ENG-5"],
    ]
    assert [b["variables"]["after"] for b in sent(route)] == [None, "c-2", "c-4"]
    assert connector.stats.requests == 3


async def test_descending_pass_commits_the_newest_only_at_its_end(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    """Linear lists newest first, so the mark stays at ``since`` until the pass is over."""
    route = mock.post(GRAPHQL).mock(
        side_effect=[
            answer(
                "issues",
                [issue(1, "2024-11-29T12:00:00.500Z"), issue(2, "2024-11-29T11:00:00.000Z")],
                end="c-2",
            ),
            answer("issues", [issue(3, "2024-11-29T10:00:00.000Z")]),
        ]
    )
    cursor = encode_cursor(StreamCursor(since=decode_cursor(json.dumps({"since": OLD})).since))
    batches = await collect(connector, "issues", cursor)

    assert [state(b.cursor) for b in batches] == [
        {"since": OLD, "after": "c-2", "max": "2024-11-29T12:00:00.500Z"},
        {"since": "2024-11-29T12:00:00.500Z"},
    ]
    assert sent(route)[0]["variables"]["filter"]["updatedAt"] == {"gt": OLD}


async def test_resume_after_a_failure_mid_stream_continues_the_same_pass(
    mock: respx.MockRouter, sleep: FakeSleep
) -> None:
    newest = "2024-11-29T12:00:00.000Z"
    route = mock.post(GRAPHQL).mock(
        side_effect=[
            answer("issues", [issue(1, newest), issue(2, "2024-11-29T11:00:00.000Z")], end="c-2"),
            httpx.Response(503),
        ]
    )
    source = make_source(page_size=2)
    stored: str | None = json.dumps({"since": OLD})
    async with LinearConnector(source, sleep=sleep, policy=RetryPolicy(attempts=1)) as linear:
        with pytest.raises(TrackerUnavailable):
            async for batch in linear.batches("issues", stored):
                stored = batch.cursor  # the engine stores each page with its cursor

    assert state(stored) == {"since": OLD, "after": "c-2", "max": newest}

    route.side_effect = [answer("issues", [issue(3, "2024-11-29T10:00:00.000Z")])]
    async with LinearConnector(source, sleep=sleep) as linear:
        batches = await collect(linear, "issues", stored)

    resumed = sent(route)[-1]["variables"]
    assert resumed["after"] == "c-2"
    assert resumed["filter"]["updatedAt"] == {"gt": OLD}
    assert [i.key for i in batches[0].items] == ["ENG-3"]
    assert state(batches[-1].cursor) == {"since": newest}


async def test_unchanged_resync_costs_one_request_per_stream(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    route = mock.post(GRAPHQL).mock(
        side_effect=[answer("initiatives", []), answer("projects", []), answer("issues", [])]
    )
    cursor = json.dumps({"since": OLD})
    for stream in connector.streams():
        assert await collect(connector, stream, cursor) == [
            Batch(items=[], cursor='{"since":"2024-11-01T00:00:00.000Z"}', skipped=[])
        ]
    assert route.call_count == 3
    assert connector.stats.requests == 3


async def test_full_sync_of_an_empty_scope_has_no_cursor(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    mock.post(GRAPHQL).mock(return_value=answer("projects", []))
    assert await collect(connector, "projects") == [Batch(items=[], cursor=None, skipped=[])]


async def test_repeated_end_cursor_is_a_data_error(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    mock.post(GRAPHQL).mock(
        side_effect=[
            answer("issues", [issue(1)], end="same"),
            answer("issues", [issue(2)], end="same"),
        ]
    )
    with pytest.raises(TrackerDataError, match="endCursor"):
        await collect(connector, "issues")


@pytest.mark.parametrize(
    "cursor", ["garbage", "[]", '{"after": "x"}', '{"since": "yesterday"}', '{"since": 5}']
)
def test_unreadable_cursor_asks_for_a_full_sync(cursor: str) -> None:
    with pytest.raises(HubError, match="full sync"):
        decode_cursor(cursor)


async def test_unmappable_node_is_skipped_and_still_moves_the_mark(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    odd = issue(2, "2024-11-30T00:00:00.000Z", state={"name": "Parked", "type": "icebox"})
    mock.post(GRAPHQL).mock(return_value=answer("issues", [issue(1), odd, issue(1)]))
    [only] = await collect(connector, "issues")

    assert [i.key for i in only.items] == ["ENG-1"]
    assert [s.key for s in only.skipped] == ["ENG-2"]
    assert "Parked" in only.skipped[0].reason
    assert state(only.cursor) == {"since": "2024-11-30T00:00:00.000Z"}


async def test_truncated_nested_list_is_logged(
    mock: respx.MockRouter, connector: LinearConnector, caplog: pytest.LogCaptureFixture
) -> None:
    many = {"nodes": [{"name": f"l{n}"} for n in range(10)]}
    mock.post(GRAPHQL).mock(return_value=answer("issues", [issue(1, labels=many)]))
    with caplog.at_level(logging.WARNING):
        [only] = await collect(connector, "issues")
    assert len(only.items[0].labels) == 10
    assert "ENG-1" in caplog.text and "labels" in caplog.text


# --- GraphQL errors and rate limits ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("GRAPHQL_VALIDATION_FAILED", TrackerRequestError),
        ("INVALID_INPUT", TrackerRequestError),
        ("AUTHENTICATION_ERROR", TrackerAuthError),
        ("FORBIDDEN", TrackerAuthError),
        ("INTERNAL_SERVER_ERROR", TrackerDataError),
    ],
)
async def test_errors_without_data_fail(
    mock: respx.MockRouter, connector: LinearConnector, code: str, error: type[Exception]
) -> None:
    route = mock.post(GRAPHQL).mock(return_value=graphql_error(code))
    with pytest.raises(error) as caught:
        await collect(connector, "issues")
    assert route.call_count == 1
    assert "lin_api_s3cr3t" not in str(caught.value)


async def test_http_400_authentication_error_is_an_auth_error(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    mock.post(GRAPHQL).mock(return_value=graphql_error("AUTHENTICATION_ERROR", status=400))
    with pytest.raises(TrackerAuthError):
        await collect(connector, "issues")


async def test_partial_data_yields_items_and_a_warning(
    mock: respx.MockRouter, connector: LinearConnector, caplog: pytest.LogCaptureFixture
) -> None:
    errors = [{"message": "assignee hidden", "path": ["issues", "nodes", 0, "assignee"]}]
    mock.post(GRAPHQL).mock(return_value=answer("issues", [issue(1)], errors=errors))
    with caplog.at_level(logging.WARNING):
        [only] = await collect(connector, "issues")
    assert [i.key for i in only.items] == ["ENG-1"]
    assert "assignee hidden" in caplog.text


async def test_http_400_ratelimited_is_retried_after_the_reset(
    mock: respx.MockRouter, connector: LinearConnector, sleep: FakeSleep
) -> None:
    reset_ms = str(int((time.time() + 30) * 1000))
    route = mock.post(GRAPHQL).mock(
        side_effect=[
            graphql_error("RATELIMITED", status=400, **{"x-ratelimit-requests-reset": reset_ms}),
            answer("issues", [issue(1)]),
        ]
    )
    [only] = await collect(connector, "issues")

    assert [i.key for i in only.items] == ["ENG-1"]
    assert route.call_count == 2
    assert len(sleep.waits) == 1 and sleep.waits[0] >= 29
    assert connector.stats.retries == 1


@pytest.mark.parametrize(
    "limited",
    [
        graphql_error("RATELIMITED", status=200, **{"retry-after": "5"}),
        httpx.Response(429, headers={"retry-after": "5"}),
    ],
)
async def test_other_rate_limit_answers_are_retried(
    mock: respx.MockRouter, connector: LinearConnector, sleep: FakeSleep, limited: httpx.Response
) -> None:
    mock.post(GRAPHQL).mock(side_effect=[limited, answer("issues", [])])
    await collect(connector, "issues")
    assert len(sleep.waits) == 1 and sleep.waits[0] >= 5


async def test_body_without_the_connection_is_a_data_error(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    mock.post(GRAPHQL).respond(200, json={"data": {"issues": None}})
    with pytest.raises(TrackerDataError, match="issues.nodes"):
        await collect(connector, "issues")


# --- registry and schema --------------------------------------------------------------------


async def test_connector_for_picks_linear() -> None:
    linear = connector_for(make_source(), transport=httpx.MockTransport(lambda r: answer("", [])))
    try:
        assert isinstance(linear, LinearConnector)
        assert linear.streams() == ("initiatives", "projects", "issues")
    finally:
        await linear.aclose()


@pytest.mark.parametrize("stream", sorted(QUERIES))
def test_query_is_valid_against_linears_schema(stream: str) -> None:
    schema = build_schema(SCHEMA.read_text(encoding="utf-8"))
    assert validate(schema, parse(QUERIES[stream])) == []


@pytest.mark.parametrize("stream", sorted(QUERIES))
def test_query_complexity_fits_linears_limit(stream: str) -> None:
    """Linear's rule: 0.1 per scalar, 1 per object, connections multiply by ``first``."""
    operation = parse(QUERIES[stream]).definitions[0]
    selection = getattr(operation, "selection_set", None)
    assert isinstance(selection, SelectionSetNode)
    assert _complexity(selection, MAX_FIRST[stream]) <= COMPLEXITY_LIMIT


def _complexity(selection: SelectionSetNode, page: int) -> float:
    total = 0.0
    for field in selection.selections:
        assert isinstance(field, FieldNode)
        if field.selection_set is None:
            total += 0.1
            continue
        first = next((a.value for a in field.arguments or () if a.name.value == "first"), None)
        if first is None:
            total += 1 + _complexity(field.selection_set, page)
            continue
        size = page if isinstance(first, VariableNode) else int(getattr(first, "value", 50))
        total += 1 + size * _complexity(field.selection_set, page)
    return total


# --- teams ------------------------------------------------------------------------------------


async def test_prepare_asks_for_the_sources_teams_by_key(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    route = mock.post(GRAPHQL).mock(return_value=answer("teams", [{"key": "ENG"}, {"key": "PAY"}]))
    await connector.prepare()

    (body,) = sent(route)
    assert body["query"] == TEAMS_QUERY
    assert body["variables"]["filter"] == {"key": {"in": ["ENG", "PAY"]}}


async def test_teams_that_do_not_exist_fail_the_sync_naming_them(
    mock: respx.MockRouter, connector: LinearConnector
) -> None:
    mock.post(GRAPHQL).mock(return_value=answer("teams", [{"key": "ENG"}]))
    with pytest.raises(TrackerRequestError, match="Linear teams not found: PAY;"):
        await connector.prepare()


def test_teams_query_is_valid_against_linears_schema() -> None:
    schema = build_schema(SCHEMA.read_text(encoding="utf-8"))
    assert validate(schema, parse(TEAMS_QUERY)) == []


async def test_a_team_typo_fails_against_the_simulator() -> None:
    """The simulator answers ``teams(filter: {key: {in: [...]}})`` as Linear does."""
    app = simulators.create_linear_app(simulators.LinearWorld(20, seed=1), api_key="lin_api_s3cr3t")
    source = make_source(teams=("ENG", "PAYY", "DATA", "NOPE"))
    async with LinearConnector(source, transport=httpx.ASGITransport(app=app)) as linear:
        with pytest.raises(TrackerRequestError, match="Linear teams not found: PAYY, NOPE;"):
            await linear.prepare()
    async with LinearConnector(
        make_source(teams=("ENG", "DATA")), transport=httpx.ASGITransport(app=app)
    ) as linear:
        await linear.prepare()
