from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import DeclaredHealth, Level, Provenance, StatusCategory
from hub.server.app import create_app
from hub.storage.models import Base, Component, ItemComponent, WorkItem
from schema import Context, get_context, schema
from tests.views.test_roadmap import TODAY, add_sources, blocks, build_world, issues, work_item

ROADMAP = """
query Roadmap($groupBy: RoadmapGrouping, $from: Date, $to: Date, $filter: RoadmapFilter) {
  roadmap(groupBy: $groupBy, from: $from, to: $to, filter: $filter) {
    groupBy asOf
    summary { epics onTrack atRisk offTrack done noDates }
    lanes {
      key title kind health
      initiative { key title }
      progress { total done ratio estimateTotal estimateDone estimateRatio }
      epics {
        health
        item { key title url status statusCategory targetDate source { name }
               components { name } parent { key } }
        progress { total done ratio estimateTotal estimateDone estimateRatio }
        slippingBlockers { key targetDate }
      }
    }
  }
}
"""


def context(sessions: async_sessionmaker[AsyncSession]) -> Context:
    return dataclasses.replace(get_context(sessions), today=TODAY)


async def run(sessions: async_sessionmaker[AsyncSession], **variables: Any) -> dict[str, Any]:
    result = await schema.execute(
        ROADMAP, variable_values=variables, context_value=context(sessions)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    roadmap: dict[str, Any] = result.data["roadmap"]
    return roadmap


async def test_roadmap_by_initiative(sessions) -> None:
    await build_world(sessions)
    roadmap = await run(sessions)
    assert roadmap["asOf"] == "2026-04-01" and roadmap["groupBy"] == "INITIATIVE"
    assert roadmap["summary"] == {
        "epics": 7,
        "onTrack": 1,
        "atRisk": 3,
        "offTrack": 1,
        "done": 1,
        "noDates": 1,
    }
    pay, empty, ungrouped = roadmap["lanes"]
    assert pay["initiative"] == {"key": "pay-v2", "title": "Payments v2"}
    assert (pay["key"], pay["kind"], pay["health"]) == ("pay-v2", "INITIATIVE", "AT_RISK")
    assert pay["progress"] == {
        "total": 7,
        "done": 4,
        "ratio": 4 / 7,
        "estimateTotal": 12.0,
        "estimateDone": 7.0,
        "estimateRatio": 7 / 12,
    }
    epics = {epic["item"]["key"]: epic for epic in pay["epics"]}
    assert epics["acme/pay#1"]["item"]["source"] == {"name": "github"}
    assert epics["acme/pay#1"]["item"]["components"] == [
        {"name": "identity"},
        {"name": "payments"},
    ]
    assert epics["EP-ON"]["item"]["parent"] == {"key": "pay-v2"}
    assert epics["EP-BLOCKED"]["slippingBlockers"] == [
        {"key": "acme/pay#9", "targetDate": "2026-10-15"}
    ]
    assert [e["health"] for e in pay["epics"]] == ["DONE", "OFF_TRACK", "ON_TRACK", "AT_RISK"]
    assert (empty["key"], empty["health"], empty["epics"]) == ("INI-9", "NO_DATES", [])
    assert ungrouped["key"] is None and ungrouped["initiative"] is None
    assert ungrouped["title"] == "No initiative"
    near = ungrouped["epics"][0]
    assert near["item"]["key"] == "acme/pay#2" and near["health"] == "AT_RISK"
    assert near["slippingBlockers"] == [{"key": "B-2", "targetDate": None}]


async def test_roadmap_groupings_range_and_filter(sessions) -> None:
    await build_world(sessions)

    def outline(roadmap: dict[str, Any]) -> list[tuple[str | None, list[str]]]:
        lanes = roadmap["lanes"]
        return [(lane["key"], [e["item"]["key"] for e in lane["epics"]]) for lane in lanes]

    quarters = await run(sessions, groupBy="QUARTER", **{"from": "2026-04-01"})
    assert outline(quarters) == [
        ("2026-Q2", ["acme/pay#2", "EP-PACE"]),
        ("2026-Q3", ["EP-ON", "EP-BLOCKED"]),
        (None, ["acme/pay#3"]),
    ]
    assert {lane["kind"] for lane in quarters["lanes"]} == {"QUARTER"}
    components = await run(
        sessions, groupBy="COMPONENT", filter={"sources": ["github"], "text": "pay#1"}
    )
    assert outline(components) == [("identity", ["acme/pay#1"]), ("payments", ["acme/pay#1"])]
    assert components["summary"]["epics"] == 1
    canceled = await run(sessions, filter={"statusCategories": ["CANCELED"]})
    assert outline(canceled) == [("pay-v2", ["EP-CANCELED"])]


async def test_a_reversed_range_is_a_clear_error(sessions) -> None:
    result = await schema.execute(
        '{ roadmap(from: "2026-05-01", to: "2026-04-01") { summary { epics } } }',
        context_value=context(sessions),
    )
    assert result.errors is not None
    assert "`from` (2026-05-01) is after `to` (2026-04-01)" in result.errors[0].message


async def build_many(sessions: async_sessionmaker[AsyncSession], epics: int) -> None:
    """``epics`` epics over three initiatives, each with two issues, a component and a
    slipping blocker: every relation the roadmap reads grows with the epics."""
    async with sessions() as session, session.begin():
        await add_sources(session)
        session.add(Component(id=1, name="payments"))
        items = [
            work_item(f"hub:ini-{n}", Level.INITIATIVE, target_date=date(2026, 12, 31))
            for n in range(3)
        ]
        for n in range(epics):
            epic = f"jira:EP-{n}"
            items.append(
                work_item(
                    epic,
                    Level.EPIC,
                    StatusCategory.IN_PROGRESS,
                    f"hub:ini-{n % 3}",
                    start_date=date(2026, 1, 1),
                    target_date=date(2026, 1 + n % 12, 28),
                )
            )
            items += issues(epic, (StatusCategory.DONE, 1.0), (StatusCategory.TODO, 2.0))
            items.append(work_item(f"github:{n}", Level.ISSUE, target_date=date(2027, 1, 1)))
        session.add_all(items)
        await session.flush()
        session.add_all(ItemComponent(item_id=f"jira:EP-{n}", component_id=1) for n in range(epics))
        session.add_all(
            blocks(f"github:{n}", f"jira:EP-{n}", Provenance.MENTION) for n in range(epics)
        )


async def count_query(sessions, count_statements, group_by: str) -> tuple[int, int]:
    with count_statements() as counter:
        roadmap = await run(sessions, groupBy=group_by)
    return counter.count, roadmap["summary"]["epics"]


async def test_statements_do_not_grow_with_the_number_of_epics(
    sessions, engine, count_statements
) -> None:
    counts: dict[int, dict[str, int]] = {}
    for size in (10, 1000):
        await build_many(sessions, size)
        counts[size] = {}
        for group_by in ("INITIATIVE", "COMPONENT", "SOURCE", "QUARTER"):
            statements, shown = await count_query(sessions, count_statements, group_by)
            assert shown == size
            counts[size][group_by] = statements
        async with engine.begin() as connection:  # empty the tables for the next size
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
    assert counts[10] == counts[1000], counts
    # the view: epics, issue counts, open blockers, and initiatives (with one statement for
    # the start they derive from their epics, one level down) or component memberships; then
    # one batch each for the items' sources, components and (unless the initiatives were read
    # and primed) parents
    assert counts[10] == {"INITIATIVE": 7, "COMPONENT": 7, "SOURCE": 6, "QUARTER": 6}


async def served_error(sessions: async_sessionmaker[AsyncSession], document: str) -> str:
    """The one error the served app (with its error masking) answers ``document`` with."""
    transport = httpx.ASGITransport(app=create_app(sessions, require_token=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        response = await client.post("/graphql", json={"query": document})
    body = response.json()
    assert body["data"] is None, body
    (error,) = body["errors"]
    message: str = error["message"]
    return message


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        # today: an OverflowError on `to` + one day, which the client reads as "Unexpected error."
        ('to: "9999-12-31"', "`to` (9999-12-31) is outside the days the hub plans for"),
        ('from: "0001-01-01"', "`from` (0001-01-01) is outside the days the hub plans for"),
        ('filter: {sources: ["jira", "nope"]}', "unknown source 'nope'; known: github, hub, jira"),
        ('filter: {components: ["billing"]}', "unknown component 'billing'; known: identity, "),
        ('filter: {initiatives: ["pay-v3"]}', "unknown initiative 'pay-v3'; known: INI-9, pay-v2"),
        (f'filter: {{text: "{"%" * 30_000}"}}', "`text` is 30000 characters long"),
    ],
)
async def test_a_value_out_of_range_or_unknown_is_a_clear_client_error(
    sessions, arguments: str, message: str
) -> None:
    await build_world(sessions)
    error = await served_error(sessions, f"{{ roadmap({arguments}) {{ summary {{ epics }} }} }}")
    assert error.startswith(message), error


async def test_the_widest_range_allowed_is_answered(sessions) -> None:
    await build_world(sessions)
    roadmap = await run(sessions, **{"from": "1900-01-01", "to": "2999-12-31"})
    assert roadmap["summary"]["epics"] == 7


async def test_initiatives_are_chosen_by_key_in_any_case_or_by_hub_id(sessions) -> None:
    await build_world(sessions)
    by_key = await run(sessions, filter={"initiatives": ["PAY-V2"]})
    assert by_key["summary"]["epics"] > 0
    assert by_key == await run(sessions, filter={"initiatives": ["hub:pay-v2"]})


async def declare(
    sessions: async_sessionmaker[AsyncSession], item_id: str, health: DeclaredHealth
) -> None:
    async with sessions() as session, session.begin():
        item = await session.get(WorkItem, item_id)
        assert item is not None
        item.declared_health = health


async def test_a_lane_tells_its_initiatives_disagreement_from_its_epics(sessions) -> None:
    await build_world(sessions)
    query = "{ roadmap { lanes { key health healthDisagrees initiativeHealthDisagrees } } }"

    async def flags() -> tuple[str, bool, bool]:
        result = await schema.execute(query, context_value=context(sessions))
        assert result.errors is None and result.data is not None
        (lane,) = [lane for lane in result.data["roadmap"]["lanes"] if lane["key"] == "pay-v2"]
        return lane["health"], lane["healthDisagrees"], lane["initiativeHealthDisagrees"]

    assert await flags() == ("AT_RISK", False, False)
    await declare(sessions, "github:1", DeclaredHealth.ON_TRACK)  # a late epic said on track
    assert await flags() == ("AT_RISK", True, False)
    await declare(sessions, "hub:pay-v2", DeclaredHealth.ON_TRACK)  # and so did the initiative
    assert await flags() == ("AT_RISK", True, True)
