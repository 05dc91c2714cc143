"""The Jira simulator serves what Jira Plans (Advanced Roadmaps) teams keep, as Jira Cloud does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from simulators import JiraWorld, create_jira_app
from simulators.jira_plans import PlanFields
from simulators.jira_world import INITIATIVE, STORY, THEME

EMAIL, TOKEN = "pm@acme.example", "secret-token"
SEARCH = "/rest/api/3/search/jql"
FIELDS = "/rest/api/3/field"
ALL_PROJECTS = "(project in (PAY, PLAT))"
TARGET_START = "com.atlassian.jpo:jpo-custom-field-baseline-start"
TARGET_END = "com.atlassian.jpo:jpo-custom-field-baseline-end"
SPRINT = "com.pyxis.greenhopper.jira:gh-sprint"

# Property types from Atlassian's OpenAPI description of the Jira Cloud platform REST API v3
# (swagger-v3.v3.json, version 1001.0.0-SNAPSHOT): components.schemas FieldDetails, JsonTypeBean
# (a field's "schema"), Version and IssueTypeDetails. Only the properties the simulator serves.
OPENAPI_TYPES: dict[str, dict[str, type | tuple[type, ...]]] = {
    "FieldDetails": {
        "id": str,
        "key": str,
        "name": str,
        "custom": bool,
        "orderable": bool,
        "navigable": bool,
        "searchable": bool,
        "clauseNames": list,
        "schema": dict,
        "untranslatedName": str,  # served by Jira Cloud though not in the description
    },
    "JsonTypeBean": {"type": str, "items": str, "system": str, "custom": str, "customId": int},
    "Version": {
        "self": str,
        "id": str,
        "name": str,
        "archived": bool,
        "released": bool,
        "releaseDate": str,
    },
    "IssueTypeDetails": {
        "self": str,
        "id": str,
        "description": str,
        "name": str,
        "subtask": bool,
        "hierarchyLevel": int,
    },
}
# The Sprint field's value is Jira Software's sprint, which the platform description leaves out;
# these are the keys Jira Cloud returns in it (dates absent until the sprint has them).
SPRINT_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": int,
    "name": str,
    "state": str,
    "boardId": int,
    "goal": str,
    "startDate": str,
    "endDate": str,
    "completeDate": str,
}


def assert_shape(payload: dict[str, Any], types: dict[str, type | tuple[type, ...]]) -> None:
    assert set(payload) <= set(types), set(payload) - set(types)
    for name, value in payload.items():
        assert isinstance(value, types[name]), (name, value)


def assert_iso_date(text: str) -> None:
    assert date.fromisoformat(text).isoformat() == text


def assert_sprint_time(text: str) -> None:
    assert datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").utcoffset() is not None
    assert text.endswith("Z")


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


async def issue_fields(client: httpx.AsyncClient, key: str, *fields: str) -> dict[str, Any]:
    body = await search(client, f"key = {key}", fields=list(fields))
    [issue] = body["issues"]
    result: dict[str, Any] = issue["fields"]
    return result


async def search(client: httpx.AsyncClient, jql: str, **params: Any) -> dict[str, Any]:
    response = await client.post(SEARCH, json={"jql": jql, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def plan_field_ids(client: httpx.AsyncClient) -> dict[str, str]:
    """Plans field ids found as a connector must: by ``schema.custom``."""
    catalogue = (await client.get(FIELDS)).json()
    return {
        entry["schema"]["custom"]: entry["id"]
        for entry in catalogue
        if entry["schema"].get("custom") in (TARGET_START, TARGET_END, SPRINT)
    }


async def test_field_list_has_the_plans_fields_by_schema_type(
    client: httpx.AsyncClient, world: JiraWorld
) -> None:
    catalogue = (await client.get(FIELDS)).json()
    for entry in catalogue:
        assert_shape(entry, OPENAPI_TYPES["FieldDetails"])
        assert_shape(entry["schema"], OPENAPI_TYPES["JsonTypeBean"])
    by_type = {entry["schema"].get("custom"): entry for entry in catalogue}
    start, end, sprint = by_type[TARGET_START], by_type[TARGET_END], by_type[SPRINT]
    assert (start["name"], start["schema"]["type"]) == ("Target start", "date")
    assert (end["name"], end["schema"]["type"]) == ("Target end", "date")
    assert (sprint["name"], sprint["schema"]["type"], sprint["schema"]["items"]) == (
        "Sprint",
        "array",
        "json",
    )
    plan = world.plan_fields
    assert [start["id"], end["id"], sprint["id"]] == [
        plan.target_start_id,
        plan.target_end_id,
        plan.sprint_id,
    ]
    for entry in (start, end, sprint):
        number = entry["schema"]["customId"]
        assert entry["id"] == entry["key"] == f"customfield_{number}" and entry["custom"]
        assert entry["clauseNames"] == [f"cf[{number}]", entry["name"]]
    ids = [entry["id"] for entry in catalogue]
    assert len(ids) == len(set(ids))


def test_plan_field_ids_differ_per_site_and_can_be_given() -> None:
    same = [JiraWorld(5, seed=1).plan_fields for _ in range(2)]
    assert same[0] == same[1]
    drawn = {JiraWorld(5, seed=seed).plan_fields for seed in range(6)}
    assert len(drawn) > 1
    given = PlanFields(target_start=10022, target_end=10023, sprint=10020)
    assert JiraWorld(5, plan_fields=given).plan_fields == given
    with pytest.raises(ValueError, match="distinct and free"):
        PlanFields(target_start=10015, target_end=10023, sprint=10020)


async def test_plan_fields_are_returned_only_when_asked(
    client: httpx.AsyncClient, world: JiraWorld
) -> None:
    world.set_target_dates("PAY-3", "2027-01-15", date(2027, 3, 31))
    ids = await plan_field_ids(client)
    start, end = ids[TARGET_START], ids[TARGET_END]

    assert (await search(client, "key = PAY-3"))["issues"][0].keys() == {"id"}
    assert set(await issue_fields(client, "PAY-3", "summary", "fixVersions")) == {
        "summary",
        "fixVersions",
    }
    asked = await issue_fields(client, "PAY-3", start, end, ids[SPRINT])
    assert asked == {start: "2027-01-15", end: "2027-03-31", ids[SPRINT]: None}
    assert set(ids.values()) <= set(await issue_fields(client, "PAY-3", "*all"))
    assert start not in await issue_fields(client, "PAY-3", "*all", f"-{start}")
    whole = (await client.get("/rest/api/3/issue/PAY-3")).json()["fields"]
    assert whole[start] == "2027-01-15" and whole[end] == "2027-03-31"


async def test_sprints_have_jira_clouds_shape(client: httpx.AsyncClient, world: JiraWorld) -> None:
    closed = world.add_sprint(
        "PAY Sprint 1",
        state="closed",
        start=datetime(2026, 10, 5, 9, tzinfo=UTC),
        end=datetime(2026, 10, 19, 9, tzinfo=UTC),
        complete=datetime(2026, 10, 19, 8, 30, 15, 250_000, tzinfo=UTC),
        board_id=2,
        goal="Settle faster",
    )
    active = world.add_sprint(
        "PAY Sprint 2",
        state="active",
        start=datetime(2026, 10, 19, 9, tzinfo=UTC),
        end=datetime(2026, 11, 2, 9, tzinfo=UTC),
        board_id=2,
    )
    future = world.add_sprint("PAY Sprint 3", board_id=2)
    world.assign_sprint("PAY-4", closed.id)
    world.assign_sprint("PAY-4", active.id)
    world.assign_sprint("PAY-5", future.id)
    sprint_field = (await plan_field_ids(client))[SPRINT]

    history = (await issue_fields(client, "PAY-4", sprint_field))[sprint_field]
    for sprint in history:
        assert_shape(sprint, SPRINT_TYPES)
        for name in ("startDate", "endDate", "completeDate"):
            if name in sprint:
                assert_sprint_time(sprint[name])
    assert [(s["id"], s["name"], s["state"]) for s in history] == [
        (closed.id, "PAY Sprint 1", "closed"),
        (active.id, "PAY Sprint 2", "active"),
    ]
    assert history[0]["completeDate"] == "2026-10-19T08:30:15.250Z"
    assert history[0]["goal"] == "Settle faster" and history[0]["boardId"] == 2
    assert (
        history[1]["startDate"] == "2026-10-19T09:00:00.000Z" and "completeDate" not in history[1]
    )
    [planned] = (await issue_fields(client, "PAY-5", sprint_field))[sprint_field]
    assert planned["state"] == "future" and "startDate" not in planned

    world.assign_sprint("PAY-4", future.id)  # the open sprint is replaced, history stays
    moved = (await issue_fields(client, "PAY-4", sprint_field))[sprint_field]
    assert [s["id"] for s in moved] == [closed.id, future.id]


async def test_fix_versions_have_the_openapi_version_shape(
    client: httpx.AsyncClient, world: JiraWorld
) -> None:
    release = world.add_version("2027.Q2", release_date="2027-06-30")
    unplanned = world.add_version("Someday", archived=True)
    world.set_fix_versions("PLAT-2", [release.id, "Someday"])
    versions = (await issue_fields(client, "PLAT-2", "fixVersions"))["fixVersions"]
    for version in versions:
        assert_shape(version, OPENAPI_TYPES["Version"])
        assert version["self"].endswith(f"/rest/api/3/version/{version['id']}")
    assert [(v["id"], v["name"], v["released"], v["archived"]) for v in versions] == [
        (str(release.id), "2027.Q2", False, False),
        (str(unplanned.id), "Someday", False, True),
    ]
    assert_iso_date(versions[0]["releaseDate"])
    assert "releaseDate" not in versions[1]
    world.set_fix_versions("PLAT-2", [])
    assert (await issue_fields(client, "PLAT-2", "fixVersions"))["fixVersions"] == []


async def test_a_theme_sits_above_initiatives(client: httpx.AsyncClient, world: JiraWorld) -> None:
    initiatives = [row.key for row in world if row.issue_type is INITIATIVE][:2]
    theme = world.add_theme("Cost down everywhere", project="PLAT", initiatives=initiatives)
    pillar = world.add_issue("Theme", "Another theme", project="PAY")
    issuetype = (await issue_fields(client, theme.key, "issuetype"))["issuetype"]
    assert_shape(issuetype, OPENAPI_TYPES["IssueTypeDetails"])
    assert (issuetype["name"], issuetype["hierarchyLevel"], issuetype["subtask"]) == (
        "Theme",
        3,
        False,
    )
    body = await search(client, f"parent = {theme.key}", fields=["parent", "issuetype"])
    assert {issue["key"] for issue in body["issues"]} == set(initiatives)
    for issue in body["issues"]:
        parent = issue["fields"]["parent"]
        assert (parent["key"], parent["fields"]["issuetype"]["hierarchyLevel"]) == (theme.key, 3)
        assert issue["fields"]["issuetype"]["hierarchyLevel"] == 2
    assert pillar.issue_type is THEME and pillar.parent_id is None


def _edits(world: JiraWorld) -> dict[str, Callable[[str], object]]:
    sprint = world.add_sprint("PLAT Sprint 9")
    version = world.add_version("2027.Q3")
    return {
        "target dates": lambda key: world.set_target_dates(key, "2027-02-01", None),
        "sprint": lambda key: world.assign_sprint(key, sprint.id),
        "fix versions": lambda key: world.set_fix_versions(key, [version.name]),
        "theme": lambda key: world.add_theme("New theme", initiatives=[key]),
    }


@pytest.mark.parametrize("edit", ["target dates", "sprint", "fix versions", "theme"])
async def test_plan_edits_show_up_in_an_incremental_query(
    client: httpx.AsyncClient, world: JiraWorld, edit: str
) -> None:
    key = next(row.key for row in world if row.issue_type is INITIATIVE)
    edits = _edits(world)
    since = world.clock.advance(minutes=5)
    jql = f"{ALL_PROJECTS} AND updated >= {since} ORDER BY updated ASC"
    assert (await search(client, jql, fields=["summary"]))["issues"] == []
    world.clock.advance(minutes=1)
    edits[edit](key)
    changed = {issue["key"] for issue in (await search(client, jql, fields=["summary"]))["issues"]}
    assert key in changed


async def test_sprint_edits_stamp_no_issue(client: httpx.AsyncClient, world: JiraWorld) -> None:
    sprint = world.add_sprint("PLAT Sprint 9")
    world.assign_sprint("PLAT-3", sprint.id)
    since = world.clock.advance(minutes=5)
    world.update_sprint(
        sprint.id,
        state="active",
        start=datetime(2026, 11, 2, tzinfo=UTC),
        end=datetime(2026, 11, 16, tzinfo=UTC),
    )
    jql = f"{ALL_PROJECTS} AND updated >= {since}"
    assert (await search(client, jql, fields=["summary"]))["issues"] == []
    field = world.plan_fields.sprint_id
    [shown] = (await issue_fields(client, "PLAT-3", field))[field]
    assert shown["state"] == "active" and shown["startDate"] == "2026-11-02T00:00:00.000Z"


def test_bad_plan_input_is_refused_and_changes_nothing(world: JiraWorld) -> None:
    story = next(row for row in world if row.issue_type is STORY)
    initiative = next(row for row in world if row.issue_type is INITIATIVE)
    before = (story.updated_ms, story.target_start, story.sprint_ids, story.fix_versions)
    sprints, versions, size = dict(world.sprints), list(world.versions), len(world)
    refusals: list[tuple[Callable[[], object], type[Exception], str]] = [
        (
            lambda: world.set_target_dates(story.key, "2027-03-01", "2027-02-01"),
            ValueError,
            "before",
        ),
        (lambda: world.set_target_dates(story.key, "15/01/2027", None), ValueError, "YYYY-MM-DD"),
        (lambda: world.add_sprint("S", state="running"), ValueError, "state must be"),
        (lambda: world.add_sprint("S", state="active"), ValueError, "needs a start"),
        (lambda: world.add_sprint("S", start=datetime(2026, 1, 1)), ValueError, "time zone"),
        (lambda: world.assign_sprint(story.key, 999), KeyError, "no sprint"),
        (lambda: world.add_version("2026.Q2"), ValueError, "new, non-empty"),
        (lambda: world.set_fix_versions(story.key, ["2026.Q2", "nope"]), KeyError, "no version"),
        (lambda: world.add_theme("T", initiatives=[story.key]), ValueError, "cannot have a Theme"),
        (
            lambda: world.add_issue("Theme", "T", project="PAY", parent=initiative.key),
            ValueError,
            "cannot have a Initiative",
        ),
        (lambda: world.add_issue("Legend", "T", project="PAY"), ValueError, "no issue type"),
    ]
    for refused, error, message in refusals:
        with pytest.raises(error, match=message):
            refused()
    assert (story.updated_ms, story.target_start, story.sprint_ids, story.fix_versions) == before
    assert (world.sprints, world.versions, len(world)) == (sprints, versions, size)


def test_a_plans_world_keeps_themes_sprints_and_target_dates() -> None:
    plain, planned = JiraWorld(400, seed=5), JiraWorld(400, seed=5, plans=True)
    assert [(r.key, r.updated_ms) for r in JiraWorld(400, seed=5, plans=True)] == [
        (r.key, r.updated_ms) for r in planned
    ]
    themes = [row for row in planned if row.issue_type is THEME]
    assert themes and all(row.id > max(r.id for r in plain) for row in themes)
    assert {(r.key, r.summary, r.updated_ms) for r in plain} <= {
        (r.key, r.summary, r.updated_ms) for r in planned
    }
    theme_ids = {row.id for row in themes}
    initiatives = [row for row in planned if row.issue_type is INITIATIVE]
    assert any(row.parent_id in theme_ids for row in initiatives)
    dated = [row for row in planned if row.target_start]
    assert dated and all((row.target_end or "") >= (row.target_start or "~") for row in dated)
    states = {world_sprint.state for world_sprint in planned.sprints.values()}
    assert states == {"closed", "active", "future"}
    in_sprints = [row for row in planned if row.sprint_ids]
    assert in_sprints and all(row.issue_type.hierarchy_level == 0 for row in in_sprints)
    updated = [row.updated_ms for row in planned]
    assert updated == sorted(updated) and len(set(updated)) == len(updated)
    assert not any(row.target_start or row.sprint_ids for row in plain)
