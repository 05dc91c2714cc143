"""A config initiative's parent: another of the config's at once, a tracker's once synced."""

from __future__ import annotations

from sqlalchemy import select

from hub.contract.config import InitiativeConfig
from hub.contract.records import Level
from hub.storage.models import WorkItem
from hub.sync.native import store_hub_config
from hub.sync.rules import HubRules
from tests.stored import StoredRows
from tests.sync.fakes import SOURCE, T0, EngineFor, FakeConnector, item

PLAN = item(900, external_id="10900", key="PLAN-3", level=Level.INITIATIVE)
"""A Jira initiative: its hub id (``jira:10900``) is not its key."""


async def parents(stored: StoredRows) -> dict[str, tuple[str | None, str | None]]:
    rows = await stored.rows(
        select(WorkItem.id, WorkItem.parent_id, WorkItem.synced_parent_id).where(
            WorkItem.level == Level.INITIATIVE
        )
    )
    return {item_id: (parent, synced) for item_id, parent, synced in rows}


async def store_config(sessions, *initiatives: InitiativeConfig) -> None:
    async with sessions() as session, session.begin():
        await store_hub_config(session, HubRules(initiatives=initiatives), T0)


async def test_a_parent_in_the_config_is_linked_whatever_the_order(sessions, stored) -> None:
    await store_config(
        sessions,
        InitiativeConfig(key="payments-v2", title="Payments v2", parent="platform"),
        InitiativeConfig(key="platform", title="Platform"),
    )

    assert await parents(stored) == {
        "hub:payments-v2": ("hub:platform", "hub:platform"),
        "hub:platform": (None, None),
    }


async def test_a_tracker_initiative_not_yet_synced_becomes_the_parent_when_it_is(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    rules = HubRules(initiatives=[InitiativeConfig(key="checkout", title="C", parent="plan-3")])
    nothing = await engine_for(FakeConnector(SOURCE, []), rules=rules).sync(SOURCE)
    assert nothing.ok, nothing.error
    assert await parents(stored) == {"hub:checkout": (None, None)}  # waiting, not wrong

    report = await engine_for(FakeConnector(SOURCE, [PLAN]), rules=rules).sync(SOURCE)

    assert report.ok, report.error
    assert (await parents(stored))["hub:checkout"] == ("jira:10900", "jira:10900")


async def test_a_tracker_initiative_is_found_by_hub_id_and_a_new_parent_replaces_it(
    engine_for: EngineFor, sessions, stored: StoredRows
) -> None:
    await engine_for(FakeConnector(SOURCE, [PLAN])).sync(SOURCE)
    by_id = InitiativeConfig(key="checkout", title="C", parent="jira:10900")
    await store_config(sessions, by_id)
    assert (await parents(stored))["hub:checkout"] == ("jira:10900", "jira:10900")

    await store_config(
        sessions,
        by_id.model_copy(update={"parent": "platform"}),
        InitiativeConfig(key="platform", title="Platform"),
    )
    assert (await parents(stored))["hub:checkout"] == ("hub:platform", "hub:platform")

    await store_config(sessions, by_id.model_copy(update={"parent": None}))
    assert (await parents(stored))["hub:checkout"] == (None, None)


async def test_a_parent_that_is_not_an_initiative_is_never_linked(
    engine_for: EngineFor, stored: StoredRows
) -> None:
    epic = item(901, external_id="10901", key="PAY-901", level=Level.EPIC)
    rules = HubRules(initiatives=[InitiativeConfig(key="checkout", title="C", parent="PAY-901")])
    report = await engine_for(FakeConnector(SOURCE, [epic]), rules=rules).sync(SOURCE)

    assert report.ok, report.error
    assert (await parents(stored))["hub:checkout"] == (None, None)
