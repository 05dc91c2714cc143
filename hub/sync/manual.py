"""Changes people make by hand: initiatives, epics placed under them, and dependencies.

None of these come from a tracker, so no sync may undo them: API-created initiatives are not
the config's to delete (``hub.sync.native``), assignments are re-applied after every page
(``hub.sync.assignments``), and the sync never touches ``MANUAL`` dependencies.

Each operation works in the caller's transaction and raises a ``ManualChangeRejected``
error (the tree in ``hub.contract.errors``), whose message says what to do next, for anything
the person asking can fix.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError
from sqlalchemy import delete, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.config import HUB_SOURCE, InitiativeConfig
from hub.contract.errors import (
    AmbiguousItemKey,
    AssignmentNotFound,
    DependencyNotFound,
    DuplicateDependency,
    InitiativeKeyTaken,
    InitiativeNotFound,
    InvalidInitiative,
    InvalidInitiativeKey,
    ItemNotFound,
    NotAnEpic,
    SelfDependency,
)
from hub.contract.records import Level, Provenance, StatusCategory, hub_id
from hub.storage.models import Dependency, InitiativeAssignment, WorkItem
from hub.storage.upsert import upsert
from hub.sync.native import api_initiative_record, hub_target
from hub.sync.store import store_items


@dataclass(frozen=True, slots=True)
class NewInitiative:
    key: str
    title: str
    owner: str | None = None
    description: str | None = None
    start_date: date | None = None
    target_date: date | None = None
    status: StatusCategory = StatusCategory.IN_PROGRESS


@dataclass(frozen=True, slots=True)
class Assignment:
    item: WorkItem
    initiative: WorkItem
    assigned_at: datetime


async def find_item(
    session: AsyncSession,
    reference: str,
    *,
    level: Level | None = None,
    include_deleted: bool = False,
) -> WorkItem:
    """The item a person means by a hub id (exact) or a tracker key (any case)."""
    statement = select(WorkItem).where(
        or_(WorkItem.id == reference, func.lower(WorkItem.key) == reference.lower())
    )
    if level is not None:
        statement = statement.where(WorkItem.level == level)
    if not include_deleted:
        statement = statement.where(WorkItem.deleted == false())
    rows = list((await session.scalars(statement.order_by(WorkItem.id))).all())
    exact = [row for row in rows if row.id == reference]
    if exact or len(rows) == 1:
        return (exact or rows)[0]
    if rows:
        raise AmbiguousItemKey(reference, [row.id for row in rows])
    raise InitiativeNotFound(reference) if level == Level.INITIATIVE else ItemNotFound(reference)


async def create_initiative(
    session: AsyncSession,
    new: NewInitiative,
    now: datetime,
    *,
    declared: Collection[str] = (),
) -> WorkItem:
    """A hub-native initiative owned by the API; ``declared`` are the config's keys, which
    stay reserved even before the config's next sync stores them."""
    initiative = _checked(new)
    item_id = hub_id(HUB_SOURCE, initiative.key)
    live = await session.scalar(
        select(WorkItem.id).where(WorkItem.id == item_id, WorkItem.deleted == false())
    )
    if initiative.key in declared or live is not None:
        raise InitiativeKeyTaken(initiative.key, declared=initiative.key in declared)
    target = await hub_target(session, now)
    await store_items(session, target, [api_initiative_record(initiative, now)], now)
    row = await session.get(WorkItem, item_id, populate_existing=True)
    assert row is not None
    return row


def _checked(new: NewInitiative) -> InitiativeConfig:
    """The config's own rules for an initiative, so both ways of declaring one agree."""
    try:
        initiative = InitiativeConfig(
            key=new.key,
            title=new.title.strip(),
            owner=new.owner,
            description=new.description,
            status=new.status,
            start_date=new.start_date,
            target_date=new.target_date,
        )
    except ValidationError as exc:
        if any(error["loc"] == ("key",) for error in exc.errors()):
            raise InvalidInitiativeKey(new.key) from None
        fields = ", ".join(str(error["loc"][0]) for error in exc.errors())
        raise InvalidInitiative(f"initiative field(s) not valid: {fields}") from None
    start, target = initiative.start_date, initiative.target_date
    if start is not None and target is not None and target < start:
        raise InvalidInitiative(f"target date {target} is before start date {start}")
    return initiative


async def assign_to_initiative(
    session: AsyncSession, item_reference: str, initiative_reference: str, now: datetime
) -> Assignment:
    """Place an epic under an initiative now and for good; a new assignment replaces the old."""
    item = await find_item(session, item_reference)
    if item.level != Level.EPIC:
        raise NotAnEpic(item.key, item.level)
    initiative = await find_item(session, initiative_reference, level=Level.INITIATIVE)
    await upsert(
        session,
        InitiativeAssignment,
        [{"item_id": item.id, "initiative_id": initiative.id, "created_at": now}],
        key=["item_id"],
    )
    item.parent_id = initiative.id
    return Assignment(item=item, initiative=initiative, assigned_at=now)


async def unassign_from_initiative(session: AsyncSession, item_reference: str) -> WorkItem:
    """Remove a manual assignment: the item goes back under the parent its last sync gave
    it (the tracker's, or the hub rules' initiative)."""
    item = await find_item(session, item_reference)
    removed = await session.execute(
        delete(InitiativeAssignment).where(InitiativeAssignment.item_id == item.id)
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise AssignmentNotFound(item.key)
    item.parent_id = item.synced_parent_id
    return item


async def add_dependency(
    session: AsyncSession,
    blocker_reference: str,
    blocked_reference: str,
    note: str | None,
    now: datetime,
) -> Dependency:
    """Record that one item blocks another, as a person says; no sync removes it."""
    blocker = await find_item(session, blocker_reference)
    blocked = await find_item(session, blocked_reference)
    if blocker.id == blocked.id:
        raise SelfDependency(blocker.key)
    if await _manual_dependency(session, blocker, blocked) is not None:
        raise DuplicateDependency(blocker.key, blocked.key)
    row = {
        "blocker_id": blocker.id,
        "blocked_id": blocked.id,
        "provenance": Provenance.MANUAL,
        "source_id": None,
        "note": (note or "").strip() or None,
        "created_at": now,
    }
    # Insert-or-nothing: of two people adding the same dependency at once, neither fails.
    await upsert(
        session, Dependency, [row], key=["blocker_id", "blocked_id", "provenance"], update=[]
    )
    dependency = Dependency(**row)
    return dependency


async def remove_dependency(
    session: AsyncSession, blocker_reference: str, blocked_reference: str
) -> Dependency:
    """Remove a manual dependency; deleted items may still be named, to clean up after them."""
    blocker = await find_item(session, blocker_reference, include_deleted=True)
    blocked = await find_item(session, blocked_reference, include_deleted=True)
    dependency = await _manual_dependency(session, blocker, blocked)
    if dependency is None:
        raise DependencyNotFound(blocker.key, blocked.key)
    await session.delete(dependency)
    return dependency


async def _manual_dependency(
    session: AsyncSession, blocker: WorkItem, blocked: WorkItem
) -> Dependency | None:
    return await session.get(Dependency, (blocker.id, blocked.id, Provenance.MANUAL))
