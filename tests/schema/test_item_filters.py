"""Every ``items`` filter, alone and combined, and ``node(id)``; a filtered page costs the same
statements whatever it holds."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import HubConfig, InitiativeConfig, SourceConfig
from hub.contract.records import Level
from hub.contract.records import StatusCategory as Category
from hub.storage.models import Component, ItemComponent, Person, Source
from schema import get_context, schema
from schema.context import NO_CONFIG
from tests.work_items import NOW, work_item


@pytest.fixture
async def roadmap(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Two hub initiatives; under ``payments`` a Jira epic (tracker parent) and a GitHub epic
    (assigned), each with issues; under ``growth`` one epic and issue. Deleted items and an
    issue under a deleted epic must never show."""
    async with sessions() as session, session.begin():
        session.add_all(
            [
                Source(id=1, name="jira", kind="jira", base_url="https://j", created_at=NOW),
                Source(id=2, name="github", kind="github", base_url="https://g", created_at=NOW),
                Source(id=3, name="hub", kind="hub", base_url="", created_at=NOW),
                Component(id=1, name="ledger"),
            ]
        )
        await session.flush()
        session.add_all(
            [
                Person(id="jira:ada", source_id=1, external_id="ada", name="Ada", email="ada@x.io"),
                Person(id="github:octo", source_id=2, external_id="octo", name="Octo Cat"),
                work_item(
                    "hub:payments",
                    "payments",
                    "Payments",
                    source_id=3,
                    level=Level.INITIATIVE,
                    target_date=date(2026, 6, 30),
                ),
                work_item("hub:growth", "growth", "Growth", source_id=3, level=Level.INITIATIVE),
                work_item(
                    "jira:e1",
                    "PAY-1",
                    "Checkout",
                    level=Level.EPIC,
                    parent_id="hub:payments",
                    category=Category.IN_PROGRESS,
                    labels=["platform"],
                    target_date=date(2026, 4, 15),
                ),
                work_item(
                    "github:e2",
                    "acme/pay#1",
                    "Ledger",
                    source_id=2,
                    level=Level.EPIC,
                    parent_id="hub:payments",
                    target_date=date(2026, 5, 31),
                ),
                work_item("jira:e3", "PAY-2", "Signup", level=Level.EPIC, parent_id="hub:growth"),
                work_item(
                    "jira:e9",
                    "PAY-9",
                    "Gone",
                    level=Level.EPIC,
                    parent_id="hub:payments",
                    deleted=True,
                ),
                work_item(
                    "jira:i1",
                    "PAY-3",
                    "Charge API",
                    parent_id="jira:e1",
                    category=Category.DONE,
                    assignee_id="jira:ada",
                    labels=["api", "backend"],
                    target_date=date(2026, 4, 1),
                ),
                work_item(
                    "github:i2",
                    "acme/pay#2",
                    "Ledger export",
                    source_id=2,
                    parent_id="github:e2",
                    category=Category.CANCELED,
                    assignee_id="github:octo",
                    labels=["api"],
                ),
                work_item(
                    "jira:i3",
                    "PAY-4",
                    "Signup form",
                    parent_id="jira:e3",
                    labels=["api-v2"],
                    target_date=date(2026, 7, 1),
                ),
                work_item("jira:i4", "PAY-5", "Deleted", parent_id="jira:e1", deleted=True),
                work_item("jira:i5", "PAY-6", "Under a deleted epic", parent_id="jira:e9"),
            ]
        )
        await session.flush()
        session.add(ItemComponent(item_id="github:i2", component_id=1))


ITEMS = """
query ($filter: ItemFilter, $first: Int! = 50) {
  items(filter: $filter, first: $first) { edges { node { key } } totalCount }
}
"""


