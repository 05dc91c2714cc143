"""GitHub Projects (v2) against the simulator: plan dates and declared health reach the roadmap,
a changed card is re-emitted by its project's stream, and an unchanged re-sync costs one
request per stream."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from connectors.github import GitHubConnector
from hub.contract.config import ProjectRef, SourceConfig
from hub.contract.records import DateSource, Level
from hub.storage.models import WorkItem
from hub.sync import SyncEngine
from simulators import create_github_app
from simulators.github_world import GitHubWorld, IssueRow
from tests.stored import GraphQL

TOKEN = "ghp_projects"
BASE = "http://github.test"
REPOS = ("payments-api", "identity", "search")


def source(**update: Any) -> SourceConfig:
    config = SourceConfig(
        name="gh",
        kind="github",
        base_url=BASE,
        repos=tuple(f"acme/{repo}" for repo in REPOS),
        token_env="GITHUB_TOKEN",
        projects_v2=(ProjectRef(owner="acme", number=7),),
    )
    return config.model_copy(update={"token": SecretStr(TOKEN), **update})


def planned_world() -> tuple[GitHubWorld, IssueRow, IssueRow]:
    """A roadmap project holding an open epic dated by its Target date, a story dated by
    Start date, a draft and a pull request, with an AT_RISK status update."""
    world = GitHubWorld(60, seed=3, repos=REPOS)
    epic = next(r for r in world if not r.is_pull and r.state == "open" and "epic" in r.labels)
    story = next(r for r in world if not r.is_pull and r.state == "open" and r is not epic)
    pull = next(r for r in world if r.is_pull)
    world.add_project("acme", 7, "Roadmap")
    world.add_project_field("acme", 7, "Start date", "DATE")
    world.add_project_field("acme", 7, "Target date", "DATE")
    for row in (epic, story, pull):
        world.add_to_project("acme", 7, row.repo.name, row.number)
    world.add_draft("acme", 7, "An idea, not yet an issue")
    world.set_field_value("acme", 7, world.key(epic), "Target date", "2027-03-31")
    world.set_field_value("acme", 7, world.key(story), "Start date", "2027-01-11")
    world.set_field_value("acme", 7, world.key(story), "Status", "In Progress")
    world.add_status_update("acme", 7, "AT_RISK", body="Vendor API late.")
    return world, epic, story


async def test_a_project_target_date_and_status_update_reach_the_roadmap(
    sessions, graphql: GraphQL
) -> None:
    world, epic, _ = planned_world()
    transport = httpx.ASGITransport(app=create_github_app(world, token=TOKEN))
    report = await SyncEngine(sessions, transport=transport).sync(source())
    assert report.ok, report.error

    data = await graphql(
        "{ roadmap { lanes { epics { item { key targetDate "
        "targetDateSource { source field } declaredHealth { status by note } } } } } }"
    )
    epics = {
        entry["item"]["key"]: entry["item"]
        for lane in data["roadmap"]["lanes"]
        for entry in lane["epics"]
    }
    assert epics[world.key(epic)] == {
        "key": world.key(epic),
        "targetDate": "2027-03-31",
        "targetDateSource": {"source": "PROJECT_FIELD", "field": "Target date"},
        "declaredHealth": {
            "status": "AT_RISK",
            "by": world.users[0].login,
            "note": "Vendor API late.",
        },
    }


async def test_a_changed_card_is_emitted_again_and_an_unchanged_resync_costs_a_request_per_stream(
    sessions,
) -> None:
    world, epic, story = planned_world()
    transport = httpx.ASGITransport(app=create_github_app(world, token=TOKEN))
    engine = SyncEngine(sessions, transport=transport)
    assert (await engine.sync(source())).ok

    unchanged = await engine.sync(source())
    assert unchanged.ok, unchanged.error
    streams = len(REPOS) + 1
    assert unchanged.requests == streams
    assert unchanged.counts.created + unchanged.counts.updated == 0

    world.set_field_value("acme", 7, world.key(story), "Start date", "2027-02-01")
    moved = await engine.sync(source())
    assert moved.ok and moved.requests == streams
    assert moved.counts.updated == 1

    async with sessions() as session:
        row = await session.scalar(select(WorkItem).where(WorkItem.key == world.key(story)))
    assert row is not None
    assert (row.start_date, row.start_date_source, row.start_date_field) == (
        date(2027, 2, 1),
        DateSource.PROJECT_FIELD,
        "Start date",
    )
    assert (row.status_name, row.status_category) == ("In Progress", "IN_PROGRESS")


async def test_a_new_status_update_re_emits_the_projects_epics_only() -> None:
    world, epic, story = planned_world()
    transport = httpx.ASGITransport(app=create_github_app(world, token=TOKEN))
    stream = "project:acme/7"
    async with GitHubConnector(source(), transport=transport) as first:
        batches = [batch async for batch in first.batches(stream, None)]
    cursor = batches[-1].cursor
    assert {i.key for b in batches for i in b.items} == {world.key(epic), world.key(story)}

    world.add_status_update("acme", 7, "ON_TRACK", body="Vendor delivered.")
    async with GitHubConnector(source(), transport=transport) as again:
        later = [batch async for batch in again.batches(stream, cursor)]
        assert again.stats.requests == 1
    [record] = [item for batch in later for item in batch.items]
    assert record.key == world.key(epic) and record.level is Level.EPIC
    assert record.declared_health is not None and record.declared_health.note == "Vendor delivered."


async def test_a_card_removed_from_the_project_loses_its_dates() -> None:
    world, _, story = planned_world()
    transport = httpx.ASGITransport(app=create_github_app(world, token=TOKEN))
    stream = "project:acme/7"
    async with GitHubConnector(source(), transport=transport) as first:
        cursor = [batch async for batch in first.batches(stream, None)][-1].cursor
    project = world.projects.get("acme", 7)
    project.items = [item for item in project.items if item.row is not story]

    async with GitHubConnector(source(), transport=transport) as again:
        [batch] = [batch async for batch in again.batches(stream, cursor)]
        assert again.stats.requests == 2  # the project, then the issue that left it
    [record] = batch.items
    assert record.key == world.key(story)
    assert (record.start_date, record.status_name) == (None, "Open")


async def test_an_issue_read_through_a_project_maps_as_its_rest_listing_does() -> None:
    """Every issue of a repository, closed, labelled, with milestones, parents and blockers
    among them: the record from the project's GraphQL equals the one from REST."""
    world = GitHubWorld(150, seed=11, repos=REPOS)
    world.add_project("acme", 7, "Everything")
    rows = [row for row in world if not row.is_pull and row.repo.name == "identity"]
    for row in rows:
        world.add_to_project("acme", 7, row.repo.name, row.number)
    transport = httpx.ASGITransport(app=create_github_app(world, token=TOKEN))
    async with GitHubConnector(source(), transport=transport) as rest:
        listed = {
            i.key: i
            for b in [b async for b in rest.batches("acme/identity", None)]
            for i in b.items
        }
    async with GitHubConnector(source(), transport=transport) as projects:
        planned = {
            i.key: i
            for b in [b async for b in projects.batches("project:acme/7", None)]
            for i in b.items
        }
    assert len(planned) == len(rows)
    assert any(i.status_category == "DONE" for i in planned.values())
    assert any(i.parent_external_id for i in planned.values())
    assert any(i.blocks for i in planned.values())
    assert any(i.target_date_source is DateSource.MILESTONE for i in planned.values())
    assert any(i.level is Level.EPIC for i in planned.values())
    assert planned == listed
