"""A person's initiative assignment outranks the tracker parent and the hub rules, through
every re-sync; removing it puts the item back under the parent its last sync gave it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contract.config import InitiativeConfig
from hub.contract.records import ItemRecord, Level
from hub.storage.database import transaction
from hub.storage.models import WorkItem
from hub.sync import manual
from hub.sync.assignments import apply_assignments
from hub.sync.rules import HubRules
from tests.sync.fakes import SOURCE, EngineFor, FakeConnector, item

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 3, 1, tzinfo=UTC)
RULES = HubRules(initiatives=[InitiativeConfig(key="payments-v2", title="Payments v2")])

ITEMS = [
    item(9, level=Level.INITIATIVE, title="Tracker initiative"),
    item(1, level=Level.EPIC, parent_external_id="9"),
    item(2, level=Level.EPIC, labels=("initiative:payments-v2",)),
    item(3, level=Level.EPIC),
    item(4, parent_external_id="1"),
]


async def sync(
    engine_for: EngineFor,
    items: Sequence[ItemRecord] = ITEMS,
    *,
    full: bool = False,
    rules: HubRules = RULES,
) -> None:
    report = await engine_for(FakeConnector(SOURCE, items), rules=rules).sync(SOURCE, full=full)
    assert report.ok, report.error


async def parents(sessions: Sessions) -> dict[str, str | None]:
    async with sessions() as session:
        rows = await session.execute(select(WorkItem.key, WorkItem.parent_id))
        return {key: parent for key, parent in rows}


async def create_and_assign(sessions: Sessions, *epics: str) -> None:
    async with transaction(sessions) as session:
        await manual.create_initiative(session, manual.NewInitiative("growth", "Growth"), NOW)
        for epic in epics:
            await manual.assign_to_initiative(session, epic, "growth", NOW)


def renamed(items: Sequence[ItemRecord]) -> list[ItemRecord]:
    return [replace(i, title=f"{i.title} (renamed)") for i in items]


async def test_an_assignment_outranks_tracker_parents_and_rules_at_once(
    sessions, engine_for: EngineFor
) -> None:
    await sync(engine_for)
    assert (await parents(sessions))["PAY-1"] == "jira:9"
    assert (await parents(sessions))["PAY-2"] == "hub:payments-v2"

    await create_and_assign(sessions, "PAY-1", "PAY-2", "PAY-3")

    stored = await parents(sessions)
    assert [stored[k] for k in ("PAY-1", "PAY-2", "PAY-3")] == ["hub:growth"] * 3
    assert stored["PAY-4"] == "jira:1"  # issues follow their epic


async def test_assignments_survive_every_kind_of_resync(sessions, engine_for: EngineFor) -> None:
    await sync(engine_for)
    await create_and_assign(sessions, "PAY-1", "PAY-2")

    await sync(engine_for, renamed(ITEMS), full=True)  # every item rewritten
    stored = await parents(sessions)
    assert (stored["PAY-1"], stored["PAY-2"], stored["PAY-3"]) == ("hub:growth", "hub:growth", None)

    await sync(engine_for, renamed(ITEMS))  # incremental, nothing changed
    later = HubRules(initiatives=[*RULES.initiatives, InitiativeConfig(key="x", title="X")])
    await sync(engine_for, renamed(ITEMS), rules=later)  # new rules rewrite everything
    stored = await parents(sessions)
    assert (stored["PAY-1"], stored["PAY-2"]) == ("hub:growth", "hub:growth")


async def test_unassigning_restores_the_synced_parent_at_once(
    sessions, engine_for: EngineFor
) -> None:
    await sync(engine_for)
    await create_and_assign(sessions, "PAY-1", "PAY-2", "PAY-3")
    async with transaction(sessions) as session:
        for epic in ("PAY-1", "PAY-2", "PAY-3"):
            await manual.unassign_from_initiative(session, epic)

    # The tracker's parent, the rules' initiative, and no parent, as the sync left them.
    stored = await parents(sessions)
    assert (stored["PAY-1"], stored["PAY-2"], stored["PAY-3"]) == (
        "jira:9",
        "hub:payments-v2",
        None,
    )

    await sync(engine_for, renamed(ITEMS), full=True)  # and so they stay
    assert await parents(sessions) == stored


async def test_an_assigned_epic_keeps_what_its_tracker_says_meanwhile(
    sessions, engine_for: EngineFor
) -> None:
    await sync(engine_for)
    await create_and_assign(sessions, "PAY-1")
    moved = [replace(i, parent_external_id=None) if i.key == "PAY-1" else i for i in ITEMS]
    await sync(engine_for, moved, full=True)  # the tracker takes PAY-1 out of its initiative
    assert (await parents(sessions))["PAY-1"] == "hub:growth"

    async with transaction(sessions) as session:
        await manual.unassign_from_initiative(session, "PAY-1")
    assert (await parents(sessions))["PAY-1"] is None


async def test_apply_assignments_is_one_statement_for_the_ids_given(
    sessions, engine_for: EngineFor, count_statements
) -> None:
    await sync(engine_for)
    await create_and_assign(sessions, "PAY-1", "PAY-2")
    async with transaction(sessions) as session:
        await session.execute(
            update(WorkItem).values(parent_id=None)  # as a sync rewrite would
        )

    with count_statements() as counter:
        async with transaction(sessions) as session:
            await apply_assignments(session, ["jira:1", "jira:3", "jira:4"])
    assert len([s for s in counter.statements if s.lstrip().upper().startswith("UPDATE")]) == 1

    stored = await parents(sessions)
    assert stored["PAY-1"] == "hub:growth"
    assert stored["PAY-2"] is None  # assigned, but not among the ids given


async def test_an_assignment_holds_only_while_the_item_is_an_epic(
    sessions, engine_for: EngineFor
) -> None:
    await sync(engine_for)
    await create_and_assign(sessions, "PAY-1")
    demoted = [item(1, level=Level.ISSUE, parent_external_id="9", title="now an issue")]

    await sync(engine_for, demoted, full=True)

    assert (await parents(sessions))["PAY-1"] == "jira:9"


async def test_a_sync_with_nothing_changed_writes_no_assignments(
    sessions, engine_for: EngineFor, count_statements
) -> None:
    await sync(engine_for)
    await create_and_assign(sessions, "PAY-1")
    with count_statements() as counter:
        await sync(engine_for)
    assert not any("initiative_assignments" in s for s in counter.statements)
