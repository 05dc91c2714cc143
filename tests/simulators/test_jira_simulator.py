"""The Jira simulator behaves like Jira Cloud REST v3, quirks included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators import JiraWorld, create_jira_app, serve
from simulators.jira_world import BLOCKS

EMAIL, TOKEN = "pm@acme.example", "secret-token"
SEARCH = "/rest/api/3/search/jql"
ALL_PROJECTS = "(project in (PAY, PLAT))"


@pytest.fixture
def world() -> JiraWorld:
    return JiraWorld(250, seed=3)


@pytest.fixture
def app(world: JiraWorld) -> Starlette:
    return create_jira_app(world, email=EMAIL, token=TOKEN)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://acme.atlassian.net", auth=(EMAIL, TOKEN)
    ) as client:
        yield client


async def search(client: httpx.AsyncClient, jql: str, **params: Any) -> dict[str, Any]:
    response = await client.post(SEARCH, json={"jql": jql, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def search_keys(client: httpx.AsyncClient, jql: str) -> set[str]:
    body = await search(client, jql, fields=["summary"], maxResults=100)
    assert body["isLast"]
    return {issue["key"] for issue in body["issues"]}


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


async def test_default_fields_are_id_only(client: httpx.AsyncClient) -> None:
    response = await client.get(SEARCH, params={"jql": "project = PAY"})
    body = response.json()
    assert response.status_code == 200
    assert len(body["issues"]) == 50
    assert all(issue == {"id": issue["id"]} and issue["id"].isdigit() for issue in body["issues"])
    assert "total" not in body and "startAt" not in body


async def test_requested_fields_have_jira_shapes(client: httpx.AsyncClient) -> None:
    fields = "summary,status,issuetype,updated,description,customfield_10016"
    response = await client.get(
        SEARCH, params={"jql": "project = PLAT", "fields": fields, "maxResults": 5}
    )
    issue = response.json()["issues"][0]
    assert set(issue) == {"expand", "id", "self", "key", "fields"}
    assert issue["self"].endswith(f"/rest/api/3/issue/{issue['id']}")
    assert set(issue["fields"]) == set(fields.split(","))
    assert issue["fields"]["status"]["statusCategory"]["key"] in {"new", "indeterminate", "done"}
    assert "hierarchyLevel" in issue["fields"]["issuetype"]
    assert datetime.strptime(issue["fields"]["updated"], "%Y-%m-%dT%H:%M:%S.%f%z")


async def test_pagination_returns_each_issue_once(client: httpx.AsyncClient) -> None:
    pages, ids, token = [], [], None
    while True:
        params = {"maxResults": 100, "fields": ["summary", "updated"]}
        if token:
            params["nextPageToken"] = token
        page = await search(client, f"{ALL_PROJECTS} ORDER BY updated ASC", **params)
        pages.append(page)
        ids += [issue["id"] for issue in page["issues"]]
        token = page.get("nextPageToken")
        if page["isLast"]:
            break
    assert [len(page["issues"]) for page in pages] == [100, 100, 50]
    assert len(ids) == len(set(ids)) == 250
    assert "nextPageToken" not in pages[-1]
    assert all("nextPageToken" in page and not page["isLast"] for page in pages[:-1])


async def test_page_size_is_capped_by_the_fields_asked(client: httpx.AsyncClient) -> None:
    with_fields = await search(client, ALL_PROJECTS, maxResults=1000, fields=["summary"])
    ids_only = await search(client, ALL_PROJECTS, maxResults=1000)
    assert len(with_fields["issues"]) == 100
    assert len(ids_only["issues"]) == 250 and ids_only["isLast"]


@pytest.mark.parametrize(
    "jql",
    [
        "ORDER BY updated ASC",
        "updated >= 1732877091000",
        "project = PAY OR project = PLAT",
        "project = NOPE",
        "project = PAY AND summary ~ 'x'",
        "project in (PAY",
    ],
)
async def test_unbounded_or_unsupported_jql_is_a_400(client: httpx.AsyncClient, jql: str) -> None:
    response = await client.get(SEARCH, params={"jql": jql})
    assert response.status_code == 400
    assert response.json()["errorMessages"] and response.json()["errors"] == {}


async def test_token_from_another_query_is_a_400(client: httpx.AsyncClient) -> None:
    first = await search(client, "project = PAY", maxResults=10)
    response = await client.post(
        SEARCH,
        json={"jql": "project = PLAT", "maxResults": 10, "nextPageToken": first["nextPageToken"]},
    )
    assert response.status_code == 400


async def test_quoted_date_is_read_in_the_account_time_zone(
    client: httpx.AsyncClient, world: JiraWorld
) -> None:
    world.clock.now_ms = at("2026-11-02T01:00:30")
    issue = world.touch("PAY-3", summary="After midday in Sydney")
    jql = f"project = PAY AND key = {issue.key} AND updated >= "
    assert await search_keys(client, jql + '"2026/11/02 12:00"') == {issue.key}
    assert await search_keys(client, jql + '"2026-11-02 12:01"') == set()
    assert await search_keys(client, jql + '"2026/11/02 01:01"') == {issue.key}


async def test_epoch_milliseconds_are_truncated_to_the_minute(
    client: httpx.AsyncClient, world: JiraWorld
) -> None:
    world.clock.now_ms = at("2026-11-02T01:00:30")
    issue = world.touch("PLAT-4", summary="Edited")
    jql = f"project in ('PLAT') AND updated >= {issue.updated_ms + 20_000} ORDER BY updated ASC"
    assert issue.key in await search_keys(client, jql)
    later = f"project = PLAT AND updated >= {at('2026-11-02T01:01:00')}"
    assert issue.key not in await search_keys(client, later)


async def test_touch_shows_up_in_an_incremental_query(
    client: httpx.AsyncClient, world: JiraWorld
) -> None:
    since = world.clock.advance(minutes=5)
    jql = f"{ALL_PROJECTS} AND updated >= {since} ORDER BY updated ASC, key ASC"
    assert await search_keys(client, jql) == set()
    world.clock.advance(minutes=1)
    world.touch("PAY-7", status="Done")
    body = await search(client, jql, fields=["status", "resolution"])
    assert [issue["key"] for issue in body["issues"]] == ["PAY-7"]
    fields = body["issues"][0]["fields"]
    assert fields["status"]["statusCategory"]["key"] == "done"
    assert fields["resolution"]["name"] == "Done"


async def test_blocks_link_appears_on_both_issues(
    client: httpx.AsyncClient, world: JiraWorld
) -> None:
    link = world.link("PAY-10", "PLAT-20")
    blocker = (await client.get("/rest/api/3/issue/PAY-10")).json()
    blocked = (await client.get(f"/rest/api/3/issue/{world.require('PLAT-20').id}")).json()
    outward = [entry for entry in blocker["fields"]["issuelinks"] if entry["id"] == str(link.id)]
    inward = [entry for entry in blocked["fields"]["issuelinks"] if entry["id"] == str(link.id)]
    assert outward[0]["type"]["name"] == BLOCKS.name
    assert outward[0]["outwardIssue"]["key"] == "PLAT-20" and "inwardIssue" not in outward[0]
    assert inward[0]["inwardIssue"]["key"] == "PAY-10" and "outwardIssue" not in inward[0]
    assert inward[0]["inwardIssue"]["fields"]["status"]["name"]


async def test_delete_removes_issue_from_search_and_get(
    client: httpx.AsyncClient, world: JiraWorld
) -> None:
    victim = world.require("PLAT-5")
    world.delete("PLAT-5")
    response = await client.get("/rest/api/3/issue/PLAT-5")
    assert response.status_code == 404 and response.json()["errorMessages"]
    census = await client.post("/rest/api/3/search/id", json={"jql": ALL_PROJECTS})
    assert victim.id not in census.json()["issueIds"]


async def test_id_census_pages_integer_ids(client: httpx.AsyncClient, world: JiraWorld) -> None:
    ids: list[int] = []
    body: dict[str, Any] = {"jql": ALL_PROJECTS, "maxResults": 120}
    while True:
        page = (await client.post("/rest/api/3/search/id", json=body)).json()
        ids += page["issueIds"]
        if "nextPageToken" not in page:
            break
        body["nextPageToken"] = page["nextPageToken"]
    assert all(isinstance(issue_id, int) for issue_id in ids)
    assert sorted(ids) == sorted(row.id for row in world)


async def test_wrong_credentials_are_a_401(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://acme.atlassian.net", auth=(EMAIL, "wrong")
    ) as client:
        response = await client.get("/rest/api/3/myself")
    assert response.status_code == 401 and response.json()["errorMessages"]


async def test_bearer_token_and_myself(client: httpx.AsyncClient, app: Starlette) -> None:
    response = await client.get(
        "/rest/api/3/myself", auth=None, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.json()["timeZone"] == "Australia/Sydney"
    assert app.state.requests["/rest/api/3/myself"] == 1


async def test_field_list_names_the_custom_fields(client: httpx.AsyncClient) -> None:
    fields = {field["name"]: field for field in (await client.get("/rest/api/3/field")).json()}
    assert fields["Start date"]["id"] == "customfield_10015" and fields["Start date"]["custom"]
    assert fields["Story point estimate"]["schema"]["type"] == "number"
    assert fields["Summary"]["custom"] is False


def test_world_is_deterministic_and_shaped_like_a_platform_org() -> None:
    first, second = JiraWorld(2000, seed=11), JiraWorld(2000, seed=11)
    assert [(row.key, row.updated_ms) for row in first] == [
        (row.key, row.updated_ms) for row in second
    ]
    levels = [row.issue_type.hierarchy_level for row in first]
    assert levels.count(2) >= 2 and levels.count(1) >= 4 and -1 in levels
    updated = [row.updated_ms for row in first]
    assert updated == sorted(updated) and len(set(updated)) == len(updated)


def test_serve_answers_over_real_http(world: JiraWorld) -> None:
    app = create_jira_app(world, email=EMAIL, token=TOKEN)
    with serve(app) as base_url:
        response = httpx.get(
            f"{base_url}/rest/api/3/search/jql",
            auth=(EMAIL, TOKEN),
            params={"jql": "project = PAY", "fields": "summary"},
        )
    assert response.status_code == 200
    assert response.json()["issues"][0]["self"].startswith(base_url)
