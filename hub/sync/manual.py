"""Changes people make by hand: initiatives, epics placed under them, and dependencies.

None of these come from a tracker, so no sync may undo them: API-created initiatives are not
the config's to delete (``hub.sync.native``), assignments are re-applied after every page
(``hub.sync.assignments``), and the sync never touches ``MANUAL`` dependencies.

Each operation works in the caller's transaction and raises a ``Rejected`` error, whose
message says what to do next, for anything the person asking can fix:

    Rejected(HubError)
    ├── UnknownItem (NotFound)          no live item has that tracker key or hub id
    ├── UnknownInitiative (NotFound)    no live initiative has that key or hub id
    ├── AmbiguousKey                    the key names items in several sources
    ├── NotAnEpic                       only epics go under initiatives
    ├── NotAssigned (NotFound)          the item has no manual assignment to remove
    ├── InvalidKey                      an initiative key must be a lowercase slug
    ├── InvalidInitiative               a blank title, or a target before the start
    ├── KeyTaken                        another initiative has that key
    ├── SelfDependency                  an item cannot block itself
    ├── DuplicateDependency             that manual dependency exists already
    └── NoSuchDependency (NotFound)     there is no such manual dependency to remove
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError
from sqlalchemy import delete, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.contract.config import HUB_SOURCE, InitiativeConfig
from hub.contract.errors import HubError, NotFound
from hub.contract.records import Level, Provenance, StatusCategory, hub_id
from hub.storage.models import Dependency, InitiativeAssignment, WorkItem
from hub.storage.upsert import upsert
from hub.sync.native import api_initiative_record, hub_target
from hub.sync.store import store_items


class Rejected(HubError):
    """A manual change the hub refuses; nothing was written."""


class UnknownItem(Rejected, NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"no item has the tracker key or hub id {reference!r}; check the key, or sync its "
            "source first"
        )
        self.reference = reference


class UnknownInitiative(Rejected, NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"no initiative has the key or hub id {reference!r}; create it with "
            "`createInitiative` or declare it in the config"
        )
        self.reference = reference


class AmbiguousKey(Rejected):
    def __init__(self, reference: str, ids: list[str]) -> None:
        super().__init__(
            f"key {reference!r} names items in several sources ({', '.join(ids)}); "
            "pass the hub id instead"
        )
        self.reference = reference
        self.ids = ids


class NotAnEpic(Rejected):
    def __init__(self, item: WorkItem) -> None:
        super().__init__(
            f"{item.key} is an {item.level.value}; only epics go under initiatives "
            "(issues follow their epic)"
        )
        self.level = item.level


class NotAssigned(Rejected, NotFound):
    def __init__(self, item: WorkItem) -> None:
        super().__init__(f"{item.key} has no manual initiative assignment to remove")


class InvalidKey(Rejected):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"initiative key {key!r} is not valid: use lowercase letters, digits, '-', '_' "
            "and '.', starting with a letter or digit, at most 100 characters"
        )
        self.key = key


class InvalidInitiative(Rejected):
    """A field other than the key is wrong; the message names it."""


class KeyTaken(Rejected):
    def __init__(self, key: str, *, declared: bool) -> None:
        where = "declared in the config" if declared else "in use by another initiative"
        super().__init__(f"initiative key {key!r} is {where}; choose another key")
        self.key = key


class SelfDependency(Rejected):
    def __init__(self, item: WorkItem) -> None:
        super().__init__(f"{item.key} cannot block itself; name two different items")


class DuplicateDependency(Rejected):
    def __init__(self, blocker: WorkItem, blocked: WorkItem) -> None:
        super().__init__(f"{blocker.key} already blocks {blocked.key} by a manual dependency")


class NoSuchDependency(Rejected, NotFound):
    def __init__(self, blocker: WorkItem, blocked: WorkItem) -> None:
        super().__init__(
            f"there is no manual dependency {blocker.key} blocks {blocked.key}; tracker and "
            "mention dependencies change only in the tracker"
        )


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
        raise AmbiguousKey(reference, [row.id for row in rows])
    raise UnknownInitiative(reference) if level == Level.INITIATIVE else UnknownItem(reference)


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
        raise KeyTaken(initiative.key, declared=initiative.key in declared)
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
            raise InvalidKey(new.key) from None
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
        raise NotAnEpic(item)
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
        raise NotAssigned(item)
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
        raise SelfDependency(blocker)
    if await _manual_dependency(session, blocker, blocked) is not None:
        raise DuplicateDependency(blocker, blocked)
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
        raise NoSuchDependency(blocker, blocked)
    await session.delete(dependency)
    return dependency


async def _manual_dependency(
    session: AsyncSession, blocker: WorkItem, blocked: WorkItem
) -> Dependency | None:
    return await session.get(Dependency, (blocker.id, blocked.id, Provenance.MANUAL))
