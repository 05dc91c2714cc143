"""The Linear simulator serves plans as Linear's API does: project milestones, cycles, health
from status updates, sub-initiatives and project relations, and edits bump ``updatedAt``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators import LinearWorld, create_linear_app

KEY = "lin_api_test"
MILESTONE_FIELDS = "id name description targetDate status progress sortOrder project { id }"


@pytest.fixture
def world() -> LinearWorld:
    return LinearWorld(200, seed=5)


@pytest.fixture
def app(world: LinearWorld) -> Starlette:
    return create_linear_app(world, api_key=KEY)


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


def _project(world: LinearWorld, *, started: bool = False) -> str:
    rows = [p for p in world.projects.values() if p.archived_ms is None]
    if started:
        rows = [p for p in rows if p.status[1] == "started"]
    return rows[0].id


def _open_issue(world: LinearWorld, project_id: str | None = None) -> Any:
    return next(
        i
        for i in world.issues.values()
        if not i.trashed
        and i.archived_ms is None
        and i.state.type == "unstarted"
        and (project_id is None or i.project_id == project_id)
    )


async def test_project_milestones_have_linears_fields_and_derived_status(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    project_id = next(p.id for p in world.projects.values() if not p.milestone_ids)
    late = world.add_milestone(project_id, "Beta", "2020-01-01", description="Old date")
    soon = world.add_milestone(project_id, "GA", "2099-06-30")
    later = world.add_milestone(project_id, "Scale", "2099-12-31")
    issue = _open_issue(world)
    world.set_issue_milestone(issue.identifier, soon.id)
    query = f"""query($id: String!) {{ project(id: $id) {{
        projectMilestones(first: 50) {{ nodes {{ {MILESTONE_FIELDS} }} }} }} }}"""
    nodes = (await gql(client, query, id=project_id))["project"]["projectMilestones"]["nodes"]
    by_id = {node["id"]: node for node in nodes}
    assert by_id[late.id] == {
        "id": late.id,
        "name": "Beta",
        "description": "Old date",
        "targetDate": "2020-01-01",
        "status": "overdue",
        "progress": 0.0,
        "sortOrder": late.sort_order,
        "project": {"id": project_id},
    }
    assert by_id[soon.id]["status"] == "next"
    assert by_id[later.id]["status"] == "unstarted"
    assert later.sort_order > soon.sort_order > late.sort_order

    world.touch(issue.identifier, state="Done")
    query = """query($id: String!) { projectMilestone(id: $id) {
        status progress issues { nodes { identifier projectMilestone { id } } } } }"""
    milestone = (await gql(client, query, id=soon.id))["projectMilestone"]
    assert milestone == {
        "status": "done",
        "progress": 1.0,
        "issues": {
            "nodes": [{"identifier": issue.identifier, "projectMilestone": {"id": soon.id}}]
        },
    }


async def test_milestones_page_with_first_and_after(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    project_id = _project(world)
    made = {world.add_milestone(project_id, f"Step {n}").id for n in range(5)}
    query = """query($id: String!, $after: String) { project(id: $id) {
        projectMilestones(first: 2, after: $after) {
          pageInfo { hasNextPage endCursor } nodes { id } } } }"""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await gql(client, query, id=project_id, after=after)
        connection = data["project"]["projectMilestones"]
        seen += [node["id"] for node in connection["nodes"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert made <= set(seen)
    assert len(seen) == len(set(seen)) == len(world.projects[project_id].milestone_ids)
    assert pages == -(-len(seen) // 2)


async def test_issue_cycle_and_team_cycles(client: httpx.AsyncClient, world: LinearWorld) -> None:
    cycle = world.add_cycle("ENG", 99, "2026-11-02T00:00:00Z", "2026-11-16", name="Launch")
    issue = next(i for i in world.issues.values() if i.team.key == "ENG" and not i.trashed)
    world.set_issue_cycle(issue.identifier, cycle.id)
    query = """query($id: String!) { issue(id: $id) {
        cycle { id number name startsAt endsAt completedAt team { key } } } }"""
    data = await gql(client, query, id=issue.identifier)
    assert data["issue"]["cycle"] == {
        "id": cycle.id,
        "number": 99.0,
        "name": "Launch",
        "startsAt": "2026-11-02T00:00:00.000Z",
        "endsAt": "2026-11-16T00:00:00.000Z",
        "completedAt": None,
        "team": {"key": "ENG"},
    }
    query = """{ teams(first: 1, filter: {key: {eq: "ENG"}}) { nodes {
        cycles(first: 5, filter: {number: {eq: 99}}) {
          nodes { id issues(first: 5) { nodes { id } } } }
        } } }"""
    team = (await gql(client, query))["teams"]["nodes"][0]
    assert team["cycles"]["nodes"] == [{"id": cycle.id, "issues": {"nodes": [{"id": issue.id}]}}]
    world.complete_cycle(cycle.id)
    data = await gql(client, "query($id: String!) { cycle(id: $id) { completedAt } }", id=cycle.id)
    assert data["cycle"]["completedAt"] is not None
    generated = await gql(client, "{ cycles(first: 250) { nodes { id } } }")
    assert len(generated["cycles"]["nodes"]) == len(world.cycles)


async def test_project_health_comes_from_its_updates(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    project_id = _project(world)
    first = world.add_project_update(project_id, "atRisk", "Vendor is late.", user="Mia Okafor")
    second = world.add_project_update(project_id, "offTrack", "Slipped a month.")
    query = """query($id: String!) { project(id: $id) {
        health healthUpdatedAt
        lastUpdate { id body health createdAt user { name } }
        projectUpdates { nodes { id health project { id } } } } }"""
    project = (await gql(client, query, id=project_id))["project"]
    assert project["health"] == "offTrack"
    assert project["healthUpdatedAt"] == project["lastUpdate"]["createdAt"]
    assert project["lastUpdate"] == {
        "id": second.id,
        "body": "Slipped a month.",
        "health": "offTrack",
        "createdAt": project["healthUpdatedAt"],
        "user": {"name": world.viewer.name},
    }
    assert [n["id"] for n in project["projectUpdates"]["nodes"]] == [second.id, first.id]
    query = """query($id: ID) { projectUpdates(filter: {project: {id: {eq: $id}}}) {
        nodes { id user { name } } } }"""
    nodes = (await gql(client, query, id=project_id))["projectUpdates"]["nodes"]
    assert nodes[-1] == {"id": first.id, "user": {"name": "Mia Okafor"}}


async def test_generated_health_has_an_update_behind_it(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    project_id = _project(world, started=True)
    query = """query($id: String!) { project(id: $id) {
        health healthUpdatedAt updatedAt lastUpdate { health createdAt } } }"""
    project = (await gql(client, query, id=project_id))["project"]
    assert project["health"] in ("onTrack", "atRisk", "offTrack")
    assert project["lastUpdate"]["health"] == project["health"]
    assert project["healthUpdatedAt"] == project["lastUpdate"]["createdAt"]


async def test_initiative_health_nesting_and_updates(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    parent, child = list(world.initiatives)[:2]
    world.set_parent_initiative(child, None)
    world.set_parent_initiative(child, parent)
    update = world.set_initiative_health(parent, "atRisk", "Hiring is slow.", user="Kai Silva")
    query = """query($id: String!) { initiative(id: $id) {
        health healthUpdatedAt parentInitiative { id }
        subInitiatives { nodes { id parentInitiative { id } } }
        lastUpdate { id body health user { name } initiative { id } }
        initiativeUpdates { nodes { id } } } }"""
    data = (await gql(client, query, id=parent))["initiative"]
    assert data["health"] == "atRisk"
    assert data["healthUpdatedAt"] is not None
    assert {"id": child, "parentInitiative": {"id": parent}} in data["subInitiatives"]["nodes"]
    assert data["lastUpdate"] == {
        "id": update.id,
        "body": "Hiring is slow.",
        "health": "atRisk",
        "user": {"name": "Kai Silva"},
        "initiative": {"id": parent},
    }
    assert data["initiativeUpdates"]["nodes"][0] == {"id": update.id}
    with pytest.raises(ValueError, match="nested under itself"):
        world.set_parent_initiative(parent, child)
    with pytest.raises(ValueError, match="health must be one of"):
        world.set_initiative_health(parent, "fine")


async def test_project_relations_anchor_at_projects_or_milestones(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    first, second = (p.id for p in list(world.projects.values())[:2])
    gate = world.add_milestone(second, "Gate", "2099-01-01")
    relation = world.add_project_relation(first, second, related_milestone_id=gate.id)
    query = """query($id: String!) { project(id: $id) {
        relations { nodes { id type anchorType relatedAnchorType project { id }
          relatedProject { id } projectMilestone { id } relatedProjectMilestone { id name } } }
        } }"""
    nodes = (await gql(client, query, id=first))["project"]["relations"]["nodes"]
    assert {
        "id": relation.id,
        "type": "blocks",
        "anchorType": "end",
        "relatedAnchorType": "milestone",
        "project": {"id": first},
        "relatedProject": {"id": second},
        "projectMilestone": None,
        "relatedProjectMilestone": {"id": gate.id, "name": "Gate"},
    } in nodes
    query = """query($id: String!) { project(id: $id) { inverseRelations { nodes { id } } } }"""
    inverse = (await gql(client, query, id=second))["project"]["inverseRelations"]["nodes"]
    assert {"id": relation.id} in inverse
    everything = await gql(client, "{ projectRelations(orderBy: updatedAt) { nodes { id } } }")
    assert everything["projectRelations"]["nodes"][0] == {"id": relation.id}
    with pytest.raises(ValueError, match="not in project"):
        world.add_project_relation(first, second, milestone_id=gate.id)


async def test_edits_bump_updated_at_for_incremental_sync(
    client: httpx.AsyncClient, world: LinearWorld
) -> None:
    project_id = _project(world)
    issue = _open_issue(world, project_id)
    initiative = next(iter(world.initiatives))
    since = "2026-11-01T00:00:00.000Z"  # after every generated time
    milestone = world.add_milestone(project_id, "Pilot", "2099-03-01")
    world.set_issue_milestone(issue.identifier, milestone.id)
    world.add_project_update(project_id, "onTrack")
    world.set_initiative_health(initiative, "offTrack")
    cycle = next(c for c in world.cycles.values() if c.team_id == issue.team.id)
    world.set_issue_cycle(issue.identifier, cycle.id)
    query = """query($since: DateTimeOrDuration) {
      issues(filter: {updatedAt: {gt: $since}}) { nodes { id } }
      projects(filter: {updatedAt: {gt: $since}}) { nodes { id } }
      initiatives(filter: {updatedAt: {gt: $since}}) { nodes { id } }
      projectMilestones(filter: {updatedAt: {gt: $since}}) { nodes { id } }
    }"""
    data = await gql(client, query, since=since)
    assert data["issues"]["nodes"] == [{"id": issue.id}]
    assert data["projects"]["nodes"] == [{"id": project_id}]
    assert data["initiatives"]["nodes"] == [{"id": initiative}]
    assert data["projectMilestones"]["nodes"] == [{"id": milestone.id}]
    before = world.milestones[milestone.id].updated_ms
    world.touch_milestone(milestone.id, target_date="2099-04-01")
    assert world.milestones[milestone.id].updated_ms > before
    child = list(world.initiatives)[1]
    stamp = world.initiatives[child].updated_ms
    world.set_parent_initiative(child, initiative)
    assert world.initiatives[child].updated_ms > stamp


@pytest.mark.parametrize(
    "query",
    [
        "{ projects { nodes { projectMilestones { nodes { percentage } } } } }",
        "{ projects { nodes { projectMilestones { nodes { status { name } } } } } }",
        "{ projects { nodes { health { type } } } }",
        "{ initiatives { nodes { children { nodes { id } } } } }",
        "{ issues { nodes { cycle { starts } } } }",
        "{ projectMilestones(filter: {status: {eq: done}}) { nodes { id } } }",
    ],
)
async def test_fields_linear_does_not_have_are_refused(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_bad_plan_edits_are_refused_and_change_nothing(world: LinearWorld) -> None:
    issue = next(i for i in world.issues.values() if i.team.key == "INFRA")
    eng_cycle = next(c for c in world.cycles.values() if c.team_id != issue.team.id)
    before = (issue.cycle_id, issue.updated_ms)
    with pytest.raises(ValueError, match="is not a cycle of team INFRA"):
        world.set_issue_cycle(issue.identifier, eng_cycle.id)
    assert (issue.cycle_id, issue.updated_ms) == before
    with pytest.raises(ValueError, match="no team"):
        world.add_cycle("NOPE", 1, "2026-01-01", "2026-01-15")
    with pytest.raises(ValueError, match="end after it starts"):
        world.add_cycle("ENG", 500, "2026-01-15", "2026-01-01")
    with pytest.raises(ValueError, match="already has cycle 1"):
        world.add_cycle("ENG", 1, "2026-01-01", "2026-01-15")
    count = len(world.cycles)
    assert count == len(world.teams) * 12
