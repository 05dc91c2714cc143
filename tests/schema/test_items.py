from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.records import Level, Provenance, StatusCategory
from hub.storage.models import Component, Dependency, ItemComponent, Person, Source
from schema import get_context, schema
from tests.work_items import NOW, work_item


def dependency(blocker_id: str, blocked_id: str, provenance: Provenance) -> Dependency:
    return Dependency(
        blocker_id=blocker_id, blocked_id=blocked_id, provenance=provenance, created_at=NOW
    )


@pytest.fixture
async def dataset(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A Jira initiative with a Jira and a GitHub epic under it, their issues and links.

    PAY-3 blocks PAY-4 twice (tracker link and a mention), acme/pay#6 (GitHub) blocks PAY-3,
    the deleted PAY-5 blocks PAY-4, an unseen Linear item blocks PAY-4, and PAY-6 names a
    parent the hub has never seen.
    """
    async with sessions() as session, session.begin():
        session.add_all(
            [
                Source(
                    id=1, name="jira", kind="jira", base_url="https://jira.example", created_at=NOW
                ),
                Source(
                    id=2,
                    name="github",
                    kind="github",
                    base_url="https://gh.example",
                    created_at=NOW,
                ),
            ]
        )
        await session.flush()
        session.add_all(
            [
                Person(id="jira:ada", source_id=1, external_id="ada", name="Ada", email="ada@x.io"),
                Component(id=1, name="payments-api", owner="team-pay", description="Takes money"),
                Component(id=2, name="ledger", owner="team-ledger"),
            ]
        )
        await session.flush()
        session.add_all(
            [
                work_item("jira:100", "PAY-1", "Payments v2", level=Level.INITIATIVE),
                work_item(
                    "jira:101", "PAY-2", "Card checkout", level=Level.EPIC, parent_id="jira:100"
                ),
                work_item(
                    "github:201",
                    "acme/pay#5",
                    "Ledger sync",
                    source_id=2,
                    level=Level.EPIC,
                    parent_id="jira:100",
                ),
                work_item(
                    "jira:102",
                    "PAY-3",
                    "Charge API",
                    parent_id="jira:101",
                    assignee_id="jira:ada",
                    labels=["api"],
                    estimate=3.0,
                ),
                work_item(
                    "jira:103",
                    "PAY-4",
                    "Refund flow",
                    parent_id="jira:101",
                    category=StatusCategory.DONE,
                    completed_at=NOW,
                ),
                work_item("jira:104", "PAY-5", "Old spike", parent_id="jira:101", deleted=True),
                work_item("jira:105", "PAY-6", "Orphan task", parent_id="jira:999"),
                work_item(
                    "github:202",
                    "acme/pay#6",
                    "Ledger 100% export",
                    source_id=2,
                    parent_id="github:201",
                    category=StatusCategory.IN_PROGRESS,
                ),
            ]
        )
        await session.flush()
        session.add_all(
            [
                dependency("jira:102", "jira:103", Provenance.TRACKER),
                dependency("jira:102", "jira:103", Provenance.MENTION),
                dependency("github:202", "jira:102", Provenance.MENTION),
                dependency("jira:104", "jira:103", Provenance.TRACKER),
                dependency("linear:unseen", "jira:103", Provenance.MENTION),
                ItemComponent(item_id="jira:102", component_id=1),
                ItemComponent(item_id="jira:102", component_id=2),
                ItemComponent(item_id="github:202", component_id=2),
            ]
        )


async def run(
    sessions: async_sessionmaker[AsyncSession], query: str, **variables: Any
) -> dict[str, Any]:
    result = await schema.execute(
        query, variable_values=variables, context_value=get_context(sessions)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def error_of(sessions: async_sessionmaker[AsyncSession], query: str, **variables: Any) -> str:
    result = await schema.execute(
        query, variable_values=variables, context_value=get_context(sessions)
    )
    assert result.errors, result.data
    return result.errors[0].message


def keys(items: list[dict[str, Any]]) -> list[str]:
    return [item["key"] for item in items]


ITEM_GRAPH = """
query ($key: String!) {
  item(key: $key) {
    id key title level status statusCategory labels estimate completedAt
    parent { key }
    children { key }
    blockers { key }
    blocking { key }
    components { name owner description }
    source { name kind baseUrl }
    assignee { name email }
  }
}
"""


async def test_item_by_key_carries_its_fields(sessions, dataset) -> None:
    item = (await run(sessions, ITEM_GRAPH, key="PAY-3"))["item"]
    assert item["id"] == "jira:102"
    assert item["level"] == "ISSUE"
    assert item["statusCategory"] == "TODO"
    assert item["labels"] == ["api"]
    assert item["estimate"] == 3.0
    assert item["source"] == {"name": "jira", "kind": "jira", "baseUrl": "https://jira.example"}
    assert item["assignee"] == {"name": "Ada", "email": "ada@x.io"}


async def test_hierarchy_runs_both_ways_and_across_sources(sessions, dataset) -> None:
    initiative = (await run(sessions, ITEM_GRAPH, key="PAY-1"))["item"]
    assert initiative["parent"] is None
    assert keys(initiative["children"]) == ["PAY-2", "acme/pay#5"]

    epic = (await run(sessions, ITEM_GRAPH, key="PAY-2"))["item"]
    assert epic["parent"] == {"key": "PAY-1"}
    assert keys(epic["children"]) == ["PAY-3", "PAY-4"]  # PAY-5 is deleted

    github_issue = (await run(sessions, ITEM_GRAPH, key="acme/pay#6"))["item"]
    assert github_issue["parent"] == {"key": "acme/pay#5"}


async def test_a_parent_the_hub_has_not_seen_resolves_to_null(sessions, dataset) -> None:
    assert (await run(sessions, ITEM_GRAPH, key="PAY-6"))["item"]["parent"] is None


async def test_blockers_and_blocking_point_the_right_way(sessions, dataset) -> None:
    charge = (await run(sessions, ITEM_GRAPH, key="PAY-3"))["item"]
    assert keys(charge["blockers"]) == ["acme/pay#6"]
    assert keys(charge["blocking"]) == ["PAY-4"]

    refund = (await run(sessions, ITEM_GRAPH, key="PAY-4"))["item"]
    # Two provenances of one link count once; the deleted and the unseen blockers do not show.
    assert keys(refund["blockers"]) == ["PAY-3"]
    assert refund["blocking"] == []

    ledger = (await run(sessions, ITEM_GRAPH, key="acme/pay#6"))["item"]
    assert keys(ledger["blocking"]) == ["PAY-3"]


async def test_components_of_an_item(sessions, dataset) -> None:
    item = (await run(sessions, ITEM_GRAPH, key="PAY-3"))["item"]
    assert item["components"] == [
        {"name": "ledger", "owner": "team-ledger", "description": None},
        {"name": "payments-api", "owner": "team-pay", "description": "Takes money"},
    ]


async def test_a_key_is_found_in_any_case_as_the_mutations_find_it(sessions, dataset) -> None:
    item = (await run(sessions, ITEM_GRAPH, key="pay-3"))["item"]
    assert (item["id"], item["key"]) == ("jira:102", "PAY-3")
    async with sessions() as session, session.begin():
        session.add(work_item("github:299", "pay-1", "Same key in another case", source_id=2))
    message = await error_of(sessions, ITEM_GRAPH, key="Pay-1")
    assert "jira:100" in message and "github:299" in message


@pytest.mark.parametrize("key", ["PAY-5", "NOPE-1"])
async def test_deleted_or_unknown_key_is_null(sessions, dataset, key: str) -> None:
    assert (await run(sessions, ITEM_GRAPH, key=key))["item"] is None


ITEMS = """
query ($filter: ItemFilter, $first: Int! = 50, $after: String) {
  items(filter: $filter, first: $first, after: $after) {
    edges { cursor node { key } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""


async def listed(sessions: async_sessionmaker[AsyncSession], **item_filter: Any) -> set[str]:
    connection = (await run(sessions, ITEMS, filter=item_filter))["items"]
    found = {edge["node"]["key"] for edge in connection["edges"]}
    assert connection["totalCount"] == len(found)
    return found


async def test_items_hide_deleted_ones(sessions, dataset) -> None:
    assert await listed(sessions) == {
        "PAY-1",
        "PAY-2",
        "PAY-3",
        "PAY-4",
        "PAY-6",
        "acme/pay#5",
        "acme/pay#6",
    }


@pytest.mark.parametrize(
    ("item_filter", "expected"),
    [
        ({"level": "EPIC"}, {"PAY-2", "acme/pay#5"}),
        ({"source": "github"}, {"acme/pay#5", "acme/pay#6"}),
        ({"statusCategory": "DONE"}, {"PAY-4"}),
        ({"component": "ledger"}, {"PAY-3", "acme/pay#6"}),
        ({"text": "pay-3"}, {"PAY-3"}),
        ({"text": "LEDGER"}, {"acme/pay#5", "acme/pay#6"}),
        ({"text": "100%"}, {"acme/pay#6"}),
        ({"text": "_"}, set()),
        ({"source": "jira", "level": "ISSUE", "statusCategory": "TODO"}, {"PAY-3", "PAY-6"}),
    ],
)
async def test_items_filters(sessions, dataset, item_filter: dict[str, str], expected) -> None:
    assert await listed(sessions, **item_filter) == expected


async def test_walking_all_pages_lists_every_item_once(sessions, dataset) -> None:
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = (await run(sessions, ITEMS, first=2, after=after))["items"]
        seen += [edge["node"]["key"] for edge in page["edges"]]
        assert page["edges"][-1]["cursor"] == page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == await listed(sessions)


async def test_an_empty_page_has_no_end_cursor(sessions, dataset) -> None:
    page = (await run(sessions, ITEMS, filter={"text": "matches nothing"}))["items"]
    assert page["edges"] == []
    assert page["pageInfo"] == {"hasNextPage": False, "endCursor": None}


@pytest.mark.parametrize("first", [101, -1])
async def test_page_size_out_of_bounds_is_refused(sessions, dataset, first: int) -> None:
    message = await error_of(sessions, ITEMS, first=first)
    assert "`first` must be between 0 and 100" in message


@pytest.mark.parametrize("cursor", ["garbage!", "aXRlbTpbMV0=", ""])
async def test_a_malformed_cursor_is_refused(sessions, dataset, cursor: str) -> None:
    message = await error_of(sessions, ITEMS, after=cursor)
    assert "`after` is not a cursor issued by this API" in message


async def test_a_key_shared_by_two_sources_is_an_error_not_a_guess(sessions, dataset) -> None:
    async with sessions() as session, session.begin():
        session.add(work_item("github:299", "PAY-1", "Same key elsewhere", source_id=2))
    message = await error_of(sessions, ITEM_GRAPH, key="PAY-1")
    assert "jira:100" in message and "github:299" in message


async def many_items(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    """``count`` issues under ten epics, each blocking the next and in one component.

    Issue keys sort before epic keys, so even a small page follows every kind of relation.
    """
    async with sessions() as session, session.begin():
        session.add(Source(id=1, name="jira", kind="jira", base_url="https://j", created_at=NOW))
        session.add(Component(id=1, name="core"))
        await session.flush()
        session.add_all(
            work_item(f"jira:e{n}", f"EPIC-{n}", f"Epic {n}", level=Level.EPIC) for n in range(10)
        )
        session.add_all(
            work_item(f"jira:{n}", f"AB-{n:03}", f"Issue {n}", parent_id=f"jira:e{n % 10}")
            for n in range(count)
        )
        await session.flush()
        session.add_all(
            dependency(f"jira:{n}", f"jira:{n + 1}", Provenance.TRACKER) for n in range(count - 1)
        )
        session.add_all(ItemComponent(item_id=f"jira:{n}", component_id=1) for n in range(count))


WIDE_PAGE = """
query ($first: Int!) {
  items(first: $first) {
    edges { node {
      key
      parent { key }
      children { key }
      blockers { key }
      blocking { key }
      components { name }
      source { name }
    } }
  }
}
"""


async def test_statements_do_not_grow_with_page_size(sessions, count_statements) -> None:
    await many_items(sessions, 80)
    counts = {}
    for first in (5, 60):
        with count_statements() as counter:
            data = await run(sessions, WIDE_PAGE, first=first)
        assert len(data["items"]["edges"]) == first
        counts[first] = counter.count
    assert counts[5] == counts[60] == 7  # the page, then one per loader
