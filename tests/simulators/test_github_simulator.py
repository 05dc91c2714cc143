"""The GitHub simulator behaves like api.github.com (REST and GraphQL), quirks included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from graphql import parse, validate
from starlette.applications import Starlette

from simulators.github import PAGE_REFUSED, create_github_app
from simulators.github_graphql import load_schema
from simulators.github_world import REFERENCE_NOW, GitHubWorld, IssueRow
from simulators.serve import serve

TOKEN = "ghp_test"
ISSUES = "/repos/acme/payments-api/issues"
ISSUE_FIELDS = {
    "url", "repository_url", "html_url", "id", "node_id", "number", "title", "user", "labels",
    "state", "state_reason", "locked", "assignee", "assignees", "milestone", "comments",
    "created_at", "updated_at", "closed_at", "author_association", "body", "type",
    "sub_issues_summary", "parent_issue_url", "issue_dependencies_summary",
}  # fmt: skip
DEPENDENCIES_QUERY = """
query($ids: [ID!]!) {
  rateLimit { cost remaining resetAt limit used }
  nodes(ids: $ids) {
    ... on Issue {
      id databaseId number title state stateReason url updatedAt
      repository { nameWithOwner name owner { login } }
      parent { id number repository { nameWithOwner } }
      subIssuesSummary { total completed percentCompleted }
      issueDependenciesSummary { blockedBy blocking totalBlockedBy totalBlocking }
      subIssues(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id number } }
      blockedBy(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id number } }
      blocking(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id number } }
    }
  }
}
"""


@pytest.fixture
def world() -> GitHubWorld:
    return GitHubWorld(400, seed=5)


@pytest.fixture
def app(world: GitHubWorld) -> Starlette:
    return create_github_app(world, token=TOKEN)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {TOKEN}", "X-GitHub-Api-Version": "2022-11-28"}
    async with httpx.AsyncClient(
        transport=transport, base_url="https://api.github.com", headers=headers
    ) as client:
        yield client


def stamp(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


async def follow(client: httpx.AsyncClient, url: str, **params: Any) -> list[dict[str, Any]]:
    """Every item across pages, following ``rel="next"`` exactly as given."""
    items: list[dict[str, Any]] = []
    response = await client.get(url, params=params)
    while True:
        assert response.status_code == 200, response.text
        items.extend(response.json())
        next_link = response.links.get("next")
        if next_link is None:
            return items
        response = await client.get(next_link["url"])


def related(world: GitHubWorld, predicate: Any) -> IssueRow:
    return next(row for row in world if predicate(row))


async def test_list_defaults_to_open_issues_newest_first_30_per_page(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(ISSUES)
    issues = response.json()
    assert response.status_code == 200
    assert len(issues) == 30
    assert {issue["state"] for issue in issues} == {"open"}
    created = [stamp(issue["created_at"]) for issue in issues]
    assert created == sorted(created, reverse=True)
    assert set(issues[0]) >= ISSUE_FIELDS
    assert all(issue["url"].endswith(f"/issues/{issue['number']}") for issue in issues)
    assert response.headers["x-ratelimit-limit"] == "5000"
    assert response.headers["x-ratelimit-resource"] == "core"
    assert response.headers["x-github-api-version-selected"] == "2022-11-28"
    assert 'rel="next"' in response.headers["link"]


async def test_incremental_listing_returns_each_item_once_with_pull_requests(
    client: httpx.AsyncClient, world: GitHubWorld, app: Starlette
) -> None:
    since = "2026-03-01T00:00:00Z"
    items = await follow(
        client, ISSUES, state="all", sort="updated", direction="asc", since=since, per_page=50
    )
    repo = world.repos["payments-api"]
    expected = {row.id for row in world.rows(repo) if row.updated_at >= stamp(since)}
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    updated = [stamp(item["updated_at"]) for item in items]
    assert updated == sorted(updated)
    pulls = [item for item in items if "pull_request" in item]
    assert pulls and all(
        pull["pull_request"]["url"].endswith(f"/pulls/{pull['number']}") for pull in pulls
    )
    assert app.state.requests["issues.list"] == -(-len(items) // 50)


async def test_next_link_uses_the_repositories_path_and_an_after_cursor(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    response = await client.get(ISSUES, params={"state": "all", "per_page": 5})
    next_url = httpx.URL(response.links["next"]["url"])
    assert next_url.path == f"/repositories/{world.repos['payments-api'].id}/issues"
    assert next_url.params["after"] and "page" not in next_url.params
    assert next_url.params["per_page"] == "5" and next_url.params["state"] == "all"


async def test_page_numbers_past_large_offsets_are_refused(client: httpx.AsyncClient) -> None:
    refused = await client.get(ISSUES, params={"page": 50, "per_page": 100})
    assert refused.status_code == 422
    assert refused.json()["message"] == PAGE_REFUSED
    allowed = await client.get(ISSUES, params={"page": 2, "per_page": 10, "state": "all"})
    assert allowed.status_code == 200 and len(allowed.json()) == 10


async def test_enterprise_prefix_serves_the_same_api(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/v3{ISSUES}", params={"per_page": 2})
    assert response.status_code == 200
    assert response.json()[0]["url"].startswith("https://api.github.com/api/v3/repos/")
    assert "/api/v3/repositories/" in response.links["next"]["url"]
    graphql = await client.post("/api/graphql", json={"query": "{ rateLimit { limit } }"})
    assert graphql.json() == {"data": {"rateLimit": {"limit": 5000}}}


async def test_bad_credentials_are_a_401(client: httpx.AsyncClient, app: Starlette) -> None:
    response = await client.get(ISSUES, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert response.json()["message"] == "Bad credentials"
    assert response.json()["status"] == "401"
    legacy = await client.get(ISSUES, headers={"Authorization": f"token {TOKEN}"})
    assert legacy.status_code == 200
    assert app.state.requests["unauthorized"] == 1


async def test_unknown_repository_is_a_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/repos/acme/nope/issues")
    assert response.status_code == 404 and response.json()["message"] == "Not Found"


async def test_deleted_issue_is_gone_and_transferred_issue_redirects(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    doomed = related(world, lambda row: row.repo.name == "payments-api" and not row.is_pull)
    moved = related(
        world,
        lambda row: row.repo.name == "payments-api" and not row.is_pull and row is not doomed,
    )
    old_number = moved.number
    world.delete(world.key(doomed))
    world.transfer(world.key(moved), "search")
    gone = await client.get(f"{ISSUES}/{doomed.number}")
    assert gone.status_code == 410
    redirect = await client.get(f"{ISSUES}/{old_number}")
    assert redirect.status_code == 301
    target = await client.get(redirect.headers["location"])
    assert target.json()["id"] == moved.id
    assert target.json()["repository_url"].endswith("/repos/acme/search")
    listed = await follow(client, ISSUES, state="all", per_page=100)
    assert {doomed.id, moved.id}.isdisjoint(item["id"] for item in listed)
    elsewhere = await follow(client, "/repos/acme/search/issues", state="all", per_page=100)
    assert moved.id in {item["id"] for item in elsewhere}


async def test_summaries_match_the_relation_endpoints(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    epic = related(world, lambda row: world.children(row))
    blocked = related(
        world, lambda row: any(other.state == "closed" for other in world.blocked_by(row))
    )
    for row in (epic, blocked):
        path = f"/repos/{row.repo.full_name}/issues/{row.number}"
        issue = (await client.get(path)).json()
        children = await follow(client, f"{path}/sub_issues")
        blockers = await follow(client, f"{path}/dependencies/blocked_by")
        blocking = await follow(client, f"{path}/dependencies/blocking")
        summary = issue["sub_issues_summary"]
        assert summary["total"] == len(children)
        assert summary["completed"] == sum(child["state"] == "closed" for child in children)
        deps = issue["issue_dependencies_summary"]
        assert deps["total_blocked_by"] == len(blockers)
        assert deps["blocked_by"] == sum(other["state"] == "open" for other in blockers)
        assert deps["total_blocking"] == len(blocking)
        for child in children:
            assert child["parent_issue_url"] == issue["url"]
            parent = await client.get(f"{child['url']}/parent")
            assert parent.json()["id"] == issue["id"]
    orphan = related(world, lambda row: row.parent_id is None)
    no_parent = await client.get(f"/repos/{orphan.repo.full_name}/issues/{orphan.number}/parent")
    assert no_parent.status_code == 404


async def test_graphql_nodes_return_dependencies_and_validate(
    client: httpx.AsyncClient, world: GitHubWorld, app: Starlette
) -> None:
    blocked = related(world, lambda row: world.blocked_by(row))
    epic = related(world, lambda row: world.children(row))
    schema = load_schema()
    assert validate(schema, parse(DEPENDENCIES_QUERY)) == []
    ids = [blocked.node_id, epic.node_id, "I_kwDOAAAAAc4AAAAB"]
    response = await client.post(
        "/graphql", json={"query": DEPENDENCIES_QUERY, "variables": {"ids": ids}}
    )
    body = response.json()
    assert response.status_code == 200
    assert response.headers["x-ratelimit-resource"] == "graphql"
    first, second, missing = body["data"]["nodes"]
    assert first["databaseId"] == blocked.id
    assert {node["id"] for node in first["blockedBy"]["nodes"]} == {
        row.node_id for row in world.blocked_by(blocked)
    }
    assert first["issueDependenciesSummary"]["totalBlockedBy"] == len(world.blocked_by(blocked))
    assert second["subIssues"]["totalCount"] == len(world.children(epic))
    assert second["subIssuesSummary"]["total"] == len(world.children(epic))
    assert missing is None
    assert body["errors"][0]["type"] == "NOT_FOUND" and body["errors"][0]["path"] == ["nodes", 2]
    assert body["data"]["rateLimit"]["cost"] == 1
    assert app.state.requests["graphql"] == 1


@pytest.mark.parametrize("first", [0, 101])
async def test_graphql_first_must_be_between_1_and_100(
    client: httpx.AsyncClient, world: GitHubWorld, first: int
) -> None:
    row = related(world, lambda row: not row.is_pull)
    query = """query($id: ID!, $n: Int) {
      node(id: $id) { ... on Issue { blockedBy(first: $n) { totalCount } } } }"""
    response = await client.post(
        "/graphql", json={"query": query, "variables": {"id": row.node_id, "n": first}}
    )
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["type"] == "EXCESSIVE_PAGINATION"


async def test_graphql_repository_issues_skip_pull_requests(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    query = """query($after: String) { repository(owner: "acme", name: "identity") {
      issues(first: 100, after: $after, orderBy: {field: UPDATED_AT, direction: ASC}) {
        pageInfo { hasNextPage endCursor } nodes { databaseId } } } }"""
    seen: list[int] = []
    after = None
    while True:
        body = (
            await client.post("/graphql", json={"query": query, "variables": {"after": after}})
        ).json()
        issues = body["data"]["repository"]["issues"]
        seen += [node["databaseId"] for node in issues["nodes"]]
        if not issues["pageInfo"]["hasNextPage"]:
            break
        after = issues["pageInfo"]["endCursor"]
    repo = world.repos["identity"]
    assert sorted(seen) == sorted(row.id for row in world.rows(repo) if not row.is_pull)


async def test_touch_shows_up_with_since(client: httpx.AsyncClient, world: GitHubWorld) -> None:
    row = related(world, lambda row: row.repo.name == "payments-api" and not row.is_pull)
    world.clock.advance(hours=1)
    since = datetime.fromtimestamp(world.clock.now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert await follow(client, ISSUES, state="all", since=since) == []
    world.touch(world.key(row), title="Renamed", labels=["bug"], state="closed")
    items = await follow(client, ISSUES, state="all", since=since)
    assert [item["id"] for item in items] == [row.id]
    assert items[0]["title"] == "Renamed" and items[0]["state_reason"] == "completed"
    assert stamp(items[0]["updated_at"]) > REFERENCE_NOW


async def test_dependency_changes_bump_both_issues(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    blocker = related(world, lambda row: row.repo.name == "search" and not row.is_pull)
    blocked = related(world, lambda row: row.repo.name == "payments-api" and not row.is_pull)
    world.add_dependency(world.key(blocker), world.key(blocked))
    issue = (await client.get(f"{ISSUES}/{blocked.number}")).json()
    assert stamp(issue["updated_at"]) == blocked.updated_at > REFERENCE_NOW
    assert blocker.updated_at > REFERENCE_NOW
    blockers = await follow(client, f"{ISSUES}/{blocked.number}/dependencies/blocked_by")
    assert blocker.id in {item["id"] for item in blockers}


async def test_etag_gives_304(client: httpx.AsyncClient) -> None:
    first = await client.get(f"{ISSUES}/1")
    again = await client.get(f"{ISSUES}/1", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["x-ratelimit-used"] == first.headers["x-ratelimit-used"]


def test_world_is_deterministic_and_shaped() -> None:
    world, twin = GitHubWorld(300, seed=9), GitHubWorld(300, seed=9)
    assert [(row.id, row.updated_at) for row in world] == [(row.id, row.updated_at) for row in twin]
    issues = [row for row in world if not row.is_pull]
    pulls = [row for row in world if row.is_pull]
    assert len(issues) == 300 and len(pulls) == 24
    assert all(row.created_at <= row.updated_at < REFERENCE_NOW for row in world)
    assert any("epic" in row.labels and not world.children(row) for row in issues)
    assert any(other.repo is not row.repo for row in issues for other in world.blocked_by(row))


def test_serve_answers_over_real_http(world: GitHubWorld) -> None:
    app = create_github_app(world, token=TOKEN)
    with serve(app) as base_url:
        response = httpx.get(
            f"{base_url}/api/v3{ISSUES}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert response.status_code == 200
    assert response.json()[0]["url"].startswith(f"{base_url}/api/v3/")
