from __future__ import annotations

from datetime import UTC, datetime

from hub.storage.models import Base
from schema import get_context, schema
from tests.schema.test_graph import run
from tests.views.test_graph import build_world

COMPONENTS = """
{
  components {
    name owner description
    openWork { todo inProgress done canceled }
    itemsAtRisk { key }
    firstAtRisk: itemsAtRisk(first: 1) { key }
  }
  componentDependencies { from { name owner } to { name } count }
}
"""


async def test_components_with_work_risk_and_dependencies(sessions) -> None:
    await build_world(sessions, today=datetime.now(UTC).date())
    data = await run(sessions, COMPONENTS)
    zero = {"todo": 0, "inProgress": 0, "done": 0, "canceled": 0}
    assert data["components"] == [
        {
            "name": "docs",
            "owner": None,
            "description": None,
            "openWork": zero,
            "itemsAtRisk": [],
            "firstAtRisk": [],
        },
        {
            "name": "ledger",
            "owner": "team-ledger",
            "description": None,
            "openWork": {**zero, "todo": 1, "done": 1},
            "itemsAtRisk": [],
            "firstAtRisk": [],
        },
        {
            "name": "payments",
            "owner": "team-pay",
            "description": "Takes money",
            "openWork": {**zero, "todo": 1, "inProgress": 1},
            "itemsAtRisk": [{"key": "PAY-3"}, {"key": "PAY-2"}],
            "firstAtRisk": [{"key": "PAY-3"}],
        },
        {
            "name": "platform",
            "owner": None,
            "description": None,
            "openWork": {**zero, "todo": 1, "canceled": 1},
            "itemsAtRisk": [{"key": "PAY-4"}],
            "firstAtRisk": [{"key": "PAY-4"}],
        },
    ]
    assert data["componentDependencies"] == [
        {
            "from": {"name": "ledger", "owner": "team-ledger"},
            "to": {"name": "payments"},
            "count": 2,
        },
        {"from": {"name": "platform", "owner": None}, "to": {"name": "ledger"}, "count": 1},
    ]


async def test_a_page_of_at_risk_items_is_bounded(sessions) -> None:
    result = await schema.execute(
        "{ components { itemsAtRisk(first: 101) { key } } }", context_value=get_context(sessions)
    )
    assert result.errors is None  # no components, nothing to resolve
    await build_world(sessions)
    result = await schema.execute(
        "{ components { itemsAtRisk(first: 101) { key } } }", context_value=get_context(sessions)
    )
    assert result.errors is not None
    assert "`first` must be between 0 and 100, got 101" in result.errors[0].message


async def test_statements_do_not_grow_with_components_or_items(
    sessions, engine, count_statements
) -> None:
    counts = []
    for extra in (0, 200):
        await build_world(sessions, extra_blockers=extra)
        with count_statements() as counter:
            await run(sessions, COMPONENTS)
        counts.append(counter.count)
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
    print(f"statements: {counts}")
    assert counts[0] == counts[1] <= 6  # catalog 2, at risk 2 (two page sizes), items, matrix
