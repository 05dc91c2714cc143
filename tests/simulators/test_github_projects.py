"""The GitHub simulator serves Projects (v2) over GraphQL as api.github.com does."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from simulators.github import create_github_app
from simulators.github_world import GitHubWorld, IssueRow, iso

TOKEN = "ghp_test"
ITEMS_QUERY = """
query($number: Int!, $after: String) {
  rateLimit { cost }
  organization(login: "acme") {
    projectV2(number: $number) {
      items(first: 100, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id type isArchived updatedAt
          content {
            ... on Issue { id number repository { nameWithOwner } }
            ... on PullRequest { id number state }
            ... on DraftIssue { id title }
          }
          fieldValues(first: 20) {
            nodes {
              __typename
              ... on ProjectV2ItemFieldDateValue {
                date field { ... on ProjectV2FieldCommon { name } }
              }
              ... on ProjectV2ItemFieldIterationValue {
                iterationId title startDate duration field { ... on ProjectV2FieldCommon { name } }
              }
              ... on ProjectV2ItemFieldSingleSelectValue {
                name optionId field { ... on ProjectV2FieldCommon { name } }
              }
              ... on ProjectV2ItemFieldTextValue { text field { ...named } }
              ... on ProjectV2ItemFieldNumberValue { number field { ...named } }
            }
          }
        }
      }
    }
  }
}
fragment named on ProjectV2FieldConfiguration { ... on ProjectV2FieldCommon { name } }
"""
FIELDS_QUERY = """
query {
  organization(login: "acme") {
    projectV2(number: 7) {
      id number title url closed updatedAt
      fields(first: 20) {
        nodes {
          __typename
          ... on ProjectV2FieldCommon { id name dataType }
          ... on ProjectV2IterationField {
            configuration {
              duration
              iterations { id title startDate duration }
              completedIterations { id title startDate duration }
            }
          }
          ... on ProjectV2SingleSelectField { options { id name } }
        }
      }
    }
  }
}
"""
STATUS_QUERY = """
query($direction: OrderDirection!) {
  organization(login: "acme") {
    projectV2(number: 7) {
      statusUpdates(first: 10, orderBy: {field: CREATED_AT, direction: $direction}) {
        nodes { id status startDate targetDate body createdAt creator { login } }
      }
    }
  }
}
"""
SPRINTS = [("Sprint 1", date(2026, 10, 5), 14), ("Sprint 2", date(2026, 10, 19), 14)]


@pytest.fixture
def world() -> GitHubWorld:
    world = GitHubWorld(400, seed=5)
    world.add_project("acme", 7, "Roadmap")
    world.add_project_field("acme", 7, "Start date", "DATE")
    world.add_project_field("acme", 7, "Target date", "DATE")
    world.add_project_field("acme", 7, "Iteration", "ITERATION", iterations=SPRINTS)
    world.add_project_field("acme", 7, "Estimate", "NUMBER")
    world.add_project_field("acme", 7, "Team", "SINGLE_SELECT", options=["Core", "Edge"])
    return world


@pytest.fixture
async def client(world: GitHubWorld) -> AsyncIterator[httpx.AsyncClient]:
    app = create_github_app(world, token=TOKEN)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://api.github.com", headers=headers
    ) as client:
        yield client


async def ask(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def issues(world: GitHubWorld, *, pulls: bool = False) -> list[IssueRow]:
    return [row for row in world if row.is_pull == pulls]


def by_field(values: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {value["field"]["name"]: value for value in values if value}


async def test_items_page_by_100_with_cursors_and_keep_their_types(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    for row in issues(world)[:230]:
        world.add_to_project("acme", 7, row.repo.name, row.number)
    for row in issues(world, pulls=True)[:10]:
        world.add_to_project("acme", 7, row.repo.name, row.number)
    drafts = [world.add_draft("acme", 7, f"Idea {index}") for index in range(10)]
    expected = [item.node_id for item in world.projects.get("acme", 7).items]

    seen: list[dict[str, Any]] = []
    pages, after = 0, None
    while True:
        body = await ask(client, ITEMS_QUERY, number=7, after=after)
        assert "errors" not in body, body
        items = body["data"]["organization"]["projectV2"]["items"]
        assert items["totalCount"] == 250
        # one request for the items, one per item for its field values: GitHub's cost formula
        assert body["data"]["rateLimit"]["cost"] == math.ceil((1 + 100) / 100)
        seen += items["nodes"]
        pages += 1
        if not items["pageInfo"]["hasNextPage"]:
            break
        after = items["pageInfo"]["endCursor"]

    assert pages == 3 and [len(seen[:100]), len(seen[100:200]), len(seen[200:])] == [100, 100, 50]
    assert [item["id"] for item in seen] == expected
    types = [item["type"] for item in seen]
    assert types.count("ISSUE") == 230 and types.count("PULL_REQUEST") == 10
    assert types.count("DRAFT_ISSUE") == 10
    draft_nodes = [item for item in seen if item["type"] == "DRAFT_ISSUE"]
    assert [item["content"]["title"] for item in draft_nodes] == [
        d.draft.title for d in drafts if d.draft
    ]
    first_issue = issues(world)[0]
    assert seen[0]["content"] == {
        "id": first_issue.node_id,
        "number": first_issue.number,
        "repository": {"nameWithOwner": first_issue.repo.full_name},
    }
    pull = next(item for item in seen if item["type"] == "PULL_REQUEST")
    assert pull["content"]["state"] in {"OPEN", "CLOSED", "MERGED"}
    # every item carries its built-in Title value, in the field's position
    assert all(item["fieldValues"]["nodes"][0]["field"]["name"] == "Title" for item in seen)


async def test_field_values_of_each_kind(client: httpx.AsyncClient, world: GitHubWorld) -> None:
    row = issues(world)[0]
    key = world.key(row)
    item = world.add_to_project("acme", 7, row.repo.name, row.number)
    before = item.updated_at
    world.set_field_value("acme", 7, key, "Start date", date(2026, 11, 3))
    world.set_field_value("acme", 7, key, "Target date", "2027-01-15")
    world.set_field_value("acme", 7, key, "Iteration", "Sprint 2")
    world.set_field_value("acme", 7, key, "Status", "In Progress")
    world.set_field_value("acme", 7, key, "Estimate", 5)
    world.set_field_value("acme", 7, key, "Team", "Edge")
    assert item.updated_at > before and world.projects.get("acme", 7).updated_at == item.updated_at

    body = await ask(client, ITEMS_QUERY, number=7)
    node = body["data"]["organization"]["projectV2"]["items"]["nodes"][0]
    values = by_field(node["fieldValues"]["nodes"])
    sprint = world.projects.get("acme", 7).field_named("Iteration")
    status = world.projects.get("acme", 7).field_named("Status")
    assert sprint is not None and status is not None
    assert values["Title"] == {
        "__typename": "ProjectV2ItemFieldTextValue",
        "text": row.title,
        "field": {"name": "Title"},
    }
    assert values["Start date"]["__typename"] == "ProjectV2ItemFieldDateValue"
    assert values["Start date"]["date"] == "2026-11-03"
    assert values["Target date"]["date"] == "2027-01-15"
    assert values["Iteration"] == {
        "__typename": "ProjectV2ItemFieldIterationValue",
        "iterationId": sprint.iterations[1].id,
        "title": "Sprint 2",
        "startDate": "2026-10-19",
        "duration": 14,
        "field": {"name": "Iteration"},
    }
    assert values["Status"]["name"] == "In Progress"
    assert values["Status"]["optionId"] == status.options[1].id
    assert values["Team"]["__typename"] == "ProjectV2ItemFieldSingleSelectValue"
    assert values["Estimate"] == {
        "__typename": "ProjectV2ItemFieldNumberValue",
        "number": 5.0,
        "field": {"name": "Estimate"},
    }
    assert node["updatedAt"] == iso(item.updated_at)

    world.set_field_value("acme", 7, key, "Team", None)
    body = await ask(client, ITEMS_QUERY, number=7)
    node = body["data"]["organization"]["projectV2"]["items"]["nodes"][0]
    assert "Team" not in by_field(node["fieldValues"]["nodes"])


async def test_fields_describe_dates_iterations_and_options(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    body = await ask(client, FIELDS_QUERY)
    project = body["data"]["organization"]["projectV2"]
    assert project["number"] == 7 and project["title"] == "Roadmap" and project["closed"] is False
    assert project["url"] == "https://github.com/orgs/acme/projects/7"
    fields = {node["name"]: node for node in project["fields"]["nodes"]}
    assert [node["name"] for node in project["fields"]["nodes"]] == [
        "Title", "Status", "Start date", "Target date", "Iteration", "Estimate", "Team",
    ]  # fmt: skip
    assert fields["Start date"]["__typename"] == "ProjectV2Field"
    assert fields["Start date"]["dataType"] == "DATE"
    assert [option["name"] for option in fields["Status"]["options"]] == [
        "Todo", "In Progress", "Done",
    ]  # fmt: skip
    configuration = fields["Iteration"]["configuration"]
    assert fields["Iteration"]["__typename"] == "ProjectV2IterationField"
    # the world's today is 2026-11-01: Sprint 1 ended on 2026-10-19, Sprint 2 is running
    assert [it["title"] for it in configuration["completedIterations"]] == ["Sprint 1"]
    assert configuration["iterations"] == [
        {"id": configuration["iterations"][0]["id"], "title": "Sprint 2",
         "startDate": "2026-10-19", "duration": 14},
    ]  # fmt: skip
    world.close_project("acme", 7)
    closed = (await ask(client, FIELDS_QUERY))["data"]["organization"]["projectV2"]
    assert closed["closed"] is True and closed["updatedAt"] > project["updatedAt"]


async def test_status_updates_come_newest_first(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    world.add_status_update("acme", 7, "ON_TRACK", body="Kick-off", start_date=date(2026, 10, 1))
    world.clock.advance(days=7)
    world.add_status_update(
        "acme", 7, "AT_RISK", body="Vendor late", target_date=date(2027, 1, 15), creator="mia-patel"
    )
    newest = await ask(client, STATUS_QUERY, direction="DESC")
    nodes = newest["data"]["organization"]["projectV2"]["statusUpdates"]["nodes"]
    assert [node["status"] for node in nodes] == ["AT_RISK", "ON_TRACK"]
    assert nodes[0]["targetDate"] == "2027-01-15" and nodes[0]["startDate"] is None
    assert nodes[0]["creator"] == {"login": "mia-patel"} and nodes[0]["body"] == "Vendor late"
    assert nodes[1]["startDate"] == "2026-10-01"
    oldest = await ask(client, STATUS_QUERY, direction="ASC")
    ascending = oldest["data"]["organization"]["projectV2"]["statusUpdates"]["nodes"]
    assert [node["status"] for node in ascending] == ["ON_TRACK", "AT_RISK"]


async def test_user_projects_and_missing_owners_or_numbers(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    world.add_project("mia-patel", 3, "Personal plan", org=False)
    query = """query($login: String!, $number: Int!) {
      user(login: $login) { login projectV2(number: $number) { title url } } }"""
    body = await ask(client, query, login="mia-patel", number=3)
    assert body["data"]["user"]["projectV2"] == {
        "title": "Personal plan",
        "url": "https://github.com/users/mia-patel/projects/3",
    }
    missing = await ask(client, query, login="mia-patel", number=7)
    assert missing["data"]["user"]["projectV2"] is None
    assert missing["errors"][0]["type"] == "NOT_FOUND"
    assert missing["errors"][0]["path"] == ["user", "projectV2"]
    nobody = await ask(client, query, login="nobody-here", number=3)
    assert nobody["data"]["user"] is None and nobody["errors"][0]["type"] == "NOT_FOUND"
    org = await ask(client, ITEMS_QUERY.replace('"acme"', '"globex"'), number=7)
    assert org["data"]["organization"] is None and org["errors"][0]["type"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("selection", "kind", "message"),
    [
        (
            "items(first: 10) { nodes { bogus } }",
            {"code": "undefinedField", "typeName": "ProjectV2Item", "fieldName": "bogus"},
            "Field 'bogus' doesn't exist on type 'ProjectV2Item'",
        ),
        (
            'items(first: 10, since: "2026-01-01") { totalCount }',
            {"code": "argumentNotAccepted", "name": "items", "argumentName": "since"},
            "Field 'items' doesn't accept argument 'since'",
        ),
        (
            "statusUpdates(first: 5) { nodes { health } }",
            {"code": "undefinedField", "typeName": "ProjectV2StatusUpdate", "fieldName": "health"},
            "Field 'health' doesn't exist on type 'ProjectV2StatusUpdate'",
        ),
        ("items { totalCount }", None, "You must provide a `first` or `last` value"),
        ("items(first: 101) { totalCount }", None, "exceeds the `first` limit of 100"),
    ],
)
async def test_unknown_fields_arguments_and_unbounded_pages_are_refused(
    client: httpx.AsyncClient, selection: str, kind: dict[str, str] | None, message: str
) -> None:
    query = f'query {{ organization(login: "acme") {{ projectV2(number: 7) {{ {selection} }} }} }}'
    body = await ask(client, query)
    assert "data" not in body
    error = body["errors"][0]
    assert message in error["message"]
    assert error.get("extensions") == kind


async def test_archived_and_redacted_items(client: httpx.AsyncClient, world: GitHubWorld) -> None:
    first, second = issues(world)[:2]
    world.add_to_project("acme", 7, first.repo.name, first.number)
    world.add_to_project("acme", 7, second.repo.name, second.number)
    world.add_redacted_item("acme", 7)
    world.archive_project_item("acme", 7, world.key(second))
    body = await ask(client, ITEMS_QUERY, number=7)
    nodes = body["data"]["organization"]["projectV2"]["items"]["nodes"]
    assert [node["type"] for node in nodes] == ["ISSUE", "REDACTED"]
    assert nodes[1]["content"] is None and nodes[1]["fieldValues"]["nodes"] == []
    query = """query { organization(login: "acme") { projectV2(number: 7) {
      items(first: 10, archivedStates: [ARCHIVED]) {
        nodes { isArchived content { ... on Issue { id } } } } } } }"""
    archived = await ask(client, query)
    assert archived["data"]["organization"]["projectV2"]["items"]["nodes"] == [
        {"isArchived": True, "content": {"id": second.node_id}}
    ]


def test_world_refuses_bad_project_edits_and_changes_nothing(world: GitHubWorld) -> None:
    row = issues(world)[0]
    item = world.add_to_project("acme", 7, row.repo.name, row.number)
    stamp = item.updated_at
    attempts: list[tuple[type[Exception], str, Any]] = [
        (ValueError, "Start date", "next week"),
        (ValueError, "Iteration", "Sprint 9"),
        (ValueError, "Status", "Blocked"),
        (ValueError, "Estimate", "five"),
        (KeyError, "Priority", "High"),
    ]
    for error, field, value in attempts:
        with pytest.raises(error, match="not a value of|has no"):
            world.set_field_value("acme", 7, world.key(row), field, value)
    assert item.values == {} and item.updated_at == stamp
    with pytest.raises(ValueError, match="already in the project"):
        world.add_to_project("acme", 7, row.repo.name, row.number)
    with pytest.raises(ValueError, match="not one of"):
        world.add_status_update("acme", 7, "GREEN")
    with pytest.raises(ValueError, match="not one of"):
        world.add_project_field("acme", 7, "Due", "DATETIME")
    with pytest.raises(KeyError, match="no organisation"):
        world.add_project("globex", 1, "Elsewhere")
    with pytest.raises(KeyError, match="no project"):
        world.add_draft("acme", 8, "Nowhere")
    assert len(world.projects.get("acme", 7).items) == 1
    assert world.projects.get("acme", 7).status_updates == []


async def test_projects_and_items_resolve_by_node_id(
    client: httpx.AsyncClient, world: GitHubWorld
) -> None:
    row = issues(world)[0]
    item = world.add_to_project("acme", 7, row.repo.name, row.number)
    project = world.projects.get("acme", 7)
    query = """query($ids: [ID!]!) { nodes(ids: $ids) {
      __typename ... on ProjectV2 { number } ... on ProjectV2Item { type project { number } }
      ... on Issue { number } } }"""
    ids = [project.node_id, item.node_id, row.node_id, "PVTI_lADOAAAAAc4AAAAB"]
    body = await ask(client, query, ids=ids)
    assert body["data"]["nodes"] == [
        {"__typename": "ProjectV2", "number": 7},
        {"__typename": "ProjectV2Item", "type": "ISSUE", "project": {"number": 7}},
        {"__typename": "Issue", "number": row.number},
        None,
    ]
    assert body["errors"][0]["type"] == "NOT_FOUND" and body["errors"][0]["path"] == ["nodes", 3]
