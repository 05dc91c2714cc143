"""``fetch_items`` against each simulator: the current state of items named by a webhook,
mapped as a sync maps them, in as few requests as each tracker allows; deleted items are
gone, items outside the source's scope are gone, what cannot be read is skipped."""

from __future__ import annotations

import uuid

import httpx
from graphql import build_schema, parse, validate
from pydantic import SecretStr

from connectors.github import GitHubConnector
from connectors.jira import JiraConnector
from connectors.linear import LinearConnector
from hub.contract.config import ProjectRef, SourceConfig
from hub.contract.records import Level
from simulators import (
    GitHubWorld,
    JiraWorld,
    LinearWorld,
    create_github_app,
    create_jira_app,
    create_linear_app,
)
from simulators.github_world import IssueRow

GITHUB_TOKEN, JIRA_EMAIL, JIRA_TOKEN, LINEAR_KEY = "ghp_fetch", "pm@example.com", "jt", "lin_api_f"


def github_source(**update: object) -> SourceConfig:
    config = SourceConfig(
        name="gh",
        kind="github",
        base_url="http://github.test",
        repos=("acme/payments-api", "acme/identity"),
        token_env="GITHUB_TOKEN",
    )
    return config.model_copy(update={"token": SecretStr(GITHUB_TOKEN), **update})


def github(world: GitHubWorld, **update: object) -> GitHubConnector:
    transport = httpx.ASGITransport(app=create_github_app(world, token=GITHUB_TOKEN))
    return GitHubConnector(github_source(**update), transport=transport)


def issues(world: GitHubWorld, repo: str) -> list[IssueRow]:
    return [row for row in world if not row.is_pull and row.repo.name == repo]


async def test_github_reads_issues_again_and_tells_deleted_moved_and_foreign_ones() -> None:
    world = GitHubWorld(80, seed=3, repos=("payments-api", "identity", "search"))
    kept, edited, deleted, moved = issues(world, "payments-api")[:4]
    blocker = issues(world, "identity")[0]
    world.add_dependency(world.key(blocker), world.key(kept))
    world.touch(world.key(edited), title="Renamed by a webhook's change")
    world.delete(world.key(deleted))
    old_moved = world.key(moved).lower()
    world.transfer(world.key(moved), "identity")
    pull = next(row for row in world if row.is_pull and row.repo.name == "payments-api")
    foreign = issues(world, "search")[0]
    refs = [world.key(row).lower() for row in (kept, edited, deleted, blocker, pull, foreign)]

    async with github(world) as connector:
        fetched = await connector.fetch_items([*refs, old_moved, world.key(moved).lower()])
        requests = connector.stats.requests

    by_id = {item.external_id: item for item in fetched.items}
    assert set(by_id) == {refs[0], refs[1], refs[3], world.key(moved).lower()}
    assert by_id[refs[1]].title == "Renamed by a webhook's change"
    assert by_id[refs[3]].blocks == (refs[0],)
    assert set(fetched.gone) == {refs[2], refs[5], old_moved}
    assert [s.key for s in fetched.skipped] == [refs[4]]
    # One GET per ref in scope (seven; the foreign one costs none), one dependencies lookup.
    assert requests == 7 + 1


async def test_github_resolves_a_project_card_s_node_ref_with_its_plan() -> None:
    world = GitHubWorld(60, seed=3, repos=("payments-api", "identity"))
    planned = issues(world, "payments-api")[0]
    world.add_project("acme", 7, "Roadmap")
    world.add_project_field("acme", 7, "Target date", "DATE")
    world.add_to_project("acme", 7, "payments-api", planned.number)
    world.set_field_value("acme", 7, world.key(planned), "Target date", "2027-03-31")

    source = {"projects_v2": (ProjectRef(owner="acme", number=7),)}
    async with github(world, **source) as connector:
        fetched = await connector.fetch_items([f"node:{planned.node_id}", "node:I_unknown"])

    (item,) = fetched.items
    assert item.external_id == world.key(planned).lower()
    assert str(item.target_date) == "2027-03-31"
    assert [s.key for s in fetched.skipped] == ["node:I_unknown"]


def jira_source(world: JiraWorld, **update: object) -> SourceConfig:
    config = SourceConfig(
        name="jira",
        kind="jira",
        base_url="http://jira.test",
        projects=tuple(world.projects),
        token_env="JIRA_TOKEN",
        email_env="JIRA_EMAIL",
    )
    secrets = {"token": SecretStr(JIRA_TOKEN), "email": SecretStr(JIRA_EMAIL)}
    return config.model_copy(update={**secrets, **update})


def jira(world: JiraWorld, source: SourceConfig) -> tuple[JiraConnector, dict[str, int]]:
    app = create_jira_app(world, email=JIRA_EMAIL, token=JIRA_TOKEN)
    connector = JiraConnector(source, transport=httpx.ASGITransport(app=app))
    return connector, app.state.requests


