"""Linear plans over real HTTP: simulated workspace → connector → sync → the items API."""

from __future__ import annotations

from pydantic import SecretStr

from hub.contract.config import SourceConfig
from hub.sync import SyncEngine
from simulators import LinearWorld, create_linear_app, serve
from tests.stored import GraphQL

API_KEY = "lin_api_sim"
FIELDS = (
    "key startDate targetDate startDateSource { source field } "
    "targetDateSource { source field } milestones { name targetDate status } "
    "declaredHealth { status by note } blocking { key } blockers { key }"
)


def source(url: str, world: LinearWorld) -> SourceConfig:
    config = SourceConfig(
        name="linear",
        kind="linear",
        base_url=url,
        teams=tuple(team.key for team in world.teams),
        token_env="LINEAR_API_KEY",
    )
    return config.model_copy(update={"token": SecretStr(API_KEY)})


async def test_cycle_milestone_health_and_dependencies_arrive_with_their_origin(
    sessions, graphql: GraphQL
) -> None:
    world = LinearWorld(60, seed=3)
    first, second = list(world.projects.values())[:2]
    team = world.teams[0]
    # Midnights in Los Angeles, the team's (and Linear's default) time zone.
    cycle = world.add_cycle(team.key, 99, "2027-01-11T08:00:00Z", "2027-01-25T08:00:00Z")
    in_cycle, in_milestone = [row for row in world.issues.values() if row.team.id == team.id][:2]
    world.touch(in_cycle.identifier, due_date=None)
    world.set_issue_milestone(in_cycle.identifier, None)
    world.set_issue_cycle(in_cycle.identifier, cycle.id)
    beta = world.add_milestone(first.id, "Beta", "2027-02-19")
    world.touch(in_milestone.identifier, due_date=None)
    world.set_issue_cycle(in_milestone.identifier, None)
    world.set_issue_milestone(in_milestone.identifier, beta.id)
    world.add_project_update(first.id, "atRisk", "Vendor API is late.", user=world.users[1].name)
    world.add_project_relation(first.id, second.id, type="dependency", milestone_id=beta.id)

    with serve(create_linear_app(world, api_key=API_KEY)) as url:
        report = await SyncEngine(sessions).sync(source(url, world))
    assert report.ok, report.error

    data = await graphql(
        f'{{ cycle: item(key: "{in_cycle.identifier}") {{ {FIELDS} }}'
        f' milestone: item(key: "{in_milestone.identifier}") {{ {FIELDS} }}'
        f' first: item(key: "project:{first.slug_id}") {{ {FIELDS} }}'
        f' second: item(key: "project:{second.slug_id}") {{ {FIELDS} }} }}'
    )

    assert (data["cycle"]["startDate"], data["cycle"]["targetDate"]) == ("2027-01-11", "2027-01-24")
    assert data["cycle"]["startDateSource"] == {"source": "CYCLE", "field": "Cycle 99"}
    assert data["cycle"]["targetDateSource"] == {"source": "CYCLE", "field": "Cycle 99"}
    assert data["milestone"]["targetDate"] == "2027-02-19"
    assert data["milestone"]["targetDateSource"] == {"source": "MILESTONE", "field": "Beta"}
    assert data["milestone"]["startDateSource"] is None
    assert {"name": "Beta", "targetDate": "2027-02-19", "status": "next"} in data["first"][
        "milestones"
    ]
    assert data["first"]["declaredHealth"] == {
        "status": "AT_RISK",
        "by": world.users[1].name,
        "note": "Vendor API is late.",
    }
    assert {"key": f"project:{second.slug_id}"} in data["first"]["blocking"]
    assert {"key": f"project:{first.slug_id}"} in data["second"]["blockers"]
