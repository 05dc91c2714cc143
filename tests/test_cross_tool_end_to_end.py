"""The demo world's three simulated trackers over real HTTP → sync → database → GraphQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hub.contract.records import Provenance
from hub.demo import demo_rules, demo_sources, simulators
from hub.storage.models import Dependency, Source, WorkItem
from hub.sync import SyncEngine
from simulators import DemoWorld, build_demo_world
from tests.stored import GraphQL, StoredRows

ITEMS = 400


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return build_demo_world(ITEMS, seed=3)


@pytest.fixture(scope="module")
def urls(world: DemoWorld) -> Iterator[dict[str, str]]:
    with simulators(world) as urls:
        yield urls


@pytest.fixture
async def synced(sessions, world, urls):
    engine = SyncEngine(sessions, rules=demo_rules(world))
    for source in demo_sources(urls, world):
        report = await engine.sync(source)
        assert report.ok, report.error
    return sessions


async def item(graphql: GraphQL, key: str) -> dict[str, Any]:
    query = (
        f'{{ item(key: "{key}") {{ key level parent {{ key level }} children {{ key }} '
        "blockers { key source { kind } } blocking { key } links { key } "
        "components { name owner } source { kind } } }"
    )
    found: dict[str, Any] = (await graphql(query))["item"]
    return found


async def test_pull_requests_are_never_stored(synced, stored: StoredRows, world) -> None:
    issues = [r for r in world.github if not r.is_pull]
    assert len(issues) < len(list(world.github))
    github = select(Source.id).where(Source.name == "github").scalar_subquery()
    assert await stored.count(WorkItem, WorkItem.source_id == github) == len(issues)


async def test_github_epics_hold_their_sub_issues(synced, graphql: GraphQL, world) -> None:
    parent = next(r for r in world.github if world.github.children(r))
    found = await item(graphql, world.github.key(parent))
    assert found["level"] == "EPIC"
    assert {c["key"] for c in found["children"]} == {
        world.github.key(c) for c in world.github.children(parent)
    }


async def test_linear_hierarchy_is_initiative_project_issue(
    synced, graphql: GraphQL, world
) -> None:
    linear = world.linear
    project = next(p for p in linear.projects.values() if p.initiative_ids and p.issue_ids)
    initiatives = {f"initiative:{linear.initiatives[i].slug_id}" for i in project.initiative_ids}
    issue = next(
        linear.issues[i]
        for i in project.issue_ids
        if not linear.issues[i].parent_id and not linear.issues[i].trashed
    )
    found = await item(graphql, issue.identifier)
    assert found["level"] == "ISSUE"
    assert found["parent"]["key"] == f"project:{project.slug_id}"
    project_item = await item(graphql, f"project:{project.slug_id}")
    assert project_item["level"] == "EPIC"
    assert project_item["parent"]["level"] == "INITIATIVE"
    assert project_item["parent"]["key"] in initiatives | {"payments-v2", "identity-next"}


async def test_every_tracker_blocks_relation_is_stored_once_in_its_direction(
    synced, graphql: GraphQL, world
) -> None:
    linear = world.linear
    expected = {
        (f"linear:{r.issue_id}", f"linear:{r.related_id}")
        for r in linear.relations.values()
        if r.type == "blocks" and not linear.issues[r.issue_id].trashed
    }
    async with synced() as session:
        stored = set(
            (
                await session.execute(
                    select(Dependency.blocker_id, Dependency.blocked_id)
                    .join(Source, Source.id == Dependency.source_id)
                    .where(
                        Source.name == "linear",
                        Dependency.provenance == Provenance.TRACKER,
                        Dependency.blocker_id.like("linear:%"),
                        Dependency.blocked_id.not_in(
                            select(WorkItem.id).where(WorkItem.level != "ISSUE")
                        ),
                    )
                )
            ).all()
        )
    assert stored == expected

    blocked = next(r for r in world.github if not r.is_pull and world.github.blocked_by(r))
    found = await item(graphql, world.github.key(blocked))
    assert {b["key"] for b in found["blockers"]} >= {
        world.github.key(b) for b in world.github.blocked_by(blocked)
    }


async def test_mentions_resolve_across_tools(synced, graphql: GraphQL, world) -> None:
    linear_issue = next(
        r
        for r in world.linear.issues.values()
        if r.description
        and "Blocked by PAY-" in r.description
        or r.description
        and "Blocked by PLAT-" in r.description
    )
    jira_key = linear_issue.description.rsplit("Blocked by ", 1)[1].rstrip(".")
    found = await item(graphql, linear_issue.identifier)
    assert {"key": jira_key, "source": {"kind": "jira"}} in found["blockers"]
    jira = await item(graphql, jira_key)
    assert linear_issue.identifier in {b["key"] for b in jira["blocking"]}


async def test_components_merge_through_the_catalog(synced, graphql: GraphQL) -> None:
    data = await graphql(
        '{ items(first: 100, filter: {component: "payments-api"}) '
        "{ edges { node { source { kind } components { name owner } } } } }",
    )
    kinds = {e["node"]["source"]["kind"] for e in data["items"]["edges"]}
    assert kinds == {"jira", "github", "linear"}
    owners = {
        c["owner"]
        for e in data["items"]["edges"]
        for c in e["node"]["components"]
        if c["name"] == "payments-api"
    }
    assert owners == {"team-payments"}


async def test_an_unchanged_resync_costs_one_request_per_stream(synced, world, urls) -> None:
    engine = SyncEngine(synced, rules=demo_rules(world))
    costs = {}
    for source in demo_sources(urls, world):
        report = await engine.sync(source)
        assert report.ok and report.counts.created == report.counts.updated == 0
        costs[source.name] = report.requests
    # set-up call + one per stream (GitHub: three repositories and the roadmap project)
    assert costs == {"jira": 1 + 1, "github": 3 + 1, "linear": 1 + 3}
