"""createInitiative, assignToInitiative, unassignFromInitiative, addDependency and
removeDependency: each result, and each typed refusal, over the schema."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract import errors
from hub.contract.config import HubConfig, InitiativeConfig, SourceConfig
from hub.contract.records import Level
from hub.sync import SyncEngine
from hub.sync.rules import HubRules
from schema import get_context, schema
from schema.context import NO_CONFIG
from schema.manual import problem
from tests.sync.fakes import FakeConnector, item

RULES = HubRules(initiatives=[InitiativeConfig(key="payments-v2", title="Payments v2")])
ITEMS = [
    item(1, level=Level.EPIC, title="Checkout"),
    item(2, title="Charge API", parent_external_id="1"),
    item(3, title="Refunds"),
]


def jira(name: str) -> SourceConfig:
    return SourceConfig(
        name=name,
        kind="jira",
        base_url="https://jira.example",
        projects=("PAY",),
        token_env="JIRA_TOKEN",
        email_env="JIRA_EMAIL",
    ).model_copy(update={"token": SecretStr("t"), "email": SecretStr("a@b.c")})


def sync_engine(sessions: async_sessionmaker[AsyncSession]) -> SyncEngine:
    return SyncEngine(
        sessions,
        rules=RULES,
        connector_factory=lambda source, transport=None: FakeConnector(source, ITEMS),
    )


@pytest.fixture
async def synced(sessions: async_sessionmaker[AsyncSession]) -> None:
    """PAY-1 (an epic), PAY-2 and PAY-3 in ``jira``, and the config initiative payments-v2."""
    assert (await sync_engine(sessions).sync(jira("jira"))).ok


async def execute(
    sessions: async_sessionmaker[AsyncSession],
    query: str,
    config: HubConfig = NO_CONFIG,
    **variables: Any,
) -> dict[str, Any]:
    context = get_context(sessions, config=config)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


PROBLEM = "... on ManualChangeProblem { __typename message }"

CREATE = f"""
mutation ($input: CreateInitiativeInput!) {{
  createInitiative(input: $input) {{
    __typename
    ... on Item {{ id key title level statusCategory startDate targetDate source {{ name }} }}
    ... on InitiativeKeyTaken {{ key }}
    ... on InvalidInitiativeKey {{ key }}
    {PROBLEM}
  }}
}}
"""


async def test_create_initiative(sessions, synced) -> None:
    given = {
        "key": "growth",
        "title": "Growth",
        "owner": "ada@example.com",
        "description": "Grow the business",
        "startDate": "2026-04-01",
        "targetDate": "2026-06-30",
        "status": "TODO",
    }
    created = (await execute(sessions, CREATE, input=given))["createInitiative"]
    assert created == {
        "__typename": "Item",
        "id": "hub:growth",
        "key": "growth",
        "title": "Growth",
        "level": "INITIATIVE",
        "statusCategory": "TODO",
        "startDate": "2026-04-01",
        "targetDate": "2026-06-30",
        "source": {"name": "hub"},
    }
    # A sync of the config afterwards keeps it.
    assert (await sync_engine(sessions).sync(jira("jira"))).ok
    found = await execute(sessions, 'query { node(id: "hub:growth") { key } }')
    assert found["node"] == {"key": "growth"}


@pytest.mark.parametrize(
    ("given", "typename"),
    [
        ({"key": "payments-v2", "title": "Again"}, "InitiativeKeyTaken"),
        ({"key": "Growth!", "title": "Growth"}, "InvalidInitiativeKey"),
        ({"key": "growth", "title": " "}, "InvalidInitiative"),
        (
            {"key": "growth", "title": "G", "startDate": "2026-05-01", "targetDate": "2026-04-01"},
            "InvalidInitiative",
        ),
        ({"key": "growth", "title": "G", "targetDate": "9999-12-31"}, "InvalidInitiative"),
        ({"key": "growth", "title": "G", "startDate": "1066-10-14"}, "InvalidInitiative"),
    ],
)
async def test_create_initiative_refusals(sessions, synced, given, typename) -> None:
    refused = (await execute(sessions, CREATE, input=given))["createInitiative"]
    assert refused["__typename"] == typename
    assert refused["message"]


async def test_a_key_declared_in_the_config_is_taken_before_any_sync(sessions) -> None:
    config = HubConfig(sources=(jira("jira"),), initiatives=RULES.initiatives)
    given = {"key": "payments-v2", "title": "Mine"}
    refused = (await execute(sessions, CREATE, config, input=given))["createInitiative"]
    assert refused["__typename"] == "InitiativeKeyTaken"
    assert refused["key"] == "payments-v2"
    assert "declared in the config" in refused["message"]


ASSIGN = f"""
mutation ($item: String!, $initiative: String!) {{
  assignToInitiative(item: $item, initiative: $initiative) {{
    __typename
    ... on InitiativeAssignment {{
      item {{ key parent {{ key }} }}
      initiative {{ key children {{ key }} }}
      assignedAt
    }}
    ... on ItemNotFound {{ reference }}
    ... on InitiativeNotFound {{ reference }}
    ... on AmbiguousItemKey {{ ids }}
    ... on NotAnEpic {{ level }}
    {PROBLEM}
  }}
}}
"""

UNASSIGN = f"""
mutation ($item: String!) {{
  unassignFromInitiative(item: $item) {{
    __typename
    ... on Item {{ key parent {{ key }} }}
    {PROBLEM}
  }}
}}
"""


async def test_assign_and_unassign(sessions, synced) -> None:
    done = (await execute(sessions, ASSIGN, item="pay-1", initiative="payments-v2"))[
        "assignToInitiative"
    ]
    assert done["__typename"] == "InitiativeAssignment"
    assert done["item"] == {"key": "PAY-1", "parent": {"key": "payments-v2"}}
    assert done["initiative"] == {"key": "payments-v2", "children": [{"key": "PAY-1"}]}
    assert done["assignedAt"]

    undone = (await execute(sessions, UNASSIGN, item="jira:1"))["unassignFromInitiative"]
    assert undone == {"__typename": "Item", "key": "PAY-1", "parent": None}


@pytest.mark.parametrize(
    ("item_ref", "initiative", "typename"),
    [
        ("PAY-404", "payments-v2", "ItemNotFound"),
        ("PAY-1", "nowhere", "InitiativeNotFound"),
        ("PAY-1", "PAY-1", "InitiativeNotFound"),  # an epic is no initiative
        ("PAY-2", "payments-v2", "NotAnEpic"),
    ],
)
async def test_assign_refusals(sessions, synced, item_ref, initiative, typename) -> None:
    refused = (await execute(sessions, ASSIGN, item=item_ref, initiative=initiative))[
        "assignToInitiative"
    ]
    assert refused["__typename"] == typename
    assert refused["message"]
    if typename == "NotAnEpic":
        assert refused["level"] == "ISSUE"
    else:
        assert refused["reference"] in (item_ref, initiative)


async def test_a_key_in_two_sources_is_refused_as_ambiguous(sessions, synced) -> None:
    assert (await sync_engine(sessions).sync(jira("jira-two"))).ok
    refused = (await execute(sessions, ASSIGN, item="PAY-1", initiative="payments-v2"))[
        "assignToInitiative"
    ]
    assert refused["__typename"] == "AmbiguousItemKey"
    assert refused["ids"] == ["jira-two:1", "jira:1"]
    by_id = (await execute(sessions, ASSIGN, item="jira-two:1", initiative="payments-v2"))[
        "assignToInitiative"
    ]
    assert by_id["__typename"] == "InitiativeAssignment"


@pytest.mark.parametrize(
    ("item_ref", "typename"), [("PAY-3", "AssignmentNotFound"), ("X-1", "ItemNotFound")]
)
async def test_unassign_refusals(sessions, synced, item_ref, typename) -> None:
    refused = (await execute(sessions, UNASSIGN, item=item_ref))["unassignFromInitiative"]
    assert refused["__typename"] == typename
    assert refused["message"]


ADD = f"""
mutation ($blocker: String!, $blocked: String!, $note: String) {{
  addDependency(blocker: $blocker, blocked: $blocked, note: $note) {{
    __typename
    ... on ManualDependency {{
      blocker {{ key }} blocked {{ key blockers {{ key }} }} note createdAt
    }}
    ... on ItemNotFound {{ reference }}
    {PROBLEM}
  }}
}}
"""

REMOVE = f"""
mutation ($blocker: String!, $blocked: String!) {{
  removeDependency(blocker: $blocker, blocked: $blocked) {{
    __typename
    ... on ManualDependency {{ blocker {{ key }} blocked {{ key }} note }}
    ... on ItemNotFound {{ reference }}
    {PROBLEM}
  }}
}}
"""


async def test_add_and_remove_a_manual_dependency(sessions, synced) -> None:
    added = (await execute(sessions, ADD, blocker="PAY-3", blocked="PAY-2", note="refunds first"))[
        "addDependency"
    ]
    assert added["__typename"] == "ManualDependency"
    assert added["blocker"] == {"key": "PAY-3"}
    assert added["blocked"] == {"key": "PAY-2", "blockers": [{"key": "PAY-3"}]}
    assert (added["note"], bool(added["createdAt"])) == ("refunds first", True)

    removed = (await execute(sessions, REMOVE, blocker="jira:3", blocked="jira:2"))[
        "removeDependency"
    ]
    assert removed == {
        "__typename": "ManualDependency",
        "blocker": {"key": "PAY-3"},
        "blocked": {"key": "PAY-2"},
        "note": "refunds first",
    }
    again = (await execute(sessions, REMOVE, blocker="PAY-3", blocked="PAY-2"))["removeDependency"]
    assert again["__typename"] == "DependencyNotFound"


@pytest.mark.parametrize(
    ("blocker", "blocked", "typename"),
    [
        ("PAY-404", "PAY-2", "ItemNotFound"),
        ("PAY-3", "nope", "ItemNotFound"),
        ("PAY-3", "jira:3", "SelfDependency"),
        ("PAY-1", "PAY-2", "DuplicateDependency"),
    ],
)
async def test_add_dependency_refusals(sessions, synced, blocker, blocked, typename) -> None:
    assert (await execute(sessions, ADD, blocker="PAY-1", blocked="PAY-2"))["addDependency"][
        "__typename"
    ] == "ManualDependency"
    refused = (await execute(sessions, ADD, blocker=blocker, blocked=blocked))["addDependency"]
    assert refused["__typename"] == typename
    assert refused["message"]
    if typename == "ItemNotFound":
        assert refused["reference"] in (blocker, blocked) and refused["reference"] not in (
            "PAY-2",
            "PAY-3",
        )


async def test_remove_dependency_of_an_unknown_item(sessions, synced) -> None:
    refused = (await execute(sessions, REMOVE, blocker="PAY-1", blocked="PAY-404"))[
        "removeDependency"
    ]
    assert (refused["__typename"], refused["reference"]) == ("ItemNotFound", "PAY-404")


REFUSALS: list[tuple[errors.ManualChangeRejected, dict[str, Any]]] = [
    (errors.ItemNotFound("PAY-404"), {"reference": "PAY-404"}),
    (errors.InitiativeNotFound("growth"), {"reference": "growth"}),
    (
        errors.AmbiguousItemKey("PAY-1", ["jira:1", "other:1"]),
        {"reference": "PAY-1", "ids": ["jira:1", "other:1"]},
    ),
    (errors.NotAnEpic("PAY-2", Level.ISSUE), {"level": Level.ISSUE}),
    (errors.AssignmentNotFound("PAY-1"), {}),
    (errors.InvalidInitiativeKey("Growth"), {"key": "Growth"}),
    (errors.InvalidInitiative("initiative field(s) not valid: title"), {}),
    (errors.InitiativeKeyTaken("growth", declared=True), {"key": "growth"}),
    (errors.SelfDependency("PAY-2"), {}),
    (errors.DuplicateDependency("PAY-2", "PAY-3"), {}),
    (errors.DependencyNotFound("PAY-2", "PAY-3"), {}),
]


def test_every_refusal_becomes_the_graphql_type_of_its_name_with_its_fields() -> None:
    refused = {type(rejected) for rejected, _ in REFUSALS}
    assert refused == set(errors.ManualChangeRejected.__subclasses__())
    for rejected, fields in REFUSALS:
        reported = problem(rejected)
        assert type(reported).__name__ == type(rejected).__name__
        assert vars(reported) == {"message": str(rejected), **fields}
