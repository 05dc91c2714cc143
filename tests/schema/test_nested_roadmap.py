"""Nested initiatives through GraphQL: roadmap lanes that know their parent and children,
and ``Item.parent`` / ``children`` across tools at any depth."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import Level, StatusCategory
from hub.storage.models import Base
from schema import schema
from tests.schema.test_roadmap import context
from tests.views.test_nested_roadmap import build_nested
from tests.views.test_roadmap import add_sources, issues, work_item

LANES = """
query Nested($filter: RoadmapFilter) {
  roadmap(filter: $filter) {
    lanes {
      key depth epicCount health
      parent { key }
      childLanes { key depth }
      initiative { key targetDate targetDateSource { source } }
      progress { total done }
      epics { item { key } }
    }
  }
}
"""


async def run(
    sessions: async_sessionmaker[AsyncSession], document: str, **variables: Any
) -> dict[str, Any]:
    result = await schema.execute(
        document, variable_values=variables, context_value=context(sessions)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def test_lanes_carry_their_depth_parent_and_child_lanes(sessions) -> None:
    await build_nested(sessions)
    lanes = (await run(sessions, LANES))["roadmap"]["lanes"]

    assert [
        (
            lane["key"],
            lane["depth"],
            lane["parent"] and lane["parent"]["key"],
            [child["key"] for child in lane["childLanes"]],
            lane["epicCount"],
            lane["progress"],
        )
        for lane in lanes
    ] == [
        ("THEME-1", 0, None, ["pay", "INI-1"], 3, {"total": 4, "done": 2}),
        ("pay", 1, "THEME-1", [], 1, {"total": 1, "done": 1}),
        ("INI-1", 1, "THEME-1", ["INI-2"], 2, {"total": 3, "done": 1}),
        ("INI-2", 2, "INI-1", [], 1, {"total": 1, "done": 0}),
    ]
    theme = lanes[0]
    assert theme["epics"] == [] and theme["health"] == "AT_RISK"
    assert theme["initiative"] == {
        "key": "THEME-1",
        "targetDate": "2026-11-30",
        "targetDateSource": {"source": "CHILDREN"},
    }
    assert theme["childLanes"][1] == {"key": "INI-1", "depth": 1}


async def test_a_filter_by_a_parent_initiative_shows_the_epics_below_it(sessions) -> None:
    await build_nested(sessions)
    lanes = (await run(sessions, LANES, filter={"initiatives": ["INI-1"]}))["roadmap"]["lanes"]

    shown = {lane["key"]: [e["item"]["key"] for e in lane["epics"]] for lane in lanes}
    assert shown == {"THEME-1": [], "INI-1": ["EP-A"], "INI-2": ["EP-B"]}


async def test_an_initiatives_parent_and_children_resolve_across_tools_at_any_depth(
    sessions,
) -> None:
    await build_nested(sessions)
    document = """
    {
      pay: item(key: "pay") { source { name } parent { key source { name } parent { key } } }
      theme: item(key: "THEME-1") {
        children { key level children { key level children { key level } } }
      }
    }
    """
    data = await run(sessions, document)

    assert data["pay"] == {
        "source": {"name": "hub"},
        "parent": {"key": "THEME-1", "source": {"name": "jira"}, "parent": None},
    }
    children = {
        child["key"]: {
            grandchild["key"]: [c["key"] for c in grandchild["children"]]
            for grandchild in child["children"]
        }
        for child in data["theme"]["children"]
    }
    assert children == {
        "INI-1": {"EP-A": ["EP-A-i0", "EP-A-i1"], "INI-2": ["EP-B"]},
        "pay": {"acme/pay#1": ["1-i0"]},
    }


async def build_branches(sessions: async_sessionmaker[AsyncSession], branches: int) -> None:
    """A theme with ``branches`` initiatives, each with a sub-initiative holding one epic."""
    async with sessions() as session, session.begin():
        await add_sources(session)
        items = [work_item("jira:THEME", Level.INITIATIVE)]
        for n in range(branches):
            epic = f"jira:EP-{n}"
            items += [
                work_item(f"jira:INI-{n}", Level.INITIATIVE, parent="jira:THEME"),
                work_item(f"jira:SUB-{n}", Level.INITIATIVE, parent=f"jira:INI-{n}"),
                work_item(
                    epic,
                    Level.EPIC,
                    StatusCategory.IN_PROGRESS,
                    f"jira:SUB-{n}",
                    target_date=date(2026, 6, 30),
                ),
                *issues(epic, (StatusCategory.DONE, 1.0)),
            ]
        session.add_all(items)


async def test_statements_do_not_grow_with_the_number_of_nested_lanes(
    sessions, engine, count_statements
) -> None:
    counts = {}
    for branches in (2, 20):
        await build_branches(sessions, branches)
        with count_statements() as counter:
            lanes = (await run(sessions, LANES))["roadmap"]["lanes"]
        assert len(lanes) == 1 + 2 * branches and lanes[0]["epicCount"] == branches
        counts[branches] = counter.count
        with count_statements() as counter:
            await run(sessions, LANES, filter={"initiatives": ["THEME"]})
        counts[-branches] = counter.count
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
    assert (counts[2], counts[-2]) == (counts[20], counts[-20]), counts
