"""The Linear simulator behaves like Linear's GraphQL API, quirks included."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import build_schema
from starlette.applications import Starlette

from simulators import LinearWorld, create_linear_app, serve
from simulators.linear import SCHEMA_PATH

KEY = "lin_api_test"
PAGE = """
query Page($after: String, $filter: IssueFilter, $archived: Boolean) {
  issues(first: 250, after: $after, filter: $filter, orderBy: updatedAt,
         includeArchived: $archived) {
    pageInfo { hasNextPage endCursor }
    nodes { id identifier updatedAt archivedAt trashed team { key } }
  }
}
"""


@pytest.fixture
def world() -> LinearWorld:
    return LinearWorld(1000, seed=3)


@pytest.fixture
def app(world: LinearWorld) -> Starlette:
    return create_linear_app(world, api_key=KEY, oauth_token="oauth-token")


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://api.linear.app", headers={"Authorization": KEY}
    ) as client:
        yield client


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def all_issues(client: httpx.AsyncClient, **variables: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql(client, PAGE, after=after, **variables))["issues"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_schema_is_a_buildable_subset() -> None:
    schema = build_schema(SCHEMA_PATH.read_text())
    assert {"issues", "issue", "projects", "initiatives", "teams", "viewer"} <= set(
        schema.query_type.fields if schema.query_type else {}
    )


async def test_issue_payload_has_linear_shape(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    query = """{ issues(first: 3) { edges { cursor node { id identifier title priority
      estimate dueDate url createdAt updatedAt state { id name type } team { id key name }
      labels(first: 10) { nodes { id name } } parent { id identifier } project { id } } } } }"""
    edges = (await gql(client, query))["issues"]["edges"]
    node = edges[0]["node"]
    assert edges[0]["cursor"]
    assert node["identifier"].startswith(node["team"]["key"] + "-")
    assert node["url"].startswith("https://linear.app/")
    # Linear types priority as Float: 2.0 on the wire for the stored 2, never the bare int.
    assert isinstance(node["priority"], float)
    assert node["priority"] == world.require(node["identifier"]).priority
    assert len(node["updatedAt"]) == len("2026-10-30T12:34:56.789Z")
    assert node["updatedAt"].endswith("Z") and node["updatedAt"] < "2026-11-01"
    created = [edge["node"]["createdAt"] for edge in edges]
    assert created == sorted(created, reverse=True)


async def test_pagination_returns_each_visible_issue_once(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    nodes = await all_issues(client, archived=True)
    assert len(nodes) == len({node["id"] for node in nodes}) == len(world)
    stamps = [node["updatedAt"] for node in nodes]
    assert stamps == sorted(stamps, reverse=True)


async def test_page_over_250_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ issues(first: 251) { nodes { id } } }"}
    )
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_archived_and_trashed_hidden_unless_asked(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    hidden = await all_issues(client)
    shown = await all_issues(client, archived=True)
    assert all(node["archivedAt"] is None and node["trashed"] is None for node in hidden)
    assert any(node["trashed"] for node in shown)
    assert any(node["archivedAt"] and not node["trashed"] for node in shown)
    assert len(hidden) == sum(
        row.archived_ms is None and not row.trashed for row in world.issues.values()
    )


async def test_updated_filter_sees_a_touched_issue_first(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    cutoff = "2026-10-25T00:00:00.000Z"
    before = await all_issues(client, filter={"updatedAt": {"gt": cutoff}}, archived=True)
    assert all(node["updatedAt"] > cutoff for node in before)
    row = world.touch("ENG-5", title="Renamed")
    after = await all_issues(client, filter={"updatedAt": {"gt": cutoff}}, archived=True)
    assert after[0]["identifier"] == row.identifier == "ENG-5"
    assert [node["identifier"] for node in after].count("ENG-5") == 1
    assert {node["id"] for node in before} <= {node["id"] for node in after}


async def test_team_filter(client: httpx.AsyncClient) -> None:
    nodes = await all_issues(client, filter={"team": {"key": {"in": ["INFRA", "DATA"]}}})
    assert nodes and {node["team"]["key"] for node in nodes} == {"INFRA", "DATA"}


async def test_blocks_stored_once_and_seen_inversely(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    world.relate("ENG-1", "ENG-2")
    query = """query($id: String!) { issue(id: $id) {
      relations { nodes { type issue { identifier } relatedIssue { identifier } } }
      inverseRelations { nodes { type issue { identifier } relatedIssue { identifier } } } } }"""
    blocker = (await gql(client, query, id="ENG-1"))["issue"]
    blocked = (await gql(client, query, id="ENG-2"))["issue"]
    expected = {
        "type": "blocks",
        "issue": {"identifier": "ENG-1"},
        "relatedIssue": {"identifier": "ENG-2"},
    }
    assert expected in blocker["relations"]["nodes"]
    assert expected in blocked["inverseRelations"]["nodes"]
    assert expected not in blocked["relations"]["nodes"]


async def test_api_key_with_bearer_is_rejected(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.linear.app") as raw:
        query = {"query": "{ viewer { id email } }"}
        bearer = await raw.post("/graphql", json=query, headers={"Authorization": f"Bearer {KEY}"})
        missing = await raw.post("/graphql", json=query)
        oauth = await raw.post(
            "/graphql", json=query, headers={"Authorization": "Bearer oauth-token"}
        )
        plain = await raw.post("/graphql", json=query, headers={"Authorization": KEY})
    for response in (bearer, missing):
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "AUTHENTICATION_ERROR"
    assert oauth.status_code == plain.status_code == 200
    assert plain.json()["data"]["viewer"]["email"].endswith("@example.com")


async def test_rate_limit_after_n_requests(world: LinearWorld) -> None:
    app = create_linear_app(world, api_key=KEY, rate_limit_after=2)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://api.linear.app", headers={"Authorization": KEY}
    ) as client:
        statuses = [
            (await client.post("/graphql", json={"query": "{ teams { nodes { key } } }"}))
            for _ in range(3)
        ]
    assert [r.status_code for r in statuses] == [200, 200, 400]
    assert statuses[2].json()["errors"][0]["extensions"]["code"] == "RATELIMITED"
    assert app.state.requests["teams"] == 3


async def test_rate_limit_headers_reset_in_ms(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ teams { nodes { key } } }"})
    now_ms = time.time() * 1000
    for kind in ("requests", "complexity"):
        assert int(response.headers[f"x-ratelimit-{kind}-limit"]) > 0
        assert int(response.headers[f"x-ratelimit-{kind}-remaining"]) >= 0
        assert now_ms < int(response.headers[f"x-ratelimit-{kind}-reset"]) < now_ms + 2 * 3600_000
    assert int(response.headers["x-complexity"]) >= 1


async def test_invalid_query_has_errors_and_no_data(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ issues { nodes { nope } } }"})
    body = response.json()
    assert response.status_code == 400
    assert "data" not in body and body["errors"]


async def test_too_complex_query_is_refused(client: httpx.AsyncClient) -> None:
    query = "{ issues(first: 250) { nodes { labels { nodes { id name } } } } }"
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Query too complex"


async def test_projects_and_initiatives(client: httpx.AsyncClient) -> None:
    query = """{ projects(first: 50, filter: {accessibleTeams: {some: {key: {eq: "ENG"}}}}) {
        nodes { id status { type } progress teams { nodes { key } } initiatives { nodes { id } } } }
      initiatives { nodes { id status projects { nodes { id } } } } }"""
    data = await gql(client, query)
    projects = data["projects"]["nodes"]
    assert projects and all(
        "ENG" in {team["key"] for team in p["teams"]["nodes"]} for p in projects
    )
    assert all(0 <= p["progress"] <= 1 for p in projects)
    statuses = {i["status"] for i in data["initiatives"]["nodes"]}
    assert statuses <= {"Proposed", "Planned", "Active", "Completed", "Canceled"}


def test_world_is_deterministic_and_fast() -> None:
    started = time.perf_counter()
    big = LinearWorld(20_000)
    assert time.perf_counter() - started < 10
    assert [r.identifier for r in list(LinearWorld(50).issues.values())[:5]] == [
        r.identifier for r in list(LinearWorld(50).issues.values())[:5]
    ]
    assert len(big) == 20_000 and len(big.projects) >= 4 and len(big.initiatives) >= 2


def test_serves_over_real_http(world: LinearWorld) -> None:
    app = create_linear_app(world, api_key=KEY)
    with serve(app) as base_url:
        response = httpx.post(
            f"{base_url}/graphql",
            json={"query": "{ teams { nodes { key name } } }"},
            headers={"Authorization": KEY},
        )
    keys = {team["key"] for team in response.json()["data"]["teams"]["nodes"]}
    assert keys == {"ENG", "INFRA", "DATA"}


async def test_the_complexity_budget_is_linears_unless_raised(world: LinearWorld) -> None:
    async def budget(app: Starlette) -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://linear") as client:
            response = await client.post(
                "/graphql",
                json={"query": "{ teams { nodes { key } } }"},
                headers={"Authorization": "lin_api_test"},
            )
        limit = int(response.headers["x-ratelimit-complexity-limit"])
        spent = int(response.headers["x-complexity"])
        assert int(response.headers["x-ratelimit-complexity-remaining"]) == limit - spent
        return limit, spent

    assert (await budget(create_linear_app(world, api_key="lin_api_test")))[0] == 3_000_000
    raised = create_linear_app(world, api_key="lin_api_test", complexity_per_hour=50_000_000)
    assert (await budget(raised))[0] == 50_000_000
