"""Simulated Jira over real HTTP → connector → sync engine → database → GraphQL over ASGI."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from hub.contract.config import SourceConfig
from hub.storage.models import SyncRun, WorkItem
from hub.sync import SyncEngine
from simulators import JiraWorld, create_jira_app, serve
from simulators.jira_world import BLOCKS
from tests.stored import GraphQL, StoredRows

EMAIL, TOKEN = "pm@example.com", "sim-token"
SEARCH = "/rest/api/3/search/jql"
ITEMS = 1000


@pytest.fixture
def world() -> JiraWorld:
    return JiraWorld(size=ITEMS, seed=11)


@pytest.fixture
def jira(world: JiraWorld) -> Iterator[tuple[str, object]]:
    app = create_jira_app(world, email=EMAIL, token=TOKEN)
    with serve(app) as url:
        yield url, app.state.requests


def source(url: str, world: JiraWorld, token: str = TOKEN) -> SourceConfig:
    config = SourceConfig(
        name="jira",
        kind="jira",
        base_url=url,
        projects=tuple(world.projects),
        token_env="JIRA_TOKEN",
        email_env="JIRA_EMAIL",
    )
    return config.model_copy(update={"token": SecretStr(token), "email": SecretStr(EMAIL)})


async def test_jira_to_graphql_end_to_end(
    sessions, stored: StoredRows, graphql: GraphQL, world, jira
) -> None:
    url, requests = jira
    report = await SyncEngine(sessions).sync(source(url, world))

    assert report.ok, report.error
    assert report.counts.created == ITEMS == await stored.count(WorkItem)
    assert requests[SEARCH] == math.ceil(ITEMS / 100)

    epic = next(
        r for r in world if r.issue_type.name == "Epic" and r.parent_id and world.children(r.id)
    )
    initiative = world.issue(str(epic.parent_id))
    data = await graphql(
        f'{{ item(key: "{epic.key}") {{ key level title parent {{ key level }} '
        "children { key level } components { name } source { name kind } } }",
    )
    item = data["item"]
    assert item["level"] == "EPIC" and item["title"] == epic.summary
    assert item["parent"] == {"key": initiative.key, "level": "INITIATIVE"}
    assert {c["key"] for c in item["children"]} == {c.key for c in world.children(epic.id)}
    assert {c["name"] for c in item["components"]} == set(epic.components)
    assert item["source"] == {"name": "jira", "kind": "jira"}

    def blockers_of(row) -> set[str]:
        return {
            world.issue(str(link.outward_id)).key
            for link in world.links_of(row)
            if link.type == BLOCKS and link.inward_id == row.id
        }

    blocked = next(row for row in world if blockers_of(row))
    blockers = blockers_of(blocked)
    data = await graphql(
        f'{{ item(key: "{blocked.key}") {{ blockers {{ key blocking {{ key }} }} }} }}'
    )
    assert {b["key"] for b in data["item"]["blockers"]} == blockers
    assert all(blocked.key in {x["key"] for x in b["blocking"]} for b in data["item"]["blockers"])


async def test_a_resync_costs_one_search_and_picks_up_only_what_changed(
    sessions, stored: StoredRows, graphql: GraphQL, world, jira
) -> None:
    url, requests = jira
    await SyncEngine(sessions).sync(source(url, world))
    searches = requests[SEARCH]

    unchanged = await SyncEngine(sessions).sync(source(url, world))
    assert unchanged.ok
    assert requests[SEARCH] - searches == 1
    assert (unchanged.counts.created, unchanged.counts.updated) == (0, 0)

    world.clock.advance(hours=2)
    touched = world.touch(next(iter(world)).key, summary="Renamed upstream")
    changed = await SyncEngine(sessions).sync(source(url, world))
    assert (changed.counts.created, changed.counts.updated) == (0, 1)
    assert await stored.count(WorkItem) == ITEMS
    data = await graphql(f'{{ item(key: "{touched.key}") {{ title }} }}')
    assert data["item"]["title"] == "Renamed upstream"


async def test_a_tracker_refusing_credentials_fails_the_sync_and_changes_nothing(
    sessions, world, jira
) -> None:
    url, _ = jira
    await SyncEngine(sessions).sync(source(url, world))
    async with sessions() as session:
        before = (
            await session.execute(select(WorkItem.id, WorkItem.content_hash).order_by(WorkItem.id))
        ).all()

    world.touch(next(iter(world)).key, summary="Should not arrive")
    report = await SyncEngine(sessions).sync(source(url, world, token="wrong-token"), full=True)

    assert report.status == "failed"
    error = report.error or ""
    assert "401" in error and "credentials" in error
    assert "wrong-token" not in error and report.requests == 1
    async with sessions() as session:
        after = (
            await session.execute(select(WorkItem.id, WorkItem.content_hash).order_by(WorkItem.id))
        ).all()
        runs = (await session.execute(select(SyncRun.status).order_by(SyncRun.id))).scalars().all()
    assert after == before
    assert runs == ["succeeded", "failed"]
