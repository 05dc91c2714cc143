"""Manual changes as domain operations: what they write, what they refuse, and that no
sync undoes them (API-created initiatives, manual dependencies)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.config import InitiativeConfig, SourceConfig
from hub.contract.errors import (
    AmbiguousItemKey,
    DependencyNotFound,
    DuplicateDependency,
    InitiativeKeyTaken,
    InitiativeNotFound,
    InvalidInitiative,
    InvalidInitiativeKey,
    ItemNotFound,
    NotFound,
    SelfDependency,
)
from hub.contract.records import ItemRecord, Level, Provenance
from hub.storage.database import transaction
from hub.storage.models import Dependency, Source, WorkItem
from hub.sync import SyncEngine, manual
from hub.sync.rules import HubRules
from tests.sync.fakes import FakeConnector, item

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SOURCE = SourceConfig(
    name="jira",
    kind="jira",
    base_url="https://jira.example",
    projects=("PAY",),
    token_env="JIRA_TOKEN",
    email_env="JIRA_EMAIL",
).model_copy(update={"token": SecretStr("t"), "email": SecretStr("a@b.c")})
PAYMENTS = InitiativeConfig(key="payments-v2", title="Payments v2")
ITEMS = [item(1, level=Level.EPIC, blocks=("2",)), item(2), item(3)]


async def sync(
    sessions,
    items: Sequence[ItemRecord] = ITEMS,
    *,
    initiatives: Sequence[InitiativeConfig] = (PAYMENTS,),
    full: bool = False,
) -> None:
    engine = SyncEngine(
        sessions,
        rules=HubRules(initiatives=initiatives),
        connector_factory=lambda source, transport=None: FakeConnector(source, items),
    )
    report = await engine.sync(SOURCE, full=full)
    assert report.ok, report.error


async def create(sessions, key: str = "growth", title: str = "Growth", **fields) -> WorkItem:
    async with transaction(sessions) as session:
        new = manual.NewInitiative(key, title, **fields)
        return await manual.create_initiative(session, new, NOW)


async def live_hub_items(sessions) -> set[str]:
    async with sessions() as session:
        rows = await session.scalars(
            select(WorkItem.key)
            .join(Source, Source.id == WorkItem.source_id)
            .where(Source.name == "hub", WorkItem.deleted.is_(False))
        )
        return set(rows)


async def dependencies(sessions) -> set[tuple[str, str, Provenance]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Dependency.blocker_id, Dependency.blocked_id, Dependency.provenance)
        )
        return {(blocker, blocked, provenance) for blocker, blocked, provenance in rows}


async def test_a_created_initiative_is_a_hub_item_marked_as_made_through_the_api(
    sessions,
) -> None:
    row = await create(
        sessions,
        owner="ada@example.com",
        description="Grow",
        start_date=date(2026, 4, 1),
        target_date=date(2026, 6, 30),
    )
    assert (row.id, row.key, row.level, row.deleted) == (
        "hub:growth",
        "growth",
        Level.INITIATIVE,
        False,
    )
    assert (row.start_date, row.target_date, row.body) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
        "Grow",
    )
    assert row.raw["origin"] == "api" and row.raw["owner"] == "ada@example.com"
    assert row.created_at == NOW


async def test_config_syncs_never_delete_api_initiatives(sessions) -> None:
    await sync(sessions)
    await create(sessions)
    assert await live_hub_items(sessions) == {"payments-v2", "growth"}

    await sync(sessions, initiatives=())  # payments-v2 left the config

    assert await live_hub_items(sessions) == {"growth"}


async def test_a_config_initiative_takes_over_an_api_one_with_its_key(sessions) -> None:
    await create(sessions, "payments-v2", "From the API")
    await sync(sessions)
    async with sessions() as session:
        row = await session.get(WorkItem, "hub:payments-v2")
    assert row is not None and row.title == "Payments v2" and "origin" not in row.raw

    await sync(sessions, initiatives=())
    assert await live_hub_items(sessions) == set()


async def test_the_key_of_a_deleted_config_initiative_can_be_reused(sessions) -> None:
    await sync(sessions)
    await sync(sessions, initiatives=())
    row = await create(sessions, "payments-v2", "Payments, again")
    assert (row.deleted, row.title, row.raw["origin"]) == (False, "Payments, again", "api")


@pytest.mark.parametrize(
    ("key", "title", "fields", "error"),
    [
        ("Growth", "Growth", {}, InvalidInitiativeKey),
        ("-growth", "Growth", {}, InvalidInitiativeKey),
        ("growth 2", "Growth", {}, InvalidInitiativeKey),
        ("g" * 101, "Growth", {}, InvalidInitiativeKey),
        ("growth", "   ", {}, InvalidInitiative),
        (
            "growth",
            "Growth",
            {"start_date": date(2026, 5, 1), "target_date": date(2026, 4, 1)},
            InvalidInitiative,
        ),
    ],
)
async def test_an_invalid_initiative_is_refused(sessions, key, title, fields, error) -> None:
    with pytest.raises(error):
        await create(sessions, key, title, **fields)
    assert await live_hub_items(sessions) == set()


async def test_a_key_in_use_or_declared_in_the_config_is_taken(sessions) -> None:
    await sync(sessions)
    await create(sessions)
    for key in ("payments-v2", "growth"):
        with pytest.raises(InitiativeKeyTaken):
            await create(sessions, key)
    async with transaction(sessions) as session:
        with pytest.raises(InitiativeKeyTaken, match="declared in the config"):
            new = manual.NewInitiative("not-synced-yet", "Later")
            await manual.create_initiative(session, new, NOW, declared={"not-synced-yet"})


async def test_items_are_found_by_hub_id_or_by_key_in_any_case(sessions) -> None:
    await sync(sessions)
    async with sessions() as session:
        assert (await manual.find_item(session, "jira:1")).key == "PAY-1"
        assert (await manual.find_item(session, "pay-2")).id == "jira:2"
        with pytest.raises(ItemNotFound):
            await manual.find_item(session, "PAY-404")
        with pytest.raises(InitiativeNotFound):
            await manual.find_item(session, "PAY-1", level=Level.INITIATIVE)


async def test_a_key_in_two_sources_is_ambiguous_but_its_hub_ids_are_not(sessions) -> None:
    await sync(sessions)
    async with transaction(sessions) as session:
        session.add(Source(id=99, name="other", kind="jira", base_url="https://x", created_at=NOW))
        original = await session.get(WorkItem, "jira:1")
        assert original is not None
        session.add(replace_id(original, "other:1", 99))
    async with sessions() as session:
        with pytest.raises(AmbiguousItemKey) as raised:
            await manual.find_item(session, "PAY-1")
        assert raised.value.ids == ["jira:1", "other:1"]
        assert (await manual.find_item(session, "other:1")).source_id == 99


def replace_id(row: WorkItem, item_id: str, source_id: int) -> WorkItem:
    columns = {c.key: getattr(row, c.key) for c in WorkItem.__table__.columns}
    return WorkItem(**{**columns, "id": item_id, "source_id": source_id})


async def test_manual_dependencies_survive_every_resync(sessions) -> None:
    await sync(sessions)
    async with transaction(sessions) as session:
        await manual.add_dependency(session, "PAY-1", "PAY-2", "same as the tracker", NOW)
        await manual.add_dependency(session, "PAY-3", "PAY-1", None, NOW)
    manual_edges = {
        ("jira:1", "jira:2", Provenance.MANUAL),
        ("jira:3", "jira:1", Provenance.MANUAL),
    }
    assert await dependencies(sessions) == {("jira:1", "jira:2", Provenance.TRACKER)} | manual_edges

    unlinked = [replace(i, blocks=(), title=f"{i.title}!") for i in ITEMS]
    await sync(sessions, unlinked, full=True)  # every item rewritten, tracker link gone

    assert await dependencies(sessions) == manual_edges


async def test_a_manual_dependency_is_refused_twice_and_on_itself(sessions) -> None:
    await sync(sessions)
    async with transaction(sessions) as session:
        await manual.add_dependency(session, "PAY-2", "PAY-3", None, NOW)
    async with transaction(sessions) as session:
        with pytest.raises(DuplicateDependency):
            await manual.add_dependency(session, "jira:2", "pay-3", None, NOW)
        with pytest.raises(SelfDependency):
            await manual.add_dependency(session, "PAY-2", "jira:2", None, NOW)


async def test_a_manual_dependency_on_a_deleted_item_can_still_be_removed(sessions) -> None:
    await sync(sessions)
    async with transaction(sessions) as session:
        await manual.add_dependency(session, "PAY-2", "PAY-3", None, NOW)
    async with transaction(sessions) as session:
        deleted = await session.get(WorkItem, "jira:3")
        assert deleted is not None
        deleted.deleted = True
    async with transaction(sessions) as session:
        removed = await manual.remove_dependency(session, "PAY-2", "PAY-3")
    assert (removed.blocker_id, removed.blocked_id) == ("jira:2", "jira:3")
    assert await dependencies(sessions) == {("jira:1", "jira:2", Provenance.TRACKER)}


async def test_tracker_dependencies_are_not_removed_by_hand(sessions) -> None:
    await sync(sessions)
    async with transaction(sessions) as session:
        with pytest.raises(DependencyNotFound, match="change only in the tracker"):
            await manual.remove_dependency(session, "PAY-1", "PAY-2")


MISSING = {
    "item": lambda session: manual.find_item(session, "PAY-404"),
    "initiative": lambda session: manual.find_item(session, "PAY-1", level=Level.INITIATIVE),
    "assignment": lambda session: manual.unassign_from_initiative(session, "PAY-1"),
    "dependency": lambda session: manual.remove_dependency(session, "PAY-3", "PAY-1"),
}


@pytest.mark.parametrize("operation", MISSING.values(), ids=MISSING.keys())
async def test_a_refusal_about_something_missing_is_caught_as_not_found(
    sessions, operation: Callable[[AsyncSession], Awaitable[object]]
) -> None:
    await sync(sessions)
    async with transaction(sessions) as session:
        with pytest.raises(NotFound, match="PAY-"):
            await operation(session)
