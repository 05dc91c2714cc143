from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.storage.models import Base
from schema import get_context, schema
from tests.views.test_graph import TODAY, build_world

GRAPH = """
query ($root: String!, $kind: DependencyRoot = ITEM, $direction: Direction = BOTH,
       $depth: Int = 3) {
  dependencyGraph(root: $root, rootKind: $kind, direction: $direction, depth: $depth) {
    nodes { key }
    edges { blocker { key } blocked { key } provenance crossesTools }
    cycles { key }
    criticalPath { key }
    blockedByOpenWork { key }
    scheduleConflicts { blocker { key } blocked { key } blockerTarget blockedTarget }
  }
}
"""


async def run(
    sessions: async_sessionmaker[AsyncSession], query: str, **variables: Any
) -> dict[str, Any]:
    result = await schema.execute(
        query, variable_values=variables, context_value=get_context(sessions)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def keys(items: list[dict[str, str]]) -> list[str]:
    return [item["key"] for item in items]


async def test_the_graph_upstream_of_an_item(sessions) -> None:
    await build_world(sessions)
    data = await run(sessions, GRAPH, root="PAY-2", direction="UPSTREAM", depth=1)
    graph = data["dependencyGraph"]
    assert keys(graph["nodes"]) == ["PAY-2", "PAY-3", "acme/x#1", "acme/x#2"]
    assert graph["edges"] == [
        {
            "blocker": {"key": "PAY-3"},
            "blocked": {"key": "PAY-2"},
            "provenance": ["TRACKER"],
            "crossesTools": False,
        },
        {
            "blocker": {"key": "acme/x#1"},
            "blocked": {"key": "PAY-2"},
            "provenance": ["MENTION", "TRACKER"],
            "crossesTools": True,
        },
        {
            "blocker": {"key": "acme/x#2"},
            "blocked": {"key": "PAY-2"},
            "provenance": ["TRACKER"],
            "crossesTools": True,
        },
    ]
    assert graph["cycles"] == []
    assert keys(graph["criticalPath"]) == ["PAY-4", "acme/x#1", "PAY-2"]
    # acme/x#1 waits on PAY-4, which is open although beyond the depth asked
    assert keys(graph["blockedByOpenWork"]) == ["PAY-2", "PAY-3", "acme/x#1"]
    assert graph["scheduleConflicts"] == [
        {
            "blocker": {"key": "acme/x#1"},
            "blocked": {"key": "PAY-2"},
            "blockerTarget": (TODAY + timedelta(days=30)).isoformat(),
            "blockedTarget": (TODAY + timedelta(days=16)).isoformat(),
        }
    ]


async def test_the_graph_around_an_initiative_shows_its_cycle(sessions) -> None:
    await build_world(sessions)
    data = await run(sessions, GRAPH, root="INI-1", kind="INITIATIVE", depth=2)
    graph = data["dependencyGraph"]
    assert [keys(cycle) for cycle in graph["cycles"]] == [["PAY-8", "PAY-9"]]
    # PAY-1, the initiative's epic, takes part in no dependency: a dot without lines.
    assert "PAY-1" not in keys(graph["nodes"])
    assert {"PAY-2", "PAY-3"} <= set(keys(graph["nodes"]))


async def test_the_graph_of_a_component_downstream(sessions) -> None:
    await build_world(sessions)
    data = await run(sessions, GRAPH, root="platform", kind="COMPONENT", direction="DOWNSTREAM")
    assert keys(data["dependencyGraph"]["nodes"]) == [
        "PAY-2",
        "PAY-4",
        "PAY-5",
        "acme/x#1",
    ]  # not PAY-6, the canceled item of platform: it takes part in no dependency


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"root": "PAY-2", "depth": 0}, "`depth` must be between 1 and 10, got 0"),
        ({"root": "PAY-2", "depth": 11}, "`depth` must be between 1 and 10, got 11"),
        ({"root": "NOPE-1"}, "no live item has the key or hub id 'NOPE-1'"),
        ({"root": "PAY-2", "kind": "INITIATIVE"}, "no live initiative"),
        ({"root": "billing", "kind": "COMPONENT"}, "no component of the catalog"),
    ],
)
async def test_bad_arguments_get_a_clear_error(
    sessions, variables: dict[str, Any], message: str
) -> None:
    await build_world(sessions)
    result = await schema.execute(
        GRAPH, variable_values=variables, context_value=get_context(sessions)
    )
    assert result.data is None
    assert result.errors is not None and message in result.errors[0].message


async def count_graph_statements(sessions, count_statements, extra_blockers: int) -> int:
    await build_world(sessions, extra_blockers=extra_blockers)
    with count_statements() as counter:
        data = await run(sessions, GRAPH, root="PAY-2", direction="UPSTREAM", depth=3)
    assert len(data["dependencyGraph"]["nodes"]) == 7 + extra_blockers
    count: int = counter.count
    return count


async def test_statements_do_not_grow_with_the_graph(sessions, engine, count_statements) -> None:
    small = await count_graph_statements(sessions, count_statements, extra_blockers=0)
    async with engine.begin() as connection:  # empty the world between the two sizes
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
    large = await count_graph_statements(sessions, count_statements, extra_blockers=300)
    print(f"statements: {small} for 7 nodes, {large} for 307")
    assert small == large <= 4