async def run(
    sessions: async_sessionmaker[AsyncSession],
    query: str,
    config: HubConfig = NO_CONFIG,
    **variables: Any,
) -> Any:
    result = await schema.execute(
        query, variable_values=variables, context_value=get_context(sessions, config=config)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def listed(
    sessions: async_sessionmaker[AsyncSession], config: HubConfig = NO_CONFIG, **item_filter: Any
) -> set[str]:
    connection = (await run(sessions, ITEMS, config, filter=item_filter))["items"]
    found = {edge["node"]["key"] for edge in connection["edges"]}
    assert connection["totalCount"] == len(found)
    return found


PAYMENTS_WORK = {"PAY-1", "acme/pay#1", "PAY-3", "acme/pay#2"}


@pytest.mark.parametrize(
    ("item_filter", "expected"),
    [
        ({"level": "EPIC"}, {"PAY-1", "PAY-2", "acme/pay#1"}),
        ({"source": "hub"}, {"payments", "growth"}),
        ({"component": "ledger"}, {"acme/pay#2"}),
        ({"text": "ledger"}, {"acme/pay#1", "acme/pay#2"}),
        ({"statusCategory": "DONE"}, {"PAY-3"}),
        ({"statusCategories": ["DONE", "CANCELED"]}, {"PAY-3", "acme/pay#2"}),
        ({"statusCategories": "IN_PROGRESS"}, {"PAY-1"}),
        ({"statusCategories": []}, set()),
        ({"initiative": "payments"}, PAYMENTS_WORK),
        ({"initiative": "PAYMENTS"}, PAYMENTS_WORK),
        ({"initiative": "hub:growth"}, {"PAY-2", "PAY-4"}),
        ({"assignee": "Ada"}, {"PAY-3"}),
        ({"assignee": "ADA@X.IO"}, {"PAY-3"}),
        ({"assignee": "octo"}, {"acme/pay#2"}),
        ({"assignee": "octo cat"}, {"acme/pay#2"}),
        ({"assignee": "nobody"}, set()),
        ({"label": "api"}, {"PAY-3", "acme/pay#2"}),
        ({"label": "api-v2"}, {"PAY-4"}),
        ({"label": "ap"}, set()),
        ({"targetFrom": "2026-04-15"}, {"PAY-1", "acme/pay#1", "payments", "PAY-4"}),
        ({"targetTo": "2026-04-15"}, {"PAY-3", "PAY-1"}),
        (
            {"targetFrom": "2026-04-02", "targetTo": "2026-06-30"},
            {"PAY-1", "acme/pay#1", "payments"},
        ),
        ({"initiative": "payments", "level": "ISSUE", "label": "api"}, {"PAY-3", "acme/pay#2"}),
        ({"initiative": "payments", "source": "github", "assignee": "octo"}, {"acme/pay#2"}),
    ],
)
async def test_items_filters(sessions, roadmap, item_filter: dict[str, Any], expected) -> None:
    assert await listed(sessions, **item_filter) == expected


NODE = """
query ($id: ID!) { node(id: $id) { id key level parent { key } } }
"""


async def test_node_finds_an_item_by_hub_id(sessions, roadmap) -> None:
    node = (await run(sessions, NODE, id="github:e2"))["node"]
    assert node == {
        "id": "github:e2",
        "key": "acme/pay#1",
        "level": "EPIC",
        "parent": {"key": "payments"},
    }


@pytest.mark.parametrize("item_id", ["jira:i4", "jira:nope", "PAY-3"])
async def test_node_is_null_for_deleted_unknown_or_a_tracker_key(
    sessions, roadmap, item_id: str
) -> None:
    assert (await run(sessions, NODE, id=item_id))["node"] is None


ALL_FILTERS = {
    "initiative": "payments",
    "assignee": "ada",
    "label": "api",
    "statusCategories": ["DONE", "TODO"],
    "targetFrom": "2026-01-01",
    "targetTo": "2026-12-31",
    "level": "ISSUE",
    "source": "jira",
    "text": "charge",
}


CONFIGURED = HubConfig(
    sources=(
        SourceConfig(
            name="jira", kind="jira", base_url="https://j", projects=("PAY",), token_env="JIRA"
        ),
        SourceConfig(
            name="linear", kind="linear", base_url="https://l", teams=("PAY",), token_env="LIN"
        ),
    ),
    initiatives=(InitiativeConfig(key="payments", title="Payments"),),
)
"""Names the filters may use without the database being asked whether it knows them."""


@pytest.mark.parametrize("first", [0, 1, 50])
async def test_a_filtered_page_costs_the_same_statements(
    sessions, roadmap, count_statements, first: int
) -> None:
    with count_statements() as counter:
        data = await run(sessions, ITEMS, CONFIGURED, filter=ALL_FILTERS, first=first)
    assert data["items"]["totalCount"] == 1
    assert counter.count == 2  # the page and its count; configured names need no check


async def error_of(sessions, config: HubConfig = NO_CONFIG, **item_filter: Any) -> str:
    result = await schema.execute(
        ITEMS,
        variable_values={"filter": item_filter},
        context_value=get_context(sessions, config=config),
    )
    assert result.data is None and result.errors is not None
    (error,) = result.errors
    return error.message


@pytest.mark.parametrize(
    ("item_filter", "message"),
    [
        ({"source": "nope"}, "unknown source 'nope'; known: github, hub, jira, linear"),
        ({"source": "JIRA"}, "unknown source 'JIRA'; known: github, hub, jira, linear"),
        ({"component": "billing"}, "unknown component 'billing'; known: ledger"),
        ({"initiative": "nowhere"}, "unknown initiative 'nowhere'; known: growth, payments"),
        # an epic's key names no initiative
        ({"initiative": "PAY-1"}, "unknown initiative 'PAY-1'; known: growth, payments"),
        ({"text": "x" * 257}, "`text` is 257 characters long; search for at most 256."),
        (
            {"targetTo": "9999-12-31"},
            "`targetTo` (9999-12-31) is outside the days the hub plans for, "
            "1900-01-01 to 2999-12-31.",
        ),
        (
            {"targetFrom": "0001-01-01"},
            "`targetFrom` (0001-01-01) is outside the days the hub plans for, "
            "1900-01-01 to 2999-12-31.",
        ),
    ],
)
async def test_a_value_that_names_nothing_is_refused_not_an_empty_list(
    sessions, roadmap, item_filter: dict[str, Any], message: str
) -> None:
    """Configured and stored names are both known; the message lists them."""
    assert await error_of(sessions, CONFIGURED, **item_filter) == message


async def test_a_configured_source_never_synced_is_known(sessions, roadmap) -> None:
    assert await listed(sessions, CONFIGURED, source="linear") == set()


@pytest.mark.parametrize("text", ["x" * 256, "%_" * 128, "é" * 256])
async def test_the_longest_text_allowed_is_searched_as_plain_text(
    sessions, roadmap, text: str
) -> None:
    """Wildcards are escaped, and the longest text stays below SQLite's pattern limit."""
    assert await listed(sessions, text=text) == set()


async def test_a_long_pattern_is_refused_before_the_database_sees_it(sessions, roadmap) -> None:
    """Today SQLite answers "LIKE or GLOB pattern too complex", and the client reads
    "Unexpected error."."""
    message = await error_of(sessions, text="%_" * 20_000)
    assert message == "`text` is 40000 characters long; search for at most 256."