async def test_jira_reads_a_hundred_issues_per_request_and_tells_deleted_ones() -> None:
    world = JiraWorld(size=260, seed=5)
    rows = list(world)
    edited, deleted = rows[0], rows[1]
    world.touch(edited.key, summary="Changed just now")
    deleted_id = str(deleted.id)
    world.delete(deleted.key)
    refs = [str(row.id) for row in rows[:150]]

    connector, requests = jira(world, jira_source(world))
    async with connector:
        fetched = await connector.fetch_items(refs)

    by_id = {item.external_id: item for item in fetched.items}
    assert len(by_id) == 149 and set(fetched.gone) == {deleted_id}
    assert by_id[str(edited.id)].title == "Changed just now"
    assert requests["/rest/api/3/issue/bulkfetch"] == 2
    assert requests["/rest/api/3/field"] == 1


async def test_jira_issues_outside_the_source_s_projects_are_gone() -> None:
    world = JiraWorld(size=80, seed=5)
    first, *others = world.projects
    inside = next(row for row in world if row.project.key == first)
    outside = next(row for row in world if row.project.key != first)
    refs = [str(inside.id), str(outside.id)]

    by_projects, _ = jira(world, jira_source(world, projects=(first,)))
    by_jql, requests = jira(world, jira_source(world, projects=(), jql=f"project = {first}"))
    async with by_projects, by_jql:
        for connector in (by_projects, by_jql):
            fetched = await connector.fetch_items(refs)
            assert [item.external_id for item in fetched.items] == [str(inside.id)]
            assert list(fetched.gone) == [str(outside.id)]
    assert requests["/rest/api/3/search/id"] == 1


def linear_source(world: LinearWorld, teams: tuple[str, ...] | None = None) -> SourceConfig:
    config = SourceConfig(
        name="linear",
        kind="linear",
        base_url="http://linear.test",
        teams=teams or tuple(team.key for team in world.teams),
        token_env="LINEAR_API_KEY",
    )
    return config.model_copy(update={"token": SecretStr(LINEAR_KEY)})


def linear(world: LinearWorld, source: SourceConfig) -> tuple[LinearConnector, dict[str, int]]:
    app = create_linear_app(world, api_key=LINEAR_KEY)
    connector = LinearConnector(source, transport=httpx.ASGITransport(app=app))
    return connector, app.state.requests


async def test_linear_reads_issues_projects_and_initiatives_by_bare_id_in_one_request() -> None:
    world = LinearWorld(60, seed=3)
    issue, trashed = list(world.issues.values())[:2]
    project = next(iter(world.projects.values()))
    initiative = next(iter(world.initiatives.values()))
    world.touch(issue.identifier, title="Changed just now")
    world.trash(trashed.identifier)
    purged = str(uuid.uuid4())
    refs = [issue.id, trashed.id, project.id, initiative.id, purged]

    connector, requests = linear(world, linear_source(world))
    async with connector:
        fetched = await connector.fetch_items(refs)
        sent = connector.stats.requests

    by_id = {item.external_id: item for item in fetched.items}
    assert set(by_id) == {issue.id, trashed.id, project.id, initiative.id}
    assert by_id[issue.id].title == "Changed just now"
    assert by_id[trashed.id].deleted and not by_id[issue.id].deleted
    assert (by_id[project.id].level, by_id[initiative.id].level) == (Level.EPIC, Level.INITIATIVE)
    assert list(fetched.gone) == [purged]
    assert sent == 1 and requests["issues"] == 1


async def test_linear_asks_forty_ids_per_request_within_linear_s_complexity_cap() -> None:
    world = LinearWorld(120, seed=3)
    refs = [row.id for row in list(world.issues.values())[:41]]
    connector, _ = linear(world, linear_source(world))
    async with connector:
        fetched = await connector.fetch_items(refs)
        assert connector.stats.requests == 2
    assert {item.external_id for item in fetched.items} == set(refs)


async def test_linear_items_of_teams_the_source_does_not_read_are_gone() -> None:
    world = LinearWorld(60, seed=3)
    first = world.teams[0]
    inside = next(row for row in world.issues.values() if row.team.id == first.id)
    outside = next(row for row in world.issues.values() if row.team.id != first.id)
    connector, _ = linear(world, linear_source(world, teams=(first.key,)))
    async with connector:
        fetched = await connector.fetch_items([inside.id, outside.id])
    assert [item.external_id for item in fetched.items] == [inside.id]
    assert list(fetched.gone) == [outside.id]


def test_linear_s_fetch_query_keeps_to_linear_s_schema_and_complexity_cap() -> None:
    from pathlib import Path

    import simulators
    from connectors.linear.queries import FETCH_FIRST, FETCH_QUERY
    from simulators.linear import complexity

    schema = build_schema(Path(simulators.__file__).with_name("linear_schema.graphql").read_text())
    document = parse(FETCH_QUERY)
    assert validate(schema, document) == []
    assert (
        complexity(schema, document, {"ids": ["x"] * FETCH_FIRST, "first": FETCH_FIRST}) <= 10_000
    )
